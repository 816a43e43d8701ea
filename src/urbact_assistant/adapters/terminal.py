"""Render answers and reports as text for the terminal (pure functions)."""

from __future__ import annotations

import json

from urbact_assistant import Answer


def format_answer(answer: Answer, show_all: bool = False) -> str:
    """The answer, then its sources as ``[n] Name — URL``; with ``show_all``, also the
    networks behind "N more"."""
    lines = [answer.text]
    if answer.note:
        lines += ["", f"({answer.note})"]
    shown = len(answer.citations) if answer.shown is None else answer.shown
    if answer.citations:
        lines += ["", "Sources:"]
        lines += [f"[{c.n}] {c.name} — {c.url}" for c in answer.citations[:shown]]
    if show_all and answer.citations[shown:]:
        lines += ["", "More:"]
        lines += [f"[{c.n}] {c.name} — {c.url}" for c in answer.citations[shown:]]
    return "\n".join(lines)


def format_answer_json(answer: Answer) -> str:
    """One JSON object on one line."""
    return json.dumps(answer.to_dict(), ensure_ascii=False)
