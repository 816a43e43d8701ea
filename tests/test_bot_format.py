"""Telegram rendering: escaping, splitting, callback data, texts, cards (pure functions)."""

from __future__ import annotations

import pytest

from urbact_assistant.adapters.telegram import keyboards as kb
from urbact_assistant.adapters.telegram import render as fmt
from urbact_assistant.adapters.telegram import texts
from urbact_assistant.core.models import Answer, Citation, NetworkCard
from urbact_assistant.knowledge.corpus import load_corpus

from .conftest import CORPUS, TODAY
from .fake_bot_api import ApiError, check_text, parse_html


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS, TODAY)


def valid(html: str) -> str:
    """The text Telegram would show; fails the test where Telegram would refuse it."""
    return check_text(html, "HTML")


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("a < b", "unescaped '<'"),
        ("a > b", "unescaped '>'"),
        ("R&D", "unescaped '&'"),
        ("<b>bold", "end tag"),
        ("<b><i>x</b></i>", "end tag"),
        ("<span>x</span>", "unsupported start tag"),
        ('<a href="javascript:x">x</a>', "bad URL"),
        ("<b></b>", "text is empty"),
        ("x" * 4097, "too long"),
    ],
)
def test_the_fake_server_refuses_what_telegram_refuses(html, problem):
    with pytest.raises(ApiError, match=problem):
        check_text(html, "HTML")


def test_the_fake_server_counts_text_after_entity_parsing():
    assert parse_html("<b>R&amp;D</b> &lt;3 &#128512;") == "R&D <3 😀"
    valid("<b>" + "x" * 4096 + "</b>")


@pytest.mark.parametrize("text", ["<script>", "R&D", "a > b", '"quoted"', "5 < 6 & 7 > 2"])
def test_every_dynamic_string_is_escaped(text):
    answer = Answer("q", f"{text} [1]", [Citation(1, "x", text, f"https://e.eu/?q={text}&a=1")])
    for part in fmt.answer_parts(answer):
        assert text in valid(part)


def test_answer_keeps_markers_bullets_and_lists_sources():
    answer = Answer(
        "q",
        "2 networks:\n- Remote-IT (APN): remote work. [1]\n- Tropa Verde: waste. [2]",
        [
            Citation(1, "remote-it", "Remote-IT", "https://urbact.eu/remote-it"),
            Citation(2, "tropa-verde", "Tropa Verde", "https://urbact.eu/tropa-verde"),
        ],
        note="offline answer",
    )
    [html] = fmt.answer_parts(answer, "de")
    text = valid(html)
    assert "• Remote-IT (APN): remote work. [1]" in text
    assert "<i>Ohne das KI-Modell geschrieben" in html and "offline answer" not in html
    assert "<b>Quellen</b>\n[1] " in html
    assert '<a href="https://urbact.eu/tropa-verde">Tropa Verde</a>' in html


def test_long_answers_split_at_paragraph_boundaries():
    paragraphs = [f"Paragraph {i}: " + "cities & towns " * 80 + f"[{i}]" for i in range(10)]
    answer = Answer("q", "\n\n".join(paragraphs))
    parts = fmt.answer_parts(answer)
    assert len(parts) > 1
    for part in parts:
        assert fmt.tg_len(part) <= fmt.LIMIT
        text = valid(part)
        assert text.startswith("Paragraph ") and text.rstrip().endswith("]")


def test_one_huge_paragraph_is_still_cut_under_the_limit():
    answer = Answer("q", "word&" * 3000 + "\n" + "x" * 9000)
    parts = fmt.answer_parts(answer)
    assert len(parts) >= 4
    assert all(fmt.tg_len(p) <= fmt.LIMIT and valid(p) for p in parts)
    assert "".join(valid(p).replace("\n", "") for p in parts).count("word&") == 3000


def test_emoji_count_twice_towards_the_limit():
    answer = Answer("q", "😀" * 3000)
    parts = fmt.answer_parts(answer)
    assert len(parts) == 2 and all(fmt.tg_len(p) <= fmt.LIMIT for p in parts)


def test_streaming_text_stays_under_the_limit():
    assert fmt.streaming_text("a < b") == "a &lt; b ▍"
    long = fmt.streaming_text("R&D " * 3000)
    assert fmt.tg_len(long) <= fmt.LIMIT and valid(long).startswith("…")


def test_callback_data_fits_64_bytes_for_every_card(corpus):
    for card in corpus.cards:
        data = kb.card_data(card.slug)
        assert len(data.encode()) <= 64
        assert kb.parse_callback(data) == kb.Callback("card", slug=card.slug)


def test_callback_data_round_trips_and_rejects_garbage():
    assert kb.parse_callback(kb.feedback_data(123456789, True)) == kb.Callback(
        "feedback", answer_id=123456789, up=True
    )
    filters = kb.BrowseFilter("o", "t", "PL", "żywność " * 20)
    data = filters.encode(3)
    assert len(data.encode()) <= 64
    parsed = kb.parse_callback(data)
    assert parsed.kind == "browse" and parsed.page == 3
    assert parsed.filters.status == "o" and parsed.filters.country == "PL"
    assert "żywność".startswith(parsed.filters.topic.split()[0][:3])
    for garbage in [
        None,
        "",
        "c:",
        "c:Bad Slug",
        "f:x:u",
        "f:1:z",
        "n:1:q::",
        "zz:1",
        "c:" + "a" * 62,
    ]:
        assert kb.parse_callback(garbage) is None
    with pytest.raises(ValueError):
        kb.card_data("a" * 41)


