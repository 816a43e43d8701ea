"""The deterministic answer composer: the asked fact first, short, in the asker's language.

Pure functions: ``compose(retrieval, language)`` turns the understood question and its cards
into an ``Answer`` whose ``[n]`` markers map to ``Answer.citations``. What the question asks
(its kind and ``Query.asks``) decides the plan: a network's lead, members or dates; a city's
networks; a list on a topic; a programme fact from the pages' ``facts``; a call open today. Every
sentence comes from a frame of ``data/ui/<lang>.yaml``; dates, numbers, country names and list
joins come from Babel; statuses are computed from the cards' dates against ``retrieval.today``.
Lists show the best ``SHOWN`` networks and say how many more there are; the citations keep every
network the answer covers (``Answer.shown`` says how many the text shows).
"""

from __future__ import annotations

import re

from urbact_assistant.core import phrases as ph
from urbact_assistant.core.models import (
    Answer,
    AnyCard,
    Citation,
    FuzzyDate,
    NetworkCard,
    ProgrammePage,
    Query,
    Retrieval,
)
from urbact_assistant.core.text import fold
from urbact_assistant.understanding.lexicon import words_of_every_language

CONTACT_URL = "https://urbact.eu/how-find-us"
SHOWN = 5  # networks a list shows; the rest are "N more"
MEMBERS_SHOWN = 12
# English words for the LLM's context (prompts.py); answers use the language files.
STATUS_WORDS = {
    "ongoing": "ongoing",
    "ended": "ended",
    "upcoming": "not started yet",
    "unknown": "dates not confirmed",
}
CALL_WORDS = {"open": "open now", "upcoming": "opens soon", "closed": "closed", "unknown": ""}


