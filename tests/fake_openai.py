"""A small OpenAI-compatible chat completions server on loopback, for tests over real HTTP.

Each request takes the next behaviour from ``server.script`` (default ``"ok"``):
``ok`` answers from the cards in the prompt, citing [1]; ``text:<reply>`` replies with that
text; ``length:<reply>`` streams it and stops with ``finish_reason: "length"``; ``cut:<reply>``
streams it and closes the connection without a finish reason; ``echo-system`` repeats the
system prompt; ``http500``/``http429`` fail; ``malformed``
sends broken JSON; ``slow:<seconds>`` waits before answering; ``die`` stops the server.
Every request body is kept in ``server.requests``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script: list[str] = []
        self.requests: list[dict] = []
        self.thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a connection the "die" behaviour dropped on purpose: nothing to report

    def next_behaviour(self) -> str:
        return self.script.pop(0) if self.script else "ok"


def reply_for(messages: list[dict]) -> str:
    """A grounded reply built from the cards in the prompt: name the first card, cite it."""
    user = messages[-1]["content"]
    titles = re.findall(r"^\[(\d+)\] (.+)$", user, re.MULTILINE)
    if not titles:
        return "Remote work question"  # a condense request: return a standalone question
    n, title = titles[0]
    return f"{title} is the network that matches [{n}]. More at the secretariat."


class Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        if self.path.endswith("/embeddings"):
            if getattr(self.server, "embeddings_refused", ""):  # a server echoing the key
                said = f"Incorrect API key provided: {self.server.embeddings_refused}"
                self._json(401, {"error": {"message": said, "type": "invalid_request_error"}})
                return
            self._json(200, embeddings(body))
            return
        behaviour = self.server.next_behaviour()
        if behaviour == "die":
            threading.Thread(target=self.server.stop, daemon=True).start()
            self.close_connection = True
            return
        if behaviour.startswith("slow:"):
            time.sleep(float(behaviour.split(":", 1)[1]))
            behaviour = "ok"
        if behaviour in ("http500", "http429"):
            self._json(
                int(behaviour[4:]), {"error": {"message": "fake failure", "type": "server_error"}}
            )
            return
        if behaviour == "malformed":
            self._raw(200, b"{not json", "application/json")
            return
        system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
        finish: str | None = "stop"
        if behaviour == "echo-system":
            text = system
        elif behaviour.startswith(("text:", "length:", "cut:")):
            kind, text = behaviour.split(":", 1)
            finish = {"text": "stop", "length": "length", "cut": None}[kind]
        else:
            text = reply_for(body["messages"])
        if body.get("stream"):
            self._stream(body["model"], text, finish)
        else:
            self._json(200, completion(body["model"], text))

    def _json(self, status: int, payload: dict) -> None:
        self._raw(status, json.dumps(payload).encode(), "application/json")

    def _raw(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, model: str, text: str, finish: str | None = "stop") -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words = re.findall(r"\S+\s*", text)
        for i, word in enumerate(words):
            delta = {"content": word} if i else {"role": "assistant", "content": word}
            self._event(chunk(model, delta, None))
        if finish is None:  # the connection drops: no finish reason, no [DONE]
            self.close_connection = True
            return
        self._event(chunk(model, {}, finish))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, payload: dict) -> None:
        self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()


def embeddings(body: dict) -> dict:
    """Deterministic 64-dimensional bag-of-words vectors: texts sharing words are close."""
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = []
    for i, text in enumerate(inputs):
        vector = [0.0] * 64
        for word in re.findall(r"\w+", str(text).lower()):
            vector[zlib.crc32(word.encode()) % 64] += 1.0
        norm = sum(v * v for v in vector) ** 0.5 or 1.0
        data.append({"object": "embedding", "index": i, "embedding": [v / norm for v in vector]})
    return {"object": "list", "data": data, "model": body["model"],
            "usage": {"prompt_tokens": 1, "total_tokens": 1}}  # fmt: skip


def chunk(model: str, delta: dict, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def completion(model: str, text: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
