"""The research cache through the whole graph: a repeated question reuses findings and still cites passages."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from deepresearch.api import aresearch
from deepresearch.config import ROLES, load_config
from deepresearch.progress import EventRecorder
from deepresearch.reports import run_dir_for
from deepresearch.schemas import Report
from deepresearch.testing import research_model, scripted_services
from memory.research_cache import ResearchCache
from tests.memory.test_research_cache import bag_of_words

QUESTION = "How long do cats sleep?"


def open_cache(tmp_path: Path, **settings: Any) -> ResearchCache:
    options = {"similarity": 0.9, "max_age_s": 3600.0} | settings
    return ResearchCache(tmp_path / "research_cache.sqlite", embed=bag_of_words, corpus="test", **options)


async def run(cache: ResearchCache, question: str = QUESTION, tasks: int = 2) -> tuple[Report, EventRecorder]:
    recorder = EventRecorder()
    report = await aresearch(
        question,
        config=load_config(clarify=False),
        chat_models={role: research_model(tasks) for role in ROLES},
        services=dataclasses.replace(scripted_services(), research_cache=cache),
        on_event=recorder,
    )
    return report, recorder


def calls(recorder: EventRecorder, role: str | None = None) -> int:
    return sum(e.kind == "llm.call" and role in (None, e.data["role"]) for e in recorder.events)


async def test_a_repeated_question_reuses_the_findings_and_still_cites_verified_passages(tmp_path: Path) -> None:
    cache = open_cache(tmp_path)
    first, first_events = await run(cache)
    assert "research_cache.miss" in first_events.kinds() and "research_cache.stored" in first_events.kinds()
    second, second_events = await run(cache)
    assert "researcher.action" not in second_events.kinds() and calls(second_events, "researcher") == 0
    assert calls(second_events, "manager") == 0, "the same brief: no plan call and no review"
    assert calls(second_events, "summarizer") == 0, "the same brief, all fresh: the report is served, not rewritten"
    assert second.usage.total_tokens <= first.usage.total_tokens / 5
    assert second.citations and second.support_score >= 0.9
    assert [(c.source_id, c.passage) for c in second.citations] == [(c.source_id, c.passage) for c in first.citations]
    assert second.answer == first.answer and "'s report is served again" in second.markdown
    assert "verify.checked" in second_events.kinds(), "a served report is verified like a written one"
    run_dir = run_dir_for(load_config(), second.run_id)
    for citation in second.citations:  # the reused sources are in the new run's folder with their text
        assert citation.passage in (run_dir / "sources" / f"{citation.source_id}.txt").read_text()
    assert {c.source_id for c in second.citations} <= {c.source_id for c in first.citations} | {
        s.id for s in first.sources
    }
    assert f"Research cache: brief 1.00 similar to run {first.run_id}'s" in second.markdown
    assert "old." in second.markdown and "Route: open-ended survey (cached run:" in second.markdown
    assert "research_cache.stored" not in second_events.kinds(), "pure reuse stores nothing new"


async def test_only_what_the_cached_run_did_not_find_is_researched_again(tmp_path: Path) -> None:
    cache = open_cache(tmp_path)
    first, _ = await run(cache)
    hit = cache.lookup_sync(QUESTION)
    assert hit is not None and len(hit.fresh) == 2
    emptied = hit.entry.tasks[1].model_copy(
        update={"findings": hit.entry.tasks[1].findings.model_copy(update={"claims": []})}
    )
    cache.store_sync(hit.entry.model_copy(update={"run_id": "partial", "tasks": [hit.entry.tasks[0], emptied]}))
    report, recorder = await run(cache)
    researched = {e.agent for e in recorder.events if e.kind == "researcher.action"}
    assert researched == {"r1t1"} and report.citations
    assert f"researched now: {emptied.task.goal}" in report.markdown
    assert "research_cache.stored" in recorder.kinds(), "the new findings are stored for the next run"


async def test_a_close_brief_is_reviewed_for_what_the_reused_findings_miss(tmp_path: Path) -> None:
    cache = open_cache(tmp_path, similarity=0.8)
    await run(cache)
    report, recorder = await run(cache, "How long do cats sleep each day?")
    assert "research_cache.hit" in recorder.kinds() and calls(recorder, "researcher") == 0
    assert calls(recorder, "manager") == 1, "the review compares the reused findings with the new brief"
    assert report.citations and "Research cache: brief 0." in report.markdown


async def test_a_different_question_or_stale_findings_are_researched_afresh(tmp_path: Path) -> None:
    cache = open_cache(tmp_path)
    await run(cache)
    _, other = await run(cache, "Why is the sky blue and not green?")
    assert "research_cache.miss" in other.kinds() and calls(other, "researcher") > 0
    _, stale = await run(open_cache(tmp_path, max_age_s=0.0))
    assert "research_cache.miss" in stale.kinds() and calls(stale, "researcher") > 0
