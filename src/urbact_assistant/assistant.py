"""The façade the command line and the bot use: settings in, ``Answer`` out.

``Assistant.open(settings)`` loads the corpus, opens the index (building or updating it when
it is missing or behind the corpus) and assembles the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from urbact_assistant.config import Settings
from urbact_assistant.core.models import Answer
from urbact_assistant.core.snapshot import code_fingerprint, fingerprint, load_or_build
from urbact_assistant.errors import ConfigError
from urbact_assistant.knowledge.corpus import Corpus, corpus_files, load_corpus
from urbact_assistant.knowledge.passages import passages_fingerprint
from urbact_assistant.search.embeddings import CachedEmbeddings, make_embeddings
from urbact_assistant.search.index import (
    IndexStore,
    IngestReport,
    LazyVectorStore,
    Manifest,
    Progress,
    default_cache_path,
    make_client,
    model_mismatch,
    read_mirror,
)
from urbact_assistant.search.lexical import LexicalIndex
from urbact_assistant.search.retrieval import Retrieval, Retriever
from urbact_assistant.understanding.questions import Entities

# Libraries whose objects a Knowledge snapshot holds.
SNAPSHOT_LIBRARIES = ("bm25s", "PyStemmer", "numpy", "scipy", "stop-words", "pycountry", "anyascii")


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
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"URBACT_DATA_DIR {settings.data_dir} is not a usable folder ({exc.strerror})"
            ) from exc
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
            client = make_client(self.settings)
            self._store = IndexStore(client, prefix=self.settings.collection, mirror=self.mirror)
        return self._store

    def manifest(self) -> Manifest | None:
        if self.mirror is not None and (copy := read_mirror(self.mirror)) is not None:
            return copy
        return self.store.manifest()

    def ingest(self, *, force: bool = False, progress: Progress | None = None) -> IngestReport:
        return self.store.ingest(self.corpus, self.embeddings, force=force, progress=progress)

    def index_is_current(self) -> bool:
        manifest = self.manifest()
        if manifest is None or manifest.model_id != self.embeddings.model_id:
            return False
        return manifest.cards == {c.slug: passages_fingerprint(c) for c in self.corpus.cards}


class Assistant:
    """Answers questions with the chain over the index."""

    def __init__(self, services: Services, chat_model: Any = None):
        """``chat_model`` overrides the configured LLM (tests pass fakes)."""
        from urbact_assistant.answering.chain import build_chain

        self.services = services
        vectorstore = LazyVectorStore(lambda: services.store.open(services.embeddings))
        knowledge = services.knowledge
        self.retriever = Retriever(
            knowledge.corpus,
            vectorstore,
            services.embeddings,
            services.settings.current_date,
            entities=knowledge.entities,
            lexical=knowledge.lexical,
        )
        if services.settings.llm_enabled or chat_model is not None:
            from urbact_assistant.answering.llm import LLMSteps

            steps = LLMSteps(services.settings, chat_model, self.retriever.entities)
            self.chain = build_chain(self.retriever, answer=steps.answer, condense=steps.condense)
        else:
            self.chain = build_chain(self.retriever)

    @classmethod
    def open(
        cls,
        settings: Settings,
        on_build: Callable[[str], None] | None = None,
        progress: Progress | None = None,
        chat_model: Any = None,
    ) -> Assistant:
        """Open the assistant, building the index first if there is none or it is out of date.

        An index built with another embedding model is not replaced silently: opening it
        raises ``IndexMismatchError``, which tells the user to re-ingest.
        """
        services = Services.create(settings)
        manifest = services.manifest()
        if manifest is not None and manifest.model_id != services.embeddings.model_id:
            raise model_mismatch(manifest.model_id, services.embeddings.model_id)
        if manifest is None or not services.index_is_current():
            if on_build:
                on_build(
                    "building the index (first use)"
                    if manifest is None
                    else "the corpus changed: updating the index"
                )
            services.ingest(progress=progress)
        return cls(services, chat_model)

    def ask(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question``; ``history`` holds earlier (standalone question, answer) pairs of
        the same conversation, oldest first; ``on_token`` receives answer text as it streams."""
        return self.chain.invoke(
            {"question": question, "history": list(history), "on_token": on_token}
        )

    def retrieve(self, question: str) -> Retrieval:
        return self.retriever.retrieve(question)
