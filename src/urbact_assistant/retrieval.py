"""Find the cards that answer a question: one result per card, with the passage that matched.

Dense search runs in Chroma (through ``langchain-chroma``) with the configured embedding model;
names of networks, cities and countries are matched exactly on folded text; the question's kind
decides how the two are combined (see ``understanding``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .corpus import Corpus
from .models import AnyCard, Hit, NetworkCard, ProgrammePage
from .understanding import Entities, Query, matches_filters, understand

if TYPE_CHECKING:
    from .embeddings import ModelEmbeddings

# Cosine similarities of USE multilingual v3 between a question and a passage. Calibrated on the
# project's question set: relevant passages score about 0.3-0.6, unrelated ones below 0.2.
MIN_SCORE = 0.22
RELATIVE = 0.72  # list questions keep cards scoring at least this share of the best one
MAX_LIST = 12
MAX_FILTER_LIST = 25


@dataclass
class Retrieval:
    """The retriever's output: the understood question and the ranked cards."""

    query: Query
    hits: list[Hit] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)


class Retriever:
    """Question → ``Retrieval``. The vector store is any LangChain store with relevance scores."""

    def __init__(
        self,
        corpus: Corpus,
        store,  # noqa: ANN001 - langchain_chroma.Chroma
        embeddings: ModelEmbeddings,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        self.corpus = corpus
        self.cards: dict[str, AnyCard] = corpus.by_slug()
        self.store = store
        self.embeddings = embeddings
        self.entities = Entities.from_corpus(corpus)
        self.today = today

    def dense(self, question: str, kind: str, k: int = 120) -> dict[str, tuple[float, str]]:
        """Best cosine similarity and passage per card of ``kind`` (network or programme)."""
        vector = self.embeddings.embed_query_array(question).tolist()
        results = self.store.similarity_search_by_vector_with_relevance_scores(
            vector, k=k, filter={"kind": kind}
        )
        best: dict[str, tuple[float, str]] = {}
        for doc, distance in results:
            slug = doc.metadata["slug"]
            score = 1.0 - float(distance)
            if slug not in best or score > best[slug][0]:
                best[slug] = (score, doc.page_content)
        return best

    def retrieve(self, question: str) -> Retrieval:
        today = self.today()
        query = understand(question, self.entities)
        handler = {
            "network": self._named_networks,
            "city": self._cities,
            "join": self._joining,
        }.get(query.kind, self._topic)
        return Retrieval(query=query, hits=handler(query, today), today=today)

    def _named_networks(self, query: Query, today: dt.date) -> list[Hit]:
        return [Hit(self.cards[s], 1.0, reasons=("name",)) for s in query.networks]

    def _cities(self, query: Query, today: dt.date) -> list[Hit]:
        hits: list[Hit] = []
        for city, slugs in query.city_slugs.items():
            cards = [c for s in slugs if isinstance(c := self.cards[s], NetworkCard)]
            cards = [c for c in cards if matches_filters(c, _without_countries(query), today)]
            cards.sort(key=lambda c: c.start.first if c.start else dt.date.min, reverse=True)
            hits += [Hit(c, 1.0, passage=city, reasons=("city",)) for c in cards]
        return _unique(hits)

    def _joining(self, query: Query, today: dt.date) -> list[Hit]:
        dense = self.dense(query.text, "programme", k=40)
        ranked = sorted(dense.items(), key=lambda kv: kv[1][0], reverse=True)
        pages = [(self.cards[s], score, text) for s, (score, text) in ranked]

        # Open and upcoming calls first: they are what "how can my city join?" is about.
        def rank(item: tuple[AnyCard, float, str]) -> tuple[int, float]:
            card, score, _ = item
            live = isinstance(card, ProgrammePage) and card.call_status(today) in (
                "open",
                "upcoming",
            )
            return (0 if live and score >= MIN_SCORE else 1, -score)

        pages.sort(key=rank)
        return [
            Hit(card, score, text, ("dense",))
            for card, score, text in pages[:3]
            if score >= MIN_SCORE
        ]

    def _topic(self, query: Query, today: dt.date) -> list[Hit]:
        dense = self.dense(query.text, "network")
        candidates = [
            (card, *dense.get(card.slug, (0.0, "")))
            for card in self.corpus.networks
            if matches_filters(card, query, today)
        ]
        candidates.sort(key=lambda item: item[1], reverse=True)
        if not candidates:
            return []
        best = candidates[0][1]
        has_filters = bool(query.status or query.type or query.programme or query.countries)
        if best < MIN_SCORE:
            if not has_filters:
                return []  # nothing in the corpus is about this
            return [Hit(c, s, t, ("filter",)) for c, s, t in candidates[:MAX_FILTER_LIST]]
        cutoff = max(MIN_SCORE, best * RELATIVE)
        return [Hit(c, s, t, ("dense",)) for c, s, t in candidates[:MAX_LIST] if s >= cutoff]


def _without_countries(query: Query) -> Query:
    from dataclasses import replace

    return replace(query, countries=())


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    return [h for h in hits if not (h.card.slug in seen or seen.add(h.card.slug))]
