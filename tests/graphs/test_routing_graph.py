"""Difficulty routing through the whole graph: a lookup takes the quick path on the fast model."""

from __future__ import annotations

from typing import Any

from deepresearch.api import aresearch
from deepresearch.config import load_config
from deepresearch.progress import EventRecorder
from deepresearch.schemas import Report
from deepresearch.testing import scripted_services

FAST = "scripted:research1@0"  # the same script under another name: its calls are told apart by model


async def run_graph(**settings: Any) -> tuple[Report, EventRecorder]:
    """A run whose models are built from the settings (`scripted:` specs), so tiers choose them."""
    recorder = EventRecorder()
    config = load_config(clarify=False, **settings)
    report = await aresearch(
        "How long do cats sleep?", config=config, chat_models={}, services=scripted_services(), on_event=recorder
    )
    return report, recorder


def _models_by_role(recorder: EventRecorder) -> dict[str, set[str]]:
    by_role: dict[str, set[str]] = {}
    for event in recorder.events:
        if event.kind == "llm.call":
            by_role.setdefault(str(event.data["role"]), set()).add(str(event.data["model"]))
    return by_role


def _phases(recorder: EventRecorder) -> list[Any]:
    return [e.data["phase"] for e in recorder.events if e.kind == "phase"]


async def test_a_simple_lookup_takes_the_quick_path_on_the_fast_model() -> None:
    report, recorder = await run_graph(model="scripted:research1", fast_model=FAST, max_rounds=3)
    route = next(e for e in recorder.events if e.kind == "route.decided")
    assert route.data["question_kind"] == "lookup" and route.data["path"] == "quick"
    assert route.data["decided_by"] == "model" and route.data["reason"]
    researchers = {e.agent for e in recorder.events if e.kind == "researcher.action"}
    assert len(researchers) == 1 and "review" not in _phases(recorder), "one researcher, one round"
    models = _models_by_role(recorder)
    assert models["researcher"] == {FAST} and models["manager"] == {FAST}
    assert models["summarizer"] == {FAST}, "the quick path writes its summary on the fast tier too"
    assert "summary.escalated" not in recorder.kinds(), "a well-supported summary is not escalated"
    assert report.citations and "Route: simple lookup (model: One fact about one thing" in report.markdown
    assert "quick path" in report.markdown
    researcher_calls = [e for e in recorder.events if e.kind == "llm.call" and e.data["role"] == "researcher"]
    assert len(researcher_calls) == 1, "one step, and its claims are quoted from what it read"
    assert "researcher.extractive" in recorder.kinds()


async def test_a_survey_takes_the_full_graph_and_depth_turns_routing_off() -> None:
    report, recorder = await run_graph(model="scripted:research", fast_model="scripted:research@0")
    route = next(e for e in recorder.events if e.kind == "route.decided")
    assert route.data["question_kind"] == "survey" and route.data["path"] == "full"
    assert "review" in _phases(recorder)
    assert _models_by_role(recorder)["researcher"] == {"scripted:research"}, "the reasoning tier"
    assert "full graph at depth standard" in report.markdown
    quick, quick_recorder = await run_graph(model="scripted:research1", depth="standard")
    assert "routing off (depth set)" in quick.markdown and "review" in _phases(quick_recorder)
