"""Parallel researchers: wall time of 5 researchers vs 1, each making 4 model calls of 0.5 s.

Each researcher searches three times (each search's results read in the same step) and then calls
`finish` with its findings: 4 model calls.

Runs the whole research graph with scripted models (only the researcher role sleeps) and scripted tools,
and prints the 5 ÷ 1 wall ratio and wall ÷ critical path. Usage: `python -m bench.parallelism`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from bench.scripted_run import load_average, timed_run
from deepresearch.config import ROLES, load_config
from deepresearch.testing import ResearchResponder, ScriptedChatModel, scripted_services

LATENCY_S = 0.5
CALLS_PER_RESEARCHER = 4


async def wall_time(researchers: int, latency_s: float = LATENCY_S) -> tuple[float, float, int]:
    """Seconds for the research phase (fan-out to the last researcher done) and for the whole run, with
    `researchers` parallel researchers, plus the researcher model call count."""
    responder = ResearchResponder(tasks=researchers, dangling_first_draft=False, searches=CALLS_PER_RESEARCHER - 1)
    quick = ScriptedChatModel(responder=responder)
    slow = ScriptedChatModel(responder=responder, latency_s=latency_s)
    models: dict[str, ScriptedChatModel] = {role: quick for role in ROLES}
    models["researcher"] = slow
    config = load_config(clarify=False, max_agents=max(researchers, 1), depth="deep")
    run = await timed_run(config, scripted_services(), models, run_id=f"bench{researchers}")
    assert run.has_cited_report(), "no cited report"
    return run.phase_wall_s(), run.wall_s, len(slow.calls)


async def measure(repeats: int = 1) -> dict[str, float]:
    """Runs 1 and 5 researchers `repeats` times each, alternating, so that other load on the machine
    falls on both alike; figures are medians, and the ratio's range is kept."""
    await wall_time(1, 0.0)  # warm imports and caches
    ones, fives, ratios = [], [], []
    for _ in range(repeats):
        one, one_run, one_calls = await wall_time(1)
        five, five_run, five_calls = await wall_time(5)
        ones.append((one, one_run))
        fives.append((five, five_run))
        ratios.append(five / one)
    one, one_run = (statistics.median(x) for x in zip(*ones, strict=True))
    five, five_run = (statistics.median(x) for x in zip(*fives, strict=True))
    critical_path = CALLS_PER_RESEARCHER * LATENCY_S
    return {
        "one_s": one,
        "five_s": five,
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "five_over_critical_path": five / critical_path,
        "one_run_s": one_run,
        "five_run_s": five_run,
        "run_ratio": five_run / one_run,
        "one_calls": one_calls,
        "five_calls": five_calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each configuration (default 5)")
    repeats = parser.parse_args().repeats
    result = asyncio.run(measure(repeats))
    print(f"medians of {repeats} alternating runs each; load average {load_average()}")
    print(f"research phase, 1 researcher: {result['one_s']:.3f} s ({result['one_calls']:.0f} model calls)")
    print(f"research phase, 5 researchers: {result['five_s']:.3f} s ({result['five_calls']:.0f} model calls)")
    print(
        f"5 / 1 researcher wall ratio: {result['ratio']:.4f} "
        f"(range {result['ratio_min']:.4f} to {result['ratio_max']:.4f})"
    )
    print(
        f"whole run (rewrite → report), 1 vs 5: {result['one_run_s']:.3f} s vs {result['five_run_s']:.3f} s, "
        f"ratio {result['run_ratio']:.4f}"
    )
    print(
        f"5-researcher wall / critical path ({CALLS_PER_RESEARCHER} x {LATENCY_S} s): "
        f"{result['five_over_critical_path']:.4f}"
    )


if __name__ == "__main__":
    main()
