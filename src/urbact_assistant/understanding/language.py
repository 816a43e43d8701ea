"""Which language a question is written in: one of the 24 EU languages or Ukrainian.

Names say nothing about the language ("Tartu", "Cities After Dark"), so the words of network
and city names and "URBACT" are set aside first; the rest is classified by py3langid (a
character n-gram model shipped inside its package) restricted to the supported languages.
When too little text is left, or the model is unsure, the caller's hint wins (the language the
conversation is in, or Telegram's ``language_code``), then English.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from urbact_assistant.core.text import fold, tokens

SUPPORTED = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
    "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv", "uk",
)  # fmt: skip
CYRILLIC = ("bg", "uk")
ENGLISH = {"network", "networks", "city", "cities", "town", "towns", "municipality", "in"}
LATIN = tuple(c for c in SUPPORTED if c not in (*CYRILLIC, "el"))
MIN_CONFIDENCE = 0.5  # below this (probabilities over the candidate languages), a hint wins
SURE = 0.9  # the n-gram model overrules telling words only this sure, on 3+ words
SHORT_CONFIDENCE = 0.6  # three words or fewer and no telling word: gibberish falls back
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_COMPOUND = re.compile(r"\w+(?:[-'’]\w+)*")
_NOT_WORDS = {"urbact", "ii", "iii", "iv"}  # "URBACT IV": not Polish "iv"
_LONGEST_NAME = 6  # words of the longest name taken whole
_ALNUM = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_LOCK = threading.Lock()
_MODELS: dict[tuple[str, ...], Any] = {}


def _classifier(languages: tuple[str, ...]) -> Any:
    with _LOCK:
        if languages not in _MODELS:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            model.set_languages(list(languages))
            _MODELS[languages] = model
        return _MODELS[languages]


def supported(code: str | None) -> str | None:
    """``code`` (``pt-br``, ``UK``) as a supported language, or None."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED else None


def own_words(question: str, names: Collection[str]) -> list[str]:
    """The question's words without those of known names (folded) and "URBACT" (and its "IV").
    A hyphened word goes whole when a part of it is a name's ("Remote-IT": "it" is not English
    here), and so does a name of several words ("Cities After Dark": "after" is not English)."""
    words: list[str] = []
    for chunk in _COMPOUND.findall(question):
        parts = _WORD.findall(chunk)
        if "-" in chunk and any(fold(w) in names for w in parts):
            continue
        for token in _ALNUM.findall(chunk):  # "CITI4UD", "2Nite": a name as a whole
            whole = fold(token) in names
            words.extend(
                [token] if whole else [w for w in _WORD.findall(token) if fold(w) not in _NOT_WORDS]
            )
    kept: list[str] = []
    i = 0
    while i < len(words):
        size = next(
            (n for n in range(_LONGEST_NAME, 1, -1)
             if i + n <= len(words) and fold(" ".join(words[i : i + n])) in names),
            1,
        )  # fmt: skip
        if size == 1 and fold(words[i]) not in names:
            kept.append(words[i])
        i += size
    return kept


@cache
def evidence() -> dict[str, frozenset[str]]:
    """Each language's telling words, folded: its stop words and its words for network, city
    and "in" (from its language file), less those that three or more languages share."""
    from urbact_assistant.understanding.lexicon import language_files, stop_words_of

    words: dict[str, set[str]] = {}
    for code, data in language_files().items():
        if code in SUPPORTED:
            own = set(stop_words_of(code))
            for kind in ("network", "city", "in"):
                own.update(fold(str(w)) for w in (data.get("words") or {}).get(kind) or ())
            for kind in ("greeting", "thanks"):  # "Bonjour", "Dzień dobry", "Danke!"
                for phrase_ in (data.get("stems") or {}).get(kind) or ():
                    own.update(fold(str(phrase_)).split())
            for kind, phrases_ in (data.get("stems") or {}).items():
                if kind.startswith("ask_"):  # "wie leidt", "qui pilotait": whole words only
                    own.update(
                        w
                        for p in phrases_ or ()
                        if " " in str(p).strip()
                        for w in fold(str(p)).split()
                        if len(w) >= 3
                    )
            if code == "en":  # en's file also pools other languages' words for network
                own = set(stop_words_of(code)) | ENGLISH | {"hello", "thanks", "thank", "hey"}
            words[code] = {w for w in own if len(w) > 1}
    shared = Counter(w for own in words.values() for w in own)
    return {code: frozenset(w for w in own if shared[w] < 3) for code, own in words.items()}


