"""Reciprocal rank fusion: combine rankings whose scores are not comparable (BM25 vs cosine).

Each ranking contributes `weight / (k + rank)` (rank from 1) to every item it lists. A large `k`
flattens the curve so agreement between rankers matters more than any single top rank.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

DEFAULT_RRF_K = 60


def first_occurrences(keys: Sequence[Key]) -> list[Key]:
    """`keys` without repeats, keeping the best (earliest) position of each."""
    seen: set[Key] = set()
    unique: list[Key] = []
    for key in keys:
        if key not in seen:
            seen.add(key)
            unique.append(key)
    return unique


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Key]], *, k: int = DEFAULT_RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[Key, float]]:
    """Items of all rankings, best fused score first (ties keep first-seen order)."""
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[Key, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)
