"""Clarification through interrupt(), and resuming a run killed mid-research in another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from deepresearch.config import ROLES, load_config
from graphs.context import build_context
from graphs.research import build_research_graph
from tests.scripts import research_model, scripted_services

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


def _spawn(
    project_root: Path, data_dir: Path, log: Path, args: list[str], slow_url: str | None
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPRESEARCH_")}
    env |= {
        "DEEPRESEARCH_DATA_DIR": str(data_dir),
        "DEEPRESEARCH_MODEL": "scripted:research",
        "DEEPRESEARCH_SERVICES_FACTORY": "tests.scripts:research_services",
        "DEEPRESEARCH_CLARIFY": "false",
        "DR_TEST_CALL_LOG": str(log),
        "PYTHONPATH": str(project_root),
    }
    if slow_url:
        env["DR_TEST_SLOW_URL"] = slow_url
    code = (
        "import sys; from deepresearch import api\n"
        "if sys.argv[1] == 'run': r = api.research('How long do cats sleep?', run_id=sys.argv[2])\n"
        "else: r = api.resume(sys.argv[2])\n"
        "print('SUPPORT', r.support_score, len(r.citations))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=project_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_run_killed_mid_research_resumes_without_rerunning_finished_researchers(
    project_root: Path, tmp_path: Path
) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "calls.log"
    # Task 2 searches "why cats sleep hunting energy" and fetches cat-hunting first: that fetch hangs.
    first = _spawn(project_root, data_dir, log, ["run", "killme"], "https://example.org/cat-hunting")
    deadline = time.monotonic() + 60
    task1 = "Find out about cats sleep hours (1)"
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines() if log.exists() else []
        if lines.count(task1) >= 3 and (data_dir / "runs" / "killme" / "trace.jsonl").exists():
            trace = (data_dir / "runs" / "killme" / "trace.jsonl").read_text()
            if '"researcher.done"' in trace:
                break
        time.sleep(0.1)
    else:
        first.kill()
        raise AssertionError(f"first run never finished researcher 1: {first.communicate()}")
    time.sleep(0.5)  # let the finished branch's writes reach the checkpoint
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = log.read_text().splitlines()
    second = _spawn(project_root, data_dir, log, ["resume", "killme"], None)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "SUPPORT" in out
    after = log.read_text().splitlines()[len(before) :]
    assert task1 not in after  # the finished researcher was not re-run
    assert "Find out about why cats sleep hunting energy (2)" in after
    assert (data_dir / "runs" / "killme" / "report.md").exists()
