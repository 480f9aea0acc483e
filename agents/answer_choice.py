"""The short answer chosen, not written, for a weak model: one of the candidates the cited passages hold.

The candidates (`agents.answer_candidates`) the ranking cannot tell apart are offered as options under a
grammar, so the model can only answer with one of them (yes or no for a yes/no question, one of the two
options of an "A or B" question); a candidate that leads the others clearly is the answer without asking,
and so is the option an either-or comparison in time picks by the years its pages give (`agents.comparison`).
When it gives no usable choice, the best-ranked candidate is the answer (none for a yes/no question: there
is no deterministic way to decide one). Every candidate comes from a passage the report cites, so the
answer is grounded by construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, create_model

from agents.answer_candidates import Candidate, answer_type, extract_candidates
from agents.comparison import compare_in_time
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, neutralize
from deepresearch.config import Tier
from deepresearch.errors import BudgetExceeded, StructuredOutputError

CHOICE_PROMPT = """<role>You choose the short answer to a research question from given options.</role>
<rules>
- {data_rule}
- Choose the option that the evidence states as the answer to the question.
</rules>
<question>{question}</question>
<evidence>
{evidence}
</evidence>
<options>{options}</options>"""
CHOICE_PLACEHOLDERS = frozenset({"data_rule", "question", "evidence", "options"})
EVIDENCE_SENTENCES = 6


def _choice_schema(options: Sequence[str]) -> type[BaseModel]:
    choice: Any = Literal[tuple(options)]
    return create_model("AnswerChoice", answer=(choice, ...))


def _evidence(candidates: Sequence[Candidate], passages: Sequence[tuple[str, str]]) -> str:
    sentences = [c.sentence for c in candidates if c.sentence]
    if not sentences:
        sentences = [text for _, text in passages[:EVIDENCE_SENTENCES]]
    lines = dict.fromkeys(neutralize(sentence) for sentence in sentences)
    return "\n".join(f"<source_data>{line}</source_data>" for line in list(lines)[:EVIDENCE_SENTENCES])


async def choose_short_answer(
    question: str,
    passages: Sequence[tuple[str, str]],
    context: ResearchContext,
    *,
    sample_seed: int | None = None,
    tier: Tier | None = None,
) -> str:
    """The chosen answer to `question` from `passages` ((source id, text) of the evidence), or "";
    `tier` is the summarizer's tier for this pass (None: its own)."""
    return (await choose_candidate(question, passages, context, Choosing(sample_seed, tier))).text


@dataclass(frozen=True)
class Choosing:
    """How one choice is made: with which sampling seed (self-consistency), on which tier of the summarizer,
    which names the research followed to a second page (bridges, not answers), and the title of each
    source the passages come from (an option's own page dates it for a comparison in time)."""

    sample_seed: int | None = None
    tier: Tier | None = None
    bridges: Sequence[str] = ()
    titles: Mapping[str, str] = field(default_factory=dict)


NO_ANSWER = Candidate("", 0.0, "", "")
# The model chooses among the candidates the ranking cannot tell apart: those scoring at least this share of
# the best. Where one candidate leads by more, it is the answer without a model call: on the shared QA set
# SmolLM2-135M's choice among the top four did no better than the ranking (F1 0.222 against 0.224 on
# 72d1b6a, 0.226 against 0.261 on 6538a4d). A yes/no or either-or question always offers both options: its
# ranking does not say which is true.
NEAR_TIE = 0.95


def _record(
    context: ResearchContext, message: str, options: Sequence[str], chosen: str, ranked: Sequence[Candidate], by: str
) -> None:
    """The `answer.chosen` event: what was offered, what was chosen and by whom, and every ranked candidate."""
    context.emit(
        "answer.chosen",
        message,
        agent="summarizer",
        options=list(options),
        chosen=chosen,
        ranked_first=ranked[0].text,
        by=by,
        candidates=[c.text for c in ranked],
        scores=[round(c.score, 3) for c in ranked],
    )


async def choose_candidate(
    question: str, passages: Sequence[tuple[str, str]], context: ResearchContext, how: Choosing = Choosing()
) -> Candidate:
    """The chosen candidate (its text, and the sentence and source it came from), or `NO_ANSWER`."""
    ranked = extract_candidates(question, passages, how.bridges, context.services.similarity)
    if not ranked:
        return NO_ANSWER
    kind = answer_type(question)
    fallback = NO_ANSWER if kind == "yes_no" else ranked[0]
    if kind == "choice":
        both = [c.text for c in ranked]
        dated = compare_in_time(question, both, passages, how.titles)
        if dated is not None:
            message = f"comparison chose {dated.option!r}: its page gives {dated.year}"
            _record(context, message, both, dated.option, ranked, "comparison")
            return Candidate(dated.option, 1.0, dated.sentence, dated.source_id)
    candidates = ranked
    if kind not in ("yes_no", "choice"):
        candidates = [c for c in ranked if c.score >= NEAR_TIE * ranked[0].score]
        if len(candidates) == 1:
            lead = candidates[0].text
            message = f"ranking chose {lead!r}: no other candidate came within {1 - NEAR_TIE:.0%} of it"
            _record(context, message, [lead], lead, ranked, "ranking")
            return candidates[0]
    is_yes_no = kind == "yes_no"
    options = [c.text for c in candidates]
    prompt = CHOICE_PROMPT.format(
        data_rule=DATA_RULE,
        question=question,
        evidence=_evidence([] if is_yes_no else candidates, passages),
        options="; ".join(options),
    )
    model = context.models.for_role("summarizer", how.tier)
    if how.sample_seed is not None:
        model = model.sampling(context.config.sample_temperature, how.sample_seed)
    try:
        reply = await model.astructured(
            [SystemMessage(prompt), HumanMessage("The answer:")], _choice_schema(options), agent="summarizer"
        )
    except (StructuredOutputError, BudgetExceeded) as error:
        context.emit("agent.fallback", f"summarizer: answer choice: {error}", agent="summarizer")
        return fallback
    chosen = str(getattr(reply, "answer", ""))
    _record(context, f"summarizer chose {chosen!r} among {options}", options, chosen, ranked, "model")
    return next((c for c in candidates if c.text == chosen), fallback)
