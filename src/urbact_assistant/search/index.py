"""The Chroma index: build it aside, switch to it in one step, and open it for questions.

Each build is a new collection (``<prefix>-<build id>``); a small pointer collection names the
active one. An interrupted ingest leaves at most an orphan collection that the next ingest
removes; the index in service is never half-built. Vectors come through ``CachedEmbeddings``,
so a rebuild embeds only passages whose text is new, and an unchanged corpus is not rebuilt.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from urbact_assistant.config import Settings
from urbact_assistant.core.results import IngestReport, Progress
from urbact_assistant.core.snapshot import write_atomically
from urbact_assistant.errors import (
    DamagedIndexError,
    DataDirError,
    IndexError_,
    IndexMismatchError,
    IngestBusyError,
)
from urbact_assistant.knowledge.corpus import Corpus
from urbact_assistant.knowledge.passages import card_passages, passages_fingerprint
from urbact_assistant.search.chroma_server import reason as _reason
from urbact_assistant.search.chroma_server import server_client
from urbact_assistant.search.embeddings import CachedEmbeddings, ModelEmbeddings
from urbact_assistant.search.store_files import (
    copy_store,
    live_segments,
    not_writable_reason,
    segment_problem,
    sqlite_problem,
    vector_segments,
    writable,
)

log = logging.getLogger(__name__)
SCHEMA = 1
SEGMENT_FOLDER = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Words of Chroma's errors about a store it cannot read (a damaged segment or SQLite file).
DAMAGE_MARKERS = ("hnsw", "pickle", "malformed", "not a database")


@dataclass
class Manifest:
    """What an index build contains: recorded as metadata on its collection."""

    model_id: str
    cards: dict[str, str]
    built: str
    schema: int = SCHEMA
    build: str = ""
    """The collection holding this build (not stored in its own metadata)."""

    def to_metadata(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "cards": json.dumps(self.cards, sort_keys=True),
            "built": self.built,
            "schema": self.schema,
            "hnsw:space": "cosine",
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> Manifest:
        meta = meta or {}
        return cls(
            model_id=str(meta.get("model_id", "")),
            cards=json.loads(meta.get("cards") or "{}"),
            built=str(meta.get("built", "")),
            schema=int(meta.get("schema", 0)),
        )


def make_client(settings: Settings) -> tuple[Any, Path | None]:
    """An ``HttpClient`` to a Chroma server, or an embedded ``PersistentClient`` under the data
    dir, with the folder of its files. A read-only data dir is read through a private copy of
    its store (Chroma writes to a store on every open); no lock is taken there."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return server_client(settings), None
    path = settings.data_dir / "chroma"

    def persistent(folder: Path) -> Any:
        # Chroma's native reader panics on some damaged pages and prints its backtrace to the
        # terminal before failing: SQLite's own check (about 5 ms) finds them first.
        file = folder / "chroma.sqlite3"
        problem = sqlite_problem(file) if file.is_file() else None
        if problem and not any(word in problem.lower() for word in ("locked", "busy")):
            raise damaged(path, problem)
        client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
        client.list_collections()  # reads the store: a damaged one fails here, not later
        return client

    if not writable_data_dir(settings.data_dir):
        return _read_copy(settings, path, persistent, not_writable_reason(settings.data_dir))
    from filelock import FileLock

    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # Chroma creates its tables on first open; processes opening a new store at the same
        # time ("table collections already exists") take turns here, for a moment each.
        with FileLock(settings.data_dir / "chroma.open.lock", timeout=120):
            return persistent(path), path
    except BaseException as exc:
        if not failed(exc) or isinstance(exc, DamagedIndexError):
            raise
        if _cannot_write(exc) and (path / "chroma.sqlite3").is_file():
            log.warning("cannot write to the index in %s (%s); reading a copy", path, _reason(exc))
            return _read_copy(settings, path, persistent, _reason(exc))
        raise damaged(path, _reason(exc)) from exc


def writable_data_dir(data_dir: Path) -> bool:
    """Whether an embedded index can be written in ``data_dir``: the folder, the store's
    folder and its SQLite file."""
    store = data_dir / "chroma"
    file = store / "chroma.sqlite3"
    return (
        writable(data_dir) and writable(store) and (not file.exists() or os.access(file, os.W_OK))
    )


