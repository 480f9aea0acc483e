"""Local-corpus retrieval quality on a HotpotQA-format file: BM25 vs embeddings vs hybrid.

    python bench/retrieval.py --data ../shared/data/hotpotqa_dev_distractor_60.json [--sweep]

Every question's context paragraphs are pooled into ONE corpus (one document per title, the title
prepended for both BM25 and the embedding), indexed with the same `LocalCorpus` the agents search, and
each question's text is the query. Printed per mode: the share of questions with both gold paragraphs
(`supporting_facts` titles) in the top 5 / top 10, and per-paragraph recall@5 / @10 over all gold
paragraphs. `--sweep` also prints hybrid results for a grid of fusion settings (RRF k, weights), computed
from the same two rankings, to show how the defaults were chosen.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hotpotqa_data import Question, load  # noqa: E402
from memory.corpus import FusionSettings, LocalCorpus, RetrievalMode  # noqa: E402
from memory.fusion import reciprocal_rank_fusion  # noqa: E402

CUTOFFS = (5, 10)
POOL = 50


def score(rankings: list[list[str]], questions: list[Question]) -> dict[str, float]:
    result: dict[str, float] = {}
    gold_total = sum(len(q.gold_urls) for q in questions)
    for k in CUTOFFS:
        both = sum(q.gold_urls <= set(r[:k]) for q, r in zip(questions, rankings, strict=True))
        found = sum(len(q.gold_urls & set(r[:k])) for q, r in zip(questions, rankings, strict=True))
        result[f"both@{k}"] = both / len(questions)
        result[f"para@{k}"] = found / gold_total
    return result


def line(name: str, scores: dict[str, float]) -> str:
    cells = "  ".join(f"{key} {value:.3f}" for key, value in scores.items())
    return f"{name:<28}{cells}"


def rank_all(corpus: LocalCorpus, questions: list[Question], mode: RetrievalMode, limit: int) -> list[list[str]]:
    return [[r.url for r in corpus.search(q.text, limit=limit, mode=mode)] for q in questions]


def sweep(bm25: list[list[str]], dense: list[list[str]], questions: list[Question]) -> None:
    print("\nfusion sweep (hybrid, from the same top-50 rankings):")
    for k in (1, 5, 10, 20, 30, 60, 100):
        for bm25_weight in (0.5, 0.75, 1.0, 1.5):
            fused = [
                [url for url, _ in reciprocal_rank_fusion([b, d], k=k, weights=[bm25_weight, 1.0])]
                for b, d in zip(bm25, dense, strict=True)
            ]
            print(line(f"  rrf k={k:<3} bm25 w={bm25_weight:<4}", score(fused, questions)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a HotpotQA-format JSON file")
    parser.add_argument("--work-dir", type=Path, help="keep the index here (default: a temp dir)")
    parser.add_argument("--sweep", action="store_true", help="also print a grid of fusion settings")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    docs, questions = load(args.data)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = LocalCorpus("hotpotqa", args.work_dir or Path(scratch), fusion=FusionSettings())
        started = time.perf_counter()
        report = corpus.index(docs)
        print(
            f"{len(questions)} questions, {len(docs)} documents ({report.chunks} chunks embedded) "
            f"indexed in {time.perf_counter() - started:.1f} s"
        )
        print(f"fusion: {corpus.fusion}")
        rankings = {mode: rank_all(corpus, questions, mode, POOL) for mode in ("bm25", "embedding", "hybrid")}
        for mode, ranked in rankings.items():
            print(line(mode, score(ranked, questions)))
        if args.sweep:
            sweep(rankings["bm25"], rankings["embedding"], questions)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
