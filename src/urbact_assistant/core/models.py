"""Plain data types shared by every layer: cards, dates, retrieval hits and answers.

Nothing here imports LangChain, Chroma or Telegram, and nothing reads the clock: a status
is always computed from dates against a ``today`` passed in by the caller.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

NETWORK_TYPES: dict[str, str] = {
    "action-planning": "Action Planning Network",
    "transfer": "Transfer Network",
    "innovation-transfer": "Innovation Transfer Network",
    "action": "Action Network",
    "implementation": "Implementation Network",
    "thematic": "Thematic Network",
    "pilot": "Pilot Network",
}
PROGRAMMES = ("URBACT II", "URBACT III", "URBACT IV")
PAGE_KINDS = (
    "call",
    "how-to-join",
    "network-type",
    "eligibility",
    "concept",
    "national-point",
    "expert",
    "event",
)

Kind = Literal["network", "city", "join", "topic", "out_of_scope"]
Status = Literal["upcoming", "ongoing", "ended", "unknown"]
CallStatus = Literal["upcoming", "open", "closed", "unknown"]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@dataclass(frozen=True, order=True)
class FuzzyDate:
    """An ISO date that may be known only to the month (``2019-06``) or year (``2019``)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> FuzzyDate:
        """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a ``datetime.date``; raise ValueError."""
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        text = str(value).strip()
        match = _PARTIAL_DATE.match(text)
        if not match:
            raise ValueError(f"not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY): {text!r}")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month out of range in {text!r}")
        if day is not None:
            dt.date(year, month or 1, day)  # raises ValueError for 2023-02-30
        return cls(year, month, day)

    @property
    def first(self) -> dt.date:
        """The earliest day this date can mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> dt.date:
        """The latest day this date can mean."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def iso(self) -> str:
        """The date as written in the corpus."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def human(self) -> str:
        """``June 2023``, ``1 June 2023`` or ``2023``."""
        if self.month is None:
            return str(self.year)
        month = _MONTHS[self.month - 1]
        return f"{self.day} {month} {self.year}" if self.day else f"{month} {self.year}"

    def short(self) -> str:
        """``Jun 2023`` or ``2023``: the form used in one-line summaries."""
        if self.month is None:
            return str(self.year)
        return f"{_MONTHS[self.month - 1][:3]} {self.year}"


@dataclass(frozen=True)
class Party:
    """A partner of a network: a city or an organisation, with its ISO country code."""

    name: str
    country: str
    city: str | None = None
    kind: str = "city"
    """``city`` (a municipality), ``region``, ``agency``, ``university`` or ``other``."""

    @property
    def is_city(self) -> bool:
        return self.kind == "city"

    @property
    def place(self) -> str:
        """The city the partner stands for (the organisation's city, or the name itself)."""
        return self.city or self.name

    def label(self) -> str:
        """``Tartu (EE)`` or ``Dubrovnik Development Agency DURA, Dubrovnik (HR)``."""
        if self.city and self.city not in self.name:
            return f"{self.name}, {self.city} ({self.country})"
        return f"{self.name} ({self.country})"


PARTY_KINDS = ("city", "region", "agency", "university", "other")
FUNDS = ("ERDF", "IPA", "NDICI", "national", "own")


@dataclass(frozen=True)
class Funding:
    """How partners from a group of countries are funded in a call or programme."""

    countries: tuple[str, ...]
    """ISO codes, or ``EU`` for the 27 member states."""
    fund: str
    rate: int | None = None
    """Share of eligible costs paid by ``fund``, in percent (the rest is local co-financing)."""


@dataclass(frozen=True)
class Edition:
    """One edition of a programme event (the City Festival, the URBACT University)."""

    year: int
    start: FuzzyDate
    end: FuzzyDate | None
    city: str
    country: str
    """ISO 3166-1 code."""


@dataclass(frozen=True)
class ProgrammePeriod:
    """One generation of the programme ("URBACT IV", 2021–2027): its budget and who manages it."""

    name: str
    years: str
    total_eur: int | None = None
    erdf_eur: int | None = None
    approximate: bool = False
    """The sources give the figures as "about"."""
    managing_authority: str | None = None


RULES = ("population", "ngos", "partners", "tn_lead")
"""Joining rules a page can state as data; each one's sentence is the UI key ``rule_<id>``."""


@dataclass(frozen=True)
class ProgrammeFacts:
    """Key facts of a call or network type, as data so that any language can state them."""

    partners_min: int | None = None
    partners_max: int | None = None
    budget_max_eur: int | None = None
    expert_budget_eur: int | None = None
    duration_months: int | None = None
    phases: tuple[str, ...] = ()
    approved_on: FuzzyDate | None = None
    networks_approved: int | None = None
    partners_approved: int | None = None
    partners_by_country: tuple[tuple[str, int], ...] = ()
    """Approved partners of the countries a source counts ("Spain had the most (25)")."""
    proposals_received: int | None = None
    runs_from: FuzzyDate | None = None
    runs_to: FuzzyDate | None = None
    eligible: tuple[str, ...] = ()
    """ISO codes, or ``EU`` for the 27 member states."""
    funding: tuple[Funding, ...] = ()
    host: str | None = None
    """A National URBACT Point's host organisation, named in its own language."""
    email: str | None = None
    editions: tuple[Edition, ...] = ()
    labelled: tuple[tuple[int, int], ...] = ()
    """(year, how many Good Practices were labelled that year)."""
    periods: tuple[ProgrammePeriod, ...] = ()
    rules: tuple[str, ...] = ()
    """Ids of ``RULES`` that the page states."""


@dataclass(frozen=True)
class Card:
    """Fields every corpus document has."""

    slug: str
    title: str
    body: str
    sources: tuple[str, ...]
    checked: dt.date
    path: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """The main source URL, used in citations."""
        return self.sources[0]

    @property
    def first_sentence(self) -> str:
        """The body's first sentence: the one-line description used in lists."""
        text = " ".join(self.body.split())
        # Names may end in "!" or contain dots ("LET'S GO CIRCULAR!", "U.R. Impact").
        start = len(self.title) if text.startswith(self.title) else 0
        match = re.compile(r"[.!?](?=\s+[A-Z0-9\"'(]|$)").search(text, start)
        return text[: match.end()] if match else text


@dataclass(frozen=True)
class NetworkCard(Card):
    """One URBACT network."""

    type: str = "action-planning"
    programme: str = "URBACT IV"
    start: FuzzyDate | None = None
    end: FuzzyDate | None = None
    lead_partner: Party | None = None
    partners: tuple[Party, ...] = ()
    themes: tuple[str, ...] = ()
    partners_unknown: bool = False
    """True when no source names the partners (an empty list is then not an omission)."""
    partners_incomplete: bool = False
    """True when sources name only some of the partners (the text says how many there are)."""

    doc_kind = "network"

    @property
    def name(self) -> str:
        return self.title

    @property
    def type_label(self) -> str:
        return NETWORK_TYPES.get(self.type, self.type)

    @property
    def members(self) -> tuple[Party, ...]:
        """Lead partner first, then the partners."""
        lead = (self.lead_partner,) if self.lead_partner else ()
        return lead + self.partners

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.country for p in self.members))

    def status(self, today: dt.date) -> Status:
        """Ongoing, ended or upcoming as of ``today``, from the card's dates."""
        if self.start and today < self.start.first:
            return "upcoming"
        if self.end:
            return "ended" if today > self.end.last else "ongoing"
        return "unknown"

    def period(self) -> str:
        """``Jun 2023 – Dec 2025``; empty when no date is known."""
        if self.start and self.end:
            return f"{self.start.short()} – {self.end.short()}"
        if self.start:
            return f"from {self.start.short()}"
        if self.end:
            return f"until {self.end.short()}"
        return ""


