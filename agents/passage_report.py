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
from deepresearch.text import fold

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
# An explanation draws only on sentences that bear on the question as asked nearly as much as the best one
# does: a task's own best sentence can come from a page only that task's words reach ("Tabanidae", flies,
# for "How do airplanes fly?"). The share was set on the bench's open questions (bench/README.md says so).
SHARE_OF_TOP = 0.6


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


def parts_of(
    evidence: Evidence, tasks: Sequence[ResearchTask], judge: RelevanceJudge, *, focused: bool = True
) -> list[Part]:
    """The parts with evidence, in task order, each offering its most relevant sentences.

    `focused` (a question answered by an explanation): only sentences close to the part's best one, so the
    body stays on what is asked. Otherwise (a question with a short answer) every sentence above the floor
    may be offered: the answer often sits in a page reached through another, which reads less like the
    question than the page that led to it.
    """
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
        eligible = [(s, c) for s, c in scored if judge.is_on_topic(s) and (not focused or s >= SHARE_OF_BEST * best)]
        offers: list[Offer] = []
        for score, claim in _by_source_rounds(eligible)[:OFFERED_PER_PART]:
            counter += 1
            offers.append(Offer(f"S{counter}", claim, score))
        if offers:
            parts.append(Part(goal, offers))
    return _near_the_top(parts, evidence, judge) if focused else parts


def _near_the_top(parts: Sequence[Part], evidence: Evidence, judge: RelevanceJudge) -> list[Part]:
    """The offers whose relevance to the question itself is at least `SHARE_OF_TOP` of the best offer's."""

    def asked(offer: Offer) -> float:  # as the report's relevance figure scores the citation
        return max((judge.passage_score(p, evidence.sources) for p in offer.claim.passages), default=0.0)

    top = max((asked(offer) for part in parts for offer in part.offers), default=0.0)
    kept = [Part(part.title, [o for o in part.offers if asked(o) >= SHARE_OF_TOP * top]) for part in parts]
    return [part for part in kept if part.offers]


def _by_source_rounds(scored: Sequence[tuple[float, Claim]]) -> list[tuple[float, Claim]]:
    """The best sentence of every source first (best first), then each source's second best: a part draws
    on several sources before it draws twice on one."""
    rounds: list[list[tuple[float, Claim]]] = [[] for _ in range(OFFERED_PER_SOURCE)]
    taken: dict[str, int] = {}
    for score, claim in scored:
        source_id = claim.passages[0].source_id if claim.passages else ""
        count = taken.get(source_id, 0)
        if count < OFFERED_PER_SOURCE:
            rounds[count].append((score, claim))
            taken[source_id] = count + 1
    return [item for round_ in rounds for item in round_]


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


def _is_about(claim: Claim, name: str, evidence: Evidence, *, by_page: bool) -> bool:
    """Whether `claim` was read on a page about `name` (one whose title holds it), or, not `by_page`, names it."""
    if not by_page:
        return fold(name) in fold(claim.text)
    source = evidence.sources.get(claim.passages[0].source_id) if claim.passages else None
    return source is not None and fold(name) in fold(source.title)


def _named_gaps(
    names: Sequence[str], picks: Sequence[list[Offer]], evidence: Evidence, judge: RelevanceJudge
) -> list[Offer]:
    """For each of `names` that no picked sentence is about, the most relevant on-topic finding that is (a
    question comparing two things is answered from both; a multi-hop answer shows the page each hop reached).

    A sentence from the page about the name comes first: "starring Shirley Temple" on the film's page names
    the actress, but what the question asks of her is on her own page. A sentence that only names it counts
    when no page about it was read."""
    shown = [offer.claim for offers in picks for offer in offers]
    added: list[Offer] = []
    scored = ((_relevance(claim, evidence, judge, ""), claim) for _, claim in evidence.claims)
    findings = [(score, claim) for score, claim in scored if judge.is_on_topic(score)]
    for name in names:
        for by_page in (True, False):
            if any(_is_about(claim, name, evidence, by_page=by_page) for claim in shown):
                break
            about = [(score, claim) for score, claim in findings if _is_about(claim, name, evidence, by_page=by_page)]
            if about:
                best = max(about, key=lambda item: item[0])[1]
                added.append(Offer(f"named{len(added)}", best, 0.0))
                shown.append(best)
                break
    return added


@dataclass(frozen=True)
class Coverage:
    """What a chosen report must show besides its picks: the sentence its short answer was taken from, and a
    sentence about each of `names` (the things the question names; for a question with a short answer, also
    the names the research followed to a second page: the trail to the answer)."""

    answered_by: Claim | None = None
    names: Sequence[str] = ()


async def choose_report(
    parts: Sequence[Part],
    evidence: Evidence,
    judge: RelevanceJudge,
    context: ResearchContext,
    coverage: Coverage = Coverage(),
    tier: Tier | None = None,
) -> tuple[str, list[Claim]]:
    """The chosen report body (per part, its lead, then the model's picks) and the claims it quotes.

    What `coverage` asks for and no pick holds is quoted in the first part, right after its lead, so the
    answer always rests on a sentence the report shows and cites.
    """
    question, answered_by = judge.question, coverage.answered_by
    picks = list(await asyncio.gather(*(choose(part, question, context, tier) for part in parts)))
    if parts:
        extra = _named_gaps(coverage.names, picks, evidence, judge)
        if answered_by is not None and not any(o.claim.text == answered_by.text for p in picks for o in p):
            extra.insert(0, Offer("answer", answered_by, picks[0][0].score))
        picks[0] = [picks[0][0], *extra, *picks[0][1:]]
    chosen = list(zip(parts, picks, strict=True))
    return render(chosen, evidence), [offer.claim for _, offers in chosen for offer in offers]
