"""Fixtures: settings in temporary folders, the real corpus, a real index built once per run."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from urbact_assistant.assistant import Assistant
from urbact_assistant.config import Settings, default_corpus_dir
from urbact_assistant.services import Services

TODAY = dt.date(2026, 11, 27)
CORPUS = default_corpus_dir()


INDEX_FIXTURES = {"index_dir", "assistant"}


def pytest_collection_modifyitems(items):
    """Tests that need the real index (built once per run, ~10 s) form the slow tier; the rest
    (understanding, composing, citations, rendering, state) run with ``-m "not slow"``."""
    for item in items:
        if INDEX_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """A developer's real settings and keys never leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith(("URBACT_", "OPENAI_", "TELEGRAM_")):
            monkeypatch.delenv(name)


def make_settings(
    data_dir: Path, corpus_dir: Path = CORPUS, today: dt.date = TODAY, **env: str
) -> Settings:
    return Settings.from_env(
        {
            "URBACT_DATA_DIR": str(data_dir),
            "URBACT_CORPUS_DIR": str(corpus_dir),
            "URBACT_TODAY": today.isoformat(),
            **env,
        }
    )


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """A data dir holding a real Chroma index of the real corpus, built once."""
    data_dir = tmp_path_factory.mktemp("data")
    Services.create(make_settings(data_dir)).ingest()
    return data_dir


@pytest.fixture(scope="session")
def assistant(index_dir) -> Assistant:
    return Assistant.open(make_settings(index_dir))


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A copy of three real cards and one programme page, to change freely."""
    root = tmp_path / "corpus"
    (root / "networks").mkdir(parents=True)
    (root / "programme").mkdir()
    for slug in ("remote-it", "genprocure", "schoolhoods"):
        shutil.copy(CORPUS / "networks" / f"{slug}.md", root / "networks")
    shutil.copy(CORPUS / "programme" / "how-to-join.md", root / "programme")
    return root


@pytest.fixture
def api():
    """A fake Telegram Bot API server on loopback; no call may have been rejected."""
    from .fake_bot_api import FakeBotApi

    server = FakeBotApi().start()
    yield server
    server.stop()
    assert [(c.method, c.error) for c in server.errors] == []
