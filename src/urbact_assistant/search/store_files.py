"""An embedded Chroma store's files, handled without Chroma: checks, and a private copy.

Chroma's native HNSW code trusts its segment files: a damaged ``header.bin`` or a neighbour id
past the end of ``data_level0.bin`` makes it read outside its buffers, and the process dies
with SIGSEGV, before any Python error can be raised. So before a build's vectors are first
searched, its segment files are checked here against the layout hnswlib writes
(``persistHeader``/``persistDirty`` of chroma-core/hnswlib): the header's fields against each
other, the files' sizes against the header, each element's link lists (counts, levels and
neighbour ids) against the element count. It maps about 2 MB and takes about 2 ms.

The SQLite file is checked with ``PRAGMA quick_check`` only when asked (before an ingest, or
to explain an error Chroma raised): it takes tens of milliseconds.

Chroma cannot open a store it may not write to (it records a row in its SQLite file on every
open), so a store in a read-only data dir is read from a private copy in the temporary folder
(``copy_store``): about 10 MB for this corpus, copied in about 60 ms.

Nothing here writes to the store: its SQLite file is opened read-only.
"""

from __future__ import annotations

import atexit
import errno
import math
import mmap
import os
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import numpy as np

# The files hnswlib writes when the segment is created (Chroma adds its id maps in
# index_metadata.pickle at the first flush; it reports a damaged one as an error).
SEGMENT_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
# PERSISTENCE_VERSION (int), offsetLevel0_, max_elements_, cur_element_count,
# size_data_per_element_, label_offset_, offsetData_ (size_t), maxlevel_ (int),
# enterpoint_node_ (unsigned int), maxM_, maxM0_, M_ (size_t), mult_ (double),
# ef_construction_ (size_t): little-endian, as written on x86-64 and arm64.
HEADER = struct.Struct("<i6QiI3QdQ")
PERSISTENCE_VERSION = 1
LABEL_BYTES = 8  # labeltype: size_t
MAX_LEVEL = 64  # far above any real graph: levels grow with log(n) / log(M)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """The SQLite file opened read-only (works in a read-only folder; never creates it)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)


def writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (or in the nearest existing folder above it,
    where it would be made). A read-only mount counts as not writable, for root too."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return os.access(folder, os.W_OK | os.X_OK)


