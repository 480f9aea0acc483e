"""Orchestration speed: the whole research graph when every model call takes L and every search takes S.

Scripted models (every role) sleep L = 0.5 s per call; the scripted web search sleeps S = 0.3 s and
returns 3 results. The work has the shape of the reference run: 5 research tasks of 3 searches each (each
search's results are read), then the report. Printed per depth (quick, standard, deep) next to the
reference and the targets: model calls, the critical path (the longest chain of waits, derived from the
graph's nodes and the scripted behaviour, not measured), wall time, wall ÷ critical path, and the wall
ratio of 5 researchers to 1.

Usage: `python -m bench.orchestration [--depth quick|standard|deep ...]`.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from agents.report_scope import ReportScope
from bench.scripted_run import TimedRun, load_average, timed_run
from deepresearch.config import ROLES, Depth, ResearchConfig, load_config
from deepresearch.testing import FakeWeb, ResearchResponder, ScriptedChatModel, aspect_pages, scripted_services
from graphs.research import build_research_graph
from graphs.researcher import build_researcher_graph

MODEL_S = 0.5  # L
SEARCH_S = 0.3  # S
TASKS = 5
SEARCHES_PER_TASK = 3
RESULTS_PER_SEARCH = 3

# open_deep_research in the same shape, measured on this machine (issue 8).
REFERENCE_CALLS = 74
REFERENCE_PATH = "12L + 3S = 6.900 s"
REFERENCE_WALL_S = 7.137
REFERENCE_WALL_OVER_PATH = 1.034
REFERENCE_FIVE_OVER_ONE = 1.021

MAX_CALLS = 40  # fewer than
MAX_WALL_S = 0.8 * REFERENCE_WALL_S
MAX_WALL_OVER_PATH = 1.03
MAX_FIVE_OVER_ONE = 1.02


@dataclass(frozen=True)
class Leg:
    """One node on the critical path and what it waits for."""

    node: str  # a main-graph node, or `researcher/<node>` for the researcher subgraph
    model_calls: int  # made one after another: each is a wait
    searches: int = 0
    side_calls: int = 0  # made at the same time as one of `model_calls`: no wait of their own

    def seconds(self) -> float:
        return self.model_calls * MODEL_S + self.searches * SEARCH_S


def critical_path(config: ResearchConfig, searches: int, tasks: int = TASKS) -> list[Leg]:
    """The nodes one run of `tasks` researched tasks must wait for in turn, with the model calls and
    searches each makes here.

    rewrite, clarify and plan make one call each (clarify asks the clarifier even when it may not ask the
    person: its assumptions go into the brief). Researchers run in parallel and all do the same, so one
    researcher's chain is on the path: each step searches, and the search's results are read in that same
    step; the last step calls `finish` with the findings, which conclude checks without a model call.
    review asks the manager only when another round is allowed, and the scripted review finds no gap. The
    scripted draft verifies, so summarize writes once, asking for the short answer at the same time (a
    side call, no wait of its own); at depth deep that writing is an outline, then one section per task,
    all at once (one wait; the others are side calls), then the lead. verify and finalize call no model.
    """
    research = [Leg("researcher/step", 1, 1) for _ in range(searches)]
    research += [Leg("researcher/step", 1), Leg("researcher/conclude", 0)]
    review = [Leg("review", 1)] if config.max_rounds > 1 else []
    is_sectioned = ReportScope(config.depth).is_sectioned
    summarize = Leg("summarize", 3, side_calls=tasks) if is_sectioned else Leg("summarize", 1, side_calls=1)
    legs = [Leg("rewrite", 1), Leg("clarify", 1), Leg("plan", 1), *research, *review, summarize]
    _check_nodes(legs)
    return legs


def _check_nodes(legs: Sequence[Leg]) -> None:
    """Fails when the graphs no longer have the nodes this derivation walks."""
    main, researcher = build_research_graph().nodes, build_researcher_graph().nodes
    for leg in legs:
        graph, _, node = leg.node.rpartition("/")
        if node not in (researcher if graph else main):
            raise AssertionError(f"critical path names {leg.node!r}, which the graph does not have")


def describe_path(legs: Sequence[Leg]) -> str:
    calls, searches = sum(leg.model_calls for leg in legs), sum(leg.searches for leg in legs)
    total = sum(leg.seconds() for leg in legs)
    steps = " → ".join(
        f"{leg.node.rpartition('/')[2]} {'+'.join(['L'] * leg.model_calls + ['S'] * leg.searches) or '(no wait)'}"
        for leg in legs
    )
    return f"{steps}\n  = {calls}L + {searches}S = {total:.3f} s"


def bench_config(depth: Depth) -> ResearchConfig:
    """Defaults, but room for every task and every page of the shape; no question to the person. The shape is
    the reference's: no evidence floor, and each search's results read in the same step (`read_per_search`
    set, so it applies to the scripted model, which is not weak)."""
    pages = TASKS * SEARCHES_PER_TASK * RESULTS_PER_SEARCH
    return load_config(
        clarify=False,
        max_agents=TASKS,
        max_pages=pages,
        depth=depth,
        floor_reads=0,
        read_per_search=RESULTS_PER_SEARCH,
    )


@dataclass
class Measured:
    run: TimedRun
    calls_by_role: dict[str, int]
    researchers: int

    @property
    def calls(self) -> int:
        return sum(self.calls_by_role.values())


async def run_shape(tasks: int, depth: Depth, model_s: float = MODEL_S, search_s: float = SEARCH_S) -> Measured:
    """The whole graph with `tasks` planned tasks of `SEARCHES_PER_TASK` searches; every role sleeps `model_s`."""
    responder = ResearchResponder(tasks=tasks, dangling_first_draft=False, searches=SEARCHES_PER_TASK)
    models: dict[str, ScriptedChatModel] = {
        role: ScriptedChatModel(responder=responder, latency_s=model_s) for role in ROLES
    }
    web = FakeWeb(
        pages=aspect_pages(RESULTS_PER_SEARCH), results_per_search=RESULTS_PER_SEARCH, search_latency_s=search_s
    )
    config = bench_config(depth)
    run = await timed_run(config, scripted_services(web), models, run_id=f"orchestration-{depth}-{tasks}")
    if not run.has_cited_report():
        raise AssertionError("the run produced no cited report")
    calls = {role: len(model.calls) for role, model in models.items() if model.calls}
    researchers = Counter(e.kind for e in run.events)["researcher.done"]
    return Measured(run, calls, researchers)


def check_derivation(path: Sequence[Leg], measured: Measured) -> None:
    """The derived path must account for every call the run made: the main graph's calls all lie on it,
    and each researcher made the calls of the researcher chain on it."""
    on_path = Counter(
        "researcher" if leg.node.startswith("researcher/") else "main"
        for leg in path
        for _ in range(leg.model_calls + leg.side_calls)
    )
    researcher_calls = measured.calls_by_role.get("researcher", 0)
    expected = (on_path["main"], on_path["researcher"] * measured.researchers)
    if (measured.calls - researcher_calls, researcher_calls) != expected:
        raise AssertionError(f"derived (main, researcher) calls {expected}; measured {measured.calls_by_role}")


@dataclass
class DepthResult:
    depth: Depth
    path: list[Leg]
    one: Measured
    five: Measured

    @property
    def path_s(self) -> float:
        return sum(leg.seconds() for leg in self.path)


async def measure(depths: Sequence[Depth]) -> list[DepthResult]:
    await run_shape(TASKS, "standard", 0.0, 0.0)  # warm imports and caches
    results = []
    for depth in depths:
        one = await run_shape(1, depth)
        five = await run_shape(TASKS, depth)
        config = bench_config(depth)
        path = critical_path(config, SEARCHES_PER_TASK)
        check_derivation(critical_path(config, SEARCHES_PER_TASK, one.researchers), one)
        check_derivation(path, five)
        results.append(DepthResult(depth, path, one, five))
    return results


def _verdict(is_met: bool) -> str:
    return "met" if is_met else "MISSED"


def report(results: Sequence[DepthResult]) -> str:
    rows: list[tuple[str, str, str, list[str]]] = [
        ("tasks researched (of 5 planned)", "5", "", [str(r.five.researchers) for r in results]),
        (
            "model calls",
            str(REFERENCE_CALLS),
            f"< {MAX_CALLS}",
            [f"{r.five.calls} {_verdict(r.five.calls < MAX_CALLS)}" for r in results],
        ),
        ("critical path (derived)", REFERENCE_PATH.split("= ")[1], "", [f"{r.path_s:.3f} s" for r in results]),
        (
            "wall, 5 researchers",
            f"{REFERENCE_WALL_S:.3f} s",
            f"≤ {MAX_WALL_S:.3f} s",
            [f"{r.five.run.wall_s:.3f} s {_verdict(r.five.run.wall_s <= MAX_WALL_S)}" for r in results],
        ),
        (
            "wall ÷ critical path",
            f"{REFERENCE_WALL_OVER_PATH:.3f}",
            f"≤ {MAX_WALL_OVER_PATH}",
            [
                f"{r.five.run.wall_s / r.path_s:.3f} {_verdict(r.five.run.wall_s / r.path_s <= MAX_WALL_OVER_PATH)}"
                for r in results
            ],
        ),
        ("wall, 1 researcher", "", "", [f"{r.one.run.wall_s:.3f} s" for r in results]),
        (
            "5 ÷ 1 researchers (wall)",
            f"{REFERENCE_FIVE_OVER_ONE:.3f}",
            f"≤ {MAX_FIVE_OVER_ONE}",
            [
                f"{r.five.run.wall_s / r.one.run.wall_s:.3f} "
                f"{_verdict(r.five.run.wall_s / r.one.run.wall_s <= MAX_FIVE_OVER_ONE)}"
                for r in results
            ],
        ),
        (
            "orchestration CPU, 1 / 5 researchers",
            "~0.176 s",
            "",
            [f"{r.one.run.cpu_s:.3f} / {r.five.run.cpu_s:.3f} s" for r in results],
        ),
    ]
    header = ("figure", "reference", "target", [f"depth {r.depth}" for r in results])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    depth_width = max(len(cell) for row in [header, *rows] for cell in row[3])
    lines = [
        f"L = {MODEL_S} s per model call (every role), S = {SEARCH_S} s per search ({RESULTS_PER_SEARCH} results); "
        f"{TASKS} tasks × {SEARCHES_PER_TASK} searches, then the report; load average {load_average()}",
        "",
    ]
    for name, reference, target, cells in [header, *rows]:
        columns = [name.ljust(widths[0]), reference.ljust(widths[1]), target.ljust(widths[2])]
        lines.append("  ".join(columns + [cell.ljust(depth_width) for cell in cells]).rstrip())
    lines.append("")
    for r in results:
        lines.append(f"critical path, depth {r.depth}: {describe_path(r.path)}")
        roles = ", ".join(f"{role} {n}" for role, n in r.five.calls_by_role.items())
        lines.append(f"  model calls by role, {r.five.researchers} researchers: {roles}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.orchestration", description=__doc__.splitlines()[0])
    parser.add_argument("--depth", action="append", choices=get_args(Depth), help="repeatable; default: all three")
    args = parser.parse_args(argv)
    depths: list[Depth] = args.depth or list(get_args(Depth))
    print(report(asyncio.run(measure(depths))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
