"""Telegram rendering as pure functions: HTML messages and the keyboards that go with them.

Nothing here imports ``telegram``. Every dynamic string is escaped here, every label comes from
the UI texts in the user's language, and every message part is kept under Telegram's
4096-character limit (measured in UTF-16 code units, on the HTML itself, which is never shorter
than the text Telegram counts after parsing the entities).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable, Sequence

from urbact_assistant import (
    About,
    Answer,
    AnyCard,
    Calls,
    NetworkCard,
    ProgrammePage,
    phrases,
)
from urbact_assistant.adapters.telegram.keyboards import (
    TYPE_CODES,
    TYPE_SHORT,
    BrowseFilter,
    Button,
    Keyboard,
    card_buttons,
    language_data,
    rows,
    shorten,
)
from urbact_assistant.adapters.telegram.texts import text

LIMIT = 4096
PER_PAGE = 8

# --- escaping and measuring --------------------------------------------------------------


def esc(text: object) -> str:
    """Escape text for Telegram HTML (``&``, ``<``, ``>``; quotes too, for attributes)."""
    return html.escape(str(text), quote=True)


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def safe_url(url: str) -> str | None:
    """An http(s) URL with unsafe characters percent-encoded; None for anything else."""
    from urllib.parse import quote

    url = url.strip()
    if not url.startswith(("http://", "https://")):
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def link(url: str, label: str) -> str:
    """``<a href>`` with both parts escaped; just the label when the URL is not http(s)."""
    href = safe_url(url)
    return f'<a href="{esc(href)}">{esc(label)}</a>' if href else esc(label)


# --- answers -----------------------------------------------------------------------------


def _render_block(plain: str) -> str:
    """A paragraph of answer text as HTML: escaped, ``- `` list lines as bullets."""
    lines = []
    for line in plain.split("\n"):
        stripped = line.strip()
        if stripped.startswith("- "):
            lines.append("• " + esc(stripped[2:]))
        else:
            lines.append(esc(line.rstrip()))
    return "\n".join(lines)


def fit(plain: str, render: Callable[[str], str], limit: int = LIMIT) -> list[str]:
    """``render(plain)`` cut into pieces of at most ``limit``: by lines, then words, then chars."""
    if not plain.strip():
        return []
    whole = render(plain)
    if tg_len(whole) <= limit:
        return [whole]
    separator = next((s for s in ("\n", " ") if s in plain.strip()), "")
    units = plain.strip().split(separator) if separator else list(plain)
    out: list[str] = []
    current: str | None = None
    for unit in units:
        candidate = unit if current is None else f"{current}{separator}{unit}"
        if tg_len(render(candidate)) <= limit:
            current = candidate
            continue
        if current is not None and current.strip():
            out.append(render(current))
        if tg_len(render(unit)) <= limit:
            current = unit
        else:  # one unit alone is too long: cut it further
            out.extend(fit(unit, render, limit))
            current = None
    if current is not None and current.strip():
        out.append(render(current))
    return out


def pack(blocks: Iterable[str], limit: int = LIMIT, sep: str = "\n\n") -> list[str]:
    """Join rendered blocks with ``sep`` into as few parts as fit under ``limit`` each."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{sep}{block}" if current else block
        if tg_len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = block[:limit]  # blocks are made to fit; a line is far below the limit
    if current:
        parts.append(current)
    return parts


