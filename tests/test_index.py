"""The Chroma index: incremental ingest, build aside then switch, model recorded."""

from __future__ import annotations

import pytest

from urbact_assistant.assistant import Assistant
from urbact_assistant.errors import IndexMismatchError
from urbact_assistant.search.embeddings import CachedEmbeddings, ModelEmbeddings
from urbact_assistant.services import Services

from .conftest import make_settings

pytestmark = pytest.mark.slow  # builds small indexes with the real embedding model


def services(tmp_path, corpus):
    return Services.create(make_settings(tmp_path / "data", corpus))


def test_reingest_of_an_unchanged_corpus_embeds_nothing(tmp_path, small_corpus):
    first = services(tmp_path, small_corpus).ingest()
    assert first.embedded == first.passages > 0
    assert sorted(first.added) == ["genprocure", "how-to-join", "remote-it", "schoolhoods"]
    again = services(tmp_path, small_corpus)
    report = again.ingest()
    assert report.up_to_date and again.embeddings.computed == 0
    assert report.build == first.build


def test_changed_and_deleted_cards_are_updated_and_removed(tmp_path, small_corpus):
    services(tmp_path, small_corpus).ingest()
    card = small_corpus / "networks" / "remote-it.md"
    card.write_text(
        card.read_text() + "\nThe network also met in Tirana to compare coworking pilots.\n"
    )
    (small_corpus / "networks" / "schoolhoods.md").unlink()
    svc = services(tmp_path, small_corpus)
    report = svc.ingest()
    assert report.updated == ["remote-it"] and report.removed == ["schoolhoods"]
    assert 0 < report.embedded <= 2  # only the changed body window is new text
    _, store = svc.store.open(svc.embeddings)
    slugs = {m["slug"] for m in store.get(include=["metadatas"])["metadatas"]}
    assert slugs == {"remote-it", "genprocure", "how-to-join"}
    found = store.similarity_search("coworking pilots in Tirana", k=1)
    assert found[0].metadata["slug"] == "remote-it"


class Exploding(ModelEmbeddings):
    """Embeds a few batches, then fails: an ingest interrupted half way."""

    def __init__(self, inner, fail_after):
        self.inner, self.model_id, self.calls, self.fail_after = (
            inner,
            inner.model_id,
            0,
            fail_after,
        )

    def embed_documents(self, texts):
        self.calls += 1
        if self.calls > self.fail_after:
            raise KeyboardInterrupt
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_an_interrupted_ingest_leaves_the_old_index_in_service(tmp_path, small_corpus):
    svc = services(tmp_path, small_corpus)
    good = svc.ingest()
    for slug in ("remote-it", "genprocure"):
        card = small_corpus / "networks" / f"{slug}.md"
        card.write_text(card.read_text() + "\n" + "New paragraph about a study visit. " * 30 + "\n")
    svc = services(tmp_path, small_corpus)
    svc.embeddings = CachedEmbeddings(Exploding(svc.embeddings.inner, 0), tmp_path / "other.sqlite")
    with pytest.raises(KeyboardInterrupt):
        svc.ingest()
    assert svc.store.active_name() == good.build
    names = [getattr(c, "name", c) for c in svc.store.client.list_collections()]
    assert sorted(n for n in names if n != "urbact-pointer") == [good.build]
    # The next ingest completes and switches.
    report = services(tmp_path, small_corpus).ingest()
    assert report.updated == ["genprocure", "remote-it"] and report.build != good.build


def test_an_index_built_with_another_model_asks_to_reingest(tmp_path, small_corpus):
    svc = services(tmp_path, small_corpus)
    svc.ingest()
    svc.embeddings.model_id = "another-model"
    with pytest.raises(IndexMismatchError, match="run `urbact-assistant ingest`"):
        svc.store.open(svc.embeddings)


def test_first_question_builds_the_index(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "fresh", small_corpus)
    messages = []
    assistant = Assistant.open(settings, on_build=messages.append)
    assert messages == ["building the index (first use)"]
    answer = assistant.ask("which networks tackle remote work?")
    assert answer.citations[0].slug == "remote-it"


def test_name_questions_need_neither_chroma_nor_the_model(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    Services.create(settings).ingest()
    assert (tmp_path / "data" / "index.json").exists()
    assistant = Assistant.open(settings)
    assert assistant.services._store is None  # checked through the manifest copy
    assert assistant.ask("who leads GenProcure?").citations[0].slug == "genprocure"
    assert not assistant._retriever.store.opened
    assert assistant.ask("which networks tackle remote work?").citations[0].slug == "remote-it"
    assert assistant._retriever.store.opened


def test_the_manifest_copy_catches_a_model_change(tmp_path, small_corpus):
    settings = make_settings(tmp_path / "data", small_corpus)
    Services.create(settings).ingest()
    copy = tmp_path / "data" / "index.json"
    copy.write_text(copy.read_text().replace("use-multilingual-v3", "other-model"))
    with pytest.raises(IndexMismatchError, match="re-index"):
        Assistant.open(settings)
