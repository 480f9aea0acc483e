"""Escalation: a doubtful summary of the fast tier is written again, once, on the reasoning tier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage

from deepresearch.api import aresearch
from deepresearch.config import load_config
from deepresearch.progress import EventRecorder
from deepresearch.schemas import Report
from deepresearch.testing import ResearchResponder, ScriptedChatModel, register_script, scripted_services


@dataclass
class UncitedResponder(ResearchResponder):
    """A lookup whose summaries cite nothing: prose no passage supports."""

    def summary(self, messages: list[BaseMessage]) -> str:
        return "Cats are wonderful companions, and everyone who lives with one knows how much they love naps."


register_script(
    "escalate-disagree",
    lambda: ScriptedChatModel(
        responder=ResearchResponder(
            tasks=1, dangling_first_draft=False, short_answers=("12 hours", "16 hours", "20 hours")
        )
    ),
)
register_script("escalate-uncited", lambda: ScriptedChatModel(responder=UncitedResponder(tasks=1)))
STRONG = "scripted:research1"


async def run(**settings: Any) -> tuple[Report, EventRecorder]:
    """A lookup (the quick path) whose models are built from the settings, so the tiers choose them."""
    recorder = EventRecorder()
    config = load_config(**{"clarify": False, "model": STRONG, **settings})
    report = await aresearch(
        "How long do cats sleep?", config=config, chat_models={}, services=scripted_services(), on_event=recorder
    )
    return report, recorder


def _summarizer_models(recorder: EventRecorder) -> list[str]:
    calls = (e for e in recorder.events if e.kind == "llm.call" and e.data["role"] == "summarizer")
    return list(dict.fromkeys(str(e.data["model"]) for e in calls))


async def test_short_answers_that_disagree_on_the_fast_tier_are_asked_again_on_the_reasoning_tier() -> None:
    report, recorder = await run(fast_model="scripted:escalate-disagree", samples=3)
    escalations = [e for e in recorder.events if e.kind == "summary.escalated"]
    assert len(escalations) == 1 and "only 1 of 3 short-answer samples agreed" in escalations[0].message
    assert _summarizer_models(recorder) == ["scripted:escalate-disagree", STRONG], "fast first, then reasoning"
    assert report.answer == "between 12 and 16 hours" and report.answer_confidence == 1.0
    assert "Escalation: the fast tier's summary (scripted:escalate-disagree) was doubtful" in report.markdown
    assert f"written again on the reasoning tier ({STRONG})" in report.markdown
    assert "one more research round" not in report.markdown, "the stronger model settled it without research"


async def test_a_poorly_supported_fast_draft_is_written_again_and_the_better_draft_kept() -> None:
    report, recorder = await run(fast_model="scripted:escalate-uncited")
    escalated = next(e for e in recorder.events if e.kind == "summary.escalated")
    assert "citation support was 0.00, below 0.50" in escalated.message
    assert _summarizer_models(recorder) == ["scripted:escalate-uncited", STRONG]
    assert report.support_score == 1.0 and "wonderful companions" not in report.markdown
    assert "Escalation: the fast tier's summary" in report.markdown


async def test_no_escalation_when_both_tiers_are_the_same_model() -> None:
    report, recorder = await run(fast_model="scripted:escalate-uncited", reasoning_model="scripted:escalate-uncited")
    assert "summary.escalated" not in recorder.kinds() and "Escalation" not in report.markdown
    assert _summarizer_models(recorder) == ["scripted:escalate-uncited"]
    assert "The written drafts had no supported sentence" in report.markdown, "the fast draft failed, unescalated"
