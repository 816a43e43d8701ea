"""Follow-ups read against what the user just saw, not as new searches.

After an answer, ``Conversation.shown`` holds the networks it covered (in rank order) and
``focus`` the one it was about. A question that names no network, city or topic of its own is:

- a *pick* ("the second one", "le premier", "das letzte"): that network of the list;
- an *attribute* of the one in focus ("who leads it?", "bis wann läuft es?");
- a *narrowing* ("which of those are still running?", "lesquels en Espagne ?", "und in
  Italien?" after a list): the shown networks that pass its filters, never a new search; when
  none does, the answer says so and offers the closest network that does;

anything else (a new topic, a named network or city) starts over. Pure: the caller gives the
understood question and the cards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from urbact_assistant.core.models import (
    AnyCard,
    Conversation,
    Filters,
    Hit,
    NetworkCard,
    ProgrammePage,
    Query,
    Retrieval,
)
from urbact_assistant.core.text import fold, skeleton, tokens
from urbact_assistant.understanding.lexicon import View, follows_on
from urbact_assistant.understanding.questions import (
    matches_filters,
    names_urbact_networks,
)

PICKS = {"pick_1": 0, "pick_2": 1, "pick_3": 2, "pick_last": -1}
ATTRIBUTES = {"lead", "partners", "count", "when", "status", "about"}
NEAR_BEST = 0.6  # a topic narrowing keeps the networks scoring at least this share of the best
FEW = 5  # a list this short is all on screen: "the other one" is the best-ranked other
ASKED_CONCEPTS = {"lead-partner"}  # thesaurus topics that are what is asked ("the lead partner")


@dataclass(frozen=True)
class FollowUp:
    """A follow-up resolved against the conversation."""

    kind: str  # "pick", "attribute" or "narrow"
    retrieval: Retrieval
    filters: Filters | None = None
    """For a narrowing: the filters now applied to the conversation's list."""


