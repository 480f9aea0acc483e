"""Parallel researchers: wall time of 5 researchers vs 1, each making 4 model calls of 0.5 s.

Each researcher searches three times (each search's results read in the same step) and then calls
`finish` with its findings: 4 model calls.

Runs the whole research graph with scripted models (only the researcher role sleeps) and scripted tools,
and prints the 5 ÷ 1 wall ratio and wall ÷ critical path. Usage: `python -m bench.parallelism`.
"""

from __future__ import annotations

import asyncio

from bench.scripted_run import timed_run
from deepresearch.config import ROLES, load_config
from tests.scripted_model import ScriptedChatModel
from tests.scripts import ResearchResponder, scripted_services

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


async def measure() -> dict[str, float]:
    await wall_time(1, 0.0)  # warm imports and caches
    one, one_run, one_calls = await wall_time(1)
    five, five_run, five_calls = await wall_time(5)
    critical_path = CALLS_PER_RESEARCHER * LATENCY_S
    return {
        "one_s": one,
        "five_s": five,
        "ratio": five / one,
        "five_over_critical_path": five / critical_path,
        "one_run_s": one_run,
        "five_run_s": five_run,
        "run_ratio": five_run / one_run,
        "one_calls": one_calls,
        "five_calls": five_calls,
    }


def main() -> None:
    result = asyncio.run(measure())
    print(f"research phase, 1 researcher: {result['one_s']:.3f} s ({result['one_calls']:.0f} model calls)")
    print(f"research phase, 5 researchers: {result['five_s']:.3f} s ({result['five_calls']:.0f} model calls)")
    print(f"5 / 1 researcher wall ratio: {result['ratio']:.4f}")
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
