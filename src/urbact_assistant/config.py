"""Settings, read once at the edge from an environment mapping (``os.environ`` plus ``.env``)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
            chroma_host=env.get("URBACT_CHROMA_HOST", "").strip(),
            collection=env.get("URBACT_COLLECTION", "").strip() or "urbact",
            today=today,
            llm_model=llm_model,
            openai_base_url=base_url,
            openai_api_key=api_key,
            llm_timeout=llm_timeout,
        )

    def current_date(self) -> dt.date:
        return self.today or dt.date.today()