class Citations:
    """Numbers cards in the order they are first cited."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def cite(self, card: AnyCard) -> str:
        for c in self.items:
            if c.slug == card.slug:
                return f"[{c.n}]"
        self.items.append(Citation(len(self.items) + 1, card.slug, card.title, card.url))
        return f"[{len(self.items)}]"


def compose(retrieval: Retrieval, language: str = "en") -> Answer:
    """The offline answer to ``retrieval.query`` in ``language``, citing ``retrieval.hits``."""
    talk = retrieval.query.small_talk
    if talk is not None:  # "Bonjour", "Merci !": a reply in kind, and examples after a greeting
        examples = tuple(ph.label(language, f"example.{i}") for i in (1, 2, 3))
        text = ph.label(language, "greeting" if talk == "greeting" else "thanks_reply")
        if talk == "greeting":
            text += "\n" + "\n".join(f"- {e}" for e in examples)
        return Answer(
            question=retrieval.query.text,
            text=text,
            language=language,
            small_talk=talk,
            suggestions=examples if talk == "greeting" else (),
        )
    plan = _Plan(retrieval, language)
    text = plan.text()
    return Answer(
        question=retrieval.query.text,
        text=text,
        citations=plan.cites.items,
        shown=plan.shown,
        language=language,
    )


class _Plan:
    """One answer being written: the retrieval, the language, the citations so far."""

    def __init__(self, retrieval: Retrieval, lang: str):
        self.q: Query = retrieval.query
        self.hits = retrieval.hits
        self.today = retrieval.today
        self.lang = lang
        self.cites = Citations()
        self.shown: int | None = None
        self.narrowed_from = retrieval.narrowed_from
        self.calls = [p for p in retrieval.programme if p.kind == "call"]
        self.points = [p for p in retrieval.programme if p.kind == "national-point"]
        self.types = [p for p in retrieval.programme if p.kind == "network-type"]

    def say(self, key: str, n: int | None = None, **values: object) -> str:
        return ph.say(self.lang, key, n, **values)

    def text(self) -> str:
        q = self.q
        if q.kind == "out_of_scope":
            return self.say("personal" if q.personal else "out_of_scope", contact=CONTACT_URL)
        networks = [h.card for h in self.hits if isinstance(h.card, NetworkCard)]
        pages = [h.card for h in self.hits if isinstance(h.card, ProgrammePage)]
        if self.narrowed_from:
            return self.narrowed(networks)
        if q.kind == "network" and networks:
            return self.network(networks)
        if q.kind == "city":
            return self.city(networks)
        if (q.kind == "join" or not networks) and (pages or q.intents or set(q.asks) - {"which"}):
            found = self.programme(pages)
            if found:
                return found
        if networks:  # with a country filter, each line says which city leads or takes part
            return self.listing(networks, self.say("list_head", len(networks)), self.why(networks))
        if q.countries or q.status or q.type:
            return self.say("filters_none", filters=self.filters())
        return self.say("nothing", contact=CONTACT_URL)

    # -- networks -------------------------------------------------------------------

    def network(self, networks: list[NetworkCard]) -> str:
        """A named network: the asked attribute first, then its one-line identity."""
        card = networks[0]
        marker = self.cites.cite(card)
        asks = set(self.q.asks)
        first: list[str] = []
        if "lead" in asks and not self.names_lead(card):  # not "P.A.R.K.S., led by Perugia, …"
            first.append(self.lead(card))
        if self.q.countries and "lead" not in asks:  # "is a Romanian city in SIT FLEXI?"
            first.append(self.members_from(card, self.q.countries, self.q.led_by))
        elif asks & {"partners", "count"}:
            first.append(self.members(card))
        elif self.q.city_slugs and not asks & {"lead", "when", "status"}:  # "is Rhodes in it?"
            first.append(self.member_city(card))
        if asks & {"when", "status"} or self.q.status:
            period = self.period(card)
            # "is it still running?": yes or no first; not "when does it end?"
            if "status" in asks or (self.q.status and "when" not in asks):
                wanted = self.q.status or "ongoing"
                period = f"{yes_no(self.lang, card.status(self.today) == wanted)} {period}"
            first.append(period)
        lines = [f"{' '.join(first)} {marker}"] if first else []
        lines.append(self.identity(card) + ("" if first else f" {marker}"))
        if not first and card.lead_partner:
            lines.append(self.say("lead_line", lead=self.party(card.lead_partner)))
        if not first and card.themes:
            lines.append(self.say("themes_line", themes=", ".join(card.themes[:6])))
        for other in networks[1:3]:  # later editions ("Tech Revolution 2.0")
            lines.append(f"{self.identity(other)} {self.cites.cite(other)}")
        return "\n".join(lines)

    def identity(self, card: NetworkCard) -> str:
        period = ph.period(card, self.lang)
        status = ph.status_word(card.status(self.today), self.lang)
        return self.say(
            "network_line",
            network=card.name,
            type=ph.type_name(card.type, self.lang),
            programme=card.programme,
            period=f"{period}, {status}" if period else status,
        )

    def names_lead(self, card: NetworkCard) -> bool:
        """The question names the lead partner itself and asks something else about it."""
        lead, other = card.lead_partner, set(self.q.asks) - {"lead", "which"}
        named = {fold(c) for c in self.q.cities}
        return bool(lead and other and named & {fold(lead.place), fold(lead.name)})

    def lead(self, card: NetworkCard) -> str:
        lead = card.lead_partner
        if not lead:
            return self.say("lead_unknown", network=card.name)
        if lead.kind == "agency" and lead.city:  # the city first, then its company or agency
            town = ph.place(lead.city, self.lang, lead.country)
            country = ph.country(lead.country, self.lang)
            via = self.say("role_via", organisation=lead.name)
            return self.say("lead", network=card.name, lead=f"{town} ({country}), {via}")
        return self.say("lead", network=card.name, lead=self.party(lead))

    def member_city(self, card: NetworkCard) -> str:
        """ "Is Rhodes in it?": yes and its role, or no and who its members are."""
        for city, slugs in self.q.city_slugs.items():
            if card.slug in slugs:
                role = self.role(card, city) or self.say("role_partner")
                key = fold(city)
                country = next((p.country for p in card.members if key == fold(p.place)), "")
                name = ph.place(city, self.lang, country) if country else ph.place(city, self.lang)
                where = f" ({ph.country(country, self.lang)})" if country else ""
                return f"{yes_no(self.lang, True)} {name}{where}: {role}."
        return f"{yes_no(self.lang, False)} {self.members(card)}"

    def members(self, card: NetworkCard) -> str:
        if card.partners_unknown:
            return self.say("partners_unknown", network=card.name)
        members = [self.party(p) for p in card.members]
        listed = ph.join(members[:MEMBERS_SHOWN], self.lang)
        if len(members) > MEMBERS_SHOWN:
            listed += " " + self.say("more", len(members) - MEMBERS_SHOWN)
        key = "members_incomplete" if card.partners_incomplete else "members"
        return self.say(key, len(members), network=card.name, members=listed)

    def members_from(self, card: NetworkCard, countries: tuple[str, ...], lead: bool) -> str:
        """Yes and its partners (or lead) from those countries; no and who its members are."""
        parties = [card.lead_partner] if lead and card.lead_partner else card.members
        found = [self.party(p) for p in parties if p.country in countries]
        if found:
            return f"{yes_no(self.lang, True)} {ph.join(found[:MEMBERS_SHOWN], self.lang)}."
        if lead and card.lead_partner:
            return f"{yes_no(self.lang, False)} {self.lead(card)}"
        return f"{yes_no(self.lang, False)} {self.members(card)}"

    def period(self, card: NetworkCard) -> str:
        status = card.status(self.today)
        if not (card.start and card.end):
            return self.say("period_unknown", network=card.name)
        return self.say(
            f"period_{status}",
            network=card.name,
            start=ph.date(card.start, self.lang, True),
            end=ph.date(card.end, self.lang, True),
        )

    def party(self, party: object) -> str:
        from urbact_assistant.core.models import Party

        assert isinstance(party, Party)
        name = ph.place(party.name, self.lang, party.country)
        return f"{name} ({ph.country(party.country, self.lang)})"

    def line(self, card: NetworkCard, extra: str = "") -> str:
        """``• Name — type, period, status; extra [n]``."""
        period = ph.period(card, self.lang)
        status = ph.status_word(card.status(self.today), self.lang)
        when = f"{period}, {status}" if period else status
        tail = f"; {extra}" if extra else ""
        return (
            f"- {card.name} — {ph.type_name(card.type, self.lang)}, {when}{tail} "
            f"{self.cites.cite(card)}"
        )

    def listing(
        self,
        cards: list[NetworkCard],
        head: str,
        roles: dict[str, str] | None = None,
        echo: bool = True,
    ) -> str:
        """A head line, the best ``SHOWN`` networks one line each, "N more"; all cited."""
        lines = [head]
        if echo and (self.q.status or self.q.countries or self.q.type or self.q.programme):
            lines.insert(0, self.say("filters", filters=self.filters()))
        for card in cards[:SHOWN]:
            lines.append(self.line(card, (roles or {}).get(card.slug, "")))
        if len(cards) > SHOWN:
            lines.append(self.say("more", len(cards) - SHOWN))
        self.shown = min(len(cards), SHOWN)
        for card in cards[SHOWN:]:  # covered, not shown: cited for the "more" button and JSON
            self.cites.cite(card)
        return "\n".join(lines)

    def narrowed(self, networks: list[NetworkCard]) -> str:
        """A follow-up narrowing the list just shown: the networks that pass, or an honest
        "none of these" with the closest network that does."""
        closest = [h.card for h in self.hits if "closest" in h.reasons]
        if networks and not closest:
            head = _no_empty_brackets(self.say("narrowed", len(networks), filters=self.filters()))
            if "which" not in self.q.asks:  # "was there a Romanian city in them?": yes, first
                head = f"{yes_no(self.lang, True)} {head}"
            return self.listing(networks, head, self.why(networks), echo=False)
        if self.narrowed_from == 1:
            text = self.say("narrow_none_single", filters=self.filters())
        else:
            text = self.say("narrow_none", self.narrowed_from, filters=self.filters())
        text = _no_empty_brackets(text)
        if "which" not in self.q.asks:  # "is any of them still running?": no, first
            text = f"{yes_no(self.lang, False)} {text}"
        for card in closest[:1]:
            assert isinstance(card, NetworkCard)
            text += "\n" + self.say("closest", network=self.line(card).removeprefix("- "))
        return text

    def why(self, networks: list[NetworkCard]) -> dict[str, str]:
        """What makes each network pass a narrowing by country or lead: its lead partner, or
        its partners from those countries ("is there a Ukrainian partner?" → "Rozdilna")."""
        q, shown = self.q, {}
        for card in networks:
            if q.led_by and card.lead_partner is not None:
                lead = ph.place(card.lead_partner.place, self.lang, card.lead_partner.country)
                shown[card.slug] = f"{lead} ({self.say('role_lead')})"
            elif q.countries:
                places = [
                    ph.place(p.place, self.lang, p.country)
                    for p in card.members
                    if p.country in q.countries
                ]
                if places:
                    shown[card.slug] = ph.join(list(dict.fromkeys(places))[:4], self.lang)
        return shown

    def filters(self) -> str:
        q, parts = self.q, []
        if q.status:
            parts.append(ph.status_word(q.status, self.lang))
        if q.type:
            parts.append(ph.type_name(q.type, self.lang))
        if q.programme:
            parts.append(q.programme)
        if q.led_by:
            parts.append(self.say("role_lead"))
        if q.led_by or q.filter_only:  # "which of those did Koszalin (lead|take part in)?"
            parts += [ph.place(c, self.lang) for c in q.cities]
        parts += [ph.country(c, self.lang) for c in q.countries]
        return ", ".join(parts)

    # -- cities ---------------------------------------------------------------------

    def city(self, networks: list[NetworkCard]) -> str:
        """Yes and the city's networks (newest first), with its role; or an honest no."""
        if not networks:
            city = ", ".join(self.q.cities) or self.q.text
            return self.say("city_none", city=city, contact=CONTACT_URL)
        blocks = []
        for city, slugs in (self.q.city_slugs or {"": ()}).items():
            cards = [c for c in networks if not slugs or c.slug in slugs]
            if not cards:
                continue
            roles = {c.slug: self.role(c, city) for c in cards}
            name = ph.place(city, self.lang) if city else ", ".join(self.q.cities)
            head = self.say("city_head", len(cards), city=name)
            if "which" in self.q.asks:  # "which networks is it in?" is not a yes/no question
                head = _capital(head.removeprefix(yes_no(self.lang, True)).lstrip())
            if self.q.led_by and city:  # "has Gdańsk ever led a network?": the ones it led first
                led = [c for c in cards if self.leads(c, city)]
                cards = led + [c for c in cards if c not in led]
                if not led:  # no: and the networks it took part in, as a partner
                    bare = head.removeprefix(yes_no(self.lang, True)).lstrip()
                    head = f"{yes_no(self.lang, False)} {_capital(bare)}"
            blocks.append(self.listing(cards, head, roles))
        return (
            "\n\n".join(blocks)
            if blocks
            else self.listing(networks, self.say("list_head", len(networks)))
        )

    def table_rows(self, page: ProgrammePage) -> list[str]:
        """Rows of the page's tables that name the question's year, city or programme (one to
        three of them), each as "cell — cell — cell"."""
        q = self.q
        keys = [str(y) for y in q.years] + [fold(c) for c in q.cities]
        keys += [fold(q.programme)] if q.programme else []
        if not keys:
            return []
        picked = []
        for cells in table_rows(page.body):
            text = fold(" | ".join(cells))
            if any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text) for k in keys):
                picked.append(_excerpt(" — ".join(plain(c) for c in cells[:4]), 240))
        return picked if 0 < len(picked) <= 3 else []

    def leads(self, card: NetworkCard, city: str) -> bool:
        lead, key = card.lead_partner, city.casefold()
        return lead is not None and key in (lead.name.casefold(), (lead.city or "").casefold())

    def role(self, card: NetworkCard, city: str) -> str:
        """``lead partner`` / ``partner``, and ``through <organisation>`` when the member is
        a body standing for the city (an agency, a district)."""
        key = city.casefold()
        for i, party in enumerate(card.members):
            if key in (party.name.casefold(), (party.city or "").casefold()):
                role = self.say("role_lead" if i == 0 and card.lead_partner else "role_partner")
                if party.name.casefold() != key:
                    role += ", " + self.say("role_via", organisation=party.name)
                return role
        return ""

    # -- the programme --------------------------------------------------------------

    def programme(self, pages: list[ProgrammePage]) -> str | None:
        """A programme fact from data: calls open today, partners per network, budgets,
        eligibility of a country, a country's National URBACT Point; None when the question
        asks none of these (the best page's own words are then given)."""
        q, asks = self.q, set(self.q.asks) - {"which"}
        if "nup" in q.intents:
            return self.nup(pages)
        if "network-types" in q.concepts and not (q.countries or asks & {"partners", "budget"}):
            return self.network_types()
        said = set(re.findall(r"\w+", fold(q.text)))
        of_networks = bool(said & words_of_every_language("network"))
        for page in pages:  # "when was the City Festival in Wrocław?": its table row, not a call
            subject = any(page.slug in (c, f"urbact-{c}") for c in q.concepts) or (
                q.programme and "budget" in asks and not (q.type or q.years or of_networks)
            )  # "the budget of URBACT III" is the programme's, not a network's
            if subject and page.kind != "call" and not page.network_type and self.table_rows(page):
                return self.page_text(page)
        # "Is a call open?" asks about today; "when did the 2018 call close?" about that call.
        asks_now = ("status" in asks or q.status in ("upcoming", "ongoing")) and not q.years
        if "open" in asks and not q.years or ("call" in q.intents and asks_now):
            return self.calls_today()
        call = self.call_for(pages)
        yes_no_asked = ("open" in asks or "status" in asks) and "when" not in asks
        if call is not None and q.years and yes_no_asked:
            # "Is the 2026 call still open?": yes or no for that call, then its dates
            found = self.call_when(call)
            if found and call.call_status(self.today) in ("open", "closed"):
                return self._verdict(True, call.call_status(self.today) == "open", found)
        if q.countries and ("eligibility" in q.intents or "join" in q.intents or not asks):
            # "Can Moldovan cities take part?" is about today's rules: the latest call, unless
            # the question names a call's year or network type
            rules = self.eligibility_rules(call if q.years or q.type else None)
            if rules is not None:
                return self.eligibility(rules)
        if call is not None and call.facts is not None:
            text = fold(q.text)
            of_members = bool(_MEMBER_WORDS.search(text))
            of_cities = bool(said & words_of_every_language("city"))
            count = (
                "count" in asks
                and "partners" not in asks
                and not (of_members or of_cities)
                and of_networks
                and call.facts.networks_approved
            )
            # "Is there a minimum number of inhabitants?" counts neither networks nor partners
            of_people = bool(_PEOPLE_WORDS.search(text))
            count_rule = self.partners_rule if (of_members or of_cities) and not of_people else None
            answers = [
                ("count", self.approved if count else count_rule),
                ("partners", self.partners_rule),
                ("budget", self.budget),
                ("when", self.call_when),
            ]
            if "budget" in asks:  # "how much budget…" is not "how many"
                answers.insert(0, answers.pop(2))
            for kind, answer in answers:
                if kind in asks and answer is not None and (found := answer(call)):
                    return found
        if call is not None and "call" in q.intents and "when" in asks:
            return self.call_when(call)
        if pages:
            return self.page_text(pages[0])
        return None

    def network_types(self) -> str | None:
        """ "What types of networks are there?": each type, the newest first, with how many
        partners a network of that type has."""
        pages = {p.network_type: p for p in self.types}
        lines = [self.say("types_head")]
        for kind in TYPES_NEWEST_FIRST:
            page = pages.get(kind)
            if page is None:
                continue
            line = f"- {_capital(ph.type_name(kind, self.lang))}"
            facts = page.facts
            if facts is not None and facts.partners_min and facts.partners_max:
                line += " — " + self.say(
                    "types_partners", min=facts.partners_min, max=facts.partners_max
                )
            elif facts is not None and facts.runs_from:
                start = ph.date(facts.runs_from, self.lang)
                line += " — " + ph.label(self.lang, "period.from").format(date=start)
            lines.append(f"{line} {self.cites.cite(page)}")
        return "\n".join(lines) if len(lines) > 1 else None

    def call_name(self, call: ProgrammePage) -> str:
        known = call.opens or call.closes
        year = known.year if known else ""
        kind = ph.type_name(call.network_type, self.lang) if call.network_type else call.title
        return self.say("call_name", year=year, type=kind)

    def call_for(self, pages: list[ProgrammePage]) -> ProgrammePage | None:
        """The call a programme question is about: the year or network type it names, else the
        best-ranked page's network type, else the latest call."""
        calls = [p for p in self._all_pages() if p.kind == "call"]
        if self.q.years:
            calls = [
                c for c in calls if {d.year for d in (c.opens, c.closes) if d} & set(self.q.years)
            ] or calls
        wanted = self.q.type or next((p.network_type for p in pages if p.network_type), None)
        if wanted:
            calls = [c for c in calls if c.network_type == wanted] or calls
        ranked = [p for p in pages if p in calls]  # the question's own best call first
        if ranked and (self.q.years or not wanted):
            return ranked[0]
        with_facts = [c for c in calls if c.facts is not None] or calls
        return max(with_facts, key=lambda c: c.call_date, default=None)

    def _all_pages(self) -> list[ProgrammePage]:
        pages = [h.card for h in self.hits if isinstance(h.card, ProgrammePage)]
        return pages + [p for p in self.calls if p not in pages]

    def partners_rule(self, call: ProgrammePage) -> str | None:
        facts, marker = call.facts, self.cites.cite(call)
        assert facts is not None
        name = self.call_name(call)
        if facts.partners_min is not None and facts.partners_max is not None:
            text = self.say(
                "partners_range", call=name, min=facts.partners_min, max=facts.partners_max
            )
        elif facts.partners_max is not None:
            text = self.say("partners_max", call=name, max=facts.partners_max)
        else:
            return None
        return _capital(f"{text} {marker}")

    def approved(self, call: ProgrammePage) -> str | None:
        facts = call.facts
        assert facts is not None
        if not facts.networks_approved:
            return None
        day = facts.approved_on
        when = ph.date(day, self.lang) if day else str(call.title)
        if isinstance(day, FuzzyDate) and day.day is None:  # "on May 2023" reads wrong
            said = self.say("approved_count", n=facts.networks_approved, date=when)
        else:
            said = self.say("approved", facts.networks_approved, date=when)
        text = f"{self.call_name(call)}: {said}"
        return _capital(f"{text} {self.cites.cite(call)}")

    def budget(self, call: ProgrammePage) -> str | None:
        facts = call.facts
        assert facts is not None
        if facts.budget_max_eur is None:
            return None
        amount = ph.money(facts.budget_max_eur, self.lang)
        name = self.call_name(call)
        if facts.expert_budget_eur:
            expert = ph.money(facts.expert_budget_eur, self.lang)
            text = self.say("budget_expert", call=name, amount=amount, expert=expert)
        else:
            text = self.say("budget", call=name, amount=amount)
        return _capital(f"{text} {self.cites.cite(call)}")

    def call_when(self, call: ProgrammePage) -> str | None:
        lines = []
        if call.opens and call.closes:
            state = ph.label(self.lang, f"call.{call.call_status(self.today)}")
            lines.append(
                _capital(
                    self.say(
                        "call_dates",
                        call=self.call_name(call),
                        opens=ph.date(call.opens, self.lang),
                        closes=ph.date(call.closes, self.lang),
                        state=state,
                    )
                )
            )
        facts = call.facts
        if facts and facts.runs_from and facts.runs_to:
            lines.append(
                self.say(
                    "runs",
                    call=self.call_name(call),
                    start=ph.date(facts.runs_from, self.lang),
                    end=ph.date(facts.runs_to, self.lang),
                )
            )
        if facts and facts.phases:
            lines.append(self.say("phases", phases=ph.join(facts.phases, self.lang)))
        if not lines:
            return None
        return " ".join(lines) + f" {self.cites.cite(call)}"

    def _verdict(self, wanted: bool, yes: bool, text: str) -> str:
        """``text`` opened by the language's yes or no when a yes/no answer is ``wanted``."""
        return f"{yes_no(self.lang, yes)} {text}" if wanted else _capital(text)

    def calls_today(self) -> str:
        """Yes/no: is a call open today? Then the last or next one, all from the dates."""
        calls = [p for p in self.calls if p.opens or p.closes]
        open_now = [c for c in calls if c.call_status(self.today) == "open"]
        upcoming = sorted(
            (c for c in calls if c.call_status(self.today) == "upcoming"), key=lambda c: c.call_date
        )
        # "Is a call (still) open?" gets its yes or no first; "how can my city join the next
        # call?" and "when is the next call?" are not yes/no questions.
        asks = set(self.q.asks)
        verdict = ("status" in asks or "join" not in self.q.intents) and "when" not in asks
        if open_now:
            call = open_now[0]
            assert call.closes is not None
            text = self.say(
                "call_open", call=self.call_name(call), date=ph.date(call.closes, self.lang)
            )
            return self._verdict(verdict, True, text) + f" {self.cites.cite(call)}"
        none = self.say("call_none_open", today=ph.date(self.today, self.lang))
        lines = [self._verdict(verdict, False, none)]
        closed = [c for c in calls if c.call_status(self.today) == "closed"]
        if closed:
            last = max(closed, key=lambda c: c.call_date)
            if last.opens and last.closes:
                lines.append(
                    self.say(
                        "call_last",
                        call=self.call_name(last),
                        opens=ph.date(last.opens, self.lang),
                        closes=ph.date(last.closes, self.lang),
                    )
                    + f" {self.cites.cite(last)}"
                )
        if upcoming and upcoming[0].opens:
            nxt = upcoming[0]
            assert nxt.opens is not None
            lines.append(
                self.say(
                    "call_upcoming", call=self.call_name(nxt), date=ph.date(nxt.opens, self.lang)
                )
                + f" {self.cites.cite(nxt)}"
            )
        else:
            lines.append(self.say("call_next_unknown"))
        return "\n".join(lines)

    def eligibility_rules(self, call: ProgrammePage | None) -> ProgrammePage | None:
        """The page whose facts list eligible countries: the call asked about when it has
        them, else the latest call that has them."""
        if call is not None and call.facts is not None and call.facts.eligible:
            return call
        listed = [c for c in self.calls if c.facts is not None and c.facts.eligible]
        return max(listed, key=lambda c: c.call_date, default=None)

    def eligibility(self, call: ProgrammePage) -> str:
        facts = call.facts
        assert facts is not None
        code = self.q.countries[0]
        country = ph.country(code, self.lang)
        marker = self.cites.cite(call)
        name = self.call_name(call)
        eligible = facts.eligible
        if not eligible:
            return self.page_text(call)
        if code in eligible or ("EU" in eligible and code in _EU27):
            text = self.say("eligible_yes", country=country, call=name)
            fund = next(
                (
                    f.fund
                    for f in facts.funding
                    if code in f.countries or ("EU" in f.countries and code in _EU27)
                ),
                None,
            )
            if fund:
                text += " " + self.say("eligible_fund", fund=fund)
            return f"{text} {marker}"
        refused = _capital(self.say("eligible_no", country=country, call=name))
        return f"{yes_no(self.lang, False)} {refused} {marker}"

    def nup(self, pages: list[ProgrammePage]) -> str:
        """The National URBACT Point of the country asked about; never another country's."""
        points = [p for p in self._nup_pages(pages) if p.kind == "national-point" and p.countries]
        if not self.q.countries:
            listing = next((p for p in pages if p.slug == "national-urbact-points"), None)
            return (
                self.page_text(listing or pages[0])
                if (listing or pages)
                else self.say("nothing", contact=CONTACT_URL)
            )
        lines = []
        for code in self.q.countries:
            country = ph.country(code, self.lang)
            page = next((p for p in points if code in p.countries), None)
            if page is None:
                lines.append(self.say("nup_missing", country=country, contact=CONTACT_URL))
            else:
                lines.append(
                    self.say("nup_page", country=country, title=_nup_title(page))
                    + f" {self.cites.cite(page)}"
                )
        return "\n".join(lines)

    def _nup_pages(self, pages: list[ProgrammePage]) -> list[ProgrammePage]:
        return pages + [p for p in self.points if p not in pages]

    def page_text(self, page: ProgrammePage) -> str:
        """The page's passage that matched the question (else its opening words), in English,
        marked as the card's text, cut short; or the rows of its tables that the question's
        year, place or programme picks out ("the 2026 City Festival" → its row)."""
        head = f"{page.title} {self.cites.cite(page)}"
        if rows := self.table_rows(page):
            label = f"{self.say('card_text')} " if self.lang != "en" else ""
            return f"{head}\n{label}" + "\n".join(rows)
        matched = next((h.passage for h in self.hits if h.card is page and h.passage), "")
        body = plain(page.body)
        at = body.find(plain(matched)[:80]) if matched else -1
        excerpt = _excerpt(body[max(at, 0) :], 420)  # from the passage on (it may be a heading)
        if self.lang != "en":
            return f"{head}\n{self.say('card_text')} {excerpt}"
        return f"{head}\n{excerpt}"


