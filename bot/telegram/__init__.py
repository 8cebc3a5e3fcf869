"""Telegram adapter: ``Update`` → ``Turn`` (updates.py), ``Reply`` → HTML (render.py), app.py."""

from bot.telegram.app import TelegramBot

__all__ = ["TelegramBot"]
