"""A full disk, temporary files left by a crash: answers keep coming, and nothing is left
behind."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import time

import pytest

from urbact_assistant.assistant import Assistant
from urbact_assistant.core.snapshot import write_atomically
from urbact_assistant.search import embeddings as embeddings_module
from urbact_assistant.search.embeddings import CachedEmbeddings, ModelEmbeddings
from urbact_assistant.services import Services

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


# -- temporary files left by a crash ---------------------------------------------------------


def test_stale_temporaries_of_our_writes_are_removed_and_nothing_else(tmp_path):
    from urbact_assistant.core.snapshot import remove_stale_temporaries

    folder = tmp_path / "cache"
    folder.mkdir()
    old = time.time() - 3600
    stale = folder / ".knowledge.pickle.4242.tmp"
    fresh = folder / ".index.json.4343.tmp"  # perhaps being written right now
    others = [folder / "notes.tmp", folder / ".hidden.tmp", folder / "knowledge.pickle"]
    for path in (stale, fresh, *others):
        path.write_bytes(b"x")
    for path in (stale, *others):
        os.utime(path, (old, old))
    assert remove_stale_temporaries(folder) == [stale]
    assert fresh.exists() and all(p.exists() for p in others)
    assert remove_stale_temporaries(tmp_path / "missing") == []


def test_opening_the_services_collects_stale_temporaries(tmp_path, small_corpus):
    data = tmp_path / "data"
    write_atomically(data / "cache" / "probe.bin", lambda f: f.write(b"ok"))
    stale = [data / ".index.json.99999.tmp", data / "cache" / ".use-weights-0.v2.bin.99999.tmp"]
    for path in stale:
        path.write_bytes(b"half")
        os.utime(path, (time.time() - 3600,) * 2)
    Services.create(make_settings(data, small_corpus))
    assert not any(p.exists() for p in stale)
    assert (data / "cache" / "probe.bin").read_bytes() == b"ok"
