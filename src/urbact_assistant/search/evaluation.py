"""Retrieval evaluation: hit@1, recall@5, MRR, no-answer precision and latency per method.

A question set is JSON lines: ``{"id", "lang", "kind", "question", "expected": [slugs]}``;
``expected`` is empty for questions the corpus cannot answer. Scoring is pure; ``run`` times
each retriever over the same questions in one process, side by side.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from urbact_assistant.core.records import read_json_lines


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    kind: str
    question: str
    expected: tuple[str, ...]


@dataclass
class Outcome:
    question: Question
    ranked: list[str]
    seconds: float


@dataclass
class Scores:
    """Aggregates over a set of outcomes (answerable and unanswerable questions)."""

    questions: int = 0
    hit_at_1: float = 0.0
    hit_at_5: float = 0.0  # at least one expected card in the top 5
    recall_at_5: float = 0.0
    mrr: float = 0.0
    no_answer_precision: float = 0.0
    no_answer_recall: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    by_lang: dict[str, dict[str, float]] = field(default_factory=dict)


def load_questions(path: Path) -> list[Question]:
    """Read a question set; raise ``UrbactError`` naming the first bad line."""
    return read_json_lines(path, "a question record", _question)


def _question(row: dict[str, Any]) -> Question:
    return Question(row["id"], row["lang"], row["kind"], row["question"], tuple(row["expected"]))


def reciprocal_rank(ranked: Sequence[str], expected: Iterable[str]) -> float:
    wanted = set(expected)
    return next((1.0 / i for i, slug in enumerate(ranked, 1) if slug in wanted), 0.0)


def recall_at(ranked: Sequence[str], expected: Sequence[str], k: int = 5) -> float:
    """Share of the expected cards in the top ``k``, out of at most ``k`` expected."""
    return len(set(ranked[:k]) & set(expected)) / min(k, len(expected))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _quality(outcomes: list[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.question.expected]
    if not answerable:
        return {"hit@1": 0.0, "hit@5": 0.0, "recall@5": 0.0, "mrr": 0.0, "n": 0}
    return {
        "hit@1": statistics.fmean(
            1.0 if o.ranked[:1] and o.ranked[0] in o.question.expected else 0.0 for o in answerable
        ),
        "hit@5": statistics.fmean(
            1.0 if set(o.ranked[:5]) & set(o.question.expected) else 0.0 for o in answerable
        ),
        "recall@5": statistics.fmean(recall_at(o.ranked, o.question.expected) for o in answerable),
        "mrr": statistics.fmean(reciprocal_rank(o.ranked, o.question.expected) for o in answerable),
        "n": len(answerable),
    }


def score(outcomes: list[Outcome]) -> Scores:
    """Aggregate outcomes; per-language figures cover answerable questions."""
    quality = _quality(outcomes)
    declined = [o for o in outcomes if not o.ranked]
    unanswerable = [o for o in outcomes if not o.question.expected]
    ms = [o.seconds * 1000 for o in outcomes]
    by_lang = {}
    for lang in sorted({o.question.lang for o in outcomes}):
        by_lang[lang] = _quality([o for o in outcomes if o.question.lang == lang])
    return Scores(
        questions=len(outcomes),
        hit_at_1=quality["hit@1"],
        hit_at_5=quality["hit@5"],
        recall_at_5=quality["recall@5"],
        mrr=quality["mrr"],
        no_answer_precision=(
            sum(1 for o in declined if not o.question.expected) / len(declined) if declined else 1.0
        ),
        no_answer_recall=(
            sum(1 for o in unanswerable if not o.ranked) / len(unanswerable)
            if unanswerable
            else 1.0
        ),
        p50_ms=statistics.median(ms) if ms else 0.0,
        p95_ms=_percentile(ms, 0.95),
        by_lang=by_lang,
    )


def run(questions: Sequence[Question], retrieve: Callable[[str], list[str]]) -> list[Outcome]:
    """Ask every question once (after one warm-up call) and time each retrieval."""
    if questions:
        retrieve(questions[0].question)
    outcomes = []
    for q in questions:
        start = time.perf_counter()
        ranked = retrieve(q.question)
        outcomes.append(Outcome(q, ranked, time.perf_counter() - start))
    return outcomes


def _ranker(retriever: Any) -> Callable[[str], list[str]]:
    return lambda question: [h.card.slug for h in retriever.retrieve(question).hits]


def compare(questions: Sequence[Question], hybrid) -> dict[str, Scores]:
    """Hybrid retrieval (``hybrid``, a ``Retriever``) and its two baselines, side by side."""
    from urbact_assistant.search.retrieval import Retriever

    results = {}
    for mode in ("hybrid", "bm25", "dense"):
        retriever = hybrid if mode == "hybrid" else Retriever(
            hybrid.corpus, hybrid.store, hybrid.embeddings, hybrid.today, mode=mode,
            entities=hybrid.entities, lexical=hybrid.lexical,
        )  # fmt: skip
        outcomes = run(questions, _ranker(retriever))
        results[mode] = score(outcomes)
    return results


def format_table(results: dict[str, Scores]) -> str:
    """Methods side by side, then hybrid per language."""
    head = f"{'method':<8} {'n':>4} {'hit@1':>6} {'hit@5':>6} {'recall@5':>8} {'MRR':>6} {'no-ans P':>8} {'no-ans R':>8} {'p50 ms':>7} {'p95 ms':>7}"
    lines = [head, "-" * len(head)]
    for name, s in results.items():
        lines.append(
            f"{name:<8} {s.questions:>4} {s.hit_at_1:>6.3f} {s.hit_at_5:>6.3f} {s.recall_at_5:>8.3f} {s.mrr:>6.3f} "
            f"{s.no_answer_precision:>8.3f} {s.no_answer_recall:>8.3f} {s.p50_ms:>7.1f} {s.p95_ms:>7.1f}"
        )
    first = next(iter(results))
    lines += ["", f"{first} by language (answerable questions):"]
    lines.append(f"{'lang':<6} {'n':>4} {'hit@1':>6} {'hit@5':>6} {'recall@5':>8} {'MRR':>6}")
    for lang, q in results[first].by_lang.items():
        lines.append(
            f"{lang:<6} {q['n']:>4} {q['hit@1']:>6.3f} {q['hit@5']:>6.3f} {q['recall@5']:>8.3f} "
            f"{q['mrr']:>6.3f}"
        )
    return "\n".join(lines)


def to_json(results: dict[str, Scores]) -> str:
    return json.dumps({name: asdict(s) for name, s in results.items()}, indent=2)


@dataclass(frozen=True)
class Comparison:
    """Scores of each retriever on one question set, measured side by side."""

    results: dict[str, Scores]

    def table(self) -> str:
        return format_table(self.results)

    def to_json(self) -> str:
        return to_json(self.results)
