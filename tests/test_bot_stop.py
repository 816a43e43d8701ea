"""Stopping the bot: `docker stop` sends SIGTERM and kills the process 10 s later.

The bot runs as `urbact-assistant bot` in a subprocess, against the fake Bot API and a fake
OpenAI-compatible server whose answers can be slowed down.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from urbact_assistant.adapters.telegram.state import BotState

from .conftest import TODAY
from .fake_bot_api import FakeBotApi, message_update, parse_html
from .fake_openai import FakeOpenAI

pytestmark = pytest.mark.slow
REMOTE = "which networks tackle remote work?"
DOCKER_GRACE = 10.0  # seconds between docker stop's SIGTERM and its SIGKILL


@pytest.fixture
def llm():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def data(index_dir, tmp_path) -> Path:
    """A data dir of its own (bot.sqlite included) holding a copy of the shared index."""
    copy = tmp_path / "data"
    shutil.copytree(index_dir, copy, ignore=shutil.ignore_patterns("bot.sqlite*", "*.lock"))
    return copy


class Bot:
    """`urbact-assistant bot` in a subprocess, polling the fake Bot API."""

    def __init__(self, api: FakeBotApi, llm: FakeOpenAI, data: Path, **env: str):
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("URBACT_", "OPENAI_"))}
        polls = len(api.calls_of("getUpdates"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "urbact_assistant", "bot"],
            env={
                **clean,
                "TELEGRAM_BOT_TOKEN": api.token,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "URBACT_DATA_DIR": str(data),
                "URBACT_TODAY": TODAY.isoformat(),
                "URBACT_LLM_MODEL": "fake-model",
                "OPENAI_BASE_URL": llm.base_url,
                "OPENAI_API_KEY": "not-needed",
                **env,
            },
            cwd=data,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            api.wait_for(lambda: len(api.calls_of("getUpdates")) > polls, timeout=120)
        except AssertionError:
            self.process.kill()
            raise AssertionError(self.process.communicate()[0]) from None

    def terminate(self) -> tuple[int, float, str]:
        """SIGTERM, as `docker stop` sends it: exit code, seconds to exit, output."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            output, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output = self.process.communicate()[0]
        return self.process.returncode, time.monotonic() - started, output


def test_sigterm_ends_in_time_finishing_what_it_can_and_the_rest_is_answered_after_restart(
    api, llm, data
):
    llm.script = ["slow:2", "slow:30"]  # a quick answer, and one slower than docker stop waits
    bot = Bot(api, llm, data, URBACT_LLM_TIMEOUT="25")
    api.enqueue(message_update(501, REMOTE))
    api.wait_for(lambda: llm.requests, timeout=30)
    api.enqueue(message_update(502, REMOTE))
    api.wait_for(lambda: len(llm.requests) == 2, timeout=30)  # both answers are being written
    code, elapsed, output = bot.terminate()
    assert code == 0 and elapsed < DOCKER_GRACE, (code, elapsed, output)
    assert "Traceback" not in output, output
    [quick] = api.messages(501)  # finished within the LLM budget, before the exit
    assert api.messages(502) == []  # cut short: nothing sent
    store = BotState.open(data)
    assert len(store.unfinished()) == 1  # the cut-short one, kept for the next start
    store.close()

    again = Bot(api, llm, data)  # the LLM answers at once now
    api.wait_for(lambda: api.messages(502), timeout=60)
    time.sleep(1.0)  # a second answer to either would come now
    code, elapsed, output = again.terminate()
    assert code == 0 and elapsed < DOCKER_GRACE and "Traceback" not in output, output
    assert api.messages(501) == [quick]
    [answer] = api.messages(502)
    assert "Remote-IT" in parse_html(answer["text"]) and "Remote-IT" in parse_html(quick["text"])
    store = BotState.open(data)
    assert store.unfinished() == []
    store.close()


def test_sigterm_with_the_bot_api_gone_exits_at_once_without_a_traceback(api, llm, data):
    bot = Bot(api, llm, data)
    api.stop()  # the Bot API is unreachable: the last getUpdates of the stop fails
    time.sleep(1.0)
    code, elapsed, output = bot.terminate()
    assert code == 0 and elapsed < 3.0, (code, elapsed, output)
    assert "Traceback" not in output, output
