"""What the agent-facing tools are built from: the run's shared services and the per-agent memory slot.

A run creates one `ToolServices` (one HTTP client, one browser, one search chain) and builds a tool set per
agent from it with `tools.registry.build_tools`. The run's page budget is not here: the researcher takes a
page of it before any tool reads one (`agents.observe.Workbench.run`), whichever tools a run is given.
Memory and the local corpus are implemented in `memory/`; tools only know them through the protocols here.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass
class ToolServices:
    """The run's tool back-ends. Any of them may be absent; its tool then says so instead of failing."""

    config: ResearchConfig
    search: WebSearch | None = None
    fetch: PageReader | None = None
    browse: PageReader | None = None
    local_corpus: LocalCorpus | None = None
    events: EventSink = ignore_event
