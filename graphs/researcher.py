"""The researcher subgraph: think → act → think … → conclude, one instance per task (sent with `Send`).

Each step is a checkpointed node, so a run killed mid-research resumes inside the loop it was in, and a
researcher that already finished is never re-run.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agents import researcher
from agents.context import ResearchContext
from graphs.state import ResearcherInput, ResearcherOutput, ResearcherState


async def think(state: ResearcherState, runtime: Runtime[ResearchContext]) -> Command[Literal["act", "conclude"]]:
    task = state["task"]
    result = await researcher.think(task, task.id, state.get("messages", []), state.get("steps", 0), runtime.context)
    update: dict[str, Any] = {"messages": result.messages, "steps": state.get("steps", 0) + 1}
    if result.stopped_by:
        update["stopped_by"] = result.stopped_by
    has_calls = result.reply is not None and bool(result.reply.tool_calls)
    return Command(goto="act" if has_calls else "conclude", update=update)


async def act(state: ResearcherState, runtime: Runtime[ResearchContext]) -> Command[Literal["think", "conclude"]]:
    task = state["task"]
    reply = state["messages"][-1]
    sources = state.get("sources", {})
    result = await researcher.act(
        reply,  # type: ignore[arg-type]  # think routes here only after an AIMessage with tool calls
        task,
        task.id,
        fetched=state.get("fetched", {}),
        failed_signature=state.get("failed_signature", ""),
        next_label=len(state.get("passages", {})) + 1,
        sources_by_id=sources,
        context=runtime.context,
    )
    update: dict[str, Any] = {
        "messages": [o.message for o in result.observations],
        "passages": {k: v for o in result.observations for k, v in o.passages.items()},
        "sources": {k: v for o in result.observations for k, v in o.sources.items()},
        "source_texts": {k: v for o in result.observations for k, v in o.source_texts.items()},
        "fetched": {k: v for o in result.observations for k, v in o.fetched.items()},
        "queries_tried": [q for o in result.observations for q in o.queries],
        "problems": [o.error.for_model().splitlines()[0] for o in result.observations if o.error is not None],
        "failed_signature": result.failed_signature,
        "events": result.events,
    }
    stopped = next((o.stopped_by for o in result.observations if o.stopped_by), None)
    if stopped:
        update["stopped_by"] = stopped
        return Command(goto="conclude", update=update)
    return Command(goto="think", update=update)


async def conclude(state: ResearcherState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    task = state["task"]
    findings = await researcher.conclude(
        task,
        task.id,
        state.get("passages", {}),
        state.get("sources", {}),
        queries_tried=state.get("queries_tried", []),
        stopped_by=state.get("stopped_by"),
        context=runtime.context,
    )
    runtime.context.emit(
        "researcher.done",
        f"{task.id}: {len(findings.claims)} claims from {len(state.get('sources', {}))} sources",
        agent=task.id,
        claims=len(findings.claims),
        stopped_by=findings.stopped_by,
    )
    return {"findings": [findings]}


def build_researcher_graph() -> StateGraph[ResearcherState, ResearchContext, ResearcherInput, ResearcherOutput]:
    """The uncompiled researcher subgraph; the main graph compiles it as its `researcher` node."""
    builder = StateGraph(
        ResearcherState, context_schema=ResearchContext, input_schema=ResearcherInput, output_schema=ResearcherOutput
    )
    builder.add_node("think", think)
    builder.add_node("act", act)
    builder.add_node("conclude", conclude)
    builder.add_edge(START, "think")
    builder.add_edge("conclude", END)
    return builder
