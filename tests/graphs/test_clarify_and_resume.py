"""Clarification through interrupt(), and resuming a run killed mid-research in another process: the
finished researchers are not re-run, and the run's budgets go on from what the killed process spent."""

from __future__ import annotations

import json
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from deepresearch.budgets import read_research_time
from deepresearch.config import ROLES, load_config
from deepresearch.reports import read_trace
from deepresearch.testing import research_model, scripted_services
from graphs.context import build_context
from graphs.research import build_research_graph
from tests.kill_and_resume import FINISHED_TASK, UNFINISHED_TASK, kill_mid_research_and_resume

from .helpers import run_graph

QUESTION = "Domestic cats or big cats?"


async def test_graph_stops_at_interrupt_and_resumes_with_answers() -> None:
    model = research_model(1, clarify=True)
    config = load_config(clarify=True)
    context = build_context(config, scripted_services(), run_id="t1", chat_models={r: model for r in ROLES})
    graph = build_research_graph().compile(checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "t1"}}
    await graph.ainvoke({"question": "How long do cats sleep?"}, thread, context=context)
    state = await graph.aget_state(thread)
    assert state.next == ("ask",)
    assert state.interrupts[0].value["questions"] == [QUESTION]
    result = await graph.ainvoke(Command(resume=["Domestic cats"]), thread, context=context)
    report = result["report"]
    assert report.clarifications == [(QUESTION, "Domestic cats")]
    assert report.brief.clarifications == [(QUESTION, "Domestic cats")]
    assert f"Clarifying question: {QUESTION} — answer: Domestic cats" in report.markdown


async def test_api_answers_from_callback_and_records_assumptions_without_one() -> None:
    asked: list[list[str]] = []

    def on_clarify(questions: list[str]) -> list[str]:
        asked.append(questions)
        return ["Big cats"]

    model = research_model(1, clarify=True)
    from deepresearch.api import aresearch

    report = await aresearch(
        "How long do cats sleep?",
        config=load_config(clarify=True),
        chat_models={r: model for r in ROLES},
        services=scripted_services(),
        on_clarify=on_clarify,
    )
    assert asked == [[QUESTION]] and report.clarifications == [(QUESTION, "Big cats")]
    unanswered, _ = await run_graph(model=research_model(1, clarify=True), clarify=True)
    assert unanswered.clarifications == [] and "Domestic cats." in unanswered.assumptions
    assert "Assumption: Domestic cats." in unanswered.markdown


async def test_clarify_off_records_assumptions_in_brief_and_report() -> None:
    report, recorder = await run_graph(model=research_model(1, clarify=True), clarify=False)
    assert not any(e.kind == "clarify.asked" for e in recorder.events)
    assert report.brief is not None and report.brief.assumptions == ["Domestic cats."]


def test_run_killed_mid_research_resumes_without_rerunning_finished_researchers(
    project_root: Path, tmp_path: Path
) -> None:
    resumed = kill_mid_research_and_resume(project_root, tmp_path / "data", "killme")
    assert "SUPPORT" in resumed.output
    assert FINISHED_TASK not in resumed.calls_after_resume  # the finished researcher was not re-run
    assert UNFINISHED_TASK in resumed.calls_after_resume
    assert (resumed.run_dir / "report.md").exists()


MODEL_CALL_S = 0.5  # every scripted model call takes this long
TIME_BUDGET_S = 6.0  # small, to keep the test short (about 12 s in all, two processes included)


def test_a_killed_run_resumed_stops_at_its_time_budget_counted_across_both_processes(
    project_root: Path, tmp_path: Path
) -> None:
    """Killed after 5 s of research, the resumed run has 1 s left, not 6 s: it stops by time about 1 s in.
    Without carrying the time over it would finish its research well inside a fresh 6 s budget."""
    data, run_id = tmp_path / "data", "slowclock"
    run_dir = data / "runs" / run_id
    resumed = kill_mid_research_and_resume(
        project_root,
        data,
        run_id,
        model=f"scripted:research@{MODEL_CALL_S}",
        extra_env={"DEEPRESEARCH_MAX_TIME_S": str(TIME_BUDGET_S)},
        ready=lambda: read_research_time(run_dir) >= TIME_BUDGET_S - 1.0,
    )
    session = next(e for e in resumed.events_after_kill if e.kind == "session.started")
    earlier_s = float(session.data["research_s"])
    assert TIME_BUDGET_S - 1.0 <= earlier_s < TIME_BUDGET_S
    pages_before_kill = [e for e in read_trace(run_dir)[: -len(resumed.events_after_kill)] if e.kind == "source.found"]
    assert session.data["pages"] == len(pages_before_kill) > 0  # the page count goes on too
    stopped = next((e for e in resumed.events_after_kill if e.kind == "budget.exceeded"), None)
    assert stopped is not None and stopped.data["limit"] == "time", "the resumed run never ran out of time"
    writing = next(e for e in resumed.events_after_kill if e.kind == "phase" and e.data.get("phase") == "summarize")
    research_s = earlier_s + (writing.at - session.at).total_seconds()
    assert TIME_BUDGET_S <= research_s <= TIME_BUDGET_S + 2 * MODEL_CALL_S  # the budget of both processes
    assert "time" in json.loads((run_dir / "report.json").read_text())["limits_hit"]
    assert read_research_time(run_dir) >= TIME_BUDGET_S
