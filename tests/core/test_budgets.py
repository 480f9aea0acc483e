"""Budgets across processes: what earlier processes of a run spent is read back (time from the run's folder,
pages and tokens from its trace), and a context built from it starts its budgets there."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deepresearch.budgets import (
    RunClock,
    Spent,
    keeping_research_time,
    read_research_time,
    run_stopper,
    spent_before,
)
from deepresearch.config import ROLES, load_config
from deepresearch.errors import BudgetExceeded
from deepresearch.progress import Event
from deepresearch.schemas import Usage
from deepresearch.testing import ScriptedChatModel, scripted_services
from graphs.context import build_context


def test_the_run_wide_budget_that_stopped_research_is_named() -> None:
    assert run_stopper(["steps", "pages", "time"]) == "time"
    assert run_stopper(["steps", "agents"]) is None


async def test_research_time_is_kept_in_the_run_folder_while_a_process_works(tmp_path: Path) -> None:
    assert read_research_time(tmp_path) == 0.0  # a run that has none
    clock = RunClock(60.0, earlier_s=2.0)
    async with keeping_research_time(tmp_path, clock, tick_s=0.05):
        await asyncio.sleep(0.2)
        assert 2.1 <= read_research_time(tmp_path) <= clock.elapsed_s  # written while it works
    assert 2.2 <= read_research_time(tmp_path) < 2.6  # and once more at the end


def test_what_earlier_processes_spent_is_read_back(tmp_path: Path) -> None:
    (tmp_path / "research_time.json").write_text('{"research_s": 41.5}')
    trace = [
        Event(kind="session.started"),
        Event(kind="llm.call", data={"input_tokens": 100, "output_tokens": 20, "calls": 1}),
        Event(kind="source.found"),
        Event(kind="source.found"),
        Event(kind="llm.call", data={"input_tokens": 50, "output_tokens": 5, "calls": 1}),
    ]
    spent = spent_before(trace, tmp_path)
    assert (spent.research_s, spent.pages, spent.usage.total_tokens, spent.usage.calls) == (41.5, 2, 175, 2)
    assert "41.5 s of research, 2 page(s) and 175 tokens" in spent.session_event().message


def test_a_context_built_from_what_was_spent_starts_its_budgets_there() -> None:
    config = load_config(max_time_s=60, max_pages=2, max_tokens=1000)
    spent = Spent(research_s=59.5, pages=2, usage=Usage(input_tokens=400, calls=3))
    model = ScriptedChatModel()
    context = build_context(config, scripted_services(), run_id="r", chat_models={r: model for r in ROLES}, spent=spent)
    assert context.pages.used == 2 and context.models.ledger.total.total_tokens == 400
    with pytest.raises(BudgetExceeded) as refused:
        context.pages.take()
    assert refused.value.limit == "pages"
    assert context.clock.elapsed_s >= 59.5
    fresh = build_context(config, scripted_services(), run_id="r", chat_models={r: model for r in ROLES})
    fresh.pages.take()
    fresh.clock.check_time()
