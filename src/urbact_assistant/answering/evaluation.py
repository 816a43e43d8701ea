"""Measure answers, not only retrieval: is the asked fact in the answer, is the answer in the
asker's language, does it fit a phone screen, are personal requests declined?

A question set is JSON lines: ``{"id", "lang", "kind", "question", "facts": [...], "any":
[...], "answer": "yes"|"no"|null, "declined": bool}``. ``facts`` must all appear in the answer
(case and accents ignored), at least one of ``any`` when given; a yes/no question's answer must
start with the language's yes or no; a declined question gets no citation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urbact_assistant.core import phrases as ph
from urbact_assistant.core.models import Answer
from urbact_assistant.core.records import read_json_lines
from urbact_assistant.core.text import fold

MAX_CHARS = 1200


@dataclass(frozen=True)
class AnswerCase:
    id: str
    lang: str
    kind: str
    question: str
    facts: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    answer: str | None = None
    declined: bool = False


@dataclass(frozen=True)
class Judged:
    case: AnswerCase
    fact: bool
    language: bool
    short: bool
    text: str


@dataclass
class AnswerScores:
    """Shares of answers with the fact, in the right language, short enough; per language."""

    questions: int = 0
    fact: float = 0.0
    language: float = 0.0
    short: float = 0.0
    declined: float | None = None
    by_lang: dict[str, dict[str, float]] = field(default_factory=dict)
    misses: list[Judged] = field(default_factory=list)

    def table(self) -> str:
        lines = [
            f"answers: {self.questions}  fact {self.fact:.3f}  language {self.language:.3f}  "
            f"<= {MAX_CHARS} chars {self.short:.3f}"
            + (
                f"  personal requests declined {self.declined:.3f}"
                if self.declined is not None
                else ""
            ),
            "",
            f"{'lang':<5}{'n':>4}{'fact':>8}{'lang':>8}{'short':>8}",
        ]
        for lang, row in sorted(self.by_lang.items()):
            lines.append(
                f"{lang:<5}{int(row['n']):>4}{row['fact']:>8.3f}{row['language']:>8.3f}{row['short']:>8.3f}"
            )
        return "\n".join(lines)

    def to_json(self) -> str:
        data = {k: v for k, v in self.__dict__.items() if k != "misses"}
        data["misses"] = [j.case.id for j in self.misses]
        return json.dumps(data, ensure_ascii=False, indent=2)


def load_cases(path: Path) -> list[AnswerCase]:
    """Read a question set; a malformed line is a clear error."""
    return read_json_lines(path, "an answer case", _answer_case)


def _answer_case(raw: dict[str, Any]) -> AnswerCase:
    return AnswerCase(
        id=str(raw["id"]),
        lang=str(raw["lang"]),
        kind=str(raw.get("kind", "")),
        question=str(raw["question"]),
        facts=tuple(raw.get("facts") or ()),
        any=tuple(raw.get("any") or ()),
        answer=raw.get("answer"),
        declined=bool(raw.get("declined", False)),
    )


def _contains(text: str, fact: str) -> bool:
    return fold(fact).strip() in text


def judge(case: AnswerCase, answer: Answer, detect: Callable[[str], str]) -> Judged:
    text = fold(answer.text)
    if case.declined:
        fact = not answer.citations
    else:
        fact = all(_contains(text, f) for f in case.facts) and (
            not case.any or any(_contains(text, f) for f in case.any)
        )
        if case.answer in ("yes", "no"):
            fact = fact and _starts_with(answer.text, case.answer, case.lang)
    return Judged(
        case, fact, detect(answer.text) == case.lang, len(answer.text) <= MAX_CHARS, answer.text
    )


def _starts_with(text: str, verdict: str, lang: str) -> bool:
    """Whether the answer opens with the language's own yes or no."""
    word = fold(ph.say(lang, "answer_yes" if verdict == "yes" else "answer_no")).strip(".,!:;")
    return fold(text).lstrip().startswith(word)


