"""The bot's state in one SQLite file (WAL, synchronous writes): survives a crash or restart.

What is stored, and nothing else: each chat's language; the last ``HISTORY`` (standalone
question, answer) pairs per chat, for follow-up questions; 👍/👎 feedback per answer; user
preferences; the ids of processed updates (so a redelivered update is answered once).
``forget(user_id)`` deletes everything about a user at once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

HISTORY = 4
FILENAME = "bot.sqlite"
UPDATE_TTL = 7 * 24 * 3600
CONVERSATION_TTL = (
    30 * 24 * 3600
)  # a conversation idle for a month is forgotten  # processed update ids are kept a week; Telegram keeps updates 24 h

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    chat_id INTEGER PRIMARY KEY,
    user_id INTEGER,
    language TEXT NOT NULL,
    updated REAL NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_chat ON turns (chat_id, id);
CREATE INDEX IF NOT EXISTS turns_user ON turns (user_id);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    up INTEGER NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE INDEX IF NOT EXISTS feedback_user ON feedback (user_id);
CREATE TABLE IF NOT EXISTS preferences (
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE TABLE IF NOT EXISTS conversations (
    key TEXT PRIMARY KEY,
    user_id INTEGER,
    state TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_user ON conversations (user_id);
CREATE TABLE IF NOT EXISTS inflight (
    update_id INTEGER PRIMARY KEY,
    user_id INTEGER,
    payload TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    user_id INTEGER,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_user ON updates (user_id);
"""


