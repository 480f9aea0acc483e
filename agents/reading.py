"""Reading several results at once: fetched concurrently, then observed one by one like any read.

The evidence floor reads the best results of its retrievals this way, and for a weak model the top results
of each of its searches are read in the same step (`agents.weak_model`). Each read goes through the same
observation as a fetch the model asked for: the same page budget (`Workbench.run`), memory, events and error
handling, and a page whose fetch error names another tool (needs JavaScript → `browse_page`) is read with
that tool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import ToolCall

from agents.observe import Known, Observation, Workbench
from deepresearch.errors import ToolError
from deepresearch.schemas import url_key


async def read_urls(urls: Sequence[str], bench: Workbench, known: Known) -> list[Observation]:
    """One observation per URL read (in order), stopping early if a budget stops the research."""
    if not urls or "fetch_page" not in bench.tools:
        return []
    outcomes = await asyncio.gather(*(_read(url, bench) for url in urls))
    observations: list[Observation] = []
    for url, (tool, ran) in zip(urls, outcomes, strict=True):
        call = ToolCall(name=tool, args={"url": url}, id=f"read_{url_key(url)}", type="tool_call")
        read = await bench.observe(call, known, ran, by="system")
        observations.append(read)
        known = known.after(read)
        if read.stopped_by:
            break
    return observations


async def read_into(search: Observation, urls: Sequence[str], bench: Workbench, known: Known) -> None:
    """Reads `urls` and folds them into `search`, whose tool message then shows their passages too."""
    reads = await read_urls(urls, bench, known.after(search))
    if not reads:
        return
    bench.context.emit(
        "researcher.read_results", f"{bench.agent_id}: read {len(reads)} results", agent=bench.agent_id, urls=urls
    )
    for read in reads:
        search.merge(read)
    notes = "\n\n".join(str(read.message.content) for read in reads)
    search.message.content = f"{search.message.content}\n\nThe top results, read for you:\n{notes}"


async def _read(url: str, bench: Workbench) -> tuple[str, tuple[Any, Any]]:
    """One result read by `fetch_page`, or by the tool its error names; the tool used and its output."""
    tool = "fetch_page"
    ran = await _run(bench, tool, url)
    advice = ran[1].next_tool if isinstance(ran[1], ToolError) else None
    if advice and advice in bench.tools:
        tool = advice
        ran = await _run(bench, tool, url)
    return tool, ran


async def _run(bench: Workbench, tool: str, url: str) -> tuple[Any, Any]:
    try:
        return await bench.run(tool, {"url": url})
    except Exception as exc:  # noqa: BLE001 — becomes this read's ToolError, like any failed read
        error = ToolError.from_exception(exc, tool=tool)
        return error.for_model(), error
