"""Reusing a close earlier run's findings (the research cache), and leaving this run's for later runs.

On a hit (`memory.research_cache`), the earlier run's fresh tasks come back as this run's round-1
findings, relabelled `c1, c2, …` so they never collide with tasks researched now; its stale tasks, and
tasks that found nothing, are researched again. No plan call is made: the earlier run's route is reused.
The very same brief with every task fresh is not even written again: the earlier run's verified report
is served, and the verifier checks each of its sentences against the stored passages. A full-path run
on a brief that is close but not the same still goes through review, where the manager compares the
reused findings with this brief and sends researchers only for what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agents.context import ResearchContext
from agents.router import KIND_LABELS, QuestionKind, Route, routed
from deepresearch.schemas import Findings, ResearchBrief, ResearchTask, Source
from memory.research_cache import CachedTask, CacheEntry, CacheHit, CacheOrigin, age_text, utc_from_timestamp

if TYPE_CHECKING:
    from agents.manager import Dispatch

__all__ = ["CacheOrigin", "ResearchedRun", "Reuse", "cache_text", "entry_for_run", "look_up"]

CACHED_PREFIX = "c"


def cache_text(brief: ResearchBrief) -> str:
    """What a brief is matched on: the question and the person's answers (not the model's assumptions)."""
    return "\n".join([brief.question, *(f"{q} → {a}" for q, a in brief.clarifications)])


@dataclass
class Reuse:
    """A hit turned into this run's first round: reused findings and the tasks still to research."""

    dispatch: Dispatch
    tasks: list[ResearchTask] = field(default_factory=list)
    findings: list[Findings] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    source_texts: dict[str, str] = field(default_factory=dict)
    origins: dict[str, CacheOrigin] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    is_repeat: bool = False  # the same brief word for word: the earlier run's review already judged it
    # On a repeat with every task fresh: the earlier run's report body (cited by source id) and short
    # answer, served again instead of written again; the verifier still checks every sentence.
    served_body: str = ""
    served_answer: str = ""


def _cited_ids(findings: Sequence[Findings]) -> set[str]:
    return {p.source_id for item in findings for claim in item.claims for p in claim.passages}


async def look_up(brief: ResearchBrief, context: ResearchContext) -> Reuse | None:
    """The reuse plan for `brief`, or None when the cache is off, empty for this corpus, or not close."""
    cache = context.services.research_cache
    if cache is None:
        return None
    hit = await cache.lookup(cache_text(brief))
    if hit is None:
        context.emit("research_cache.miss", "no close earlier brief on this corpus", agent="manager")
        return None
    reuse = _reuse(hit, context, now=cache.clock())
    reuse.is_repeat = _words(hit.entry.brief) == _words(cache_text(brief))
    if reuse.is_repeat and hit.entry.report_body and not reuse.dispatch.tasks and not hit.stale:
        reuse.served_body, reuse.served_answer = hit.entry.report_body, hit.entry.answer
        reuse.notes.append(
            f"Research cache: the same brief, with every finding fresh: run {hit.entry.run_id}'s report is "
            "served again, each of its sentences re-verified against the stored passages."
        )
    return reuse


def _words(text: str) -> list[str]:
    return text.lower().split()


