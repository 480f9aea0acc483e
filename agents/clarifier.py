"""Clarifier: decides whether the brief is ambiguous and asks at most three questions.

The graph asks through `interrupt()`; answers (or, when clarification is off or unanswered, the
assumptions made instead) are written into the brief and later into the report's method section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.context import ResearchContext
from deepresearch.errors import StructuredOutputError
from deepresearch.schemas import ResearchBrief

MAX_QUESTIONS = 3

CLARIFY_PROMPT = """<role>You decide whether a research question is too ambiguous to research well.</role>
<rules>
- Ask only when the answer would change what gets researched (scope, time frame, region, definition).
- Ask at most {max_questions} short questions; ask none for a clear question.
- For every open point, also state the assumption you would make if nobody answers.
</rules>
<question>{question}</question>
<intent>{intent}</intent>"""

CLARIFY_PLACEHOLDERS = frozenset({"max_questions", "question", "intent"})


class ClarifyDecision(BaseModel):
    needs_clarification: bool = False
    questions: list[str] = Field(default_factory=list, description="At most 3 short questions")
    assumptions: list[str] = Field(default_factory=list, description="What you assume if nobody answers")


async def decide_clarification(brief: ResearchBrief, context: ResearchContext) -> ClarifyDecision:
    """The clarifier's decision; an unusable reply means 'no questions'."""
    prompt = CLARIFY_PROMPT.format(max_questions=MAX_QUESTIONS, question=brief.question, intent=brief.intent)
    handle = context.models.for_role("clarifier")
    try:
        decision = await handle.astructured(
            [SystemMessage(prompt), HumanMessage(brief.question)], ClarifyDecision, agent="clarifier"
        )
    except StructuredOutputError as error:
        context.emit("agent.fallback", f"clarifier: {error}", agent="clarifier")
        return ClarifyDecision()
    questions = _distinct(q for q in decision.questions if q.strip())[:MAX_QUESTIONS]
    return ClarifyDecision(
        needs_clarification=decision.needs_clarification and bool(questions),
        questions=questions,
        assumptions=_distinct(a for a in decision.assumptions if a.strip())[:MAX_QUESTIONS],
    )


def _distinct(items: object) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:  # type: ignore[attr-defined]
        text = " ".join(str(item).split())
        seen.setdefault(text.lower(), text)
    return list(seen.values())


def normalize_answers(questions: Sequence[str], answers: object) -> list[tuple[str, str]]:
    """Pair questions with answers given as a list, a mapping (question or index → answer) or one string."""
    if answers is None:
        return []
    if isinstance(answers, str):
        answers = [answers]
    pairs: list[tuple[str, str]] = []
    if isinstance(answers, Mapping):
        for index, question in enumerate(questions):
            value = answers.get(question, answers.get(str(index), answers.get(index)))
            if value is not None and str(value).strip():
                pairs.append((question, str(value).strip()))
        return pairs
    if isinstance(answers, Sequence):
        for question, value in zip(questions, answers, strict=False):
            if value is not None and str(value).strip():
                pairs.append((question, str(value).strip()))
    return pairs


def apply_clarification(
    brief: ResearchBrief, decision: ClarifyDecision, answered: Sequence[tuple[str, str]]
) -> ResearchBrief:
    """The brief with answers recorded; every unanswered question becomes a stated assumption."""
    answered_questions = {q for q, _ in answered}
    assumptions = list(brief.assumptions)
    for index, question in enumerate(decision.questions):
        if question in answered_questions:
            continue
        if index < len(decision.assumptions):
            assumptions.append(decision.assumptions[index])
        else:
            assumptions.append(f"Not asked: {question} Assumed the most common reading.")
    if not decision.questions:
        assumptions.extend(decision.assumptions)
    return brief.model_copy(
        update={"clarifications": [*brief.clarifications, *answered], "assumptions": _distinct(assumptions)}
    )


def brief_with_answers_text(brief: ResearchBrief) -> str:
    """The question plus clarifications and assumptions, as every later prompt sees it."""
    lines = [brief.question]
    lines.extend(f"Clarified: {q} → {a}" for q, a in brief.clarifications)
    lines.extend(f"Assumed: {a}" for a in brief.assumptions)
    return "\n".join(lines)
