"""Manager: plans research tasks sized by difficulty, then reviews findings for gaps.

Planning happens before any page is read, so fetched text can never steer the plan. The review sees
findings only inside `<source_data>` blocks. Tasks over `max_agents` are dropped with a note, never
silently; a failed structured reply falls back to one task on the whole question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.clarifier import brief_with_answers_text
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, neutralize
from deepresearch.errors import StructuredOutputError
from deepresearch.schemas import Findings, ResearchBrief, ResearchTask

Difficulty = Literal["simple", "moderate", "broad"]

PLAN_PROMPT = """<role>You are the research manager. You split a research brief into independent tasks.</role>
<rules>
- Judge the difficulty: "simple" (one fact: one task), "moderate" (a few aspects) or "broad" (many aspects).
- Give at most {max_agents} tasks; each has a goal, 1-3 first search queries and what counts as done.
- Tasks must not overlap; do not answer the question yourself.
</rules>
<brief>{brief}</brief>"""

REVIEW_PROMPT = """<role>You are the research manager reviewing what your researchers found.</role>
<rules>
- {data_rule}
- Name the parts of the brief that the findings do not cover yet (gaps) and any contradictions.
- Propose new tasks only for the missing pieces, at most {max_agents}; set is_done when nothing is missing.
</rules>
<brief>{brief}</brief>
<tasks_done>{tasks_done}</tasks_done>
<findings>{findings}</findings>"""

PLAN_PLACEHOLDERS = frozenset({"max_agents", "brief"})
REVIEW_PLACEHOLDERS = frozenset({"data_rule", "max_agents", "brief", "tasks_done", "findings"})


class TaskDraft(BaseModel):
    goal: str
    queries: list[str] = Field(default_factory=list)
    done_when: str = ""


class Plan(BaseModel):
    difficulty: Difficulty = "simple"
    tasks: list[TaskDraft] = Field(default_factory=list)


class Review(BaseModel):
    is_done: bool = True
    gaps: list[TaskDraft] = Field(default_factory=list)
    contradictions: list[str] = Field(default_factory=list)


@dataclass
class Dispatch:
    """Tasks to run next, plus notes for the report's method section (drops, contradictions)."""

    tasks: list[ResearchTask]
    notes: list[str] = field(default_factory=list)
    difficulty: Difficulty = "simple"


def task_limit(difficulty: Difficulty, context: ResearchContext) -> int:
    config = context.config
    by_depth = {
        "quick": {"simple": 1, "moderate": 1, "broad": 2},
        "standard": {"simple": 1, "moderate": 2, "broad": config.max_agents},
        "deep": {"simple": 1, "moderate": config.max_agents, "broad": config.max_agents},
    }
    return max(1, min(config.max_agents, by_depth[config.depth][difficulty]))


def _to_tasks(drafts: Sequence[TaskDraft], round_no: int, limit: int, skip_goals: set[str]) -> Dispatch:
    tasks: list[ResearchTask] = []
    notes: list[str] = []
    for draft in drafts:
        goal = " ".join(draft.goal.split())
        if not goal or goal.lower() in skip_goals:
            continue
        skip_goals.add(goal.lower())
        if len(tasks) >= limit:
            notes.append(f"Dropped task over the limit of {limit} in round {round_no}: {goal}")
            continue
        queries = [q.strip() for q in draft.queries if q.strip()][:3] or [goal]
        tasks.append(
            ResearchTask(id=f"r{round_no}t{len(tasks) + 1}", goal=goal, queries=queries, done_when=draft.done_when)
        )
    return Dispatch(tasks=tasks, notes=notes)


async def plan_research(brief: ResearchBrief, context: ResearchContext) -> Dispatch:
    """The first round's tasks, sized by the judged difficulty and capped by `max_agents`."""
    prompt = PLAN_PROMPT.format(max_agents=context.config.max_agents, brief=brief_with_answers_text(brief))
    handle = context.models.for_role("manager")
    try:
        plan = await handle.astructured([SystemMessage(prompt), HumanMessage(brief.question)], Plan, agent="manager")
    except StructuredOutputError as error:
        context.emit("agent.fallback", f"manager plan: {error}", agent="manager")
        plan = Plan()
    if not plan.tasks:
        plan = Plan(difficulty="simple", tasks=[TaskDraft(goal=brief.question, queries=[brief.question])])
    dispatch = _to_tasks(plan.tasks, 1, task_limit(plan.difficulty, context), set())
    dispatch.difficulty = plan.difficulty
    return dispatch


def _findings_text(findings: Sequence[Findings]) -> str:
    lines: list[str] = []
    for item in findings:
        for claim in item.claims:
            lines.append(f"[{item.task_id}] {neutralize(claim.text)}")
        if not item.claims:
            lines.append(f"[{item.task_id}] (no claims found; {item.notes or 'no notes'})")
    return "<source_data>\n" + "\n".join(lines) + "\n</source_data>"


def _one_line(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


async def review_findings(
    brief: ResearchBrief,
    tasks_done: Sequence[ResearchTask],
    findings: Sequence[Findings],
    round_no: int,
    context: ResearchContext,
) -> Dispatch:
    """Tasks for round `round_no + 1` covering only the gaps; empty when research is complete."""
    prompt = REVIEW_PROMPT.format(
        data_rule=DATA_RULE,
        max_agents=context.config.max_agents,
        brief=brief_with_answers_text(brief),
        tasks_done="\n".join(f"- {task.goal}" for task in tasks_done),
        findings=_findings_text(findings),
    )
    handle = context.models.for_role("manager")
    try:
        review = await handle.astructured(
            [SystemMessage(prompt), HumanMessage("Review the findings.")], Review, agent="manager"
        )
    except StructuredOutputError as error:
        context.emit("agent.fallback", f"manager review: {error}", agent="manager")
        return Dispatch(tasks=[], notes=["Review output was unusable; research stopped after this round."])
    # Model text going into a bullet list of the report: one line, bounded.
    notes = [f"Contradiction noted by review: {_one_line(c)}" for c in review.contradictions if c.strip()]
    if review.is_done or not review.gaps:
        return Dispatch(tasks=[], notes=notes)
    done_goals = {" ".join(task.goal.split()).lower() for task in tasks_done}
    dispatch = _to_tasks(review.gaps, round_no + 1, context.config.max_agents, done_goals)
    dispatch.notes[:0] = notes
    return dispatch
