"""Find the cards that answer a question: one result per card, with the passage that matched.

Dense search runs in Chroma (through ``langchain-chroma``) with the configured embedding model;
names of networks, cities and countries are matched exactly on folded text; the question's kind
decides how the two are combined (see ``understanding``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from urbact_assistant.core.models import AnyCard, Hit, NetworkCard, ProgrammePage, Query, Retrieval
from urbact_assistant.core.text import tokens
from urbact_assistant.knowledge.corpus import Corpus
from urbact_assistant.search.lexical import LexicalIndex
from urbact_assistant.understanding.questions import Entities, matches_filters, understand

if TYPE_CHECKING:
    from urbact_assistant.search.embeddings import ModelEmbeddings

# Cosine similarities of USE multilingual v3 between a question and a passage: relevant
# passages score about 0.3-0.6, unrelated ones below 0.2.
MIN_SCORE = 0.22
STRONG_SCORE = 0.33  # the bar without lexical or thesaurus evidence
LEXICAL_EVIDENCE = 2.0  # a BM25 score that shows the question's own words are in a card
RELATIVE = 0.66  # list questions keep cards scoring at least this share of the best one
WEAK_SCORE = 0.15  # a card with a strong lexical match needs at least this dense score
LEXICAL_SHARE = 0.4  # ... and a BM25 score of at least this share of the best one
RRF_K = 20
PAGE_MARGIN = 0.03  # how much closer a programme page must be to win a topic question
PAGE_MIN = 0.30  # ... and how close it must be at least
TOPIC_MARGIN = 0.0  # how much closer a network must be to win a joining question
MAX_LIST = 12
MAX_FILTER_LIST = 25
Mode = Literal["hybrid", "dense", "bm25"]


class Retriever:
    """Question → ``Retrieval``. The vector store is any LangChain store with relevance scores."""

    def __init__(
        self,
        corpus: Corpus,
        store,
        embeddings: ModelEmbeddings,
        today: Callable[[], dt.date] = dt.date.today,
        mode: Mode = "hybrid",
        entities: Entities | None = None,
        lexical: LexicalIndex | None = None,
    ):
        """``entities`` and ``lexical`` are built from the corpus unless given (prebuilt)."""
        self.mode = mode
        self.corpus = corpus
        self.cards: dict[str, AnyCard] = corpus.by_slug()
        self.store = store
        self.embeddings = embeddings
        self.entities = entities or Entities.from_corpus(corpus)
        self._lexical = lexical
        self.today = today
        self.programme = tuple(corpus.pages)
        self._local = threading.local()  # per thread: the dense results of one retrieval

    @property
    def lexical(self) -> LexicalIndex:
        """BM25 over the cards, built on the first question that needs it."""
        if self._lexical is None:
            self._lexical = LexicalIndex(self.corpus.cards)
        return self._lexical

    def dense(
        self, question: str, kind: str | None, k: int = 200, topic_only: bool = False
    ) -> dict[str, tuple[float, str]]:
        """Best cosine similarity and passage per card of ``kind`` (network, programme, or all).

        ``topic_only`` leaves out the partners passages (lists of places), which would
        otherwise match any question that names a place. One Chroma query per text serves
        both kinds: results are kept for the question being retrieved in this thread (never
        across questions, so a re-ingested index is seen at once); each call gets a copy.
        """
        key = (question, k, topic_only)
        cache: dict | None = getattr(self._local, "dense", None)
        found = cache.get(key) if cache is not None else None
        if found is None:
            found = self._dense_by_kind(question, k, topic_only)
            if cache is not None:
                cache[key] = found
        return dict(found.get(kind or "*", {}))

    def _dense_by_kind(
        self, question: str, k: int, topic_only: bool
    ) -> dict[str, dict[str, tuple[float, str]]]:
        vector = self.embeddings.embed_query_array(question).tolist()
        where = {"part": {"$ne": "partners"}} if topic_only else None
        results = self.store.similarity_search_by_vector_with_relevance_scores(
            vector, k=k, filter=where
        )
        best: dict[str, dict[str, tuple[float, str]]] = {"*": {}}
        for doc, distance in results:
            slug, score = doc.metadata["slug"], 1.0 - float(distance)
            if slug not in self.cards:
                continue  # a card of a newer index build than the corpus this process read
            for group in (best["*"], best.setdefault(doc.metadata["kind"], {})):
                if slug not in group or score > group[slug][0]:
                    group[slug] = (score, doc.page_content)
        return best

    def retrieve(self, question: str) -> Retrieval:
        self._local.dense = {}
        try:
            return self._retrieve(question)
        finally:
            self._local.dense = None

    def _retrieve(self, question: str) -> Retrieval:
        today = self.today()
        query = understand(question, self.entities)
        if self.mode != "hybrid":
            return Retrieval(
                query=query, hits=self._baseline(question), today=today, programme=self.programme
            )
        if query.maybe_topic and self._networks_closer(query, today):
            query = replace(query, kind="topic")
        handler = {
            "network": self._named_networks,
            "city": self._cities,
            "join": self._joining,
            "out_of_scope": lambda query, today: [],
        }.get(query.kind, self._topic)
        return Retrieval(
            query=query, hits=handler(query, today), today=today, programme=self.programme
        )

    def _networks_closer(self, query: Query, today: dt.date) -> bool:
        """Some network card is closer to the question than every programme page."""
        cards: list[AnyCard] = [c for c in self.corpus.networks if matches_filters(c, query, today)]
        pages: list[AnyCard] = list(self.corpus.pages)
        best = {
            kind: max((d for _, d, _, _ in self._fused(query, pool, kind)), default=0.0)
            for kind, pool in (("network", cards), ("programme", pages))
        }
        return best["network"] >= best["programme"] + TOPIC_MARGIN

    def _named_networks(self, query: Query, today: dt.date) -> list[Hit]:
        """The named networks, each followed by its later editions ("Tech Revolution" →
        "Tech Revolution 2.0", "BluAct" → "BluAct Second Wave") unless those are named too."""
        hits = []
        for slug in query.networks:
            hits.append(Hit(self.cards[slug], 1.0, reasons=("name",)))
            hits += [
                Hit(self.cards[s], 0.9, reasons=("sibling",))
                for s in self._editions.get(slug, ())
                if s not in query.networks
            ]
        return _unique(hits)

    @cached_property
    def _editions(self) -> dict[str, list[str]]:
        """Networks whose name extends another one's, by the shorter one's slug."""
        names = {c.slug: tokens(c.name) for c in self.corpus.networks}
        return {
            slug: [
                other
                for other, longer in names.items()
                if len(longer) > len(words) and longer[: len(words)] == words
            ]
            for slug, words in names.items()
            if words
        }

    def _cities(self, query: Query, today: dt.date) -> list[Hit]:
        hits: list[Hit] = []
        every: list[Hit] = []  # "is Zadar in a network that is still running?": no, in these
        for city, slugs in query.city_slugs.items():
            cards = [c for s in slugs if isinstance(c := self.cards[s], NetworkCard)]
            cards.sort(key=lambda c: c.start.first if c.start else dt.date.min, reverse=True)
            every += [Hit(c, 1.0, passage=city, reasons=("city", "unfiltered")) for c in cards]
            cards = [c for c in cards if matches_filters(c, _without_countries(query), today)]
            hits += [Hit(c, 1.0, passage=city, reasons=("city",)) for c in cards]
        return _unique(hits or every)

    def _fused(
        self, query: Query, cards: list[AnyCard], kind: str
    ) -> list[tuple[AnyCard, float, float, str]]:
        """``cards`` ranked by reciprocal rank fusion of dense and BM25, with both scores.

        BM25 sees only the topic words: a place named in the question is a filter or an
        entity, not a topic ("weather in Paris" is not about networks with Paris in them).
        """
        text = query.topic if (query.cities or query.countries) else query.text
        dense = dict(self.dense(text, kind, topic_only=True))  # a copy: results are cached
        if query.expansion:  # the question's concepts in the cards' own words
            for slug, (score, passage) in self.dense(
                query.expansion, kind, topic_only=True
            ).items():
                if score > dense.get(slug, (0.0, ""))[0]:
                    dense[slug] = (score, passage)
        lexical = self.lexical.scores(f"{query.topic} {query.expansion}")
        by_dense = sorted(cards, key=lambda c: dense.get(c.slug, (0.0, ""))[0], reverse=True)
        by_lexical = sorted(cards, key=lambda c: lexical.get(c.slug, 0.0), reverse=True)
        fused: dict[str, float] = {}
        for ranking, present in ((by_dense, dense), (by_lexical, lexical)):
            for rank, card in enumerate(ranking):
                if card.slug in present:
                    fused[card.slug] = fused.get(card.slug, 0.0) + 1.0 / (RRF_K + rank + 1)
        ranked = sorted(cards, key=lambda c: fused.get(c.slug, 0.0), reverse=True)
        return [
            (
                c,
                dense.get(c.slug, (0.0, ""))[0],
                lexical.get(c.slug, 0.0),
                dense.get(c.slug, (0.0, ""))[1],
            )
            for c in ranked
        ]

    @staticmethod
    def _relevant(
        scored: list[tuple[AnyCard, float, float, str]], min_score: float = MIN_SCORE
    ) -> list[Hit]:
        """The cards that pass the relevance thresholds, in fused order."""
        if not scored:
            return []
        best_dense = max(d for _, d, _, _ in scored)
        best_lexical = max(b for _, _, b, _ in scored)
        if best_dense < min_score:
            return []
        dense_cut = max(MIN_SCORE, best_dense * RELATIVE)
        hits = []
        for card, d, b, passage in scored:
            by_dense = d >= dense_cut
            by_lexical = b > 0 and b >= best_lexical * LEXICAL_SHARE and d >= WEAK_SCORE
            if by_dense or by_lexical:
                reasons = tuple(r for r, ok in (("dense", by_dense), ("lexical", by_lexical)) if ok)
                hits.append(Hit(card, d, passage, reasons))
        return hits

    def _joining(self, query: Query, today: dt.date) -> list[Hit]:
        """Programme pages, ranked by relevance adjusted for what is asked: a call about a
        network type, eligibility when a country is named, the National URBACT Points only
        when they are asked for, open and upcoming calls first."""
        scored = self._fused(query, list(self.corpus.pages), "programme")
        relevant = {h.card.slug for h in self._relevant(scored)}
        calls = [p for p in self.corpus.pages if p.kind == "call" and (p.opens or p.closes)]
        latest = max(calls, key=lambda c: c.call_date, default=None)
        ranked = []
        for position, (card, dense, _, passage) in enumerate(scored):
            assert isinstance(card, ProgrammePage)
            boost = page_prior(card, query, today, latest_call=latest)
            if card.slug in relevant or boost >= 2:
                ranked.append((-boost, position, Hit(card, dense, passage, ("dense",))))
        ranked.sort(key=lambda item: item[:2])
        return [hit for negative_boost, _, hit in ranked if -negative_boost > -2][:3]

    def _topic(self, query: Query, today: dt.date) -> list[Hit]:
        cards: list[AnyCard] = [c for c in self.corpus.networks if matches_filters(c, query, today)]
        if not cards:
            return []
        scored = self._fused(query, cards, "network")
        if query.filter_only:
            # A question that is only filters ("ongoing networks in Poland"): list them all.
            return [Hit(c, d, p, ("filter",)) for c, d, _, p in scored[:MAX_FILTER_LIST]]
        if not (query.status or query.type or query.programme or query.countries):
            # A question about the programme itself ("what is a Local Group?") is answered by
            # programme pages when one of them is clearly closer than any network card.
            pages = self._fused(query, list(self.corpus.pages), "programme")
            best_page = max((d for _, d, _, _ in pages), default=0.0)
            best_network = max((d for _, d, _, _ in scored), default=0.0)
            if best_page >= PAGE_MIN and best_page >= best_network + PAGE_MARGIN:
                return self._joining(query, today)
        # Without a recognised topic or a real word match, only a strong semantic match counts:
        # "who won the World Cup?" is near some card, but not about any.
        evidence = (
            bool(query.concepts) or max((b for _, _, b, _ in scored), default=0) >= LEXICAL_EVIDENCE
        )
        return self._relevant(scored, MIN_SCORE if evidence else STRONG_SCORE)[:MAX_LIST]

    def _baseline(self, question: str) -> list[Hit]:
        """One ranking method alone over every card, for the evaluation's comparisons."""
        if self.mode == "dense":
            ranked = sorted(
                self.dense(question, None, k=200).items(), key=lambda kv: kv[1][0], reverse=True
            )
            if not ranked or ranked[0][1][0] < MIN_SCORE:
                return []
            cut = max(MIN_SCORE, ranked[0][1][0] * RELATIVE)
            return [
                Hit(self.cards[s], d, p, ("dense",)) for s, (d, p) in ranked[:MAX_LIST] if d >= cut
            ]
        scores = sorted(self.lexical.scores(question).items(), key=lambda kv: kv[1], reverse=True)
        if not scores:
            return []
        cut = scores[0][1] * LEXICAL_SHARE
        return [Hit(self.cards[s], b, "", ("lexical",)) for s, b in scores[:MAX_LIST] if b >= cut]


