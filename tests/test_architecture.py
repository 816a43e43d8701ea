"""The layout's rules, checked on the source: who may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "urbact_assistant"
MODULES = sorted(PACKAGE.rglob("*.py"))
# Layers, bottom up: a module may import its own layer and the ones below.
LAYERS = ["core", "knowledge", "understanding", "search", "answering"]
LANGCHAIN_OR_CHROMA = {
    "search/embeddings.py", "search/index.py", "search/chroma_server.py", "answering/chain.py",
    "answering/llm.py",
}  # fmt: skip


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_only_the_telegram_adapter_imports_telegram(path):
    uses = {m for m in imports(path) if m.split(".")[0] == "telegram"}
    assert not uses or relative(path).startswith("adapters/telegram/"), uses


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_only_index_chain_and_llm_modules_import_langchain_or_chroma(path):
    heavy = {m for m in imports(path) if m.split(".")[0] in ("langchain_core", "langchain_chroma", "langchain_openai", "chromadb")}  # fmt: skip
    assert not heavy or relative(path) in LANGCHAIN_OR_CHROMA, heavy


@pytest.mark.parametrize(
    "path", [p for p in MODULES if relative(p).startswith("adapters/")], ids=relative
)
def test_adapters_use_only_the_public_api(path):
    inner = {
        m for m in imports(path)
        if m.startswith("urbact_assistant.") and not m.startswith("urbact_assistant.adapters")
    }  # fmt: skip
    assert not inner, f"{relative(path)} reaches behind the front door: {inner}"


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_layers_import_only_downwards(path):
    layer = relative(path).split("/")[0]
    if layer not in LAYERS:
        return
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    for module in imports(path):
        parts = module.split(".")
        if parts[0] == "urbact_assistant" and len(parts) > 1 and parts[1] in LAYERS:
            assert parts[1] in allowed, f"{relative(path)} imports {module}"


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_source_files_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    limit = 500 if relative(path).startswith("adapters/telegram/") else 700
    assert lines <= limit, f"{relative(path)}: {lines} lines"


def test_the_front_door_is_importable():
    from urbact_assistant import Assistant, Settings

    assert Assistant.__name__ == "Assistant" and Settings.__name__ == "Settings"
