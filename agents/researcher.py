"""Researcher: a reasoning loop (think → tool → observe) that ends with claims tied to exact passages.

`think` makes one model call with the tools bound (native tool calls, or grammar-constrained JSON actions
on the embedded model: one loop serves both). `act` runs the calls; a `ToolError` or invalid arguments go
back as a tool message carrying the hint so the next action can be the correction, and every correction
is an event. Pages are not summarized by a model: they go to the agent's memory and the researcher's own
next call reads only the passages memory recalls for its goal. `conclude` turns collected passages into
`Findings`, with a deterministic extractive path when the model's claims are unusable.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolCall
from pydantic import BaseModel, Field

from agents import fallbacks
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, clean_passages, render_passages, sub_passage
from agents.fallbacks import call_signature
from agents.observe import FETCH_TOOLS, Observation, observe_call
from agents.support import SUPPORT_THRESHOLD, best_passage, content_token_set, sentence_spans
from deepresearch.errors import BudgetExceeded, StructuredOutputError, ToolError
from deepresearch.progress import Event
from deepresearch.schemas import Claim, Findings, Passage, ResearchTask, Source

RESEARCHER_PROMPT = """<role>You are a research agent working on one task of a larger research brief.</role>
<task>{goal}</task>
<first_queries>{queries}</first_queries>
<done_when>{done_when}</done_when>
<tools>
- web_search / search_local: find candidate sources. fetch_page: read a web page.
- browse_page: read a page that needs JavaScript. recall: re-read passages you already fetched.
</tools>
<rules>
- {data_rule}
- Search, then read the most promising results. When a tool answers with ERROR, follow its hint:
  your next call must be different (another query, another result, browse_page instead of fetch_page).
- Stop by replying without a tool call, in two sentences, once the task is covered or nothing more helps.
</rules>"""

FINDINGS_PROMPT = """<role>You extract findings for one research task from passages you have read.</role>
<task>{goal}</task>
<rules>
- {data_rule}
- Each claim is one factual sentence stated by the passages, with the ids of the passages that say it.
- Use only the passages below; no outside knowledge; no claim without a passage id.
</rules>
<passages>
{passages}
</passages>"""

RESEARCHER_PLACEHOLDERS = frozenset({"goal", "queries", "done_when", "data_rule"})
FINDINGS_PLACEHOLDERS = frozenset({"goal", "data_rule", "passages"})
MAX_EXTRACTIVE_CLAIMS = 5
RELEVANCE_SHARE_OF_BEST = 0.5


class ClaimDraft(BaseModel):
    text: str
    passage_ids: list[str] = Field(default_factory=list, description="Ids such as P1, P2 of supporting passages")


class ResearcherFindings(BaseModel):
    claims: list[ClaimDraft] = Field(default_factory=list)
    notes: str = ""


@dataclass
class ThinkResult:
    messages: list[BaseMessage]
    reply: AIMessage | None = None
    stopped_by: str | None = None


def opening_messages(task: ResearchTask) -> list[BaseMessage]:
    prompt = RESEARCHER_PROMPT.format(
        goal=task.goal,
        queries="; ".join(task.queries) or task.goal,
        done_when=task.done_when or "the task's question is answered by passages you have read",
        data_rule=DATA_RULE,
    )
    return [SystemMessage(prompt), HumanMessage(f"Research this task now: {task.goal}")]


async def think(
    task: ResearchTask, agent_id: str, messages: Sequence[BaseMessage], steps: int, context: ResearchContext
) -> ThinkResult:
    """One model step, or the name of the budget that forbids it."""
    opening = [] if messages else opening_messages(task)
    if steps >= context.config.max_steps:
        return ThinkResult(opening, stopped_by="steps")
    tools = context.tool_schemas(agent_id)
    try:
        context.run_clock.check_time()
        reply = await context.models.for_role("researcher").ainvoke([*messages, *opening], tools=tools, agent=agent_id)
    except BudgetExceeded as exceeded:
        context.emit("budget.exceeded", str(exceeded), agent=agent_id, limit=exceeded.limit)
        return ThinkResult(opening, stopped_by=exceeded.limit)
    return ThinkResult([*opening, reply.message], reply=reply.message)


@dataclass
class ActResult:
    observations: list[Observation] = field(default_factory=list)
    failed_signature: str = ""
    failed_next_tool: str = ""
    unreadable: list[str] = field(default_factory=list)  # URLs whose read failed in this step
    events: list[Event] = field(default_factory=list)


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
        call, note = fallbacks.instead_of_repeated_search(
            original, tried, leads, fetched, unreadable, agent_id, context
        )
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


async def conclude(
    task: ResearchTask,
    agent_id: str,
    passages: dict[str, Passage],
    sources_by_id: dict[str, Source],
    *,
    queries_tried: Sequence[str],
    stopped_by: str | None,
    context: ResearchContext,
) -> Findings:
    """Findings for the task: the model's claims where passages support them, else extractive ones."""
    usable = {label: p for label, p in passages.items() if clean_passages([p]) == [p]}
    claims: list[Claim] = []
    notes = ""
    if usable and stopped_by not in {"tokens", "time"}:
        claims, notes = await _model_claims(task, agent_id, usable, sources_by_id, context)
    if usable and not claims:
        claims = extractive_claims(task, list(usable.values()))
        context.emit(
            "researcher.extractive", f"{agent_id}: {len(claims)} claims taken verbatim from passages", agent=agent_id
        )
    return Findings(
        task_id=task.id, claims=claims, queries_tried=list(queries_tried), notes=notes, stopped_by=stopped_by
    )


