"""Self-consistency, best-of-N scoring and sampling, with scripted models whose answers vary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents import summarizer, verifier
from agents.answer import ReasonedShortAnswer, ShortAnswer, YesNoAnswer, ask_short_answer
from agents.citations import gather_evidence
from agents.report import ReportContent, RunRecord, assemble_report
from agents.self_consistency import (
    AnswerVote,
    majority_vote,
    recheck_task,
    sample_short_answers,
    wants_another_round,
)
from agents.weak_model import cut_preamble
from deepresearch.config import load_config
from deepresearch.llm.embedded import ChatEmbeddedLlama
from deepresearch.schemas import Usage
from deepresearch.testing import ScriptedChatModel
from deepresearch.text import normalize_answer

from .helpers import make_context
from .test_writing_and_verifying import BRIEF, FINDINGS, SOURCES


def test_answers_are_normalized_the_hotpotqa_way_and_the_majority_wins() -> None:
    assert normalize_answer("The Beatles!") == normalize_answer("beatles") == "beatles"
    vote = majority_vote(["The Beatles.", "Rolling Stones", "beatles"])
    assert vote.answer == "The Beatles" and vote.agreement == 0.6667 and vote.votes == 2
    assert vote.candidates() == ["The Beatles", "Rolling Stones"]
    tie = majority_vote(["1844", "1845"])
    assert tie.answer == "1844" and tie.agreement == 0.5  # a tie goes to the answer given first


def test_empty_samples_count_against_the_answer_and_never_win() -> None:
    vote = majority_vote(["", "", "Paris"])
    assert vote.answer == "Paris" and vote.agreement == 0.3333
    none = majority_vote(["", " "])
    assert none.answer == "" and none.agreement == 0.0 and none.votes == 0


def _asked(question: str, context: Any) -> Any:
    async def answer(seed: int) -> str:
        return await ask_short_answer(question, "<evidence/>", context, sample_seed=seed)

    return answer


async def test_samples_are_asked_at_the_sample_temperature_and_voted_on() -> None:
    model = ScriptedChatModel(
        script=[ShortAnswer(answer="16 hours"), ShortAnswer(answer="12 hours"), ShortAnswer(answer="16 hours.")]
    )
    context, recorder = make_context(model, samples=3, sample_temperature=0.9)
    vote = await sample_short_answers(_asked("How long do cats sleep?", context), context)
    assert vote.answer == "16 hours" and vote.agreement == 0.6667
    assert len(model.calls) == 3
    voted = [e for e in recorder.events if e.kind == "answer.vote"]
    assert voted and voted[0].data["samples"] == ["16 hours", "12 hours", "16 hours"]


async def test_the_cot_style_asks_for_steps_before_the_answer() -> None:
    model = ScriptedChatModel(script=[ReasonedShortAnswer(steps="P1 says 16.", answer="16 hours")])
    context, _ = make_context(model, samples=1, prompt_style="cot")
    vote = await sample_short_answers(_asked("How long do cats sleep?", context), context)
    assert vote.answer == "16 hours"
    assert model.calls[0]["kwargs"]["structured_schema"] is ReasonedShortAnswer
    assert "step by step" in str(model.calls[0]["messages"][0].content)


async def test_a_yes_no_question_can_only_be_answered_yes_no_or_not() -> None:
    model = ScriptedChatModel(script=[YesNoAnswer(answer="yes"), ShortAnswer(answer="16 hours")])
    context, _ = make_context(model, samples=1)
    assert await ask_short_answer("Were Ed Wood and Scott Derrickson both American?", "<evidence/>", context) == "yes"
    assert model.calls[0]["kwargs"]["structured_schema"] is YesNoAnswer
    assert await ask_short_answer("How long do cats sleep?", "<evidence/>", context) == "16 hours"
    assert model.calls[1]["kwargs"]["structured_schema"] is ShortAnswer


def test_a_weak_models_answer_preamble_is_cut() -> None:
    """SmolLM2 began 13 of 14 free short answers with "The short answer is that ..." (a weak-model rule)."""
    assert cut_preamble("The short answer is that 16 hours") == "16 hours"
    assert cut_preamble("Answer: Paris") == "Paris" and cut_preamble("Paris") == "Paris"


def test_sampling_changes_temperature_and_seed_and_shares_the_ledger(tmp_path: Path) -> None:
    context, _ = make_context(ScriptedChatModel(script=[]))
    handle = context.models.for_role("summarizer")
    assert handle.sampling(0.9, 2).chat is handle.chat  # a scripted model has no temperature to change
    local = ChatEmbeddedLlama(model_path=tmp_path / "model.gguf", temperature=0.2, seed=7)
    embedded = type(handle)(
        "summarizer", handle.built.__class__(local, handle.built.spec, handle.built.profile), ledger=handle.ledger
    )
    sampled = embedded.sampling(0.9, 3)
    assert isinstance(sampled.chat, ChatEmbeddedLlama)
    assert (sampled.chat.temperature, sampled.chat.seed) == (0.9, 3)
    assert (local.temperature, local.seed) == (0.2, 7)  # the original is untouched
    assert sampled.ledger is handle.ledger


def test_low_agreement_asks_for_one_more_round_only_while_budget_remains() -> None:
    context, _ = make_context(ScriptedChatModel(script=[]), samples=3, max_rounds=2)
    low, high = majority_vote(["Ann", "Bob", "Cy"]), majority_vote(["Ann", "Ann", "Cy"])
    ask = {"limits_hit": [], "already_rechecked": False, "context": context}
    assert wants_another_round(low, round_no=1, **ask)
    assert not wants_another_round(high, round_no=1, **ask)
    assert not wants_another_round(low, round_no=2, **ask)  # max_rounds reached
    assert not wants_another_round(low, round_no=1, **{**ask, "already_rechecked": True})
    assert not wants_another_round(low, round_no=1, **{**ask, "limits_hit": ["tokens"]})
    single, _ = make_context(ScriptedChatModel(script=[]), samples=1)
    assert not wants_another_round(low, round_no=1, **{**ask, "context": single})
    task = recheck_task("Who?", majority_vote(["Ann", "Bob", ""]), 2)
    assert task.id == "r2check" and task.queries == ["Who?", "Ann", "Bob"] and "Ann; Bob" in task.goal


def test_coverage_is_the_share_of_tasks_a_draft_cites_in_supported_sentences() -> None:
    evidence = gather_evidence(FINDINGS, SOURCES)
    both = verifier.check_draft(
        "Cats sleep between 12 and 16 hours a day [1]. Cats are most active at dawn and dusk [2].", evidence
    )
    one = verifier.check_draft("Cats sleep between 12 and 16 hours a day [1].", evidence)
    wrong = verifier.check_draft("Cats sleep between 12 and 16 hours a day [1]. Dogs bark loudly [2].", evidence)
    assert verifier.coverage(both, evidence) == 1.0
    assert verifier.coverage(one, evidence) == 0.5
    assert verifier.coverage(wrong, evidence) == 0.5  # an unsupported citation covers nothing
    assert one.score == 1.0 and verifier.reward(one, evidence) == 0.75 < verifier.reward(both, evidence)


def test_best_of_n_turns_revisions_off_unless_they_are_set() -> None:
    assert verifier.revision_limit(load_config()) == 2
    assert verifier.revision_limit(load_config(drafts=3)) == 0
    assert verifier.revision_limit(load_config(drafts=3, max_revisions=1)) == 1


async def test_best_of_n_writes_each_draft_with_its_own_sample() -> None:
    evidence = gather_evidence(FINDINGS, SOURCES)
    model = ScriptedChatModel(script=[f"Cats sleep between 12 and 16 hours a day [1]. Draft {n}." for n in range(3)])
    context, _ = make_context(model, drafts=3)
    drafts = await summarizer.write_drafts(BRIEF, evidence, "", context, 3)
    assert len(drafts) == 3 and len(model.calls) == 3
    assert {d.markdown.split("Draft ")[1] for d in drafts} == {"0.", "1.", "2."}


def _record() -> RunRecord:
    return RunRecord(
        run_id="r",
        brief=BRIEF,
        tasks=[],
        rounds=1,
        limits_hit=[],
        notes=[],
        queries_tried=[],
        corrections=0,
        revisions=0,
        usage=Usage(),
        sources_read=1,
    )


def test_the_report_shows_the_vote_as_the_answers_confidence() -> None:
    vote = AnswerVote(answer="16 hours", agreement=0.6667, samples=["16 hours", "12 hours", "16 hours"])
    report = assemble_report(_record(), ReportContent("Cats sleep 16 hours [1]."), {}, answer="16 hours", vote=vote)
    assert report.answer_confidence == 0.6667 and report.answer_samples == vote.samples
    assert "**Short answer:** 16 hours (confidence 0.67: 2 of 3 samples agree)" in report.markdown
    assert "2 of 3 short-answer samples agreed on “16 hours” (agreement 0.67); kept" in report.markdown
    other = assemble_report(_record(), ReportContent("Cats sleep 16 hours [1]."), {}, answer="sixteen", vote=vote)
    assert other.answer_confidence is None and "not stated by the cited evidence, so not used" in other.markdown
    plain = assemble_report(_record(), ReportContent("Cats sleep 16 hours [1]."), {}, answer="16 hours")
    assert plain.answer_confidence is None and "Self-consistency" not in plain.markdown
