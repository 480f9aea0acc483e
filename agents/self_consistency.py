"""Self-consistency for short answers: N samples over the same evidence, normalized, the majority wins.

One sample of a weak model is a coin toss; several samples at a temperature above zero that agree are
less likely to be one. Answers are normalized the way HotpotQA scores them (lower case, no articles, no
punctuation), the most frequent non-empty form wins (ties: the one given first), and the share of all
samples that gave it is the answer's confidence: an empty sample (no answer, a failed call) counts
against it. A low share asks for one more research round, once, when the budgets leave room for a
round like the ones before it; the task of that round names the answers that disagree.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from pydantic import BaseModel, Field

from agents.context import ResearchContext
from agents.router import on_quick_path
from deepresearch.budgets import run_stopper
from deepresearch.schemas import ResearchTask
from deepresearch.text import normalize_answer

MAX_CANDIDATES_IN_TASK = 3


class AnswerVote(BaseModel):
    """The outcome of sampling the short answer N times."""

    answer: str = ""  # the winning answer as first written ("" when no sample gave one)
    agreement: float = 0.0  # share of all samples whose normalized answer is the winner's
    samples: list[str] = Field(default_factory=list)  # every sample's answer, in order ("" for none)

    @property
    def votes(self) -> int:
        return sum(normalize_answer(a) == normalize_answer(self.answer) for a in self.samples) if self.answer else 0

    def candidates(self) -> list[str]:
        """Distinct non-empty answers, most votes first."""
        counts: dict[str, tuple[int, str]] = {}
        for sample in self.samples:
            key = normalize_answer(sample)
            if key:
                count, first = counts.get(key, (0, sample.strip()))
                counts[key] = (count + 1, first)
        return [first for _, first in sorted(counts.values(), key=lambda item: -item[0])]


def majority_vote(answers: Sequence[str]) -> AnswerVote:
    """The most frequent normalized non-empty answer and its share of all `answers`."""
    cleaned = [answer.strip().rstrip(".").strip() for answer in answers]
    groups: dict[str, list[str]] = {}
    for answer in cleaned:
        if normalize_answer(answer):
            groups.setdefault(normalize_answer(answer), []).append(answer)
    if not groups:
        return AnswerVote(samples=cleaned)
    winner = max(groups.values(), key=len)  # max keeps the first of equals: the answer given first wins ties
    return AnswerVote(answer=winner[0], agreement=round(len(winner) / len(cleaned), 4), samples=cleaned)


Answerer = Callable[[int], Awaitable[str]]  # a seed → one short-answer sample


async def sample_short_answers(answerer: Answerer, context: ResearchContext) -> AnswerVote:
    """`samples` short answers at `sample_temperature`, concurrently (seeds 1..N), and their majority; the
    answerer writes them (a capable model) or chooses them among candidates (a weak one)."""
    count = context.config.samples
    answers = await asyncio.gather(*(answerer(seed) for seed in range(1, count + 1)))
    vote = majority_vote(answers)
    context.emit(
        "answer.vote",
        f"{vote.votes} of {count} short-answer samples agree on {vote.answer!r} (agreement {vote.agreement:.2f})",
        agent="summarizer",
        answer=vote.answer,
        agreement=vote.agreement,
        samples=vote.samples,
    )
    return vote


def wants_another_round(
    vote: AnswerVote, *, round_no: int, limits_hit: Sequence[str], already_rechecked: bool, context: ResearchContext
) -> bool:
    """Low agreement, not yet rechecked, and budget for one more round like the average one so far."""
    config = context.config
    if config.samples < 2 or vote.agreement >= config.min_agreement or already_rechecked:
        return False
    if round_no >= config.max_rounds or run_stopper(limits_hit):
        return False
    rounds_done = max(round_no, 1)
    remaining_tokens = context.models.ledger.remaining
    used_tokens = context.models.ledger.total.total_tokens
    if remaining_tokens is not None and remaining_tokens < used_tokens / rounds_done:
        return False
    elapsed = context.clock.elapsed_s
    return config.max_time_s - elapsed >= elapsed / rounds_done


def recheck_task(question: str, vote: AnswerVote, round_no: int, *, quick: bool = False) -> ResearchTask:
    """The task of the extra round: find the passage that decides between the answers given. On the quick
    path it keeps the quick path's limits (one step, quoted claims, the fast tier)."""
    candidates = vote.candidates()[:MAX_CANDIDATES_IN_TASK]
    if candidates:
        goal = f"Settle the answer to: {question} (candidate answers that disagree: {'; '.join(candidates)})"
    else:
        goal = f"Find the passage that answers: {question}"
    task = ResearchTask(
        id=f"r{round_no}check",
        goal=goal,
        queries=[question, *candidates],
        done_when="a passage states the answer to the question",
    )
    return on_quick_path(task) if quick else task


def recheck_note(vote: AnswerVote, min_agreement: float, round_no: int) -> str:
    return (
        f"Self-consistency: only {vote.votes} of {len(vote.samples)} short-answer samples agreed (agreement "
        f"{vote.agreement:.2f}, below {min_agreement:.2f}), so one more research round (round {round_no}) "
        "was run to settle the answer."
    )
