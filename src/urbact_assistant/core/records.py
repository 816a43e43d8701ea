"""JSON-lines files of records (question sets, answer cases, dialogues), read strictly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from urbact_assistant.errors import UrbactError

T = TypeVar("T")


def read_json_lines(path: Path, what: str, make: Callable[[dict[str, Any]], T]) -> list[T]:
    """One ``make(record)`` per non-blank line of ``path``; an unreadable file or a line
    that is not such a record raises ``UrbactError`` naming the file, the line and ``what``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UrbactError(f"cannot read {path}: {exc.strerror}") from exc
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(make(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise UrbactError(f"{path}:{number}: not {what} ({exc})") from exc
    return records
