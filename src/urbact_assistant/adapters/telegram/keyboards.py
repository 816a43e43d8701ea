"""Inline keyboards and callback data of the bot, as pure values.

Nothing here imports ``telegram``: keyboards are rows of ``Button`` values that the bot turns
into inline keyboard markup. Callback data stays under Telegram's 64 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from urbact_assistant import Answer, NetworkFilter

CALLBACK_LIMIT = 64
SLUG_LIMIT = 40
LABEL_LIMIT = 40
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(",;:") + "…"


@dataclass(frozen=True)
class Button:
    """An inline keyboard button: ``data`` (callback data) or ``url``."""

    label: str
    data: str | None = None
    url: str | None = None


Keyboard = list[list[Button]]


def _checked(data: str) -> str:
    if not 0 < len(data.encode("utf-8")) <= CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def is_slug(slug: str) -> bool:
    return len(slug) <= SLUG_LIMIT and bool(_SLUG.match(slug))


def card_data(slug: str) -> str:
    """``c:<slug>``: open a card. Raises ValueError for a slug that is not a short slug."""
    if not is_slug(slug):
        raise ValueError(f"not a slug of at most {SLUG_LIMIT} characters: {slug!r}")
    return _checked(f"c:{slug}")


def feedback_data(answer_id: int, up: bool) -> str:
    """``f:<answer id>:u`` or ``f:<answer id>:d``: 👍 or 👎 on one answer."""
    return _checked(f"f:{int(answer_id)}:{'u' if up else 'd'}")


STATUS_CODES = {"o": "ongoing", "e": "ended", "u": "upcoming"}
TYPE_CODES = {
    "ap": "action-planning",
    "t": "transfer",
    "it": "innovation-transfer",
    "a": "action",
    "i": "implementation",
    "th": "thematic",
    "p": "pilot",
}
TYPE_SHORT = {
    "ap": "APN",
    "t": "TN",
    "it": "ITN",
    "a": "AN",
    "i": "IN",
    "th": "TN II",
    "p": "Pilot",
}


@dataclass(frozen=True)
class BrowseFilter:
    """The filters of a ``/networks`` list; empty strings mean "any"."""

    status: str = ""  # a key of STATUS_CODES
    type: str = ""  # a key of TYPE_CODES
    country: str = ""  # ISO alpha-2
    topic: str = ""

    def encode(self, page: int) -> str:
        """``n:<page>:<status>:<type>:<country>:<topic>``, the topic cut to fit 64 bytes."""
        return self._with_topic(f"n:{max(0, page)}:{self.status}:{self.type}:{self.country}:")

    def countries_data(self, page: int) -> str:
        """``k:<page>:<status>:<type>:<topic>``: page ``page`` of the country picker for
        these filters (a country button then sets the country)."""
        return self._with_topic(f"k:{max(0, page)}:{self.status}:{self.type}:")

    def _with_topic(self, head: str) -> str:
        room = CALLBACK_LIMIT - len(head.encode("utf-8"))
        return _checked(head + self.topic.encode("utf-8")[:room].decode("utf-8", "ignore"))

    def with_(self, **changes: str) -> BrowseFilter:
        return replace(self, **changes)

    def network_filter(self) -> NetworkFilter:
        """The library's filter these codes stand for."""
        return NetworkFilter(
            STATUS_CODES.get(self.status, ""),
            TYPE_CODES.get(self.type, ""),
            self.country,
            self.topic,
        )

    @classmethod
    def of(cls, found: NetworkFilter) -> BrowseFilter:
        """The codes of a library filter (the topic cut to fit in callback data)."""
        return cls(
            _code(STATUS_CODES, found.status), _code(TYPE_CODES, found.type), found.country,
            shorten(found.topic, 40),
        )  # fmt: skip


def _code(table: dict[str, str], value: str) -> str:
    return next((code for code, full in table.items() if full == value), "")


