"""One summarize pass: the drafts and, on the first pass, the short answer beside them.

A capable model writes its drafts (`agents.summarizer`) and, at the same time, a short answer
(`agents.answer`); the verifier keeps what verifies and may send the best draft back for revision. At depth
deep it writes an outline, the sections in parallel and a lead summary instead (`agents.deep_report`). A weak
model writes nothing that would be thrown away: the report is chosen per part of the question
(`agents.passage_report`) and the short answer is chosen among the candidates the cited passages hold
(`agents.answer_choice`); neither is sent back for revision. With `samples` > 1 either answerer is sampled
and the majority wins (`agents.self_consistency`). The pass's scope (`agents.report_scope`) says the depth
and the summarizer's tier: the quick path writes on the fast tier, an escalated pass on the reasoning tier.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from agents import summarizer, weak_model
from agents.answer import ask_short_answer
from agents.answer_candidates import Candidate, answer_type
from agents.answer_choice import Choosing, choose_candidate
from agents.context import ResearchContext
from agents.deep_report import write_deep_report
from agents.leads import names_in
from agents.passage_report import Coverage, choose_report, parts_of
from agents.relevance import judge_for
from agents.report_scope import SummaryRequest
from agents.self_consistency import Answerer, AnswerVote, sample_short_answers
from agents.summarizer import Draft
from deepresearch.schemas import Claim
from deepresearch.text import normalize_answer


@dataclass(frozen=True)
class SummaryPass:
    drafts: list[Draft]
    answer: str | None = None  # None: not asked on this pass (a revision)
    vote: AnswerVote | None = None
    notes: list[str] = field(default_factory=list)  # for the method section


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


def _by_relevance(claim: Claim) -> float:
    return -(claim.relevance or 0.0)


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


async def _chosen_pass(request: SummaryRequest, context: ResearchContext) -> SummaryPass:
    """A weak model's pass: the short answer chosen among candidates from the on-topic evidence (a question
    answered by an explanation has none), then the report chosen per part, quoting the answer's sentence."""
    asked, evidence, tier = request.brief.original_question, request.evidence, request.scope.tier
    judge = judge_for(asked, context.services.similarity, context.config.relevance_floor)
    is_open = answer_type(asked) == "open"
    parts = parts_of(evidence, request.tasks, judge, focused=is_open)
    offered = [offer.claim for part in parts for offer in part.offers]
    # Every on-topic finding may hold the answer, most relevant first: a second-hop page reads less like the
    # question than the page that led to it, so it is often not among a part's offers.
    on_topic = sorted((c for _, c in evidence.claims if (c.relevance or 0.0) >= judge.floor), key=_by_relevance)
    passages = cited_passages([*offered, *on_topic])
    chosen: dict[str, Candidate] = {}
    titles = {source_id: source.title for source_id, source in evidence.sources.items()}

    async def choose(seed: int) -> str:
        how = Choosing(sample_seed=seed or None, tier=tier, bridges=evidence.followed, titles=titles)
        candidate = await choose_candidate(asked, passages, context, how)
        chosen.setdefault(normalize_answer(candidate.text), candidate)
        return candidate.text

    answer, vote = ("", None) if is_open else await _answer(choose, context)
    answered_by = claim_for(chosen[normalize_answer(answer)], [*offered, *on_topic]) if answer else None
    names = [*names_in(asked), *([] if is_open else evidence.followed)]
    body, _ = await choose_report(parts, evidence, judge, context, Coverage(answered_by, names), tier)
    return SummaryPass([Draft(body, by_model=False)], answer, vote)


async def summarize_pass(request: SummaryRequest, context: ResearchContext) -> SummaryPass:
    """The drafts of this pass and, on the first pass, the short answer (asked alongside, so no extra wait)."""
    # The person's own words: a weak rewriter turned "Are X and Y both ...?" into a what-question.
    brief, evidence, scope = request.brief, request.evidence, request.scope
    asked = brief.original_question
    tier = scope.tier
    if weak_model.is_weak(context, "summarizer", tier):
        return await _chosen_pass(request, context)
    if request.revision:
        return SummaryPass(await summarizer.write_drafts(brief, evidence, request.revision_notes, context, 1, scope))
    writing = _write(request, context)
    rendered = summarizer.render_evidence(evidence)

    async def write(seed: int) -> str:
        return await ask_short_answer(asked, rendered, context, sample_seed=seed or None, tier=tier)

    (drafts, notes), (answer, vote) = await asyncio.gather(writing, _answer(write, context))
    return SummaryPass(drafts, answer, vote, notes)


async def _write(request: SummaryRequest, context: ResearchContext) -> tuple[list[Draft], list[str]]:
    """A first pass's drafts: at depth deep one sectioned report, else `drafts` whole drafts (best-of-N)."""
    if request.scope.is_sectioned:
        deep = await write_deep_report(request, context)
        return [deep.draft], [deep.note]
    count = context.config.drafts
    return await summarizer.write_drafts(request.brief, request.evidence, "", context, count, request.scope), []
