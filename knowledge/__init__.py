"""The trilingual knowledge base: topics, flows' questions, drafts and interface texts."""

from knowledge.loader import KnowledgeError, load, load_from
from knowledge.models import LANGS, KnowledgeBase, L10n, Topic

__all__ = ["LANGS", "KnowledgeBase", "KnowledgeError", "L10n", "Topic", "load", "load_from"]
