"""Self-consistency, best-of-N drafts and prompt styles through the whole graph, with scripted models."""

from __future__ import annotations

from typing import Any

from deepresearch.config import ROLES
from deepresearch.testing import ResearchResponder, ScriptedChatModel

from .helpers import run_graph as run_routed_graph

# Two research tasks: a two-part question, and difficulty routing (where it exists) off.
FULL_GRAPH = {"router": False, "question": "How long do cats sleep, and why do they sleep so much?"}


async def run_graph(**settings: Any) -> Any:
    return await run_routed_graph(**{**FULL_GRAPH, **settings})


def _models(responder: ResearchResponder) -> dict[str, ScriptedChatModel]:
    model = ScriptedChatModel(responder=responder)
    return {role: model for role in ROLES}


async def test_samples_that_mostly_agree_give_the_answer_a_confidence() -> None:
    answers = ("between 12 and 16 hours", "Between 12 and 16 hours.", "16 hours")
    report, recorder = await run_graph(models=_models(ResearchResponder(short_answers=answers)), samples=3)
    assert report.answer == "between 12 and 16 hours" and report.answer_confidence == 0.6667
    assert "(confidence 0.67: 2 of 3 samples agree)" in report.markdown
    assert [e.data["agreement"] for e in recorder.events if e.kind == "answer.vote"] == [0.6667]
    assert "r2check" not in report.markdown and "one more research round" not in report.markdown


async def test_samples_that_disagree_buy_one_more_research_round() -> None:
    answers = ("between 12 and 16 hours", "16 hours", "12 hours")
    report, recorder = await run_graph(
        models=_models(ResearchResponder(short_answers=answers)), samples=3, max_rounds=2
    )
    votes = [e.data["agreement"] for e in recorder.events if e.kind == "answer.vote"]
    assert votes == [0.3333, 0.3333]  # voted again on the larger evidence, and not a third time
    assert "Task r2check: Settle the answer to" in report.markdown
    assert "one more research round (round 2) was run to settle the answer" in report.markdown
    assert "Research: 3 task(s) in 2 round(s)" in report.markdown
    assert report.citations  # the dropped first drafts left no trace in the report
    assert report.answer_confidence == 0.3333


async def test_no_extra_round_when_the_round_budget_is_spent() -> None:
    answers = ("between 12 and 16 hours", "16 hours", "12 hours")
    report, _ = await run_graph(models=_models(ResearchResponder(short_answers=answers)), samples=3, max_rounds=1)
    assert "one more research round" not in report.markdown and "in 1 round(s)" in report.markdown
    assert "agreement 0.33); kept as the short answer" in report.markdown


async def test_best_of_n_keeps_the_draft_the_verifier_scores_best_without_revising() -> None:
    responder = ResearchResponder(drafts_vary=True, dangling_first_draft=False)
    report, recorder = await run_graph(models=_models(responder), drafts=3)
    checked = [e for e in recorder.events if e.kind == "verify.checked"]
    assert [e.data["draft"] for e in checked] == [1, 2, 3]
    coverages = [e.data["coverage"] for e in checked]
    assert coverages == sorted(coverages) and coverages[0] < coverages[-1]
    assert report.revisions == 0 and responder.summaries_written == 3  # best-of-N: no revision pass
    assert "Best of 3 drafts" in report.markdown
    assert len(report.citations) == len({c.source_id for c in report.citations}) >= 2  # the widest draft won


async def test_best_of_n_revises_when_revisions_are_set_explicitly() -> None:
    responder = ResearchResponder()
    report, recorder = await run_graph(models=_models(responder), drafts=2, max_revisions=1)
    assert report.revisions == 1
    assert len([e for e in recorder.events if e.kind == "verify.checked"]) == 3  # 2 drafts, then 1 revision


async def test_default_settings_add_no_model_call_for_votes_or_drafts() -> None:
    model = ScriptedChatModel(responder=ResearchResponder())
    report, recorder = await run_graph(models={role: model for role in ROLES})
    assert report.answer_confidence is None and not report.answer_samples
    assert not [e for e in recorder.events if e.kind == "answer.vote"]
    summaries = [c for c in model.calls if not c["kwargs"].get("tools") and not c["kwargs"].get("structured_schema")]
    assert len(summaries) == 2  # the first draft and one revision, as before


async def test_prompt_styles_reach_the_researcher_and_summarizer_prompts() -> None:
    for style, marker in (("cot", "step by step"), ("fewshot", "Kettel Bridge")):
        model = ScriptedChatModel(responder=ResearchResponder())
        report, _ = await run_graph(models={role: model for role in ROLES}, prompt_style=style)
        researcher = [c for c in model.calls if c["kwargs"].get("tools")]
        writer = [c for c in model.calls if not c["kwargs"].get("tools") and not c["kwargs"].get("structured_schema")]
        assert marker in str(researcher[0]["messages"][0].content)
        assert marker in str(writer[0]["messages"][0].content)
        assert report.citations and "Kettel" not in report.markdown


async def test_a_yes_no_question_the_rewriter_reworded_is_still_answered_yes_or_no() -> None:
    """SmolLM2 rewrote "Are Giuseppe Verdi and Ambroise Thomas both opera composers?" as a what-question."""
    responder = ResearchResponder(tasks=1, short_answers=("yes",), rewrite_to="How long do cats sleep?")
    report, recorder = await run_graph(question="Do cats sleep more than 12 hours a day?", models=_models(responder))
    assert report.answer == "yes"
    checked = next(e for e in recorder.events if e.kind == "answer.checked")
    assert checked.data["kept"] == "yes"


async def test_the_recheck_round_of_a_quick_path_run_keeps_the_quick_paths_limits() -> None:
    answers = ("between 12 and 16 hours", "16 hours", "12 hours")
    report, recorder = await run_routed_graph(
        models=_models(ResearchResponder(tasks=1, short_answers=answers)), samples=3, max_rounds=2
    )
    route = next(e for e in recorder.events if e.kind == "route.decided")
    assert route.data["path"] == "quick" and "Task r2check: Settle the answer to" in report.markdown
    researcher_calls = [e.agent for e in recorder.events if e.kind == "llm.call" and e.data["role"] == "researcher"]
    assert researcher_calls == ["r1t1", "r2check"], "one step each, claims quoted: no findings call"
