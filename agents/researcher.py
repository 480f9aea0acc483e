"""Researcher: a reasoning loop (think → tool → observe) that ends with claims tied to exact passages.

`think` makes one model call with the tools bound (native tool calls, or grammar-constrained JSON actions
on the embedded model: one loop serves both). `act` runs the calls; a `ToolError` or invalid arguments go
back as a tool message carrying the hint so the next action can be the correction, and every correction
is an event. Pages are not summarized by a model: they go to the agent's memory and the researcher's own
next call reads only the passages memory recalls for its goal. A search's top results are read in the
same step (`agents.reading`), and the model ends with a `finish` call carrying its findings, so neither
reading nor concluding costs a model call of its own (`agents.findings` checks what it claims).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolCall, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from agents import fallbacks
from agents.context import ResearchContext
from agents.evidence import DATA_RULE
from agents.fallbacks import call_signature
from agents.findings import ResearcherFindings
from agents.observe import FETCH_TOOLS, SEARCH_TOOLS, Observation, observe_call
from agents.prompts import RESEARCHER_TECHNIQUES, PromptStyle, technique
from agents.reading import read_top_results
from deepresearch.errors import BudgetExceeded, ToolError
from deepresearch.progress import Event
from deepresearch.schemas import ResearchTask, Source

RESEARCHER_PROMPT = """<role>You are a research agent working on one task of a larger research brief.</role>
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
- Search; {reading} When a tool answers with ERROR, follow its hint: your next call must be
  different (another query, another result, browse_page instead of fetch_page).
- Once the task is covered, or nothing more helps, call finish with your claims: each one factual
  sentence the passages state, with the ids of the passages that say it.
