"""Read and validate the corpus: network cards and programme pages with YAML front matter.

``parse_card`` is pure (a file name and its text in, a card and problems out); ``load_corpus``
reads a directory and runs the checks that span files (unique slugs and names).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

from urbact_assistant.core.models import (
    FUNDS,
    NETWORK_TYPES,
    PAGE_KINDS,
    PARTY_KINDS,
    PROGRAMMES,
    RULES,
    AnyCard,
    Edition,
    Funding,
    FuzzyDate,
    NetworkCard,
    Party,
    ProgrammeFacts,
    ProgrammePage,
    ProgrammePeriod,
)
from urbact_assistant.errors import CorpusError, Problem
from urbact_assistant.knowledge.countries import hint_for, is_country_code

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
# Wording that presents the network as still running; wrong in the card of an ended network.
ONGOING_WORDING = re.compile(
    r"\b(?:is|are|remains?|still)\s+(?:still\s+)?(?:ongoing|running|active|under\s?way|in progress)\b"
    r"|\bcurrently\b",
    re.IGNORECASE,
)

# ... and wording that presents a call as open, wrong once it has closed.
OPEN_WORDING = re.compile(
    r"\b(?:is|are)\s+(?:now\s+|currently\s+|still\s+)?open\b|\bopen until\b|\bcurrently open\b",
    re.IGNORECASE,
)

_COMMON = {"slug", "sources", "checked", "aliases"}
NETWORK_FIELDS = _COMMON | {
    "name", "type", "programme", "start", "end", "lead_partner", "partners", "themes",
    "partners_unknown", "partners_incomplete",
}  # fmt: skip
NUMBER_WORDS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}  # fmt: skip
# "ten cities", "a partnership of 9 partners", "eight partner cities": a count of the members.
PARTNER_COUNT = re.compile(
    rf"\b(\d{{1,2}}|(?i:{'|'.join(NUMBER_WORDS)}))\s+(?:european\s+|partner\s+|member\s+)?"
    r"(?:partners|cities|municipalities|members|local authorities|towns)\b",
)
MAX_PARTNERS = 12  # larger numbers in a card's text count something else (a region's towns)
NETWORK_REQUIRED = {
    "name",
    "slug",
    "type",
    "programme",
    "lead_partner",
    "themes",
    "sources",
    "checked",
}
PAGE_FIELDS = _COMMON | {
    "title", "kind", "opens", "closes", "network_type", "countries", "approved", "facts",
}  # fmt: skip
INT_FACTS = (
    "partners_min", "partners_max", "budget_max_eur", "expert_budget_eur", "duration_months",
    "networks_approved", "partners_approved", "proposals_received",
)  # fmt: skip
DATE_FACTS = ("approved_on", "runs_from", "runs_to")
TEXT_FACTS = ("host", "email")  # a National URBACT Point's host, in its own language
FACT_FIELDS = {
    *INT_FACTS, *DATE_FACTS, *TEXT_FACTS, "phases", "eligible", "funding", "partners_by_country",
    "editions", "labelled", "periods", "rules",
}  # fmt: skip
PAGE_REQUIRED = {"title", "slug", "kind", "sources", "checked"}


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that leaves dates as text, so a bad date becomes a problem, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Corpus:
    """Every card of the corpus, in file order."""

    networks: list[NetworkCard] = field(default_factory=list)
    pages: list[ProgrammePage] = field(default_factory=list)

    @property
    def cards(self) -> list[AnyCard]:
        return [*self.networks, *self.pages]

    def by_slug(self) -> dict[str, AnyCard]:
        return {c.slug: c for c in self.cards}


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, line where the front matter starts), or None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]).strip(), 2
    return None


class _Lines:
    """Maps front-matter keys (``partners.2.country``) to file line numbers."""

    def __init__(self, node: yaml.Node | None, offset: int):
        self.offset = offset
        self.lines: dict[str, int] = {}
        if node is not None:
            self._walk(node, "")

    def _walk(self, node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = f"{prefix}{key.value}"
                self.lines[path] = key.start_mark.line + self.offset
                self._walk(value, path + ".")
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[f"{prefix}{i}"] = item.start_mark.line + self.offset
                self._walk(item, f"{prefix}{i}.")

    def __call__(self, key: str) -> int:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1


class _Checker:
    """Collects problems for one file while building its card."""

    def __init__(self, path: str, data: dict[str, Any], lines: _Lines):
        self.path, self.data, self.line = path, data, lines
        self.problems: list[Problem] = []

    def error(self, key: str, message: str, fixed: bool = False) -> None:
        self.problems.append(Problem(self.path, self.line(key), message, fixed))

    @property
    def blocking(self) -> bool:
        """A problem that loading cannot fix (fixed ones only fail ``corpus check``)."""
        return any(not p.fixed for p in self.problems)

    def fields(self, allowed: set[str], required: set[str]) -> None:
        for key in sorted(set(self.data) - allowed):
            self.error(key, f"unknown field '{key}'")
        for key in sorted(required - set(self.data)):
            self.problems.append(Problem(self.path, 1, f"missing required field '{key}'"))

    def text(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or not str(value).strip():
            self.error(key, f"'{key}' must be a non-empty string")
            return ""
        return str(value).strip()

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(v, str | int) and str(v).strip() for v in value
        ):
            self.error(key, f"'{key}' must be a list of non-empty strings")
            return ()
        return tuple(str(v).strip() for v in value)

    def date(self, key: str) -> FuzzyDate | None:
        if self.data.get(key) is None:
            return None
        try:
            return FuzzyDate.parse(self.data[key])
        except ValueError as exc:
            self.error(key, f"bad date in '{key}': {exc}")
            return None

    def one_of(self, key: str, choices: Iterable[str]) -> str:
        value = self.text(key)
        if value and value not in choices:
            self.error(key, f"'{key}' must be one of {', '.join(choices)}; got '{value}'")
        return value

    def country(self, key: str, code: object) -> str:
        text = str(code or "").strip()
        if not is_country_code(text):
            self.error(key, f"unknown ISO 3166-1 country code '{text}'{hint_for(text)}")
        return text

    def party(self, key: str, value: object) -> Party | None:
        if not isinstance(value, dict) or not str(value.get("name") or "").strip():
            self.error(key, "a partner needs at least 'name' and 'country'")
            return None
        for extra in sorted(set(value) - {"name", "city", "country", "kind"}):
            self.error(f"{key}.{extra}", f"unknown partner field '{extra}'")
        country = self.country(f"{key}.country", value.get("country"))
        city = str(value.get("city") or "").strip() or None
        kind = str(value.get("kind") or "city").strip()
        if kind not in PARTY_KINDS:
            self.error(f"{key}.kind", f"partner 'kind' must be one of {', '.join(PARTY_KINDS)}")
        return Party(name=str(value["name"]).strip(), country=country, city=city, kind=kind)

    def countries_or_eu(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.error(key, f"'{key}' must be a list of country codes (or EU)")
            return ()
        codes = tuple(str(v).strip() for v in value)
        for i, code in enumerate(codes):
            if code != "EU":
                self.country(f"{key}.{i}", code)
        return codes

    def facts(self) -> ProgrammeFacts | None:
        raw = self.data.get("facts")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.error("facts", "'facts' must be a mapping")
            return None
        for extra in sorted(set(raw) - FACT_FIELDS):
            self.error(f"facts.{extra}", f"unknown fact '{extra}'")
        values: dict[str, Any] = {}
        for key in INT_FACTS:
            if key in raw:
                if not isinstance(raw[key], int) or isinstance(raw[key], bool) or raw[key] < 0:
                    self.error(f"facts.{key}", f"'{key}' must be a whole number")
                else:
                    values[key] = raw[key]
        for key in DATE_FACTS:
            if key in raw:
                try:
                    values[key] = FuzzyDate.parse(raw[key])
                except ValueError as exc:
                    self.error(f"facts.{key}", f"bad date in '{key}': {exc}")
        for key in TEXT_FACTS:
            if key in raw:
                if not isinstance(raw[key], str) or not raw[key].strip():
                    self.error(f"facts.{key}", f"'{key}' must be a text")
                elif key == "email" and not re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", raw[key]):
                    self.error("facts.email", f"not an e-mail address: {raw[key]!r}")
                else:
                    values[key] = raw[key].strip()
        if "phases" in raw:
            phases = raw["phases"]
            if isinstance(phases, list) and all(isinstance(p, str) and p for p in phases):
                values["phases"] = tuple(phases)
            else:
                self.error("facts.phases", "'phases' must be a list of names")
        if "eligible" in raw:
            values["eligible"] = self.countries_or_eu("facts.eligible", raw["eligible"])
        if "partners_by_country" in raw:  # {ES: 25, PT: 22}: the countries a source names
            counts = raw["partners_by_country"]
            if not isinstance(counts, dict) or not all(
                isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in counts.values()
            ):
                self.error("facts.partners_by_country", "country codes with whole numbers")
            else:
                for code in counts:
                    self.country(f"facts.partners_by_country.{code}", str(code))
                values["partners_by_country"] = tuple((str(c), n) for c, n in counts.items())
        funding = []
        for i, item in enumerate(raw.get("funding") or []):
            key = f"facts.funding.{i}"
            if not isinstance(item, dict) or set(item) - {"countries", "fund", "rate"}:
                self.error(key, "a funding entry has 'countries', 'fund' and optional 'rate'")
                continue
            if item.get("fund") not in FUNDS:
                self.error(f"{key}.fund", f"'fund' must be one of {', '.join(FUNDS)}")
                continue
            rate = item.get("rate")
            if rate is not None and (not isinstance(rate, int) or not 0 < rate <= 100):
                self.error(f"{key}.rate", "'rate' must be a percentage (1-100)")
                continue
            countries = self.countries_or_eu(f"{key}.countries", item.get("countries"))
            funding.append(Funding(countries, item["fund"], rate))
        values["funding"] = tuple(funding)
        values.update(self.page_facts(raw))
        pmin, pmax = values.get("partners_min"), values.get("partners_max")
        if pmin is not None and pmax is not None and pmin > pmax:
            self.error("facts.partners_max", "'partners_max' is below 'partners_min'")
        return ProgrammeFacts(**values)

    def page_facts(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The facts of event and programme pages: editions, Good Practices labelled per year,
        the programme's periods, the joining rules stated."""
        values: dict[str, Any] = {}
        editions = []
        for i, item in enumerate(raw.get("editions") or []):
            key = f"facts.editions.{i}"
            if not isinstance(item, dict) or set(item) - {"from", "to", "city", "country"}:
                self.error(key, "an edition has 'from', optional 'to', 'city' and 'country'")
                continue
            try:
                start = FuzzyDate.parse(item.get("from"))
                end = FuzzyDate.parse(item["to"]) if item.get("to") else None
            except ValueError as exc:
                self.error(key, f"bad date in an edition: {exc}")
                continue
            if not isinstance(item.get("city"), str) or not item["city"].strip():
                self.error(f"{key}.city", "an edition names its host city")
                continue
            country = self.country(f"{key}.country", item.get("country"))
            editions.append(Edition(start.year, start, end, item["city"].strip(), country))
        values["editions"] = tuple(editions)
        labelled = raw.get("labelled") or {}
        if not isinstance(labelled, dict) or not all(
            isinstance(y, int) and isinstance(n, int) and n > 0 for y, n in labelled.items()
        ):
            self.error("facts.labelled", "'labelled' maps years to whole numbers")
        else:
            values["labelled"] = tuple(sorted(labelled.items()))
        periods = []
        for i, item in enumerate(raw.get("periods") or []):
            key, fields = f"facts.periods.{i}", {"name", "years", "total_eur", "erdf_eur"}
            fields |= {"approximate", "managing_authority"}
            if (
                not isinstance(item, dict)
                or set(item) - fields
                or item.get("name") not in PROGRAMMES
            ):
                self.error(key, f"a period has a 'name' among {', '.join(PROGRAMMES)} and {fields}")
                continue
            total, erdf = item.get("total_eur"), item.get("erdf_eur")
            if not all(a is None or isinstance(a, int) and a > 0 for a in (total, erdf)):
                self.error(key, "'total_eur' and 'erdf_eur' are whole numbers of euros")
                continue
            periods.append(
                ProgrammePeriod(
                    item["name"], str(item.get("years") or ""), total, erdf,
                    approximate=bool(item.get("approximate")),
                    managing_authority=item.get("managing_authority"),
                )
            )  # fmt: skip
        values["periods"] = tuple(periods)
        rules = raw.get("rules") or []
        if not isinstance(rules, list) or set(rules) - set(RULES):
            self.error("facts.rules", f"'rules' lists some of {', '.join(RULES)}")
        else:
            values["rules"] = tuple(rules)
        return values

    def common(self, body: str, filename: str) -> dict[str, Any]:
        slug = self.text("slug")
        if slug and not SLUG.match(slug):
            self.error("slug", f"slug '{slug}' must be lowercase letters, digits and hyphens")
        elif slug and slug != PurePath(filename).stem:
            self.error("slug", f"slug '{slug}' does not match the file name '{filename}'")
        sources = list(self.strings("sources"))
        if not sources and "sources" in self.data:
            self.error("sources", "at least one source URL is required")
        for i, url in enumerate(sources):
            if not URL.match(url):
                self.error(f"sources.{i}", f"not an http(s) URL: '{url}'")
            elif problem := url_problem(url):
                fixed = url_problem(clean_url(url)) is None
                self.error(f"sources.{i}", f"{problem}: '{url}'", fixed)
                sources[i] = clean_url(url) if fixed else url
        checked = self.date("checked")
        if checked and checked.day is None:
            self.error("checked", "'checked' must be a full date (YYYY-MM-DD)")
        if not body.strip():
            self.problems.append(Problem(self.path, 1, "the body text is empty"))
        return {
            "slug": slug,
            "sources": tuple(sources),
            "checked": checked.first if checked else dt.date.min,
            "aliases": self.strings("aliases"),
            "body": body,
            "path": self.path,
        }


