"""`urbact-assistant bot` and its settings: one-line errors, never the token."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from urbact_assistant.adapters.cli import cli
from urbact_assistant.adapters.telegram.settings import BotSettings
from urbact_assistant.errors import ConfigError

from .conftest import TODAY
from .fake_bot_api import FakeBotApi

GOOD = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawZ"


def run_bot_command(env):
    return CliRunner().invoke(cli, ["bot"], env=env)


def assert_one_line_error(result, *, hidden=()):
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for secret in hidden:
        assert secret not in result.output


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "TELEGRAM_BOT_TOKEN is not set"),
        ("not-a-token-at-all-with-a-secret-inside-XYZ", "TELEGRAM_BOT_TOKEN is malformed"),
        ("123456789:short", "TELEGRAM_BOT_TOKEN is malformed"),
        ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDs wZ", "TELEGRAM_BOT_TOKEN is malformed"),
    ],
)
def test_missing_or_malformed_token_is_one_line(token, message):
    result = run_bot_command({"TELEGRAM_BOT_TOKEN": token})
    assert_one_line_error(result, hidden=[token] if token else [])
    assert message in result.output


def test_token_rejected_by_the_server_is_one_line(index_dir):
    api = FakeBotApi().start()
    try:
        env = {
            "TELEGRAM_BOT_TOKEN": GOOD,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "URBACT_DATA_DIR": str(index_dir),
            "URBACT_TODAY": TODAY.isoformat(),
        }
        result = run_bot_command(env)
    finally:
        api.stop()
    assert_one_line_error(result, hidden=[GOOD, GOOD.split(":")[1]])
    assert "rejected TELEGRAM_BOT_TOKEN" in result.output


def test_bot_settings_defaults_and_repr_hide_the_token():
    settings = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": GOOD})
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.file_base_url == "https://api.telegram.org/file/bot"
    assert settings.webhook_url == "" and settings.listen == ("0.0.0.0", 8080)
    assert settings.questions_per_minute == 10 and settings.max_question == 1000
    assert not settings.log_content
    assert GOOD not in repr(settings) and "AAHdq" not in repr(settings)


def test_bot_settings_for_a_webhook_and_a_local_api_server():
    settings = BotSettings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": GOOD,
            "TELEGRAM_API_BASE_URL": "http://localhost:8081/bot",
            "URBACT_WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            "URBACT_WEBHOOK_SECRET": "s3cret_value",
            "URBACT_WEBHOOK_LISTEN": "127.0.0.1:9000",
            "URBACT_LOG_CONTENT": "1",
        }
    )
    assert settings.file_base_url == "http://localhost:8081/file/bot"
    assert settings.listen == ("127.0.0.1", 9000)
    assert settings.log_content and "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"URBACT_WEBHOOK_URL": "https://x.org/hook"}, "URBACT_WEBHOOK_SECRET is required"),
        ({"URBACT_WEBHOOK_URL": "ftp://x.org/hook", "URBACT_WEBHOOK_SECRET": "s"}, "https://"),
        ({"URBACT_WEBHOOK_SECRET": "no spaces allowed"}, "URBACT_WEBHOOK_SECRET must be"),
        ({"URBACT_WEBHOOK_LISTEN": "8080"}, "host:port"),
        ({"URBACT_BOT_QUESTIONS_PER_MINUTE": "0"}, "positive number"),
        ({"URBACT_BOT_MAX_QUESTION": "many"}, "positive number"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org"}, "http://"),
    ],
)
def test_bad_bot_settings_are_named(env, message):
    with pytest.raises(ConfigError, match=message) as raised:
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": GOOD, **env})
    assert GOOD not in str(raised.value) and "\n" not in str(raised.value)


def test_bot_command_is_listed():
    result = CliRunner().invoke(cli, ["--help"])
    assert "bot" in result.output and "Telegram" in result.output


def test_token_filter_redacts_messages_and_tracebacks():
    import logging
    import sys

    from urbact_assistant.adapters.telegram.runtime import TokenFilter

    try:
        raise RuntimeError(f"The token `{GOOD}` was rejected by the server.")
    except RuntimeError:
        record = logging.LogRecord(
            "telegram.ext", logging.ERROR, "x", 1, "url %s", (GOOD,), sys.exc_info()
        )
    assert TokenFilter(GOOD).filter(record)
    formatted = logging.Formatter().format(record)
    assert GOOD not in formatted and "<token>" in formatted and "rejected" in formatted


def test_rejected_token_leaves_no_token_and_no_traceback_in_the_log(index_dir, tmp_path):
    import os
    import subprocess
    import sys

    api = FakeBotApi().start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("URBACT_", "TELEGRAM_"))},
        "TELEGRAM_BOT_TOKEN": GOOD,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "URBACT_DATA_DIR": str(index_dir),
    }
    try:
        run = subprocess.run(
            [sys.executable, "-m", "urbact_assistant", "bot"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        api.stop()
    assert run.returncode == 1
    output = run.stdout + run.stderr
    assert GOOD.split(":")[1] not in output
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1] == (
        "Error: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
    )
