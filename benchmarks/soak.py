"""Soak benchmark: the Telegram bot under mixed load and injected faults for N minutes.

Run: python benchmarks/soak.py [--minutes 10] [--rate 2] [--data-dir DIR] [--restart]
Quick run (1 minute): python benchmarks/soak.py --minutes 1

`urbact-assistant bot` runs in a subprocess, polling the tests' fake Bot API on loopback
(tests/fake_bot_api.py) and answering with an LLM: the tests' fake OpenAI-compatible server
(tests/fake_openai.py). Load: private questions in many languages, commands, over-long and
garbled messages; in twelve groups, mentions, replies to the bot's answers, commands and chatter
not meant for the bot; button presses on the groups' answers; inline queries. Faults: sendMessage
answered with a 502 or its connection dropped (about one every two seconds); an LLM that is
slow, slower than its budget, or answers 500, 429, broken JSON or text citing nothing; a forced
re-ingest half-way through (`--restart` also restarts the bot with SIGTERM at three quarters).

Printed: updates sent, answers delivered, errors by kind, lost (a question or press that got no
answer: must be 0), duplicates (more than one), latency medians and p95, the bot's RSS at start
and end. The index is built in a temporary data dir first (`--data-dir` copies an existing
one instead). Figures are printed, not asserted; the exit status is 1 when something was lost.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench import QUESTIONS, percentile  # noqa: E402

from tests.fake_bot_api import (  # noqa: E402
    BOT_USERNAME,
    ApiError,
    FakeBotApi,
    buttons,
    callback_update,
    inline_update,
    mention_entity,
    message_update,
)
from tests.fake_openai import FakeOpenAI  # noqa: E402

# Twelve groups: python-telegram-bot's AIORateLimiter allows 20 requests a minute per group
# (Telegram's limit, typing indicators and draft edits included), so one busy group queues.
GROUPS = [-100500 - i for i in range(12)]
LANGUAGES = ["en", "fr", "de", "it", "es", "pl", "pt", "nl", "uk", "el"]
COMMANDS = [
    "/help", "/start", "/about", "/join", "/networks", "/networks ongoing Poland",
    "/network GenProcure", "/network Remot IT", "/city Tartu", "/language", "/forget", "/nope",
]  # fmt: skip
GROUP_COMMANDS = ["/help", "/about", "/join", "/networks", "/network Remote-IT", "/city Tartu"]
FOLLOW_UPS = ["and which of them are in Spain?", "who leads the first one?", "is it still running?"]
INLINE = ["remote work", "food", "", "Tartu", "procurement", "schools", "zzqx", "🌳"]
CHATTER = ["good morning all", "see you at the festival", "lunch?", "👍", "thanks for the slides"]
# The fake LLM's behaviour per request: (behaviour, weight). URBACT_LLM_TIMEOUT is 5 s.
LLM_BEHAVIOURS = [
    ("ok", 55), ("slow:1", 10), ("slow:3", 6), ("slow:8", 4),
    ("http500", 10), ("http429", 5), ("malformed", 5), ("text:no citation at all", 5),
]  # fmt: skip
# Kinds of update: (kind, weight).
MIX = [
    ("question", 30), ("garbled", 4), ("over-long", 4), ("command", 10),
    ("group-mention", 10), ("group-reply", 6), ("group-command", 4), ("group-chatter", 6),
    ("press", 14), ("inline", 12),
]  # fmt: skip


@dataclass
class Expectation:
    """An update sent, and what answers it: messages to a chat (private: all of them; group:
    those replying to it), or the answer to a callback or inline query."""

    kind: str
    at: float
    chat_id: int = 0
    message_id: int = 0
    query_id: str = ""
    expected: int = 1
    text: str = ""


@dataclass
class Soak:
    api: FakeBotApi
    llm: FakeOpenAI
    rng: random.Random
    sent: list[Expectation] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)
    llm_behaviours: Counter[str] = field(default_factory=Counter)
    next_chat: int = 1_000_000
    marks: tuple[int, int, int] = (0, 0, 0)
    """Where the measured load starts: in the API's calls and errors, and in the bot's log."""

    # -- load -----------------------------------------------------------------
    def send(self) -> None:
        kind = self.rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
        if kind in ("group-reply", "press") and not self.group_answers():
            kind = "group-mention"  # nothing to reply to or press yet
        getattr(self, "send_" + kind.replace("-", "_"))(kind)

    def private(self, kind: str, text: str) -> None:
        self.next_chat += 1
        lang = self.rng.choice(LANGUAGES)
        update = message_update(self.next_chat, text, language=lang)
        self.enqueue(update, Expectation(kind, 0, chat_id=self.next_chat))

    def send_question(self, kind: str) -> None:
        self.private(kind, self.rng.choice(QUESTIONS))

    def send_command(self, kind: str) -> None:
        self.private(kind, self.rng.choice(COMMANDS))

    def send_over_long(self, kind: str) -> None:
        self.private(kind, ("remote work and housing " * 200)[: self.rng.randint(1001, 4096)])

    def send_garbled(self, kind: str) -> None:
        pieces = [
            "\u202eer\u200dmote\u200b work", "<b>networks</i> & <script>", "\x07\x1b[31m",
            "e\u0301\u0301\u0301\u0301", "🏙️" * 40, "Ωμέγα ЖЖЖ ąę", "&amp;&lt;", "http://x/%00",
            "?" * 30, "\ufeff\ufffd\ufffd", "`"*10, "[1] [2] [999]",
        ]  # fmt: skip
        self.private(kind, " ".join(self.rng.choices(pieces, k=self.rng.randint(1, 6))))

    def member(self) -> int:
        return 700 + self.rng.randrange(100)

    def group_answers(self) -> list[dict[str, Any]]:
        return [m for g in GROUPS for m in self.api.messages(g) if buttons(m)]

    def send_group_mention(self, kind: str) -> None:
        text = f"@{BOT_USERNAME} {self.rng.choice(QUESTIONS)}"
        entities = [mention_entity(text)]
        update = message_update(
            self.rng.choice(GROUPS), text, user_id=self.member(), entities=entities
        )
        self.group(update, kind)

    def send_group_reply(self, kind: str) -> None:
        answer = self.rng.choice(self.group_answers())
        text, chat = self.rng.choice(FOLLOW_UPS), answer["chat"]["id"]
        self.group(message_update(chat, text, user_id=self.member(), reply_to=answer), kind)

    def send_group_command(self, kind: str) -> None:
        command, *rest = self.rng.choice(GROUP_COMMANDS).split(" ", 1)
        text = " ".join([f"{command}@{BOT_USERNAME}", *rest])
        self.group(message_update(self.rng.choice(GROUPS), text, user_id=self.member()), kind)

    def send_group_chatter(self, kind: str) -> None:
        chat = self.rng.choice(GROUPS)
        self.group(message_update(chat, self.rng.choice(CHATTER), user_id=self.member()), kind, 0)

    def group(self, update: dict[str, Any], kind: str, expected: int = 1) -> None:
        chat, message_id = update["message"]["chat"]["id"], update["message"]["message_id"]
        self.enqueue(update, Expectation(kind, 0, chat, message_id, expected=expected))

    def send_press(self, kind: str) -> None:
        message = self.rng.choice(self.group_answers())
        data = [b["callback_data"] for b in buttons(message) if "callback_data" in b]
        update = callback_update(message, self.rng.choice(data), self.member())
        self.enqueue(update, Expectation(kind, 0, query_id=update["callback_query"]["id"]))

    def send_inline(self, kind: str) -> None:
        update = inline_update(self.rng.choice(INLINE), self.member(), self.rng.choice(LANGUAGES))
        self.enqueue(update, Expectation(kind, 0, query_id=update["inline_query"]["id"]))

    def enqueue(self, update: dict[str, Any], expectation: Expectation) -> None:
        message = update.get("message") or {}
        query = update.get("callback_query") or update.get("inline_query") or {}
        expectation.text = message.get("text") or query.get("data") or query.get("query") or ""
        expectation.at = time.monotonic()
        self.api.enqueue(update)
        self.sent.append(expectation)

    # -- faults ---------------------------------------------------------------
    def inject(self) -> None:
        if self.rng.random() < 0.5:
            self.api.fail_next("sendMessage", ApiError("Bad Gateway", 502))
            self.injected["sendMessage 502"] += 1
        else:
            self.api.drop_next("sendMessage")
            self.injected["sendMessage connection dropped"] += 1

    def llm_behaviour(self) -> str:
        behaviour = self.rng.choices([b for b, _ in LLM_BEHAVIOURS], [w for _, w in LLM_BEHAVIOURS])
        self.llm_behaviours[behaviour[0]] += 1
        return behaviour[0]

    # -- results --------------------------------------------------------------
    def answers(self, e: Expectation) -> list[float]:
        """When each answer to ``e`` arrived (successful calls only: a retried one counts once)."""
        calls = [c for c in list(self.api.calls) if c.ok]
        if e.query_id:
            method = "answerCallbackQuery" if e.kind == "press" else "answerInlineQuery"
            key = "callback_query_id" if e.kind == "press" else "inline_query_id"
            return [c.at for c in calls if c.method == method and c.params.get(key) == e.query_id]
        found = [
            c for c in calls if c.method == "sendMessage" and c.params.get("chat_id") == e.chat_id
        ]
        if e.chat_id < 0:  # a group: the messages replying to it
            found = [
                c for c in found
                if (c.params.get("reply_parameters") or {}).get("message_id") == e.message_id
            ]  # fmt: skip
        return [c.at for c in found]

    def settled(self) -> bool:
        return all(len(self.answers(e)) >= e.expected for e in self.sent)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc, else ps)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
        return int(match.group(1)) / 1024 if match else 0.0
    out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True)
    return int(out.stdout.strip() or 0) / 1024


def prepare_data(data: Path, source: str | None, env: dict[str, str]) -> float:
    """The index in ``data``: copied from ``source`` or built; seconds taken."""
    start = time.perf_counter()
    if source:
        shutil.copytree(source, data, ignore=shutil.ignore_patterns("bot.sqlite*", "*.lock"))
    else:
        subprocess.run([sys.executable, "-m", "urbact_assistant", "ingest"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


STARTED: list[subprocess.Popen] = []  # every bot process, stopped at the end whatever happens


def start_bot(api: FakeBotApi, env: dict[str, str], log: Path) -> subprocess.Popen:
    polls = len(api.calls_of("getUpdates"))
    with log.open("a") as out:
        bot = subprocess.Popen(
            [sys.executable, "-m", "urbact_assistant", "bot"], env=env, stdout=out,
            stderr=subprocess.STDOUT, cwd=env["URBACT_DATA_DIR"],
        )  # fmt: skip
    STARTED.append(bot)
    api.wait_for(lambda: len(api.calls_of("getUpdates")) > polls, timeout=180)
    return bot


def stop_bot(bot: subprocess.Popen) -> tuple[int, float]:
    started = time.monotonic()
    bot.send_signal(signal.SIGTERM)
    try:
        code = bot.wait(timeout=30)
    except subprocess.TimeoutExpired:
        bot.kill()
        code = bot.wait()
    return code, time.monotonic() - started


def segment_folders(data: Path) -> int:
    return sum(1 for p in (data / "chroma").iterdir() if p.is_dir())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="load duration (default 10)")
    parser.add_argument("--rate", type=float, default=2.0, help="updates per second (default 2)")
    parser.add_argument("--data-dir", help="copy this data dir's index instead of building one")
    parser.add_argument("--restart", action="store_true", help="SIGTERM and restart at 3/4")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    began = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="urbact-soak-"))
    data, log = work / "data", work / "bot.log"
    api, llm = FakeBotApi().start(), FakeOpenAI().__enter__()
    soak = Soak(api, llm, random.Random(args.seed))
    llm.next_behaviour = soak.llm_behaviour  # type: ignore[method-assign]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("URBACT_", "OPENAI_"))}
    env = {
        **clean, "URBACT_DATA_DIR": str(data), "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url, "URBACT_LLM_MODEL": "fake-model",
        "OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "not-needed",
        "URBACT_LLM_TIMEOUT": "5",
    }  # fmt: skip
    try:
        prepared = prepare_data(data, args.data_dir, env)
        print(f"index {'copied' if args.data_dir else 'built'} in {prepared:.1f} s; data in {work}")
        bot = start_bot(api, env, log)
        warm_up(soak)  # every kind once, so that start-up imports are not counted as growth
        soak.sent.clear()
        soak.llm_behaviours.clear()
        soak.marks = (len(api.calls), len(api.errors), log.stat().st_size)
        rss = [rss_mb(bot.pid)]
        duration = args.minutes * 60
        t0 = time.monotonic()
        next_fault = t0 + soak.rng.uniform(1, 3)
        reingest: dict[str, Any] = {}
        restart: dict[str, Any] = {}
        last_rss = t0
        while (now := time.monotonic()) < t0 + duration:
            soak.send()
            if now >= next_fault:
                soak.inject()
                next_fault = now + soak.rng.uniform(1, 3)
            if not reingest and now >= t0 + duration / 2:
                reingest.update(started=now, folders_before=segment_folders(data))
                threading.Thread(target=run_reingest, args=(env, reingest), daemon=True).start()
            if args.restart and not restart and now >= t0 + duration * 3 / 4:
                restart.update(bot=bot, started=now, rss=rss_mb(bot.pid))
                threading.Thread(
                    target=run_restart, args=(api, env, log, restart), daemon=True
                ).start()
            if now - last_rss >= 5 and (bot := restart.get("new", bot)).poll() is None:
                rss.append(rss_mb(bot.pid))
                last_rss = now
            time.sleep(max(0.0, soak.rng.expovariate(args.rate)))
        loaded = time.monotonic() - t0
        if restart:
            api.wait_for(lambda: "new" in restart, timeout=180)
            bot = restart["new"]
        deadline = time.monotonic() + 60
        while not soak.settled() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2.0)  # a duplicate would arrive now
        if bot.poll() is not None:
            print(f"the bot exited by itself with status {bot.returncode}")
        rss.append(rss_mb(bot.pid) if bot.poll() is None else 0.0)
        code, stopped = stop_bot(bot)
        report(soak, loaded, rss, reingest, restart, code, stopped, log, data, args)
        print(f"(benchmark took {time.perf_counter() - began:.0f} s)")
        return 1 if lost(soak) else 0
    finally:
        for bot in STARTED:
            if bot.poll() is None:
                stop_bot(bot)
        api.stop()
        llm.stop()
        shutil.rmtree(work, ignore_errors=True)


def warm_up(soak: Soak) -> None:
    """One update of each kind (the first LLM answer, the first vector search, the first
    inline query...), answered before the measured load starts; not counted."""
    for _ in range(10):
        if soak.group_answers():
            break  # an answer with buttons, to reply to and press
        soak.send_group_mention("group-mention")
        soak.api.wait_for(soak.settled, timeout=60)
    for kind, _ in MIX:
        getattr(soak, "send_" + kind.replace("-", "_"))(kind)
    soak.api.wait_for(soak.settled, timeout=60)
    time.sleep(1.0)


def run_restart(api: FakeBotApi, env: dict[str, str], log: Path, result: dict[str, Any]) -> None:
    """SIGTERM the bot while the load goes on (updates wait at the fake API), start it again."""
    result["code"], result["stop"] = stop_bot(result["bot"])
    result["new"] = start_bot(api, env, log)
    result["down"] = time.monotonic() - result["started"]


def run_reingest(env: dict[str, str], result: dict[str, Any]) -> None:
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "urbact_assistant", "ingest", "--force"], env=env,
                         capture_output=True, text=True)  # fmt: skip
    result.update(code=run.returncode, seconds=time.monotonic() - start, output=run.stdout.strip())
    result["folders_after"] = segment_folders(Path(env["URBACT_DATA_DIR"]))


def lost(soak: Soak) -> list[Expectation]:
    return [e for e in soak.sent if e.expected and not soak.answers(e)]


def report(soak, loaded, rss, reingest, restart, code, stopped, log, data, args) -> None:
    sent = soak.sent
    counts = {id(e): len(soak.answers(e)) for e in sent}
    by_kind = Counter(e.kind for e in sent)
    answered = sum(counts.values())
    exactly = sum(1 for e in sent if e.expected and counts[id(e)] == 1)
    missing = lost(soak)
    dupes = [e for e in sent if e.expected and counts[id(e)] > 1]
    unexpected = sum(counts[id(e)] for e in sent if not e.expected)

    def delays(kinds: tuple[str, ...]) -> list[float]:
        return [
            soak.answers(e)[0] - e.at for e in sent if e.kind in kinds and soak.answers(e)
        ]  # fmt: skip

    calls = list(soak.api.calls)[soak.marks[0] :]
    refused = Counter(
        f"{c.method}: {c.error}" for c in soak.api.errors[soak.marks[1] :]
        if c.error not in ("Bad Gateway", "connection dropped")
    )  # fmt: skip
    text = log.read_text(errors="replace")[soak.marks[2] :]
    modes = Counter(re.findall(r"answered in [\d.]+s \((\w+),", text))
    llm_failures = Counter(re.findall(r"LLM answer failed \(attempt \d\): (.+)", text))
    levels = Counter(re.findall(r" (ERROR|WARNING|CRITICAL) ", text))
    print(f"\nsoak: {loaded / 60:.1f} min of load at ~{args.rate:g} updates/s (seed {args.seed})")
    print(f"updates sent: {len(sent)} ({', '.join(f'{k} {n}' for k, n in by_kind.most_common())})")
    print(
        f"answers delivered: {answered} (messages {sum(1 for c in calls if c.ok and c.method == 'sendMessage')}, "
        f"edits {sum(1 for c in calls if c.ok and c.method == 'editMessageText')}); "
        f"answers by mode: {dict(modes)}"
    )
    expecting = sum(1 for e in sent if e.expected)
    print(
        f"expecting one answer: {expecting}; exactly one: {exactly}; "
        f"LOST: {len(missing)}; duplicates: {len(dupes)}; "
        f"answers to chatter not meant for the bot: {unexpected}"
    )
    for e in missing[:10]:
        print(f"  lost: {e.kind} {e.text[:60]!r} (chat {e.chat_id}, message {e.message_id})")
    for e in dupes[:10]:
        print(f"  duplicate: {e.kind} {e.text[:60]!r} (chat {e.chat_id}): {counts[id(e)]}")
    print("errors by kind:")
    print(f"  injected on sendMessage: {dict(soak.injected)}")
    faults = {b: n for b, n in soak.llm_behaviours.items() if b != "ok"}
    print(f"  fake LLM behaviours: ok {soak.llm_behaviours['ok']}, faulty {dict(faults)}")
    print(f"  LLM failures the bot logged (offline answer given): {dict(llm_failures)}")
    print(f"  Bot API refusals (400s, other than injected): {dict(refused) or 0}")
    print(f"  bot log lines: {dict(levels) or 0}; tracebacks: {text.count('Traceback')}")
    print("latency to the first reply (s): median / p95 / max")
    for label, kinds in (
        ("private questions", ("question",)),
        ("private commands, over-long, garbled", ("command", "over-long", "garbled")),
        ("group questions and replies", ("group-mention", "group-reply")),
        ("group commands", ("group-command",)),
        ("button presses (toast)", ("press",)),
        ("inline queries", ("inline",)),
    ):
        if values := delays(kinds):
            print(
                f"  {label}: {statistics.median(values):.2f} / "
                f"{percentile(values, 0.95):.2f} / {max(values):.2f} ({len(values)})"
            )
    if reingest:
        during = [
            a - e.at for e in sent if e.kind == "question" and reingest["started"] <= e.at
            <= reingest["started"] + reingest.get("seconds", 0) and (a := next(iter(soak.answers(e)), None))
        ]  # fmt: skip
        median = f"{statistics.median(during):.2f} s over {len(during)}" if during else "n/a"
        print(
            f"re-ingest (--force) half-way: exit {reingest.get('code')} in "
            f"{reingest.get('seconds', 0):.1f} s; questions answered meanwhile: median {median}; "
            f"segment folders {reingest['folders_before']} -> {reingest.get('folders_after')} "
            f"(now {segment_folders(data)})"
        )
    if restart:
        print(
            f"restart (SIGTERM) at 3/4: exit {restart['code']} in {restart['stop']:.1f} s, "
            f"back in {restart['down']:.1f} s"
        )
    restarted = f" (first process before its restart: {restart['rss']:.0f})" if restart else ""
    print(
        f"bot RSS (MB): start {rss[0]:.0f}, end {rss[-1]:.0f} "
        f"(end/start {rss[-1] / rss[0]:.2f}), max {max(rss):.0f}{restarted}"
    )
    print(f"stop: SIGTERM -> exit {code} in {stopped:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
