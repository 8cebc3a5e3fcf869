"""The platform-neutral seam: a :class:`Turn` comes in, :class:`Reply` objects go out.

Nothing here knows Slack or Telegram. Adapters build a ``Turn`` from a platform event and lay a
``Reply`` out as Block Kit or an inline keyboard.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Platform = Literal["cli", "slack", "telegram", "test", "bench"]
ChatKind = Literal["direct", "group"]
TurnKind = Literal["message", "command", "button", "non_text", "joined"]
Lang = Literal["fr", "nb", "en"]

MAX_PAYLOAD_BYTES = 64


def _short_payload(value: str) -> str:
    if not value or len(value.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"a button payload must be 1 to {MAX_PAYLOAD_BYTES} bytes of UTF-8")
    return value


Payload = Annotated[str, AfterValidator(_short_payload)]


def normalize_lang(code: str | None) -> Lang | None:
    """``nb-NO``, ``no``, ``nn`` → ``nb``; ``fr_CA`` → ``fr``; unknown → ``None``."""
    if not code:
        return None
    main = code.replace("_", "-").split("-")[0].lower()
    if main in ("nb", "no", "nn"):
        return "nb"
    if main in ("fr", "en"):
        return main  # type: ignore[return-value]
    return None


class ConversationKey(BaseModel):
    """Who is talking where: one conversation per (platform, chat, thread, user)."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    chat: str
    thread: str = ""
    user: str

    def as_str(self) -> str:
        return "|".join((self.platform, self.chat, self.thread, self.user))

    @property
    def person(self) -> str:
        """The person across every chat of one platform (used by forget and rate limits)."""
        return f"{self.platform}|{self.user}"


class Turn(BaseModel):
    """One input from a person: a message, a command, a button press or a platform event."""

    model_config = ConfigDict(frozen=True)

    key: ConversationKey
    chat_kind: ChatKind = "direct"
    kind: TurnKind = "message"
    text: str | None = None
    payload: str | None = None
    locale: str | None = None
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    event_id: str | None = None
    reminders: bool = True  # the platform delivers follow-up reminders (the terminal does not)
    owner: str | None = None  # a button press: the person the pressed buttons were shown to
    private: bool = False  # seen only by this person (slash command, ephemeral message, shortcut)
    quoted: bool = False  # ``text`` is someone else's message the person asks about
    client: str | None = None  # who wrote the quoted message, when it is not the person


class Button(BaseModel):
    """A choice shown to the person; ``payload`` comes back in a later ``Turn``."""

    model_config = ConfigDict(frozen=True)

    payload: Payload
    label: str


class Draft(BaseModel):
    """A ready-to-send message, already filled in and in one language."""

    model_config = ConfigDict(frozen=True)

    title: str
    text: str
    lang: Lang


class Reply(BaseModel):
    """One message from the bot, already in the person's language; adapters only lay it out."""

    model_config = ConfigDict(frozen=True)

    text: str
    lang: Lang = "en"
    buttons: list[Button] = Field(default_factory=list)
    checklist: list[str] | None = None
    draft: Draft | None = None
    continue_in_dm: bool = False
    resume: Payload | None = None  # what reopens this reply (deep links, "share in channel")
    private: bool = False  # only the person may see it (ephemeral on Slack)
    notice: bool = False  # a short notice about the person's own action (a toast for a press)
    share: Payload | None = None  # offer to post this private reply for everyone in the chat
