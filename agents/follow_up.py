"""Follow-up questions: a run that starts from an earlier run's verified findings and researches what is new.

The earlier run comes in as an `EarlierRun` (loaded from its folder by `deepresearch.threads`): its
question, short answer and report, and each cited sentence of it that still verifies against the source
text stored with it, as a claim on its passages. The follow-up's brief carries the earlier question and
answer (as a clarification every later prompt sees), and the plan goes down the research cache's reuse
path (`agents.cache_reuse.Reuse`): the earlier claims are this run's round-1 findings under task `f1`,
their sources and stored text come with them (nothing is fetched again), `cache_origins` names the run
they came from (so the research cache never stores them as new), and the method section says what was
reused. The manager plans the follow-up; planned tasks that name nothing the earlier question did not
already name are not researched again.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from agents import manager, rewriter
from agents.cache_reuse import CacheOrigin, Reuse
from agents.context import ResearchContext
from agents.router import on_quick_path
from deepresearch.schemas import Claim, Findings, ResearchBrief, ResearchTask, Source
from deepresearch.text import content_token_set

FOLLOW_UP_TASK = "f1"
EARLIER_RUN_QUESTION = "Which earlier research does this question follow up?"


class EarlierRun(BaseModel):
    """What a follow-up takes from the run it follows: only what still verifies against the stored text."""

    run_id: str
    question: str
    answer: str = ""
    markdown: str = ""
    created_at: datetime
    claims: list[Claim] = Field(default_factory=list)  # cited sentences, each on the passages it rests on
    sources: dict[str, Source] = Field(default_factory=dict)
    source_texts: dict[str, str] = Field(default_factory=dict)
    dropped: int = 0  # cited sentences of the earlier report that no longer verify (not reused)


def question_in_context(question: str, earlier: EarlierRun) -> str:
    """What the rewriter reads for a follow-up: "and in the 1990s?" means nothing without the earlier question."""
    return f"{question} (following up on: {earlier.question})"


def new_words(question: str, earlier: EarlierRun) -> frozenset[str]:
    """Content words of the follow-up that the earlier question did not name: what is new to research."""
    return content_token_set(question) - content_token_set(earlier.question)


def carry_earlier(brief: ResearchBrief, question: str, earlier: EarlierRun) -> ResearchBrief:
    """The follow-up's brief: the person's own words, a question that keeps what is new, and the earlier
    question and answer as a clarification (every later prompt and the method section show it)."""
    wanted = new_words(question, earlier)
    researched = brief.question
    if wanted and not content_token_set(researched) & wanted:  # the rewrite dropped the new part
        researched = question_in_context(question, earlier)
    answer = f" (its answer: {earlier.answer})" if earlier.answer else ""
    context = (EARLIER_RUN_QUESTION, f"run {earlier.run_id}: {earlier.question}{answer}")
    return brief.model_copy(
        update={
            "original_question": question,
            "question": researched,
            "clarifications": [context, *brief.clarifications],
        }
    )


async def rewrite_follow_up(question: str, earlier: EarlierRun, context: ResearchContext) -> ResearchBrief:
    """The rewriter's brief for `question` read beside the earlier question, carrying the earlier run."""
    brief = await rewriter.rewrite_question(question_in_context(question, earlier), context)
    return carry_earlier(brief, question, earlier)


def _only_new(task: ResearchTask, wanted: frozenset[str], fallback_query: str) -> ResearchTask | None:
    """The task with only its searches that name something new; None when nothing of it is new."""
    if not wanted:
        return task  # the follow-up names nothing the earlier question did not: nothing to tell apart
    queries = [q for q in task.queries if content_token_set(q) & wanted]
    if not queries and not content_token_set(task.goal) & wanted:
        return None
    return task.model_copy(update={"queries": queries or [fallback_query]})


async def plan_follow_up(brief: ResearchBrief, earlier: EarlierRun, context: ResearchContext) -> Reuse:
    """The earlier run's verified findings as round 1, plus the manager's tasks for what is new."""
    dispatch = await manager.plan_research(brief, context)
    wanted = new_words(brief.original_question, earlier)
    # The rewritten question when the rewriter made it stand alone; else the follow-up as asked (the
    # question in context would search for the earlier question's words as much as for the new ones).
    query = (
        brief.original_question
        if brief.question == question_in_context(brief.original_question, earlier)
        else (brief.question)
    )
    kept: list[ResearchTask] = []
    for task in dispatch.tasks:
        new_task = _only_new(task, wanted, query)
        if new_task is None:
            dispatch.notes.append(f"Follow-up: not researched again (run {earlier.run_id} covered it): {task.goal}")
        else:
            kept.append(new_task)
    # At least the follow-up itself is researched: a plan of nothing but the earlier question's tasks
    # would only repeat the earlier run.
    if not kept:
        task = ResearchTask(id="r1t1", goal=brief.question, queries=[query])
        kept = [on_quick_path(task) if dispatch.route is not None and dispatch.route.is_quick else task]
    dispatch.tasks = kept
    reuse = Reuse(dispatch=dispatch, notes=[_note(earlier, dispatch.tasks)])
    if earlier.claims:
        goal = f"Findings of run {earlier.run_id}: {earlier.question}"
        reuse.tasks = [ResearchTask(id=FOLLOW_UP_TASK, goal=goal)]
        reuse.findings = [Findings(task_id=FOLLOW_UP_TASK, claims=earlier.claims)]
        reuse.sources, reuse.source_texts = dict(earlier.sources), dict(earlier.source_texts)
        # Named by the person, not matched by embedding: the origin is exact.
        origin = CacheOrigin(run_id=earlier.run_id, researched_at=earlier.created_at, similarity=1.0)
        reuse.origins = {FOLLOW_UP_TASK: origin}
    context.emit(
        "follow_up.reused",
        reuse.notes[0],
        agent="manager",
        run_id=earlier.run_id,
        claims=len(earlier.claims),
        sources=len(earlier.sources),
        dropped=earlier.dropped,
        new_tasks=len(dispatch.tasks),
    )
    return reuse


def _note(earlier: EarlierRun, tasks: list[ResearchTask]) -> str:
    dropped = f"; {earlier.dropped} sentence(s) that no longer verify were left out" if earlier.dropped else ""
    researched = "; ".join(task.goal for task in tasks)
    return (
        f"Follow-up of run {earlier.run_id} ({earlier.question!r}): reused {len(earlier.claims)} verified "
        f"finding(s) and {len(earlier.sources)} source(s) from its report, re-verified against the stored "
        f"text{dropped}; researched now: {researched}."
    )
