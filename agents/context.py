"""The one typed run context every agent reads: config, models, tools, memory, budgets, events.

The graph receives a `ResearchContext` as its `context_schema` and nodes read it through
`Runtime[ResearchContext]`. Agents never build clients: tools and memory come from the injected
`Services`, models from the `ModelSet`, so every agent runs in tests with scripted parts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.config import get_stream_writer

from deepresearch.budgets import PageBudget, RunClock
from deepresearch.config import ResearchConfig
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
    """Everything a run's nodes may use, built once per process by `graphs.context.build_context`. Its
    fields never change; the budgets they hold count down (shared by every branch of the run)."""

    config: ResearchConfig
    models: ModelSet
    services: Services
    clock: RunClock  # the wall-time budget
    pages: PageBudget  # the page budget: taken before every page read, by any tool
    run_id: str = ""
    events: EventSink = ignore_event

    def tool_schemas(self, agent_id: str) -> list[dict[str, Any]]:
        return [openai_tool_schema(tool) for tool in self.services.make_tools(agent_id)]

    def emit(self, kind: str, message: str = "", *, agent: str | None = None, **data: object) -> Event:
        event = Event(kind=kind, message=message, agent=agent, data=dict(data))
        stream_sink(self.events)(event)
        return event
