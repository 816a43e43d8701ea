"""Tables derived from the corpus and the package data, kept on disk between processes.

Parsing ~175 cards, building the entity tables, the thesaurus and the BM25 index takes about
half a second; a one-shot ``ask`` would pay it on every run. ``load_or_build`` stores the
built object in the data dir under a key that covers everything it was built from: the corpus
files, the package's own code and data, and the versions of the libraries whose objects it
holds. Any other key, a damaged or unreadable file, or an unwritable folder simply means
building again.

The file is a pickle, which can run code when loaded, so it is authenticated: an HMAC-SHA256
of its bytes, under a random key kept next to it (``.snapshot-key``, readable by the owner
only), is checked before unpickling. A file planted by someone who cannot read that key is
refused and rebuilt, with a warning.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import logging
import os
import pickle
import re
import sys
import time
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
PACKAGE_DIR = Path(__file__).parents[1]


def fingerprint(files: Iterable[Path], *parts: str, root: Path | None = None) -> str:
    """A digest of the files' names and bytes and of ``parts``."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for file in files:
        name = file.relative_to(root) if root else file
        digest.update(f"{name}\0".encode())
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def code_fingerprint(*distributions: str) -> str:
    """The package's own modules and data files, Python's version and those of
    ``distributions``: what decides the shape of a pickled object."""
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".yaml"))
    versions = [f"{d}={_version(d)}" for d in distributions]
    return fingerprint(files, sys.version, *versions, root=PACKAGE_DIR)


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "-"


MAGIC = b"urbact-snapshot-1\n"
KEY_FILE = ".snapshot-key"


class Tampered(Exception):
    """A snapshot whose signature does not match: never unpickled."""


def secret(folder: Path) -> bytes:
    """The folder's signing key, created (owner-only) on first use."""
    path = folder / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        key = os.urandom(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key


def load_or_build(path: Path | None, key: str, build: Callable[[], T]) -> T:
    """The object stored at ``path`` under ``key``, or ``build()``'s result, stored there."""
    if path is not None:
        try:
            stored_key, value = _load(path)
            if stored_key == key:
                return value  # type: ignore[return-value]  # stored by this code under key
        except FileNotFoundError:
            pass
        except Tampered:
            log.warning("the snapshot %s is not signed by this data dir: ignored", path)
        except Exception:
            log.info("rebuilding the snapshot %s", path)
    value = build()
    if path is not None:
        _store(path, key, value)
    return value


def _sign(path: Path, data: bytes) -> bytes:
    return hmac.new(secret(path.parent), data, hashlib.sha256).digest()


def _load(path: Path) -> tuple[str, object]:
    raw = path.read_bytes()
    head, signature, data = (
        raw[: len(MAGIC)],
        raw[len(MAGIC) : len(MAGIC) + 32],
        raw[len(MAGIC) + 32 :],
    )
    if head != MAGIC or not hmac.compare_digest(signature, _sign(path, data)):
        raise Tampered(path)
    gc.disable()  # thousands of small objects: the collector would run for nothing
    try:
        stored = pickle.loads(data)
    finally:
        gc.enable()
    key, value = stored
    return key, value


def _store(path: Path, key: str, value: object) -> None:
    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        signed = MAGIC + _sign(path, data) + data
        write_atomically(path, lambda f: f.write(signed))
    except Exception as exc:
        log.info("could not write the snapshot %s: %s", path, exc)


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write through a temporary file then rename it: a reader sees the old file or the new
    one, never half of one; a failed write leaves no temporary file behind (a killed process
    does: ``remove_stale_temporaries`` collects it later)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as f:
            write(f)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


TEMPORARY = re.compile(r"\..+\.\d+\.tmp")  # write_atomically's ".<name>.<pid>.tmp"
STALE_AFTER = 600.0  # seconds: no write of ours takes that long, and the file's time moves


def remove_stale_temporaries(folder: Path, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files of ``write_atomically`` that a killed process left in
    ``folder`` (only that naming pattern, only files untouched for ``older_than`` seconds);
    the ones removed. Never fails: a read-only or missing folder removes nothing."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    cutoff = time.time() - older_than
    for entry in entries:
        if not TEMPORARY.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    if removed:
        log.info(
            "removed %d temporary file(s) left by an interrupted write in %s", len(removed), folder
        )
    return removed
