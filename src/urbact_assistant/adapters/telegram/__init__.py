"""The Telegram bot (python-telegram-bot v22): the only package that imports ``telegram``.

``settings`` (BotSettings), ``runtime`` (ordering, rate limits, delivery, streaming), ``addressing``
(who a message is for, which conversation it continues), ``render`` (pure
HTML and keyboards), ``texts`` (UI texts from ``data/ui``), ``state`` (SQLite), ``bot``
(handlers) and ``app`` (wiring and running).
"""
