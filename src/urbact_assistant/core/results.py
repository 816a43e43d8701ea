"""What the front door returns besides answers: lists, matches, calls, reports.

Plain dataclasses at the bottom layer, so that adapters and renderers can use them without
importing the search stack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from urbact_assistant.core.models import AnyCard, NetworkCard, ProgrammePage
from urbact_assistant.errors import Problem

Progress = Callable[[int, int], None]
"""Called with (done, total) while passages are embedded."""


@dataclass(frozen=True)
class NetworkFilter:
    """Filters of a network list; empty values mean "any"."""

    status: str = ""
    """``ongoing``, ``ended`` or ``upcoming`` (as of today)."""
    type: str = ""
    """A key of ``NETWORK_TYPES`` (``transfer``, ``action-planning``…)."""
    country: str = ""
    """ISO 3166-1 alpha-2 code of a partner's (or the lead partner's) country."""
    topic: str = ""


@dataclass(frozen=True)
class Browse:
    """The networks passing a filter, ranked (by topic when there is one, else newest first)."""

    filter: NetworkFilter
    networks: list[NetworkCard]


@dataclass(frozen=True)
class NameMatch:
    """A card found by name, or close names to suggest when none matched."""

    card: AnyCard | None
    suggestions: list[AnyCard] = field(default_factory=list)


@dataclass(frozen=True)
class Calls:
    """Calls for networks as of ``today``: open and upcoming ones, the latest closed ones."""

    today: dt.date
    live: list[ProgrammePage]
    past: list[ProgrammePage]
    how_to_join: ProgrammePage | None


@dataclass(frozen=True)
class About:
    """What ``/about`` tells: corpus size, data freshness, the answer mode."""

    networks: int
    pages: int
    checked: dt.date | None
    llm: bool
    today: dt.date


@dataclass(frozen=True)
class CorpusCheck:
    """The result of checking a corpus folder."""

    root: Path
    networks: int
    pages: int
    problems: list[Problem]


@dataclass
class IngestReport:
    """What an ingest did."""

    build: str = ""
    cards: int = 0
    passages: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    embedded: int = 0
    up_to_date: bool = False
    swept: int = 0
    """Folders of removed builds deleted from an embedded store (Chroma leaves them)."""
    freed: int = 0
    """Bytes those folders held."""
