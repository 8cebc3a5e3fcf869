"""The terminal chat behind ``clientcoach chat``.

Two ways to run it, one conversation model (:mod:`bot.terminal.conversation`):

- :mod:`bot.terminal.lines` — input that is not a terminal, or ``--json``: one line in, the
  replies out as plain text or one JSON object per reply, nothing else (scripts rely on it);
- :mod:`bot.terminal.interactive` — a person at a terminal: line editing and history
  (:mod:`bot.terminal.reader`), replies laid out to the terminal's width
  (:mod:`bot.terminal.screen`), long answers in parts (:mod:`bot.terminal.parts`), a greeting
  or a visible resume (:mod:`bot.terminal.opening`).

Only the engine, the knowledge base and the store are used: never platform code. Every sentence
shown comes from ``knowledge/interface/`` (``terminal.yaml`` for the terminal's own).
"""
