"""The Chroma index: build it aside, switch to it in one step, and open it for questions.

Each build is a new collection (``<prefix>-<build id>``); a small pointer collection names the
active one. An interrupted ingest leaves at most an orphan collection that the next ingest
removes; the index in service is never half-built. Vectors come through ``CachedEmbeddings``,
so a rebuild embeds only passages whose text is new, and an unchanged corpus is not rebuilt.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urbact_assistant.config import Settings
from urbact_assistant.core.snapshot import write_atomically
from urbact_assistant.errors import IndexError_, IndexMismatchError
from urbact_assistant.knowledge.corpus import Corpus
from urbact_assistant.knowledge.passages import card_passages, passages_fingerprint
from urbact_assistant.search.embeddings import CachedEmbeddings, ModelEmbeddings

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
SCHEMA = 1


@dataclass
class IngestReport:
    build: str = ""
    cards: int = 0
    passages: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    embedded: int = 0
    up_to_date: bool = False


@dataclass
class Manifest:
    """What an index build contains: recorded as metadata on its collection."""

    model_id: str
    cards: dict[str, str]
    built: str
    schema: int = SCHEMA

    def to_metadata(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "cards": json.dumps(self.cards, sort_keys=True),
            "built": self.built,
            "schema": self.schema,
            "hnsw:space": "cosine",
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> Manifest:
        meta = meta or {}
        return cls(
            model_id=str(meta.get("model_id", "")),
            cards=json.loads(meta.get("cards") or "{}"),
            built=str(meta.get("built", "")),
            schema=int(meta.get("schema", 0)),
        )


def make_client(settings: Settings):  # noqa: ANN201 - chromadb's ClientAPI
    """An embedded ``PersistentClient`` under the data dir, or an ``HttpClient`` to a server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        host, _, port = settings.chroma_host.partition(":")
        try:
            return chromadb.HttpClient(host=host, port=int(port or 8000), settings=chroma_settings)
        except Exception as exc:
            raise IndexError_(
                f"cannot reach the Chroma server at {settings.chroma_host}: {exc}"
            ) from exc
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class IndexStore:
    """Builds and opens index collections in one Chroma client."""

    def __init__(self, client: Any, prefix: str = "urbact", mirror: Path | None = None):
        """``mirror``: a JSON copy of the active build's manifest, written at each switch, so
        that a process can check the index without importing Chroma (embedded mode only)."""
        self.client = client
        self.prefix = prefix
        self.pointer_name = f"{prefix}-pointer"
        self.mirror = mirror

    # -- the pointer ---------------------------------------------------------
    def active_name(self) -> str | None:
        try:
            pointer = self.client.get_collection(self.pointer_name)
        except Exception:  # chromadb raises NotFoundError (or ValueError in older versions)
            return None
        return (pointer.metadata or {}).get("active")

    def _switch(self, name: str) -> None:
        pointer = self.client.get_or_create_collection(self.pointer_name)
        pointer.modify(metadata={"active": name, "switched": _now()})

    def manifest(self) -> Manifest | None:
        name = self.active_name()
        if not name:
            return None
        try:
            return Manifest.from_metadata(self.client.get_collection(name).metadata)
        except Exception:
            return None

    # -- building ------------------------------------------------------------
    def ingest(
        self,
        corpus: Corpus,
        embeddings: CachedEmbeddings,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Make the active index match ``corpus``; a no-op when it already does."""
        cards = {c.slug: passages_fingerprint(c) for c in corpus.cards}
        old = self.manifest()
        report = IngestReport(cards=len(cards))
        if old and old.model_id == embeddings.model_id and old.schema == SCHEMA:
            report.added = sorted(set(cards) - set(old.cards))
            report.removed = sorted(set(old.cards) - set(cards))
            report.updated = sorted(s for s in cards if s in old.cards and old.cards[s] != cards[s])
            if not force and old.cards == cards:
                report.up_to_date = True
                report.build = self.active_name() or ""
                if self.mirror and read_mirror(self.mirror) != old:
                    write_mirror(self.mirror, old)
                return report
        else:
            report.added = sorted(cards)

        passages = [p for card in corpus.cards for p in card_passages(card)]
        report.passages = len(passages)
        build = f"{self.prefix}-{dt.datetime.now(dt.UTC):%Y%m%dt%H%M%S}-{secrets.token_hex(3)}"
        manifest = Manifest(model_id=embeddings.model_id, cards=cards, built=_now())
        collection = self.client.create_collection(build, metadata=manifest.to_metadata())
        before = embeddings.computed
        try:
            batch = 64
            for start in range(0, len(passages), batch):
                chunk = passages[start : start + batch]
                vectors = embeddings.embed_documents([p.text for p in chunk])
                collection.add(
                    ids=[p.id for p in chunk],
                    embeddings=vectors,
                    documents=[p.text for p in chunk],
                    metadatas=[{"slug": p.slug, "part": p.part, "kind": p.kind} for p in chunk],
                )
                if progress:
                    progress(min(start + batch, len(passages)), len(passages))
            if collection.count() != len(passages):
                raise IndexError_("the new index is incomplete; the previous one stays in service")
        except BaseException:
            self._drop(build)
            raise
        report.embedded = embeddings.computed - before
        self._switch(build)
        if self.mirror:
            write_mirror(self.mirror, manifest)
        report.build = build
        self.collect_garbage(keep=build)
        return report

    def _drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:  # pragma: no cover - best effort cleanup
            log.warning("could not remove the unfinished index collection %s", name)

    def collect_garbage(self, keep: str) -> None:
        """Remove builds other than ``keep`` (older ones and interrupted ones)."""
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(f"{self.prefix}-") and name not in (keep, self.pointer_name):
                self._drop(name)

    # -- reading -------------------------------------------------------------
    def open(self, embeddings: ModelEmbeddings):  # noqa: ANN201 - langchain Chroma
        """The active build as a LangChain ``Chroma`` vector store."""
        name = self.active_name()
        if not name:
            raise IndexError_("there is no index yet; run `urbact-assistant ingest`")
        manifest = self.manifest()
        if manifest is None:
            raise IndexError_("the index is damaged; run `urbact-assistant ingest --force`")
        if manifest.model_id != embeddings.model_id:
            raise model_mismatch(manifest.model_id, embeddings.model_id)
        from langchain_chroma import Chroma

        return Chroma(
            client=self.client,
            collection_name=name,
            embedding_function=embeddings,
            create_collection_if_not_exists=False,
        )


def model_mismatch(built: str, configured: str) -> IndexMismatchError:
    return IndexMismatchError(
        f"the index was built with the embedding model '{built}' but '{configured}' is "
        "configured; run `urbact-assistant ingest` to re-index"
    )


def write_mirror(path: Path, manifest: Manifest) -> None:
    """Write the manifest copy atomically (a temporary file, then a rename)."""
    data = json.dumps(manifest.__dict__, sort_keys=True).encode()
    write_atomically(path, lambda f: f.write(data))


def read_mirror(path: Path) -> Manifest | None:
    """The manifest copy, or None when it is missing or unreadable."""
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class LazyVectorStore:
    """Opens the vector store (importing Chroma) only when a question needs vectors:
    questions about a named network or a city are answered without it."""

    def __init__(self, open_store: Callable[[], Any]):
        self._open_store = open_store
        self._store: Any = None

    @property
    def opened(self) -> bool:
        return self._store is not None

    def __getattr__(self, name: str) -> Any:
        if self._store is None:
            self._store = self._open_store()
        return getattr(self._store, name)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def default_cache_path(settings: Settings) -> Path:
    return settings.data_dir / "embeddings-cache.sqlite"
