"""A report chosen, not written, for a weak model: per part of the question, the best passages in order.

A model that cannot write a sentence a verifier can match to a passage can still choose among passages. The
report is organised by the parts of the question (the research tasks); each part offers its findings'
sentences that bear most on the question (`agents.relevance`: above the floor and close to the best one,
from several sources), the part is led by its best sentence, and the model picks and orders what follows
it by id under a grammar. Without a usable pick, the part takes its next best sentences by relevance. Every sentence is
quoted verbatim from its source and cites it, so nothing in the body is the model's own prose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, create_model

from agents.citations import Evidence
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, neutralize
from agents.relevance import RelevanceJudge
from deepresearch.config import Tier
from deepresearch.errors import BudgetExceeded, StructuredOutputError
from deepresearch.schemas import Claim, ResearchTask

PICK_PROMPT = """<role>You choose which quoted sentences answer one part of a research question.</role>
<rules>
- {data_rule}
- Pick the ids of the sentences that best answer the part, best first, at most {picks}. Pick none that do
  not bear on it.
</rules>
<question>{question}</question>
<part>{part}</part>
<sentences>
{sentences}
</sentences>"""
PICK_PLACEHOLDERS = frozenset({"data_rule", "picks", "question", "part", "sentences"})

PICKS_PER_PART = 3
OFFERED_PER_PART = 6
OFFERED_PER_SOURCE = 2  # a part draws on several sources, not on every sentence of its best one
# A sentence offered to the model must be this close to the part's best one: the body stays on what the
# question asks, not on every passage that mentions one of its words (bench/relevance.py).
SHARE_OF_BEST = 0.7


@dataclass(frozen=True)
class Offer:
    """One quoted sentence a part may use: its id, its claim and its relevance."""

    label: str
    claim: Claim
    score: float


@dataclass
class Part:
    """One part of the question (a research task) and the sentences offered for it, best first."""

    title: str
    offers: list[Offer]


def parts_of(evidence: Evidence, tasks: Sequence[ResearchTask], judge: RelevanceJudge) -> list[Part]:
    """The parts with evidence, in task order, each offering its most relevant sentences."""
    goals = {task.id: task.goal for task in tasks}
    claims_by_task: dict[str, list[Claim]] = {}
    for task_id, claim in evidence.claims:
        claims_by_task.setdefault(task_id, []).append(claim)
    parts: list[Part] = []
    counter = 0
    for task_id, claims in claims_by_task.items():
        goal = goals.get(task_id, "")
        scored = sorted(((_relevance(claim, evidence, judge, goal), claim) for claim in claims), key=lambda i: -i[0])
        best = scored[0][0] if scored else 0.0
        offers: list[Offer] = []
        per_source: dict[str, int] = {}
        for score, claim in scored:
            source_id = claim.passages[0].source_id if claim.passages else ""
            if not judge.is_on_topic(score) or score < SHARE_OF_BEST * best:
                break
            if per_source.get(source_id, 0) >= OFFERED_PER_SOURCE or len(offers) >= OFFERED_PER_PART:
                continue
            per_source[source_id] = per_source.get(source_id, 0) + 1
            counter += 1
            offers.append(Offer(f"S{counter}", claim, score))
        if offers:
            parts.append(Part(goal, offers))
    return parts


def _relevance(claim: Claim, evidence: Evidence, judge: RelevanceJudge, goal: str) -> float:
    """The claim's relevance as its researcher judged it (knowing why it read the page), else judged here."""
    if claim.relevance is not None:
        return claim.relevance
    source = evidence.sources.get(claim.passages[0].source_id) if claim.passages else None
    return judge.score(claim.text, source.title if source else "", goal)


def _pick_schema(labels: Sequence[str]) -> type[BaseModel]:
    """`{"ids": [...]}` whose ids can only be these labels: a grammar on the embedded model."""
    choice: Any = Literal[tuple(labels)]
    return create_model("PassagePick", ids=(list[choice], Field(default_factory=list, max_length=PICKS_PER_PART)))


async def choose(part: Part, question: str, context: ResearchContext, tier: Tier | None = None) -> list[Offer]:
    """The part's sentences: its best offer leads, then the model's picks in its order (the next best offers
    by relevance when it gives none)."""
    lead, rest = part.offers[0], part.offers[1:]
    fallback = part.offers[:PICKS_PER_PART]
    if not rest:
        return fallback
    sentences = "\n".join(
        f'<source_data id="{offer.label}">{neutralize(offer.claim.text)}</source_data>' for offer in rest
    )
    prompt = PICK_PROMPT.format(
        data_rule=DATA_RULE, picks=PICKS_PER_PART, question=question, part=part.title, sentences=sentences
    )
    schema = _pick_schema([offer.label for offer in rest])
    try:
        reply = await context.models.for_role("summarizer", tier).astructured(
            [SystemMessage(prompt), HumanMessage("The ids, best first:")], schema, agent="summarizer"
        )
    except (StructuredOutputError, BudgetExceeded) as error:
        context.emit("agent.fallback", f"summarizer: passage pick: {error}", agent="summarizer")
        return fallback
    by_label = {offer.label: offer for offer in rest}
    picked = [by_label[label] for label in dict.fromkeys(getattr(reply, "ids", [])) if label in by_label]
    return [lead, *picked][:PICKS_PER_PART] if picked else fallback


def render(parts: Sequence[tuple[Part, list[Offer]]], evidence: Evidence) -> str:
    """The body: one paragraph per part (headed when there are several), each sentence citing its sources."""
    blocks: list[str] = []
    for part, picks in parts:
        sentences = []
        for offer in picks:
            numbers = ", ".join(str(n) for n in evidence.numbers_of(offer.claim))
            text = offer.claim.text.rstrip()
            end = text[-1] if text[-1:] in ".!?" else "."
            body = text[:-1] if text[-1:] in ".!?" else text
            sentences.append(f"{body} [{numbers}]{end}")
        paragraph = " ".join(sentences)
        blocks.append(f"### {part.title}\n\n{paragraph}" if len(parts) > 1 and part.title else paragraph)
    return "\n\n".join(blocks)


async def choose_report(
    evidence: Evidence,
    tasks: Sequence[ResearchTask],
    question: str,
    judge: RelevanceJudge,
    context: ResearchContext,
    tier: Tier | None = None,
) -> tuple[str, list[Claim]]:
    """The chosen report body (per part, the model's picks among its most relevant sentences), and the claims
    it quotes; `tier` is the summarizer's tier for this pass (None: its own)."""
    parts = parts_of(evidence, tasks, judge)
    picks = await asyncio.gather(*(choose(part, question, context, tier) for part in parts))
    chosen = list(zip(parts, picks, strict=True))
    return render(chosen, evidence), [offer.claim for _, offers in chosen for offer in offers]