def table_rows(body: str) -> list[list[str]]:
    """The data rows of a page's Markdown tables (not their header rows), as lists of cells."""
    lines = [line.strip() for line in body.splitlines()]
    separator = re.compile(r"\|[\s:|-]+\|")
    rows = []
    for i, line in enumerate(lines):
        is_row = line.startswith("|") and line.endswith("|") and not separator.fullmatch(line)
        header = i + 1 < len(lines) and bool(separator.fullmatch(lines[i + 1]))
        if is_row and not header:
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


TYPES_NEWEST_FIRST = (
    "action", "innovation-transfer", "transfer", "action-planning", "implementation", "pilot",
    "thematic",
)  # fmt: skip

# Roots of "partner"/"member" in the EU languages: "how many partners" is not "how many networks".
_MEMBER_WORDS = re.compile(r"partn|parceir|socio|soci |member|membr|miembr|czlon|clen|leden|lid")
# Roots of "inhabitants"/"population": "a minimum number of inhabitants" is not of partners.
_PEOPLE_WORDS = re.compile(
    r"popul|inhabit|habitant|einwohner|abitant|mieszka|inwoner|obyvatel|lakos|asukas|elanik"
    r"|iedzivotaj|gyventoj|stanovnik|prebival|invanare|indbygger|zhitel|жител|κατοικ|locuitor"
)
_EU27 = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)


