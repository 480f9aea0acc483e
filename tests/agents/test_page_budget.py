"""One page budget per run: taken before any tool reads a page, shared by every researcher, given back when
a read fails, and what stops a researcher once it is spent (typed, not matched in an error's words)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import ToolCall

from agents.observe import Known, Workbench
from agents.reading import read_urls
from deepresearch.schemas import Document, ResearchTask
from deepresearch.testing import CAT_PAGES, FakeWeb, ScriptedChatModel, scripted_services, tool_call

from .helpers import make_context

TASK = ResearchTask(id="r1t1", goal="How long do cats sleep", queries=["cats sleep hours"])
NOTHING_KNOWN = Known(fetched={}, next_label=1, sources_by_id={})


def fetch(url: str) -> ToolCall:
    return tool_call("fetch_page", url=url).tool_calls[0]


async def test_the_budget_is_shared_by_researchers_and_failed_reads_do_not_count() -> None:
    context, recorder = make_context(ScriptedChatModel(), max_pages=3)
    one = Workbench.for_agent(TASK, "r1t1", context)
    two = Workbench.for_agent(TASK.model_copy(update={"id": "r1t2"}), "r1t2", context)
    missing = await one.observe(fetch("https://example.org/gone"), NOTHING_KNOWN)
    assert missing.error is not None and missing.error.kind == "not_found" and context.pages.used == 0
    for number, url in enumerate(CAT_PAGES):
        read = await (one if number % 2 else two).observe(fetch(url), NOTHING_KNOWN)
        assert read.sources and read.stopped_by is None
    assert context.pages.used == 3
    refused = await two.observe(fetch("https://example.org/cats-sleep-more"), NOTHING_KNOWN)
    assert refused.stopped_by == "pages" and "page budget is spent" in str(refused.message.content)
    assert recorder.kinds().count("budget.exceeded") == 1 and context.pages.used == 3


async def test_reads_made_together_stop_at_the_budget() -> None:
    context, _ = make_context(ScriptedChatModel(), max_pages=2)
    reads = await read_urls(list(CAT_PAGES), Workbench.for_agent(TASK, "r1t1", context), NOTHING_KNOWN)
    assert [bool(read.sources) for read in reads] == [True, True, False]
    assert reads[-1].stopped_by == "pages" and context.pages.used == 2


async def test_a_read_that_raises_gives_its_page_back(monkeypatch: pytest.MonkeyPatch) -> None:
    web = FakeWeb()

    async def broken(url: str, *, browser: bool) -> Document:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(web, "read", broken)
    context, _ = make_context(ScriptedChatModel(), services=scripted_services(web), max_pages=1)
    bench = Workbench.for_agent(TASK, "r1t1", context)
    failed: Any = await read_urls(["https://example.org/cats-sleep"], bench, NOTHING_KNOWN)
    assert failed[0].error is not None and failed[0].error.kind == "unexpected"
    assert context.pages.used == 0