@dataclass(frozen=True)
class Callback:
    """Decoded callback data."""

    kind: str  # "card", "feedback", "more", "example", "browse", "countries" or "language"
    slug: str = ""  # a card's slug, or a language code
    answer_id: int = 0
    up: bool = False
    page: int = 0
    filters: BrowseFilter = BrowseFilter()


def parse_callback(data: str | None) -> Callback | None:
    """The action behind callback data, or None when it is not ours or malformed."""
    if not data or len(data.encode("utf-8")) > CALLBACK_LIMIT:
        return None
    prefix, _, rest = data.partition(":")
    if prefix == "c" and is_slug(rest):
        return Callback("card", slug=rest)
    if prefix == "m" and rest.isdigit():
        return Callback("more", answer_id=int(rest))
    if prefix == "x" and rest in ("1", "2", "3"):
        return Callback("example", page=int(rest))
    if prefix == "f":
        number, _, vote = rest.partition(":")
        if number.isdigit() and vote in ("u", "d"):
            return Callback("feedback", answer_id=int(number), up=vote == "u")
        return None
    if prefix == "l" and re.fullmatch(r"[a-z]{2}", rest):
        return Callback("language", slug=rest)
    if prefix == "k":
        fields = rest.split(":", 3)
        if len(fields) != 4 or not fields[0].isdigit():
            return None
        page, status, type_, topic = fields
        if status not in ("", *STATUS_CODES) or type_ not in ("", *TYPE_CODES):
            return None
        return Callback("countries", page=int(page), filters=BrowseFilter(status, type_, "", topic))
    if prefix == "n":
        fields = rest.split(":", 4)
        if len(fields) != 5 or not fields[0].isdigit():
            return None
        page, status, type_, country, topic = fields
        if status not in ("", *STATUS_CODES) or type_ not in ("", *TYPE_CODES):
            return None
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            return None
        return Callback(
            "browse", page=int(page), filters=BrowseFilter(status, type_, country, topic)
        )
    return None


def _label(text: str) -> str:
    return shorten(text, LABEL_LIMIT)


def card_buttons(slugs_and_names: Iterable[tuple[str, str]], prefix: str = "") -> list[Button]:
    """One ``c:<slug>`` button per card; cards whose slug cannot be encoded are skipped."""
    buttons = []
    for slug, name in slugs_and_names:
        if is_slug(slug):
            buttons.append(Button(_label(f"{prefix}{name}"), data=card_data(slug)))
    return buttons


def rows(buttons: Sequence[Button], width: int) -> Keyboard:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def example_keyboard(examples: Sequence[str]) -> Keyboard:
    """One button per example question (``x:<n>``: ask example n in the user's language)."""
    return [[Button(_label(e), data=_checked(f"x:{i}"))] for i, e in enumerate(examples, start=1)]


def language_data(code: str) -> str:
    """``l:<code>``: use this language in the chat."""
    return _checked(f"l:{code}")


def more_data(answer_id: int) -> str:
    """``m:<answer id>``: show the networks behind an answer's "N more"."""
    return _checked(f"m:{int(answer_id)}")


def answer_keyboard(
    answer: Answer, answer_id: int | None, more_label: str = "", max_cards: int = 8
) -> Keyboard:
    """One button per card the text cites (opens it in the chat), "show N more" when the
    answer covers more networks than it shows, then 👍/👎."""
    shown = len(answer.citations) if answer.shown is None else answer.shown
    cited = [(c.slug, f"[{c.n}] {c.name}") for c in answer.citations[: min(shown, max_cards)]]
    keyboard = rows(card_buttons(cited), 2)
    if answer_id is not None and shown < len(answer.citations) and more_label:
        keyboard.append([Button(more_label, data=more_data(answer_id))])
    if answer_id is not None:
        keyboard.append(
            [
                Button("👍", data=feedback_data(answer_id, True)),
                Button("👎", data=feedback_data(answer_id, False)),
            ]
        )
    return keyboard
