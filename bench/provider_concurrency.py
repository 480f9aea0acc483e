"""Researchers × one provider with a concurrency limit: calls in flight, measured at the provider.

A whole research run (5 researchers, one round) goes through the `openai:` provider to a reasoning-model
server on 127.0.0.1 (`deepresearch.testing.openai_server`) that holds each reply for a fixed latency. The
server counts the requests it is answering at once; the run's provider gate counts the calls it lets
through. Printed per limit: the peak in flight at the server, the gate's peak, the model calls, and the
research phase's wall time. Usage: `python -m bench.provider_concurrency [--limits 2,8] [--researchers 5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.scripted_run import load_average
from deepresearch.config import load_config
from deepresearch.llm import ModelSet
from deepresearch.progress import EventRecorder
from deepresearch.testing import ResearchResponder, scripted_services
from deepresearch.testing.openai_server import ReasoningServer
from graphs.context import build_context
from graphs.research import build_research_graph

LATENCY_S = 0.3


async def measure(limit: int, researchers: int) -> dict[str, float]:
    """One run with `llm_concurrency=limit`: peak calls in flight at the server and at the gate."""
    server = ReasoningServer(
        ResearchResponder(tasks=researchers, dangling_first_draft=False, searches=2), latency_s=LATENCY_S
    ).start()
    try:
        config = load_config(
            model="openai:reasoner",
            openai_base_url=server.base_url,
            clarify=False,
            depth="deep",
            max_agents=researchers,
            max_rounds=1,
            llm_concurrency=limit,
            llm_max_retries=0,
        )
        recorder = EventRecorder()
        context = build_context(config, scripted_services(), run_id=f"bench-{limit}", events=recorder)
        started = time.perf_counter()
        await build_research_graph().compile().ainvoke({"question": "How long do cats sleep?"}, context=context)
        wall = time.perf_counter() - started
        models: ModelSet = context.models
        gate_peak = max(gate.peak_in_flight for gate in models.gates.values())
        return {
            "server_peak": server.peak_in_flight,
            "gate_peak": gate_peak,
            "calls": len(server.requests),
            "wall_s": wall,
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", default="2,8", help="concurrency limits to run, comma-separated")
    parser.add_argument("--researchers", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.researchers} researchers, one provider, {LATENCY_S} s per reply; load average {load_average()}")
    for limit in (int(n) for n in args.limits.split(",")):
        result = asyncio.run(measure(limit, args.researchers))
        print(
            f"llm_concurrency={limit}: peak in flight at the server {result['server_peak']:.0f}, "
            f"at the gate {result['gate_peak']:.0f}; {result['calls']:.0f} model calls in {result['wall_s']:.1f} s"
        )


if __name__ == "__main__":
    main()
