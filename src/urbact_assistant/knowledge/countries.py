"""ISO 3166-1 alpha-2 country codes and names (pycountry), plus Kosovo's user-assigned XK."""

from __future__ import annotations

from functools import cache

_EXTRA = {"XK": "Kosovo"}
_COMMON_NAMES = {
    "CZ": "Czechia",
    "MD": "Moldova",
    "GB": "United Kingdom",
    "NL": "Netherlands",
    "TR": "Türkiye",
}


EU27 = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
"""The member states today (``EU`` in a call's facts)."""
FORMER_EU_MEMBERS = frozenset({"GB"})
"""Partners that were in the EU when they took part (the United Kingdom, before 2020): not
"from outside the EU" in the sense a user asks it."""
EUROPE = (
    EU27
    | FORMER_EU_MEMBERS
    | frozenset("NO CH IS LI AL BA ME MK RS XK UA MD TR BY AD MC SM".split())
)
"""The countries whose cities take or could take part; a word that only looks like another
place's name in some grammatical case ("reunit" → Réunion) is not read as one."""


@cache
def _names() -> dict[str, str]:
    import pycountry

    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(_EXTRA)
    names.update(_COMMON_NAMES)
    return names


def is_country_code(code: str) -> bool:
    """True for an upper-case ISO 3166-1 alpha-2 code (or XK)."""
    return code in _names()


def country_name(code: str) -> str:
    """English short name for a code; the code itself when unknown."""
    return _names().get(code, code)


def hint_for(code: str) -> str:
    """A correction hint for the usual non-ISO codes (UK, EL)."""
    return {"UK": " (use GB)", "EL": " (use GR)"}.get(code.upper(), "")
