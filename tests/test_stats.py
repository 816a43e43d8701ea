"""The coverage report."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from urbact_assistant.adapters.cli import cli
from urbact_assistant.knowledge.corpus import load_corpus
from urbact_assistant.knowledge.stats import corpus_stats, missing_networks

from .conftest import CORPUS, TODAY


def test_counts_add_up_and_status_moves_with_the_date():
    corpus = load_corpus(CORPUS, TODAY)
    now = corpus_stats(corpus, TODAY)
    assert sum(now.by_programme.values()) == len(corpus.networks) == sum(now.by_status.values())
    later = corpus_stats(corpus, dt.date(2029, 1, 1))
    # The 2025-2028 Transfer Networks end in April 2028: nothing of today's corpus runs in 2029.
    assert later.by_status["ongoing"] == 0 < now.by_status["ongoing"]
    assert later.by_status["ended"] > now.by_status["ended"]


def test_a_network_named_without_a_card_is_listed(tmp_path):
    corpus = load_corpus(CORPUS, TODAY)
    remote = next(c for c in corpus.networks if c.slug == "remote-it")
    from dataclasses import replace

    corpus.networks[corpus.networks.index(remote)] = replace(
        remote, body=remote.body + " Its cities later joined the NightShift Cities network."
    )
    assert missing_networks(corpus)["NightShift Cities"] == ["remote-it"]


def test_cli_prints_tables():
    result = CliRunner().invoke(cli, ["corpus", "stats"], env={"URBACT_TODAY": TODAY.isoformat()})
    assert result.exit_code == 0, result.output
    assert "| programme | networks |" in result.output and "| status | networks |" in result.output
