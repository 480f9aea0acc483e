"""The researcher subgraph: step (think, then act) → step … → conclude, one instance per task (`Send`).

Each step is a checkpointed node, so a run killed mid-research resumes inside the loop it was in, and a
researcher that already finished is never re-run.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agents import fallbacks, researcher
from agents import findings as findings_of
from agents.context import ResearchContext
from graphs.state import ResearcherInput, ResearcherOutput, ResearcherState

# Written every step even when empty: the last failure is forgotten once a step succeeds. Other empty
# writes are left out, as each write costs the graph's bookkeeping, one researcher at a time.
_ALWAYS_WRITTEN = frozenset({"messages", "steps", "failed_signature", "failed_next_tool"})


async def step(state: ResearcherState, runtime: Runtime[ResearchContext]) -> Command[Literal["step", "conclude"]]:
    """Think, then run the tool calls the model asked for, in one node.

    One node per step (rather than think and act apart) halves the graph's own bookkeeping per step; that
    work runs one researcher at a time, so it is what delays the last of several parallel researchers.
    A run killed mid-step repeats at most that step's model call when it resumes.
    """
    task = state["task"]
    if task.model_tier:  # on the task, so a resumed run keeps the quick path's tier
        runtime.context.models.use_tier("researcher", task.model_tier)
    thought = await researcher.think(task, task.id, state.get("messages", []), state.get("steps", 0), runtime.context)
    update: dict[str, Any] = {"messages": thought.messages, "steps": state.get("steps", 0) + 1}
    if thought.stopped_by:
        update["stopped_by"] = thought.stopped_by
    reply = thought.reply
    out_of_steps = thought.stopped_by == "steps"  # the quick path's one step may have read nothing
    if out_of_steps or (reply is not None and researcher.wants_to_stop(reply) and not thought.stopped_by):
        forced = fallbacks.evidence_first_call(
            task.queries,
            task.goal,
            task.id,
            queries_tried=state.get("queries_tried", []),
            leads=state.get("leads", []),
            fetched=state.get("fetched", {}),
            unreadable=state.get("unreadable", []),
            context=runtime.context,
            why=("the step limit came before anything was read" if out_of_steps
                 else "the model stopped before reading anything"),
        )
        if forced is not None:
            reply = forced
            update["messages"] = [*thought.messages, *researcher.declined(thought.reply), forced]
    if reply is None or not reply.tool_calls:
        return Command(goto="conclude", update=update)
    result = await researcher.act(
        reply,
        task,
        task.id,
        fetched=state.get("fetched", {}),
        failed_signature=state.get("failed_signature", ""),
        next_label=len(state.get("passages", {})) + 1,
        sources_by_id=state.get("sources", {}),
        context=runtime.context,
        queries_tried=state.get("queries_tried", []),
        leads=state.get("leads", []),
        failed_next_tool=state.get("failed_next_tool", ""),
        unreadable=state.get("unreadable", []),
        repeats=state.get("repeats", 0),
    )
    observations = result.observations
    update |= {
        "messages": [*update["messages"], *(o.message for o in observations)],
        "passages": {k: v for o in observations for k, v in o.passages.items()},
        "sources": {k: v for o in observations for k, v in o.sources.items()},
        "source_texts": {k: v for o in observations for k, v in o.source_texts.items()},
        "fetched": {k: v for o in observations for k, v in o.fetched.items()},
        "queries_tried": [q for o in observations for q in o.queries],
        "leads": [url for o in observations for url in o.leads],
        "problems": [o.error.for_model().splitlines()[0] for o in observations if o.error is not None],
        "failed_signature": result.failed_signature,
        "failed_next_tool": result.failed_next_tool,
        "unreadable": result.unreadable,
        "events": result.events,
        "repeats": state.get("repeats", 0) + result.repeats if result.repeats else 0,
    }
    update = {key: value for key, value in update.items() if value or key in _ALWAYS_WRITTEN}
    stopped = next((o.stopped_by for o in observations if o.stopped_by), None)
    if stopped:
        update["stopped_by"] = stopped
    if result.finished is not None:
        update["drafted"] = result.finished
    if stopped or result.finished is not None or result.exhausted:
        return Command(goto="conclude", update=update)
    return Command(goto="step", update=update)


async def conclude(state: ResearcherState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    task = state["task"]
    findings = await findings_of.conclude(
        task,
        task.id,
        state.get("passages", {}),
        state.get("sources", {}),
        queries_tried=state.get("queries_tried", []),
        stopped_by=state.get("stopped_by"),
        context=runtime.context,
        drafted=state.get("drafted"),
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
    builder.add_node("step", step)
    builder.add_node("conclude", conclude)
    builder.add_edge(START, "step")
    builder.add_edge("conclude", END)
    return builder
