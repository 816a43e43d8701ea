"""The front door: every use case the command line, the bot or another front end needs.

``Assistant.open(settings)`` loads the corpus, opens the index (building or updating it when it
is missing or behind the corpus) and assembles the chain; ``Assistant(services, chat_model)``
builds one from injected parts. Adapters use this class and the types it takes and returns,
never the modules behind it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from urbact_assistant.config import Settings
from urbact_assistant.core.models import (
    NETWORK_TYPES,
    Answer,
    AnyCard,
    Conversation,
    NetworkCard,
    ProgrammePage,
    Retrieval,
)
from urbact_assistant.core.results import (
    About,
    Browse,
    Calls,
    CorpusCheck,
    IngestReport,
    NameMatch,
    NetworkFilter,
    Progress,
)
from urbact_assistant.core.text import fold
from urbact_assistant.errors import DataDirError, IngestBusyError
from urbact_assistant.knowledge.corpus import Corpus
from urbact_assistant.search.index import FollowingVectorStore, model_mismatch
from urbact_assistant.search.retrieval import Retriever
from urbact_assistant.services import Services
from urbact_assistant.understanding.questions import understand

log = logging.getLogger(__name__)
SIMILAR = 4
SUGGESTIONS = 3
BROWSE_ORDER = {"ongoing": 0, "upcoming": 1, "unknown": 2, "ended": 3}
CALL_ORDER = {"open": 0, "upcoming": 1, "unknown": 2, "closed": 3}


class Assistant:
    """Answers questions about URBACT networks, and the look-ups around them."""

    def __init__(self, services: Services, chat_model: Any = None):
        """Assemble the chain over ``services``; ``chat_model`` overrides the configured LLM
        (tests pass fakes)."""
        from urbact_assistant.answering.chain import build_chain

        self.services = services
        self._vectors = vectorstore = FollowingVectorStore(
            services.open_vectors, services.active_build, diagnose=services.diagnose
        )
        knowledge = services.knowledge
        self._retriever = Retriever(
            knowledge.corpus,
            vectorstore,
            services.embeddings,
            services.settings.current_date,
            entities=knowledge.entities,
            lexical=knowledge.lexical,
        )
        self.llm_enabled = services.settings.llm_enabled or chat_model is not None
        if self.llm_enabled:
            from urbact_assistant.answering.llm import LLMSteps

            steps = LLMSteps(services.settings, chat_model, self._retriever.entities)
            self._chain = build_chain(self._retriever, answer=steps.answer, condense=steps.condense)
        else:
            self._chain = build_chain(self._retriever)

    @classmethod
    def open(
        cls,
        settings: Settings,
        on_build: Callable[[str], None] | None = None,
        progress: Progress | None = None,
        chat_model: Any = None,
        ensure_index: bool = True,
    ) -> Assistant:
        """Open the assistant, building the index first if there is none or it is out of date
        (unless ``ensure_index`` is False: then the index is only opened when needed).

        An index built with another embedding model is not replaced silently: opening it
        raises ``IndexMismatchError``, which tells the user to re-ingest.
        """
        services = Services.create(settings)
        if ensure_index:
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
                try:  # with an index in service, another writer's update is not waited for
                    services.ingest(progress=progress, wait=600.0 if manifest is None else 0.0)
                except IngestBusyError:
                    if manifest is None:
                        raise
                    log.info("another ingest is updating the index; answering from the current one")
                except DataDirError as exc:
                    if manifest is None:
                        raise
                    log.warning("answering from the index as it is: %s", exc)
        return cls(services, chat_model)

    # -- questions ----------------------------------------------------------------------

    def ask(
        self,
        question: str,
        conversation: Conversation | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` in the context of ``conversation`` (None: a new one).

        The answer carries the next state in ``answer.conversation``. With an LLM, ``on_token``
        receives the draft so far as it is written, only once it passes the same checks as the
        final answer (citations, links, no system-prompt echo); never called offline.
        """
        from urbact_assistant.answering.chain import ChainState

        state = ChainState(question, conversation or Conversation(), on_token)
        return self._chain.invoke(state)

    def check_index(self) -> None:
        """Open the vector index now rather than on the first question that needs it:
        ``UrbactError`` (a damaged index, one built with another model, none at all) when it
        cannot be used. A long-running front end calls this at start."""
        self._vectors.open()

    def retrieve(self, question: str) -> Retrieval:
        """The understood question and the ranked cards, without composing an answer."""
        return self._retriever.retrieve(question)

    def city(self, name: str, conversation: Conversation | None = None) -> Answer:
        """The networks a city takes part in."""
        return self.ask(f"is {name} in an URBACT network?", conversation)

    # -- cards --------------------------------------------------------------------------

    @property
    def corpus(self) -> Corpus:
        return self.services.corpus

    def today(self) -> dt.date:
        return self.services.settings.current_date()

    def card(self, slug: str) -> AnyCard | None:
        return self._cards.get(slug)

    @property
    def _cards(self) -> dict[str, AnyCard]:
        return self._retriever.cards

    def find_network(self, name: str) -> NameMatch:
        """A card by slug, name or alias (accents, case and punctuation ignored), else by the
        names the question reader recognises; with close names as suggestions when none."""
        key = _key(name)
        if not key:
            return NameMatch(None)
        for card in self._cards.values():
            if any(_key(n) == key for n in (card.slug, card.title, *card.aliases)):
                return NameMatch(card)
        found = understand(name, self._retriever.entities).networks
        if found:
            return NameMatch(self._cards[found[0]])
        return NameMatch(None, self._suggest(key))

    def _suggest(self, key: str) -> list[AnyCard]:
        from rapidfuzz import fuzz, process

        names = {
            _key(n): card for card in self._cards.values() for n in (card.title, *card.aliases)
        }
        matches = process.extract(key, list(names), scorer=fuzz.WRatio, limit=10, score_cutoff=70)
        out: list[AnyCard] = []
        for match, _, _ in matches:
            if names[match] not in out:
                out.append(names[match])
        return out[:SUGGESTIONS]

    def similar(self, card: AnyCard, count: int = SIMILAR) -> list[NetworkCard]:
        """Networks about the same themes, this one excluded (nearest by meaning, without the
        relevance cut-offs that keep only cards answering a question)."""
        if not isinstance(card, NetworkCard) or not card.themes:
            return []
        scores = self._retriever.dense(", ".join(card.themes), "network", 60, True)
        ranked = sorted(scores, key=lambda slug: scores[slug][0], reverse=True)
        found = [self._cards.get(slug) for slug in ranked if slug != card.slug]
        return [c for c in found if isinstance(c, NetworkCard)][:count]

    def search_cards(self, text: str) -> list[AnyCard]:
        """Cards for a short text typed in inline mode: names starting with it ("rem" →
        Remote-IT), then cards found by meaning (networks, and programme pages such as calls,
        how to join, National URBACT Points); with no text, the ongoing networks."""
        text = " ".join(text.split())
        if not text:
            ongoing = [c for c in self.corpus.networks if c.status(self.today()) == "ongoing"]
            return list(self.order(ongoing))
        key = _key(text)
        prefixed = [
            card
            for card in self._cards.values()
            if len(key) >= 2 and any(_key(n).startswith(key) for n in (card.title, *card.aliases))
        ]
        named = self.find_network(text).card
        found = [named] if named is not None else []
        found += [h.card for h in self.retrieve(text).hits]
        out: list[AnyCard] = []
        for card in [*prefixed, *found]:
            if card not in out:
                out.append(card)
        return out

    # -- browsing -----------------------------------------------------------------------

    def read_filter(self, text: str) -> NetworkFilter:
        """Filters written in any supported language ("ongoing Poland food", "Polska",
        "réseaux de transfert terminés", "transfer ES"), read like a question about networks.
        Upper-case ISO codes (``PL``) are countries; a bare type word ("transfer") is a type."""
        words = text.split()
        codes = [w for w in words if len(w) == 2 and w.isupper() and w in _country_codes()]
        rest = " ".join(w for w in words if w not in codes)
        if not rest and not codes:
            return NetworkFilter()
        entities = self._retriever.entities
        query = understand(rest, entities)
        if query.type is None and rest:  # "transfer" alone reads as a type next to "networks"
            with_word = understand(f"{rest} networks", entities)
            if with_word.type:
                query = with_word
        country = codes[0] if codes else (query.countries[0] if query.countries else "")
        topic = " ".join(w for w in query.content if w not in ("network", "networks"))
        return NetworkFilter(
            status=query.status or "", type=query.type or "", country=country, topic=topic[:40]
        )

    def browse(self, filter: NetworkFilter) -> Browse:
        """The networks passing ``filter``: by relevance to its topic, else newest first."""
        today = self.today()
        cards = [c for c in self.corpus.networks if _passes(c, filter, today)]
        if filter.topic:
            allowed = {c.slug for c in cards}
            hits = self.retrieve(filter.topic).hits
            cards = [
                h.card for h in hits if h.card.slug in allowed and isinstance(h.card, NetworkCard)
            ]
        else:
            cards = self.order(cards)
        return Browse(filter, cards)

    def order(self, cards: Sequence[NetworkCard]) -> list[NetworkCard]:
        """Ongoing first, then upcoming, then ended; the newest first within each."""
        today = self.today()
        return sorted(
            cards,
            key=lambda c: (
                BROWSE_ORDER[c.status(today)],
                -(c.start.first.toordinal() if c.start else 0),
            ),
        )

    def network_types(self) -> dict[str, int]:
        """The network types that have cards, with how many, in ``NETWORK_TYPES`` order."""
        counts = {t: 0 for t in NETWORK_TYPES}
        for card in self.corpus.networks:
            counts[card.type] = counts.get(card.type, 0) + 1
        return {t: n for t, n in counts.items() if n}

    def countries(self) -> dict[str, int]:
        """Countries of the networks' partners, with how many networks, most first."""
        counts: dict[str, int] = {}
        for card in self.corpus.networks:
            for code in card.countries:
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    # -- programme ----------------------------------------------------------------------

    def calls(self, past: int = 3) -> Calls:
        """Open and upcoming calls as of today (soonest first), then the latest closed ones."""
        today = self.today()
        calls = [p for p in self.corpus.pages if p.kind == "call"]

        def when(page: ProgrammePage) -> int:
            date = page.closes or page.opens
            return date.first.toordinal() if date else 0

        live = sorted(
            (c for c in calls if c.call_status(today) in ("open", "upcoming")),
            key=lambda c: (CALL_ORDER[c.call_status(today)], when(c)),
        )
        closed = sorted((c for c in calls if c not in live), key=when, reverse=True)[:past]
        how = self.card("how-to-join")
        return Calls(today, live, closed, how if isinstance(how, ProgrammePage) else None)

    def national_points(self, language: str) -> list[ProgrammePage]:
        """The National URBACT Point pages a speaker of ``language`` most likely needs: those
        of the countries where it is an official language (Babel's territory data), then the
        overview of all points. English, official almost nowhere it is read, gets the overview."""
        from babel.languages import get_official_languages

        pages = [p for p in self.corpus.pages if p.kind == "national-point"]
        mine = [
            p
            for p in pages
            if language != "en"
            and any(language in get_official_languages(c, de_facto=True) for c in p.countries)
        ]
        overview = self.card("national-urbact-points")
        return mine[:4] + ([overview] if isinstance(overview, ProgrammePage) else [])

    def about(self) -> About:
        corpus = self.corpus
        checked = max((c.checked for c in corpus.cards), default=None)
        return About(
            len(corpus.networks), len(corpus.pages), checked, self.llm_enabled, self.today()
        )

    # -- maintenance --------------------------------------------------------------------

    def ingest(self, force: bool = False, progress: Progress | None = None) -> IngestReport:
        """Index the corpus (only changed cards are embedded again)."""
        return self.services.ingest(force=force, progress=progress)

    @staticmethod
    def check_corpus(settings: Settings, root: Path | None = None) -> CorpusCheck:
        """Check every card of the corpus at ``root`` (default: the configured corpus)."""
        from urbact_assistant.knowledge.corpus import check_corpus

        root = root or settings.corpus_dir
        found, problems = check_corpus(root, settings.current_date())
        return CorpusCheck(root, len(found.networks), len(found.pages), problems)

    @staticmethod
    def corpus_report(settings: Settings, root: Path | None = None, top: int = 15) -> str:
        """Coverage of the corpus as text tables: by programme, type, status, country, theme."""
        from urbact_assistant.knowledge.corpus import load_corpus
        from urbact_assistant.knowledge.stats import corpus_stats, format_stats

        today = settings.current_date()
        found = load_corpus(root or settings.corpus_dir, today)
        return format_stats(corpus_stats(found, today), today, top)

    def evaluate(self, questions: Path, languages: Sequence[str] = (), every: int = 1) -> Any:
        """Retrieval quality on a question set: hybrid vs BM25 only vs dense only, side by
        side in one run (an ``evaluation.Comparison`` with ``table()`` and ``to_json()``)."""
        from urbact_assistant.search import evaluation

        chosen = [
            q for q in evaluation.load_questions(questions) if not languages or q.lang in languages
        ][:: max(1, every)]
        return evaluation.Comparison(evaluation.compare(chosen, self._retriever))

    def evaluate_answers(
        self, questions: Path, languages: Sequence[str] = (), every: int = 1
    ) -> Any:
        """Answer quality on an answer set: the asked fact present, the asker's language,
        at most 1,200 characters, personal requests declined (an ``AnswerScores`` with
        ``table()``, ``to_json()`` and ``misses``)."""
        return _answer_scores(self, questions, languages, every)

    def evaluate_dialogues(self, dialogues: Path, languages: Sequence[str] = ()) -> Any:
        """Scripted dialogues played turn by turn with the conversation state: the share of
        turns answered right (a ``DialogueScores`` with ``table()``, ``to_json()``, ``misses``)."""
        return _dialogue_scores(self, dialogues, languages)