def answer_blocks(answer: Answer, lang: str = "en", limit: int = LIMIT) -> list[str]:
    """The answer's paragraphs, note and sources as HTML blocks, each under ``limit``."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", answer.text.strip()):
        blocks += fit(paragraph, _render_block, limit)
    if answer.note:  # the LLM could not be used: said in plain words, not the technical reason
        blocks += fit(text(lang, "llm_unavailable"), lambda s: f"<i>{esc(s)}</i>", limit)
    if answer.citations:
        lines = [f"<b>{esc(text(lang, 'sources'))}</b>"]
        lines += [f"[{c.n}] {link(c.url, c.name)}" for c in answer.citations]
        blocks += pack_lines(lines, limit)
    return blocks


def pack_lines(lines: Sequence[str], limit: int) -> list[str]:
    """Rendered lines joined by newlines into blocks under ``limit``."""
    return pack(lines, limit, sep="\n")


def answer_parts(answer: Answer, lang: str = "en", limit: int = LIMIT) -> list[str]:
    """The answer as HTML messages, split at paragraph boundaries, each under ``limit``."""
    return pack(answer_blocks(answer, lang, limit), limit) or [esc(answer.text or "…")]


def streaming_text(partial: str, limit: int = LIMIT - 96) -> str:
    """A streamed answer so far, escaped, with its tail kept when it is too long."""
    body = esc(partial.strip() or "…")
    if tg_len(body) <= limit:
        return body + " ▍"
    plain = partial.strip()
    while plain and tg_len(esc(plain)) > limit - 2:
        plain = plain[len(plain) // 10 or 1 :]
    return "…" + esc(plain) + " ▍"


# --- cards -------------------------------------------------------------------------------


def status_label(card: NetworkCard, today: dt.date, lang: str) -> str:
    return text(lang, f"status.{card.status(today)}")


def period_and_status(card: NetworkCard, today: dt.date, lang: str) -> str:
    """``Jun 2023 – Dec 2025, ended`` (the status in the user's language)."""
    period, status = card.period(), status_label(card, today, lang)
    return f"{period}, {status}" if period else status


def summary(body: str, limit: int = 900) -> str:
    """The body's first paragraph, without Markdown emphasis, cut to ``limit`` characters."""
    first = re.split(r"\n\s*\n", body.strip(), maxsplit=1)[0]
    first = re.sub(r"\*\*|__|`", "", first)
    first = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", first)  # Markdown links: keep the label
    return shorten(first, limit)


def network_card(card: NetworkCard, today: dt.date, lang: str = "en", limit: int = LIMIT) -> str:
    """A network's card: type, period and status as of today, partners, themes, summary."""
    source = link(card.url, text(lang, "label.source"))
    for summary_limit, partners_limit in ((900, 40), (400, 15), (150, 5)):
        lines = [f"<b>{esc(card.name)}</b>", esc(f"{card.type_label} · {card.programme}")]
        period = card.period()
        status = status_label(card, today, lang)
        lines.append(f"📅 {esc(period + ', ' if period else '')}<b>{esc(status)}</b>")
        if card.lead_partner:
            lines.append(f"{text(lang, 'label.lead_partner')}: {esc(card.lead_partner.label())}")
        if card.partners:
            shown = [p.label() for p in card.partners[:partners_limit]]
            more = len(card.partners) - len(shown)
            tail = " " + text(lang, "and_more", n=more) if more > 0 else ""
            lines.append(f"{text(lang, 'label.partners')}: {esc(', '.join(shown))}{tail}")
        if card.themes:
            lines.append(f"{text(lang, 'label.themes')}: <i>{esc(', '.join(card.themes))}</i>")
        lines += ["", esc(summary(card.body, summary_limit)), "", source]
        rendered = "\n".join(lines)
        if tg_len(rendered) <= limit:
            return rendered
    return f"<b>{esc(shorten(card.name, 200))}</b>\n{source}"


def call_line(page: ProgrammePage, today: dt.date, lang: str = "en") -> str:
    """``Call for … (17 March 2026 – 17 June 2026; open now)`` in HTML."""
    dates = page.dates_text()
    state = text(lang, f"call.{page.call_status(today)}")
    details = "; ".join(x for x in (dates, state) if x)
    head = f"<b>{esc(page.title)}</b>"
    return f"{head} ({esc(details)})" if details else head


def page_card(page: ProgrammePage, today: dt.date, lang: str = "en", limit: int = LIMIT) -> str:
    """A programme page's card: title, call dates and state as of today, summary, source."""
    head = call_line(page, today, lang) if page.kind == "call" else f"<b>{esc(page.title)}</b>"
    source = link(page.url, text(lang, "label.source"))
    for summary_limit in (1500, 600, 150):
        rendered = "\n".join([head, "", esc(summary(page.body, summary_limit)), "", source])
        if tg_len(rendered) <= limit:
            return rendered
    return head[:200]


def card_html(card: AnyCard, today: dt.date, lang: str = "en") -> str:
    if isinstance(card, NetworkCard):
        return network_card(card, today, lang)
    return page_card(card, today, lang)


def card_keyboard(card: AnyCard, similar: Sequence[NetworkCard] = (), lang: str = "en") -> Keyboard:
    """Buttons for similar networks (≈ Name), then a link to the card's source."""
    keyboard = rows(card_buttons(((c.slug, c.name) for c in similar), prefix="≈ "), 2)
    if url := safe_url(card.url):
        label = "urbact.eu ↗" if "urbact.eu" in card.url else text(lang, "label.source") + " ↗"
        keyboard.append([Button(label, url=url)])
    return keyboard


def inline_description(card: NetworkCard, today: dt.date, lang: str = "en") -> str:
    """One line under an inline result's title: period and status, then what it is about."""
    return shorten(f"{period_and_status(card, today, lang)} · {card.first_sentence}", 200)


# --- lists -------------------------------------------------------------------------------


def describe(filters: BrowseFilter, lang: str = "en") -> str:
    """The filters in one line: “topic” · country · status · type."""
    parts = [f"“{filters.topic}”" if filters.topic else ""]
    parts.append(phrases.country(filters.country, lang) if filters.country else "")
    found = filters.network_filter()
    parts.append(text(lang, f"status.{found.status}") if found.status else "")
    parts.append(text(lang, f"type.{found.type}") if found.type else "")
    return " · ".join(p for p in parts if p)


def browse_page(
    cards: Sequence[NetworkCard],
    filters: BrowseFilter,
    page: int,
    today: dt.date,
    lang: str = "en",
    per_page: int = PER_PAGE,
    type_counts: dict[str, int] | None = None,
) -> tuple[str, Keyboard]:
    """One page of a network list: a numbered list, card buttons, paging and filter buttons
    (a type button for each type that has cards, with its count)."""
    pages = max(1, -(-len(cards) // per_page))
    page = min(max(0, page), pages - 1)
    shown = cards[page * per_page : (page + 1) * per_page]
    title = f"<b>{esc(text(lang, 'networks'))}</b>"
    if described := describe(filters, lang):
        title += f" · {esc(described)}"
    lines = [f"{title} ({len(cards)})"]
    if not cards:
        lines.append(text(lang, "no_results"))
    for i, card in enumerate(shown, start=page * per_page + 1):
        lines.append(
            f"{i}. <b>{esc(card.name)}</b>: {esc(shorten(card.first_sentence, 160))} "
            f"<i>({esc(period_and_status(card, today, lang))})</i>"
        )
    if pages > 1:
        lines.append(f"<i>{page + 1}/{pages}</i>")
    keyboard = rows(card_buttons((c.slug, c.name) for c in shown), 2)
    keyboard += _paging(page, pages, filters.encode)
    keyboard.append(_status_row(filters, lang))
    keyboard += _type_rows(filters, lang, type_counts or {})
    keyboard.append(_country_row(filters, lang))
    return "\n".join(pack_lines(lines, LIMIT)[:1]), keyboard


def _country_row(filters: BrowseFilter, lang: str) -> list[Button]:
    """ "🌍 Countries" opens the picker; with a country chosen, its name (tap to change)
    and "all" to drop it."""
    if not filters.country:
        return [Button(f"🌍 {text(lang, 'countries')}", data=filters.countries_data(0))]
    name = f"✓ {phrases.country(filters.country, lang)}"
    return [
        Button(shorten(name, 40), data=filters.countries_data(0)),
        Button(f"🌍 {text(lang, 'all')}", data=filters.with_(country="").encode(0)),
    ]


COUNTRIES_PER_PAGE = 24


def country_picker(
    countries: dict[str, int], filters: BrowseFilter, page: int, lang: str
) -> tuple[str, Keyboard]:
    """The countries that have networks, named in the user's language and sorted as its
    readers would look for them, with how many networks; three per row, paged."""
    named = sorted(
        ((phrases.country(code, lang), code, n) for code, n in countries.items()),
        key=lambda item: phrases.sort_key(item[0]),
    )
    pages = max(1, -(-len(named) // COUNTRIES_PER_PAGE))
    page = min(max(0, page), pages - 1)
    shown = named[page * COUNTRIES_PER_PAGE : (page + 1) * COUNTRIES_PER_PAGE]
    buttons = [
        Button(shorten(f"{name} ({n})", 40), data=filters.with_(country=code).encode(0))
        for name, code, n in shown
    ]
    keyboard = rows(buttons, 3) + _paging(page, pages, filters.countries_data)
    keyboard.append([Button(f"↩ {text(lang, 'all')}", data=filters.with_(country="").encode(0))])
    title = f"<b>{esc(text(lang, 'networks'))}</b>"
    if described := describe(filters, lang):
        title += f" · {esc(described)}"
    lines = [title, esc(text(lang, "choose_country"))]
    if pages > 1:
        lines.append(f"<i>{page + 1}/{pages}</i>")
    return "\n".join(lines), keyboard


def language_picker(languages: Sequence[str], current: str, lang: str) -> tuple[str, Keyboard]:
    """``/language``: every UI language, named in itself, the current one ticked."""
    buttons = [
        Button(("✓ " if code == current else "") + phrases.language_name(code, code),
               data=language_data(code))
        for code in languages
    ]  # fmt: skip
    return esc(text(lang, "language_choose")), rows(buttons, 3)


def _paging(page: int, pages: int, data: Callable[[int], str]) -> Keyboard:
    """A row with ◀ and ▶ to the previous and next page, when there are such pages."""
    nav = [Button("◀", data=data(page - 1))] if page > 0 else []
    nav += [Button("▶", data=data(page + 1))] if page < pages - 1 else []
    return [nav] if nav else []


def _status_row(filters: BrowseFilter, lang: str) -> list[Button]:
    options = [("o", text(lang, "status.ongoing")), ("e", text(lang, "status.ended"))]
    options.append(("", f"{text(lang, 'label.status')}: {text(lang, 'all')}"))
    return [
        Button(
            ("✓ " if filters.status == code else "") + label,
            data=filters.with_(status=code).encode(0),
        )
        for code, label in options
    ]


def _type_rows(filters: BrowseFilter, lang: str, counts: dict[str, int]) -> Keyboard:
    """One button per network type that has cards, named in the user's language, with how
    many ("Réseau de transfert (50)"); then "all". Two per row."""
    codes = {full: code for code, full in TYPE_CODES.items()}
    options = [
        (codes[kind], f"{text(lang, f'type.{kind}')} ({n})")
        for kind, n in counts.items()
        if kind in codes
    ] or [(code, TYPE_SHORT[code]) for code in ("ap", "t", "it")]
    options.append(("", f"{text(lang, 'label.type')}: {text(lang, 'all')}"))
    buttons = [
        Button(
            ("✓ " if filters.type == code else "") + label, data=filters.with_(type=code).encode(0)
        )
        for code, label in options
    ]
    return rows(buttons, 2)


def more_message(cards: Sequence[NetworkCard], today: dt.date, lang: str) -> tuple[str, Keyboard]:
    """The networks behind an answer's "N more": one line each, a button per card."""
    lines = [
        f"• <b>{esc(card.name)}</b> — {esc(period_and_status(card, today, lang))}" for card in cards
    ]
    message = pack(pack_lines(lines, LIMIT))[0] if lines else esc(text(lang, "no_results"))
    return message, rows(card_buttons((c.slug, c.name) for c in cards), 2)


def join_message(
    calls: Calls, lang: str = "en", points: Sequence[ProgrammePage] = ()
) -> tuple[str, Keyboard]:
    """``/join``: open and upcoming calls first, the latest closed ones, then how to take
    part, and buttons to the user's National URBACT Point (``points``)."""
    lines = [f"<b>{esc(text(lang, 'calls.title'))}</b>"]
    last = calls.past[0] if calls.past else None
    if not calls.live and last is not None and last.closes is not None:
        closed = phrases.date(last.closes, lang)
        lines.append(text(lang, "calls.none_open_last", title=last.title, date=closed))
    elif not calls.live:
        lines.append(f"<i>{esc(text(lang, 'calls.none_live'))}</i>")
    for call in [*calls.live, *calls.past]:
        lines.append(f"• {call_line(call, calls.today, lang)} {link(call.url, '↗')}")
    how = calls.how_to_join
    if how:
        lines += ["", f"<b>{esc(how.title)}</b>", esc(summary(how.body, 1200))]
    if points:
        lines += ["", f"<b>{esc(text(lang, 'calls.your_nup'))}</b>"]
        lines += [f"• {link(p.url, p.title)}" for p in points]
    message = pack(pack_lines(lines, LIMIT))[0]
    shown = [*calls.live, *calls.past] + ([how] if how else [])
    keyboard = rows(card_buttons((c.slug, c.title) for c in shown), 2)
    keyboard += rows(card_buttons(((p.slug, p.title) for p in points), "📍 "), 1)
    return message, keyboard


def with_command(help_html: str, command: str, commands: Sequence[tuple[str, str]]) -> str:
    """The help text with a line for ``command`` (its menu description) before ``/forget``,
    when the text does not list it yet."""
    if f"/{command} " in help_html:
        return help_html
    line = f"/{command} {esc(dict(commands).get(command, ''))}".rstrip()
    lines = help_html.split("\n")
    at = next((i for i, ln in enumerate(lines) if ln.startswith("/forget")), len(lines))
    return "\n".join([*lines[:at], line, *lines[at:]])


def about_message(about: About, lang: str = "en") -> str:
    """``/about``: where answers come from, how fresh the data is, what is stored."""
    checked = about.checked.isoformat() if about.checked else text(lang, "unknown")
    home = '<a href="https://urbact.eu">urbact.eu</a>'
    corpus = text(lang, "about.corpus", networks=about.networks, pages=about.pages, link="{link}")
    return "\n".join(
        [
            f"<b>{esc(text(lang, 'about.title'))}</b>",
            corpus.replace("{link}", home),
            text(lang, "about.fresh", checked=checked, today=about.today.isoformat()),
            text(lang, "about.mode_llm" if about.llm else "about.mode_offline"),
            "",
            f"<b>{esc(text(lang, 'about.privacy_title'))}</b>",
            text(lang, "about.privacy"),
        ]
    )
