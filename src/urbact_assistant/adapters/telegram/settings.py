"""The bot's settings, read once from the environment; the token never appears in repr,
logs or error messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from urbact_assistant import ConfigError

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_API = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class BotSettings:
    """The bot's settings, read once from the environment. The token never appears in repr."""

    token: str = field(repr=False)
    """``TELEGRAM_BOT_TOKEN``, from @BotFather."""
    api_base_url: str = DEFAULT_API
    """``TELEGRAM_API_BASE_URL``: the Bot API server; the token is appended to it."""
    file_base_url: str = "https://api.telegram.org/file/bot"
    """``TELEGRAM_API_FILE_URL``; by default derived from the API base URL."""
    webhook_url: str = ""
    """``URBACT_WEBHOOK_URL``: the public HTTPS URL; set → webhook mode, its path is served."""
    webhook_secret: str = field(default="", repr=False)
    """``URBACT_WEBHOOK_SECRET``: checked against Telegram's secret-token header."""
    webhook_listen: str = "0.0.0.0:8080"
    """``URBACT_WEBHOOK_LISTEN``: ``host:port`` the webhook server listens on."""
    log_content: bool = False
    """``URBACT_LOG_CONTENT=1``: log message text at debug level (off: never logged)."""
    questions_per_minute: int = 10
    """``URBACT_BOT_QUESTIONS_PER_MINUTE``: per-user rate limit on questions."""
    max_question: int = 1000
    """``URBACT_BOT_MAX_QUESTION``: the longest question accepted, in characters."""
    stream_interval: float = 1.0
    """Seconds between two edits of a streamed answer (``URBACT_BOT_STREAM_INTERVAL``)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BotSettings:
        """Build from a mapping; raise ``ConfigError`` (one line, never the token)."""
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather")
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is malformed (expected <digits>:<at least 30 letters, "
                "digits, _ or ->, as given by @BotFather)"
            )
        errors: list[str] = []
        base = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API
        if not base.startswith(("http://", "https://")):
            errors.append("TELEGRAM_API_BASE_URL must start with http:// or https://")
        files = env.get("TELEGRAM_API_FILE_URL", "").strip() or _file_url(base)
        webhook = env.get("URBACT_WEBHOOK_URL", "").strip()
        secret = env.get("URBACT_WEBHOOK_SECRET", "").strip()
        listen = env.get("URBACT_WEBHOOK_LISTEN", "").strip() or "0.0.0.0:8080"
        if webhook:
            if not webhook.startswith(("https://", "http://")):
                errors.append("URBACT_WEBHOOK_URL must be an https:// URL")
            if not secret:
                errors.append("URBACT_WEBHOOK_SECRET is required with URBACT_WEBHOOK_URL")
        if secret and not SECRET_PATTERN.match(secret):
            errors.append("URBACT_WEBHOOK_SECRET must be 1-256 characters: A-Z, a-z, 0-9, _ or -")
        if not _parse_listen(listen):
            errors.append(f"URBACT_WEBHOOK_LISTEN must be host:port, got {listen!r}")
        numbers = {}
        for name, default, kind in (
            ("URBACT_BOT_QUESTIONS_PER_MINUTE", 10, int),
            ("URBACT_BOT_MAX_QUESTION", 1000, int),
            ("URBACT_BOT_STREAM_INTERVAL", 1.0, float),
        ):
            raw = env.get(name, "").strip()
            try:
                numbers[name] = kind(raw) if raw else default
                if numbers[name] <= 0:
                    raise ValueError
            except ValueError:
                errors.append(f"{name} must be a positive number, got {raw!r}")
        if errors:
            raise ConfigError("; ".join(errors))
        return cls(
            token=token,
            api_base_url=base,
            file_base_url=files,
            webhook_url=webhook,
            webhook_secret=secret,
            webhook_listen=listen,
            log_content=env.get("URBACT_LOG_CONTENT", "").strip().lower() in ("1", "true", "yes"),
            questions_per_minute=int(numbers["URBACT_BOT_QUESTIONS_PER_MINUTE"]),
            max_question=int(numbers["URBACT_BOT_MAX_QUESTION"]),
            stream_interval=float(numbers["URBACT_BOT_STREAM_INTERVAL"]),
        )

    @property
    def listen(self) -> tuple[str, int]:
        parsed = _parse_listen(self.webhook_listen)
        assert parsed is not None
        return parsed


def _file_url(base: str) -> str:
    """``…/bot`` → ``…/file/bot`` (the Bot API's layout, also a local Bot API server's)."""
    if base.endswith("/bot"):
        return base[: -len("bot")] + "file/bot"
    return base.rstrip("/") + "/file/bot"


def _parse_listen(listen: str) -> tuple[str, int] | None:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host.strip("[]"), int(port)
