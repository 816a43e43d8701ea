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

from urbact_assistant.answering.programme import ProgrammeAnswers
from urbact_assistant.answering.wording import CONTACT_URL, Citations, yes_no
from urbact_assistant.answering.wording import capital as _capital
from urbact_assistant.answering.wording import no_empty_brackets as _no_empty_brackets
from urbact_assistant.core import phrases as ph
from urbact_assistant.core.models import (
    Answer,
    NetworkCard,
    ProgrammePage,
    Query,
    Retrieval,
)
from urbact_assistant.core.text import fold

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


class _Plan(ProgrammeAnswers):
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
        self.every_page = list(retrieval.programme)

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
        # "how many Ukrainian partners were approved in the 2025 networks?": a call's figure
        a_calls_count = q.years and q.countries and {"count", "partners"} <= set(q.asks)
        programme_asked = q.kind == "join" or not networks or a_calls_count
        if programme_asked and (pages or q.intents or set(q.asks) - {"which"}):
            found = self.programme(pages)
            if found:
                return found
        verdict = f"{yes_no(self.lang, bool(networks))} " if q.exists else ""  # "Is there …?"
        if networks:  # with a country filter, each line says which city leads or takes part
            head = verdict + self.say("list_head", len(networks))
            return self.listing(networks, head, self.why(networks))
        if q.countries or q.status or q.type:
            return verdict + self.say("filters_none", filters=self.filters())
        return self.say("nothing", contact=CONTACT_URL)

    # -- networks -------------------------------------------------------------------

    def network(self, networks: list[NetworkCard]) -> str:
        """A named network: the asked attribute first, then its one-line identity."""
        card = networks[0]
        marker = self.cites.cite(card)
        asks = set(self.q.asks)
        if "exists" in asks and "no-edition" in self.hits[0].reasons:  # no other edition
            none = self.say("edition_none", network=card.name)
            return f"{yes_no(self.lang, False)} {none} {marker}\n{self.identity(card)}"
        first: list[str] = []
        led_from = bool(self.q.countries and self.q.led_by)  # "is it led by a Dutch city?"
        if "lead" in asks and not self.names_lead(card) and not led_from:
            first.append(self.lead(card))  # not "P.A.R.K.S., led by Perugia, …"
        # "Is Rhodes in it?", "Vai Rīga ir 2Nite partneris?": yes or no about that city (not
        # "the partners of Piraeus's BluAct", a network named by its lead)
        city_asked = (
            self.q.city_slugs
            and not asks & {"lead", "when", "status", "count", "which"}
            and not self.names_lead(card)
        )
        # "a Romanian city in it?": yes or no about its partners from there
        countries_asked = bool(self.q.countries) and ("lead" not in asks or led_from)
        if countries_asked:
            first.append(self.members_from(card, self.q.countries, self.q.led_by))
        elif city_asked:
            first.append(self.member_city(card))
        elif asks & {"partners", "count"}:
            first.append(self.members(card))
        if asks & {"when", "status"} or self.q.status:
            period = self.period(card)
            # "is it still running?": yes or no first; not "when does it end?"
            known = card.status(self.today) != "unknown"  # no yes or no without dates
            status_asked = "status" in asks or (self.q.status and "when" not in asks)
            if known and status_asked and not countries_asked:  # one yes or no per answer
                wanted = self.q.status or "ongoing"
                period = f"{yes_no(self.lang, card.status(self.today) == wanted)} {period}"
            first.append(period)
        lines = [f"{' '.join(first)} {marker}"] if first else []
        lines.append(self.identity(card) + ("" if first else f" {marker}"))
        if not first and card.lead_partner:
            lines.append(self.say("lead_line", lead=self.party(card.lead_partner)))
        if (not first or "about" in asks) and card.themes:  # "and what is it about?"
            lines.append(self.say("themes_line", themes=", ".join(card.themes[:6])))
        for other in networks[1:3]:  # later editions ("Tech Revolution 2.0")
            lines.append(f"{self.identity(other)} {self.cites.cite(other)}")
        if "exists" in asks:  # "did it have a second edition?": yes, this one
            lines[0] = f"{yes_no(self.lang, True)} {lines[0]}"
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
        besides = {fold(place) for place in self.q.besides}  # "other French cities"
        found = [
            self.party(p)
            for p in parties
            if p.country in countries and not besides & {fold(p.place), fold(p.name)}
        ]
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
            verdict = head.startswith((yes_no(self.lang, True), yes_no(self.lang, False)))
            filters = self.filters(places=self.q.kind != "city")  # not "Filters: Ljubljana"
            lines.insert(int(verdict), self.say("filters", filters=filters))  # yes or no first
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
            lead = ""
            if card.lead_partner is not None:
                town = ph.place(card.lead_partner.place, self.lang, card.lead_partner.country)
                lead = f"{town} ({self.say('role_lead')})"
            if q.led_by and lead:
                shown[card.slug] = lead
            elif q.countries:
                places = [
                    ph.place(p.place, self.lang, p.country)
                    for p in card.members
                    if p.country in q.countries
                ]
                if places:
                    shown[card.slug] = ph.join(list(dict.fromkeys(places))[:4], self.lang)
            if "lead" in q.asks and lead and not q.led_by:  # "… and who leads it?"
                shown[card.slug] = "; ".join(filter(None, (shown.get(card.slug), lead)))
        return shown

    def filters(self, places: bool = True) -> str:
        q, parts = self.q, []
        if q.status:
            parts.append(ph.status_word(q.status, self.lang))
        if q.type:
            parts.append(ph.type_name(q.type, self.lang))
        if q.programme:
            parts.append(q.programme)
        if q.led_by:
            parts.append(self.say("role_lead"))
        if (q.led_by or q.filter_only) and places:  # "which of those did Koszalin lead?"
            parts += [ph.place(c, self.lang) for c in q.cities]
        parts += [ph.country(c, self.lang) for c in q.countries]
        return ", ".join(parts)

    # -- cities ---------------------------------------------------------------------

    def city(self, networks: list[NetworkCard]) -> str:
        """Yes and the city's networks (newest first), with its role; or an honest no."""
        if not networks:
            city = ", ".join(self.q.cities) or self.q.text
            none = self.say("city_none", city=city, contact=CONTACT_URL)
            return f"{yes_no(self.lang, False)} {none}"  # "Is Galway in a network?": no
        if all("unfiltered" in h.reasons for h in self.hits):  # none of its networks is ongoing
            city = ph.join([ph.place(c, self.lang) for c in self.q.city_slugs], self.lang)
            head = self.say("city_filtered_none", city=city, filters=self.filters(places=False))
            return self.listing(networks, f"{yes_no(self.lang, False)} {head}", echo=False)
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
                elif len(led) == 1 and len(self.q.city_slugs) == 1:  # "Ravenna guida qualche …?"
                    marker = self.cites.cite(led[0])  # yes, that one: it is "it" from now on
                    lead = f"{yes_no(self.lang, True)} {self.lead(led[0])} {marker}"
                    return f"{lead}\n{self.identity(led[0])}"
                elif "which" in self.q.asks:  # "Alba Iulia ce rețele a condus?": those it led
                    cards, head = led, self.say("city_led_head", len(led), city=name)
            blocks.append(self.listing(cards, head, roles))
        return (
            "\n\n".join(blocks)
            if blocks
            else self.listing(networks, self.say("list_head", len(networks)))
        )

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
