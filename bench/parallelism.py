"""Parallel researchers: wall time of 5 researchers vs 1, each making 4 model calls of 0.5 s.

Runs the whole research graph with scripted models (only the researcher role sleeps) and scripted tools,
and prints the 5 ÷ 1 wall ratio and wall ÷ critical path. Usage: `python -m bench.parallelism`.
"""

from __future__ import annotations

import asyncio
import time

from deepresearch.config import ROLES, load_config
from deepresearch.progress import Event
from graphs.context import build_context
from graphs.research import build_research_graph
from tests.scripted_model import ScriptedChatModel
from tests.scripts import ResearchResponder, scripted_services

LATENCY_S = 0.5
CALLS_PER_RESEARCHER = 4


async def wall_time(researchers: int, latency_s: float = LATENCY_S) -> tuple[float, float, int]:
    """Seconds for the research phase (fan-out to the last researcher done) and for the whole run, with
    `researchers` parallel researchers, plus the researcher model call count."""
    responder = ResearchResponder(tasks=researchers, dangling_first_draft=False)
    quick = ScriptedChatModel(responder=responder)
    slow = ScriptedChatModel(responder=responder, latency_s=latency_s)
    models = {role: quick for role in ROLES} | {"researcher": slow}
    config = load_config(clarify=False, max_agents=max(researchers, 1), depth="deep")
    context = build_context(config, scripted_services(), run_id=f"bench{researchers}", chat_models=models)
    graph = build_research_graph().compile()
    events: list[Event] = []
    started = time.perf_counter()
    async for chunk in graph.astream(
        {"question": "How long do cats sleep?"}, context=context, stream_mode="custom", subgraphs=True
    ):
        events.append(chunk[1])
    elapsed = time.perf_counter() - started
    assert any(e.kind == "report.ready" and e.data["support"] > 0 for e in events), "no cited report"
    fan_out = next(e.at for e in events if e.kind == "phase" and e.data.get("phase") == "research")
    last_done = max(e.at for e in events if e.kind == "researcher.done")
    return (last_done - fan_out).total_seconds(), elapsed, len(slow.calls)


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
