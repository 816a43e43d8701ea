"""The real bot, polling a fake Bot API server on loopback; the tests play users.

The server rejects whatever Telegram would reject (HTML, lengths, callback data), so every
test ends by checking that no request of the bot was refused.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import threading
import time
from dataclasses import replace

import pytest

from urbact_assistant import Answer, Citation

from .fake_bot_api import (
    BOT_USERNAME,
    ApiError,
    FakeBotApi,
    RunningBot,
    buttons,
    callback_update,
    inline_update,
    mention_entity,
    message_update,
    parse_html,
    until,
)

REMOTE = "which networks tackle remote work?"


@pytest.fixture
async def bot(api, assistant, tmp_path):
    async with RunningBot(api, assistant, tmp_path) as running:
        yield running


def data_of(message, prefix):
    return [
        b["callback_data"]
        for b in buttons(message)
        if b.get("callback_data", "").startswith(prefix)
    ]


async def test_question_gets_cited_html_answer_with_card_buttons(bot, api):
    [answer] = await bot.say(message_update(101, REMOTE), 101)
    call = api.calls_of("sendMessage", 101)[0]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    typing = api.calls_of("sendChatAction", 101)
    assert typing and typing[0].params["action"] == "typing" and typing[0].at <= call.at
    text = parse_html(answer["text"])
    assert "Remote-IT" in text and "[1]" in text
    assert '<a href="https://urbact.eu/' in answer["text"]
    assert "c:remote-it" in data_of(answer, "c:")
    assert [b["text"] for b in buttons(answer)][-2:] == ["👍", "👎"]

    # pressing the card button shows the card, with "similar networks" buttons
    [card] = await bot.say(callback_update(answer, "c:remote-it", 101), 101)
    assert card["text"].startswith("<b>Remote-IT</b>")
    card_text = parse_html(card["text"])
    assert "Jun 2023 – Dec 2025, ended" in card_text  # status as of the test's today
    assert "Lead partner: Dubrovnik Development Agency DURA (HR)" in card_text
    assert "Tartu (EE)" in card_text
    similar = data_of(card, "c:")
    assert similar and "c:remote-it" not in similar
    assert any(b.get("url", "").startswith("https://urbact.eu") for b in buttons(card))
    assert api.calls_of("answerCallbackQuery")


async def test_follow_up_keeps_context(bot, api):
    await bot.say(message_update(102, REMOTE), 102)
    [follow_up] = await bot.say(message_update(102, "and which of them are in Spain?"), 102)
    text = parse_html(follow_up["text"])
    assert "Spain" in text and "Remote-IT" in text
    question, _ = bot.store.history(102)[-1]
    assert "remote work" in question  # the standalone question, not the raw follow-up


async def test_feedback_is_recorded(bot, api):
    [answer] = await bot.say(message_update(103, REMOTE), 103)
    up = data_of(answer, "f:")[0]
    api.enqueue(callback_update(answer, up, 103))
    toast = await until(
        lambda: [c for c in api.calls_of("answerCallbackQuery") if c.params.get("text")]
    )
    assert "Thanks" in toast[0].params["text"]
    assert bot.store.feedback(int(up.split(":")[1])) == (1, 0)


async def test_inline_query_returns_shareable_cards(bot, api):
    api.enqueue(inline_update("remote work", 104))
    api.enqueue(inline_update("", 104))
    calls = await until(
        lambda: len(api.calls_of("answerInlineQuery")) == 2 and api.calls_of("answerInlineQuery")
    )
    found = {c.params["inline_query_id"]: c.params["results"] for c in calls}
    topical, browse = found.values()
    assert topical[0]["id"] == "remote-it"
    assert topical[0]["input_message_content"]["parse_mode"] == "HTML"
    assert 0 < len(browse) <= 50
    link = buttons(topical[0])[0]["url"]
    assert link == f"https://t.me/{BOT_USERNAME}?start=card_remote-it"


async def test_deep_link_opens_a_card(bot, api):
    [card] = await bot.say(message_update(105, "/start card_genprocure"), 105)
    assert card["text"].startswith("<b>GenProcure</b>")


async def test_group_answers_only_commands_mentions_and_replies(bot, api):
    group = -200
    await_help = message_update(group, "/help", user_id=7)
    # not addressed to the bot: ignored (the /help after it proves it was processed first)
    api.enqueue(message_update(group, REMOTE, user_id=7))
    api.enqueue(message_update(group, None, user_id=7, extra={"sticker": _sticker()}))
    [help_] = await bot.say(await_help, group)
    assert "/networks" in help_["text"]
    assert len(api.messages(group)) == 1

    text = f"@{BOT_USERNAME} who leads GenProcure?"
    asked = message_update(group, text, user_id=7, entities=[mention_entity(text)])
    [answer] = await bot.say(asked, group)
    assert "Vila Nova de Famalicão" in parse_html(answer["text"])
    reply_to = api.calls_of("sendMessage", group)[-1].params["reply_parameters"]
    assert reply_to["message_id"] == asked["message"]["message_id"]

    replied = message_update(group, "and what are its themes?", user_id=8, reply_to=answer)
    [again] = await bot.say(replied, group)
    assert "GenProcure" in parse_html(again["text"])

    [card] = await bot.say(
        message_update(group, f"/network@{BOT_USERNAME} Remote-IT", user_id=7), group
    )
    assert card["text"].startswith("<b>Remote-IT</b>")
    api.enqueue(message_update(group, "/help@another_bot", user_id=7))
    await bot.say(message_update(group, "/about", user_id=7), group)
    assert len(api.messages(group)) == 5  # help, answer, answer, card, about: nothing else


async def test_in_a_group_a_card_and_a_prompt_reply_to_the_command(bot, api):
    group = -250
    command = message_update(group, f"/network@{BOT_USERNAME} Remote-IT", user_id=9)
    [card] = await bot.say(command, group)
    assert card["text"].startswith("<b>Remote-IT</b>")
    replied = api.calls_of("sendMessage", group)[-1].params["reply_parameters"]
    assert replied["message_id"] == command["message"]["message_id"]
    bare = message_update(group, f"/network@{BOT_USERNAME}", user_id=9)
    [prompt] = await bot.say(bare, group)  # a selective ForceReply reaches the one who asked
    assert prompt["reply_markup"].get("force_reply") is True
    replied = api.calls_of("sendMessage", group)[-1].params["reply_parameters"]
    assert replied["message_id"] == bare["message"]["message_id"]


async def test_in_a_group_one_members_slow_answer_does_not_hold_up_another(
    api, assistant, tmp_path
):
    release = threading.Event()

    def ask(question, conversation=None, on_token=None):
        release.wait(15)  # an LLM taking its time
        return assistant.ask(question, conversation)

    group, text = -260, f"@{BOT_USERNAME} who leads GenProcure?"
    async with RunningBot(api, StandIn(assistant, ask), tmp_path) as bot:
        api.enqueue(message_update(group, text, user_id=31, entities=[mention_entity(text)]))
        await until(lambda: api.calls_of("sendChatAction", group))  # member 31's answer started
        [help_] = await bot.say(message_update(group, "/help", user_id=32), group, timeout=5)
        assert "/networks" in help_["text"]
        release.set()
        await until(lambda: len(api.messages(group)) == 2)
    assert "Vila Nova de Famalicão" in parse_html(api.messages(group)[1]["text"])


async def test_non_text_gets_a_hint(bot, api):
    [hint] = await bot.say(message_update(106, None, extra={"sticker": _sticker()}), 106)
    assert "only read text" in hint["text"]
    [hint] = await bot.say(message_update(106, None, language="fr", extra={"voice": _voice()}), 106)
    assert "Je ne lis que le texte" in hint["text"]


async def test_over_long_question_gets_a_clear_message(bot, api):
    [reply] = await bot.say(message_update(107, "remote work " * 200), 107)
    assert "too long (2399 characters; at most 1000)" in reply["text"]


async def test_duplicate_update_is_answered_once(bot, api):
    update = message_update(108, REMOTE)
    api.enqueue(update)
    api.enqueue(dict(update))  # the same update_id again
    [answer, help_] = await bot.say(message_update(108, "/help"), 108, count=2)
    assert "Remote-IT" in answer["text"] and "/networks" in help_["text"]
    await asyncio.sleep(0.2)
    assert len(api.messages(108)) == 2  # one answer, then the help


async def test_edited_message_is_not_answered_twice(bot, api):
    original = message_update(109, REMOTE)
    await bot.say(original, 109)
    edited = message_update(
        109, "which networks tackle hybrid work?", edited=True,
        message_id=original["message"]["message_id"],
    )  # fmt: skip
    api.enqueue(edited)
    [help_] = await bot.say(message_update(109, "/help"), 109)
    assert "/networks" in help_["text"]  # the edit was processed first, without an answer
    assert len(api.messages(109)) == 2


async def test_forget_deletes_everything_about_the_user(bot, api):
    [answer] = await bot.say(message_update(110, REMOTE), 110)
    await bot.say(callback_update(answer, data_of(answer, "f:")[0], 110), 110, count=0)
    await until(lambda: bot.store.feedback(int(data_of(answer, "f:")[0].split(":")[1])) == (1, 0))
    assert bot.store.count_about(110) > 0
    [done] = await bot.say(message_update(110, "/forget"), 110)
    assert "deleted" in done["text"]
    assert bot.store.count_about(110) == 0
    assert bot.store.history(110) == []


async def test_twenty_chats_at_once_are_all_answered(bot, api):
    chats = range(2001, 2021)
    topics = ["remote work", "school streets", "food", "culture", "housing"]
    started = time.monotonic()
    for i, chat in enumerate(chats):
        api.enqueue(message_update(chat, f"which networks work on {topics[i % 5]}?"))
    await until(lambda: all(api.calls_of("sendMessage", c) for c in chats), timeout=15)
    elapsed = {c: api.calls_of("sendMessage", c)[0].at - started for c in chats}
    print("seconds to each answer:", sorted(round(t, 2) for t in elapsed.values()))
    assert max(elapsed.values()) < 10, elapsed  # loose: ~2 s on 2 cores once warm
    for chat in chats:
        assert "[1]" in api.messages(chat)[0]["text"]


async def test_commands_are_registered_in_every_eu_language_and_ukrainian(bot, api):
    eu = "bg cs da de el es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv uk".split()
    assert set(api.commands) == {"", *eu}
    assert [c["command"] for c in api.commands["pl"]] == [
        "start", "help", "networks", "network", "city", "join", "language", "forget", "about",
    ]  # fmt: skip
    assert api.commands["de"][0]["description"] == "Was dieser Bot macht"


async def test_start_help_about_join_city(bot, api):
    [start] = await bot.say(message_update(111, "/start", language="it"), 111)
    assert "Assistente URBACT" in start["text"] and "IA" in start["text"]
    [about] = await bot.say(message_update(111, "/about"), 111)
    assert "Privacy" in about["text"] and "/forget" in about["text"]
    [join] = await bot.say(message_update(111, "/join"), 111)
    assert "Call for" in parse_html(join["text"])
    assert any(b.get("callback_data") == "c:how-to-join" for b in buttons(join))
    [city] = await bot.say(message_update(111, "/city Tartu"), 111)
    assert "Tartu takes part in" in parse_html(city["text"])
    [prompt] = await bot.say(message_update(111, "/network"), 111)
    assert "Which network?" in parse_html(prompt["text"])
    [missing] = await bot.say(message_update(111, "/network <Nowhere & Co>"), 111)
    assert "&lt;Nowhere &amp; Co&gt;" in missing["text"]
    [unknown] = await bot.say(message_update(111, "/frobnicate"), 111)
    assert "/help" in unknown["text"]


async def test_browse_networks_with_pages_and_filters(bot, api):
    [page] = await bot.say(message_update(112, "/networks"), 112)
    assert parse_html(page["text"]).startswith("Networks (")
    forward = [d for b in buttons(page) if b["text"] == "▶" for d in [b["callback_data"]]]
    api.enqueue(callback_update(page, forward[0], 112))
    await until(lambda: api.calls_of("editMessageText", 112))
    page = api.messages(112)[0]
    assert "2/" in parse_html(page["text"])
    ongoing = next(b["callback_data"] for b in buttons(page) if b["text"] == "ongoing")
    api.enqueue(callback_update(page, ongoing, 112))
    await until(lambda: len(api.calls_of("editMessageText", 112)) == 2)
    assert "ongoing" in parse_html(api.messages(112)[0]["text"]).splitlines()[0]

    [filtered] = await bot.say(message_update(112, "/networks ongoing PL"), 112)
    heading = parse_html(filtered["text"]).splitlines()[0]
    assert "Poland" in heading and "ongoing" in heading
    [topic] = await bot.say(message_update(112, "/networks remote work"), 112)
    assert "Remote-IT" in parse_html(topic["text"])


async def test_expired_button_gets_a_toast(bot, api):
    [answer] = await bot.say(message_update(113, "/help"), 113)
    api.enqueue(callback_update(answer, "c:no-such-network", 113))
    api.enqueue(callback_update(answer, "zz:garbage", 113))
    toasts = await until(
        lambda: (
            len(api.calls_of("answerCallbackQuery")) == 2 and api.calls_of("answerCallbackQuery")
        )
    )
    assert all("expired" in c.params["text"] for c in toasts)


async def test_per_user_rate_limit(api, assistant, tmp_path):
    env = {"URBACT_BOT_QUESTIONS_PER_MINUTE": "2"}
    async with RunningBot(api, assistant, tmp_path, env) as bot:
        for _ in range(2):
            await bot.say(message_update(114, REMOTE), 114)
        [reply] = await bot.say(message_update(114, REMOTE), 114)
        assert "wait" in reply["text"] and "seconds" in reply["text"]


async def test_telegram_429_is_retried(bot, api):
    api.fail_next("sendMessage", ApiError("Too Many Requests: retry after 1", 429))
    [answer] = await bot.say(message_update(115, "/help"), 115, timeout=15)
    assert "/networks" in answer["text"]


async def test_redelivered_update_after_restart_is_not_answered_again(api, assistant, tmp_path):
    update = message_update(116, REMOTE)
    async with RunningBot(api, assistant, tmp_path) as bot:
        await bot.say(update, 116)
    api.enqueue(dict(update))  # Telegram did not get the offset confirmation: it resends
    async with RunningBot(api, assistant, tmp_path) as bot:
        [help_] = await bot.say(message_update(116, "/help"), 116)
    assert "/networks" in help_["text"]  # the redelivered question was not answered first
    assert len(api.messages(116)) == 2


# --- with a stand-in assistant: failures, long answers, streaming ------------------------


def StandIn(real, ask):
    """The real assistant with only its ``ask`` replaced (the bot sees nothing else)."""
    clone = copy.copy(real)
    clone.ask = ask
    return clone


def _long_answer_text():
    paragraph = "Cities & towns <compare> notes on mobility, housing and food. " * 30
    return "\n\n".join(f"{i}. {paragraph} [1]" for i in range(12))


async def test_long_answer_is_split_under_the_limit(api, assistant, tmp_path):
    long = Answer(
        "q", _long_answer_text(), [Citation(1, "remote-it", "Remote-IT", "https://urbact.eu/x?a=1&b=2")],
        standalone="q",
    )  # fmt: skip
    stand_in = StandIn(assistant, lambda q, conversation=None, on_token=None: long)
    async with RunningBot(api, stand_in, tmp_path) as bot:
        parts = await bot.say(message_update(117, "tell me everything"), 117, count=2)
        await asyncio.sleep(0.3)
    parts = api.messages(117)
    assert len(parts) >= 6
    assert all(len(parse_html(p["text"])) <= 4096 for p in parts)
    assert not any("reply_markup" in p for p in parts[:-1]) and buttons(parts[-1])
    assert "&amp;" in parts[0]["text"] and "&lt;compare&gt;" in parts[0]["text"]


async def test_an_error_is_logged_and_the_user_told(api, assistant, tmp_path, caplog):
    def ask(question, conversation=None, on_token=None):
        raise RuntimeError("index on fire")

    caplog.set_level(logging.DEBUG)
    async with RunningBot(api, StandIn(assistant, ask), tmp_path) as bot:
        [reply] = await bot.say(message_update(118, "my secret question about parks"), 118)
    assert "something went wrong" in reply["text"].lower()
    assert "Traceback" not in reply["text"] and "fire" not in reply["text"]
    assert "RuntimeError" in caplog.text
    assert "my secret question" not in caplog.text
    assert api.token not in caplog.text and api.token.split(":")[1] not in caplog.text


async def test_logs_hold_no_token_and_no_message_text(api, assistant, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with RunningBot(api, assistant, tmp_path) as bot:
        await bot.say(message_update(119, "which networks tackle remote work? zebra"), 119)
    assert "zebra" not in caplog.text
    assert api.token.split(":")[1] not in caplog.text
    assert "answered in" in caplog.text


async def test_streamed_answer_edits_one_message_about_once_a_second(api, assistant, tmp_path):
    final = assistant.ask(REMOTE)

    def ask(question, conversation=None, on_token=None):
        words = final.text.split(" ")
        for i in range(4, len(words) + 4, 4):
            on_token(" ".join(words[:i]))  # the verified draft so far
            time.sleep(0.12)
        return replace(final, mode="llm")

    env = {"URBACT_BOT_STREAM_INTERVAL": "0.5"}
    async with RunningBot(api, StandIn(assistant, ask), tmp_path, env) as bot:
        bot.api.enqueue(message_update(120, REMOTE))
        await until(lambda: any(buttons(m) for m in api.messages(120)), timeout=20)
    messages = api.messages(120)
    assert len(messages) == 1  # the draft became the answer
    edits = api.calls_of("editMessageText", 120)
    assert edits
    times = [api.calls_of("sendMessage", 120)[0].at] + [e.at for e in edits]
    assert all(b - a >= 0.45 for a, b in zip(times, times[1:], strict=False)), times
    assert "Remote-IT" in parse_html(messages[0]["text"]) and "▍" not in messages[0]["text"]


def _sticker():
    return {
        "file_id": "s1", "file_unique_id": "u1", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    }  # fmt: skip


def _voice():
    return {"file_id": "v1", "file_unique_id": "v1u", "duration": 3}


async def test_webhook_mode_checks_the_secret_token(api, assistant, tmp_path):
    import json
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "URBACT_WEBHOOK_URL": f"https://bot.example.org/telegram/{port}",
        "URBACT_WEBHOOK_SECRET": "s3cret",
        "URBACT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    update = {"update_id": 1, **message_update(121, REMOTE)}
    url = f"http://127.0.0.1:{port}/telegram/{port}"
    headers = {"Content-Type": "application/json"}
    async with RunningBot(api, assistant, tmp_path, env, webhook=True):
        webhook = api.calls_of("setWebhook")[0].params
        assert webhook["url"] == env["URBACT_WEBHOOK_URL"] and webhook["secret_token"] == "s3cret"
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, content=json.dumps(update), headers=headers)
            assert refused.status_code == 403
            headers["X-Telegram-Bot-Api-Secret-Token"] = "s3cret"
            accepted = await client.post(url, content=json.dumps(update), headers=headers)
            assert accepted.status_code == 200
        await until(lambda: api.calls_of("sendMessage", 121))
    assert "Remote-IT" in api.messages(121)[0]["text"]


async def test_message_text_is_logged_only_when_enabled(api, assistant, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    env = {"URBACT_LOG_CONTENT": "1"}
    async with RunningBot(api, assistant, tmp_path, env) as bot:
        await bot.say(message_update(122, "which networks tackle remote work? zebra"), 122)
    assert "zebra" in caplog.text
    assert api.token.split(":")[1] not in caplog.text


async def test_a_failure_while_streaming_replaces_the_draft(api, assistant, tmp_path):
    def ask(question, conversation=None, on_token=None):
        on_token("Remote-IT is ")
        time.sleep(0.3)
        raise RuntimeError("the LLM went away")

    env = {"URBACT_BOT_STREAM_INTERVAL": "0.2"}
    async with RunningBot(api, StandIn(assistant, ask), tmp_path, env):
        api.enqueue(message_update(123, REMOTE))
        await until(lambda: api.calls_of("editMessageText", 123))
        await asyncio.sleep(0.3)
    [message] = api.messages(123)
    assert "something went wrong" in message["text"].lower() and "▍" not in message["text"]


async def test_show_more_lists_the_networks_behind_n_more(bot, api):
    [answer] = await bot.say(message_update(130, "which networks work on food?"), 130)
    more = [b for b in buttons(answer) if b.get("callback_data", "").startswith("m:")]
    assert more and "more" in more[0]["text"]
    api.enqueue(callback_update(answer, more[0]["callback_data"], 130))
    await until(lambda: len(api.messages(130)) == 2)
    rest = api.messages(130)[1]
    lines = parse_html(rest["text"]).splitlines()
    assert len(lines) >= 1 and all(line.startswith("•") for line in lines)
    assert data_of(rest, "c:")  # a button per network


async def test_an_answer_in_french_gets_french_labels(bot, api):
    [answer] = await bot.say(
        message_update(131, "Qui est chef de file du réseau SCHOOLHOODS ?", language="fr"), 131
    )
    text = parse_html(answer["text"])
    assert "Rethymno (Grèce)" in text.splitlines()[0] and "Sources" in text


async def test_a_reply_continues_the_answer_it_replies_to_not_the_groups_latest(bot, api):
    group = -300
    first = f"@{BOT_USERNAME} which networks work on public procurement?"
    [older] = await bot.say(
        message_update(group, first, user_id=21, entities=[mention_entity(first)]), group
    )
    second = f"@{BOT_USERNAME} is Tartu in an URBACT network?"
    await bot.say(
        message_update(group, second, user_id=22, entities=[mention_entity(second)]), group
    )
    # user 23 replies to the older answer: the procurement list, not Tartu's
    replied = message_update(group, "who leads the first one?", user_id=23, reply_to=older)
    [answer] = await bot.say(replied, group)
    first_listed = parse_html(older["text"]).splitlines()[1].split(" — ")[0].lstrip("•- ").strip()
    assert first_listed in parse_html(answer["text"]).splitlines()[0]


async def test_the_conversation_survives_a_restart_and_forget_clears_it(api, assistant, tmp_path):
    async with RunningBot(api, assistant, tmp_path) as bot:
        await bot.say(message_update(140, "which networks work on public procurement?"), 140)
    async with RunningBot(api, assistant, tmp_path) as bot:  # the same data dir
        [picked] = await bot.say(message_update(140, "who leads the first one?"), 140)
        assert parse_html(picked["text"]).startswith("The lead partner of")
        await bot.say(message_update(140, "/forget"), 140)
        assert bot.store.conversation("chat:140") is None


async def test_a_5xx_on_send_still_delivers_the_answer_once(assistant, tmp_path):
    server = FakeBotApi().start()
    try:
        server.fail_next("sendMessage", ApiError("Bad Gateway", 502))
        server.fail_next("sendMessage", ApiError("Internal Server Error", 500))
        async with RunningBot(server, assistant, tmp_path) as bot:
            [answer] = await bot.say(message_update(150, "who leads GenProcure?"), 150, timeout=20)
            await asyncio.sleep(0.5)
        assert "Vila Nova de Famalicão" in parse_html(answer["text"])
        assert len(server.messages(150)) == 1  # the answer, once, and no error message
        assert [c.error for c in server.errors] == ["Bad Gateway", "Internal Server Error"]
    finally:
        server.stop()


async def test_a_question_in_flight_when_the_bot_died_is_answered_after_restart(
    api, assistant, tmp_path
):
    import json as json_

    from urbact_assistant.adapters.telegram.state import BotState

    update = {"update_id": 9001, **message_update(160, "who leads GenProcure?")}
    store = BotState.open(tmp_path)  # what a killed process leaves: the update, not done
    store.begin(9001, 160, json_.dumps(update))
    store.close()
    async with RunningBot(api, assistant, tmp_path) as bot:
        await until(lambda: api.calls_of("sendMessage", 160), timeout=15)
        await until(lambda: bot.store.processed(9001))
        assert bot.store.unfinished() == []
    assert "Vila Nova de Famalicão" in parse_html(api.messages(160)[0]["text"])
    assert len(api.messages(160)) == 1


async def test_the_caption_of_a_photo_is_read_as_a_question(bot, api):
    photo = [{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}]
    update = message_update(170, None, extra={"photo": photo, "caption": "who leads GenProcure?"})
    [answer] = await bot.say(update, 170)
    assert "Vila Nova de Famalicão" in parse_html(answer["text"])


async def test_a_vote_is_shown_on_the_answer(bot, api):
    [answer] = await bot.say(message_update(180, "who leads GenProcure?"), 180)
    down = [d for d in data_of(answer, "f:") if d.endswith(":d")][0]
    api.enqueue(callback_update(answer, down, 180))
    await until(lambda: any("✓" in b["text"] for b in buttons(api.messages(180)[0])))
    labels = [b["text"] for b in buttons(api.messages(180)[0]) if b["text"].endswith(("👍", "👎"))]
    assert labels == ["👍", "✓ 👎"]
    toast = api.calls_of("answerCallbackQuery")[-1].params["text"]
    assert "👎" in toast


async def test_join_starts_from_todays_state(bot, api):
    [join] = await bot.say(message_update(181, "/join"), 181)
    first_lines = parse_html(join["text"]).splitlines()[:2]
    assert "No call is open today" in first_lines[1] and "2026" in first_lines[1]


async def test_scripted_dialogues_through_the_bot_in_eight_languages(bot, api):
    """The first dialogue of each main language, played through the fake Bot API: each turn is
    a message in a private chat; the answer is judged like `eval --dialogues` judges it."""
    import json as json_

    from urbact_assistant import eval_set
    from urbact_assistant.core.text import fold

    dialogues = {}
    for line in eval_set("dialogues.jsonl").read_text(encoding="utf-8").splitlines():
        d = json_.loads(line)
        dialogues.setdefault(d["lang"], d)
    chosen = [dialogues[lang] for lang in ("en", "fr", "de", "it", "es", "pl", "pt", "nl")]
    right = total = 0
    for i, dialogue in enumerate(chosen):
        chat = 190 + i
        for turn in dialogue["turns"]:
            [reply] = await bot.say(
                message_update(chat, turn["question"], language=dialogue["lang"]), chat, timeout=20
            )
            text = fold(parse_html(reply["text"]))
            ok = all(fold(f) in text for f in turn["facts"]) and not any(
                fold(f) in text for f in turn.get("not", [])
            )
            right, total = right + ok, total + 1
    assert total >= 24 and right / total >= 0.85, (right, total)


async def test_a_locked_state_file_does_not_freeze_the_bot(api, assistant, tmp_path):
    import sqlite3

    async with RunningBot(api, assistant, tmp_path):
        holder = sqlite3.connect(tmp_path / "bot.sqlite", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process keeps the file locked
        try:
            started = time.monotonic()
            for chat in (200, 201):
                api.enqueue(message_update(chat, "who leads GenProcure?"))
            await until(lambda: all(api.calls_of("sendMessage", c) for c in (200, 201)), 20)
            elapsed = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    for chat in (200, 201):
        assert "Vila Nova de Famalicão" in parse_html(api.messages(chat)[0]["text"])
    assert elapsed < 15


async def test_every_type_button_of_networks_leads_to_a_non_empty_list(bot, api):
    [page] = await bot.say(message_update(210, "/networks", language="fr"), 210)
    types = [
        b for b in buttons(page)
        if b.get("callback_data", "").startswith("n:0::") and b["text"].endswith(")")
    ]  # fmt: skip
    assert len(types) >= 6 and any("Réseau de transfert (" in b["text"] for b in types)
    labels = [b["text"] for b in buttons(page)]
    assert len(labels) == len(set(labels)), labels  # no two "✓ tous"
    assert "✓ Statut : tous" in labels or any(t.startswith("✓ Statut") for t in labels)
    for i, button in enumerate(types, start=1):
        api.enqueue(callback_update(api.messages(210)[0], button["callback_data"], 210))
        await until(lambda n=i: len(api.calls_of("editMessageText", 210)) >= n, timeout=15)
        heading = parse_html(api.messages(210)[0]["text"]).splitlines()[0]
        count = int(heading.rsplit("(", 1)[1].rstrip(")"))
        assert count > 0 and f"({count})" in button["text"], (heading, button["text"])


async def test_a_greeting_gets_a_reply_in_kind_with_examples_to_tap(bot, api):
    [hello] = await bot.say(message_update(220, "Bonjour", language="fr"), 220)
    text = parse_html(hello["text"])
    assert text.startswith("Bonjour") and "[1]" not in text
    examples = data_of(hello, "x:")
    assert len(examples) == 3 and not data_of(hello, "f:")
    api.enqueue(callback_update(hello, examples[0], 220))
    await until(lambda: len(api.messages(220)) == 2, timeout=15)
    assert "[1]" in parse_html(api.messages(220)[1]["text"])  # the example, answered and cited
    [thanks] = await bot.say(message_update(220, "Merci !", language="fr"), 220)
    assert "[1]" not in parse_html(thanks["text"])


async def test_thanks_in_a_group_gets_no_answer(bot, api):
    group = -400
    asked = f"@{BOT_USERNAME} who leads GenProcure?"
    [answer] = await bot.say(
        message_update(group, asked, user_id=31, entities=[mention_entity(asked)]), group
    )
    api.enqueue(message_update(group, "thanks!", user_id=31, reply_to=answer))
    [help_] = await bot.say(message_update(group, "/help", user_id=31), group)
    assert "/networks" in help_["text"]
    assert len(api.messages(group)) == 2  # the answer and /help: nothing for the thanks


async def test_inline_finds_a_partial_word_programme_pages_and_offers_the_assistant(bot, api):
    for i, words in enumerate(("rem", "how to join", "zzqxw"), start=1):
        api.enqueue(inline_update(words, 230))
        await until(lambda n=i: len(api.calls_of("answerInlineQuery")) == n)
    partial, join, nothing = (c.params for c in api.calls_of("answerInlineQuery"))
    assert partial["results"][0]["id"] == "remote-it"
    assert "how-to-join" in [r["id"] for r in join["results"][:5]]
    assert nothing["results"] == [] and nothing["button"]["start_parameter"] == "inline"


async def test_commands_without_a_name_ask_for_it(bot, api):
    [prompt] = await bot.say(message_update(231, "/network"), 231)
    assert "Which network?" in parse_html(prompt["text"])
    assert prompt["reply_markup"].get("force_reply") is True
    [card] = await bot.say(message_update(231, "Remot IT"), 231)
    assert card["text"].startswith("<b>Remote-IT</b>") or "Remote-IT" in str(buttons(card))
    [start] = await bot.say(message_update(231, "/start"), 231)
    assert len(data_of(start, "x:")) == 3


async def test_a_country_picker_in_the_users_language_leads_to_that_countrys_networks(bot, api):
    [page] = await bot.say(message_update(240, "/networks", language="pl"), 240)
    [picker_button] = [b for b in buttons(page) if b["text"].startswith("🌍")]
    assert picker_button["text"] == "🌍 Kraje"
    api.enqueue(callback_update(page, picker_button["callback_data"], 240, "pl"))
    await until(lambda: "Wybierz kraj" in parse_html(api.messages(240)[0]["text"]))
    picker = api.messages(240)[0]
    assert "Wybierz kraj" in parse_html(picker["text"])
    names = [b["text"] for b in buttons(picker)]
    assert any(n.startswith("Polska (") for n in names) and any(
        n.startswith("Hiszpania (") for n in names
    )
    spain = next(b for b in buttons(picker) if b["text"].startswith("Hiszpania ("))
    api.enqueue(callback_update(picker, spain["callback_data"], 240, "pl"))
    await until(lambda: "Hiszpania (" in parse_html(api.messages(240)[0]["text"]).splitlines()[0])
    heading = parse_html(api.messages(240)[0]["text"]).splitlines()[0]
    count = int(heading.rsplit("(", 1)[1].rstrip(")"))
    assert "Hiszpania" in heading and f"({count})" in spain["text"] and count > 0
    assert any(b["text"] == "✓ Hiszpania" for b in buttons(api.messages(240)[0]))
    [typed] = await bot.say(message_update(240, "/networks Hiszpania", language="pl"), 240)
    assert "Hiszpania" in parse_html(typed["text"]).splitlines()[0]


async def test_join_offers_the_users_national_urbact_point(bot, api):
    [join] = await bot.say(message_update(241, "/join", language="fr"), 241)
    text = parse_html(join["text"])
    assert "Votre Point national URBACT" in text
    points = [b["callback_data"] for b in buttons(join) if b["text"].startswith("📍")]
    assert "c:nup-fr" in points and "c:national-urbact-points" in points
    [english] = await bot.say(message_update(242, "/join", language="en"), 242)
    points = [b["callback_data"] for b in buttons(english) if b["text"].startswith("📍")]
    assert points == ["c:national-urbact-points"]


async def test_a_group_keeps_one_language_and_an_admin_sets_it(bot, api):
    group = -410
    for user_id in (41, 42):
        await bot.say(message_update(group, "/help", user_id=user_id, language="de"), group)
    [page] = await bot.say(message_update(group, "/networks", user_id=43, language="pl"), group)
    assert parse_html(page["text"]).startswith("Netzwerke")  # two Germans, one Pole
    ongoing = next(b for b in buttons(page) if b["text"].endswith("laufend"))
    api.enqueue(callback_update(page, ongoing["callback_data"], 43, "pl"))
    await until(lambda: api.calls_of("editMessageText", group))
    await until(lambda: "laufend" in parse_html(api.messages(group)[-1]["text"]).splitlines()[0])
    assert parse_html(api.messages(group)[-1]["text"]).startswith("Netzwerke")

    [refused] = await bot.say(message_update(group, "/language fr", user_id=43), group)
    assert "administrator" in parse_html(refused["text"]).casefold()
    api.admins.add((group, 41))
    [picker] = await bot.say(message_update(group, "/language", user_id=41, language="de"), group)
    french = next(b for b in buttons(picker) if b["text"] == "Français")
    api.enqueue(callback_update(picker, french["callback_data"], 41, "de"))
    await until(lambda: "français" in parse_html(api.messages(group)[-1]["text"]))
    for user_id in (44, 45, 46):  # more Germans: the chosen language stays
        await bot.say(message_update(group, "/help", user_id=user_id, language="de"), group)
    [about] = await bot.say(message_update(group, "/about", user_id=44, language="de"), group)
    assert "Confidentialité" in parse_html(about["text"])


async def test_language_in_a_private_chat_overrides_telegrams_and_forget_resets_it(bot, api):
    [done] = await bot.say(message_update(243, "/language polski", language="en"), 243)
    assert "polski" in parse_html(done["text"]).lower()
    [help_] = await bot.say(message_update(243, "/help", language="en"), 243)
    assert "/networks" in help_["text"] and "Jak" in parse_html(help_["text"])
    assert "/language Wybierz język bota w tym czacie\n/forget" in parse_html(help_["text"])
    await bot.say(message_update(243, "/forget", language="en"), 243)
    [help_] = await bot.say(message_update(243, "/help", language="en"), 243)
    assert parse_html(help_["text"]).startswith("How to use me")


SCREEN_QUESTIONS = {
    "pl": "Które sieci zajmują się pracą zdalną?",
    "fr": "Quels réseaux travaillent sur le télétravail ?",
    "de": "Welche Netzwerke befassen sich mit Telearbeit?",
    "es": "¿Qué redes trabajan sobre el teletrabajo?",
    "it": "Quali reti si occupano di lavoro a distanza?",
    "el": "Ποια δίκτυα ασχολούνται με την τηλεργασία;",
    "uk": "Які мережі займаються дистанційною роботою?",
}


@pytest.mark.parametrize("lang", list(SCREEN_QUESTIONS))
async def test_every_screen_comes_back_in_the_users_language(bot, api, lang):
    """/start, /help, /join, /about, an answer, an opened card and /networks, each checked
    against the user's UI file (and not the English one)."""
    from urbact_assistant import phrases

    def ui(key):
        return parse_html(phrases.raw(lang, key)).strip()

    def first_line(key):
        return ui(key).splitlines()[0]

    chat = 250 + list(SCREEN_QUESTIONS).index(lang)

    async def screen(command):
        [message] = await bot.say(message_update(chat, command, language=lang), chat, timeout=20)
        return message, parse_html(message["text"])

    _, start = await screen("/start")
    assert start.startswith(first_line("start"))
    _, help_ = await screen("/help")
    assert help_.startswith(first_line("help"))
    _, join = await screen("/join")
    assert join.startswith(ui("calls.title")) and ui("calls.your_nup") in join
    _, about = await screen("/about")
    assert about.startswith(ui("about.title")) and ui("about.privacy_title") in about
    answer, text = await screen(SCREEN_QUESTIONS[lang])
    assert "Remote-IT" in text and ui("sources") in text
    assert text.startswith(parse_html(phrases.say(lang, "list_head", 1)))
    card_button = next(b for b in buttons(answer) if b.get("callback_data", "").startswith("c:"))
    before = len(api.messages(chat))
    api.enqueue(callback_update(answer, card_button["callback_data"], chat, lang))
    await until(lambda: len(api.messages(chat)) > before, timeout=15)
    card = parse_html(api.messages(chat)[-1]["text"])
    assert ui("label.lead_partner") in card and "Lead partner" not in card
    _, networks = await screen("/networks")
    assert networks.startswith(ui("networks") + " (")


async def test_a_vote_with_data_not_on_the_message_is_refused(bot, api):
    [answer] = await bot.say(message_update(260, "who leads GenProcure?"), 260)
    votes = data_of(answer, "f:")
    forged = f"f:{int(votes[0].split(':')[1]) + 999}:d"
    api.enqueue(callback_update(answer, forged, 260))
    await until(lambda: api.calls_of("answerCallbackQuery"))
    toast = api.calls_of("answerCallbackQuery")[-1].params
    assert toast.get("text") == "This button has expired."
    assert not api.calls_of("editMessageReplyMarkup", 260)
