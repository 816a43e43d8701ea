"""Benchmark: does each start-up cache pay? Each load runs in a fresh process, with and
without its cache, interleaved so that a noisy moment hits both; medians and ratios printed.

Run: python benchmarks/caches.py [--runs 5]

- the embedding model (USE): built from the package's files vs loaded from the tokenizer and
  weight snapshots in the data dir;
- the knowledge (parsed corpus, entity and language tables, BM25): built vs loaded from its
  snapshot.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

USE = """
import time, sys
from pathlib import Path
from urbact_assistant.search.use_model import load_use
t = time.perf_counter()
model = load_use(1, Path(sys.argv[1]) if sys.argv[1] != "-" else None)
model.encode(["warm up"])
print(time.perf_counter() - t)
"""
KNOWLEDGE = """
import time, sys, os
from urbact_assistant import Settings, environment
from urbact_assistant.services import Knowledge
settings = Settings.from_env(environment())
t = time.perf_counter()
Knowledge.load(settings) if sys.argv[1] == "snapshot" else Knowledge.build(settings)
print(time.perf_counter() - t)
"""


def run(code: str, arg: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code, arg], env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "URBACT_DATA_DIR": data_dir}
        cache = os.path.join(data_dir, "cache")
        run(USE, cache, env)  # writes the model snapshots
        run(KNOWLEDGE, "snapshot", env)  # writes the knowledge snapshot
        times: dict[str, list[float]] = {k: [] for k in ("use", "use*", "kn", "kn*")}
        for _ in range(args.runs):
            times["use"].append(run(USE, "-", env))
            times["use*"].append(run(USE, cache, env))
            times["kn"].append(run(KNOWLEDGE, "build", env))
            times["kn*"].append(run(KNOWLEDGE, "snapshot", env))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"USE model, built from the package, median of {args.runs}: {med['use']:.2f} s")
    print(f"USE model, from its snapshots, median of {args.runs}:    {med['use*']:.2f} s")
    print(f"  snapshot / built: {med['use*'] / med['use']:.2f}")
    print(f"knowledge, built from the corpus, median of {args.runs}: {med['kn']:.2f} s")
    print(f"knowledge, from its snapshot, median of {args.runs}:     {med['kn*']:.2f} s")
    print(f"  snapshot / built: {med['kn*'] / med['kn']:.2f}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