@dataclass(frozen=True)
class ProgrammePage(Card):
    """A page about calls, joining, network types or programme concepts."""

    kind: str = "concept"
    opens: FuzzyDate | None = None
    closes: FuzzyDate | None = None
    network_type: str | None = None
    countries: tuple[str, ...] = ()
    approved: tuple[str, ...] = ()
    """Slugs of the network cards a call approved."""
    facts: ProgrammeFacts | None = None

    doc_kind = "programme"

    @property
    def name(self) -> str:
        return self.title

    def dates_text(self, separator: str = " – ") -> str:
        """``17 March 2026 – 17 June 2026``: a call's opening and closing dates (or one)."""
        return separator.join(d.human() for d in (self.opens, self.closes) if d)

    @property
    def call_date(self) -> dt.date:
        """The date that orders calls: the closing day, else the opening day, else the
        earliest date (a page without dates sorts first)."""
        date = self.closes or self.opens
        return date.first if date else dt.date.min

    def call_status(self, today: dt.date) -> CallStatus:
        """Whether a call is open, closed or upcoming as of ``today``, from its dates."""
        if self.kind != "call" or (self.opens is None and self.closes is None):
            return "unknown"
        if self.opens and today < self.opens.first:
            return "upcoming"
        if self.closes and today > self.closes.last:
            return "closed"
        return "open" if self.closes else "unknown"


AnyCard = NetworkCard | ProgrammePage