def _dialogue_scores(assistant: Assistant, path: Path, languages: Sequence[str]) -> Any:
    from urbact_assistant.answering import evaluation
    from urbact_assistant.understanding.language import detect

    dialogues = [d for d in evaluation.load_dialogues(path) if not languages or d.lang in languages]
    names = assistant._retriever.entities.name_words
    return evaluation.run_dialogues(
        dialogues,
        lambda question, state: assistant.ask(question, state),  # type: ignore[arg-type]
        lambda text: detect(text, names),
    )


def _answer_scores(
    assistant: Assistant, questions: Path, languages: Sequence[str], every: int
) -> Any:
    from urbact_assistant.answering import evaluation
    from urbact_assistant.understanding.language import detect

    cases = [c for c in evaluation.load_cases(questions) if not languages or c.lang in languages][
        :: max(1, every)
    ]
    names = assistant._retriever.entities.name_words
    judged = [
        evaluation.judge(case, assistant.ask(case.question), lambda text: detect(text, names))
        for case in cases
    ]
    return evaluation.score(judged)


def _country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries) | {"UK", "EL"}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(name))


def _passes(card: NetworkCard, filter: NetworkFilter, today: dt.date) -> bool:
    if filter.status and card.status(today) != filter.status:
        return False
    if filter.type and card.type != filter.type:
        return False
    return not filter.country or filter.country in card.countries
