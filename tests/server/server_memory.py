"""A research run whose researchers keep their memory in the configured Chroma store, for subprocess runs.

`services` is a `services_factory` (`DEEPRESEARCH_SERVICES_FACTORY=tests.server.server_memory:services`):
the scripted web of `deepresearch.testing`, but each researcher's memory is the real `memory.agent_memory`
over `chroma_url` (a Chroma server), so what a worker remembered outlives the worker.

Importing this module registers the `scripted:research-reread` model. Its researchers search, read the
first result, read the second result, then ask for the first page again, which the researcher answers
from its memory ("already read"), and finish. With `DR_TEST_HANG_READ=<agent id>:<n>` that agent's
n-th page read hangs, so a run killed there has that agent's earlier reads in memory only, and a
resumed run that answers the re-read shows the memory written before the kill in use.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from agents.context import Services
from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from deepresearch.testing import (
    FakeWeb,
    ResearchResponder,
    ScriptedChatModel,
    register_script,
    scripted_tools,
    tool_call,
)
from memory.agent_memory import AgentMemory, RunMemory

HANG_READ_ENV = "DR_TEST_HANG_READ"
_TASK = re.compile(r"<task>(.*?)</task>", re.DOTALL)
_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class HangingWeb(FakeWeb):
    """The scripted web as one agent sees it; its `hang_on_read`-th page read never returns."""

    hang_on_read: int | None = None
    reads: int = 0

    async def read(self, url: str, *, browser: bool) -> Document | ToolError:
        self.reads += 1
        if self.reads == self.hang_on_read:
            await asyncio.sleep(60)
        return await super().read(url, browser=browser)


def _hang_rule() -> tuple[str, int] | None:
    agent, _, nth = os.environ.get(HANG_READ_ENV, "").partition(":")
    return (agent, int(nth)) if agent and nth else None


def services(config: ResearchConfig, run_id: str) -> Services:
    """Scripted web and tools; per-agent memory in the run's collection of the configured chroma store."""
    run_memory = RunMemory.from_config(config, run_id)
    memories: dict[str, AgentMemory] = {}
    tools: dict[str, list[Any]] = {}
    hang = _hang_rule()

    def make_memory(agent_id: str) -> AgentMemory:
        return memories.setdefault(agent_id, run_memory.for_agent(agent_id))

    def make_tools(agent_id: str) -> list[Any]:
        if agent_id not in tools:
            web = HangingWeb(hang_on_read=hang[1] if hang and hang[0] == agent_id else None)
            tools[agent_id] = scripted_tools(web, make_memory(agent_id))  # type: ignore[arg-type]
        return tools[agent_id]

    return Services(make_tools=make_tools, make_memory=make_memory)


@dataclass
class RereadingResponder(ResearchResponder):
    """Search, read result 1, read result 2, ask for result 1 again; then the usual ending."""

    def research_step(self, messages: list[BaseMessage]) -> Any:
        replies = [m for m in messages if isinstance(m, AIMessage)]
        searches = [m for m in messages if isinstance(m, ToolMessage) and m.name == "web_search"]
        if not searches or len(replies) > 3:
            return super().research_step(messages)  # the first search, and the ending
        log = os.environ.get("DEEPRESEARCH_TESTING_CALL_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                match = _TASK.search("\n".join(str(m.content) for m in messages))
                handle.write((match.group(1).strip() if match else "") + "\n")
        results = list(dict.fromkeys(_URL.findall(str(searches[0].content))))
        read_next = {1: results[0], 2: results[1], 3: results[0]}[len(replies)]
        return tool_call("fetch_page", url=read_next)


register_script(
    "research-reread", lambda: ScriptedChatModel(responder=RereadingResponder(tasks=2, dangling_first_draft=False))
)