def score(judged: Sequence[Judged]) -> AnswerScores:
    def share(items: Sequence[Judged], attr: str) -> float:
        return sum(getattr(j, attr) for j in items) / len(items) if items else 0.0

    result = AnswerScores(
        questions=len(judged),
        fact=share(judged, "fact"),
        language=share(judged, "language"),
        short=share(judged, "short"),
    )
    declined = [j for j in judged if j.case.declined]
    result.declined = share(declined, "fact") if declined else None
    for lang in sorted({j.case.lang for j in judged}):
        mine = [j for j in judged if j.case.lang == lang]
        result.by_lang[lang] = {
            "n": len(mine),
            "fact": share(mine, "fact"),
            "language": share(mine, "language"),
            "short": share(mine, "short"),
        }
    result.misses = [j for j in judged if not (j.fact and j.language and j.short)]
    return result


@dataclass(frozen=True)
class DialogueTurn:
    question: str
    facts: tuple[str, ...] = ()
    not_: tuple[str, ...] = ()
    answer: str | None = None


@dataclass(frozen=True)
class Dialogue:
    id: str
    lang: str
    turns: tuple[DialogueTurn, ...]


@dataclass
class DialogueScores:
    """Share of turns answered right (facts present, nothing excluded, yes/no first, in the
    user's language), overall and per language; the failing turns."""

    dialogues: int = 0
    turns: int = 0
    right: float = 0.0
    by_lang: dict[str, dict[str, float]] = field(default_factory=dict)
    misses: list[tuple[str, int, str, str]] = field(default_factory=list)

    def table(self) -> str:
        lines = [
            f"dialogues: {self.dialogues}  turns: {self.turns}  turns right {self.right:.3f}",
            "",
            f"{'lang':<5}{'turns':>6}{'right':>8}",
        ]
        for lang, row in sorted(self.by_lang.items()):
            lines.append(f"{lang:<5}{int(row['turns']):>6}{row['right']:>8.3f}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2)


def load_dialogues(path: Path) -> list[Dialogue]:
    """Read a dialogue set; a malformed line is a clear error."""
    return read_json_lines(path, "a dialogue", _dialogue)


def _dialogue(raw: dict[str, Any]) -> Dialogue:
    turns = tuple(
        DialogueTurn(
            str(t["question"]),
            tuple(t.get("facts") or ()),
            tuple(t.get("not") or ()),
            t.get("answer"),
        )
        for t in raw["turns"]
    )
    return Dialogue(str(raw["id"]), str(raw["lang"]), turns)


def run_dialogues(
    dialogues: Sequence[Dialogue],
    ask: Callable[[str, object], Answer],
    detect: Callable[[str], str],
) -> DialogueScores:
    """Play each dialogue through ``ask(question, conversation)`` and judge every turn."""
    results: dict[str, list[bool]] = {}
    scores = DialogueScores(dialogues=len(dialogues))
    for dialogue in dialogues:
        conversation: object = None
        for i, turn in enumerate(dialogue.turns):
            answer = ask(turn.question, conversation)
            conversation = answer.conversation
            text = fold(answer.text)
            right = (
                all(_contains(text, f) for f in turn.facts)
                and not any(_contains(text, f) for f in turn.not_)
                and (
                    turn.answer not in ("yes", "no")
                    or _starts_with(answer.text, turn.answer, dialogue.lang)
                )
                and detect(answer.text) == dialogue.lang
            )
            results.setdefault(dialogue.lang, []).append(right)
            if not right:
                scores.misses.append((dialogue.id, i + 1, turn.question, answer.text))
    every = [r for rs in results.values() for r in rs]
    scores.turns = len(every)
    scores.right = sum(every) / len(every) if every else 0.0
    scores.by_lang = {
        lang: {"turns": len(rs), "right": sum(rs) / len(rs)} for lang, rs in results.items()
    }
    return scores
