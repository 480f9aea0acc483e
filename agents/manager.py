"""Manager: classifies and plans the brief (one call), then reviews findings for gaps.

The plan call returns the brief's kind (simple lookup / multi-hop / open-ended survey) with a reason
beside the tasks, so routing (`agents.router`) costs no extra call: a lookup takes the quick path (one
task, one round), the others are sized by difficulty and depth. Planning happens before any page is read,
so fetched text can never steer the plan. The review sees findings only inside `<source_data>` blocks.
Tasks over the limit are dropped with a note, never silently; a failed structured reply falls back to one
task on the whole question and to the question's shape for the route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents import weak_model
from agents.clarifier import brief_with_answers_text
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, neutralize
from agents.router import (
    DIFFICULTY_OF,
    Difficulty,
    QuestionKind,
    Route,
    decide_route,
    effective_depth,
    on_quick_path,
)
from deepresearch.errors import StructuredOutputError
from deepresearch.schemas import Findings, ResearchBrief, ResearchTask
from deepresearch.text import shares_content_word

PLAN_PROMPT = """<role>You are the research manager. You split a research brief into independent tasks.</role>
<rules>
- First classify the brief, with a one-sentence reason: "lookup" (one fact about one thing: one task),
  "multi_hop" (facts that must be chained or compared: a few tasks) or "survey" (an open-ended overview of
  many aspects: many tasks).
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
    reason: str = ""  # first, so a model writing JSON in order reasons before it classifies
    kind: QuestionKind = "lookup"
    tasks: list[TaskDraft] = Field(default_factory=list)

    @property
    def difficulty(self) -> Difficulty:
        return DIFFICULTY_OF[self.kind]


class Review(BaseModel):
    is_done: bool = True
    gaps: list[TaskDraft] = Field(default_factory=list)
    contradictions: list[str] = Field(default_factory=list)


@dataclass
class Dispatch:
    """Tasks to run next, plus notes for the report's method section (drops, contradictions)."""

    tasks: list[ResearchTask]
    notes: list[str] = field(default_factory=list)
    over_limit: bool = False  # tasks were dropped for the agent limit (not for being off-topic)
    route: Route | None = None


def task_limit(difficulty: Difficulty, context: ResearchContext) -> int:
    config = context.config
    by_depth = {
        "quick": {"simple": 1, "moderate": 1, "broad": 2},
        "standard": {"simple": 1, "moderate": 2, "broad": config.max_agents},
        "deep": {"simple": 1, "moderate": config.max_agents, "broad": config.max_agents},
    }
    return max(1, min(config.max_agents, by_depth[effective_depth(config)][difficulty]))


def usable_drafts(
    drafts: Sequence[TaskDraft], brief_text: str, round_no: int, *, is_weak: bool = True
) -> tuple[list[TaskDraft], list[str]]:
    """The drafts worth a researcher. A model that is not weak keeps its plan as written (empty goals aside).
    For a weak one (a weak-model rule) off-topic queries are removed, and off-topic tasks and tasks repeating
    another's searches dropped, with a note for the method section: a weak model fills a plan with its
    schema's own words ("lookup", "what to search the web for"), and every step spent on those is wasted."""
    if not is_weak:
        return [d.model_copy(update={"queries": d.queries or [d.goal]}) for d in drafts if d.goal.strip()], []
    kept: list[TaskDraft] = []
    notes: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for draft in drafts:
        goal = " ".join(draft.goal.split())
        queries = [" ".join(q.split()) for q in draft.queries if shares_content_word(q, brief_text)][:3]
        if not goal or (not queries and not shares_content_word(goal, brief_text)):
            if goal:
                notes.append(f"Dropped off-topic task in round {round_no}: {_one_line(goal, 120)}")
            continue
        queries = queries or [goal]
        searches = tuple(q.lower() for q in queries)
        if searches in seen:
            continue  # the same searches under another name: one researcher is enough
        seen.add(searches)
        kept.append(TaskDraft(goal=goal, queries=queries, done_when=draft.done_when))
    return kept, notes


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
    return Dispatch(tasks=tasks, notes=notes, over_limit=bool(notes))


async def plan_research(brief: ResearchBrief, context: ResearchContext) -> Dispatch:
    """The route and the first round's tasks: one on the quick path, else sized by difficulty and depth."""
    prompt = PLAN_PROMPT.format(max_agents=context.config.max_agents, brief=brief_with_answers_text(brief))
    handle = context.models.for_role("manager")
    model_kind: QuestionKind | None
    try:
        plan = await handle.astructured([SystemMessage(prompt), HumanMessage(brief.question)], Plan, agent="manager")
        model_kind = plan.kind
    except StructuredOutputError as error:
        context.emit("agent.fallback", f"manager plan: {error}", agent="manager")
        plan, model_kind = Plan(), None
    is_weak = weak_model.is_weak(context, "manager")
    drafts, notes = usable_drafts(plan.tasks, brief_with_answers_text(brief), 1, is_weak=is_weak)
    planned = len({draft.goal.lower() for draft in drafts})
    # The shape is read from the person's own words: a weak rewriter can shorten a question out of shape.
    route = decide_route(brief.original_question, context.config, model_kind, plan.reason, planned, is_weak=is_weak)
    if not drafts:
        drafts = [TaskDraft(goal=brief.question, queries=[brief.question])]
    if route.is_quick:  # one task on the whole question, searching with the planned tasks' first queries
        queries = [draft.queries[0] for draft in drafts if draft.queries] or [brief.question]
        quick = on_quick_path(ResearchTask(id="r1t1", goal=brief.question, queries=queries[:3]))
        return Dispatch(tasks=[quick], notes=notes, route=route)
    dispatch = _to_tasks(drafts, 1, task_limit(route.difficulty, context), set())
    dispatch.notes[:0] = notes
    dispatch.route = route
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
    is_weak = weak_model.is_weak(context, "manager")
    gaps, dropped = usable_drafts(review.gaps, brief_with_answers_text(brief), round_no + 1, is_weak=is_weak)
    dispatch = _to_tasks(gaps, round_no + 1, context.config.max_agents, done_goals)
    dispatch.notes[:0] = [*notes, *dropped]
    return dispatch
