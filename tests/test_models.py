"""Dates and statuses: computed from dates against today, never stored."""

from __future__ import annotations

import datetime as dt

import pytest

from urbact_assistant.core.models import FuzzyDate, NetworkCard, ProgrammePage


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2023-06-01", dt.date(2023, 6, 1), dt.date(2023, 6, 1)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    ],
)
def test_fuzzy_dates(text, first, last):
    date = FuzzyDate.parse(text)
    assert (date.first, date.last, date.iso()) == (first, last, text)


@pytest.mark.parametrize("bad", ["2023-13", "2023-02-30", "June 2023", ""])
def test_bad_dates(bad):
    with pytest.raises(ValueError):
        FuzzyDate.parse(bad)


def card(start, end) -> NetworkCard:
    return NetworkCard(
        slug="x",
        title="X",
        body="X.",
        sources=("https://urbact.eu",),
        checked=dt.date(2026, 1, 1),
        start=FuzzyDate.parse(start) if start else None,
        end=FuzzyDate.parse(end) if end else None,
    )


def test_status_follows_the_calendar():
    network = card("2025-11-01", "2028-04-30")
    assert network.status(dt.date(2025, 10, 31)) == "upcoming"
    assert network.status(dt.date(2025, 11, 1)) == "ongoing"
    assert network.status(dt.date(2028, 4, 30)) == "ongoing"
    assert network.status(dt.date(2028, 5, 1)) == "ended"
    assert card("2019", None).status(dt.date(2026, 1, 1)) == "unknown"
    assert card("2019-06", "2022").status(dt.date(2022, 12, 31)) == "ongoing"


def test_call_status_follows_the_calendar():
    call = ProgrammePage(
        slug="c",
        title="C",
        body="C.",
        sources=("https://urbact.eu",),
        checked=dt.date(2026, 1, 1),
        kind="call",
        opens=FuzzyDate.parse("2026-03-17"),
        closes=FuzzyDate.parse("2026-06-17"),
    )
    assert call.call_status(dt.date(2026, 3, 16)) == "upcoming"
    assert call.call_status(dt.date(2026, 6, 17)) == "open"
    assert call.call_status(dt.date(2026, 6, 18)) == "closed"
