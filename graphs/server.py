"""The research graph as a LangGraph server runs it (`langgraph.json` → `graphs/server.py:graph`).

A LangGraph server (`langgraph dev`, self-hosted, Platform) hands every run a JSON context and owns the
checkpointer; the research graph's nodes need a `ResearchContext` holding live models, tools and memory,
which JSON cannot carry. So the served graph is one node wrapping the research graph:

    START → research → END        context_schema = ServerSettings (the per-run settings a client may send)

Its output is the report plus every source read and the text it was read as, so a client writes the
same run folder a local run leaves (`deepresearch.remote`), and `deepresearch reports verify` works on it.

The `research` node builds the run's settings (client context > environment/.env > defaults), opens the
run's services, builds the `ResearchContext` exactly as the CLI and the API do, and runs the unchanged
research graph with it as a subgraph. The subgraph checkpoints through the server's checkpointer under its
own namespace, so the clarify `interrupt()` surfaces on the thread, `Command(resume=...)` sent through the
server's API resumes it, and a worker that dies mid-run resumes from the last checkpoint.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from deepresearch.config import ResearchConfig, load_config
from deepresearch.run_settings import RunSettings, ServerRunSettings
from deepresearch.schemas import Source
from graphs.context import build_context, open_services
from graphs.research import build_research_graph
from graphs.state import ResearchInput, ResearchOutput

# What a client may send as a run's context: the per-run settings (`deepresearch.run_settings`), each unset
# unless chosen, unset ones from the server's environment. Deliberately narrow: no keys, URLs, paths or
# services factory from clients (none of those is per run).
ServerSettings = ServerRunSettings


class ServerOutput(ResearchOutput, total=False):
    """The report, and what a run folder keeps beside it: every source read and the text read from it."""

    sources: dict[str, Source]
    source_texts: dict[str, str]


class ServerState(ResearchInput, ServerOutput, total=False):
    """The thread's values on the server: the question in, the report and its sources out."""


_OUTPUT_KEYS = ["report", "sources", "source_texts"]


def settings_for(requested: RunSettings | None) -> ResearchConfig:
    """The run's config: the client's per-run settings over the server's environment and defaults."""
    return load_config(**(requested.chosen() if requested is not None else {}))


def _run_id(config: RunnableConfig) -> str:
    configurable = config.get("configurable") or {}
    return str(configurable.get("thread_id") or configurable.get("run_id") or "server")


_RESEARCH = build_research_graph().compile(name="research")


async def research(state: ServerState, runtime: Runtime[RunSettings]) -> dict[str, Any]:
    """Run the research graph with a context built for this run; its services close when it ends.

    On resume (after the clarify interrupt or a worker restart) the node runs again: the services are
    rebuilt, and the research subgraph continues from its own checkpoint instead of starting over.
    """
    config = get_config()  # the server's run config: the subgraph checkpoints under this node's namespace
    settings = settings_for(runtime.context)
    run_id = _run_id(config)
    async with open_services(settings, run_id) as services:
        context = build_context(settings, services, run_id=run_id)
        output = await _RESEARCH.ainvoke(
            {"question": state["question"]}, config, context=context, output_keys=_OUTPUT_KEYS
        )
    return {key: output[key] for key in _OUTPUT_KEYS if key in output}


def build_server_graph() -> StateGraph[ServerState, RunSettings, ResearchInput, ServerOutput]:
    """The uncompiled served graph; the server compiles it with its own checkpointer and store."""
    builder: StateGraph[ServerState, RunSettings, ResearchInput, ServerOutput] = StateGraph(
        ServerState, context_schema=ServerSettings, input_schema=ResearchInput, output_schema=ServerOutput
    )
    builder.add_node("research", research)
    builder.add_edge(START, "research")
    builder.add_edge("research", END)
    return builder


graph: CompiledStateGraph[ServerState, RunSettings, ResearchInput, ServerOutput] = build_server_graph().compile(
    name="deepresearch"
)
