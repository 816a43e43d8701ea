"""Front ends: the command line and the Telegram bot. They use only the public API
(``urbact_assistant``: ``Assistant``, ``Settings`` and the types they take and return).
"""
