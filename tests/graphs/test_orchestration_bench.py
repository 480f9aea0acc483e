"""The orchestration bench's work shape and its derived critical path agree with what a run does."""

from __future__ import annotations

from bench.orchestration import (
    MAX_CALLS,
    SEARCHES_PER_TASK,
    TASKS,
    bench_config,
    check_derivation,
    critical_path,
    run_shape,
)


async def test_the_derived_critical_path_accounts_for_every_model_call() -> None:
    path = critical_path(bench_config("standard"), SEARCHES_PER_TASK)
    measured = await run_shape(TASKS, "standard", model_s=0.0, search_s=0.0)
    check_derivation(path, measured)
    assert measured.researchers == TASKS and measured.calls < MAX_CALLS
    assert sum(leg.searches for leg in path) == SEARCHES_PER_TASK
    sources = sum(1 for e in measured.run.events if e.kind == "source.found")
    assert sources == TASKS * SEARCHES_PER_TASK * 3  # every result of every search is read


async def test_at_depth_deep_the_path_holds_the_outline_the_parallel_sections_and_the_lead() -> None:
    for tasks in (1, TASKS):
        path = critical_path(bench_config("deep"), SEARCHES_PER_TASK, tasks)
        measured = await run_shape(tasks, "deep", model_s=0.0, search_s=0.0)
        check_derivation(path, measured)
        assert measured.calls_by_role["summarizer"] == tasks + 3  # outline, a section per task, lead, answer
