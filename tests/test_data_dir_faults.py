"""A full disk: the embedding cache is a speed-up, so failing to write it fails nothing."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3

import pytest

from urbact_assistant.assistant import Assistant
from urbact_assistant.search import embeddings as embeddings_module
from urbact_assistant.search.embeddings import CachedEmbeddings, ModelEmbeddings

from .conftest import make_settings

TOPIC = "which networks tackle remote work?"


# -- a full disk -----------------------------------------------------------------------------


class FullDisk:
    """A cache connection whose writes fail as on a full disk; reads work."""

    def __init__(self, db: sqlite3.Connection, error: BaseException):
        self.db, self.error = db, error

    def execute(self, *args):
        return self.db.execute(*args)

    def executemany(self, *args):
        raise self.error

    def close(self):
        self.db.close()

    def __enter__(self):
        return self.db.__enter__()

    def __exit__(self, *exc):
        return self.db.__exit__(*exc)


@pytest.mark.slow  # builds a small index
@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database or disk is full"),
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
    ],
    ids=["sqlite-full", "enospc"],
)
def test_a_full_disk_when_caching_vectors_does_not_fail_a_question(
    tmp_path, small_corpus, monkeypatch, caplog, error
):
    connect = sqlite3.connect
    monkeypatch.setattr(
        embeddings_module.sqlite3, "connect", lambda *a, **k: FullDisk(connect(*a, **k), error)
    )
    settings = make_settings(tmp_path / "data", small_corpus)
    with caplog.at_level(logging.WARNING):
        assistant = Assistant.open(settings)  # first use: builds the index, caching vectors
        answer = assistant.ask(TOPIC)
    assert answer.citations[0].slug == "remote-it"
    warnings = [r for r in caplog.records if "embedding cache" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "could not write to the embedding cache" in warnings[0].getMessage()


class Counting(ModelEmbeddings):
    def __init__(self):
        self.model_id, self.calls = "counting", 0

    def embed_documents(self, texts):
        self.calls += 1
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text):
        return [float(len(text)), 1.0]


def test_the_embedding_cache_is_opened_only_to_embed_documents(tmp_path):
    path = tmp_path / "cache" / "vectors.sqlite"
    cached = CachedEmbeddings(Counting(), path)
    assert cached.embed_query("remote work") == [11.0, 1.0]
    assert not path.exists()  # answering a question writes nothing
    assert cached.embed_documents(["a", "bb"]) == [[1.0, 1.0], [2.0, 1.0]]
    assert cached.embed_documents(["bb"]) == [[2.0, 1.0]] and cached.inner.calls == 1
    cached.close()


def test_an_embedding_cache_that_cannot_be_opened_embeds_without_it(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    cached = CachedEmbeddings(Counting(), blocker / "vectors.sqlite")
    with caplog.at_level(logging.WARNING):
        assert cached.embed_documents(["a"]) == [[1.0, 1.0]]
        assert cached.embed_documents(["a"]) == [[1.0, 1.0]]
    assert cached.inner.calls == 2
    assert len([r for r in caplog.records if "embedding cache" in r.getMessage()]) == 1
