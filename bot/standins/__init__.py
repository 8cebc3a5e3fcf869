"""Local stand-ins for Slack's Web API and Telegram's Bot API, over real HTTP on 127.0.0.1.

They record what the bot sends and can be told to fail. The tests and ``clientcoach bench`` use
them; self-hosters can use them to try a deployment without reaching either platform.
"""
