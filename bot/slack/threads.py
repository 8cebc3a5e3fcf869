"""Which channel threads the bot talks in, so a reply in such a thread reaches it unmentioned.

A mention starts a thread at the mention; from then on everyone who writes in that thread has a
conversation with the bot (one per person). The mark lives in the session store, so every worker
sees it, and expires with the store's idle time like any session.
"""

from __future__ import annotations

from bot.models import ConversationKey
from bot.store.base import Session, SessionStore

THREAD_PERSON = "slack|threads"
THREAD_STATE = "slack-thread"


class ThreadRegistry:
    """Marks and looks up the threads the bot takes part in."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store

    @staticmethod
    def _key(chat: str, thread: str) -> str:
        return ConversationKey(platform="slack", chat=chat, thread=thread, user="*").as_str()

    async def mark(self, chat: str, thread: str) -> None:
        await self.store.save(self._key(chat, thread), THREAD_PERSON, Session(state=THREAD_STATE))

    async def active(self, key: ConversationKey) -> bool:
        """True when the bot talks in ``key``'s thread or already talks with this person there."""
        if not key.thread:
            return False
        if await self.store.load(self._key(key.chat, key.thread)) is not None:
            return True
        return await self.store.load(key.as_str()) is not None
