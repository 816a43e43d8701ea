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
import re
import secrets
import shutil
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from urbact_assistant.config import Settings
from urbact_assistant.core.results import IngestReport, Progress
from urbact_assistant.core.snapshot import write_atomically
from urbact_assistant.errors import (
    DamagedIndexError,
    IndexError_,
    IndexMismatchError,
    IngestBusyError,
)
from urbact_assistant.knowledge.corpus import Corpus
from urbact_assistant.knowledge.passages import card_passages, passages_fingerprint
from urbact_assistant.search.embeddings import CachedEmbeddings, ModelEmbeddings

log = logging.getLogger(__name__)
SCHEMA = 1
SEGMENT_FOLDER = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


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


def make_client(settings: Settings):
    """An embedded ``PersistentClient`` under the data dir, or an ``HttpClient`` to a server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if settings.chroma_host:
        return _server_client(settings)
    from filelock import FileLock

    chroma_settings = ChromaSettings(anonymized_telemetry=False)

    path = settings.data_dir / "chroma"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # Chroma creates its tables on first open; processes opening a new store at the same
        # time ("table collections already exists") take turns here, for a moment each.
        with FileLock(settings.data_dir / "chroma.open.lock", timeout=120):
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            client.list_collections()  # reads the store: a damaged one fails here, not later
    except Exception as exc:
        raise DamagedIndexError(
            f"the index in {path} is damaged ({_reason(exc)}); "
            "run `urbact-assistant ingest --force` to rebuild it"
        ) from exc
    return client


TOKEN_AUTH = "chromadb.auth.token_authn.TokenAuthClientProvider"


def _server_client(settings: Settings):
    """An ``HttpClient`` to ``URBACT_CHROMA_HOST``: Chroma's token auth when a token is set,
    https when ``URBACT_CHROMA_SSL`` is on. Failures are one line naming the setting to
    check, with the token redacted (a proxy may echo request headers in its error page)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = server_address(settings)
    options: dict[str, Any] = {"anonymized_telemetry": False}
    if settings.chroma_token:
        options.update(
            chroma_client_auth_provider=TOKEN_AUTH,
            chroma_client_auth_credentials=settings.chroma_token,
            chroma_auth_token_transport_header=settings.chroma_token_header,
        )
        if not settings.chroma_ssl and host not in ("localhost", "127.0.0.1", "::1"):
            log.warning(
                "URBACT_CHROMA_TOKEN is sent to %s without TLS; set URBACT_CHROMA_SSL=1 unless "
                "the server is on a private network",
                host,
            )
    if settings.chroma_ssl and settings.chroma_ssl_verify:
        options["chroma_server_ssl_verify"] = (
            False if settings.chroma_ssl_verify == "0" else settings.chroma_ssl_verify
        )
    try:
        with warnings.catch_warnings():  # httpx deprecates a CA path in favour of a context
            warnings.filterwarnings("ignore", "`verify=<str>` is deprecated", DeprecationWarning)
            return chromadb.HttpClient(
                host=host, port=port, ssl=settings.chroma_ssl, settings=ChromaSettings(**options)
            )
    except Exception as exc:
        raise server_error(settings, exc) from None


def server_address(settings: Settings) -> tuple[str, int]:
    """``URBACT_CHROMA_HOST`` as (host, port): port 8000 by default, 443 with https."""
    host, _, port = settings.chroma_host.partition(":")
    return host, int(port) if port else (443 if settings.chroma_ssl else 8000)


def server_error(settings: Settings, exc: BaseException) -> IndexError_:
    """One line for a failed connection to a Chroma server, naming the setting to check."""
    where = f"the Chroma server at {settings.chroma_host}"
    status = _auth_status(exc) or _probe_status(settings)
    if status in (401, 403) and settings.chroma_token:
        return IndexError_(
            f"{where} refused the token (HTTP {status}); check URBACT_CHROMA_TOKEN and "
            f"URBACT_CHROMA_TOKEN_HEADER (sent as {settings.chroma_token_header})"
        )
    if status in (401, 403):
        return IndexError_(f"{where} requires a token (HTTP {status}); set URBACT_CHROMA_TOKEN")
    reason = _chain_reason(exc, settings.chroma_token)
    if "CERTIFICATE_VERIFY_FAILED" in reason:
        return IndexError_(
            f"{where}: its TLS certificate could not be verified ({reason}); set "
            "URBACT_CHROMA_SSL_VERIFY to the CA bundle that signed it"
        )
    if settings.chroma_ssl and ("WRONG_VERSION_NUMBER" in reason or "SSL" in reason):
        return IndexError_(
            f"{where}: TLS failed ({reason}); check URBACT_CHROMA_SSL (is it an https server?)"
        )
    return IndexError_(f"cannot reach {where}: {reason}")


