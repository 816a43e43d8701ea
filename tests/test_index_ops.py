"""Operating the index: sweeping the folders Chroma leaves behind, and a Chroma server behind
a token and TLS. No real index here: a stand-in client, Chroma's own tables, loopback servers."""

from __future__ import annotations

import json
import shutil
import sqlite3
import ssl
import subprocess
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from urbact_assistant.config import Settings
from urbact_assistant.errors import ConfigError, IndexError_
from urbact_assistant.search.index import IndexStore, make_client


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
    store = IndexStore(client, files=root)
    assert store.sweep_segment_folders() == (1, 1000)
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [active, previous, "backup", "chroma.sqlite3", "notes.txt"]
    )
    assert store.sweep_segment_folders() == (0, 0)


def test_the_sweep_deletes_nothing_when_the_segment_table_looks_wrong(tmp_path):
    client, rows, (active, previous, orphan) = two_builds(tmp_path)
    root = tmp_path / "chroma"
    embedded_store(root, rows[1:], [active, previous, orphan])  # the active build's row missing
    assert IndexStore(client, files=root).sweep_segment_folders() == (0, 0)
    assert {active, previous, orphan} <= {p.name for p in root.iterdir()}


def test_an_unreadable_store_is_left_alone_and_the_sweep_does_not_raise(tmp_path):
    client, _, (active, _, orphan) = two_builds(tmp_path)
    root = tmp_path / "chroma"
    root.mkdir()
    (root / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    for name in (active, orphan):
        (root / name).mkdir()
    assert IndexStore(client, files=root).sweep_segment_folders() == (0, 0)
    assert {active, orphan} <= {p.name for p in root.iterdir()}


def test_a_chroma_server_is_never_swept(tmp_path):
    client, _, _ = two_builds(tmp_path)
    assert IndexStore(client).sweep_segment_folders() == (0, 0)


# --- a Chroma server behind a token and TLS ----------------------------------------------

TOKEN = "s3cr3t-Chroma_token.42"


class FakeChroma(ThreadingHTTPServer):
    """The few endpoints a Chroma client calls on connecting, on loopback; every request's
    headers are recorded. ``refuse`` answers every request with that status: as Chroma does
    (``chroma``) or as a proxy's error page that echoes the request headers (``proxy``)."""

    daemon_threads = True

    def __init__(self, refuse: int = 0, style: str = "chroma", tls: ssl.SSLContext | None = None):
        super().__init__(("127.0.0.1", 0), ChromaHandler)
        self.refuse, self.style = refuse, style
        self.requests: list[tuple[str, dict[str, str]]] = []
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    def __enter__(self) -> FakeChroma:
        threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on the TLS handshake

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class ChromaHandler(BaseHTTPRequestHandler):
    server: FakeChroma
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers.items())))
        if self.server.refuse:
            if self.server.style == "proxy":
                echoed = "".join(f"{k}: {v}\n" for k, v in self.headers.items())
                return self._send(self.server.refuse, f"Unauthorized\n{echoed}", "text/plain")
            kind = "AuthorizationError" if self.server.refuse == 401 else "AuthError"
            return self._json(self.server.refuse, {"error": kind, "message": "Unauthorized"})
        database = "/api/v2/tenants/default_tenant/databases/default_database"
        routes = {
            "/api/v2/auth/identity": {
                "user_id": "", "tenant": "default_tenant", "databases": ["default_database"],
            },
            "/api/v2/tenants/default_tenant": {"name": "default_tenant"},
            database: {"id": str(uuid.uuid4()), "name": "default_database", "tenant": "default_tenant"},
            f"{database}/collections": [],
        }  # fmt: skip
        path = self.path.split("?")[0]
        if path in routes:
            return self._json(200, routes[path])
        return self._json(404, {"error": "NotFoundError", "message": f"{path} not found"})

    do_POST = do_GET

    def _json(self, status: int, payload: object) -> None:
        self._send(status, json.dumps(payload), "application/json")

    def _send(self, status: int, text: str, content_type: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def close(client) -> None:
    """Chroma's HTTP clients (the client's and its admin client's) never close their
    connection pools; close them (no ResourceWarning)."""
    for part in (client, client._admin_client):
        part._server._session.close()
    client.close()


def server_settings(tmp_path: Path, server: FakeChroma, **env: str):
    from .conftest import make_settings

    return make_settings(tmp_path / "data", URBACT_CHROMA_HOST=server.host, **env)


@pytest.mark.parametrize(
    ("header", "sent"),
    [("", ("Authorization", f"Bearer {TOKEN}")), ("X-Chroma-Token", ("X-Chroma-Token", TOKEN))],
)
def test_the_token_is_sent_in_the_configured_header(tmp_path, header, sent):
    env = {"URBACT_CHROMA_TOKEN": TOKEN, "URBACT_CHROMA_TOKEN_HEADER": header}
    with FakeChroma() as server:
        client, _ = make_client(server_settings(tmp_path, server, **env))
        assert client.list_collections() == []
        close(client)
    name, value = sent
    assert server.requests and all(h.get(name) == value for _, h in server.requests)
    other = "X-Chroma-Token" if name == "Authorization" else "Authorization"
    assert not any(other in h for _, h in server.requests)


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("style", ["chroma", "proxy"])
def test_a_refused_token_is_one_line_naming_the_setting_never_the_token(tmp_path, status, style):
    env = {"URBACT_CHROMA_TOKEN": TOKEN}
    with FakeChroma(refuse=status, style=style) as server, pytest.raises(IndexError_) as raised:
        make_client(server_settings(tmp_path, server, **env))
    message = str(raised.value)
    assert f"refused the token (HTTP {status})" in message and "URBACT_CHROMA_TOKEN" in message
    assert TOKEN not in message and "\n" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_server_that_wants_a_token_says_which_setting_to_set(tmp_path):
    wanted = "requires a token .*set URBACT_CHROMA_TOKEN"
    with FakeChroma(refuse=401) as server, pytest.raises(IndexError_, match=wanted):
        make_client(server_settings(tmp_path, server))


def test_ask_with_a_refused_token_prints_one_line_without_the_token(tmp_path):
    from click.testing import CliRunner

    from urbact_assistant.adapters.cli import cli

    from .conftest import CORPUS

    with FakeChroma(refuse=403, style="proxy") as server:
        env = {
            "URBACT_DATA_DIR": str(tmp_path / "data"),
            "URBACT_CORPUS_DIR": str(CORPUS),
            "URBACT_CHROMA_HOST": server.host,
            "URBACT_CHROMA_TOKEN": TOKEN,
        }
        result = CliRunner().invoke(cli, ["ask", "which networks tackle remote work?"], env=env)
    assert result.exit_code == 1, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ") and "URBACT_CHROMA_TOKEN" in line
    assert TOKEN not in result.output and "Traceback" not in result.output


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1 (its own CA), and its key, in one file."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    pem = folder / "server.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(folder / "key.pem"), "-out", str(pem)],
        check=True, capture_output=True,
    )  # fmt: skip
    return pem