def resolve(
    query: Query,
    view: View,
    conversation: Conversation,
    cards: dict[str, AnyCard],
    today: dt.date,
    programme: tuple = (),
    topics: frozenset[str] = frozenset(),
) -> FollowUp | None:
    """The follow-up ``query`` is, or None when it stands on its own."""

    def networks(slugs: tuple[str, ...]) -> list[NetworkCard]:
        return [c for s in slugs if isinstance(c := cards.get(s), NetworkCard)]

    shown, base = networks(conversation.shown), networks(conversation.base)
    text = f" {query.topic} "
    if query.countries and view.stems["other"].search(text):  # "d'autres villes françaises ?"
        # "… behalve Mechelen nog een Belgische partner?": Mechelen is not what is asked
        query = replace(
            query, besides=(*conversation.filters.cities, *query.cities), cities=(), city_slugs={}
        )
    led_word = query.led_by or view.stems["led_by"].search(text)
    if led_word and not (query.countries or query.cities):  # "Kdo tu síť vedl?": who
        query = replace(query, led_by=False, asks=tuple(dict.fromkeys((*query.asks, "lead"))))
    narrowing = bool(view.stems["of_those"].search(text))
    # "in welchem war Bergamo dabei?": which one of the list, with no word for "network"
    said_network = any(
        t == w or (len(w) >= 5 and t.startswith(w))  # "Netzwerken"
        for t in tokens(query.text)
        for w in view.network_words
    )
    which_one = "which" in query.asks and not said_network
    if with_city := _with_city(query, base, narrowing or which_one, today, programme):
        return with_city
    if (
        by_city := _by_city(query, view, narrowing, base, cards.get(conversation.focus or ""))
    ) is not None:
        return about(query, by_city, today, programme, "pick")
    if not (shown or base) or query.networks or query.cities or query.kind == "out_of_scope":
        return None
    picks = [i for kind, i in PICKS.items() if view.stems[kind].search(text)]
    focus_card = cards.get(conversation.focus or "")
    if view.stems["edition"].search(text):
        # "the second edition/wave"; "did it have a second wave?": the one after it (after the
        # network in focus, or the first one shown)
        anchors = [focus_card] if isinstance(focus_card, NetworkCard) else shown
        asks_if = not query.asks and not follows_on(query.text)  # "Czy miała drugą edycję?"
        for anchor in anchors:
            editions = _editions(anchor, cards)
            if not picks and anchor is anchors[0] and anchor in editions[:-1]:
                picks = [editions.index(anchor) + 1]
            if len(editions) > 1 and picks and _fits(picks[0], len(editions)):
                if asks_if:
                    query = replace(query, asks=("exists",))  # yes, and that edition
                return about(query, editions[picks[0]], today, programme, "pick")
            if len(editions) == 1 and anchor is focus_card and asks_if:  # no: only this one
                found = about(replace(query, asks=("exists",)), anchor, today, programme, "pick")
                hits = [Hit(anchor, 1.0, reasons=("follow-up", "no-edition"))]
                return replace(found, retrieval=replace(found.retrieval, hits=hits))
    if len(led := _led_by_its_city(query, conversation, base or shown)) > 1:  # "Quali ha guidato?"
        cities = conversation.filters.cities
        asked = replace(query, kind="topic", filter_only=True, led_by=True, asks=("which",))
        asked = replace(asked, cities=cities, countries=())
        hits = [Hit(c, 1.0, reasons=("shown",)) for c in led]
        led_list = Retrieval(asked, hits, today, programme, narrowed_from=len(base or shown))
        return FollowUp("narrow", led_list, conversation.filters)
    chosen = _chosen(query, view, text, conversation, base or shown)
    if chosen is not None and not set(query.concepts) & topics - ASKED_CONCEPTS:
        return about(query, chosen, today, programme, "pick")  # not "the one on canteens"
    # "How can my city join one of these?" is about joining; "¿qué ciudades participan en
    # ellas?" asks which cities of the list.
    # "¿participa alguna ciudad española?" after a list: a narrowing, not "may they take part?"
    member_from = (
        bool(query.countries)
        and "eligibility" not in query.intents
        and len(base) > 1
        and len(query.text.split()) <= 5
    )
    joining = query.kind == "join" and query.intents and not member_from
    if joining and not (narrowing and "partners" in query.asks):
        return None
    # A topic of its own (a thesaurus topic: "housing", "mobilità") makes a new question; the
    # other words of a follow-up are question words in whatever language ("quali", "welke").
    own_topic = [c for c in query.concepts if c in topics and c not in ASKED_CONCEPTS]
    # "The first one" is from what was just shown (a pick keeps the list shown; a narrowing
    # shows part of its list), else from that list: when the pick does not fit the few
    # networks left, or after an empty narrowing, whose "closest" offer is not in the list.
    from_shown = picks and _fits(picks[0], len(shown)) and set(shown) <= set(base)
    listed = shown if from_shown else base
    if picks and not own_topic and listed and _fits(picks[0], len(listed)):
        picked = listed[picks[0]]
        if picked.slug == conversation.focus and picks == [PICKS["pick_2"]]:
            # "entä se toinen": Finnish "toinen" is "second" and "other"; not the one in focus
            picked = next((c for c in base[:FEW] if c.slug != picked.slug), picked)
        return about(query, picked, today, programme, "pick")
    focus = cards.get(conversation.focus or "")
    if focus is None and len(shown) == 1 == len(base):  # a list of one: "is that one led by …?"
        focus = shown[0]
    # "E a outra, quem lidera?": of two networks, the one not asked about (of a few, the
    # best-ranked other one); not "who else was in it?", "any other cities?"
    pair = base if len(base) == 2 else shown if len(shown) == 2 else []
    of_its_own = query.countries or "partners" in query.asks or view.stems["in_it"].search(text)
    other = view.stems["other"].search(text) and not (own_topic or of_its_own)
    if other and isinstance(focus, NetworkCard):
        others = [c for c in (pair or base[:FEW]) if c.slug != focus.slug]
        if others:
            return about(query, others[0], today, programme, "pick")
    own_words = own_topic or narrowing or names_urbact_networks(set(tokens(query.text)), view)
    own_question = own_words or query.status or query.type or query.led_by
    # "And in Croatia?" after "which of these had a Polish partner?": the list's country
    # changes, even when one network of it was asked about since.
    other_country = (
        bool(conversation.filters.countries)
        and set(query.countries) - set(conversation.filters.countries)
        and len(base) > 1
        and follows_on(query.text)
        and not set(query.asks) & ATTRIBUTES
    )
    # "Il porte sur quoi, ce réseau ?": the network in focus, as its card
    plain_reference = not (query.countries or query.status or query.type or query.concepts)
    if isinstance(focus, NetworkCard) and plain_reference and view.stems["in_it"].search(text):
        return about(query, focus, today, programme, "attribute")
    # "c'è un partner spagnolo?", "is it led by a Portuguese town?" (not "which of them are …")
    about_focus = not (own_question or other_country) or (
        query.led_by and not (own_words or "which" in query.asks)
    )
    if isinstance(focus, NetworkCard) and query.countries and about_focus:
        return about(query, focus, today, programme, "attribute")
    # "Gibt es aktuell ein laufendes Netzwerk, bei dem es um … geht?": a new list, not "it"
    new_list = bool(query.status) and _asks_for_a_list(query, view)
    # "How many Innovation Transfer Networks were approved in 2024?": a call's own question
    own_subject = bool(query.years and query.type)
    if set(query.asks) & ATTRIBUTES and not (own_topic or narrowing or new_list or own_subject):
        # "Who led it?" after a list: the network in focus, else the first one shown.
        target = focus if isinstance(focus, NetworkCard) else shown[0] if shown else None
        status_asked = "status" in query.asks or (query.status and "when" not in query.asks)
        which_ones = status_asked and len(shown) > 1 and focus is None  # not "when did it end?"
        if target is not None and not which_ones and not query.countries:
            return about(query, target, today, programme, "attribute")
    if "status" in query.asks and not query.status and (narrowing or not own_topic):
        query = replace(query, status="ongoing")  # "which of those are still going?"
    has_filter = query.status or query.countries or query.type or query.programme
    # Elliptic: "and in Italy?", "¿y cuáles…?", or no word for "network" ("welke hadden partners
    # in Slowakije?"); "ongoing networks in Poland" is a question of its own.
    words = set(query.topic.split())
    elliptic = (
        narrowing
        or follows_on(query.text)
        or len(query.text.split()) <= 4
        or not words & view.network_words
        or bool(query.type and "which" in query.asks)  # "¿cuáles eran redes de planificación?"
    )
    # "of those" narrows even a one-network list ("none of those is still running"); an
    # elliptic filter alone does only after a list, not after a single network's card.
    narrows = narrowing or (elliptic and not own_topic and len(base) > 1)
    if has_filter and base and narrows:
        filters = conversation.filters.merged(query)
        narrowed = replace(filters.apply(query), kind="topic", filter_only=True)
        kept = [c for c in base if matches_filters(c, narrowed, today)]
        hits = [Hit(c, 1.0, reasons=("shown",)) for c in kept]
        # "None of the 2 just shown": the list as the user last saw it, narrowed before
        seen = [c for c in base if matches_filters(c, conversation.filters.apply(query), today)]
        retrieval = Retrieval(narrowed, hits, today, programme, narrowed_from=len(seen or base))
        return FollowUp("narrow", retrieval, filters)
    return None


