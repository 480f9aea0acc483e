"""Researcher: evidence first, then a reasoning loop (think → tool → observe) that ends with claims.

A researcher's first step is the evidence floor (`agents.evidence_floor`): it reads for its task before
its model chooses anything. Each later step makes one model call with the tools bound (native tool calls,
or the JSON-action protocol for a model without them) and runs the calls. A `ToolError` or invalid
arguments go back as a tool message carrying the hint, so the next action can be the correction, and every
correction is an event. Pages are not summarized by a model: they go to the agent's memory and the
researcher sees the passages memory recalls for its task. The model ends with a `finish` call carrying
its findings (`agents.findings` checks them). A weak model's calls pass through `agents.weak_model`.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolCall, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from agents import weak_model
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, source_block
from agents.evidence_floor import read_first_evidence
from agents.finish import ResearcherFindings
from agents.observe import SEARCH_TOOLS, Actor, Known, Observation, Workbench
from agents.prompts import RESEARCHER_TECHNIQUES, technique
from agents.reading import read_into
from agents.researcher_turn import FailedCall, ResearcherTurn, StepOutput
from deepresearch.errors import BudgetExceeded
from deepresearch.progress import Event

RESEARCHER_PROMPT = """<role>You are a research agent working on one task of a larger research question.</role>
<question>{question}</question>
<task>{goal}</task>
<first_queries>{queries}</first_queries>
<done_when>{done_when}</done_when>
<tools>
- web_search / search_local: find candidate sources. fetch_page: read a web page.
- browse_page: read a page that needs JavaScript. recall: re-read passages you already fetched.
- finish: end the task with your findings.
</tools>
<rules>
- {data_rule}
- Some sources were read for this task already; their passages come with the task. Search for what they
  do not cover yet; {reading} When a tool answers with ERROR, follow its hint: your next call must be
  different (another query, another result, browse_page instead of fetch_page).
- Once the task is covered, or nothing more helps, call finish with your claims: each one factual
  sentence the passages state, with the ids of the passages that say it.
