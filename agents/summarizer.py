"""Summarizer: writes the report body only from findings and their passages, citing sources as `[n]`.

A model writes the draft; when it cannot (budget spent, no usable text) or its draft is garbage, a
deterministic extractive draft built from the claims themselves takes over, so a cited report exists
even with the weakest model. With no evidence at all the run ends with an insufficient-evidence report
that lists what was tried, never an invented answer.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage

from agents.answer import ANSWER_RULE, split_answer
from agents.citations import Evidence, tidy_citations
from agents.clarifier import brief_with_answers_text
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, neutralize
from agents.prompts import SUMMARY_TECHNIQUES, technique
from agents.report_scope import DEFAULT_SCOPE, ReportScope
from deepresearch.errors import BudgetExceeded
from deepresearch.llm.handle import ChatModelHandle
from deepresearch.schemas import ResearchBrief, ResearchTask

SUMMARY_PROMPT = """<role>You write the findings section of a research report.</role>
<rules>
- {data_rule}
- Use only the evidence below. Every sentence states something the evidence says and ends with the
  number of its source in square brackets, like [1]. Never cite a number that is not listed.
- {answer_rule}
- Then start with one sentence that answers the question directly. No title, no references list.
- If the evidence does not cover part of the question, say so plainly instead of guessing.
- Write in the language with code "{language}".
</rules>{technique}
<brief>{brief}</brief>
<evidence>
{evidence}
</evidence>
<revision_notes>{revision_notes}</revision_notes>"""

SUMMARY_PLACEHOLDERS = frozenset(
    {"data_rule", "answer_rule", "language", "brief", "evidence", "revision_notes", "technique"}
)
MIN_DRAFT_CHARS = 40


def render_evidence(evidence: Evidence) -> str:
    blocks = []
    for _, claim in evidence.claims:
        numbers = evidence.numbers_of(claim)
        label = ", ".join(f"[{n}]" for n in numbers)
        quotes = " … ".join(neutralize(p.text) for p in claim.passages[:2])
        blocks.append(
            f'<source_data cite="{label}">\nClaim: {neutralize(claim.text)}\nPassage: {quotes}\n</source_data>'
        )
    return "\n".join(blocks)


@dataclass(frozen=True)
class Draft:
    markdown: str
    by_model: bool  # False: the extractive fallback wrote it
    answer: str = ""  # the short answer the model gave first, not yet checked against the evidence
    # False: its parts were verified and revised on their own (a deep report), so the whole is not sent back
    is_revisable: bool = True


async def write_drafts(
    brief: ResearchBrief,
    evidence: Evidence,
    revision_notes: str,
    context: ResearchContext,
    count: int = 1,
    scope: ReportScope = DEFAULT_SCOPE,
) -> list[Draft]:
    """`count` drafts written concurrently: one at the configured temperature, or, for best-of-N, each
    at `sample_temperature` with its own seed so they differ."""
    if count <= 1:
        return [await write_draft(brief, evidence, revision_notes, context, scope=scope)]
    writing = (
        write_draft(brief, evidence, revision_notes, context, sample_seed=seed, scope=scope)
        for seed in range(1, count + 1)
    )
    return list(await asyncio.gather(*writing))


async def write_draft(
    brief: ResearchBrief,
    evidence: Evidence,
    revision_notes: str,
    context: ResearchContext,
    *,
    sample_seed: int | None = None,
    scope: ReportScope = DEFAULT_SCOPE,
) -> Draft:
    """A draft body, whether the model wrote it, and the short answer it opened with, if any; the reply may
    be as long as the scope's depth allows."""
    prompt = SUMMARY_PROMPT.format(
        data_rule=DATA_RULE,
        answer_rule=ANSWER_RULE,
        language=brief.language,
        brief=brief_with_answers_text(brief),
        evidence=render_evidence(evidence),
        revision_notes=revision_notes or "none",
        technique=technique(SUMMARY_TECHNIQUES, context.config.prompt_style),
    )
    model = scope.writer(context)
    if sample_seed is not None:
        model = model.sampling(context.config.sample_temperature, sample_seed)
    return await write_with(model, prompt, "Write the findings now.", extractive_draft(evidence), context)


async def write_with(
    model: ChatModelHandle, prompt: str, instruction: str, fallback: str, context: ResearchContext
) -> Draft:
    """One summarizer reply to `prompt` as a draft; when the budget is spent or the reply is too short to be
    a draft, `fallback` (text quoted from the evidence, with its citations) stands in for it."""
    try:
        reply = await model.ainvoke([SystemMessage(prompt), HumanMessage(instruction)], agent="summarizer")
    except BudgetExceeded as exceeded:
        context.emit("budget.exceeded", str(exceeded), agent="summarizer", limit=exceeded.limit)
        return Draft(fallback, by_model=False)
    answer, text = split_answer(reply.text)
    if len(text) < MIN_DRAFT_CHARS:
        context.emit("agent.fallback", "summarizer: empty draft; using the extractive draft", agent="summarizer")
        return Draft(fallback, by_model=False, answer=answer)
    return Draft(tidy_citations(text), by_model=True, answer=answer)


def extractive_draft(evidence: Evidence) -> str:
    """One paragraph per task: each claim verbatim with its source numbers."""
    by_task: dict[str, list[str]] = defaultdict(list)
    for task_id, claim in evidence.claims:
        numbers = ", ".join(str(n) for n in evidence.numbers_of(claim))
        sentence = claim.text.rstrip()
        end = sentence[-1] if sentence and sentence[-1] in ".!?" else "."
        body = sentence[:-1] if sentence and sentence[-1] in ".!?" else sentence
        by_task[task_id].append(f"{body} [{numbers}]{end}")
    return "\n\n".join(" ".join(sentences) for sentences in by_task.values())


def gaps_markdown(tasks: Sequence[ResearchTask], covered_task_ids: set[str]) -> str:
    missing = [task.goal for task in tasks if task.id not in covered_task_ids]
    if not missing:
        return ""
    return "The evidence found does not cover:\n" + "\n".join(f"- {goal}" for goal in missing)


def insufficient_evidence_markdown(brief: ResearchBrief, queries_tried: Sequence[str], problems: Sequence[str]) -> str:
    """The body of a report for a run whose retrieval failed: what was tried, no invented answer."""
    lines = [
        "Insufficient evidence: no source that could be read supports an answer to this question, "
        "so this report gives none.",
        "",
        "What was tried:",
    ]
    lines.extend(f"- search: {query}" for query in dict.fromkeys(q for q in queries_tried if q))
    if not queries_tried:
        lines.append("- no search could be run")
    if problems:
        lines.append("")
        lines.append("Problems met:")
        lines.extend(f"- {problem}" for problem in dict.fromkeys(problems))
    lines.append("")
    lines.append(f"Question as researched: {brief.question}")
    return "\n".join(lines)
