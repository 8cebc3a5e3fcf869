"""clientcoach: a Slack and Telegram bot that coaches freelancers with difficult clients."""

__version__ = "0.1.0"
