"""Benchmark: ingest time, cold `ask` process time, warm per-question latency.

Run: python benchmarks/bench.py [--runs 5]
Everything runs on the embedded default in a temporary data dir; figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

QUESTIONS = [
    "which networks tackle remote work?",
    "Quels réseaux travaillent sur le télétravail ?",
    "Welche Netzwerke arbeiten zur Kreislaufwirtschaft?",
    "is Tartu in a network?",
    "who leads GenProcure?",
    "how can my city join the next call?",
    "reti che lavorano sulla sicurezza urbana",
    "redes sobre alimentación escolar sostenible",
    "sieci miast o zamówieniach publicznych",
    "welke netwerken werken aan vergroening van steden?",
    "redes sobre habitação acessível",
    "ongoing networks in Poland",
    "can a Ukrainian city join a Transfer Network?",
    "what is the weather in Paris tomorrow?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cli(*args: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "urbact_assistant", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold process runs (median)")
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds over the questions")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "URBACT_DATA_DIR": data_dir}
        full = cli("ingest", env=env)
        noop = cli("ingest", env=env)
        cold = [cli("ask", QUESTIONS[0], env=env) for _ in range(args.runs)]
        help_cold = [cli("--help", env=env) for _ in range(args.runs)]

        os.environ["URBACT_DATA_DIR"] = data_dir
        from urbact_assistant.assistant import Assistant
        from urbact_assistant.config import Settings, environment

        t0 = time.perf_counter()
        assistant = Assistant.open(Settings.from_env(environment()))
        opened = time.perf_counter() - t0
        embed = assistant.services.embeddings.inner
        total, embedding = [], []
        for round_ in range(args.rounds):
            for q in QUESTIONS:
                question = q if round_ == 0 else f"{q} ({round_})"  # defeat the query cache
                t = time.perf_counter()
                embed.embed_query_array(question)
                embedding.append(time.perf_counter() - t)
                embed._queries.clear()
                t = time.perf_counter()
                assistant.ask(question)
                total.append(time.perf_counter() - t)
        cards = len(assistant.services.corpus.cards)

    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    print(f"corpus: {cards} cards")
    print(f"ingest, empty data dir (process):       {full:.1f} s")
    print(f"ingest, unchanged corpus (process):     {noop:.1f} s")
    print(f"cold `ask` process, median of {args.runs}:       {statistics.median(cold):.2f} s")
    print(f"cold `--help` process, median of {args.runs}:    {statistics.median(help_cold):.2f} s")
    print(f"open assistant in-process:              {opened:.2f} s")
    print(
        f"warm question, median / p95 (n={len(total)}):  {ms(statistics.median(total))} / {ms(percentile(total, 0.95))}"
    )
    print(
        f"  of which query embedding, median / p95:  {ms(statistics.median(embedding))} / {ms(percentile(embedding, 0.95))}"
    )


if __name__ == "__main__":
    main()
