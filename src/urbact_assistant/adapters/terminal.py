"""Render answers and reports as text for the terminal (pure functions)."""

from __future__ import annotations

import json

from urbact_assistant import Answer, phrases


def format_answer(answer: Answer, show_all: bool = False) -> str:
    """The answer, then its sources as ``[n] Name — URL``; with ``show_all``, also the
    networks behind "N more"."""
    lines = [answer.text]
    if answer.note:
        lines += ["", f"({answer.note})"]
    shown = len(answer.citations) if answer.shown is None else answer.shown
    lang = answer.language
    if answer.citations:
        lines += ["", phrases.label(lang, "sources") + ":"]
        lines += [f"[{c.n}] {c.name} — {c.url}" for c in answer.citations[:shown]]
    rest = answer.citations[shown:]
    if show_all and rest:
        lines += ["", phrases.say(lang, "more", len(rest))]
        lines += [f"[{c.n}] {c.name} — {c.url}" for c in rest]
    return "\n".join(lines)


def format_answer_json(answer: Answer) -> str:
    """One JSON object on one line."""
    return json.dumps(answer.to_dict(), ensure_ascii=False)
