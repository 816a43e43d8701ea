"""Retrieval quality as a regression test: a third of the question set, thresholds that can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from urbact_assistant.errors import UrbactError
from urbact_assistant.search import evaluation

QUESTIONS = Path(__file__).parent / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def results(assistant):
    return assistant.evaluate(QUESTIONS, every=3).results


def test_hybrid_retrieval_meets_the_bar(results):
    hybrid = results["hybrid"]
    assert hybrid.questions >= 90
    assert hybrid.recall_at_5 >= 0.93
    assert hybrid.mrr >= 0.93
    assert hybrid.hit_at_1 >= 0.92
    assert hybrid.no_answer_precision >= 0.8
    assert hybrid.no_answer_recall >= 0.8


def test_hybrid_beats_both_baselines(results):
    for baseline in ("bm25", "dense"):
        assert results["hybrid"].recall_at_5 > results[baseline].recall_at_5 + 0.2
        assert results["hybrid"].mrr > results[baseline].mrr + 0.2


def test_main_languages_stay_close_to_english(results):
    by_lang = results["hybrid"].by_lang
    for lang in ("fr", "de", "it", "es", "pl", "pt", "nl"):
        assert by_lang[lang]["mrr"] >= by_lang["en"]["mrr"] - 0.15, lang


def test_metrics_are_computed_as_defined():
    q = evaluation.Question("x", "en", "topic", "q", ("a", "b"))
    none = evaluation.Question("y", "en", "out_of_scope", "q", ())
    outcomes = [
        evaluation.Outcome(q, ["c", "a", "b"], 0.01),
        evaluation.Outcome(none, [], 0.02),
        evaluation.Outcome(none, ["a"], 0.03),
    ]
    s = evaluation.score(outcomes)
    assert (s.hit_at_1, s.hit_at_5, s.recall_at_5, s.mrr) == (0.0, 1.0, 1.0, 0.5)
    late = evaluation.Outcome(q, ["c", "d", "e", "f", "g", "a"], 0.01)
    assert evaluation.score([late]).hit_at_5 == 0.0
    assert (s.no_answer_precision, s.no_answer_recall) == (1.0, 0.5)


MORE_LANGUAGES = Path(__file__).parent / "eval" / "more-languages.jsonl"


def test_questions_in_28_languages_meet_a_lower_bar(assistant):
    """The second set (every EU language, Ukrainian, Serbian, Albanian, Turkish; written by
    someone who had not seen the code): half of it, with thresholds below its current level."""
    hybrid = assistant.evaluate(MORE_LANGUAGES, every=2).results["hybrid"]
    assert hybrid.questions >= 100 and len(hybrid.by_lang) >= 25
    assert hybrid.recall_at_5 >= 0.78
    assert hybrid.mrr >= 0.78
    assert hybrid.no_answer_recall >= 0.4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "q1", "lang": "en", "kind": "x", "question": "?", "expected": []}\n{oops\n', ":2: not a question record"),
        ('\n{"id": "q1", "lang": "en"}\n', ":2: not a question record"),
    ],
)  # fmt: skip
def test_a_bad_question_line_is_named(tmp_path, content, message):
    path = tmp_path / "questions.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UrbactError, match=message):
        evaluation.load_questions(path)


def test_a_missing_question_set_is_one_clear_error(tmp_path):
    with pytest.raises(UrbactError, match="cannot read"):
        evaluation.load_questions(tmp_path / "absent.jsonl")