def _chosen(
    query: Query, view: View, text: str, conversation: Conversation, listed: list[NetworkCard]
) -> NetworkCard | None:
    """The network of the list a question picks by what it says of it: "the most recent of
    them", "the oldest", "the one from 2019", "which one did it lead?" (after a city's list)."""
    if len(listed) < 2 or query.networks or query.cities or query.kind == "join":
        return None  # not "what's the most recent call?"
    dated = [c for c in listed if c.start]
    if view.stems["pick_newest"].search(text) and dated:
        return max(dated, key=lambda c: c.start.first)  # type: ignore[union-attr]
    if view.stems["pick_oldest"].search(text) and dated:
        return min(dated, key=lambda c: c.start.first)  # type: ignore[union-attr]
    if len(query.years) == 1 and not query.intents:  # "the one from 2019", not "the 2019 call"
        year = query.years[0]
        started = [c for c in dated if c.start and c.start.first.year == year]
        on_screen = [c for c in started if c in listed[:FEW]]  # the lines the user read
        if len(on_screen) == 1 or len(started) == 1:
            return (on_screen or started)[0]
    led = _led_by_its_city(query, conversation, listed)
    return led[0] if len(led) == 1 else None  # "Melyiket vezette?", "Quella che ha guidato …?"


def _led_by_its_city(
    query: Query, conversation: Conversation, listed: list[NetworkCard]
) -> list[NetworkCard]:
    """After a city's list, "which one(s) did it lead?": the networks of the list it led (one
    is picked; several narrow the list)."""
    cities = {fold(c) for c in conversation.filters.cities}  # ("led by" words ask the lead)
    if not cities or "lead" not in query.asks or query.countries or conversation.focus:
        return []
    return [c for c in listed if c.lead_partner and fold(c.lead_partner.place) in cities]