def tls_context(certificate: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, certificate.with_name("key.pem"))
    return context


def test_https_with_the_servers_ca_carries_the_token(tmp_path, certificate):
    env = {
        "URBACT_CHROMA_SSL": "1",
        "URBACT_CHROMA_SSL_VERIFY": str(certificate),
        "URBACT_CHROMA_TOKEN": TOKEN,
    }
    with FakeChroma(tls=tls_context(certificate)) as server:
        client, _ = make_client(server_settings(tmp_path, server, **env))
        assert client.list_collections() == []
        close(client)
    assert all(h.get("Authorization") == f"Bearer {TOKEN}" for _, h in server.requests)


def test_an_unverified_certificate_names_the_ca_setting(tmp_path, certificate):
    env = {"URBACT_CHROMA_SSL": "1", "URBACT_CHROMA_TOKEN": TOKEN}
    refused = pytest.raises(IndexError_, match="URBACT_CHROMA_SSL_VERIFY")
    with FakeChroma(tls=tls_context(certificate)) as server, refused as raised:
        make_client(server_settings(tmp_path, server, **env))
    assert server.requests == [] and TOKEN not in str(raised.value)


def test_https_to_a_plain_http_server_names_the_ssl_setting(tmp_path):
    with FakeChroma() as server, pytest.raises(IndexError_, match="URBACT_CHROMA_SSL"):
        make_client(server_settings(tmp_path, server, URBACT_CHROMA_SSL="1"))


def test_chroma_server_settings_and_their_errors_never_show_the_token():
    settings = Settings.from_env(
        {"URBACT_CHROMA_HOST": "chroma:8000", "URBACT_CHROMA_TOKEN": TOKEN,
         "URBACT_CHROMA_TOKEN_HEADER": "x-chroma-token", "URBACT_CHROMA_SSL": "yes"}
    )  # fmt: skip
    assert settings.chroma_token == TOKEN and settings.chroma_token_header == "X-Chroma-Token"
    assert settings.chroma_ssl and settings.chroma_ssl_verify == ""
    assert TOKEN not in repr(settings)
    bad = {
        "URBACT_CHROMA_HOST": "https://chroma.example.org",
        "URBACT_CHROMA_TOKEN": TOKEN + " é",
        "URBACT_CHROMA_TOKEN_HEADER": "Cookie",
        "URBACT_CHROMA_SSL": "maybe",
        "URBACT_CHROMA_SSL_VERIFY": "/nowhere/ca.pem",
    }
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(bad)
    message = str(raised.value)
    for name in bad:
        assert name in message
    assert TOKEN not in message and "\n" not in message