class BotState:
    """Thread-safe access to the bot's SQLite file. Every write is its own transaction."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)  # questions and user ids: the owner's only
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=1000")  # a locked file is waited for briefly
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left
        with self._lock:
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(chats)")}
            if "pinned" not in columns:  # a state file from before /language
                self._db.execute("ALTER TABLE chats ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")

    @classmethod
    def open(cls, data_dir: Path) -> BotState:
        """The state file under the data directory (``URBACT_DATA_DIR``)."""
        return cls(Path(data_dir) / FILENAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return cursor

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # languages

    def languages(self) -> dict[int, tuple[str, bool]]:
        """Every chat's ``(language, chosen with /language)`` (read once at start; the bot
        keeps them in memory)."""
        rows = self._read("SELECT chat_id, language, pinned FROM chats")
        return {int(c): (str(lang), bool(pinned)) for c, lang, pinned in rows}

    def language(self, chat_id: int) -> str | None:
        rows = self._read("SELECT language FROM chats WHERE chat_id = ?", (chat_id,))
        return rows[0][0] if rows else None

    def set_language(
        self, chat_id: int, language: str, user_id: int | None = None, pinned: bool = False
    ) -> None:
        """Store a chat's language; ``user_id`` is the owner of a private chat (None for a
        group, whose language belongs to no one member)."""
        self._write(
            "INSERT INTO chats (chat_id, user_id, language, updated, pinned) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, "
            "user_id = excluded.user_id, updated = excluded.updated, pinned = excluded.pinned",
            (chat_id, user_id, language, time.time(), int(pinned)),
        )

    # history

    def history(self, chat_id: int, limit: int = HISTORY) -> list[tuple[str, str]]:
        """The last ``limit`` (standalone question, answer) pairs of the chat, oldest first."""
        rows = self._read(
            "SELECT question, answer FROM turns WHERE chat_id = ? ORDER BY id DESC LIMIT ?",
            (chat_id, limit),
        )
        return [(q, a) for q, a in reversed(rows)]

    def turn(self, answer_id: int) -> tuple[int, str] | None:
        """(chat id, standalone question) of a recorded answer still kept, else None."""
        rows = self._read("SELECT chat_id, question FROM turns WHERE id = ?", (answer_id,))
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def add_turn(self, chat_id: int, user_id: int, question: str, answer: str) -> int:
        """Record a question and its answer; keep the last ``HISTORY`` per chat; the answer id."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(
                    "INSERT INTO turns (chat_id, user_id, question, answer, created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (chat_id, user_id, question, answer, time.time()),
                )
                answer_id = int(cursor.lastrowid or 0)
                self._db.execute(
                    "DELETE FROM turns WHERE chat_id = ? AND id NOT IN "
                    "(SELECT id FROM turns WHERE chat_id = ? ORDER BY id DESC LIMIT ?)",
                    (chat_id, chat_id, HISTORY),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return answer_id

    # feedback

    def add_feedback(self, answer_id: int, user_id: int, chat_id: int, up: bool) -> None:
        """Record (or change) a user's 👍/👎 on an answer."""
        self._write(
            "INSERT INTO feedback (answer_id, user_id, chat_id, up, created) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (answer_id, user_id) DO UPDATE SET up = excluded.up, "
            "created = excluded.created",
            (answer_id, user_id, chat_id, int(up), time.time()),
        )

    def feedback(self, answer_id: int) -> tuple[int, int]:
        """(👍, 👎) counts of an answer."""
        rows = self._read(
            "SELECT COALESCE(SUM(up), 0), COALESCE(SUM(1 - up), 0) FROM feedback "
            "WHERE answer_id = ?",
            (answer_id,),
        )
        return int(rows[0][0]), int(rows[0][1])

    # preferences

    def preference(self, user_id: int, key: str, default: str | None = None) -> str | None:
        rows = self._read(
            "SELECT value FROM preferences WHERE user_id = ? AND key = ?", (user_id, key)
        )
        return rows[0][0] if rows else default

    def set_preference(self, user_id: int, key: str, value: str) -> None:
        self._write(
            "INSERT INTO preferences (user_id, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
            (user_id, key, value),
        )

    # updates

    # at-least-once processing: an update is kept until it has been handled

    def processed(self, update_id: int) -> bool:
        return bool(self._read("SELECT 1 FROM updates WHERE update_id = ?", (update_id,)))

    def begin(self, update_id: int, user_id: int | None, payload: str) -> None:
        """Keep an update while it is handled: a crash leaves it here, to replay at start."""
        self._write(
            "INSERT OR REPLACE INTO inflight (update_id, user_id, payload, created) "
            "VALUES (?, ?, ?, ?)",
            (update_id, user_id, payload, time.time()),
        )

    def done(self, update_id: int, user_id: int | None) -> None:
        """The update has been handled: its id is recorded as processed (a redelivery is
        dropped), without the user's id (nothing about the user outlives /forget)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM inflight WHERE update_id = ?", (update_id,))
                self._db.execute(
                    "INSERT OR IGNORE INTO updates (update_id, user_id, created) VALUES (?, ?, ?)",
                    (update_id, None, time.time()),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def unfinished(self) -> list[str]:
        """Updates whose handling was cut short (the process died), oldest first."""
        return [row[0] for row in self._read("SELECT payload FROM inflight ORDER BY update_id")]

    def first_time(self, update_id: int, user_id: int | None = None) -> bool:
        """Record an update id; False when it was already processed (a redelivery)."""
        cursor = self._write(
            "INSERT OR IGNORE INTO updates (update_id, user_id, created) VALUES (?, ?, ?)",
            (update_id, user_id, time.time()),
        )
        return cursor.rowcount == 1

    def prune(self, now: float | None = None) -> None:
        """Drop processed update ids older than ``UPDATE_TTL`` and conversations idle for
        ``CONVERSATION_TTL``."""
        now = now if now is not None else time.time()
        self._write("DELETE FROM updates WHERE created < ?", (now - UPDATE_TTL,))
        self._write("DELETE FROM conversations WHERE updated < ?", (now - CONVERSATION_TTL,))

    # conversations

    def conversation(self, key: str) -> dict | None:
        """The conversation state stored under ``key`` (a chat, a user in a group, an answer
        message), as written by ``Conversation.to_dict``; None when there is none."""
        rows = self._read("SELECT state FROM conversations WHERE key = ?", (key,))
        if not rows:
            return None
        try:
            found = json.loads(rows[0][0])
        except ValueError:
            return None
        return found if isinstance(found, dict) else None

    def save_conversation(self, keys: list[str], user_id: int, state: dict) -> None:
        """Store ``state`` under each of ``keys`` (one transaction)."""
        data, now = json.dumps(state, ensure_ascii=False), time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for key in keys:
                    self._db.execute(
                        "INSERT OR REPLACE INTO conversations (key, user_id, state, updated) "
                        "VALUES (?, ?, ?, ?)",
                        (key, user_id, data, now),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # privacy

    def forget(self, user_id: int) -> None:
        """Delete everything stored about a user, in one transaction."""
        statements = [
            ("DELETE FROM feedback WHERE user_id = ? OR answer_id IN "
             "(SELECT id FROM turns WHERE user_id = ?)", (user_id, user_id)),
            ("DELETE FROM turns WHERE user_id = ? OR chat_id = ?", (user_id, user_id)),
            ("DELETE FROM chats WHERE chat_id = ? OR user_id = ?", (user_id, user_id)),
            ("DELETE FROM preferences WHERE user_id = ?", (user_id,)),
            ("DELETE FROM updates WHERE user_id = ?", (user_id,)),
            ("DELETE FROM conversations WHERE user_id = ?", (user_id,)),
            ("DELETE FROM inflight WHERE user_id = ?", (user_id,)),
        ]  # fmt: skip
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            # The deleted rows leave the write-ahead log too, not only the database.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def count_about(self, user_id: int) -> int:
        """How many rows mention the user (0 after ``forget``); for tests and audits."""
        queries = [
            ("SELECT COUNT(*) FROM turns WHERE user_id = ? OR chat_id = ?", (user_id, user_id)),
            ("SELECT COUNT(*) FROM feedback WHERE user_id = ?", (user_id,)),
            ("SELECT COUNT(*) FROM chats WHERE chat_id = ? OR user_id = ?", (user_id, user_id)),
            ("SELECT COUNT(*) FROM preferences WHERE user_id = ?", (user_id,)),
            ("SELECT COUNT(*) FROM updates WHERE user_id = ?", (user_id,)),
        ]
        return sum(self._read(sql, params)[0][0] for sql, params in queries)