def _read_copy(
    settings: Settings, path: Path, persistent: Callable[[Path], Any], why: str
) -> tuple[Any, Path]:
    """The store read through a private copy (see ``store_files.copy_store``); ``why`` the
    store cannot be written."""
    if not (path / "chroma.sqlite3").is_file():
        raise not_writable(settings.data_dir, "it holds no index to read", why)
    try:
        copy = copy_store(path)
    except sqlite3.Error as exc:
        raise damaged(path, _reason(exc)) from exc
    except OSError as exc:
        detail = f"no copy of its index could be made ({_reason(exc)})"
        raise not_writable(settings.data_dir, detail, why) from exc
    log.info("the data dir is not writable: reading a copy of its index in %s", copy)
    try:
        return persistent(copy), copy
    except BaseException as exc:
        if not failed(exc) or isinstance(exc, DamagedIndexError):
            raise
        raise damaged(path, _reason(exc)) from exc


def not_writable(data_dir: Path, detail: str = "", why: str = "") -> DataDirError:
    reason = why or not_writable_reason(data_dir)
    return DataDirError(
        f"the data directory {data_dir} is not writable ({reason})"
        + (f", and {detail}" if detail else "")
        + ": make it writable or set URBACT_DATA_DIR to a writable folder"
    )


def damaged(path: Path, reason: str) -> DamagedIndexError:
    return DamagedIndexError(
        f"the index in {path} is damaged ({reason}); "
        "run `urbact-assistant ingest --force` to rebuild it"
    )


