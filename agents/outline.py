"""The outline of a deep report: sections planned from what the research found, each fed by its own tasks.

At depth deep a capable summarizer plans the report before writing it: sections in reading order, each with
a title, a one-sentence focus and the research tasks whose findings it draws on. The outline is structured
output, and it is checked rather than trusted: unknown task ids are dropped, a section left without a known
task is dropped, and a task with evidence that no section uses gets a section of its own, so no finding is
left out of the report. Without a usable outline (the model failed, the budget is spent) each task with
evidence is one section, titled by its goal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.citations import Evidence
from agents.clarifier import brief_with_answers_text
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, neutralize
from agents.report_scope import SummaryRequest
from deepresearch.errors import BudgetExceeded, StructuredOutputError
from deepresearch.schemas import ResearchTask

MIN_SECTIONS = 3
MAX_SECTIONS = 8
CLAIMS_SHOWN_PER_TASK = 6  # the outline needs what each task found, not every passage

OUTLINE_PROMPT = """<role>You plan the sections of a long research report from what the research found.</role>
<rules>
- {data_rule}
- Plan {min_sections} to {max_sections} sections in the order a reader needs them. Give each a short
  title, a one-sentence focus, and the ids of the research tasks whose findings it draws on.
- Use every task at least once; a task may feed two sections when its findings cover two subjects.
- No introduction or conclusion section: a lead summary is written separately.
</rules>
<brief>{brief}</brief>
<findings>
{findings}
</findings>"""
OUTLINE_PLACEHOLDERS = frozenset({"data_rule", "min_sections", "max_sections", "brief", "findings"})


class OutlineSection(BaseModel):
    title: str = Field(min_length=1, max_length=120, description="The section's heading.")
    focus: str = Field(default="", max_length=300, description="What the section covers, in one sentence.")
    task_ids: list[str] = Field(min_length=1, max_length=8, description="Ids of the tasks it draws on.")


class Outline(BaseModel):
    sections: list[OutlineSection] = Field(min_length=1, max_length=MAX_SECTIONS)


@dataclass(frozen=True)
class PlannedSection:
    """One section to write: its heading, its focus and the tasks whose evidence it may cite."""

    title: str
    focus: str
    task_ids: tuple[str, ...]


@dataclass(frozen=True)
class SectionPlan:
    sections: list[PlannedSection]
    by_model: bool  # False: one section per task, because the model's outline was unusable


def render_findings(evidence: Evidence, tasks: Sequence[ResearchTask]) -> str:
    """Each task with evidence, its goal and the first claims it found, as the outline prompt shows them."""
    goals = {task.id: task.goal for task in tasks}
    claims_by_task: dict[str, list[str]] = {}
    for task_id, claim in evidence.claims:
        claims_by_task.setdefault(task_id, []).append(claim.text)
    blocks = []
    for task_id, claims in claims_by_task.items():
        shown = "\n".join(f"- {neutralize(text)}" for text in claims[:CLAIMS_SHOWN_PER_TASK])
        goal = neutralize(goals.get(task_id, ""))
        blocks.append(f'<task id="{task_id}" goal="{goal}">\n{shown}\n</task>')
    return "\n".join(blocks)


def sections_by_task(evidence: Evidence, tasks: Sequence[ResearchTask]) -> list[PlannedSection]:
    """One section per task with evidence, in the order the evidence lists them, titled by the task's goal."""
    goals = {task.id: task.goal for task in tasks}
    task_ids = list(dict.fromkeys(task_id for task_id, _ in evidence.claims))
    return [PlannedSection(goals.get(task_id, task_id), "", (task_id,)) for task_id in task_ids]


def checked_outline(outline: Outline, evidence: Evidence, tasks: Sequence[ResearchTask]) -> list[PlannedSection]:
    """The model's sections with only the tasks that have evidence; every such task used at least once."""
    with_evidence = list(dict.fromkeys(task_id for task_id, _ in evidence.claims))
    sections: list[PlannedSection] = []
    for drafted in outline.sections:
        task_ids = tuple(dict.fromkeys(t.strip() for t in drafted.task_ids if t.strip() in with_evidence))
        title = " ".join(drafted.title.split()).strip("# ")
        if task_ids and title:
            sections.append(PlannedSection(title, " ".join(drafted.focus.split()), task_ids))
    used = {task_id for section in sections for task_id in section.task_ids}
    missing = [task_id for task_id in with_evidence if task_id not in used]
    by_task = {section.task_ids[0]: section for section in sections_by_task(evidence, tasks)}
    return sections + [by_task[task_id] for task_id in missing]


async def plan_sections(request: SummaryRequest, context: ResearchContext) -> SectionPlan:
    """The report's sections: the model's outline, checked, or one section per task when it has none."""
    brief, evidence, tasks = request.brief, request.evidence, request.tasks
    prompt = OUTLINE_PROMPT.format(
        data_rule=DATA_RULE,
        min_sections=MIN_SECTIONS,
        max_sections=MAX_SECTIONS,
        brief=brief_with_answers_text(brief),
        findings=render_findings(evidence, tasks),
    )
    try:
        outline = await request.scope.model(context).astructured(
            [SystemMessage(prompt), HumanMessage("The outline:")], Outline, agent="summarizer"
        )
    except (StructuredOutputError, BudgetExceeded) as error:
        context.emit("agent.fallback", f"summarizer: outline: {error}; one section per task", agent="summarizer")
        return SectionPlan(sections_by_task(evidence, tasks), by_model=False)
    sections = checked_outline(outline, evidence, tasks)
    return SectionPlan(sections, by_model=True) if sections else SectionPlan(sections_by_task(evidence, tasks), False)
