"""Concurrent research runs on one LangGraph server: runs/minute with 1, 4 and 8 runs at once.

Starts `langgraph dev` on 127.0.0.1 serving `langgraph.json`, with the scripted model provider at a fixed
latency per model call (`scripted:research@L`: 2 research tasks, every role's call sleeps L) and the
scripted web, so the figures measure the server and the graph, not a model or the network. For each
level N it submits N runs at once through langgraph-sdk (one thread each), waits for all of them, checks
that each ended with a cited report, and reports N ÷ wall time as runs/minute and its ratio to the
1-run figure. With runs that only wait on their model, the ratio would be N; what is lost is the
server's and the graph's own CPU work, which the runs share (2 cores here, one server process).

Usage: `python -m bench.concurrent_runs [--latency 0.5] [--levels 1,4,8] [--repeats 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from langgraph_sdk import get_client

from deepresearch.testing.langgraph_dev import langgraph_dev

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUESTION = "How long do cats sleep?"


def server_settings(latency_s: float) -> dict[str, str]:
    return {
        "DEEPRESEARCH_MODEL": f"scripted:research@{latency_s}",
        "DEEPRESEARCH_SERVICES_FACTORY": "deepresearch.testing.web:research_services",
        "DEEPRESEARCH_CLARIFY": "false",
        "DEEPRESEARCH_MAX_ROUNDS": "1",
    }


async def one_run(client: Any) -> dict[str, Any]:
    """Submit one run on a new thread and wait for it; returns the run's report."""
    thread = await client.threads.create()
    result = await client.runs.wait(thread["thread_id"], "research", input={"question": QUESTION})
    if not isinstance(result, dict) or "report" not in result:
        raise RuntimeError(f"run on thread {thread['thread_id']} ended without a report: {result!r}"[:500])
    report: dict[str, Any] = result["report"]
    if not report["citations"]:
        raise RuntimeError(f"run on thread {thread['thread_id']} has an uncited report")
    return report


async def batch_wall_s(client: Any, runs: int) -> tuple[float, list[dict[str, Any]]]:
    """Seconds from submitting `runs` runs at once until the last one is done, and their reports."""
    started = time.perf_counter()
    reports = await asyncio.gather(*(one_run(client) for _ in range(runs)))
    return time.perf_counter() - started, list(reports)


async def measure(url: str, levels: list[int], repeats: int) -> list[tuple[int, float, int]]:
    """(runs at once, median wall seconds, model calls per run) for each level."""
    client = get_client(url=url)
    await batch_wall_s(client, 1)  # warm the server: imports, graph compile, first thread
    rows = []
    for runs in levels:
        walls = []
        calls = 0
        for _ in range(repeats):
            wall, reports = await batch_wall_s(client, runs)
            walls.append(wall)
            calls = max(int(r["usage"].get("calls", 0)) for r in reports)
        rows.append((runs, statistics.median(walls), calls))
    return rows


def print_table(rows: list[tuple[int, float, int]], latency_s: float) -> None:
    one_rate = 60.0 * rows[0][0] / rows[0][1]
    print(f"langgraph dev on 127.0.0.1, scripted model {latency_s} s per call, {os.cpu_count()} cores")
    print(f"{'runs at once':>12}  {'wall s':>7}  {'runs/min':>8}  {'x 1-run rate':>12}  {'model calls/run':>15}")
    for runs, wall, calls in rows:
        rate = 60.0 * runs / wall
        print(f"{runs:>12}  {wall:>7.2f}  {rate:>8.1f}  {rate / one_rate:>12.2f}  {calls:>15}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per model call")
    parser.add_argument("--levels", default="1,4,8", help="runs at once, comma-separated; the first is the base")
    parser.add_argument("--repeats", type=int, default=3, help="batches per level (the median wall counts)")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    with (
        tempfile.TemporaryDirectory(prefix="bench-concurrent-") as workdir,
        langgraph_dev(PROJECT_ROOT, Path(workdir), server_settings(args.latency), jobs_per_worker=max(levels)) as url,
    ):
        rows = asyncio.run(measure(url, levels, args.repeats))
    print_table(rows, args.latency)


if __name__ == "__main__":
    main()