def failed(exc: BaseException) -> bool:
    """An error, as opposed to an interruption: Chroma's native code reports a panic as a
    ``PanicException``, which is not an ``Exception``."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _cannot_write(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(m in text for m in ("readonly database", "read-only", "disk is full", "no space"))


def move_aside(settings: Settings) -> Path | None:
    """Move a damaged embedded store out of the way (kept for inspection); its new name."""
    path = settings.data_dir / "chroma"
    if not path.exists():
        return None
    aside = path.with_name(f"chroma.damaged-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")
    path.rename(aside)
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # Chroma keeps one system per path per process
    (settings.data_dir / "index.json").unlink(missing_ok=True)
    return aside


class IndexStore:
    """Builds and opens index collections in one Chroma client."""

    LEASE = 900.0  # seconds a server-side writer lease lasts without renewal

    def __init__(
        self,
        client: Any,
        prefix: str = "urbact",
        mirror: Path | None = None,
        lock_file: Path | None = None,
        files: Path | None = None,
        origin: Path | None = None,
    ):
        """``mirror``: a JSON copy of the active build's manifest, written at each switch, so
        that a process can check the index without importing Chroma (embedded mode only).
        ``lock_file``: the writer lock of an embedded index; without it (a Chroma server) the
        lock is a lease collection on the server. ``files``: the folder of an embedded
        store's files, checked before Chroma reads them; ``origin``: the store's folder named
        in messages, when ``files`` is a private copy of it."""
        self.client = client
        self.files = files
        self.origin = origin or files
        self._sound: set[str] = set()  # builds whose segment files were checked
        self.prefix = prefix
        self.pointer_name = f"{prefix}-pointer"
        self.lock_name = f"{prefix}-lock"
        self.mirror = mirror
        self.lock_file = lock_file
        self._lease: str | None = None

    # -- the pointer ---------------------------------------------------------
    def active_name(self) -> str | None:
        try:
            pointer = self.client.get_collection(self.pointer_name)
        except Exception:  # chromadb raises NotFoundError (or ValueError in older versions)
            return None
        return (pointer.metadata or {}).get("active")

    def _switch(self, name: str) -> None:
        pointer = self.client.get_or_create_collection(self.pointer_name)
        pointer.modify(metadata={"active": name, "switched": _now()})

    def manifest(self) -> Manifest | None:
        name = self.active_name()
        if not name:
            return None
        try:
            found = Manifest.from_metadata(self.client.get_collection(name).metadata)
        except Exception:
            return None
        return replace(found, build=name)

    # -- damage --------------------------------------------------------------
    def check_build(self, name: str) -> None:
        """Raise ``DamagedIndexError`` when the build's segment files would crash Chroma's
        native code (checked once per build and process; nothing to check on a server)."""
        if self.files is None or name in self._sound:
            return
        if problem := self._segments_problem([name]):
            raise damaged(self.origin or self.files, problem)
        self._sound.add(name)

    def check(self) -> None:
        """Check the whole embedded store: the SQLite file (``quick_check``) and every
        build's segment files; ``DamagedIndexError`` when something is wrong. Only under the
        writer lock: another writer's build in progress would look damaged."""
        if self.files is None:
            return
        problem = sqlite_problem(self.files / "chroma.sqlite3") or self._segments_problem(None)
        if problem:
            raise damaged(self.origin or self.files, problem)

    def diagnose(self, exc: BaseException) -> DamagedIndexError | None:
        """A ``DamagedIndexError`` explaining ``exc`` (an error Chroma raised while reading)
        when the store is damaged; None when nothing is found."""
        if self.files is None:
            return None
        try:  # only the build read: another writer's build may be half-written
            active = self.active_name()
        except Exception:
            active = None
        problem = sqlite_problem(self.files / "chroma.sqlite3") or self._segments_problem(
            [active] if active else None
        )
        if problem is None and any(m in str(exc).lower() for m in DAMAGE_MARKERS):
            problem = ": ".join(str(exc).split(": ")[-3:])[:120]  # Chroma's most specific words
        return damaged(self.origin or self.files, problem) if problem else None

    def _segments_problem(self, builds: list[str] | None) -> str | None:
        assert self.files is not None
        try:
            segments = vector_segments(self.files, builds)
        except sqlite3.Error as exc:
            return str(exc)
        for name, (folder, dimension) in sorted(segments.items()):
            if problem := segment_problem(folder, dimension):
                return f"build {name}: {problem}"
        return None

    # -- one writer at a time ------------------------------------------------
    @contextmanager
    def writing(self, wait: float) -> Iterator[None]:
        """Hold the writer lock, waiting at most ``wait`` seconds for another writer to finish;
        ``IngestBusyError`` when it does not. A crashed writer's lock is freed: by the OS for
        the file lock, by expiry for a server lease."""
        if self.lock_file is not None:
            with file_lock(self.lock_file, wait):
                yield
            return
        self._take_lease(wait)
        try:
            yield
        finally:
            self._drop_lease()

    def _take_lease(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        token = secrets.token_hex(8)
        while True:
            try:
                self.client.create_collection(
                    self.lock_name, metadata={"owner": token, "expires": time.time() + self.LEASE}
                )
                self._lease = token
                return
            except Exception:  # it exists: another writer holds the lease
                try:
                    held = self.client.get_collection(self.lock_name).metadata or {}
                except Exception:
                    continue  # released meanwhile: try again
                if float(held.get("expires", 0)) < time.time():
                    log.warning("removing an expired index writer lease")
                    self._drop(self.lock_name)
                    continue
                if time.monotonic() >= deadline:
                    raise _busy() from None
                time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))

    def renew(self) -> None:
        """Extend a server lease during a long build (the file lock needs no renewal)."""
        if self._lease is not None:
            lease = self.client.get_collection(self.lock_name)
            lease.modify(metadata={"owner": self._lease, "expires": time.time() + self.LEASE})

    def _drop_lease(self) -> None:
        token, self._lease = self._lease, None
        try:
            held = self.client.get_collection(self.lock_name).metadata or {}
        except Exception:
            return
        if held.get("owner") == token:
            self._drop(self.lock_name)

    # -- building ------------------------------------------------------------
    def ingest(
        self,
        corpus: Corpus,
        embeddings: CachedEmbeddings,
        *,
        force: bool = False,
        progress: Progress | None = None,
        wait: float = 600.0,
        locked: bool = False,
    ) -> IngestReport:
        """Make the active index match ``corpus``; a no-op when it already does. One writer
        at a time: waits at most ``wait`` seconds for another ingest (then checks again
        whether there is anything left to do); ``locked``: the caller holds the lock."""
        with nullcontext() if locked else self.writing(wait):
            return self._ingest(corpus, embeddings, force, progress)

    def _ingest(
        self,
        corpus: Corpus,
        embeddings: CachedEmbeddings,
        force: bool,
        progress: Progress | None,
    ) -> IngestReport:
        cards = {c.slug: passages_fingerprint(c) for c in corpus.cards}
        old = self.manifest()
        report = IngestReport(cards=len(cards))
        if old and old.model_id == embeddings.model_id and old.schema == SCHEMA:
            report.added = sorted(set(cards) - set(old.cards))
            report.removed = sorted(set(old.cards) - set(cards))
            report.updated = sorted(s for s in cards if s in old.cards and old.cards[s] != cards[s])
            if not force and old.cards == cards:
                report.up_to_date = True
                report.build = self.active_name() or ""
                if self.mirror and read_mirror(self.mirror) != old:
                    write_mirror(self.mirror, old)
                report.swept, report.freed = self.sweep_segment_folders()
                return report
        else:
            report.added = sorted(cards)

        passages = [p for card in corpus.cards for p in card_passages(card)]
        report.passages = len(passages)
        build = f"{self.prefix}-{dt.datetime.now(dt.UTC):%Y%m%dt%H%M%S}-{secrets.token_hex(3)}"
        manifest = Manifest(model_id=embeddings.model_id, cards=cards, built=_now(), build=build)
        collection = self.client.create_collection(build, metadata=manifest.to_metadata())
        before = embeddings.computed
        try:
            batch = 64
            for start in range(0, len(passages), batch):
                chunk = passages[start : start + batch]
                vectors = embeddings.embed_documents([p.text for p in chunk])
                collection.add(
                    ids=[p.id for p in chunk],
                    embeddings=vectors,
                    documents=[p.text for p in chunk],
                    metadatas=[{"slug": p.slug, "part": p.part, "kind": p.kind} for p in chunk],
                )
                if progress:
                    progress(min(start + batch, len(passages)), len(passages))
                self.renew()
            if collection.count() != len(passages):
                raise IndexError_("the new index is incomplete; the previous one stays in service")
        except BaseException:
            self._drop(build)
            raise
        report.embedded = embeddings.computed - before
        previous = self.active_name()
        self._switch(build)
        if self.mirror:
            write_mirror(self.mirror, manifest)
        report.build = build
        self.collect_garbage(keep=(build, previous))
        report.swept, report.freed = self.sweep_segment_folders()
        return report

    def _drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:  # pragma: no cover - best effort cleanup
            log.warning("could not remove the unfinished index collection %s", name)

    def sweep_segment_folders(self) -> tuple[int, int]:
        """Delete the folders of vector segments no collection references any more, and
        return how many were deleted and the bytes they held.

        Chroma deletes a collection's rows but leaves its HNSW folder (``<store>/<segment
        uuid>/``, chroma-core/chroma#5259), so every re-ingest used to leave one build's
        vectors behind. Called by the writer, under the writer lock, right after
        ``collect_garbage``: the builds still in use (the active one and the one it replaced,
        which running readers may still read) are live segments and keep their folders. A
        folder is deleted only when its segment is gone from the store's ``segments`` table,
        i.e. its collection is deleted: a reader still holding that build gets Chroma's
        "collection does not exist" whether or not the folder is there, and follows the
        pointer (``FollowingVectorStore``). The folders are listed *before* the live ids are
        read, so a segment created meanwhile is never mistaken for an orphan; when the table
        cannot be read or looks wrong (the active build's segments missing), nothing is
        deleted. Never raises: a failed sweep is retried by the next ingest."""
        if self.files is None:
            return 0, 0
        try:
            return self._sweep(self.files)
        except Exception as exc:  # the index itself is fine: leave the folders to the next one
            log.warning("could not sweep unused index folders (%s)", _reason(exc))
            return 0, 0

    def _sweep(self, root: Path) -> tuple[int, int]:
        folders = [p for p in root.iterdir() if SEGMENT_FOLDER.match(p.name) and p.is_dir()]
        if not folders:
            return 0, 0
        live = live_segments(root / "chroma.sqlite3")
        active = self.active_name()
        active_id = str(self.client.get_collection(active).id) if active else None
        if active_id is None or active_id not in live.values():
            log.warning("the index's segment table looks incomplete; no folder swept")
            return 0, 0
        swept = freed = 0
        for folder in folders:
            if folder.name in live:
                continue
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            shutil.rmtree(folder)
            swept, freed = swept + 1, freed + size
            log.info("removed the folder of a deleted index build's segment %s", folder.name)
        return swept, freed

    def collect_garbage(self, keep: tuple[str | None, ...]) -> None:
        """Remove builds other than ``keep``: the new one and the one it replaced, which
        running readers may still use until they follow the pointer (older and interrupted
        builds go)."""
        special = (self.pointer_name, self.lock_name)
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(f"{self.prefix}-") and name not in (*keep, *special):
                self._drop(name)

    # -- reading -------------------------------------------------------------
    def open(self, embeddings: ModelEmbeddings) -> tuple[str, Any]:
        """The active build's name, and the build as a LangChain ``Chroma`` vector store."""
        name = self.active_name()
        if not name:
            raise IndexError_("there is no index yet; run `urbact-assistant ingest`")
        manifest = self.manifest()
        if manifest is None:
            raise IndexError_("the index is damaged; run `urbact-assistant ingest --force`")
        if manifest.model_id != embeddings.model_id:
            raise model_mismatch(manifest.model_id, embeddings.model_id)
        self.check_build(name)  # before Chroma's native code loads the build's vectors
        from langchain_chroma import Chroma

        return name, Chroma(
            client=self.client,
            collection_name=name,
            embedding_function=embeddings,
            create_collection_if_not_exists=False,
        )


