"""The index under concurrent use: readers follow re-ingests, one writer at a time.

Writers run as separate processes, as `urbact-assistant ingest` does next to a running bot.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from urbact_assistant.assistant import Assistant
from urbact_assistant.errors import IngestBusyError
from urbact_assistant.services import Services

from .conftest import TODAY, make_settings

pytestmark = pytest.mark.slow
TOPIC = "which networks work on school streets and children's safety?"


def cli_env(data_dir, corpus) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("URBACT_", "OPENAI_"))}
    return {
        **env,
        "URBACT_DATA_DIR": str(data_dir),
        "URBACT_CORPUS_DIR": str(corpus),
        "URBACT_TODAY": TODAY.isoformat(),
    }


def start(args, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "urbact_assistant", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out + err


def builds(services: Services) -> list[str]:
    prefix = services.settings.collection
    names = [getattr(c, "name", c) for c in services.store.client.list_collections()]
    return sorted(n for n in names if n.startswith(prefix) and n[len(prefix) + 1 :][:1].isdigit())


def test_a_running_reader_keeps_answering_through_reingests(tmp_path, small_corpus):
    data = tmp_path / "data"
    Services.create(make_settings(data, small_corpus)).ingest()
    reader = Assistant.open(make_settings(data, small_corpus))
    before = reader.ask(TOPIC)
    assert [c.slug for c in before.citations] == ["schoolhoods"]
    env = cli_env(data, small_corpus)
    for _ in range(2):  # the second re-ingest removes the build the reader opened
        code, output = finish(start(["ingest", "--force"], env))
        assert code == 0, output
    after = reader.ask("networks about safe and green streets around schools")
    assert after.citations[0].slug == "schoolhoods"
    assert reader.services.active_build() == reader._retriever.store._name


def segment_folders(data) -> set[str]:
    return {p.name for p in (data / "chroma").iterdir() if p.is_dir()}


def vector_segments(data) -> dict[str, str]:
    """Collection name → its vector segment's id, read from Chroma's own tables."""
    uri = f"{(data / 'chroma' / 'chroma.sqlite3').as_uri()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        rows = db.execute(
            "SELECT c.name, s.id FROM segments s JOIN collections c ON s.collection = c.id "
            "WHERE s.scope = 'VECTOR'"
        ).fetchall()
    finally:
        db.close()
    return dict(rows)


def test_reingests_leave_only_the_live_segments_folders(tmp_path, small_corpus):
    """Chroma leaves a deleted collection's HNSW folder on disk (chroma-core/chroma#5259):
    after each re-ingest only the folders of the builds still in use remain, and a reader
    running meanwhile keeps answering."""
    data = tmp_path / "data"
    Services.create(make_settings(data, small_corpus)).ingest()
    reader = Assistant.open(make_settings(data, small_corpus))
    assert [c.slug for c in reader.ask(TOPIC).citations] == ["schoolhoods"]
    env = cli_env(data, small_corpus)
    for _ in range(4):
        code, output = finish(start(["ingest", "--force"], env))
        assert code == 0, output
        services = Services.create(make_settings(data, small_corpus))
        live = vector_segments(data)
        in_use = {live[name] for name in builds(services)}
        assert len(in_use) == 2  # the active build and the one it replaced, kept for readers
        assert segment_folders(data) == in_use
        answer = reader.ask("networks about safe and green streets around schools")
        assert answer.citations[0].slug == "schoolhoods"
    assert reader.services.active_build() == reader._retriever.store._name


def test_concurrent_ingests_leave_one_working_index(tmp_path, small_corpus):
    data = tmp_path / "data"
    env = cli_env(data, small_corpus)
    writers = [start(["ingest", "--force"], env) for _ in range(3)]
    askers = [start(["ask", TOPIC], env) for _ in range(2)]
    results = [finish(p) for p in writers + askers]
    assert all(code == 0 for code, _ in results), results
    assert all("SCHOOLHOODS" in out for _, out in results[3:]), results[3:]
    services = Services.create(make_settings(data, small_corpus))
    assert services.index_is_current()
    assert services.active_build() in builds(services)
    assert len(builds(services)) <= 2  # the active build and the one it replaced
    answer = Assistant.open(make_settings(data, small_corpus)).ask(TOPIC)
    assert [c.slug for c in answer.citations] == ["schoolhoods"]


def test_a_second_writer_waits_or_gives_up_clearly(tmp_path, small_corpus):
    data = tmp_path / "data"
    first = Services.create(make_settings(data, small_corpus))
    first.ingest()
    second = Services.create(make_settings(data, small_corpus))
    with first.store.writing(wait=0):
        with pytest.raises(IngestBusyError, match="another ingest"):
            second.ingest(force=True, wait=0.2)
        # A reader with an index in service does not wait for the writer.
        Assistant.open(make_settings(data, small_corpus))
    assert second.ingest(force=True).build


def test_a_damaged_index_is_reported_and_rebuilt_by_ingest_force(tmp_path, small_corpus):
    data = tmp_path / "data"
    env = cli_env(data, small_corpus)
    code, output = finish(start(["ingest"], env))
    assert code == 0, output
    store = data / "chroma" / "chroma.sqlite3"
    raw = bytearray(store.read_bytes())
    raw[100:4096] = b"\0garbage" * ((4096 - 100) // 8)
    store.write_bytes(bytes(raw))
    code, output = finish(start(["ask", TOPIC], env))
    assert code == 1 and "damaged" in output and "ingest --force" in output
    assert "Traceback" not in output
    code, output = finish(start(["ingest", "--force"], env))
    assert code == 0, output
    assert any(p.name.startswith("chroma.damaged-") for p in data.iterdir())
    code, output = finish(start(["ask", TOPIC], env))
    assert code == 0 and "SCHOOLHOODS" in output
