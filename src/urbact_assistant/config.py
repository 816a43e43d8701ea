"""Settings, read once at the edge from an environment mapping (``os.environ`` plus ``.env``)."""

from __future__ import annotations

import datetime as dt
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urbact_assistant.errors import ConfigError

APP_NAME = "urbact-assistant"


def default_corpus_dir() -> Path:
    """The corpus shipped inside the wheel, or the source checkout's ``corpus/``."""
    packaged = Path(__file__).with_name("corpus")
    if (packaged / "networks").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "corpus"


def eval_set(name: str) -> Path:
    """A question set shipped inside the wheel (``data/eval``), or the source checkout's
    ``tests/eval/``."""
    packaged = Path(__file__).with_name("data") / "eval" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "tests" / "eval" / name


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file: ``KEY=value`` lines, ``#`` comments, optional quotes."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return values
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def environment(cwd: Path | None = None) -> dict[str, str]:
    """``.env`` from the working directory, overridden by the real environment."""
    return {**read_dotenv((cwd or Path.cwd()) / ".env"), **os.environ}


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the embedded offline defaults."""

    data_dir: Path
    """Where the index, the embedding cache and bot state live (``URBACT_DATA_DIR``)."""
    corpus_dir: Path
    """The corpus to index (``URBACT_CORPUS_DIR``; default: the corpus shipped with the package)."""
    embeddings: str = "use-multilingual"
    """Embedding backend (``URBACT_EMBEDDINGS``): ``use-multilingual`` (embedded) or ``openai``."""
    embedding_model: str = ""
    """Model name for the OpenAI embeddings backend (``URBACT_EMBEDDING_MODEL``)."""
    chroma_host: str = ""
    """``host[:port]`` of a Chroma server (``URBACT_CHROMA_HOST``); empty: embedded Chroma."""
    chroma_token: str = field(default="", repr=False)
    """Chroma's token auth (``URBACT_CHROMA_TOKEN``); never printed."""
    chroma_token_header: str = "Authorization"
    """Where the token goes (``URBACT_CHROMA_TOKEN_HEADER``): ``Authorization`` (as
    ``Bearer <token>``) or ``X-Chroma-Token``, as the server's
    ``chroma_auth_token_transport_header``."""
    chroma_ssl: bool = False
    """Speak https to the Chroma server (``URBACT_CHROMA_SSL=1``)."""
    chroma_ssl_verify: str = ""
    """``URBACT_CHROMA_SSL_VERIFY``: empty, the default CA bundle; the path of a CA bundle (a
    private CA, a self-signed certificate); ``0``: no verification (testing only)."""
    collection: str = "urbact"
    """Chroma collection name prefix (``URBACT_COLLECTION``)."""
    today: dt.date | None = None
    """Override today's date (``URBACT_TODAY``, ISO), e.g. to see how answers read on a given day."""
    llm_model: str = ""
    """Chat model for fluent answers (``URBACT_LLM_MODEL``); empty: the offline composer."""
    openai_base_url: str = ""
    """Any OpenAI-compatible server (``OPENAI_BASE_URL``): OpenAI, Azure, vLLM, Ollama, llama.cpp."""
    openai_api_key: str = field(default="", repr=False)
    """``OPENAI_API_KEY``; never printed (local servers accept any value)."""
    llm_timeout: float = 25.0
    """Upper bound in seconds for the whole LLM step, one retry included (``URBACT_LLM_TIMEOUT``)."""

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from a mapping; raise ``ConfigError`` naming every bad value."""
        errors: list[str] = []
        today = None
        if raw := env.get("URBACT_TODAY", "").strip():
            try:
                today = dt.date.fromisoformat(raw)
            except ValueError:
                errors.append(f"URBACT_TODAY must be an ISO date (YYYY-MM-DD), got {raw!r}")
        embeddings = env.get("URBACT_EMBEDDINGS", "").strip() or "use-multilingual"
        if embeddings not in ("use-multilingual", "openai"):
            errors.append(
                f"URBACT_EMBEDDINGS must be 'use-multilingual' or 'openai', got {embeddings!r}"
            )
        model = env.get("URBACT_EMBEDDING_MODEL", "").strip()
        if embeddings == "openai" and not model:
            model = "text-embedding-3-small"
        llm_timeout = 25.0
        if raw := env.get("URBACT_LLM_TIMEOUT", "").strip():
            try:
                llm_timeout = float(raw)
                if not 1 <= llm_timeout <= 300:
                    raise ValueError
            except ValueError:
                errors.append(
                    f"URBACT_LLM_TIMEOUT must be a number of seconds (1-300), got {raw!r}"
                )
        chroma = chroma_settings(env, errors)
        api_key = env.get("OPENAI_API_KEY", "").strip()
        base_url = env.get("OPENAI_BASE_URL", "").strip()
        llm_model = env.get("URBACT_LLM_MODEL", "").strip()
        if not llm_model and api_key and not base_url:
            llm_model = "gpt-4o-mini"  # a key for OpenAI itself: use a small, fast model
        if errors:
            raise ConfigError("; ".join(errors))
        data_dir = env.get("URBACT_DATA_DIR", "").strip()
        corpus_dir = env.get("URBACT_CORPUS_DIR", "").strip()
        return cls(
            data_dir=Path(data_dir).expanduser() if data_dir else default_data_dir(),
            corpus_dir=Path(corpus_dir).expanduser() if corpus_dir else default_corpus_dir(),
            embeddings=embeddings,
            embedding_model=model,
            **chroma,
            collection=env.get("URBACT_COLLECTION", "").strip() or "urbact",
            today=today,
            llm_model=llm_model,
            openai_base_url=base_url,
            openai_api_key=api_key,
            llm_timeout=llm_timeout,
        )

    def current_date(self) -> dt.date:
        return self.today or dt.date.today()


TOKEN_HEADERS = ("Authorization", "X-Chroma-Token")
TOKEN_CHARACTERS = set(string.ascii_letters + string.digits + string.punctuation)
YES, NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def chroma_settings(env: Mapping[str, str], errors: list[str]) -> dict[str, Any]:
    """The Chroma server settings; problems are added to ``errors``, never with the token."""
    host = env.get("URBACT_CHROMA_HOST", "").strip()
    if "://" in host:
        errors.append(
            f"URBACT_CHROMA_HOST is host[:port], without a scheme, got {host!r}; "
            "set URBACT_CHROMA_SSL=1 for https"
        )
    elif host.partition(":")[2] and not host.partition(":")[2].isdigit():
        errors.append(f"URBACT_CHROMA_HOST is host[:port] with a numeric port, got {host!r}")
    token = env.get("URBACT_CHROMA_TOKEN", "").strip()
    if token and not set(token) <= TOKEN_CHARACTERS:
        errors.append(
            "URBACT_CHROMA_TOKEN may hold only ASCII letters, digits and punctuation "
            "(Chroma's token rule)"
        )
    header = env.get("URBACT_CHROMA_TOKEN_HEADER", "").strip() or "Authorization"
    header = next((h for h in TOKEN_HEADERS if h.lower() == header.lower()), header)
    if header not in TOKEN_HEADERS:
        errors.append(
            f"URBACT_CHROMA_TOKEN_HEADER must be Authorization or X-Chroma-Token, got {header!r}"
        )
    ssl = env.get("URBACT_CHROMA_SSL", "").strip().lower()
    if ssl not in YES + NO:
        errors.append(f"URBACT_CHROMA_SSL must be 1 or 0, got {ssl!r}")
    verify = env.get("URBACT_CHROMA_SSL_VERIFY", "").strip()
    if verify.lower() in YES or not verify:
        verify = ""
    elif verify.lower() in NO:
        verify = "0"
    elif not Path(verify).expanduser().is_file():
        errors.append(
            "URBACT_CHROMA_SSL_VERIFY must be 1, 0 or the path of a CA bundle file; "
            f"{verify!r} is not a file"
        )
    else:
        verify = str(Path(verify).expanduser())
    return {
        "chroma_host": host,
        "chroma_token": token,
        "chroma_token_header": header,
        "chroma_ssl": ssl in YES,
        "chroma_ssl_verify": verify,
    }