def _by_evidence(words: list[str], candidates: tuple[str, ...]) -> str | None:
    """The candidate with the most telling words in ``words`` (a tie broken by the n-gram
    model: "redes" is Spanish and Portuguese), or None when no word tells."""
    folded = [fold(w) for w in words]
    table = evidence()
    scores = {c: sum(w in table.get(c, ()) for w in folded) for c in candidates}
    best = max(scores.values(), default=0)
    winners = [c for c, n in scores.items() if n == best]
    if not best:
        return None
    if len(winners) == 1:
        return winners[0]
    ranked = [code for code, _ in _classifier(candidates).rank(" ".join(words))]
    return min(winners, key=ranked.index)


def place_languages(question: str, countries: Mapping[str, str]) -> frozenset[str]:
    """The official languages of the places ``question`` names (``countries``: folded place
    name → country code): "Zit Leeuwarden in COMITY?" names a Dutch city."""
    from babel.languages import get_official_languages

    said = f" {' '.join(tokens(question))} "
    codes = {code for key, code in countries.items() if f" {key} " in said}
    return frozenset(lang for c in codes for lang in get_official_languages(c, de_facto=True))


def detect(
    question: str,
    names: Collection[str] = (),
    hint: str | None = None,
    places: Collection[str] = (),
) -> str:
    """The language of ``question``; ``names`` are folded words of network and city names,
    ``places`` the languages of the places it names (see ``place_languages``).

    Telling words (stop words, the words for network and city) decide when they point to one
    language, unless the n-gram model is sure of another on a longer text; otherwise the model
    decides when there is enough text, else the hint. With few words of its own, the model's
    guess stands when it is a language of a place named ("Er Faaborg-Midtfyn med i …?")."""
    fallback = supported(hint) or "en"
    words = own_words(question, names)
    text = " ".join(words)
    if re.search(r"[\u0370-\u03ff]", text):
        return "el"
    if re.search(r"[\u0400-\u04ff]", text):
        if re.search(r"[іїєґІЇЄҐ]", text):
            return "uk"
        if re.search(r"[ъЪ]", text):
            return "bg"
        candidates: tuple[str, ...] = CYRILLIC
    else:
        candidates = LATIN
    told = _by_evidence(words, candidates)
    if len(words) < 2 or len(text) < 8:
        if not told and text and places:  # "Zit Leeuwarden in COMITY?"
            guess = str(_classifier(candidates).classify(text)[0])
            if guess in places:
                return guess
        if told or not text or text.isascii() or len(text) < 6:
            return told or (fallback if fallback in candidates else candidates[0])
        found, confidence = _classifier(candidates).classify(text)  # "bezdomność"
        return str(found) if confidence >= SURE else fallback
    found, confidence = _classifier(candidates).classify(text)
    if supported(hint) in candidates and len(words) <= 4 and found != fallback:
        ranked = [code for code, _ in _classifier(candidates).rank(text)]
        # A short turn of a conversation keeps its language, unless its own telling words
        # and the model agree on another ("Is Remote-IT still running?" after Swedish).
        switched = told is not None and told == found and confidence >= SHORT_CONFIDENCE
        if (fallback in ranked[:3] and not switched) or told == fallback:
            return fallback
    if told and told != found and found in places and told not in places:
        return str(found)  # "¿Participa Silla en CityLake?": Finnish "sillä" is a Spanish town
    if told and told != found and not (confidence >= SURE and len(words) >= 3):
        # One telling word does not move a conversation out of its language when the model
        # agrees with the conversation ("e Rodi ne fa parte?": Swedish "få" is Italian "fa").
        single = sum(fold(w) in evidence().get(told, ()) for w in words) == 1
        if not (single and found == supported(hint) and confidence >= MIN_CONFIDENCE):
            return told
    needed = MIN_CONFIDENCE if len(words) > 3 else SHORT_CONFIDENCE  # a few words
    if confidence < needed and not told and fallback in candidates:
        if found in places:
            return str(found)
        return fallback  # gibberish or a mix: the hint, else English
    return str(found)
