"""Questions against the real corpus, the real index and the real embedding model."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from urbact_assistant.adapters.cli import cli

from .conftest import TODAY


def test_remote_work_question_cites_remote_it_first(assistant):
    answer = assistant.ask("which networks tackle remote work?")
    assert answer.mode == "offline"
    assert answer.citations[0].slug == "remote-it"
    first_line = answer.text.splitlines()[1]
    assert first_line.startswith("- Remote-IT") and first_line.endswith("[1]")
    assert "Jun 2023 – Dec 2025, ended" in first_line  # computed from the dates, as of TODAY


def test_every_marker_maps_to_a_citation(assistant):
    for question in [
        "which networks work on school mobility?",
        "who leads GenProcure?",
        "how can my city join a network?",
        "is Tartu in a network?",
    ]:
        answer = assistant.ask(question)
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        shown = len(answer.citations) if answer.shown is None else answer.shown
        # The text cites the networks it shows; the rest ("and 4 more") are cited for JSON.
        assert markers == {c.n for c in answer.citations[:shown]} and markers, question
        assert all(c.url.startswith("http") for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        "Quels réseaux travaillent sur le télétravail ?",
        "Welche Netzwerke beschäftigen sich mit Telearbeit?",
        "¿Qué redes trabajan sobre el teletrabajo?",
    ],
)
def test_questions_in_other_languages(assistant, question):
    assert assistant.ask(question).citations[0].slug == "remote-it"


def test_who_leads_a_named_network(assistant):
    answer = assistant.ask("who leads GenProcure?")
    assert [c.slug for c in answer.citations] == ["genprocure"]
    first = answer.text.split("\n")[0]
    assert first.startswith("The lead partner of GenProcure is Vila Nova de Famalicão (Portugal).")


def test_city_question_lists_its_networks_not_similar_names(assistant):
    answer = assistant.ask("is Tartu in a network?")
    slugs = {c.slug for c in answer.citations}
    assert "remote-it" in slugs
    assert "activecitizens" not in slugs  # Tartu Vald is another municipality
    assert answer.text.startswith("Yes. Tartu takes part in")
    assert answer.shown == 5 and "more" in answer.text.splitlines()[-1]


def test_accents_do_not_matter_for_cities(assistant):
    a = assistant.ask("is Nyiregyhaza in a network?")
    b = assistant.ask("is Nyíregyháza in a network?")
    assert "c4talent" in {c.slug for c in a.citations}
    assert [c.slug for c in a.citations] == [c.slug for c in b.citations]


def test_joining_question_cites_programme_pages(assistant):
    answer = assistant.ask("how can my city join the next call?")
    kinds = {assistant.corpus.by_slug()[c.slug].doc_kind for c in answer.citations}
    assert kinds == {"programme"}


@pytest.mark.parametrize(
    "question",
    ["what is the weather in Paris tomorrow?", "give me a recipe for lasagne", "asdkjh qwe"],
)
def test_nothing_relevant_cites_nothing(assistant, question):
    answer = assistant.ask(question)
    assert answer.citations == []
    assert any(words in answer.text for words in ("found nothing", "can only answer", "can't help"))


def test_status_filter_uses_todays_date(assistant):
    answer = assistant.ask("which transfer networks are ongoing?")
    cards = assistant.corpus.by_slug()
    assert answer.citations
    assert all(cards[c.slug].status(TODAY) == "ongoing" for c in answer.citations)


def run(index_dir, args, input=None):
    env = {"URBACT_DATA_DIR": str(index_dir), "URBACT_TODAY": TODAY.isoformat()}
    return CliRunner().invoke(cli, args, input=input, env=env)


def test_cli_ask_json(index_dir):
    result = run(index_dir, ["ask", "--json", "which networks tackle remote work?"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"question", "answer", "citations", "mode", "language", "shown", "state"}
    assert data["language"] == "en" and data["shown"] == len(data["citations"])
    assert data["mode"] == "offline"
    assert data["citations"][0] == {
        "n": 1,
        "slug": "remote-it",
        "name": "Remote-IT",
        "url": data["citations"][0]["url"],
    }


def test_cli_batch_mode_answers_each_line(index_dir):
    questions = "who leads GenProcure?\n\nis Tartu in a network?\n" + "x" * 2000 + "\n"
    result = run(index_dir, ["ask", "--json", "-"], input=questions)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["question"][:20] for line in lines] == [
        "who leads GenProcure",
        "",  # one output line per input line: the blank one gets an error
        "is Tartu in a networ",
        "x" * 20,
    ]
    assert lines[0]["citations"][0]["slug"] == "genprocure"
    assert "empty" in lines[1]["error"] and "too long" in lines[3]["error"]


def test_cli_plain_answer_lists_sources(index_dir):
    result = run(index_dir, ["ask", "who leads GenProcure?"])
    assert result.exit_code == 0
    assert "\nSources:\n[1] GenProcure — https://" in result.output


def test_cli_errors_are_one_line(index_dir, tmp_path):
    result = run(index_dir, ["ask", "   "])
    assert result.exit_code == 1 and "the question is empty" in result.output
    assert "Traceback" not in result.output


def test_chat_session(index_dir):
    result = run(index_dir, ["chat"], input="who leads GenProcure?\nexit\n")
    assert result.exit_code == 0
    assert "Vila Nova de Famalicão" in result.output


def test_follow_up_keeps_the_topic(assistant):
    first = assistant.ask("which networks work on the circular economy?")
    follow = assistant.ask("and which of them are in Spain?", first.conversation)
    cards = assistant.corpus.by_slug()
    assert follow.citations
    assert {c.slug for c in follow.citations} <= {c.slug for c in first.citations}
    assert all("ES" in cards[c.slug].countries for c in follow.citations)
    # A new question stands on its own.
    other = assistant.ask("who leads GenProcure?", first.conversation)
    assert [c.slug for c in other.citations] == ["genprocure"]


def test_the_language_data_ships_with_the_package():
    from urbact_assistant.understanding.lexicon import load_data

    assert len(load_data("thesaurus")) > 100
    assert "Munich" in load_data("exonyms") and "PL" in load_data("demonyms")


def test_cli_batch_survives_bytes_that_are_not_utf8(index_dir):
    questions = b"who leads GenProcure?\n\xff\xfe\xfa broken\nis Tartu in a network?\n"
    result = run(index_dir, ["ask", "--json", "-"], input=questions)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 3 and "not valid UTF-8" in lines[1]["error"]
    assert lines[2]["citations"]
