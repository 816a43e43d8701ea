"""The bot's SQLite state: history window, feedback, dedupe, forget, durability."""

from __future__ import annotations

import sqlite3
import threading

from urbact_assistant.adapters.telegram.state import HISTORY, BotState


def test_state_lives_in_one_wal_file_under_the_data_dir(tmp_path):
    store = BotState.open(tmp_path)
    assert store.path == tmp_path / "bot.sqlite"
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    store.close()


def test_history_keeps_the_last_four_pairs_per_chat(tmp_path):
    store = BotState.open(tmp_path)
    for i in range(6):
        store.add_turn(1, 1, f"q{i}", f"a{i}")
    store.add_turn(2, 2, "other", "chat")
    assert store.history(1) == [(f"q{i}", f"a{i}") for i in range(2, 6)]
    assert len(store.history(1)) == HISTORY
    assert store.history(2) == [("other", "chat")]


def test_state_survives_a_restart(tmp_path):
    store = BotState.open(tmp_path)
    answer_id = store.add_turn(1, 1, "q", "a")
    store.add_feedback(answer_id, 1, 1, up=False)
    store.set_language(1, "pl", 1)
    store.set_preference(1, "browse", "ongoing")
    assert store.first_time(42, 1)
    store.close()
    store = BotState.open(tmp_path)
    assert store.history(1) == [("q", "a")]
    assert store.feedback(answer_id) == (0, 1)
    assert store.language(1) == "pl"
    assert store.preference(1, "browse") == "ongoing"
    assert not store.first_time(42, 1)


def test_feedback_can_be_changed_but_counts_once(tmp_path):
    store = BotState.open(tmp_path)
    answer_id = store.add_turn(1, 1, "q", "a")
    store.add_feedback(answer_id, 5, 1, up=True)
    store.add_feedback(answer_id, 5, 1, up=False)
    store.add_feedback(answer_id, 6, 1, up=True)
    assert store.feedback(answer_id) == (1, 1)


def test_forget_deletes_everything_about_a_user_and_nothing_else(tmp_path):
    store = BotState.open(tmp_path)
    mine = store.add_turn(10, 10, "my question", "answer")
    group = store.add_turn(-5, 10, "in a group", "answer")
    theirs = store.add_turn(-5, 11, "their question", "answer")
    store.add_feedback(mine, 10, 10, up=True)
    store.add_feedback(theirs, 10, -5, up=True)
    store.add_feedback(theirs, 11, -5, up=True)
    store.set_language(10, "fr", 10)
    store.set_preference(10, "k", "v")
    store.first_time(1, 10)
    store.first_time(2, 11)
    assert store.count_about(10) > 0
    store.forget(10)
    assert store.count_about(10) == 0
    assert store.history(-5) == [("their question", "answer")]
    assert store.feedback(theirs) == (1, 0) and store.feedback(group) == (0, 0)
    assert not store.first_time(2, 11)


def test_prune_drops_old_update_ids(tmp_path):
    store = BotState.open(tmp_path)
    store.first_time(1)
    store.prune(now=10**12)
    assert store.first_time(1)


def test_concurrent_writers(tmp_path):
    store = BotState.open(tmp_path)

    def work(chat):
        for i in range(20):
            store.add_turn(chat, chat, f"q{i}", "a")
            store.first_time(chat * 1000 + i, chat)

    threads = [threading.Thread(target=work, args=(c,)) for c in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(len(store.history(c)) == HISTORY for c in range(1, 9))


def test_a_state_file_from_before_language_choice_is_upgraded_in_place(tmp_path):
    old = sqlite3.connect(tmp_path / "bot.sqlite")
    old.execute(
        "CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, user_id INTEGER, "
        "language TEXT NOT NULL, updated REAL NOT NULL)"
    )
    old.execute("INSERT INTO chats VALUES (-5, NULL, 'de', 0)")
    old.commit()
    old.close()
    store = BotState.open(tmp_path)
    assert store.languages() == {-5: ("de", False)}
    store.set_language(-5, "fr", None, pinned=True)
    store.close()
    assert BotState.open(tmp_path).languages() == {-5: ("fr", True)}


def test_a_group_speaks_its_members_most_used_language_until_one_is_chosen():
    from urbact_assistant.adapters.telegram.chatlang import ChatLanguages

    chats = ChatLanguages()
    assert chats.resolve(-1, False, 1, "de") == ("de", True)
    assert chats.resolve(-1, False, 2, "pl") == ("de", False)  # a tie keeps the language
    assert chats.resolve(-1, False, 2, "pl") == ("de", False)  # a member counts once
    assert chats.resolve(-1, False, 3, "pl") == ("pl", True)
    assert chats.resolve(-1, False, 4, None) == ("pl", False)
    chats.pin(-1, "fr")
    assert chats.resolve(-1, False, 5, "pl") == ("fr", False)
    assert chats.resolve(7, True, 7, "it") == ("it", True)
    assert chats.resolve(7, True, 7, "es") == ("es", True)  # private: the user's own


def test_forget_leaves_no_trace_of_the_question_in_the_files(tmp_path):
    store = BotState.open(tmp_path)
    secret = "my-very-private-question-7781"
    store.add_turn(77, 77, secret, "an answer")
    store.forget(77)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("bot.sqlite")]
    assert files and not any(secret.encode() in p.read_bytes() for p in files)
    store.close()