</rules>{technique}"""

RESEARCHER_PLACEHOLDERS = frozenset({"goal", "queries", "done_when", "reading", "data_rule", "technique"})
READ_FOR_YOU = (
    "the top results of each search are read for you and come back as passages (P1, P2, ...). "
    "Read other results with fetch_page."
)
READ_YOURSELF = "read the most promising results with fetch_page; they come back as passages (P1, P2, ...)."
FINISH = "finish"
FINISH_TOOL = convert_to_openai_tool(ResearcherFindings)


@dataclass
class ThinkResult:
    messages: list[BaseMessage]
    reply: AIMessage | None = None
    stopped_by: str | None = None


def opening_messages(task: ResearchTask, read_per_search: int, style: PromptStyle = "plain") -> list[BaseMessage]:
    prompt = RESEARCHER_PROMPT.format(
        goal=task.goal,
        queries="; ".join(task.queries) or task.goal,
        done_when=task.done_when or "the task's question is answered by passages you have read",
        reading=READ_FOR_YOU if read_per_search else READ_YOURSELF,
        data_rule=DATA_RULE,
        technique=technique(RESEARCHER_TECHNIQUES, style),
    )
    return [SystemMessage(prompt), HumanMessage(f"Research this task now: {task.goal}")]


async def think(
    task: ResearchTask, agent_id: str, messages: Sequence[BaseMessage], steps: int, context: ResearchContext
) -> ThinkResult:
    """One model step, or the name of the budget that forbids it."""
    opening = [] if messages else opening_messages(task, context.config.read_per_search, context.config.prompt_style)
    if steps >= min(task.max_steps or context.config.max_steps, context.config.max_steps):
        return ThinkResult(opening, stopped_by="steps")
    tools = [*context.tool_schemas(agent_id), FINISH_TOOL]
    try:
        context.run_clock.check_time()
        reply = await context.models.for_role("researcher").ainvoke([*messages, *opening], tools=tools, agent=agent_id)
    except BudgetExceeded as exceeded:
        context.emit("budget.exceeded", str(exceeded), agent=agent_id, limit=exceeded.limit)
        return ThinkResult(opening, stopped_by=exceeded.limit)
    return ThinkResult([*opening, reply.message], reply=reply.message)


def wants_to_stop(reply: AIMessage) -> bool:
    """A reply with no tool call, or only `finish`: the model means to end the task."""
    return all(call["name"] == FINISH for call in reply.tool_calls)


def declined(reply: AIMessage | None) -> list[ToolMessage]:
    """Answers to the `finish` calls of a reply the system overrides: a task ends only after a read."""
    calls = reply.tool_calls if reply is not None else []
    return [_answered(call, "Not yet: nothing has been read; reading first.").message for call in calls]


def _answered(call: ToolCall, text: str) -> Observation:
    """The tool message for a call the system answers itself instead of running its tool."""
    return Observation(message=ToolMessage(text, tool_call_id=call.get("id") or call["name"], name=call["name"]))


@dataclass
class ActResult:
    observations: list[Observation] = field(default_factory=list)
    failed_signature: str = ""
    failed_next_tool: str = ""
    unreadable: list[str] = field(default_factory=list)  # URLs whose read failed in this step
    events: list[Event] = field(default_factory=list)
    finished: ResearcherFindings | None = None  # the model's `finish` call: its drafted findings
    exhausted: bool = False  # the model repeated a search with nothing new to read: conclude now
    repeats: int = 0  # repeated searches turned into reads in this step


async def act(
    reply: AIMessage,
    task: ResearchTask,
    agent_id: str,
    *,
    fetched: dict[str, str],
    failed_signature: str,
    next_label: int,
    sources_by_id: dict[str, Source],
    context: ResearchContext,
    queries_tried: Sequence[str] = (),
    leads: Sequence[str] = (),
    failed_next_tool: str = "",
    unreadable: Sequence[str] = (),
    repeats: int = 0,
) -> ActResult:
    """Run every tool call of `reply`; errors become hint-carrying tool messages, never exceptions.

    Weak models repeat themselves, so repeats are turned into progress (`agents.fallbacks`), and the tool
    message says what was done instead.
    """
    result = ActResult()
    tools = {tool.name: tool for tool in context.services.make_tools(agent_id)}
    memory = context.services.make_memory(agent_id)
    tried = {query.strip().lower() for query in queries_tried}
    unreadable = list(unreadable)
    observe = functools.partial(
        observe_call,
        task=task,
        agent_id=agent_id,
        tools=tools,
        memory=memory,
        sources_by_id=sources_by_id,
        context=context,
    )
    for original in reply.tool_calls:
        if original["name"] == FINISH:
            result.finished = _finish(original, agent_id, context)
            result.observations.append(_answered(original, "Findings received."))
            continue
        # An off-topic search becomes the task's planned query, which may itself be a repeat: both checks run.
        call, off_topic = fallbacks.instead_of_off_topic_search(original, task, tried, agent_id, context)
        if fallbacks.is_exhausted_repeat(call, tried, leads, fetched, unreadable, repeats + result.repeats):
            result.exhausted = True
            context.emit(
                "researcher.nudge",
                f"{agent_id}: repeated a search with nothing new to read; concluding with what was read",
                agent=agent_id,
            )
            text = "This search was run already and has nothing new; the task concludes with what was read."
            result.observations.append(_answered(original, text))
            continue
        call, note = fallbacks.instead_of_repeated_search(call, tried, leads, fetched, unreadable, agent_id, context)
        result.repeats += bool(note)
        note = " ".join(part for part in (off_topic, note) if part)
        if not note:
            call, note = fallbacks.instead_of_repeated_failure(
                call, failed_signature, failed_next_tool, agent_id, context
            )
        if failed_signature:
            result.events.append(_correction_event(original, failed_signature, agent_id, context))
            failed_signature = ""
        observation = await observe(call, fetched=fetched, next_label=next_label)
        if note and observation.error is not None and observation.error.next_tool:
            # The system chose this read, so the system follows its error's advice at once.
            call = fallbacks.follow_advice(call, observation.error.next_tool, agent_id, context)
            observation = await observe(call, fetched=fetched, next_label=next_label)
        if call["name"] in SEARCH_TOOLS and observation.error is None and context.config.read_per_search:
            dead = await read_top_results(
                observation,
                limit=context.config.read_per_search,
                tools=tools,
                observe=observe,
                fetched=fetched,
                unreadable=unreadable,
                next_label=next_label + len(observation.passages),
                agent_id=agent_id,
                context=context,
            )
            result.unreadable.extend(dead)
            unreadable = [*unreadable, *dead]
        if note:
            observation.message.content = f"{note}\n{observation.message.content}"
        fetched = {**fetched, **observation.fetched}
        tried |= {query.strip().lower() for query in observation.queries}
        next_label += len(observation.passages)
        if observation.error is not None:
            _record_failure(result, call, observation.error, agent_id, context)
            unreadable = [*unreadable, *result.unreadable]
        result.observations.append(observation)
    return result


def _finish(call: ToolCall, agent_id: str, context: ResearchContext) -> ResearcherFindings:
    """The findings a `finish` call carries; malformed ones count as none, so the extractive path decides."""
    try:
        return ResearcherFindings.model_validate(call["args"])
    except ValueError as error:
        context.emit("agent.fallback", f"{agent_id}: finish: {str(error).splitlines()[0]}", agent=agent_id)
        return ResearcherFindings()


def _correction_event(call: ToolCall, failed_signature: str, agent_id: str, context: ResearchContext) -> Event:
    """Whether the model's next action after a failure differs from the failed one: a correction or a repeat."""
    signature = call_signature(call["name"], call["args"])
    differs = signature != failed_signature
    kind = "researcher.correction" if differs else "researcher.repeat"
    text = "next action differs from the failed one" if differs else "repeated the failed action"
    return context.emit(
        kind, f"{agent_id}: {text}: {call['name']}", agent=agent_id, after=failed_signature, action=signature
    )


def _record_failure(
    result: ActResult, call: ToolCall, error: ToolError, agent_id: str, context: ResearchContext
) -> None:
    result.failed_signature = call_signature(call["name"], call["args"])
    result.failed_next_tool = error.next_tool or ""
    # A page whose error names another tool (needs_js → browse_page) can still be read: a later read
    # chosen by the system follows that advice, so only dead ends are marked unreadable.
    if call["name"] in FETCH_TOOLS and "url" in call["args"] and not error.next_tool:
        result.unreadable.append(str(call["args"]["url"]))
    result.events.append(
        context.emit(
            "tool.error",
            f"{agent_id}: {error.for_model()}",
            agent=agent_id,
            tool=call["name"],
            error_kind=error.kind,
            hint=error.hint,
        )
    )
