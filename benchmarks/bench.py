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


# What a topic question cannot avoid importing: Chroma, its LangChain wrapper and LangChain's
# runnables (which import langsmith). Timed as its own process, interleaved with the `ask` runs.
FLOOR = "import chromadb, langchain_chroma; from langchain_core.runnables import RunnableLambda"


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def cli(*args: str, env: dict[str, str]) -> float:
    return timed([sys.executable, "-m", "urbact_assistant", *args], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold process runs (median)")
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds over the questions")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "URBACT_DATA_DIR": data_dir}
        full = cli("ingest", env=env)
        noop = cli("ingest", env=env)
        cli("ask", QUESTIONS[0], env=env)  # writes the snapshots a first `ask` leaves behind
        cold, named, floor, help_cold = [], [], [], []
        for _ in range(args.runs):  # interleaved, so that a noisy moment hits all four
            cold.append(cli("ask", QUESTIONS[0], env=env))
            named.append(cli("ask", QUESTIONS[4], env=env))
            floor.append(timed([sys.executable, "-c", FLOOR], env))
            help_cold.append(cli("--help", env=env))

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
    med = statistics.median
    print(f"cold `ask` process, topic question, median of {args.runs}: {med(cold):.2f} s")
    print(f"  runs: {', '.join(f'{t:.2f}' for t in cold)}")
    print(f"cold `ask` process, named network, median of {args.runs}: {med(named):.2f} s")
    print(f"import floor of a topic question (chromadb, langchain), median: {med(floor):.2f} s")
    print(f"  cold topic `ask` / import floor: {med(cold) / med(floor):.2f}")
    print(f"cold `--help` process, median of {args.runs}: {med(help_cold):.2f} s")
    print(f"open assistant in-process:              {opened:.2f} s")
    print(
        f"warm question, median / p95 (n={len(total)}):  {ms(statistics.median(total))} / {ms(percentile(total, 0.95))}"
    )
    print(
        f"  of which query embedding, median / p95:  {ms(statistics.median(embedding))} / {ms(percentile(embedding, 0.95))}"
    )


if __name__ == "__main__":
    main()