def _by_city(
    query: Query, view: View, narrowing: bool, base: list[NetworkCard], focus: AnyCard | None
) -> NetworkCard | None:
    """The network a city points to: "et celui de Turin, quels partenaires ?" (the one of
    the list Turin is in, asked about), or "e Rodi ne fa parte?" (the one in focus)."""
    if not query.cities or query.networks or {"which"} == set(query.asks) & {"which", "partners"}:
        return None  # not "which networks …?"; "welche Städte waren bei dem … dabei?" is
    if query.kind == "out_of_scope":
        return None
    # Not "does Cluj lead an active network?", a question about the city.
    about_network = set(query.asks) & {"partners", "count", "when"} or query.countries
    # ("il s'est terminé quand ?" asks when, not which networks have ended)
    if (
        len(base) > 1
        and not narrowing
        and about_network
        and not (query.status and "when" not in query.asks)
    ):
        slugs = set().union(*query.city_slugs.values())
        having = [c for c in base if c.slug in slugs]
        # "the Chemnitz network": the one the city led, if any
        named = {fold(c) for c in query.cities}
        having.sort(key=lambda c: not (c.lead_partner and fold(c.lead_partner.place) in named))
        if 0 < len(having) < len(base):
            return having[0]
    # A city asked about the network in focus, pointing back to it ("ne fa parte", "in it");
    # "and Ternopil?" or "what about Limerick?" are that city's own question.
    pointing = narrowing or view.stems["in_it"].search(f" {query.topic} ")
    return focus if isinstance(focus, NetworkCard) and pointing and not query.led_by else None


def narrows_by_topic(
    query: Query, view: View, conversation: Conversation, topics: frozenset[str]
) -> bool:
    """ "Which of those was about attracting students?": "of those" and a topic of its own."""
    return (
        bool(conversation.base and set(query.concepts) & topics)
        and not (query.networks or query.cities)
        and bool(view.stems["of_those"].search(f" {query.topic} "))
    )


def picks_by_topic(
    query: Query, view: View, conversation: Conversation, topics: frozenset[str]
) -> bool:
    """ "La de patrimonio, ¿tiene algún socio portugués?", "tko vodi onu o javnoj nabavi?":
    something asked about the one network of the list on a topic of its own."""
    return (
        len(conversation.base) > 1
        and bool(set(query.concepts) & topics - ASKED_CONCEPTS)
        and not (query.networks or query.cities or "which" in query.asks)
        and bool(set(query.asks) & ATTRIBUTES or query.countries or _continues(query))
        and not view.stems["of_those"].search(f" {query.topic} ")
        and not _asks_for_a_list(query, view)  # "Is there a running network about …?"
    )


