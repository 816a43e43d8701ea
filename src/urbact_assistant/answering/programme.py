"""Programme answers from data: calls open today, partners per network, budgets, a country's
eligibility and its National URBACT Point, the network types, a page's table rows; else the
page's own words, marked as the card's text. A part of the composer (``compose._Plan``), kept
apart to keep each module small."""

from __future__ import annotations

import datetime as dt
import re

from urbact_assistant.answering.wording import CONTACT_URL, Citations, plain, yes_no
from urbact_assistant.answering.wording import capital as _capital
from urbact_assistant.answering.wording import excerpt as _excerpt
from urbact_assistant.core import phrases as ph
from urbact_assistant.core.models import (
    Edition,
    FuzzyDate,
    Hit,
    ProgrammeFacts,
    ProgrammePage,
    Query,
)
from urbact_assistant.core.text import fold
from urbact_assistant.knowledge.countries import EU27
from urbact_assistant.understanding.lexicon import words_of_every_language


class ProgrammeAnswers:
    """The composer's programme plans; ``_Plan`` supplies the question, language and citations."""

    q: Query
    lang: str
    today: dt.date
    hits: list[Hit]
    cites: Citations
    calls: list[ProgrammePage]
    points: list[ProgrammePage]
    types: list[ProgrammePage]
    every_page: list[ProgrammePage]

    def say(self, key: str, n: int | None = None, **values: object) -> str:
        return ph.say(self.lang, key, n, **values)

    def programme(self, pages: list[ProgrammePage]) -> str | None:
        """A programme fact from data: calls open today, partners per network, budgets,
        eligibility of a country, a country's National URBACT Point; None when the question
        asks none of these (the best page's own words are then given)."""
        q, asks = self.q, set(self.q.asks) - {"which"}
        if "nup" in q.intents:
            return self.nup(pages)
        if (found := self.page_facts(pages)) is not None:
            return found
        if "network-types" in q.concepts and not (q.countries or asks & {"partners", "budget"}):
            return self.network_types()
        text = fold(q.text)
        said = set(re.findall(r"\w+", text))
        of_networks = bool(said & words_of_every_language("network"))
        for page in pages:  # "when was the City Festival in Wrocław?": its table row, not a call
            subject = any(page.slug in (c, f"urbact-{c}") for c in q.concepts) or (
                q.programme and "budget" in asks and not (q.type or q.years or of_networks)
            )  # "the budget of URBACT III" is the programme's, not a network's
            its_own = subject and page.kind != "call" and not page.network_type
            if its_own and (rows := self.table_rows(page)):
                return self.page_text(page, rows)
        # "Is a call open?" asks about today; "when did the 2018 call close?" about that call.
        asks_now = ("status" in asks or q.status in ("upcoming", "ongoing")) and not q.years
        if "open" in asks and not q.years or ("call" in q.intents and asks_now):
            return self.calls_today()
        call = self.call_for(pages)
        # not "komt daar nog geld bij?" ("still" is not always about being open)
        yes_no_asked = ("open" in asks or "status" in asks) and not asks & {"when", "budget"}
        if call is not None and q.years and yes_no_asked:
            # "Is the 2026 call still open?": yes or no for that call, then its dates
            found = self.call_when(call)
            if found and call.call_status(self.today) in ("open", "closed"):
                return self._verdict(True, call.call_status(self.today) == "open", found)
        # not "Quantos parceiros portugueses entraram nas redes de 2025?": a count
        partners_counted = (
            "count" in asks
            and ("partners" in asks or _MEMBER_WORDS.search(text))
            and "eligibility" not in q.intents  # not "Could a Ukrainian city be one of them?"
        )
        joining = "eligibility" in q.intents or "join" in q.intents or not asks
        if q.countries and joining and not partners_counted:
            # "Can Moldovan cities take part?" is about today's rules: the latest call, unless
            # the question names a call's year or network type
            rules = self.eligibility_rules(call if q.years or q.type else None)
            if rules is not None:
                return self.eligibility(rules)
        if call is not None and call.facts is not None:
            of_members = bool(_MEMBER_WORDS.search(text))
            of_cities = bool(said & words_of_every_language("city"))
            count = (
                "count" in asks
                and "partners" not in asks
                and not (of_members or of_cities)
                and of_networks
                and call.facts.networks_approved
            )
            partners_asked = of_members or of_cities or "partners" in asks
            counted = "count" in asks and q.countries and partners_asked
            if counted and (found := self.partners_from(call)):  # "Spanish partners in 2023?"
                return found
            if {"count", "proposals"} <= asks and call.facts.proposals_received:  # "how many bids?"
                figures = self.say("proposals_received", n=call.facts.proposals_received)
                if call.facts.networks_approved:
                    figures += " " + self.approved_figures(call, partners=False)
                return _capital(f"{self.call_name(call)}: {figures} {self.cites.cite(call)}")
            # "Is there a minimum number of inhabitants?" counts neither networks nor partners
            of_people = bool(_PEOPLE_WORDS.search(text))
            count_rule = self.partners_rule if (of_members or of_cities) and not of_people else None
            answers = [
                ("count", self.approved if count else count_rule),
                ("partners", self.partners_rule),
                ("budget", self.budget),
                ("when", self.call_when),
            ]
            if "budget" in asks and not of_members:  # "how much budget…" is not "how many"
                answers.insert(0, answers.pop(2))
            for kind, answer in answers:
                if kind in asks and answer is not None and (found := answer(call)):
                    return found
        if call is not None and "call" in q.intents and "when" in asks:
            return self.call_when(call)
        # "Quel est le dernier appel URBACT ?": that call's dates, in the asker's language
        best = pages[0] if pages and "call" in q.intents and not asks else None
        if best is not None and best.kind == "call" and (found := self.call_when(best)):
            return found
        if pages:
            return self.page_text(pages[0])
        return None

    def page_facts(self, pages: list[ProgrammePage]) -> str | None:
        """A fact the programme's own pages hold as data: an event's edition, how many Good
        Practices were labelled, the programme's budget or Managing Authority, a joining rule."""
        q, asks, concepts = self.q, set(self.q.asks), set(self.q.concepts)
        pool = pages + [p for p in self.every_page if p not in pages]
        with_facts = [(p, p.facts) for p in pool if p.facts is not None]
        for page, facts in with_facts:
            if facts.editions and any(page.slug in (c, f"urbact-{c}") for c in concepts):
                return self.editions(page, facts.editions)
        if "good-practice" in concepts and "count" in asks:
            found = next(((p, f.labelled) for p, f in with_facts if f.labelled), None)
            if found is not None:
                return self.labelled(*found)
        of_programme = "urbact-programme" in concepts or q.programme is not None
        text = set(re.findall(r"\w+", fold(q.text)))
        own_budget = "budget" in asks and of_programme and not (q.type or q.years or q.networks)
        if (
            "managing-authority" in concepts
            or own_budget
            and not text & words_of_every_language("network")
        ):
            return self.period_facts(with_facts, managing="managing-authority" in concepts)
        return self.rules(with_facts)

    def editions(self, page: ProgrammePage, editions: tuple[Edition, ...]) -> str:
        """The edition the question names by year or host city; else the next one, or the
        latest and the list of every edition the card knows."""
        q = self.q
        names = _name_starts(q.text)
        picked = [e for e in editions if e.year in q.years] or [
            e for e in editions if fold(e.city)[:5] in names
        ]
        upcoming = [e for e in editions if e.start.first > self.today]
        shown = picked[:2] or upcoming[:1] or [editions[-1]]
        event = re.sub(r"\s*\(.*?\)", "", page.title)
        # "When is the next City Festival?": none announced in the card, then the latest
        next_asked = not picked and (q.status == "upcoming" or "when" in q.asks)
        lines = [self.say("event_none_next", event=event)] if next_asked and not upcoming else []
        for e in shown:
            where = f"{ph.place(e.city, self.lang, e.country)} ({ph.country(e.country, self.lang)})"
            key = "event_next" if e.start.first > self.today else "event_past"
            when = ph.days(e.start, e.end, self.lang)
            lines.append(self.say(key, event=event, year=e.year, place=where, dates=when))
        if not picked:
            every = ", ".join(
                f"{e.year} {ph.place(e.city, self.lang, e.country)}" for e in editions
            )
            lines.append(self.say("event_editions", editions=every))
        return f"{' '.join(lines)} {self.cites.cite(page)}"

    def labelled(self, page: ProgrammePage, labelled: tuple[tuple[int, int], ...]) -> str:
        """ "How many Good Practices were labelled in 2024?": that year's count, else each year's."""
        asked = [(y, n) for y, n in labelled if y in self.q.years] or list(labelled)
        lines = [self.say("good_practices_labelled", n=n, year=y) for y, n in asked]
        return f"{' '.join(lines)} {self.cites.cite(page)}"

    def period_facts(
        self, with_facts: list[tuple[ProgrammePage, ProgrammeFacts]], managing: bool
    ) -> str | None:
        """The budget or the Managing Authority of the programme period asked (else today's)."""
        found = next(((p, f.periods) for p, f in with_facts if f.periods), None)
        if found is None:
            return None
        page, periods = found
        period = next((p for p in periods if p.name == self.q.programme), None) or next(
            (p for p in periods if str(self.today.year) <= p.years[-4:]), periods[0]
        )  # "2021–2027" runs until the end of 2027
        if managing and period.managing_authority:
            text = self.say(
                "managing_authority", programme=period.name, body=period.managing_authority
            )
        elif not managing and period.total_eur and period.erdf_eur:
            about = "≈ " if period.approximate else ""
            total, erdf = (
                about + ph.money(a, self.lang) for a in (period.total_eur, period.erdf_eur)
            )
            text = self.say(
                "programme_budget",
                programme=period.name,
                period=period.years,
                total=total,
                erdf=erdf,
            )
        else:
            return None
        return f"{text} {self.cites.cite(page)}"

    def rules(self, with_facts: list[tuple[ProgrammePage, ProgrammeFacts]]) -> str | None:
        """A joining rule the question asks about: a minimum population, NGOs taking part, who
        may lead a Transfer Network."""
        q, concepts = self.q, set(self.q.concepts)
        joining = bool({"join", "eligibility"} & set(q.intents) or "how-to-join" in concepts)
        wanted = []
        if q.type == "transfer" and ("lead" in q.asks or "lead-partner" in concepts):
            wanted.append("tn_lead")
        if joining and _PEOPLE_WORDS.search(fold(q.text)) and not q.networks:
            wanted.append("population")
        if joining and "ngos-civil-society" in concepts and not q.networks:
            wanted.append("ngos")
        # "Who can be a partner in an URBACT network?": not how many, nor from which country
        named = q.countries or q.networks or q.cities or {"count", "lead"} & set(q.asks)
        if joining and _MEMBER_WORDS.search(fold(q.text)) and not (named or wanted):
            wanted.append("partners")
        lines = []
        for rule in wanted:
            page = next((p for p, f in with_facts if rule in f.rules), None)
            if page is not None:
                lines.append(f"{self.say(f'rule_{rule}')} {self.cites.cite(page)}")
        return "\n".join(lines) if lines else None

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
        if self.q.years and facts.networks_approved:  # "… in the 2025 networks?": what came of it
            text = f"{_capital(text)} {self.approved_figures(call, partners=True)}"
        return _capital(f"{text} {marker}")

    def approved(self, call: ProgrammePage) -> str | None:
        facts = call.facts
        assert facts is not None
        if not facts.networks_approved:
            return None
        partners = "partners" in self.q.asks  # "… and with how many partners?"
        text = f"{self.call_name(call)}: {self.approved_figures(call, partners)}"
        return _capital(f"{text} {self.cites.cite(call)}")

    def approved_figures(self, call: ProgrammePage, partners: bool) -> str:
        """How many networks the call approved and when (and with how many partners)."""
        facts = call.facts
        assert facts is not None and facts.networks_approved
        day = facts.approved_on
        when = ph.date(day, self.lang) if day else str(call.title)
        if isinstance(day, FuzzyDate) and day.day is None:  # "on May 2023" reads wrong
            said = self.say("approved_count", n=facts.networks_approved, date=when)
        else:
            said = self.say("approved", facts.networks_approved, date=when)
        if facts.partners_approved and partners:
            said += " " + self.say("approved_partners", n=facts.partners_approved)
        return said

    def partners_from(self, call: ProgrammePage) -> str | None:
        """How many approved partners came from the countries asked, where a source counts
        them; else the countries it counts."""
        facts = call.facts
        assert facts is not None
        counts = dict(facts.partners_by_country)
        if not counts:
            return None
        name, total = self.call_name(call), facts.partners_approved
        asked = [c for c in self.q.countries if c in counts]
        if asked:
            lines = [
                self.say("partners_from", country=ph.country(c, self.lang), n=counts[c], call=name)
                for c in asked
            ]
            if total:
                lines.append(self.say("approved_partners", n=total))
        else:
            listed = [f"{ph.country(c, self.lang)} {n}" for c, n in counts.items()]
            lines = [self.say("partners_leaders", call=name, counts=ph.join(listed, self.lang))]
        return _capital(f"{' '.join(lines)} {self.cites.cite(call)}")

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
                    end=f"{ph.date(facts.runs_to, self.lang)} "
                    f"({ph.months(facts.runs_from, facts.runs_to, self.lang)})",
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
        if code in eligible or ("EU" in eligible and code in EU27):
            text = self.say("eligible_yes", country=country, call=name)
            fund = next(
                (
                    f.fund
                    for f in facts.funding
                    if code in f.countries or ("EU" in f.countries and code in EU27)
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

    def page_text(self, page: ProgrammePage, rows: list[str] | None = None) -> str:
        """The page's passage that matched the question (else its opening words), in English,
        marked as the card's text, cut short; or the rows of its tables that the question's
        year, place or programme picks out ("the 2026 City Festival" → its row; ``rows`` when
        they were already picked)."""
        head = f"{page.title} {self.cites.cite(page)}"
        if rows := rows if rows is not None else self.table_rows(page):
            label = f"{self.say('card_text')} " if self.lang != "en" else ""
            return f"{head}\n{label}" + "\n".join(rows)
        matched = next((h.passage for h in self.hits if h.card is page and h.passage), "")
        body = plain(page.body)
        at = body.find(plain(matched)[:80]) if matched else -1
        excerpt = _excerpt(body[max(at, 0) :], 420)  # from the passage on (it may be a heading)
        if self.lang != "en":
            return f"{head}\n{self.say('card_text')} {excerpt}"
        return f"{head}\n{excerpt}"

    def table_rows(self, page: ProgrammePage) -> list[str]:
        """Rows of the page's tables that name the question's year, city or programme (one to
        three of them), each as "cell — cell — cell"."""
        q = self.q
        keys = [str(y) for y in q.years] + [fold(c) for c in q.cities]
        keys += [fold(q.programme)] if q.programme else []
        names = _name_starts(q.text)
        rows = table_rows(page.body)
        picked = []
        for cells in rows:
            text = fold(" | ".join(cells))
            named = {n for n in names if re.search(rf"(?<!\w){re.escape(n)}", text)}
            if any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text) for k in keys) or (
                named and all(self._selective(n, rows) for n in named)
            ):
                picked.append(_excerpt(" — ".join(plain(c) for c in cells[:4]), 240))
        return picked if 0 < len(picked) <= 3 else []

    @staticmethod
    def _selective(prefix: str, rows: list[list[str]]) -> bool:
        """A word start that only one row has ("wrocl"), not one every row has ("urbac")."""
        having = [r for r in rows if re.search(rf"(?<!\w){re.escape(prefix)}", fold(" ".join(r)))]
        return len(having) == 1


def _name_starts(text: str) -> set[str]:
    """The first letters of the names a question says after its first word: a name in another
    grammatical case ("we Wrocławiu") matches by them."""
    return {fold(w)[:5] for w in re.findall(r"\w+", text)[1:] if w[:1].isupper()}


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
_MEMBER_WORDS = re.compile(
    r"partn|partenai|parceir|socio|soci |member|membr|miembr|czlon|clen|leden|lid"
)
# Roots of "inhabitants"/"population": "a minimum number of inhabitants" is not of partners.
_PEOPLE_WORDS = re.compile(
    r"popul|inhabit|habitant|einwohner|abitant|mieszka|inwoner|obyvatel|lakos|asukas|elanik"
    r"|iedzivotaj|gyventoj|stanovnik|prebival|invanare|indbygger|zhitel|жител|κατοικ|locuitor"
)


def _nup_title(page: ProgrammePage) -> str:
    """The host's own name ("Ministerstvo pro místní rozvoj"), else the page's title, and its
    e-mail address."""
    title, facts = page.title, page.facts
    if facts and facts.host:  # the name the country knows it by, not an English title
        title = facts.host
    if facts and facts.email:
        title += f", {facts.email}"
    return title
