"""Parallel researchers overlap their model latency (the bench prints the exact ratio)."""

from __future__ import annotations

from bench.parallelism import measure


async def test_five_researchers_take_about_as_long_as_one() -> None:
    result = await measure()
    assert result["five_calls"] == 5 * result["one_calls"] == 20
    # The target is 1.02 on an idle machine (see bench/parallelism.py); CI machines are shared, so the
    # test asserts a loose bound that still fails if researchers ran one after another (ratio ~5).
    assert result["ratio"] < 1.25, result
