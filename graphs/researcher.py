"""The researcher subgraph: step → step … → conclude, one instance per task (`Send`).

The subgraph holds one `ResearcherTurn` (agents.researcher_turn) and is a thin adapter over
`agents.researcher.take_step`. Each step is a checkpointed node, so a run killed mid-research resumes
inside the loop it was in (the evidence floor is its first step), and a researcher that already finished
is never re-run.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agents import findings as findings_of
from agents import researcher
from agents.context import ResearchContext
from agents.researcher_turn import ResearcherTurn
from graphs.state import ResearcherInput, ResearcherOutput, ResearcherState


def _turn(state: ResearcherState) -> ResearcherTurn:
    turn = state.get("turn")
    if turn is None:
        question = state.get("question") or state["task"].goal
        return ResearcherTurn(task=state["task"], question=question, run_has_read=state.get("run_has_read", []))
    return turn.model_copy(deep=True)  # the checkpointed value is never changed in place


async def step(state: ResearcherState, runtime: Runtime[ResearchContext]) -> Command[Literal["step", "conclude"]]:
    """The evidence floor the first time, then one think-and-act, in one node."""
    turn = _turn(state)
    output = await researcher.take_step(turn, runtime.context)
    update: dict[str, Any] = {"turn": turn}
    for key in ("sources", "source_texts", "events", "problems"):
        if value := getattr(output, key):  # empty writes are left out: each costs the graph's bookkeeping
            update[key] = value
    return Command(goto="conclude" if turn.is_done else "step", update=update)


async def conclude(state: ResearcherState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    turn = _turn(state)
    findings = await findings_of.conclude(turn, runtime.context)
    runtime.context.emit(
        "researcher.done",
        f"{turn.task.id}: {len(findings.claims)} claims from {len(turn.sources)} sources",
        agent=turn.task.id,
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