@dataclass(frozen=True)
class Hit:
    """One retrieved card with its score and the passage that matched best."""

    card: AnyCard
    score: float
    passage: str = ""
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Citation:
    n: int
    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class Answer:
    """What the assistant says: text with ``[n]`` markers and the cards they point to."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    mode: Literal["offline", "llm"] = "offline"
    note: str | None = None
    standalone: str = ""
    """The question as understood on its own (a follow-up joined to what came before)."""
    conversation: Conversation | None = None
    """The conversation state after this answer (pass it to the next ``ask``)."""
    shown: int | None = None
    """How many of ``citations`` the text shows (a list's best ones); None: all of them."""
    language: str = "en"
    """The language the answer is written in (ISO 639-1)."""
    small_talk: str | None = None
    """``greeting`` or ``thanks`` when the message was only that: a reply in kind."""
    suggestions: tuple[str, ...] = ()
    """Example questions to offer (after a greeting), in the answer's language."""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "question": self.question,
            "answer": self.text,
            "citations": [c.__dict__ for c in self.citations],
            "mode": self.mode,
        }
        if self.note:
            out["note"] = self.note
        out["language"] = self.language
        out["shown"] = len(self.citations) if self.shown is None else self.shown
        if self.conversation is not None:
            out["state"] = self.conversation.to_dict()
        return out


@dataclass(frozen=True)
class Query:
    """What the question asks for, before retrieval."""

    text: str
    kind: Kind
    networks: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    status: str | None = None
    type: str | None = None
    programme: str | None = None
    city_slugs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    topic: str = ""
    """The folded question without the names of networks, cities and countries it mentions."""
    concepts: tuple[str, ...] = ()
    """Thesaurus concepts recognised in the question (any language)."""
    expansion: str = ""
    """English keywords of those concepts, added to lexical and dense search."""
    filter_only: bool = False
    """True when the question is only filters ("ongoing networks in Poland")."""
    content: tuple[str, ...] = ()
    """The question's topic words (folded), without stop words, filters and names."""
    intents: tuple[str, ...] = ()
    """For programme questions: ``call``, ``join``, ``eligibility``, ``nup`` (what is asked)."""
    years: tuple[int, ...] = ()
    """Years named in the question ("the 2019 call")."""
    led_by: bool = False
    """The countries are the lead partner's ("networks led by Italian cities")."""
    asks: tuple[str, ...] = ()
    """What is asked: ``lead``, ``partners``, ``count``, ``when``, ``budget``, ``open``."""
    personal: bool = False
    """A personal request for a public service (a flat, a passport): declined politely."""
    small_talk: str | None = None
    """``greeting`` or ``thanks`` when the message is only that ("Bonjour", "Merci !", "👍")."""
    besides: tuple[str, ...] = ()
    """Places left out of the partners asked for ("other French cities" after Toulouse's
    network, "a Belgian partner besides Mechelen")."""
    maybe_topic: bool = False
    """A joining question whose topic may be what is asked ("a network on volunteering in
    small towns?"): the retriever answers with networks when they are clearly closer."""
    exists: bool = False
    """A yes/no question whether such networks exist ("Gibt es Netzwerke zur Stadtimkerei?"):
    the list opens with yes (or no)."""

    def __hash__(self) -> int:
        return hash((self.text, self.kind))


@dataclass
class Retrieval:
    """The retriever's output: the understood question and the ranked cards."""

    query: Query
    hits: list[Hit] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)
    programme: tuple[ProgrammePage, ...] = ()
    """Every programme page (calls, National URBACT Points): "is a call open now?" is answered
    from all the calls' dates, not only the pages ranked for the question."""
    narrowed_from: int = 0
    """For a follow-up that narrows the list just shown: how many networks that list had."""


@dataclass(frozen=True)
class Turn:
    """One exchange: the question as understood on its own, and the answer's text."""

    question: str
    answer: str


@dataclass(frozen=True)
class Filters:
    """The filters a conversation has applied to its list (each kind replaced, not added to,
    by a follow-up that names another: "and in Italy?" after "in Spain")."""

    status: str | None = None
    countries: tuple[str, ...] = ()
    type: str | None = None
    programme: str | None = None
    led_by: bool = False
    """The countries are the lead partner's ("led by a Dutch city"), not any partner's."""
    cities: tuple[str, ...] = ()
    """The city whose networks the list is ("Milyen hálózatokban van Nyíregyháza?"), for
    "which one did it lead?" and "other Hungarian partners"; not a filter applied again."""

    def merged(self, query: Query) -> Filters:
        return Filters(
            status=query.status or self.status,
            countries=query.countries or self.countries,
            type=query.type or self.type,
            programme=query.programme or self.programme,
            led_by=query.led_by if query.countries else self.led_by,
            cities=self.cities,
        )

    def apply(self, query: Query) -> Query:
        """``query`` with these filters."""

        return replace(
            query,
            status=self.status,
            countries=self.countries,
            type=self.type,
            programme=self.programme,
            led_by=self.led_by and bool(self.countries),
        )

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_dict(cls, data: object) -> Filters:
        if not isinstance(data, dict):
            return cls()

        def text(key: str) -> str | None:
            return data[key] if isinstance(data.get(key), str) else None

        codes = tuple(str(c) for c in data.get("countries") or () if isinstance(c, str))
        led_by = data.get("led_by") is True and bool(codes)
        cities = tuple(str(c) for c in data.get("cities") or () if isinstance(c, str))
        return cls(text("status"), codes, text("type"), text("programme"), led_by, cities)

    @classmethod
    def of(cls, query: Query) -> Filters:
        led_by = query.led_by and bool(query.countries)
        cities = query.cities if query.kind == "city" else ()
        return cls(query.status, query.countries, query.type, query.programme, led_by, cities)


