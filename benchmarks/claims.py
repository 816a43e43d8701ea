"""Benchmark: how often the check of LLM answers (``answering/claims.py``) raises a false alarm
on true statements, and how many false ones it catches.

Run: python benchmarks/claims.py [--answers]

- statements written from every network card in the eight main languages, the way a model
  phrases them ("X is led by Y [1]", "Z est partenaire de X [1]", "X lief von … bis … [1]",
  "X (period) is <status> [1]"): true ones (each flag a false alarm) and false ones (another
  network's lead or a place of another network as lead or partner, a year four after the end,
  the wrong status), caught or not, per kind;
- every sentence of every network card's own text, cited as [1] to that card (true by
  definition, harder than answers: they name other networks and practices);
- with ``--answers``: the offline composer's answers to every question of ``tests/eval`` (true
  by construction, the answers' real formats), checked as if a model had written them (builds
  an index in a temporary data dir first).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from urbact_assistant.answering.claims import ClaimChecker, Places, cues_for
from urbact_assistant.config import Settings, default_corpus_dir
from urbact_assistant.core.phrases import date, join, period, status_word
from urbact_assistant.core.text import tokens
from urbact_assistant.knowledge.corpus import load_corpus
from urbact_assistant.understanding.questions import Entities

TODAY = dt.date(2026, 11, 27)
TRUE = {
    "en": ["{n} is led by {lead} [1].", "{leadp} leads {n} [1].", "The lead partner of {n} is {lead} [1].",
           "{n} brings together {partners} [1].", "Its partners are {partners} [1].",
           "{p1} is a partner of {n} [1].", "{n} ran from {start} to {end} [1].", "{n} ({period}) is {status} [1].",
           "{n}, led by {leadp}, runs until {end} [1].",
           "{n} is an URBACT network led by {leadp} with partners such as {p1} and {p2} [1]."],
    "fr": ["{n} est piloté par {lead} [1].", "Le chef de file de {n} est {lead} [1].", "{n} réunit {partners} [1].",
           "{p1} est partenaire de {n} [1].", "{n} s'est déroulé de {start} à {end} [1].",
           "{n} ({period}) est {status} [1].", "Piloté par {leadp}, {n} court jusqu'en {end} [1]."],
    "de": ["{n} wird von {lead} geleitet [1].", "Lead-Partner von {n} ist {lead} [1].",
           "Zu den Partnern von {n} gehören {partners} [1].", "{p1} ist Partner von {n} [1].",
           "{n} lief von {start} bis {end} [1].", "{n} ({period}) ist {status} [1].",
           "{leadp} leitet das Netzwerk {n} [1]."],
    "it": ["{n} è guidata da {lead} [1].", "Il capofila di {n} è {lead} [1].", "{n} riunisce {partners} [1].",
           "{p1} è partner di {n} [1].", "{n} si è svolta da {start} a {end} [1].", "{n} ({period}) è {status} [1]."],
    "es": ["{n} está liderada por {lead} [1].", "El socio principal de {n} es {lead} [1].",
           "{n} reúne a {partners} [1].", "{p1} es socio de {n} [1].", "{n} se desarrolló de {start} a {end} [1].",
           "{n} ({period}) está {status} [1]."],
    "pt": ["A {n} é liderada por {lead} [1].", "O parceiro principal da {n} é {lead} [1].",
           "A {n} reúne {partners} [1].", "{p1} é parceiro da {n} [1].", "A {n} decorreu de {start} a {end} [1].",
           "A {n} ({period}) está {status} [1]."],
    "nl": ["{n} wordt geleid door {lead} [1].", "De leadpartner van {n} is {lead} [1].",
           "{n} brengt {partners} samen [1].", "{p1} is partner van {n} [1].", "{n} liep van {start} tot {end} [1].",
           "{n} ({period}) is {status} [1]."],
    "pl": ["{n} jest prowadzona przez {lead} [1].", "Partnerem wiodącym {n} jest {lead} [1].",
           "{n} skupia {partners} [1].", "{p1} jest partnerem {n} [1].", "{n} trwała od {start} do {end} [1].",
           "{n} ({period}) jest {status} [1]."],
}  # fmt: skip
FALSE = {
    "en": {"lead": ["{n} is led by {x} [1].", "{x} leads {n} [1].", "The lead partner of {n} is {x} [1]."],
           "partner": ["Its partners are {p1} and {x} [1].", "{x} is a partner of {n} [1]."],
           "period": ["{n} runs until {late} [1].", "{n} ran from {early} to {late} [1]."],
           "status": ["{n} is {wrong} [1]."]},
    "fr": {"lead": ["{n} est piloté par {x} [1].", "Le chef de file de {n} est {x} [1]."],
           "partner": ["{n} réunit {p1} et {x} [1].", "{x} est partenaire de {n} [1]."],
           "period": ["{n} court jusqu'en {late} [1].", "{n} s'est déroulé de {early} à {late} [1]."],
           "status": ["{n} est {wrong} [1]."]},
    "de": {"lead": ["{n} wird von {x} geleitet [1].", "Lead-Partner von {n} ist {x} [1]."],
           "partner": ["Zu den Partnern von {n} gehören {p1} und {x} [1].", "{x} ist Partner von {n} [1]."],
           "period": ["{n} läuft bis {late} [1].", "{n} lief von {early} bis {late} [1]."],
           "status": ["{n} ist {wrong} [1]."]},
    "it": {"lead": ["{n} è guidata da {x} [1].", "Il capofila di {n} è {x} [1]."],
           "partner": ["{x} è partner di {n} [1]."], "period": ["{n} si è svolta da {early} a {late} [1]."],
           "status": ["{n} è {wrong} [1]."]},
    "es": {"lead": ["{n} está liderada por {x} [1].", "El socio principal de {n} es {x} [1]."],
           "partner": ["{x} es socio de {n} [1]."], "period": ["{n} dura hasta {late} [1]."],
           "status": ["{n} está {wrong} [1]."]},
    "pt": {"lead": ["A {n} é liderada por {x} [1]."], "partner": ["{x} é parceiro da {n} [1]."],
           "period": ["A {n} decorre até {late} [1]."], "status": ["A {n} está {wrong} [1]."]},
    "nl": {"lead": ["{n} wordt geleid door {x} [1]."], "partner": ["{x} is partner van {n} [1]."],
           "period": ["{n} loopt tot {late} [1]."], "status": ["{n} is {wrong} [1]."]},
    "pl": {"lead": ["{n} jest prowadzona przez {x} [1]."], "partner": ["{x} jest partnerem {n} [1]."],
           "period": ["{n} trwa do {late} [1]."], "status": ["{n} jest {wrong} [1]."]},
}  # fmt: skip
WRONG = {"ongoing": "ended", "ended": "ongoing", "upcoming": "ended"}


def generated(corpus, places: Places) -> None:
    rng = random.Random(7)
    nets = [n for n in corpus.networks if n.lead_partner]
    true = alarms = 0
    spent = 0.0
    caught: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for card in nets:
        assert card.lead_partner is not None
        status = card.status(TODAY)
        stranger = next(
            (
                o.lead_partner.place
                for o in rng.sample(nets, len(nets))
                if o.lead_partner
                and " ".join(tokens(o.lead_partner.place)) in places.entities.cities
                and not any(places.is_party(" ".join(tokens(o.lead_partner.place)), p) for p in card.members)
                and o.lead_partner.place.lower() not in card.body.lower()
            ),
            None,
        )  # fmt: skip
        for lang in TRUE:
            checker = ClaimChecker([card], TODAY, lang, places)
            first = card.partners[0].place if card.partners else card.lead_partner.place
            values = {
                "n": card.title, "lead": card.lead_partner.name, "leadp": card.lead_partner.place,
                "partners": join([p.name for p in card.partners[:6]], lang) or card.lead_partner.name,
                "p1": first, "p2": card.partners[-1].place if card.partners else first,
                "start": date(card.start, lang) if card.start else "",
                "end": date(card.end, lang) if card.end else "", "period": period(card, lang),
                "status": status_word(status, lang), "x": stranger,
                "late": card.end.year + 4 if card.end else "", "early": card.start.year - 6 if card.start else "",
                "wrong": status_word(WRONG[status], lang) if status in WRONG else "",
            }  # fmt: skip
            for template in TRUE[lang]:
                if ("{start}" in template or "{end}" in template) and not (card.start and card.end):
                    continue
                if "{status}" in template and status == "unknown":
                    continue
                start = time.perf_counter()
                alarms += bool(checker.check(template.format(**values)))
                spent += time.perf_counter() - start
                true += 1
            for kind, templates in FALSE[lang].items():
                if (
                    (kind in ("lead", "partner") and stranger is None)
                    or (kind == "partner" and (card.partners_incomplete or card.partners_unknown))
                    or (kind == "status" and status not in WRONG)
                    or (kind == "period" and not (card.start and card.end))
                ):
                    continue
                for template in templates:
                    total[kind] += 1
                    found = checker.check(template.format(**values))
                    caught[kind] += any(c.kind == kind for c in found)
    print(f"generated true statements: {true} in 8 languages, false alarms: {alarms} "
          f"({alarms / true:.2%}), {spent * 1000 / true:.2f} ms each")  # fmt: skip
    for kind in total:
        print(f"  false {kind} statements caught: {caught[kind]}/{total[kind]} "
              f"({caught[kind] / total[kind]:.1%})")  # fmt: skip
    everything = sum(total.values())
    print(f"  all false statements caught: {sum(caught.values())}/{everything} "
          f"({sum(caught.values()) / everything:.1%})")  # fmt: skip


def card_texts(corpus, places: Places) -> None:
    sentences = flagged = 0
    start = time.perf_counter()
    for card in corpus.networks:
        parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(card.body.split()))
        text = " ".join(p.rstrip(".") + " [1]." for p in parts)
        found = ClaimChecker([card], TODAY, "en", places).check(text)
        sentences += len(parts)
        flagged += len(found)
        for c in found:
            print(f"  {card.slug}: {c.reason()}")
    spent = (time.perf_counter() - start) * 1000 / len(corpus.networks)
    print(f"card texts: {sentences} sentences, false alarms: {flagged} "
          f"({flagged / sentences:.2%}), {spent:.2f} ms per card")  # fmt: skip


def offline_answers(places: Places) -> None:
    from urbact_assistant.assistant import Assistant

    with tempfile.TemporaryDirectory() as data:
        settings = Settings.from_env({"URBACT_DATA_DIR": data, "URBACT_TODAY": TODAY.isoformat()})
        assistant = Assistant.open(settings)
        cards = assistant._retriever.cards
        checked = alarms = 0
        spent = 0.0
        for path in sorted(Path("tests/eval").glob("*.jsonl")):
            if path.name.startswith("dialogues"):
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                answer = assistant.ask(json.loads(line)["question"])
                if not answer.citations or cues_for(answer.language) is None:
                    continue
                chosen = [cards[c.slug] for c in answer.citations]
                checker = ClaimChecker(chosen, TODAY, answer.language, places)
                start = time.perf_counter()
                found = checker.check(answer.text)
                spent += time.perf_counter() - start
                checked += 1
                alarms += bool(found)
                for c in found:
                    print(f"  {answer.question!r}: {c.reason()}")
        print(f"offline answers (8 main languages): {checked}, false alarms: {alarms}, "
              f"{spent * 1000 / checked:.2f} ms each")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", action="store_true", help="also the offline answers")
    args = parser.parse_args()
    corpus = load_corpus(default_corpus_dir(), TODAY)
    places = Places(Entities.from_corpus(corpus))
    generated(corpus, places)
    card_texts(corpus, places)
    if args.answers:
        offline_answers(places)


if __name__ == "__main__":
    sys.exit(main())
