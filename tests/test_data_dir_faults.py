"""A data dir that cannot be written, a full disk, a damaged index: answers keep coming where
they can, and otherwise one clear line says what to do (never a traceback, never a crash).

Commands run as separate processes, as a user runs them: a damaged HNSW segment used to kill
the process with SIGSEGV, which no in-process test could survive. A read-only data dir is made
with ``chmod -R a-w``, or, when the tests run as root (who ignores permissions), with a
read-only bind mount in a private mount namespace (``unshare -m``).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from urbact_assistant.assistant import Assistant
from urbact_assistant.core.snapshot import write_atomically
from urbact_assistant.search import embeddings as embeddings_module
from urbact_assistant.search.embeddings import CachedEmbeddings, ModelEmbeddings
from urbact_assistant.services import Services

from .conftest import CORPUS, TODAY, make_settings

TOPIC = "which networks tackle remote work?"
GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawZ"
ROOT = os.geteuid() == 0


def env_for(data_dir: Path, corpus: Path = CORPUS, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("URBACT_", "OPENAI_", "TELEGRAM_"))
    }
    return {
        **env,
        "URBACT_DATA_DIR": str(data_dir),
        "URBACT_CORPUS_DIR": str(corpus),
        "URBACT_TODAY": TODAY.isoformat(),
        **extra,
    }


def run(args, env, stdin: str = "", read_only: Path | None = None) -> tuple[int, str, str]:
    """``urbact-assistant ARGS`` in a new process; with ``read_only``, that folder is mounted
    read-only for the process (root) or is already chmod'ed (see ``read_only_copy``)."""
    command = [sys.executable, "-m", "urbact_assistant", *args]
    if read_only is not None and ROOT:
        mount = 'mount --bind -o ro "$0" "$0" && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", mount, str(read_only), *command]
    done = subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout, done.stderr


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 1, (code, out, err)  # not -11 (SIGSEGV), not a traceback
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def copy_index(index_dir: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(index_dir, data)
    return data


@pytest.fixture
def read_only_copy(index_dir, tmp_path):
    """A copy of the built index's data dir that the commands cannot write."""
    if ROOT and subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        pytest.skip("running as root without unshare -m: cannot make a folder read-only")
    data = copy_index(index_dir, tmp_path)
    if not ROOT:
        subprocess.run(["chmod", "-R", "a-w", str(data)], check=True)
    yield data
    subprocess.run(["chmod", "-R", "u+w", str(data)], check=True)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- a read-only data dir ---------------------------------------------------------------------


def test_a_read_only_data_dir_answers_and_refuses_ingest_in_one_line(read_only_copy):
    data = read_only_copy
    before = listing(data)
    env = env_for(data)
    code, out, err = run(["ask", TOPIC], env, read_only=data)
    assert code == 0 and "Remote-IT" in out, (out, err)
    assert err == ""
    batch = "who leads GenProcure?\n" + TOPIC + "\n"
    code, out, err = run(["ask", "--json", "-"], env, stdin=batch, read_only=data)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 2 and '"error"' not in out
    assert "genprocure" in lines[0] and "remote-it" in lines[1]
    code, out, err = run(["chat"], env, stdin=TOPIC + "\nwho leads it?\n", read_only=data)
    assert code == 0 and "Remote-IT" in out and "error" not in err, (out, err)
    line = one_line_error(*run(["ingest"], env, read_only=data))
    assert f"the data directory {data} is not writable" in line
    assert listing(data) == before  # nothing written, no lock file created


def test_a_read_only_data_dir_behind_its_corpus_answers_from_the_index_as_it_is(
    read_only_copy, tmp_path
):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    card = corpus / "networks" / "remote-it.md"
    card.write_text(card.read_text() + "\nThe partners also compared coworking pilots.\n")
    code, out, err = run(["ask", TOPIC], env_for(read_only_copy, corpus), read_only=read_only_copy)
    assert code == 0 and "Remote-IT" in out, (out, err)
    assert "answering from the index as it is" in err and "Traceback" not in err


def test_a_reader_of_a_read_only_data_dir_follows_a_reingest_by_its_owner(
    index_dir, tmp_path, monkeypatch
):
    from urbact_assistant.search import index as index_module

    data = copy_index(index_dir, tmp_path)
    # This process sees the data dir as read-only; the ingest below runs as its owner.
    monkeypatch.setattr(index_module, "writable_data_dir", lambda _: False)
    monkeypatch.setattr(index_module.FollowingVectorStore, "CHECK_EVERY", 0.0)
    reader = Assistant.open(make_settings(data))
    assert reader.ask(TOPIC).citations[0].slug == "remote-it"
    first = reader.services.store
    assert first.files != data / "chroma" and first.origin == data / "chroma"
    code, out, err = run(["ingest", "--force"], env_for(data))
    assert code == 0, err
    assert reader.ask(TOPIC).citations[0].slug == "remote-it"
    assert reader.services.store is not first  # a fresh copy of the new build
    assert reader.services.store.active_name() == reader.services.active_build()


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


# -- a damaged index -------------------------------------------------------------------------


def segment_folder(data: Path) -> Path:
    """The folder of the active build's HNSW segment files."""
    build = json.loads((data / "index.json").read_text())["build"]
    db = sqlite3.connect(data / "chroma" / "chroma.sqlite3")
    (segment,) = db.execute(
        "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
        "WHERE c.name = ? AND s.scope = 'VECTOR'",
        (build,),
    ).fetchone()
    db.close()
    folder = data / "chroma" / segment
    assert (folder / "header.bin").exists()
    return folder


def patch_bytes(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(data)


# Each of these made `ask` die with SIGSEGV in Chroma's native code (chromadb 1.5).
CRASHING = {
    "element count past the files": lambda s: patch_bytes(
        s / "header.bin", 20, struct.pack("<Q", 5000)
    ),
    "truncated header": lambda s: os.truncate(s / "header.bin", 40),
    "entry point out of range": lambda s: patch_bytes(
        s / "header.bin", 56, struct.pack("<I", 999_999)
    ),
    "garbage links": lambda s: patch_bytes(s / "data_level0.bin", 0, os.urandom(200_000)),
    "wrong level factor": lambda s: patch_bytes(s / "header.bin", 84, struct.pack("<d", 7.1e21)),
}


@pytest.mark.parametrize("damage", sorted(CRASHING))
def test_the_segment_check_finds_what_would_crash_chroma(index_dir, tmp_path, damage):
    from urbact_assistant.search.store_files import segment_problem

    data = copy_index(index_dir, tmp_path)
    folder = segment_folder(data)
    assert segment_problem(folder) is None
    CRASHING[damage](folder)
    assert segment_problem(folder)


def test_a_damaged_hnsw_segment_is_one_line_then_rebuilt_by_ingest_force(index_dir, tmp_path):
    data = copy_index(index_dir, tmp_path)
    CRASHING["element count past the files"](segment_folder(data))
    env = env_for(data)
    line = one_line_error(*run(["ask", TOPIC], env))
    assert "is damaged" in line and "header.bin" in line and "ingest --force" in line
    line = one_line_error(*run(["ingest"], env))  # not "up to date"
    assert "is damaged" in line and "ingest --force" in line
    code, out, err = run(["ingest", "--force"], env)
    assert code == 0 and "indexed" in out, err
    assert [p.name[:15] for p in data.iterdir() if p.name.startswith("chroma.damaged-")] == [
        "chroma.damaged-"
    ]
    code, out, err = run(["ask", TOPIC], env)
    assert code == 0 and "Remote-IT" in out, err


def test_a_damaged_sqlite_page_is_one_line_then_rebuilt_by_ingest_force(index_dir, tmp_path):
    data = copy_index(index_dir, tmp_path)
    store = data / "chroma" / "chroma.sqlite3"
    patch_bytes(store, store.stat().st_size // 2, os.urandom(65536))  # pages Chroma reads late
    env = env_for(data)
    line = one_line_error(*run(["ask", TOPIC], env))
    assert "is damaged" in line and "ingest --force" in line
    code, out, err = run(["ingest", "--force"], env)
    assert code == 0 and "indexed" in out, err
    assert any(p.name.startswith("chroma.damaged-") for p in data.iterdir())
    code, out, err = run(["ask", TOPIC], env)
    assert code == 0 and "Remote-IT" in out, err


def test_the_bot_with_a_damaged_index_logs_one_line_and_exits(index_dir, tmp_path):
    data = copy_index(index_dir, tmp_path)
    CRASHING["garbage links"](segment_folder(data))
    env = env_for(
        data, TELEGRAM_BOT_TOKEN=GOOD_TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot"
    )
    code, out, err = run(["bot"], env)
    assert code == 1, (code, err)  # not -11: a supervisor sees why it stopped
    assert "Traceback" not in out + err
    logged = [line for line in err.splitlines() if " ERROR " in line]
    assert len(logged) == 1 and "cannot start: the index in" in logged[0]
    assert "is damaged" in logged[0] and "ingest --force" in logged[0]


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
