"""One summarize pass: the drafts and, on the first pass, the short answer beside them.

A capable model writes its drafts (`agents.summarizer`) and, at the same time, a short answer
(`agents.answer`); the verifier keeps what verifies and may send the best draft back for revision. A weak
model writes nothing that would be thrown away: the report is chosen per part of the question
(`agents.passage_report`) and the short answer is chosen among the candidates the cited passages hold
(`agents.answer_choice`); neither is sent back for revision. With `samples` > 1 either answerer is sampled
and the majority wins (`agents.self_consistency`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass

from agents import summarizer, weak_model
from agents.answer import ask_short_answer
from agents.answer_candidates import Candidate, answer_type
from agents.answer_choice import choose_candidate
from agents.citations import Evidence
from agents.context import ResearchContext
from agents.passage_report import choose_report, parts_of
from agents.relevance import judge_for
from agents.self_consistency import Answerer, AnswerVote, normalize_answer, sample_short_answers
from agents.summarizer import Draft
from deepresearch.schemas import Claim, ResearchBrief, ResearchTask


@dataclass(frozen=True)
class SummaryPass:
    drafts: list[Draft]
    answer: str | None = None  # None: not asked on this pass (a revision)
    vote: AnswerVote | None = None


def cited_passages(claims: Sequence[Claim]) -> list[tuple[str, str]]:
    """(source id, text) of every passage `claims` rest on, in claim order, once each."""
    seen: dict[tuple[str, str], None] = {}
    for claim in claims:
        for passage in claim.passages:
            seen.setdefault((passage.source_id, passage.text), None)
    return list(seen)


async def _answer(answerer: Answerer, context: ResearchContext) -> tuple[str, AnswerVote | None]:
    if context.config.samples > 1:
        vote = await sample_short_answers(answerer, context)
        return vote.answer, vote
    return await answerer(0), None


def claim_for(candidate: Candidate, claims: Sequence[Claim]) -> Claim | None:
    """The answer's sentence as a claim on the passage it was taken from (a sentence of an offered claim's
    passage, quoted verbatim), or None when no offered passage holds it."""
    if not candidate.sentence:
        return None
    for claim in claims:
        if claim.text == candidate.sentence:
            return claim
    for claim in claims:
        for passage in claim.passages:
            if passage.source_id == candidate.source_id and candidate.sentence in " ".join(passage.text.split()):
                return Claim(text=candidate.sentence, passages=[passage], relevance=claim.relevance)
    return None


async def _chosen_pass(
    asked: str, evidence: Evidence, tasks: Sequence[ResearchTask], context: ResearchContext
) -> SummaryPass:
    """A weak model's pass: the short answer chosen among candidates from the on-topic evidence (a question
    answered by an explanation has none), then the report chosen per part, quoting the answer's sentence."""
    judge = judge_for(asked, context.services.similarity, context.config.relevance_floor)
    is_open = answer_type(asked) == "open"
    parts = parts_of(evidence, tasks, judge, focused=is_open)
    offered = [offer.claim for part in parts for offer in part.offers]
    passages = cited_passages(offered)
    chosen: dict[str, Candidate] = {}

    async def choose(seed: int) -> str:
        candidate = await choose_candidate(
            asked, passages, context, sample_seed=seed or None, bridges=evidence.followed
        )
        chosen.setdefault(normalize_answer(candidate.text), candidate)
        return candidate.text

    answer, vote = ("", None) if is_open else await _answer(choose, context)
    answered_by = claim_for(chosen[normalize_answer(answer)], offered) if answer else None
    body, _ = await choose_report(parts, evidence, judge, context, answered_by)
    return SummaryPass([Draft(body, by_model=False)], answer, vote)


async def summarize_pass(
    brief: ResearchBrief,
    evidence: Evidence,
    tasks: Sequence[ResearchTask],
    revision_notes: str,
    context: ResearchContext,
    revision: int = 0,
) -> SummaryPass:
    """The drafts of this pass and, on the first pass, the short answer (asked alongside, so no extra wait)."""
    # The person's own words: a weak rewriter turned "Are X and Y both ...?" into a what-question.
    asked = brief.original_question
    if weak_model.is_weak(context, "summarizer"):
        return await _chosen_pass(asked, evidence, tasks, context)
    writing: Awaitable[list[Draft]] = summarizer.write_drafts(
        brief, evidence, revision_notes, context, 1 if revision else context.config.drafts
    )
    if revision:
        return SummaryPass(await writing)
    rendered = summarizer.render_evidence(evidence)

    async def write(seed: int) -> str:
        return await ask_short_answer(asked, rendered, context, sample_seed=seed or None)

    drafts, (answer, vote) = await asyncio.gather(writing, _answer(write, context))
    return SummaryPass(drafts, answer, vote)
