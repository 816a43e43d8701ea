"""Words a user reads, in their language: the UI and answer texts of ``data/ui/<lang>.yaml``
and the locale data of Babel (dates, numbers, country names, list joins, plural categories).

Each language file has three sections: ``commands`` (the bot's command descriptions), ``texts``
(labels and messages: status words, network types...) and ``answers`` (the sentence frames of
answers). A value is a string with ``{name}`` fields, or, where a number decides the wording, a
mapping from CLDR plural categories (``one``, ``few``, ``many``, ``other``...) to strings. A key
missing in a language falls back to English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from urbact_assistant.core.models import FuzzyDate, NetworkCard

SECTIONS = ("commands", "texts", "answers")


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a file, English first."""
    folder = files("urbact_assistant").joinpath("data", "ui")
    codes = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
    return ("en", *(c for c in codes if c != "en"))


@cache
def catalogue(lang: str) -> dict[str, dict[str, Any]]:
    """The sections of one language's file (empty ones when it has no file)."""
    resource = files("urbact_assistant").joinpath("data", "ui", f"{lang}.yaml")
    data = yaml.safe_load(resource.read_text(encoding="utf-8")) if resource.is_file() else {}
    return {part: dict((data or {}).get(part) or {}) for part in SECTIONS}


def raw(lang: str, key: str, section: str = "texts") -> Any:
    """The value of ``key`` in ``lang`` (English when the language lacks it)."""
    found = catalogue(lang)[section].get(key)
    return found if found is not None else catalogue("en")[section][key]


def plural(lang: str, n: int) -> str:
    """The CLDR plural category of ``n`` in ``lang``."""
    return str(_locale(lang).plural_form(abs(n)))


def say(lang: str, key: str, n: int | None = None, **values: object) -> str:
    """An answer frame of ``lang`` with ``values`` filled in (``n`` chooses the plural form
    and is also available as ``{n}``)."""
    value = raw(lang, key, "answers")
    if isinstance(value, dict):
        value = value.get(plural(lang, n or 0)) or value.get("other") or next(iter(value.values()))
    if n is not None:
        values.setdefault("n", number(n, lang))
    return str(value).format(**values)


def label(lang: str, key: str) -> str:
    """A short UI text (a status word, a network type's name...)."""
    return str(raw(lang, key, "texts"))


# -- locale data (Babel) ------------------------------------------------------------------


@cache
def _locale(lang: str) -> Any:
    from babel import Locale

    try:
        return Locale.parse(lang)
    except Exception:
        return Locale.parse("en")


def number(n: int, lang: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=_locale(lang)))


def money(amount: int, lang: str) -> str:
    """``750 000 €`` / ``€750,000``: euros without cents, in the locale's own pattern."""
    from babel.numbers import format_currency

    pattern = _locale(lang).currency_formats["standard"].pattern
    pattern = pattern.split(";")[0].replace(".00", "").replace(",00", "")
    return str(format_currency(amount, "EUR", pattern, locale=_locale(lang), currency_digits=False))


def date(value: dt.date | FuzzyDate, lang: str, short: bool = False) -> str:
    """A date as precise as it is known: ``17 juin 2026``, ``déc. 2025`` / ``décembre 2025``,
    ``2025``."""
    from babel.dates import format_date, format_skeleton

    if isinstance(value, dt.date):
        return str(format_date(value, "long", locale=_locale(lang)))
    if value.month is None:
        return str(value.year)
    if value.day is None:
        return str(format_skeleton("yMMM" if short else "yMMMM", value.first, locale=_locale(lang)))
    return str(format_date(value.first, "medium" if short else "long", locale=_locale(lang)))


def days(start: FuzzyDate, end: FuzzyDate | None, lang: str) -> str:
    """``8–10 avril 2025``: a span of days as the language writes it (one date when ``end`` is
    unknown or the same day)."""
    from babel.dates import format_interval

    if end is None or start.day is None or end.day is None or end == start:
        return date(start, lang)
    return str(format_interval(start.first, end.first, "yMMMMd", locale=_locale(lang)))


def months(start: FuzzyDate, end: FuzzyDate, lang: str) -> str:
    """``30 maanden``: how long a span of whole months lasts, in the language's own words."""
    from babel.dates import format_timedelta

    days = (end.last - start.first).days + 1
    whole = round(days / 30.4375)  # a mean month; Babel counts a month as 30 days
    span = dt.timedelta(days=30 * whole)
    return str(format_timedelta(span, granularity="month", threshold=1000, locale=_locale(lang)))


def period(card: NetworkCard, lang: str) -> str:
    """``juin 2023 – déc. 2025`` (months short); empty when no date is known."""
    start, end = (_month(d) if d else None for d in (card.start, card.end))
    if start and end:
        return f"{date(start, lang, True)} – {date(end, lang, True)}"
    if start or end:
        known = start or end
        assert known is not None
        key = "period.from" if start else "period.until"
        return label(lang, key).format(date=date(known, lang, True))
    return ""


def _month(value: FuzzyDate) -> FuzzyDate:
    """A period reads in months: ``juin 2023 – déc. 2025``."""
    return FuzzyDate(value.year, value.month)


def country(code: str, lang: str) -> str:
    """A country's name in ``lang`` (``NO`` → ``Norvège``)."""
    name = _locale(lang).territories.get(code)
    if name:
        return str(name)
    import pycountry

    found = pycountry.countries.get(alpha_2=code)
    return str(found.name) if found else code


@cache
def _local_names() -> dict[str, dict[str, str]]:
    text = files("urbact_assistant").joinpath("data", "local_names.yaml").read_text("utf-8")
    return {
        str(k): {str(n): str(v) for n, v in names.items()}
        for k, names in yaml.safe_load(text).items()
    }


def place(name: str, lang: str, country: str | None = None) -> str:
    """A partner place as readers of ``lang`` write it when it lies in a country that speaks
    ``lang`` in another script (``Rethymno`` → ``Ρέθυμνο`` in Greek); else ``name``."""
    from babel.languages import get_official_languages

    for code, names in _local_names().items():
        mine = lang in get_official_languages(code, de_facto=True)
        if mine and (country is None or code == country) and name in names:
            return names[name]
    return name


def join(items: Iterable[str], lang: str) -> str:
    """``A, B et C``."""
    from babel.lists import format_list

    listed = list(items)
    return str(format_list(listed, locale=_locale(lang))) if listed else ""


def language_name(code: str, lang: str, capital: bool = True) -> str:
    """A language's name in ``lang`` (``language_name("pl", "pl")`` → ``Polski``); with
    ``capital=False`` as written inside a sentence (``français``, but ``Deutsch``)."""
    name = str(_locale(code).get_display_name(_locale(lang)) or code)
    return name[:1].upper() + name[1:] if capital else name


def sort_key(name: str) -> str:
    """A key that sorts names the way a reader looks for them: accents and case ignored
    (``Ísland`` next to ``Irlanda``, not after ``Zypern``)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def type_name(network_type: str, lang: str) -> str:
    """A network type's name in ``lang`` (``transfer`` → ``réseau de transfert``)."""
    return label(lang, f"type.{network_type}")


def status_word(status: str, lang: str) -> str:
    return label(lang, f"status.{status}")