@contextmanager
def file_lock(path: Path, wait: float) -> Iterator[None]:
    """The writer lock of an embedded index, waiting at most ``wait`` seconds for it
    (``IngestBusyError``); the OS frees it when its holder dies."""
    from filelock import FileLock, Timeout

    lock = FileLock(path)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise _busy() from None
    try:
        yield
    finally:
        lock.release()


def _busy() -> IngestBusyError:
    return IngestBusyError("another ingest is updating the index; try again when it has finished")


def model_mismatch(built: str, configured: str) -> IndexMismatchError:
    return IndexMismatchError(
        f"the index was built with the embedding model '{built}' but '{configured}' is "
        "configured; run `urbact-assistant ingest` to re-index"
    )


def write_mirror(path: Path, manifest: Manifest) -> None:
    """Write the manifest copy atomically (a temporary file, then a rename)."""
    data = json.dumps(manifest.__dict__, sort_keys=True).encode()
    write_atomically(path, lambda f: f.write(data))


def read_mirror(path: Path) -> Manifest | None:
    """The manifest copy, or None when it is missing or unreadable."""
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class FollowingVectorStore:
    """The active build as a vector store, opened on first use (questions about a named
    network or a city need no vectors, so no Chroma import), and followed: when an ingest
    switches the pointer to a new build, the next query uses the new build.

    ``active`` tells cheaply which build is active (the manifest copy for an embedded index,
    the pointer collection, at most every ``CHECK_EVERY`` seconds, for a server); a query that
    fails because its build was removed reopens the active build and is tried once more.
    """

    CHECK_EVERY = 5.0

    def __init__(
        self,
        open_store: Callable[[], tuple[str, Any]],
        active: Callable[[], str | None],
        clock: Callable[[], float] = time.monotonic,
        diagnose: Callable[[BaseException], IndexError_ | None] | None = None,
    ):
        """``diagnose``: turns an error of a query that failed twice into a clear one (a
        damaged store), or None to let it through."""
        self._open_store = open_store
        self._active = active
        self._clock = clock
        self._diagnose = diagnose
        self._store: Any = None
        self._name: str | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    @property
    def opened(self) -> bool:
        return self._store is not None

    def _current(self, force: bool = False) -> Any:
        with self._lock:
            now = self._clock()
            if self._store is not None and not force and now - self._checked < self.CHECK_EVERY:
                return self._store
            self._checked = now
            if self._store is None or force or self._active() != self._name:
                self._name, self._store = self._open_store()
                log.info("reading the index build %s", self._name)
            return self._store

    def open(self) -> None:
        """Open the active build now (``IndexError_`` when it cannot be used)."""
        self._current()

    def similarity_search_by_vector_with_relevance_scores(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._current().similarity_search_by_vector_with_relevance_scores(
                *args, **kwargs
            )
        except IndexError_:
            raise
        except BaseException as exc:  # the build was removed under us (chromadb NotFoundError)
            if not failed(exc):
                raise
            log.info("the index build changed while reading; following the pointer")
        try:
            return self._current(force=True).similarity_search_by_vector_with_relevance_scores(
                *args, **kwargs
            )
        except IndexError_:
            raise
        except BaseException as exc:
            if failed(exc) and self._diagnose and (clear := self._diagnose(exc)):
                raise clear from exc
            raise


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def default_cache_path(settings: Settings) -> Path:
    return settings.data_dir / "embeddings-cache.sqlite"
