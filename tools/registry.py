"""The agent-facing tools: `web_search`, `fetch_page`, `browse_page`, `search_local`, `recall`.

Each is a langchain-core tool with a pydantic argument schema and `response_format="content_and_artifact"`:
the model reads text (numbered hits, fenced page text cut to `page_chars`), the graph gets the artifact
(hits, a `Document`, passages, or the `ToolError`). A failure — including invalid arguments and an
unexpected exception — comes back as `ToolError.for_model()` text, never as an exception, so the agent
can correct itself.

The tools that wait on the network have a wall-time cap (`tool_time_limits`): their own timeout plus
`tool_timeout_margin_s`. The readers and search bound themselves already; the cap is what holds when one
of them does not (a hung browser, a provider library that ignores its timeout), so no call stalls a run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field, ValidationError

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tools.model_text import document_text, hits_text, passages_text
from tools.services import MemoryRecall, PageReader, ToolServices

ToolOutput = tuple[str, Any]


class WebSearchArgs(BaseModel):
    query: str = Field(min_length=1, max_length=400, description="What to search the web for.")
    max_results: int | None = Field(default=None, ge=1, le=20, description="How many results (default: config).")
    time_range: Literal["day", "week", "month", "year"] | None = Field(
        default=None, description="Only results from the last day, week, month or year."
    )
    language: str | None = Field(default=None, description="Language code of wanted results, e.g. 'en', 'de'.")


class PageArgs(BaseModel):
    url: str = Field(min_length=1, description="The URL to read (from a search result or a link).")


class LocalSearchArgs(BaseModel):
    query: str = Field(min_length=1, max_length=400, description="What to look for in the local documents.")
    max_results: int | None = Field(default=None, ge=1, le=20, description="How many results (default: config).")


class RecallArgs(BaseModel):
    query: str = Field(min_length=1, max_length=400, description="What you want to remember.")
    k: int = Field(default=5, ge=1, le=20, description="How many passages.")


def _error_output(error: ToolError, tool: str) -> ToolOutput:
    error = error if error.tool else error.model_copy(update={"tool": tool})
    return error.for_model(), error


def _invalid_arguments(exc: ValidationError) -> str:
    problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
    error = ToolError(
        kind="invalid_arguments",
        message=f"invalid arguments: {problems}",
        hint="Fix the arguments as described and call the tool again.",
    )
    return error.for_model()


def tool_time_limits(config: ResearchConfig) -> dict[str, float]:
    """Seconds each network tool may run: its own timeout (a search may fail over through every configured
    provider, each with `fetch_timeout_s`) plus `tool_timeout_margin_s`. Local tools have no cap."""
    margin = config.tool_timeout_margin_s
    return {
        "web_search": config.fetch_timeout_s * max(1, len(config.search_providers)) + margin,
        "fetch_page": config.fetch_timeout_s + margin,
        "browse_page": config.browser_timeout_s + margin,
    }


def _timed_out(tool: str, limit_s: float) -> ToolError:
    return ToolError(
        kind="timeout",
        message=f"{tool} did not finish within {limit_s:g}s and was stopped",
        is_retryable=True,
        hint="The source or service hangs; try another result or another tool.",
        tool=tool,
    )


def _guarded(
    tool: str, run: Callable[..., Awaitable[ToolOutput]], time_limit_s: float | None
) -> Callable[..., Awaitable[ToolOutput]]:
    """The boundary the issue asks for: nothing but a result or a `ToolError` reaches the agent, in time."""

    async def guarded(**kwargs: Any) -> ToolOutput:
        cap = asyncio.timeout(time_limit_s)
        try:
            async with cap:
                return await run(**kwargs)
        except Exception as exc:  # noqa: BLE001 — wrapped with its type and message, not swallowed
            if cap.expired():
                return _error_output(_timed_out(tool, time_limit_s or 0.0), tool)
            return _error_output(ToolError.from_exception(exc, tool=tool), tool)

    return guarded


def _make_tool(
    name: str,
    description: str,
    args: type[BaseModel],
    run: Callable[..., Awaitable[ToolOutput]],
    time_limit_s: float | None = None,
) -> BaseTool:
    return StructuredTool.from_function(
        coroutine=_guarded(name, run, time_limit_s),
        name=name,
        description=description,
        args_schema=args,
        response_format="content_and_artifact",
        handle_validation_error=_invalid_arguments,
    )


def _unavailable(tool: str, what: str, instead: str) -> ToolError:
    return ToolError(kind="provider_down", message=f"{what} is not available in this run", hint=instead, tool=tool)


class _AgentTools:
    """The tool bodies, bound to the run's services and one agent's memory."""

    def __init__(self, services: ToolServices, memory: MemoryRecall | None) -> None:
        self._services = services
        self._config = services.config
        self._memory = memory

    async def web_search(
        self, query: str, max_results: int | None = None, time_range: Any = None, language: str | None = None
    ) -> ToolOutput:
        if self._services.search is None:
            return _error_output(_unavailable("web_search", "web search", "Use search_local."), "web_search")
        found = await self._services.search.search(
            query,
            max_results=max_results or self._config.search_max_results,
            time_range=time_range,
            language=language,
        )
        if isinstance(found, ToolError):
            return _error_output(found, "web_search")
        return hits_text(query, found, opener="fetch_page"), found

    async def fetch_page(self, url: str) -> ToolOutput:
        return await self._read_page("fetch_page", self._services.fetch, url)

    async def browse_page(self, url: str) -> ToolOutput:
        return await self._read_page("browse_page", self._services.browse, url)

    async def _read_page(self, tool: str, reader: PageReader | None, url: str) -> ToolOutput:
        local = await self._open_local(url)
        if local is not None:
            return document_text(local, max_chars=self._config.page_chars), local
        if reader is None:
            return _error_output(_unavailable(tool, tool, "Use fetch_page or another source."), tool)
        result = await reader(url)
        if isinstance(result, ToolError):
            return _error_output(result, tool)
        return document_text(result, max_chars=self._config.page_chars), result

    async def _open_local(self, locator: str) -> Document | None:
        """Documents the local corpus holds open from it, by id or by URL (encyclopedia articles keep their
        Wikipedia URL): offline, instant, and exactly the text that was indexed. Anything else is fetched."""
        corpus = self._services.local_corpus
        if corpus is None:
            return None
        return await corpus.open(locator)

    async def search_local(self, query: str, max_results: int | None = None) -> ToolOutput:
        corpus = self._services.local_corpus
        if corpus is None:
            return _error_output(_unavailable("search_local", "the local corpus", "Use web_search."), "search_local")
        hits = await corpus.search(query, max_results=max_results or self._config.search_max_results)
        return hits_text(query, hits, opener="fetch_page"), hits

    async def recall(self, query: str, k: int = 5) -> ToolOutput:
        if self._memory is None:
            return _error_output(_unavailable("recall", "memory", "Search again instead."), "recall")
        passages = await self._memory.recall(query, k)
        return passages_text(query, passages), passages


def build_tools(services: ToolServices, *, memory: MemoryRecall | None = None) -> list[BaseTool]:
    """One agent's tool set; `memory` is that agent's own memory (the rest is shared by the run)."""
    bodies = _AgentTools(services, memory)
    limits = tool_time_limits(services.config)
    return [
        _make_tool(
            "web_search",
            "Search the web. Returns numbered results with title, URL and snippet. Read a result with "
            "fetch_page before relying on it: snippets are not sources.",
            WebSearchArgs,
            bodies.web_search,
            limits["web_search"],
        ),
        _make_tool(
            "fetch_page",
            "Read a web page, PDF or text file by URL (or a document id from search_local) and return its "
            "main text. If it reports needs_js, use browse_page for the same URL.",
            PageArgs,
            bodies.fetch_page,
            limits["fetch_page"],
        ),
        _make_tool(
            "browse_page",
            "Read a web page in a real browser so JavaScript runs. Slower than fetch_page: use it only "
            "when fetch_page reports needs_js or returns almost nothing.",
            PageArgs,
            bodies.browse_page,
            limits["browse_page"],
        ),
        _make_tool(
            "search_local",
            "Search the local document collection (the user's files and offline encyclopedia summaries). "
            "Works offline. Read a result with fetch_page and its id.",
            LocalSearchArgs,
            bodies.search_local,
        ),
        _make_tool(
            "recall",
            "Recall passages you read and stored earlier in this research, by topic.",
            RecallArgs,
            bodies.recall,
        ),
    ]