@dataclass(frozen=True)
class Conversation:
    """What a follow-up is read against. Small, immutable and JSON-serialisable: the CLI keeps
    it per session, the bot per chat and per answer."""

    turns: tuple[Turn, ...] = ()
    """The last exchanges, oldest first (at most ``MAX_TURNS``)."""
    shown: tuple[str, ...] = ()
    """Slugs of the cards the last answer covered, in rank order (shown or behind "N more")."""
    focus: str | None = None
    """The network the last answer was about, when it was about one."""
    language: str | None = None
    """The language the user writes in (ISO 639-1), when known."""
    base: tuple[str, ...] = ()
    """The list the conversation's filters narrow (the last answer that was a new search)."""
    filters: Filters = Filters()
    """The filters applied to ``base`` so far."""

    MAX_TURNS = 4

    @property
    def previous(self) -> str | None:
        """The last standalone question, or None at the start."""
        return self.turns[-1].question if self.turns else None

    def history(self) -> list[tuple[str, str]]:
        return [(t.question, t.answer) for t in self.turns]

    def after(
        self, answer: Answer, follow_up: str | None = None, filters: Filters | None = None
    ) -> Conversation:
        """The state once ``answer`` has been given: ``follow_up`` is the kind of follow-up it
        answered (``pick``, ``attribute``, ``narrow``, ``aside``: a programme answer about the
        network talked about, which stays so) or None for a new question."""
        turn = Turn(answer.standalone or answer.question, answer.text)
        slugs = tuple(c.slug for c in answer.citations)
        if not slugs and follow_up is None:  # found nothing: what the user saw is still there
            return replace(
                self,
                turns=(*self.turns, turn)[-self.MAX_TURNS :],
                language=answer.language or self.language,
            )
        if follow_up == "aside":  # "the budget of a network like this?": still about it
            return replace(self, turns=(*self.turns, turn)[-self.MAX_TURNS :])
        base, kept = (self.base, self.filters) if follow_up else (slugs, filters or Filters())
        if not follow_up and not kept.cities and slugs and set(slugs) <= set(self.base):
            # "Who led Resilient Europe?" from Malmö's list: still Malmö's networks
            kept = replace(kept, cities=self.filters.cities)
        if follow_up == "narrow":
            kept = filters or self.filters
        shown = slugs if follow_up in (None, "narrow") else self.shown
        return Conversation(
            turns=(*self.turns, turn)[-self.MAX_TURNS :],
            shown=shown,
            # a narrowing shows a list again: the network asked about before is not "it" now
            focus=slugs[0]
            if len(slugs) == 1
            else (self.focus if follow_up not in (None, "narrow") else None),
            language=answer.language or self.language,
            base=base,
            filters=kept,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "turns": [[t.question, t.answer] for t in self.turns],
            "shown": list(self.shown),
            "focus": self.focus,
            "language": self.language,
            "base": list(self.base),
            "filters": self.filters.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Conversation:
        """Read a state written by ``to_dict``; anything malformed gives a fresh state."""
        if not isinstance(data, dict):
            return cls()
        turns = tuple(
            Turn(str(t[0]), str(t[1]))
            for t in data.get("turns") or ()
            if isinstance(t, list | tuple) and len(t) == 2
        )[-cls.MAX_TURNS :]

        def slugs(key: str) -> tuple[str, ...]:
            return tuple(str(s) for s in data.get(key) or () if isinstance(s, str))

        focus = data.get("focus") if isinstance(data.get("focus"), str) else None
        language = data.get("language") if isinstance(data.get("language"), str) else None
        filters = Filters.from_dict(data.get("filters"))
        return cls(turns, slugs("shown"), focus, language, slugs("base"), filters)

    @classmethod
    def from_history(cls, history: Sequence[tuple[str, str]]) -> Conversation:
        return cls(tuple(Turn(q, a) for q, a in history)[-cls.MAX_TURNS :])