def not_writable_reason(folder: Path) -> str:
    """Why ``folder`` is not writable, in a few words."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return os.strerror(errno.EROFS).lower()
    except OSError:
        pass
    return os.strerror(errno.EACCES).lower()


def copy_store(store: Path) -> Path:
    """A private, writable copy of the embedded store in ``store``, in the temporary folder
    and removed when the process ends: the SQLite file through SQLite's backup (a consistent
    snapshot even while another process writes), the segment folders as they are. Raises
    ``sqlite3.Error`` when the SQLite file cannot be read, ``OSError`` when the copy cannot
    be made."""
    copy = Path(tempfile.mkdtemp(prefix="urbact-index-"))
    atexit.register(shutil.rmtree, copy, True)
    try:
        for entry in store.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, copy / entry.name)
        with (
            closing(connect_read_only(store / "chroma.sqlite3")) as source,
            closing(sqlite3.connect(copy / "chroma.sqlite3")) as target,
        ):
            source.backup(target)
    except BaseException:
        shutil.rmtree(copy, ignore_errors=True)
        raise
    return copy


def sqlite_problem(path: Path) -> str | None:
    """What ``PRAGMA quick_check`` finds wrong with the SQLite file, in a few words."""
    try:
        with closing(connect_read_only(path)) as db:
            found = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.Error as exc:
        return str(exc)
    if found is None or found[0] == "ok":
        return None
    lines = [line for line in str(found[0]).splitlines() if not line.startswith("***")]
    return (lines[0] if lines else str(found[0]))[:120]


def vector_segments(
    store: Path, builds: Iterable[str] | None = None
) -> dict[str, tuple[Path, int]]:
    """The folder of each collection's vector segment, and its dimension, by collection name
    (``builds``: only those collections). Raises ``sqlite3.Error`` on a damaged file."""
    with closing(connect_read_only(store / "chroma.sqlite3")) as db:
        rows = db.execute(
            "SELECT c.name, s.id, c.dimension FROM collections c "
            "JOIN segments s ON s.collection = c.id WHERE s.scope = 'VECTOR'"
        ).fetchall()
    wanted = set(builds) if builds is not None else None
    return {
        name: (store / str(segment), int(dimension or 0))
        for name, segment, dimension in rows
        if wanted is None or name in wanted
    }


class Damaged(Exception):
    """A segment file that does not match the layout hnswlib writes."""


def segment_problem(folder: Path, dimension: int = 0) -> str | None:
    """What is wrong with the HNSW segment files in ``folder``, or None when they are sound
    (or when there are none yet: Chroma writes them once enough vectors are added)."""
    present = [name for name in SEGMENT_FILES if (folder / name).is_file()]
    if not present:
        return None
    if missing := [name for name in SEGMENT_FILES if name not in present]:
        return f"{', '.join(missing)} missing"
    try:
        _check_layout(folder, dimension)
    except Damaged as exc:
        return str(exc)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return None


def _check_layout(folder: Path, dimension: int) -> None:
    raw = (folder / "header.bin").read_bytes()
    if len(raw) != HEADER.size:
        raise Damaged(f"header.bin has {len(raw)} bytes instead of {HEADER.size}")
    (
        version, offset_level0, max_elements, count, per_element, label_offset, data_offset,
        max_level, entry, max_m, max_m0, m, mult, ef_construction,
    ) = HEADER.unpack(raw)  # fmt: skip
    links0 = max_m0 * 4 + 4  # a count, then maxM0 neighbour ids (4 bytes each)
    per_link = max_m * 4 + 4
    vector_bytes = label_offset - data_offset
    wrong = [
        ("version", version != PERSISTENCE_VERSION),
        ("offsets", offset_level0 != 0 or data_offset != links0),
        ("M", not 1 < m <= max_m <= max_m0 < 0xFFFF),
        # mult_ = 1 / ln(M) draws each new element's level: a wrong one crashes an insert
        ("level factor", m > 1 and not math.isclose(mult, 1 / math.log(m), rel_tol=1e-9)),
        ("ef_construction", not m <= ef_construction < 2**31),
        ("vector size", vector_bytes <= 0 or vector_bytes % 4 != 0),
        ("dimension", dimension > 0 and vector_bytes != 4 * dimension),
        ("element size", per_element != label_offset + LABEL_BYTES),
        ("element count", not count <= max_elements < 2**32),
        ("entry point", count > 0 and (not 0 <= max_level < MAX_LEVEL or entry >= count)),
    ]
    if bad := [what for what, is_wrong in wrong if is_wrong]:
        raise Damaged(f"header.bin: inconsistent {', '.join(bad)}")
    data = folder / "data_level0.bin"
    if data.stat().st_size < count * per_element:
        raise Damaged(
            f"data_level0.bin is truncated ({data.stat().st_size} bytes, {count} elements)"
        )
    if (folder / "length.bin").stat().st_size < count * 4:
        raise Damaged("length.bin is truncated")
    levels = _check_link_lists((folder / "link_lists.bin").read_bytes(), count, max_m, per_link)
    if count and levels[entry] != max_level:
        raise Damaged("header.bin: the entry point is not on the top level")
    _check_level0(data, count, per_element, max_m0)


def _check_link_lists(raw: bytes, count: int, max_m: int, per_link: int) -> list[int]:
    """Each element's level (its link lists above level 0 are checked too)."""
    levels: list[int] = []
    upper: dict[int, bytes] = {}
    offset = 0
    for element in range(count):
        if offset + 4 > len(raw):
            raise Damaged(f"link_lists.bin is truncated (element {element} of {count})")
        (size,) = struct.unpack_from("<I", raw, offset)
        offset += 4
        if size % per_link or size // per_link >= MAX_LEVEL or offset + size > len(raw):
            raise Damaged(f"link_lists.bin: bad size of element {element}'s lists")
        levels.append(size // per_link)
        if size:
            upper[element] = raw[offset : offset + size]
        offset += size
    for element, lists in upper.items():
        rows = np.frombuffer(lists, dtype="<u4").reshape(-1, per_link // 4)
        for layer, row in enumerate(rows, start=1):
            size = int(row[0] & 0xFFFF)
            if size > max_m:
                raise Damaged(f"link_lists.bin: element {element} has {size} links")
            for neighbour in row[1 : 1 + size].tolist():
                if neighbour >= count or levels[neighbour] < layer:
                    raise Damaged(f"link_lists.bin: element {element} links to a missing one")
    return levels


def _check_level0(data: Path, count: int, per_element: int, max_m0: int) -> None:
    if count == 0:
        return
    with data.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as raw:
        # Each element's level-0 list: a count (low 16 bits), then maxM0 neighbour ids.
        # Mapped rather than read: no fresh memory to fault in for the 2 MB of vectors.
        view = np.ndarray((count, max_m0 + 1), dtype="<u4", buffer=raw, strides=(per_element, 4))
        rows = view.copy()  # the lists only (130 kB); the map closes once no array views it
        del view
    sizes = rows[:, 0] & 0xFFFF
    if (sizes > max_m0).any():
        raise Damaged(
            f"data_level0.bin: element {int(np.argmax(sizes > max_m0))} has too many links"
        )
    used = np.arange(max_m0) < sizes[:, None]
    if (rows[:, 1:][used] >= count).any():
        raise Damaged("data_level0.bin: a link points past the last element")


def live_segments(database: Path) -> dict[str, str]:
    """Segment id → collection id, from an embedded store's ``segments`` table, read-only."""
    uri = f"{database.resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=10) as db:
        rows = db.execute("SELECT id, collection FROM segments").fetchall()
    db.close()
    return {str(segment): str(collection) for segment, collection in rows}