def _continues(query: Query) -> bool:
    """ "E in quella sull'agricoltura?": the previous question, about another network."""
    return follows_on(query.text) and len(query.text.split()) <= 8


def _asks_for_a_list(query: Query, view: View) -> bool:
    """A question of its own with a word for network, not one pointing back to the network in
    focus ("in this network"): "Is there a network about …?"."""
    return (
        bool(set(tokens(query.text)) & view.network_words)
        and len(query.text.split()) >= 6
        and not view.stems["in_it"].search(f" {query.topic} ")
    )


def pick_by_topic(
    query: Query,
    conversation: Conversation,
    nearest: list[str],
    cards: dict[str, AnyCard],
    today: dt.date,
    programme: tuple,
) -> FollowUp | None:
    """The network of the list nearest the topic (``nearest``: slugs, nearest first), asked
    about; None when no network of the list is near it."""
    base = set(conversation.base)
    # "Quella sul teatro?": a network whose name says the topic ("Theatre4all") comes first
    named = _named_by_topic(query, conversation.base, cards)
    for slug in [*named, *nearest]:
        if slug in base and isinstance(card := cards.get(slug), NetworkCard):
            return about(query, card, today, programme, "pick")
    return None


def _named_by_topic(query: Query, slugs: tuple[str, ...], cards: dict[str, AnyCard]) -> list[str]:
    """The networks whose name says a topic word of the question ("teatro" → Theatre4all)."""
    stems = {skeleton(w)[:5] for w in query.content if len(w) >= 5}
    return [
        slug for slug in slugs
        if any(skeleton(t).startswith(s) for t in tokens(cards[slug].name) for s in stems)
    ]  # fmt: skip


def by_topic(
    conversation: Conversation, searched: Retrieval, cards: dict[str, AnyCard]
) -> FollowUp:
    """The networks of the list the user narrows that a search for the topic finds, in the
    search's order (maybe none); only those whose name says the topic, when some do."""
    base = set(conversation.base)
    named = set(_named_by_topic(searched.query, conversation.base, cards))
    found = [h for h in searched.hits if h.card.slug in base]
    if named:  # "яка з них про театр": Theatre4all, whatever the search ranks first
        found = [Hit(cards[s], 1.0) for s in conversation.base if s in named]
    # "Which of them was about the school run?": SCHOOLHOODS, not a music-school network the
    # search also finds far below it
    best = max((h.score for h in found), default=0.0)
    kept = [replace(h, reasons=("shown",)) for h in found if h.score >= NEAR_BEST * best]
    narrowed = replace(searched.query, kind="topic", filter_only=True)
    return FollowUp("narrow", replace(searched, query=narrowed, hits=kept, narrowed_from=len(base)))


def _with_city(
    query: Query, base: list[NetworkCard], narrowing: bool, today: dt.date, programme: tuple
) -> FollowUp | None:
    """ "Which of those did Munich lead?" after a list that has Munich in it: the networks of
    the list that the city leads (none, honestly, when it only took part); "w których z nich
    był Koszalin?": those it took part in. Without "of those", a city's own question
    ("Cesena in quali altre reti è stata?") stands on its own."""
    if not (query.cities and len(base) > 1 and (query.led_by or narrowing)) or query.networks:
        return None
    names = {fold(c) for c in query.cities}

    def has(card: NetworkCard, lead: bool) -> bool:
        members = [card.lead_partner] if lead and card.lead_partner else card.members
        return any(names & {fold(p.place), fold(p.name)} for p in members)

    if not any(has(c, False) for c in base):
        return None  # a city the list does not have: a question of its own
    kept = [c for c in base if has(c, query.led_by)]
    asked = set(query.asks) & ATTRIBUTES or query.status
    if len(kept) == 1 and asked and not narrowing and "which" not in query.asks:
        # "Celui porté par Le Pirée, il est encore actif ?": that one, asked about
        return about(replace(query, led_by=False, cities=()), kept[0], today, programme, "pick")
    narrowed = replace(query, kind="topic", filter_only=True, countries=())
    kept = [c for c in kept if matches_filters(c, replace(narrowed, cities=()), today)]
    hits = [Hit(c, 1.0, reasons=("shown",)) for c in kept]
    return FollowUp("narrow", Retrieval(narrowed, hits, today, programme, narrowed_from=len(base)))


