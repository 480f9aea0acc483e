"""A scripted world for research runs: pages by URL, scripted tools and an in-memory agent memory.

`FakeWeb` answers searches by word overlap and reads pages (some 404, some need JavaScript, searches can be
made to fail); `scripted_tools` wraps it as the five agent tools with content + artifact like
`tools.registry`; `scripted_services` gives a run's `Services` over it. Use them with
`build_research_graph()` or `research(..., config=load_config(services_factory=...))` to test a flow without
the network.

Hooks for runs in another process (read from the environment by `research_services`):
`DEEPRESEARCH_TESTING_SLOW_URL`, a URL whose read sleeps 60 s (to kill a run mid-research).
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from agents.context import Services
from agents.support import sentence_spans
from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document, Passage, SearchHit, normalize_url
from deepresearch.text import content_tokens

CAT_PAGES: dict[str, tuple[str, str]] = {
    "https://example.org/cats-sleep": (
        "How much do cats sleep",
        "Cats sleep between 12 and 16 hours a day. Kittens and older cats sleep even longer than adult cats.\n\n"
        "Most of that time is light dozing; deep sleep makes up only a quarter of it.",
    ),
    "https://example.org/cat-hunting": (
        "Why cats sleep so much",
        "Cats are crepuscular hunters that are most active at dawn and dusk. Their long sleep conserves "
        "energy for short bursts of hunting. Domestic cats keep this rhythm even when fed by people.",
    ),
    "https://example.org/cat-dreams": (
        "Do cats dream",
        "During deep sleep cats show rapid eye movement like dreaming humans. Researchers observed that "
        "cats twitch their whiskers and paws during this sleep phase.",
    ),
}


@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    # Cached: a search ranks every page, and the scripted web's CPU must not pass for the graph's.
    return frozenset(content_tokens(text))


_url_key = functools.lru_cache(maxsize=4096)(normalize_url)


@dataclass
class FakeWeb:
    """Pages by URL; some answer 404 or need JavaScript; searches can be made to fail."""

    pages: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(CAT_PAGES))
    missing: set[str] = field(default_factory=lambda: {"https://example.org/gone"})
    needs_js: set[str] = field(default_factory=set)
    search_fails: bool = False
    slow_url: str | None = None
    results_per_search: int = 5
    search_latency_s: float = 0.0
    fetches: list[str] = field(default_factory=list)

    def search(self, query: str, k: int = 5) -> list[SearchHit] | ToolError:
        if self.search_fails:
            return ToolError(
                kind="provider_down", message="all search providers failed", hint="Try another query later."
            )
        wanted = _tokens(query)
        ranked = sorted(self.pages.items(), key=lambda item: -len(wanted & _tokens(item[1][0] + " " + item[1][1])))
        hits = [
            SearchHit(url=url, title=title, snippet=text[:80], provider="fake", rank=i + 1)
            for i, (url, (title, text)) in enumerate(ranked)
        ]
        return hits[:k]

    async def read(self, url: str, *, browser: bool) -> Document | ToolError:
        self.fetches.append(url)
        if self.slow_url and normalize_url(url) == normalize_url(self.slow_url):
            await asyncio.sleep(60)
        key = _url_key(url)
        page = next((v for u, v in self.pages.items() if _url_key(u) == key), None)
        if key in {_url_key(u) for u in self.missing} or page is None:
            return ToolError(
                kind="not_found", message=f"404 Not Found: {url}", hint="Try another result.", tool="fetch_page"
            )
        if not browser and key in {normalize_url(u) for u in self.needs_js}:
            return ToolError(
                kind="needs_js",
                message=f"{url} needs JavaScript",
                hint="Use browse_page for this URL.",
                next_tool="browse_page",
            )
        title, text = page
        return Document(url=url, title=title, text=text)


class InMemoryMemory:
    """An agent memory: documents cut into sentence windows, recalled by word overlap, exact offsets."""

    def __init__(self) -> None:
        self.passages: list[Passage] = []

    async def add_document(self, doc: Document) -> object:
        for start, end in sentence_spans(doc.text):
            self.passages.append(
                Passage(source_id=doc.source_id, text=doc.text[start:end], start=start, end=end, location=doc.url)
            )
        return None

    async def recall(self, query: str, k: int = 5) -> list[Passage]:
        wanted = _tokens(query)
        ranked = sorted(self.passages, key=lambda p: -len(wanted & _tokens(p.text)))
        return ranked[:k]


class QueryArgs(BaseModel):
    query: str = Field(min_length=1)


class UrlArgs(BaseModel):
    url: str = Field(min_length=1)


class RecallArgs(BaseModel):
    query: str = Field(min_length=1)
    k: int = 5


def scripted_tools(web: FakeWeb, memory: InMemoryMemory) -> list[BaseTool]:
    async def web_search(query: str) -> tuple[str, Any]:
        if web.search_latency_s:
            await asyncio.sleep(web.search_latency_s)
        found = web.search(query, web.results_per_search)
        if isinstance(found, ToolError):
            return found.for_model(), found
        return "\n".join(f"{h.rank}. {h.title} — {h.url}\n   {h.snippet}" for h in found), found

    async def fetch_page(url: str) -> tuple[str, Any]:
        doc = await web.read(url, browser=False)
        return (doc.for_model(), doc) if isinstance(doc, ToolError) else (doc.text, doc)

    async def browse_page(url: str) -> tuple[str, Any]:
        doc = await web.read(url, browser=True)
        return (doc.for_model(), doc) if isinstance(doc, ToolError) else (doc.text, doc)

    async def search_local(query: str) -> tuple[str, Any]:
        return "no local documents", []

    async def recall(query: str, k: int = 5) -> tuple[str, Any]:
        passages = await memory.recall(query, k)
        return "\n".join(p.text for p in passages), passages

    functions: list[tuple[Callable[..., Any], type[BaseModel]]] = [
        (web_search, QueryArgs),
        (fetch_page, UrlArgs),
        (browse_page, UrlArgs),
        (search_local, QueryArgs),
        (recall, RecallArgs),
    ]
    return [
        StructuredTool(
            name=f.__name__,
            description=f.__name__.replace("_", " "),
            args_schema=schema,
            coroutine=f,
            response_format="content_and_artifact",
        )
        for f, schema in functions
    ]


def scripted_services(web: FakeWeb | None = None) -> Services:
    world = web or FakeWeb()
    memories: dict[str, InMemoryMemory] = {}
    tools: dict[str, list[BaseTool]] = {}

    def make_memory(agent_id: str) -> InMemoryMemory:
        return memories.setdefault(agent_id, InMemoryMemory())

    def make_tools(agent_id: str) -> list[BaseTool]:
        if agent_id not in tools:
            tools[agent_id] = scripted_tools(world, make_memory(agent_id))
        return tools[agent_id]

    return Services(make_tools=make_tools, make_memory=make_memory)


def research_services(config: ResearchConfig, run_id: str) -> Services:
    """The `services_factory` for subprocess runs."""
    return scripted_services(FakeWeb(slow_url=os.environ.get("DEEPRESEARCH_TESTING_SLOW_URL") or None))
