"""The one typed run context every agent reads: config, models, tools, memory, clock, events.

The graph receives a `ResearchContext` as its `context_schema` and nodes read it through
`Runtime[ResearchContext]`. Agents never build clients: tools and memory come from the injected
`Services`, models from the `ModelSet`, so every agent runs in tests with scripted parts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.config import get_stream_writer

from deepresearch.config import ResearchConfig
from deepresearch.errors import BudgetExceeded
from deepresearch.llm import ModelSet
from deepresearch.progress import Event, EventSink, ignore_event
from deepresearch.schemas import Document, Passage

if TYPE_CHECKING:
    from memory.research_cache import ResearchCache


class AgentMemory(Protocol):
    """One researcher's memory: what it read, recalled as exact passages."""

    async def add_document(self, doc: Document) -> object: ...

    async def recall(self, query: str, k: int = 5) -> list[Passage]: ...


ToolFactory = Callable[[str], Sequence[BaseTool]]
MemoryFactory = Callable[[str], AgentMemory]
Similarity = Callable[[str, str], float]


@dataclass(frozen=True)
class Services:
    """What agents use but do not build: tools per agent, memory per agent, optional embeddings, and the
    research cache when the `research_cache` setting is on."""

    make_tools: ToolFactory
    make_memory: MemoryFactory
    similarity: Similarity | None = None
    research_cache: ResearchCache | None = None


@dataclass
class RunClock:
    """Wall-time and page budgets shared by every branch of one process's run."""

    max_time_s: float
    max_pages: int
    started: float = field(default_factory=time.monotonic)
    pages: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    def check_time(self) -> None:
        if self.elapsed_s > self.max_time_s:
            raise BudgetExceeded("time", round(self.elapsed_s, 1), self.max_time_s)

    def take_page(self) -> None:
        """Count one fetched page; raise when the run's page budget is already spent."""
        with self._lock:
            if self.pages >= self.max_pages:
                raise BudgetExceeded("pages", self.pages, self.max_pages)
            self.pages += 1


def stream_sink(fallback: EventSink = ignore_event) -> EventSink:
    """A sink that writes to LangGraph's custom stream inside a graph run, else to `fallback`."""

    def sink(event: Event) -> None:
        try:
            writer = get_stream_writer()
        except RuntimeError:  # called outside a graph run (unit tests, direct agent calls)
            fallback(event)
            return
        writer(event)

    return sink


_TOOL_SCHEMAS: dict[tuple[str, str, type], dict[str, Any]] = {}


def openai_tool_schema(tool: BaseTool) -> dict[str, Any]:
    """A tool as an OpenAI tool schema, converted once per kind of tool in the process: every researcher
    asks at every step, converting takes milliseconds, and that work runs one researcher at a time."""
    schema = tool.args_schema
    if not isinstance(schema, type):
        return convert_to_openai_tool(tool)
    key = (tool.name, tool.description, schema)
    if key not in _TOOL_SCHEMAS:
        _TOOL_SCHEMAS[key] = convert_to_openai_tool(tool)
    return _TOOL_SCHEMAS[key]


@dataclass(frozen=True)
class ResearchContext:
    """Everything a run's nodes may use; frozen, built once per process by `graphs.context`."""

    config: ResearchConfig
    models: ModelSet
    services: Services
    run_id: str = ""
    clock: RunClock | None = None
    events: EventSink = ignore_event

    def tool_schemas(self, agent_id: str) -> list[dict[str, Any]]:
        return [openai_tool_schema(tool) for tool in self.services.make_tools(agent_id)]

    def emit(self, kind: str, message: str = "", *, agent: str | None = None, **data: object) -> Event:
        event = Event(kind=kind, message=message, agent=agent, data=dict(data))
        stream_sink(self.events)(event)
        return event

    @property
    def run_clock(self) -> RunClock:
        if self.clock is None:
            object.__setattr__(self, "clock", RunClock(self.config.max_time_s, self.config.max_pages))
        assert self.clock is not None
        return self.clock