def parse_card(
    path: str, text: str, today: dt.date | None = None
) -> tuple[AnyCard | None, list[Problem]]:
    """Parse one corpus file; ``path`` decides the kind (``networks/`` or ``programme/``)."""
    parts = split_front_matter(text)
    if parts is None:
        return None, [Problem(path, 1, "no YAML front matter (the file must start with '---')")]
    front, body, offset = parts
    try:
        loader = _Loader(front)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + offset if mark else 1
        return None, [Problem(path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}")]
    if not isinstance(data, dict):
        return None, [Problem(path, offset, "the front matter must be a YAML mapping")]
    check = _Checker(path, data, _Lines(node, offset))
    is_network = PurePath(path).parent.name == "networks"
    if is_network:
        card: AnyCard | None = _network(check, body, path, today)
    else:
        card = _page(check, body, path, today)
    return (card if not check.blocking else None), check.problems


def _network(check: _Checker, body: str, path: str, today: dt.date | None) -> NetworkCard | None:
    check.fields(NETWORK_FIELDS, NETWORK_REQUIRED)
    common = check.common(body, PurePath(path).name)
    start, end = check.date("start"), check.date("end")
    if start and end and end.last < start.first:
        check.error("end", "'end' is before 'start'")
    lead = (
        check.party("lead_partner", check.data["lead_partner"])
        if "lead_partner" in check.data
        else None
    )
    raw_partners = check.data.get("partners") or []
    if not isinstance(raw_partners, list):
        check.error("partners", "'partners' must be a list")
        raw_partners = []
    partners = tuple(
        p for i, v in enumerate(raw_partners) if (p := check.party(f"partners.{i}", v)) is not None
    )
    seen: dict[str, int] = {}
    for i, party in enumerate(((lead,) if lead else ()) + partners):
        key = f"{party.name.casefold()}|{party.country}"
        if key in seen:
            where = "lead_partner" if i == 0 else f"partners.{i - (1 if lead else 0)}"
            check.error(where, f"'{party.name}' is listed twice in this network")
        seen[key] = i
    themes = check.strings("themes")
    if "themes" in check.data and not themes:
        check.error("themes", "at least one theme is required")
    unknown = check.data.get("partners_unknown", False)
    if not isinstance(unknown, bool):
        check.error("partners_unknown", "'partners_unknown' must be true or false")
        unknown = False
    if unknown and partners:
        check.error("partners_unknown", "'partners_unknown' is set but partners are listed")
    elif not unknown and not partners:
        check.error(
            "partners",
            "no partners listed: list them, or set 'partners_unknown: true' if no source names them",
        )
    incomplete = check.data.get("partners_incomplete", False)
    if not isinstance(incomplete, bool):
        check.error("partners_incomplete", "'partners_incomplete' must be true or false")
        incomplete = False
    members = len(partners) + (1 if lead else 0)
    if partners and not incomplete:
        for match in PARTNER_COUNT.finditer(body):
            word = match.group(1).lower()
            stated = int(word) if word.isdigit() else NUMBER_WORDS[word]
            if members < stated <= MAX_PARTNERS:  # fewer is usually a subset ("three partners")
                check.error(
                    "partners",
                    f"the text says '{match.group(0)}' but {members} members are listed; "
                    "complete the list, fix the text, or set 'partners_incomplete: true'",
                )
                break
    card = NetworkCard(
        title=check.text("name"),
        type=check.one_of("type", NETWORK_TYPES),
        programme=check.one_of("programme", PROGRAMMES),
        start=start,
        end=end,
        lead_partner=lead,
        partners=partners,
        themes=themes,
        partners_unknown=unknown,
        partners_incomplete=incomplete,
        **common,
    )
    if today and card.status(today) == "ended" and (m := ONGOING_WORDING.search(body)):
        check.problems.append(
            Problem(
                path,
                1,
                f"the network ended on {end.iso() if end else '?'} "
                f"but its text says '{m.group(0)}'",
            )
        )
    return card


def _page(check: _Checker, body: str, path: str, today: dt.date | None) -> ProgrammePage | None:
    check.fields(PAGE_FIELDS, PAGE_REQUIRED)
    common = check.common(body, PurePath(path).name)
    kind = check.one_of("kind", PAGE_KINDS)
    opens, closes = check.date("opens"), check.date("closes")
    if (opens or closes) and kind != "call":
        check.error("opens" if opens else "closes", "'opens'/'closes' are only for kind: call")
    if opens and closes and closes.last < opens.first:
        check.error("closes", "'closes' is before 'opens'")
    network_type = check.text("network_type") or None
    if network_type and network_type not in NETWORK_TYPES:
        check.error("network_type", f"unknown network type '{network_type}'")
    countries = check.strings("countries")
    for i, code in enumerate(countries):
        check.country(f"countries.{i}", code)
    approved = check.strings("approved")
    if approved and kind != "call":
        check.error("approved", "'approved' is only for kind: call")
    page = ProgrammePage(
        title=check.text("title"),
        kind=kind,
        opens=opens,
        closes=closes,
        network_type=network_type,
        countries=countries,
        approved=approved,
        facts=check.facts(),
        **common,
    )
    if today and page.call_status(today) == "closed" and (m := OPEN_WORDING.search(body)):
        check.problems.append(
            Problem(
                path,
                1,
                f"the call closed on {closes.iso() if closes else '?'} "
                f"but its text says '{m.group(0)}'",
            )  # fmt: skip
        )
    return page


def url_problem(url: str) -> str | None:
    """What is wrong with a source URL users will see, or None: no user names, no odd hosts,
    https for urbact.eu."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "a malformed URL"
    if parts.username or parts.password or "@" in parts.netloc:
        return "a user name in the URL"
    if parts.netloc.endswith(".") or host.endswith(".") or "." not in host:
        return "an odd host in the URL"
    if re.fullmatch(r"[\d.]+|\[.*\]", host):
        return "an IP address instead of a host name"
    if parts.scheme == "http" and (host == "urbact.eu" or host.endswith(".urbact.eu")):
        return "use https for urbact.eu"
    return None


def clean_url(url: str) -> str:
    """``url`` as users should see it: no user name, a lower-case host without a trailing
    dot, https for urbact.eu. A malformed URL comes back unchanged."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme == "http" and (host == "urbact.eu" or host.endswith(".urbact.eu")):
        scheme = "https"
    return urlunsplit((scheme, host + port, parts.path, parts.query, parts.fragment))


def corpus_files(root: Path) -> list[Path]:
    """The card files under ``root``, in a stable order."""
    return sorted([*root.glob("networks/*.md"), *root.glob("programme/*.md")])


def check_corpus(root: Path, today: dt.date | None = None) -> tuple[Corpus, list[Problem]]:
    """Parse every file under ``root`` and run the cross-file checks."""
    corpus, problems = Corpus(), []
    if not (root / "networks").is_dir():
        return corpus, [Problem(str(root), 0, "not a corpus directory (no networks/ folder)")]
    slugs: dict[str, str] = {}
    names: dict[str, str] = {}
    for file in corpus_files(root):
        shown = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, 1, f"cannot read the file: {exc}"))
            continue
        card, found = parse_card(shown, text, today)
        problems += found
        if card is None:
            continue
        for key, seen, what in ((card.slug, slugs, "slug"), (card.title.casefold(), names, "name")):
            if key in seen:
                problems.append(
                    Problem(shown, 2, f"duplicate {what} '{key}' (also in {seen[key]})")
                )
            seen.setdefault(key, shown)
        if isinstance(card, NetworkCard):
            corpus.networks.append(card)
        else:
            corpus.pages.append(card)
    networks = {n.slug for n in corpus.networks}
    for page in corpus.pages:
        for slug in page.approved:
            if slug not in networks:
                problems.append(Problem(page.path, 1, f"approved network '{slug}' has no card"))
    if not corpus.networks and all(p.fixed for p in problems):
        problems.append(Problem(str(root), 0, "the corpus has no network cards"))
    return corpus, problems


def load_corpus(root: Path, today: dt.date | None = None) -> Corpus:
    """Load a valid corpus or raise ``CorpusError`` listing every problem; source URLs with
    a fixable problem (a user name, a trailing dot) are loaded cleaned."""
    corpus, problems = check_corpus(root, today)
    if blocking := [p for p in problems if not p.fixed]:
        raise CorpusError(blocking)
    return corpus