def test_answer_keyboard_has_card_buttons_then_feedback():
    answer = Answer(
        "q", "x [1] [2]", [Citation(n, f"s-{n}", f"Name {n}", "https://e.eu") for n in (1, 2)]
    )
    keyboard = kb.answer_keyboard(answer, 7)
    assert [b.data for b in keyboard[0]] == ["c:s-1", "c:s-2"]
    assert [b.label for b in keyboard[-1]] == ["👍", "👎"]
    assert [b.data for b in keyboard[-1]] == ["f:7:u", "f:7:d"]


def test_every_card_renders_as_valid_html_under_the_limit(corpus):
    for card in corpus.cards:
        html = fmt.card_html(card, TODAY)
        text = valid(html)
        assert text.startswith(card.title) or card.title in text
        assert "Source" in text
        for row in fmt.card_keyboard(card):
            for button in row:
                assert button.url or len(button.data.encode()) <= 64


def test_network_card_shows_status_as_of_today(corpus):
    card = corpus.by_slug()["remote-it"]
    text = valid(fmt.network_card(card, TODAY))
    assert "Jun 2023 – Dec 2025, ended" in text
    assert "Themes: remote work" in text
    assert "ongoing" in valid(fmt.network_card(card, TODAY.replace(year=2024)))


def test_browse_pages_and_buttons(corpus):
    cards = sorted(corpus.networks, key=lambda c: c.status(TODAY) != "ongoing")
    html, keyboard = fmt.browse_page(cards, kb.BrowseFilter(), 0, TODAY)
    assert valid(html).startswith(f"Networks ({len(cards)})")
    data = [b.data for row in keyboard for b in row]
    assert "n:1::::" in data  # next page
    assert all(len(d.encode()) <= 64 for d in data)
    last = -(-len(cards) // fmt.PER_PAGE) - 1
    html, keyboard = fmt.browse_page(cards, kb.BrowseFilter(), 999, TODAY)
    assert f"{last + 1}/{last + 1}" in valid(html)


def test_browse_filter_codes_round_trip():
    from urbact_assistant import NetworkFilter

    found = NetworkFilter("ongoing", "transfer", "PL", "food")
    codes = kb.BrowseFilter.of(found)
    assert codes == kb.BrowseFilter("o", "t", "PL", "food")
    assert codes.network_filter() == found
    assert kb.parse_callback(codes.encode(2)).filters == codes


def test_join_lists_calls_with_their_state(corpus):
    from urbact_assistant import Calls

    live = [p for p in corpus.pages if p.kind == "call" and p.call_status(TODAY) != "closed"]
    past = [p for p in corpus.pages if p.kind == "call" and p.call_status(TODAY) == "closed"]
    calls = Calls(TODAY, live, past[:3], corpus.by_slug()["how-to-join"])
    html, keyboard = fmt.join_message(calls)
    text = valid(html)
    assert "Call for" in text and "How a city can join URBACT" in text
    assert any(b.data == "c:how-to-join" for row in keyboard for b in row)


@pytest.mark.parametrize("lang", texts.languages())
def test_texts_and_commands_exist_in_every_language(lang):
    english = texts.catalogue("en")
    own = texts.catalogue(lang)
    assert set(own["texts"]) == set(english["texts"]), "every language has every key"
    values = dict(n=1200, max=1000, s=30, name="<x>", bot="b", networks=1, pages=2, link="l",
                  checked="c", today="t", title="T", date="d", language="L", filters="f")  # fmt: skip
    for key in english["texts"]:
        rendered = texts.text(lang, key, **values)
        assert rendered or key == "call.unknown"
        if rendered and key not in texts.PLAIN_KEYS:
            valid(rendered)
    commands = texts.command_list(lang)
    assert [c for c, _ in commands] == list(texts.COMMANDS)
    assert set(own["commands"]) == set(english["commands"])
    assert all(0 < len(d) <= 256 for _, d in commands)


@pytest.mark.parametrize(
    ("code", "lang"), [("fr", "fr"), ("de-AT", "de"), ("zz-ZZ", "en"), (None, "en"), ("PL", "pl")]
)
def test_language_from_telegram_language_code(code, lang):
    assert texts.pick_language(code) == lang


def test_inline_description_is_short(corpus):
    for card in corpus.networks:
        assert isinstance(card, NetworkCard)
        assert len(fmt.inline_description(card, TODAY)) <= 200


def test_about_message_is_valid():
    import datetime as dt

    from urbact_assistant import About

    text = valid(fmt.about_message(About(130, 30, dt.date(2026, 11, 27), False, TODAY)))
    assert "130 URBACT network cards" in text and "/forget" in text
