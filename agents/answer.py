"""The report's short answer, written by a capable model: a few words, kept only when the evidence says them.

Questions with a short answer (a name, a date, a number, yes or no) deserve one line a reader or a
benchmark can take at face value. The summarizer is asked for it twice over: as an `Answer: ...` first
line of its draft, and in a small structured call made at the same time as the draft (so it costs no
wait). The answer carries no citation of its own, so it is accepted only when every content word in it
appears in the verified report or in the passages it cites (a yes or no only for a yes/no question);
otherwise the report's first sentence serves as the short answer. A yes/no question gets a schema whose
answer can only be yes, no or nothing. A weak model chooses its answer instead (`agents.answer_choice`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.context import ResearchContext
from agents.evidence import DATA_RULE
from agents.prompts import SHORT_ANSWER_TECHNIQUES, technique
from deepresearch.config import Tier
from deepresearch.errors import BudgetExceeded, StructuredOutputError
from deepresearch.text import content_token_set, fold

SHORT_ANSWER_PROMPT = """<role>You answer a research question in as few words as possible.</role>
<rules>
- {data_rule}
- Use only the evidence below. Give a name, a date, a number, a place, yes or no: a few words, not a
  sentence. If the question has no short answer, or the evidence does not give it, answer with nothing.
</rules>{technique}
<question>{question}</question>
<evidence>
{evidence}
</evidence>"""
SHORT_ANSWER_PLACEHOLDERS = frozenset({"data_rule", "question", "evidence", "technique"})


class ShortAnswer(BaseModel):
    answer: str = Field(default="", max_length=80, description="A few words, or empty.")


class ReasonedShortAnswer(BaseModel):
    """The chain-of-thought variant: the steps come first, so the answer is written after them."""

    steps: str = Field(default="", max_length=400, description="Brief step-by-step reasoning.")
    answer: str = Field(default="", max_length=80, description="A few words, or empty.")


class YesNoAnswer(BaseModel):
    answer: Literal["yes", "no", ""] = Field(default="", description="yes, no, or empty if the evidence does not say.")


class ReasonedYesNoAnswer(BaseModel):
    steps: str = Field(default="", max_length=400, description="Brief step-by-step reasoning.")
    answer: Literal["yes", "no", ""] = Field(default="", description="yes, no, or empty if the evidence does not say.")


ANSWER_SCHEMAS: dict[tuple[bool, bool], type[ShortAnswer | ReasonedShortAnswer | YesNoAnswer | ReasonedYesNoAnswer]] = {
    # (yes/no question, chain of thought) → the reply's schema
    (False, False): ShortAnswer,
    (False, True): ReasonedShortAnswer,
    (True, False): YesNoAnswer,
    (True, True): ReasonedYesNoAnswer,
}

ANSWER_RULE = (
    "If the question asks for a name, a date, a number, a place, yes or no, or another short fact, your "
    "first line is `Answer: ` followed by that answer in as few words as possible (no sentence, no "
    "citation). Otherwise leave that line out."
)
MAX_ANSWER_WORDS = 12

_ANSWER_LINE = re.compile(r"^\W*(?:short\s+)?answer\W*:\W*(?P<answer>.*?)\W*$", re.IGNORECASE)
_YES_NO_START = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|shall|may|might)\b", re.IGNORECASE
)


async def ask_short_answer(
    question: str, evidence: str, context: ResearchContext, *, sample_seed: int | None = None, tier: Tier | None = None
) -> str:
    """The summarizer model's short answer to `question` from the rendered evidence ("" when it has none).

    With `sample_seed` the call samples at `sample_temperature` with that seed (self-consistency); `tier` is
    the summarizer's tier for this pass (None: its own).
    """
    style = context.config.prompt_style
    prompt = SHORT_ANSWER_PROMPT.format(
        data_rule=DATA_RULE,
        question=question,
        evidence=evidence,
        technique=technique(SHORT_ANSWER_TECHNIQUES, style),
    )
    model = context.models.for_role("summarizer", tier)
    if sample_seed is not None:
        model = model.sampling(context.config.sample_temperature, sample_seed)
    schema = ANSWER_SCHEMAS[(is_yes_no_question(question), style == "cot")]
    try:
        reply = await model.astructured(
            [SystemMessage(prompt), HumanMessage("The short answer:")], schema, agent="summarizer"
        )
    except (StructuredOutputError, BudgetExceeded) as error:
        context.emit("agent.fallback", f"summarizer: short answer: {error}", agent="summarizer")
        return ""
    return reply.answer.strip()


def split_answer(text: str) -> tuple[str, str]:
    """The `Answer: ...` line of a draft, if its first line is one, and the draft without it."""
    lines = text.strip().splitlines()
    if not lines:
        return "", ""
    match = _ANSWER_LINE.match(lines[0].strip())
    if match is None:
        return "", text.strip()
    return match.group("answer").strip(), "\n".join(lines[1:]).strip()


def is_yes_no_question(question: str) -> bool:
    return bool(_YES_NO_START.match(question))


def grounded_answer(answer: str, question: str, evidence_texts: Iterable[str]) -> str:
    """`answer` if the evidence states it (every content word found there), else ""."""
    answer = answer.strip().rstrip(".")
    if not answer or len(answer.split()) > MAX_ANSWER_WORDS:
        return ""
    if answer.lower() in {"yes", "no"}:
        return answer.lower() if is_yes_no_question(question) else ""
    wanted = content_token_set(answer)
    if not wanted:  # no content word ("T&T", "U2"): then the evidence must hold it as written
        return answer if any(fold(answer) in fold(text) for text in evidence_texts) else ""
    found: set[str] = set()
    for text in evidence_texts:
        found |= wanted & content_token_set(text)
        if found == wanted:
            return answer
    return ""
