"""One timed run of the whole research graph on injected models and services (shared by the benches)."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import cast

from langchain_core.language_models import BaseChatModel

from agents.context import Services
from deepresearch.config import ResearchConfig
from deepresearch.progress import Event
from graphs.context import build_context
from graphs.research import build_research_graph

QUESTION = "How long do cats sleep?"


@dataclass
class TimedRun:
    wall_s: float  # rewrite → report, as the caller waits for it
    cpu_s: float  # this process's CPU time over the run: the graph's own work, as scripted models barely use any
    events: list[Event]

    def phase_wall_s(self) -> float:
        """Seconds from the first fan-out to researchers until the last researcher is done."""
        fan_out = next(e.at for e in self.events if e.kind == "phase" and e.data.get("phase") == "research")
        last_done = max(e.at for e in self.events if e.kind == "researcher.done")
        return (last_done - fan_out).total_seconds()

    def has_cited_report(self) -> bool:
        return any(e.kind == "report.ready" and e.data["support"] > 0 for e in self.events)


def load_average() -> str:
    """The machine's load, printed with every timing: other work on the cores shows in the figures."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


async def timed_run(
    config: ResearchConfig, services: Services, models: Mapping[str, BaseChatModel], run_id: str
) -> TimedRun:
    """Compiles the graph (no checkpointer, as the benches time orchestration, not storage) and runs
    `QUESTION` through it, collecting every progress event."""
    context = build_context(config, services, run_id=run_id, chat_models=models)
    graph = build_research_graph().compile()
    events: list[Event] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    chunks = graph.astream({"question": QUESTION}, context=context, stream_mode="custom", subgraphs=True)
    async for _namespace, event in cast(AsyncIterator[tuple[tuple[str, ...], Event]], chunks):
        events.append(event)
    return TimedRun(time.perf_counter() - started, time.process_time() - cpu_started, events)
