"""Follow-up questions through the whole graph on scripted parts: reuse, re-verification, parent, thread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepresearch.api import RunNotFound, aresearch
from deepresearch.config import ROLES, load_config
from deepresearch.progress import EventRecorder
from deepresearch.reports import run_dir_for, run_parent
from deepresearch.review import list_runs, verify_report
from deepresearch.schemas import Report
from deepresearch.testing import CAT_PAGES, FakeWeb, research_model, scripted_services
from deepresearch.threads import earlier_run, threaded

FIRST = "How long do cats sleep?"
FOLLOW_UP = "What do cats use their whiskers for?"
WHISKERS = "https://example.org/cat-whiskers"


def cat_web() -> FakeWeb:
    """The cat pages plus one on whiskers, which a question on sleep never reads."""
    whiskers = (
        "What cat whiskers are for",
        "Cats use their whiskers to measure openings before they squeeze through. Whiskers also sense air "
        "currents, which helps cats hunt in the dark.",
    )
    return FakeWeb(pages={**CAT_PAGES, WHISKERS: whiskers})


async def run(question: str, web: FakeWeb, follow_up: str | None = None) -> tuple[Report, EventRecorder]:
    recorder = EventRecorder()
    report = await aresearch(
        question,
        # The evidence floor reads two pages, so a question on sleep leaves the whiskers page unread.
        config=load_config(clarify=False, floor_reads=2, follow_leads=0),
        chat_models={role: research_model(1) for role in ROLES},
        services=scripted_services(web),
        on_event=recorder,
        follow_up=follow_up,
    )
    return report, recorder


async def test_a_follow_up_reuses_the_earlier_findings_and_researches_only_the_new_part() -> None:
    web = cat_web()
    first, _ = await run(FIRST, web)
    assert first.citations
    fetched_before = list(web.fetches)
    second, events = await run(FOLLOW_UP, web, follow_up=first.run_id)

    reused = next(e for e in events.events if e.kind == "follow_up.reused")
    assert reused.data["run_id"] == first.run_id and reused.data["claims"] >= 1
    researched = {e.data["args"].get("query") for e in events.events if e.kind == "researcher.action"} - {None}
    assert researched and all("whiskers" in q.lower() for q in researched), researched
    assert WHISKERS not in fetched_before and WHISKERS in web.fetches

    old_sources = {c.source_id for c in first.citations}
    cited = {c.source_id for c in second.citations}
    assert cited & old_sources, "the follow-up cites a source of the earlier run"
    assert cited - old_sources, "and a source it read now"
    folder = run_dir_for(load_config(), second.run_id)
    checks = verify_report(folder, second)
    assert checks and all(check.is_verified for check in checks), [(c.citation.url, c.verdict) for c in checks]
    assert f"Follow-up of run {first.run_id}" in second.markdown
    assert "Which earlier research does this question follow up?" in second.markdown
    assert run_parent(folder) == first.run_id
    assert json.loads((folder / "config.json").read_text())["parent"] == first.run_id


async def test_reports_list_shows_the_thread_and_sentences_that_no_longer_verify_are_not_reused() -> None:
    web = cat_web()
    first, _ = await run(FIRST, web)
    other, _ = await run("Why do cats hunt at dawn?", web)
    second, _ = await run(FOLLOW_UP, web, follow_up=first.run_id)
    order = [(depth, run.run_id) for depth, run in threaded(list_runs(load_config()))]
    assert order.index((1, second.run_id)) == order.index((0, first.run_id)) + 1
    assert (0, other.run_id) in order

    folder = run_dir_for(load_config(), first.run_id)
    cited = first.citations[0]
    (folder / "sources" / f"{cited.source_id}.txt").write_text("the page now says something else", encoding="utf-8")
    earlier = earlier_run(load_config(), first.run_id)
    assert earlier.dropped >= 1
    assert cited.source_id not in earlier.sources
    assert all(p.source_id != cited.source_id for claim in earlier.claims for p in claim.passages)


async def test_a_follow_up_of_an_unknown_run_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RunNotFound):
        await run(FOLLOW_UP, cat_web(), follow_up="no-such-run")
