"""Understanding a message: which language to answer in and which topic it is about.

``detect_language(text, hint=..., current=...)`` and ``route(text, lang=...)`` are pure functions
over data read once from ``knowledge/routing/``.
"""

from bot.understanding.language import detect_language, normalise_lang
from bot.understanding.router import Routing, route


def warm_up() -> None:
    """Load the detector, the word tables and the topic model now (a few hundred ms)."""
    from bot.understanding.language import warm_up as _lang_warm_up
    from bot.understanding.model import model

    _lang_warm_up()
    model()


__all__ = ["Routing", "detect_language", "normalise_lang", "route", "warm_up"]