def _auth_status(exc: BaseException) -> int | None:
    from chromadb.errors import AuthorizationError, ChromaAuthError

    if isinstance(exc, AuthorizationError):
        return 401
    if isinstance(exc, ChromaAuthError):
        return 403
    return None


def _probe_status(settings: Settings) -> int | None:
    """The HTTP status of Chroma's identity endpoint, asked the way the client asks it: a
    401 or 403 from a proxy in front of the server reaches the client as a bare text."""
    import ssl

    import httpx

    host, port = server_address(settings)
    headers = {}
    if settings.chroma_token:
        bearer = settings.chroma_token_header == "Authorization"
        value = f"Bearer {settings.chroma_token}" if bearer else settings.chroma_token
        headers[settings.chroma_token_header] = value
    verify: ssl.SSLContext | bool = True
    if settings.chroma_ssl_verify == "0":
        verify = False
    elif settings.chroma_ssl_verify:
        verify = ssl.create_default_context(cafile=settings.chroma_ssl_verify)
    scheme = "https" if settings.chroma_ssl else "http"
    try:
        response = httpx.get(
            f"{scheme}://{host}:{port}/api/v2/auth/identity",
            headers=headers,
            verify=verify,
            timeout=5.0,
        )
    except Exception:
        return None
    return response.status_code


def _chain_reason(exc: BaseException, secret: str) -> str:
    """The most useful message of an exception chain (the TLS error under httpx's), with
    ``secret`` redacted."""
    reasons: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(reasons) < 5:
        reasons.append(_reason(seen, secret))
        seen = seen.__cause__ or seen.__context__
    return next((r for r in reasons if "SSL" in r), reasons[0])


def _reason(exc: BaseException, secret: str = "") -> str:
    text = str(exc).replace(secret, "<token>") if secret else str(exc)
    text = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return text[:120]


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
        store_dir: Path | None = None,
    ):
        """``mirror``: a JSON copy of the active build's manifest, written at each switch, so
        that a process can check the index without importing Chroma (embedded mode only).
        ``lock_file``: the writer lock of an embedded index; without it (a Chroma server) the
        lock is a lease collection on the server. ``store_dir``: the embedded store's folder,
        where the segment folders of removed builds are swept after each ingest."""
        self.client = client
        self.prefix = prefix
        self.pointer_name = f"{prefix}-pointer"
        self.lock_name = f"{prefix}-lock"
        self.mirror = mirror
        self.lock_file = lock_file
        self.store_dir = store_dir
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

    # -- one writer at a time ------------------------------------------------
    @contextmanager
    def writing(self, wait: float) -> Iterator[None]:
        """Hold the writer lock, waiting at most ``wait`` seconds for another writer to finish;
        ``IngestBusyError`` when it does not. A crashed writer's lock is freed: by the OS for
        the file lock, by expiry for a server lease."""
        if self.lock_file is not None:
            from filelock import FileLock, Timeout

            lock = FileLock(self.lock_file)
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                raise _busy() from None
            try:
                yield
            finally:
                lock.release()
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
    ) -> IngestReport:
        """Make the active index match ``corpus``; a no-op when it already does. One writer
        at a time: waits at most ``wait`` seconds for another ingest (then checks again
        whether there is anything left to do)."""
        with self.writing(wait):
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

    def collect_garbage(self, keep: tuple[str | None, ...]) -> None:
        """Remove builds other than ``keep``: the new one and the one it replaced, which
        running readers may still use until they follow the pointer (older and interrupted
        builds go)."""
        special = (self.pointer_name, self.lock_name)
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(f"{self.prefix}-") and name not in (*keep, *special):
                self._drop(name)

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
        if self.store_dir is None:
            return 0, 0
        try:
            return self._sweep(self.store_dir)
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
        from langchain_chroma import Chroma

        return name, Chroma(
            client=self.client,
            collection_name=name,
            embedding_function=embeddings,
            create_collection_if_not_exists=False,
        )


def live_segments(database: Path) -> dict[str, str]:
    """Segment id → collection id, from an embedded store's ``segments`` table, read-only."""
    uri = f"{database.resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=10) as db:
        rows = db.execute("SELECT id, collection FROM segments").fetchall()
    db.close()
    return {str(segment): str(collection) for segment, collection in rows}


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
    ):
        self._open_store = open_store
        self._active = active
        self._clock = clock
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

    def similarity_search_by_vector_with_relevance_scores(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._current().similarity_search_by_vector_with_relevance_scores(
                *args, **kwargs
            )
        except IndexError_:
            raise
        except Exception:  # the build was removed under us (chromadb NotFoundError)
            log.info("the index build changed while reading; following the pointer")
            return self._current(force=True).similarity_search_by_vector_with_relevance_scores(
                *args, **kwargs
            )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def default_cache_path(settings: Settings) -> Path:
    return settings.data_dir / "embeddings-cache.sqlite"