def _reuse(hit: CacheHit, context: ResearchContext, now: float) -> Reuse:
    from agents.manager import Dispatch, task_limit  # manager imports this module

    entry = hit.entry
    kind: QuestionKind = entry.kind if entry.kind in KIND_LABELS else "multi_hop"
    route = routed(kind, entry.reason or "no reason recorded", "cached run", context.config)
    reuse = Reuse(dispatch=Dispatch(tasks=[], route=route))
    redo: list[CachedTask] = list(hit.stale)
    for cached in hit.fresh:
        if not any(claim.passages for claim in cached.findings.claims):
            redo.append(cached)
            continue
        task_id = f"{CACHED_PREFIX}{len(reuse.tasks) + 1}"
        reuse.tasks.append(cached.task.model_copy(update={"id": task_id}))
        reuse.findings.append(
            cached.findings.model_copy(update={"task_id": task_id, "stopped_by": None, "queries_tried": []})
        )
        reuse.origins[task_id] = CacheOrigin(
            run_id=cached.run_id, researched_at=cached.researched_at, similarity=hit.similarity
        )
    cited = _cited_ids(reuse.findings)
    reuse.sources = {sid: source for sid, source in entry.sources.items() if sid in cited}
    reuse.source_texts = {sid: text for sid, text in entry.source_texts.items() if sid in cited}
    limit = 1 if route.is_quick else task_limit(route.difficulty, context)
    for cached in redo[:limit]:
        task_id = f"r1t{len(reuse.dispatch.tasks) + 1}"
        reuse.dispatch.tasks.append(cached.task.model_copy(update={"id": task_id}))
    reuse.dispatch.notes.extend(
        f"Dropped task over the limit of {limit} in round 1: {c.task.goal}" for c in redo[limit:]
    )
    reuse.dispatch.over_limit = len(redo) > limit
    reuse.notes = _notes(hit, reuse, now)
    context.emit(
        "research_cache.hit",
        reuse.notes[0],
        agent="manager",
        run_id=entry.run_id,
        similarity=round(hit.similarity, 3),
        reused_tasks=len(reuse.tasks),
        redo_tasks=len(reuse.dispatch.tasks),
    )
    return reuse


def _notes(hit: CacheHit, reuse: Reuse, now: float) -> list[str]:
    claims = sum(len(f.claims) for f in reuse.findings)
    runs = sorted({(o.run_id, o.researched_at) for o in reuse.origins.values()}, key=lambda pair: pair[1])
    made = "; ".join(f"run {run_id}, {age_text(now - at.timestamp())} old" for run_id, at in runs) or "none"
    notes = [
        f"Research cache: brief {hit.similarity:.2f} similar to run {hit.entry.run_id}'s "
        f"({hit.entry.brief.splitlines()[0]!r}); reused {claims} finding(s) of {len(reuse.tasks)} task(s) "
        f"and {len(reuse.sources)} source(s) from {made}."
    ]
    if hit.stale:
        notes.append(f"Research cache: {len(hit.stale)} task(s) older than the maximum age were researched again.")
    if reuse.dispatch.tasks:
        notes.append(f"Research cache: researched now: {'; '.join(t.goal for t in reuse.dispatch.tasks)}.")
    return notes


@dataclass(frozen=True)
class ResearchedRun:
    """What a finished run researched, as the cache keeps it."""

    run_id: str
    brief: ResearchBrief
    route: Route | None
    tasks: Sequence[ResearchTask]
    findings: Sequence[Findings]
    sources: Mapping[str, Source]
    source_texts: Mapping[str, str]
    origins: Mapping[str, CacheOrigin]  # the tasks taken from the cache, by task id


def entry_for_run(run: ResearchedRun, *, now: float, report_body: str = "", answer: str = "") -> CacheEntry | None:
    """This run's entry for the cache; None when it researched nothing new (pure reuse) or found nothing."""
    run_id, tasks, origins = run.run_id, run.tasks, run.origins
    by_task: dict[str, Findings] = {}
    for item in run.findings:
        merged = by_task.get(item.task_id)
        claims = [*merged.claims, *item.claims] if merged else item.claims
        by_task[item.task_id] = item.model_copy(update={"claims": claims})
    cached: list[CachedTask] = []
    for task in tasks:
        found = by_task.get(task.id, Findings(task_id=task.id))
        origin = origins.get(task.id)
        cached.append(
            CachedTask(
                run_id=origin.run_id if origin else run_id,
                researched_at=origin.researched_at if origin else utc_from_timestamp(now),
                task=task,
                findings=found.model_copy(update={"queries_tried": [], "stopped_by": None}),
            )
        )
    is_new = [c for c in cached if c.task.id not in origins]
    if not is_new or not any(claim.passages for c in cached for claim in c.findings.claims):
        return None
    cited = _cited_ids([c.findings for c in cached])
    return CacheEntry(
        run_id=run_id,
        brief=cache_text(run.brief),
        kind=run.route.kind if run.route else "",
        reason=run.route.reason if run.route else "",
        tasks=cached,
        sources={sid: source for sid, source in run.sources.items() if sid in cited},
        source_texts={sid: text for sid, text in run.source_texts.items() if sid in cited},
        report_body=report_body,
        answer=answer,
    )