def others_first(retrieval: Retrieval, conversation: Conversation, view: View) -> Retrieval:
    """ "In which other networks was Cesena?" after an answer about one of them (or a list):
    the others come first (the count stays the city's whole count)."""
    seen = {conversation.focus} if conversation.focus else set(conversation.shown)
    query = retrieval.query
    if query.kind != "city" or not seen or not view.stems["other"].search(f" {query.topic} "):
        return retrieval
    fresh = [h for h in retrieval.hits if h.card.slug not in seen]
    return replace(retrieval, hits=fresh + [h for h in retrieval.hits if h.card.slug in seen])


def _editions(card: NetworkCard, cards: dict[str, AnyCard]) -> list[NetworkCard]:
    """The network and the ones whose names extend its name ("RU:RBAN", "RU:RBAN Second
    Wave"), or that its name extends, oldest first."""
    words = tokens(card.name)

    def related(other: NetworkCard) -> bool:
        theirs = tokens(other.name)
        size = min(len(words), len(theirs))
        return size > 0 and words[:size] == theirs[:size]

    family = [c for c in cards.values() if isinstance(c, NetworkCard) and related(c)]
    return sorted(family, key=lambda c: c.start.first if c.start else dt.date.min)


def _fits(index: int, size: int) -> bool:
    return -size <= index < size


def about(query: Query, card: NetworkCard, today: dt.date, programme: tuple, kind: str) -> FollowUp:
    """The question as asked about ``card`` (a status word is a status question then; a
    country asks for its partners from there: "did the second one have a Portuguese partner?")."""
    asked = replace(query, kind="network", networks=(card.slug,), type=None)
    hits = [Hit(card, 1.0, reasons=("follow-up",))]
    return FollowUp(kind, Retrieval(asked, hits, today, programme))


def _call_of(network: NetworkCard, cards: dict[str, AnyCard]) -> ProgrammePage | None:
    """The call that approved ``network``: the latest call for its type before it started."""
    if network.start is None:
        return None
    calls = [
        c for c in cards.values()
        if isinstance(c, ProgrammePage) and c.kind == "call" and c.network_type == network.type
        and (c.opens or c.closes) and c.call_date <= network.start.first
    ]  # fmt: skip
    return max(calls, key=lambda c: c.call_date, default=None)


def same_call(
    retrieval: Retrieval, conversation: Conversation, cards: dict[str, AnyCard]
) -> Retrieval:
    """ "And is there money for experts on top?", "who may be lead partner?" after an answer
    about one call: a programme question naming no call, type, year or country of its own is
    about that call."""
    q = retrieval.query
    if q.networks or q.cities or q.type or q.years or q.countries or "nup" in q.intents:
        return retrieval
    if any(isinstance(h.card, NetworkCard) for h in retrieval.hits):
        return retrieval
    if not (retrieval.hits or set(q.asks) - {"which"} or q.intents):
        return retrieval  # a question finding nothing, asking nothing of a call
    before = [cards.get(s) for s in conversation.shown]
    call = before[0] if len(before) == 1 else None
    network = call if call is not None else cards.get(conversation.focus or "")
    if isinstance(network, NetworkCard):  # "the budget of a network like this": its call's
        call = _call_of(network, cards)  # (an aside: the network stays the one talked about)
    else:
        network = None
    if not (
        isinstance(call, ProgrammePage) and call.kind == "call" and (call.opens or call.closes)
    ):
        return retrieval
    year = call.call_date.year
    hits = [Hit(call, 1.0, reasons=("context", "aside") if network else ("context",))]
    hits += [h for h in retrieval.hits if h.card.slug != call.slug]
    asked = replace(q, type=call.network_type, years=(year,))
    return replace(retrieval, query=asked, hits=hits)
