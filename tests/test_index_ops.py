"""Operating the index: sweeping the folders Chroma leaves behind, and a Chroma server behind
a token and TLS. No real index here: a stand-in client, Chroma's own tables, loopback servers."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from urbact_assistant.search.index import IndexStore


@dataclass
class StubCollection:
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    metadata: dict | None = None


class StubClient:
    """Just enough of a Chroma client for the pointer: ``get_collection``."""

    def __init__(self, collections: dict[str, StubCollection]):
        self.collections = collections

    def get_collection(self, name: str) -> StubCollection:
        if name not in self.collections:
            raise ValueError(f"Collection {name} does not exist")
        return self.collections[name]


def embedded_store(root: Path, segments: list[tuple[str, str]], folders: list[str]) -> None:
    """A store folder as Chroma lays it out: ``chroma.sqlite3`` with its ``segments`` table
    (id, collection) and one folder of HNSW files per vector segment."""
    root.mkdir(parents=True)
    db = sqlite3.connect(root / "chroma.sqlite3")
    db.execute(
        "CREATE TABLE segments (id TEXT PRIMARY KEY, type TEXT, scope TEXT, collection TEXT)"
    )
    db.executemany(
        "INSERT INTO segments VALUES (?, 'urn:chroma:segment/vector/hnsw-local-persisted', "
        "'VECTOR', ?)",
        segments,
    )
    db.commit()
    db.close()
    for name in folders:
        (root / name).mkdir()
        (root / name / "data_level0.bin").write_bytes(b"\0" * 1000)


def two_builds(tmp_path: Path):
    """The active build, the one it replaced, and an orphan folder of a deleted build."""
    active, previous = StubCollection(), StubCollection()
    pointer = StubCollection(metadata={"active": "urbact-2"})
    client = StubClient({"urbact-pointer": pointer, "urbact-2": active, "urbact-1": previous})
    seg_active, seg_previous, orphan = (str(uuid.uuid4()) for _ in range(3))
    rows = [(seg_active, str(active.id)), (seg_previous, str(previous.id))]
    return client, rows, (seg_active, seg_previous, orphan)


def test_the_sweep_removes_only_folders_of_segments_no_collection_references(tmp_path):
    client, rows, (active, previous, orphan) = two_builds(tmp_path)
    root = tmp_path / "chroma"
    embedded_store(root, rows, [active, previous, orphan, "backup"])
    (root / "notes.txt").write_text("kept")
    store = IndexStore(client, store_dir=root)
    assert store.sweep_segment_folders() == (1, 1000)
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [active, previous, "backup", "chroma.sqlite3", "notes.txt"]
    )
    assert store.sweep_segment_folders() == (0, 0)


def test_the_sweep_deletes_nothing_when_the_segment_table_looks_wrong(tmp_path):
    client, rows, (active, previous, orphan) = two_builds(tmp_path)
    root = tmp_path / "chroma"
    embedded_store(root, rows[1:], [active, previous, orphan])  # the active build's row missing
    assert IndexStore(client, store_dir=root).sweep_segment_folders() == (0, 0)
    assert {active, previous, orphan} <= {p.name for p in root.iterdir()}


def test_an_unreadable_store_is_left_alone_and_the_sweep_does_not_raise(tmp_path):
    client, _, (active, _, orphan) = two_builds(tmp_path)
    root = tmp_path / "chroma"
    root.mkdir()
    (root / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    for name in (active, orphan):
        (root / name).mkdir()
    assert IndexStore(client, store_dir=root).sweep_segment_folders() == (0, 0)
    assert {active, orphan} <= {p.name for p in root.iterdir()}


def test_a_chroma_server_is_never_swept(tmp_path):
    client, _, _ = two_builds(tmp_path)
    assert IndexStore(client).sweep_segment_folders() == (0, 0)