def yes_no(lang: str, yes: bool) -> str:
    """The language's own "Yes." or "No." that opens the answer to a yes/no question."""
    return ph.say(lang, "answer_yes" if yes else "answer_no")


def _nup_title(page: ProgrammePage) -> str:
    """The host's own name ("Ministerstvo pro místní rozvoj"), else the page's title, and its
    e-mail address."""
    title, facts = page.title, page.facts
    if facts and facts.host:  # the name the country knows it by, not an English title
        title = facts.host
    if facts and facts.email:
        title += f", {facts.email}"
    return title


def _no_empty_brackets(text: str) -> str:
    """A narrowing by topic has no filter to echo: "match ():" → "match:"."""
    return re.sub(r"\s*\(\s*\)", "", text)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _excerpt(body: str, limit: int) -> str:
    """The body's first sentences up to ``limit`` characters, as plain text."""
    from urbact_assistant.knowledge.passages import sentences

    out = ""
    for sentence in sentences(plain(body)):
        if len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    return out or plain(body)[:limit].rsplit(" ", 1)[0] + "…"


def plain(text: str) -> str:
    """Markdown emphasis and list markers removed: answers are plain text."""
    text = re.sub(r"(?m)^\s*(?:#+\s.*|\*\*[^*\n]+\*\*[.:]?)\s*$", "", text)  # headings
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?!\w)", r"\1", text)
    text = re.sub(r"(?m)^\s*(?:[-*]|\d+\.)\s+", "", text)
    text = re.sub(r"(?m)^\s*\|.*\|\s*$", "", text)  # Markdown tables
    return re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"\1", text)
