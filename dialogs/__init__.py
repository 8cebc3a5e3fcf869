"""The six advice flows, each declared as data for ``transitions`` in its own module.

``dialogs.registry.FLOWS`` maps a flow id to its :class:`bot.flows.FlowSpec`;
``dialogs.registry.check(kb)`` lists where a flow and its topic disagree.
"""

from dialogs.registry import FLOWS, check

__all__ = ["FLOWS", "check"]