async def _model_claims(
    task: ResearchTask,
    agent_id: str,
    passages: dict[str, Passage],
    sources_by_id: dict[str, Source],
    context: ResearchContext,
) -> tuple[list[Claim], str]:
    prompt = FINDINGS_PROMPT.format(
        goal=task.goal, data_rule=DATA_RULE, passages=render_passages(list(passages.items()), sources_by_id)
    )
    handle = context.models.for_role("researcher")
    try:
        drafted = await handle.astructured(
            [SystemMessage(prompt), HumanMessage("List the findings.")], ResearcherFindings, agent=agent_id
        )
    except (StructuredOutputError, BudgetExceeded) as error:
        context.emit("agent.fallback", f"{agent_id}: findings: {error}", agent=agent_id)
        return [], ""
    claims: list[Claim] = []
    for draft in drafted.claims:
        cited = [
            passages[label.strip().strip("[]")] for label in draft.passage_ids if label.strip().strip("[]") in passages
        ]
        _, score = best_passage(draft.text, cited, context.services.similarity)
        if cited and score >= SUPPORT_THRESHOLD:
            claims.append(Claim(text=" ".join(draft.text.split()), passages=cited))
        else:
            context.emit(
                "researcher.claim_rejected",
                f"{agent_id}: unsupported claim dropped: {draft.text[:120]}",
                agent=agent_id,
            )
    return claims, drafted.notes


def extractive_claims(task: ResearchTask, passages: Sequence[Passage]) -> list[Claim]:
    """Claims copied verbatim from the passages: of each passage, the sentence that best matches the task.

    Sentences are ranked by how much of the task they cover, and one that covers less than half as much
    as the best is left out: a passage recalled for a shared word ("colour") is not evidence.
    """
    wanted = content_token_set(" ".join([task.goal, *task.queries]))
    candidates: list[tuple[float, Passage]] = []
    seen: set[str] = set()
    for passage in passages:
        best = _best_sentence_span(passage, wanted)
        if best is None or best[1].text.lower() in seen:
            continue
        seen.add(best[1].text.lower())
        candidates.append(best)
    candidates.sort(key=lambda item: -item[0])
    floor = candidates[0][0] * RELEVANCE_SHARE_OF_BEST if candidates else 0.0
    kept = [span for score, span in candidates if score >= floor][:MAX_EXTRACTIVE_CLAIMS]
    return [Claim(text=span.text, passages=[span]) for span in kept]


def _best_sentence_span(passage: Passage, wanted: frozenset[str]) -> tuple[float, Passage] | None:
    best: tuple[float, Passage] | None = None
    for left, right in sentence_spans(passage.text):
        tokens = content_token_set(passage.text[left:right])
        if len(tokens) < 3:
            continue
        score = len(tokens & wanted) / (len(wanted) or 1) + min(len(tokens), 25) / 1000
        if best is None or score > best[0]:
            best = (score, sub_passage(passage, left, right))
    return best