ASKED_PAGES = {"how-to-join"}  # concepts most questions about joining have: no page wins by them


def page_prior(
    page: ProgrammePage, query: Query, today: dt.date, latest_call: ProgrammePage | None = None
) -> int:
    """How much a programme page fits the kind of programme question (negative: off-topic)."""
    boost = 0
    intents = set(query.intents)
    subject = any(page.slug in (c, f"urbact-{c}") for c in query.concepts if c not in ASKED_PAGES)
    if subject and not page.network_type:  # network types have their own boost
        boost += 3  # the page's own subject ("the City Festival of 2026": not the 2026 call)
    if query.type and page.network_type == query.type:
        boost += 2
    if page.kind == "call" and query.years:  # "the 2019 call", "the second wave in 2021"
        years = {d.year for d in (page.opens, page.closes) if d}
        boost += 2 if years & set(query.years) else -1
    if "call" in intents and page.kind == "call":
        boost += 1
        if page.call_status(today) in ("open", "upcoming"):
            boost += 1
        if page is latest_call and not query.years:  # "the next call": what is known of it
            boost += 1
    if page.kind == "eligibility":
        # Who may take part, and what each country pays, is half of every joining question.
        asked = bool({"eligibility", "join"} & intents)
        boost += 3 if query.countries and (asked or "nup" not in intents) else int(asked)
    if "join" in intents and page.kind == "how-to-join":
        boost += 1
    if page.kind == "national-point":
        if "nup" in intents:
            # The named country's National URBACT Point, else the list of all of them.
            if set(page.countries) & set(query.countries):
                boost += 4
            elif not page.countries:
                boost += 1 if query.countries else 2
        elif not set(page.countries) & set(query.countries):
            boost -= 2  # a country's National URBACT Point only when asked for
        elif query.kind == "join":
            boost += 2  # "how can a Danish town join?": the Danish point helps it do so
    return boost


def _without_countries(query: Query) -> Query:
    from dataclasses import replace

    return replace(query, countries=())


def _unique(hits: list[Hit]) -> list[Hit]:
    """``hits`` without repeated cards, the first of each kept."""
    first: dict[str, Hit] = {}
    for hit in hits:
        first.setdefault(hit.card.slug, hit)
    return list(first.values())
