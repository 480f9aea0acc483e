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
from agents.answer_choice import choose_short_answer
from agents.citations import Evidence
from agents.context import ResearchContext
from agents.passage_report import choose_report
from agents.relevance import judge_for
from agents.self_consistency import Answerer, AnswerVote, sample_short_answers
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
        judge = judge_for(asked, context.services.similarity, context.config.relevance_floor)
        body, quoted = await choose_report(evidence, tasks, asked, judge, context)
        passages = cited_passages(quoted)  # the answer must come from what the report cites

        async def choose(seed: int) -> str:
            return await choose_short_answer(asked, passages, context, sample_seed=seed or None)

        answer, vote = await _answer(choose, context)
        return SummaryPass([Draft(body, by_model=False)], answer, vote)
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
