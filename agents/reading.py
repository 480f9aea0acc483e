"""Reading a search's top results in the same step as the search.

A read the model has to ask for costs a model call after every search, and weak models often never open
a result at all. So the top unread results of each search are fetched at once, concurrently, and their
relevant passages go back inside the search's own tool message. Each read goes through the same
observation as a fetch the model asked for: the same page budget, memory, events and error handling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from langchain_core.messages import ToolCall
from langchain_core.tools import BaseTool

from agents.context import ResearchContext
from agents.observe import Observation, run_tool, url_key
from deepresearch.errors import ToolError

Observe = Callable[..., Awaitable[Observation]]


async def read_top_results(
    search: Observation,
    *,
    limit: int,
    tools: Mapping[str, BaseTool],
    observe: Observe,
    fetched: Mapping[str, str],
    unreadable: Sequence[str],
    next_label: int,
    agent_id: str,
    context: ResearchContext,
) -> list[str]:
    """Reads up to `limit` unread results of `search` into it; returns the URLs that could not be read."""
    failed = {url_key(url) for url in unreadable}
    urls = [url for url in dict.fromkeys(search.leads) if url_key(url) not in fetched and url_key(url) not in failed]
    urls = urls[:limit]
    if not urls or "fetch_page" not in tools:
        return []
    context.emit(
        "researcher.read_results", f"{agent_id}: reading the top {len(urls)} results", agent=agent_id, urls=urls
    )
    outcomes = await asyncio.gather(*(_read(url, tools) for url in urls))
    notes, dead = [], []
    fetched = dict(fetched)
    for url, (tool, ran) in zip(urls, outcomes, strict=True):
        call = ToolCall(name=tool, args={"url": url}, id=f"read_{url_key(url)}", type="tool_call")
        read = await observe(call, fetched=fetched, next_label=next_label, ran=ran)
        _merge(search, read)
        fetched |= read.fetched
        next_label += len(read.passages)
        notes.append(str(read.message.content))
        if read.error is not None:
            dead.append(url)
        if read.stopped_by:
            search.stopped_by = read.stopped_by
            break
    search.message.content = f"{search.message.content}\n\nThe top results, read for you:\n" + "\n\n".join(notes)
    return dead


async def _read(url: str, tools: Mapping[str, BaseTool]) -> tuple[str, tuple[Any, Any]]:
    """One result read by `fetch_page`, or by the tool its error names (a page that needs JavaScript is
    read in the browser); the tool used and its content and artifact."""
    tool = "fetch_page"
    ran = await _run(tools[tool], url)
    advice = ran[1].next_tool if isinstance(ran[1], ToolError) else None
    if advice and advice in tools:
        tool = advice
        ran = await _run(tools[tool], url)
    return tool, ran


async def _run(tool: BaseTool, url: str) -> tuple[Any, Any]:
    try:
        return await run_tool(tool, {"url": url}, f"read_{url_key(url)}")
    except Exception as exc:  # noqa: BLE001 — becomes this read's ToolError, like any failed read
        error = ToolError.from_exception(exc, tool=tool.name)
        return error.for_model(), error


def _merge(search: Observation, read: Observation) -> None:
    search.passages |= read.passages
    search.sources |= read.sources
    search.source_texts |= read.source_texts
    search.fetched |= read.fetched