</rules>{technique}"""

RESEARCHER_PLACEHOLDERS = frozenset({"question", "goal", "queries", "done_when", "reading", "data_rule", "technique"})
READ_FOR_YOU = (
    "the top results of each search are read for you and come back as passages (P1, P2, ...). "
    "Read other results with fetch_page."
)
READ_YOURSELF = "read the most promising results with fetch_page; they come back as passages (P1, P2, ...)."
FINISH = "finish"
FINISH_TOOL = convert_to_openai_tool(ResearcherFindings)
# How much of each passage read by the floor a weak model is shown: its prompt is re-read every step.
WEAK_PASSAGE_CHARS = 300


def _known(turn: ResearcherTurn) -> Known:
    return Known(turn.fetched, turn.next_label, turn.sources)


def _floor_passages(turn: ResearcherTurn, limit_chars: int | None) -> str:
    """The first passage of each source the floor read, labelled as the model may cite it."""
    shown: list[str] = []
    seen: set[str] = set()
    for label, passage in turn.passages.items():
        if passage.source_id in seen:
            continue
        seen.add(passage.source_id)
        text = (
            passage.text
            if limit_chars is None or len(passage.text) <= limit_chars
            else (passage.text[:limit_chars].rsplit(" ", 1)[0] + " …")
        )
        shown.append(source_block(label, turn.sources.get(passage.source_id), text))
    return "\n".join(shown) or "(nothing could be read yet)"


def opening_messages(turn: ResearcherTurn, context: ResearchContext) -> list[AnyMessage]:
    task = turn.task
    is_weak = weak_model.is_weak(context, "researcher", task.model_tier)
    prompt = RESEARCHER_PROMPT.format(
        question=turn.question,
        goal=task.goal,
        queries="; ".join(task.queries) or task.goal,
        done_when=task.done_when or "the task's question is answered by passages you have read",
        reading=READ_FOR_YOU if weak_model.results_to_read(turn, context) else READ_YOURSELF,
        data_rule=DATA_RULE,
        technique=technique(RESEARCHER_TECHNIQUES, context.config.prompt_style),
    )
    evidence = _floor_passages(turn, WEAK_PASSAGE_CHARS if is_weak else None)
    opening = f"Research this task now: {task.goal}\n\nRead for it already:\n{evidence}"
    return [SystemMessage(prompt), HumanMessage(opening)]


async def take_step(turn: ResearcherTurn, context: ResearchContext) -> StepOutput:
    """One step of `turn`: the evidence floor the first time, then one think-and-act. Updates `turn`."""
    bench = Workbench.for_agent(turn.task, turn.task.id, context)
    if not turn.floor_read:
        output = await read_first_evidence(turn, bench)
        turn.floor_read = True
        turn.messages = opening_messages(turn, context)
        turn.is_done = bool(turn.stopped_by)
        return output
    output = StepOutput()
    reply = await think(turn, context)
    if reply is None or not reply.tool_calls:
        turn.is_done = True
        return output
    await act(reply, turn, bench, output)
    turn.is_done = turn.is_done or bool(turn.stopped_by) or turn.drafted is not None
    return output


async def think(turn: ResearcherTurn, context: ResearchContext) -> AIMessage | None:
    """One model call, or None when a step limit or budget forbids it (recorded on the turn)."""
    agent_id = turn.task.id
    if turn.steps >= weak_model.research_steps(turn, context):
        configured = min(turn.task.max_steps or context.config.max_steps, context.config.max_steps)
        if turn.steps >= configured:
            turn.stopped_by = turn.stopped_by or "steps"
        return None
    tools = [*context.tool_schemas(agent_id), FINISH_TOOL]
    try:
        context.clock.check_time()
        model = context.models.for_role("researcher", turn.task.model_tier)
        reply = await model.ainvoke(turn.messages, tools=tools, agent=agent_id)
    except BudgetExceeded as exceeded:
        context.emit("budget.exceeded", str(exceeded), agent=agent_id, limit=exceeded.limit)
        turn.stopped_by = exceeded.limit
        return None
    turn.steps += 1
    turn.messages.append(reply.message)
    return reply.message


def _answered(call: ToolCall, text: str) -> ToolMessage:
    """The tool message for a call the system answers itself instead of running its tool."""
    return ToolMessage(text, tool_call_id=call.get("id") or call["name"], name=call["name"])


async def act(reply: AIMessage, turn: ResearcherTurn, bench: Workbench, output: StepOutput) -> None:
    """Run every tool call of `reply`; errors become hint-carrying tool messages, never exceptions."""
    context, agent_id = bench.context, bench.agent_id
    is_weak = weak_model.is_weak(context, "researcher", turn.task.model_tier)
    for original in reply.tool_calls:
        if original["name"] == FINISH:
            turn.drafted = _finish(original, agent_id, context)
            turn.messages.append(_answered(original, "Findings received."))
            continue
        call, note = weak_model.instead_of(original, turn, agent_id, context) if is_weak else (original, "")
        if call is None:
            turn.is_done = True
            turn.messages.append(_answered(original, note))
            continue
        if turn.failed is not None:
            output.events.append(_correction_event(original, turn.failed.signature, agent_id, context))
        by: Actor = "system" if call is not original else "model"
        observation = await bench.observe(call, _known(turn), by=by)
        if note and observation.error is not None and observation.error.next_tool:
            # The system chose this call, so the system follows its error's advice at once.
            call = ToolCall(name=observation.error.next_tool, args=dict(call["args"]), id=call.get("id"))
            observation = await bench.observe(call, _known(turn), by="system")
        await _read_results(call, observation, turn, bench)
        if note:
            observation.message.content = f"{note}\n{observation.message.content}"
        turn.failed = _failure(call, observation)
        turn.absorb(observation)
        output.add(observation)
        turn.messages.append(observation.message)


async def _read_results(call: ToolCall, search: Observation, turn: ResearcherTurn, bench: Workbench) -> None:
    """For a weak model, the top unread results of its successful search are read in the same step."""
    count = weak_model.results_to_read(turn, bench.context)
    if call["name"] not in SEARCH_TOOLS or search.error is not None or not count:
        return
    unread = [url for url in dict.fromkeys(search.leads) if not turn.is_known(url)][:count]
    await read_into(search, unread, bench, _known(turn))


def _failure(call: ToolCall, observation: Observation) -> FailedCall | None:
    if observation.error is None:
        return None
    return FailedCall(
        signature=weak_model.call_signature(call["name"], call["args"]), next_tool=observation.error.next_tool or ""
    )


def _finish(call: ToolCall, agent_id: str, context: ResearchContext) -> ResearcherFindings:
    """The findings a `finish` call carries; malformed ones count as none, so the extractive path decides."""
    try:
        return ResearcherFindings.model_validate(call["args"])
    except ValueError as error:
        context.emit("agent.fallback", f"{agent_id}: finish: {str(error).splitlines()[0]}", agent=agent_id)
        return ResearcherFindings()


def _correction_event(call: ToolCall, failed_signature: str, agent_id: str, context: ResearchContext) -> Event:
    """Whether the model's next action after a failure differs from the failed one: a correction or a repeat."""
    signature = weak_model.call_signature(call["name"], call["args"])
    differs = signature != failed_signature
    kind = "researcher.correction" if differs else "researcher.repeat"
    text = "next action differs from the failed one" if differs else "repeated the failed action"
    return context.emit(
        kind, f"{agent_id}: {text}: {call['name']}", agent=agent_id, after=failed_signature, action=signature
    )
