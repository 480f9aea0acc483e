"""What the agent-facing tools are built from: the run's shared services and the per-agent memory slot.

A run creates one `ToolServices` (one HTTP client, one browser, one search chain, one page budget) and
builds a tool set per agent from it with `tools.registry.build_tools`. Memory and the local corpus are
implemented in `memory/`; tools only know them through the protocols here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.progress import EventSink, ignore_event
from deepresearch.schemas import Document, Passage, SearchHit
from tools.search.base import TimeRange
from tools.search.local import LocalCorpus


class WebSearch(Protocol):
    """The search chain as tools see it (see `tools.search.chain.SearchChain`)."""

    async def search(
        self,
        query: str,
        *,
        max_results: int,
        time_range: TimeRange | None = None,
        language: str | None = None,
    ) -> list[SearchHit] | ToolError: ...


class PageReader(Protocol):
    """Fetch (`tools.fetch.Fetcher.fetch`) or browse (`tools.browser.Browser.browse`) one URL."""

    async def __call__(self, url: str) -> Document | ToolError: ...


class MemoryRecall(Protocol):
    """An agent's memory: passages it stored earlier that match a query, best first."""

    async def recall(self, query: str, k: int) -> list[Passage]: ...


class PageBudget:
    """The run's page limit (`max_pages`), shared by every agent's fetch and browse tools.

    A page is reserved before it is read and handed back if the read fails, so failed fetches do not
    eat the budget and parallel agents cannot overshoot it.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = asyncio.Lock()

    async def reserve(self) -> ToolError | None:
        async with self._lock:
            if self.used >= self.limit:
                return ToolError(
                    kind="blocked_by_policy",
                    message=f"page budget spent: {self.used} of {self.limit} pages already read in this run",
                    hint="No more pages can be read; finish your task with the sources you already have.",
                )
            self.used += 1
            return None

    async def release(self) -> None:
        async with self._lock:
            self.used = max(0, self.used - 1)


@dataclass
class ToolServices:
    """The run's tool back-ends. Any of them may be absent; its tool then says so instead of failing."""

    config: ResearchConfig
    search: WebSearch | None = None
    fetch: PageReader | None = None
    browse: PageReader | None = None
    local_corpus: LocalCorpus | None = None
    events: EventSink = ignore_event
    page_budget: PageBudget = field(init=False)

    def __post_init__(self) -> None:
        self.page_budget = PageBudget(self.config.max_pages)
