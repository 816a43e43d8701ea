"""The errors the assistant reports to users, in one place.

UrbactError                 base: a message fit to show a user, never a traceback
├── ConfigError             a setting is missing or malformed
├── CorpusError             the corpus has problems (carries ``problems``)
├── DataDirError            the data directory cannot be written (read-only, no permission)
└── IndexError_             the index cannot be used as it is
    ├── IndexMismatchError  the index was built with another embedding model
    ├── IngestBusyError     another ingest holds the writer lock
    └── DamagedIndexError   the embedded store cannot be read (ingest --force rebuilds it)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class UrbactError(Exception):
    """An error with a message meant for the user."""


class ConfigError(UrbactError):
    """A setting is missing or malformed."""


class DataDirError(UrbactError):
    """The data directory cannot be written: an ingest needs to, answering does not."""


@dataclass(frozen=True)
class Problem:
    """One problem in a corpus file, reported as ``path:line: message``."""

    path: str
    line: int
    message: str
    fixed: bool = False  # normalised when the corpus is loaded; ``corpus check`` still fails

    def __str__(self) -> str:
        note = " (fixed when loading)" if self.fixed else ""
        return f"{self.path}:{self.line}: {self.message}{note}"


class CorpusError(UrbactError):
    """The corpus cannot be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        shown = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(
            f"the corpus has {count} problem{'s' if count != 1 else ''}: {shown}{more}; "
            "`urbact-assistant corpus check` lists them all"
        )


class IndexError_(UrbactError):
    """The index is missing, damaged or unreachable."""


class IndexMismatchError(IndexError_):
    """The index was built with a different embedding model than the one configured."""


class IngestBusyError(IndexError_):
    """Another process is writing the index (one writer at a time)."""


class DamagedIndexError(IndexError_):
    """The embedded Chroma store cannot be read; ``ingest --force`` moves it aside and rebuilds."""
