"""What a researcher observes after one tool call: a tool message plus the records it produced.

Tool results arrive as content + artifact (a `Document`, search hits, passages or a `ToolError`).
Documents go into the agent's memory and come back as the few passages relevant to the task, delimited
as data; errors and invalid arguments come back as hint-carrying tool messages. Nothing here raises to
the loop except programming errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, ValidationError

from agents.context import AgentMemory, ResearchContext
from agents.evidence import clean_passages, neutralize, passages_from_document, render_passages
from deepresearch.errors import BudgetExceeded, ToolError
from deepresearch.schemas import Document, Passage, ResearchTask, SearchHit, Source, normalize_url

FETCH_TOOLS = frozenset({"fetch_page", "browse_page"})
SEARCH_TOOLS = frozenset({"web_search", "search_local"})
PASSAGES_PER_PAGE = 3


@dataclass
class Observation:
    message: ToolMessage
    passages: dict[str, Passage] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    source_texts: dict[str, str] = field(default_factory=dict)
    fetched: dict[str, str] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    error: ToolError | None = None
    stopped_by: str | None = None


def url_key(url: str) -> str:
    return normalize_url(url) if "://" in url else url.strip()


def _invalid_arguments(name: str, detail: str, tools: Mapping[str, BaseTool]) -> ToolError:
    if name not in tools:
        return ToolError(
            kind="invalid_arguments",
            message=f"there is no tool named {name!r}",
            hint=f"Call one of: {', '.join(sorted(tools))}.",
            tool=name,
        )
    fields = ", ".join(sorted(tools[name].args)) or "no arguments"
    return ToolError(
        kind="invalid_arguments",
        message=f"invalid arguments for {name}: {detail}",
        hint=f"Call {name} again with valid arguments ({fields}).",
        tool=name,
    )


async def observe_call(
    call: ToolCall,
    task: ResearchTask,
    agent_id: str,
    *,
    tools: Mapping[str, BaseTool],
    memory: AgentMemory,
    fetched: Mapping[str, str],
    next_label: int,
    sources_by_id: Mapping[str, Source],
    context: ResearchContext,
    ran: tuple[Any, Any] | None = None,
) -> Observation:
    """What the agent sees of one tool call; `ran` is the tool's content and artifact when the call has
    already run (reads made concurrently), else the tool runs here."""
    name, args = call["name"], dict(call["args"])
    call_id = call.get("id") or f"call_{name}"
    target = str(args.get("url") or args.get("query") or "")
    context.emit(
        "researcher.action",
        f"{agent_id}: {name} {target}".strip(),
        agent=agent_id,
        tool=name,
        args={k: str(v) for k, v in args.items()},
    )
    observation = Observation(message=ToolMessage(content="", tool_call_id=call_id, name=name))
    if name in SEARCH_TOOLS and args.get("query"):
        observation.queries.append(str(args["query"]))
    if name in FETCH_TOOLS and url_key(str(args.get("url", ""))) in fetched:
        recalled = await _recall_source(memory, task, fetched[url_key(str(args["url"]))])
        if recalled:
            context.emit(
                "researcher.recall", f"{agent_id}: already read {target}; using memory", agent=agent_id, url=target
            )
            return _with_passages(
                observation, recalled, next_label, sources_by_id, "Already read; passages from memory:"
            )
    if name not in tools:
        return _with_error(observation, _invalid_arguments(name, "unknown tool", tools))
    try:
        content, artifact = ran if ran is not None else await run_tool(tools[name], args, call_id)
    except (ValidationError, ToolException, TypeError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        return _with_error(observation, _invalid_arguments(name, detail, tools))
    if isinstance(artifact, ToolError):
        if artifact.kind == "blocked_by_policy" and "page budget" in artifact.message:
            observation.stopped_by = "pages"
        return _with_error(observation, artifact)
    if isinstance(artifact, Document):
        return await _read_document(
            observation, artifact, str(args.get("url", "")), task, agent_id, memory, next_label, context
        )
    if isinstance(artifact, list) and artifact and isinstance(artifact[0], Passage):
        return _with_passages(observation, clean_passages(artifact), next_label, sources_by_id, "Recalled passages:")
    if isinstance(artifact, list) and name != "recall":
        hits = [hit for hit in artifact if isinstance(hit, SearchHit)]
        observation.leads.extend(hit.url for hit in hits)
        context.emit(
            "search.results",
            f"{agent_id}: {len(hits)} results for {target!r}",
            agent=agent_id,
            query=target,
            count=len(hits),
        )
    observation.message.content = f"<source_data>\n{neutralize(str(content))}\n</source_data>"
    return observation


async def run_tool(tool: BaseTool, args: dict[str, Any], call_id: str) -> tuple[Any, Any]:
    """A tool's content and artifact.

    Coroutine tools with a pydantic argument schema (all of ours) run directly: langchain's per-call
    set-up (callback managers, signature inspection) costs more than a local search, and with parallel
    researchers that work runs one researcher at a time on the event loop. The run's own events are the
    trace of every call. Any other tool goes through `ainvoke`.
    """
    schema = tool.args_schema
    coroutine = tool.coroutine if isinstance(tool, StructuredTool) else None
    typed = isinstance(schema, type) and issubclass(schema, BaseModel)
    if coroutine is not None and typed and tool.response_format == "content_and_artifact":
        parsed = cast(type[BaseModel], schema).model_validate(args)
        given = {key: getattr(parsed, key) for key in args if key in type(parsed).model_fields}
        content, artifact = await coroutine(**given)
        return content, artifact
    reply = await tool.ainvoke({"type": "tool_call", "name": tool.name, "args": args, "id": call_id})
    if isinstance(reply, ToolMessage):
        return reply.content, getattr(reply, "artifact", None)
    return reply, None


def _with_error(observation: Observation, error: ToolError) -> Observation:
    observation.error = error
    observation.message.content = error.for_model()
    observation.message.status = "error"
    return observation


async def _recall_source(memory: AgentMemory, task: ResearchTask, source_id: str) -> list[Passage]:
    query = " ".join([task.goal, *task.queries])
    recalled = await memory.recall(query, k=2 * PASSAGES_PER_PAGE)
    return clean_passages(p for p in recalled if p.source_id == source_id)[:PASSAGES_PER_PAGE]


def _with_passages(
    observation: Observation,
    passages: list[Passage],
    next_label: int,
    sources_by_id: Mapping[str, Source],
    heading: str,
) -> Observation:
    labelled = [(f"P{next_label + index}", passage) for index, passage in enumerate(passages)]
    observation.passages.update(labelled)
    known = {**sources_by_id, **observation.sources}
    observation.message.content = f"{heading}\n{render_passages(labelled, known)}"
    return observation


async def _read_document(
    observation: Observation,
    doc: Document,
    requested_url: str,
    task: ResearchTask,
    agent_id: str,
    memory: AgentMemory,
    next_label: int,
    context: ResearchContext,
) -> Observation:
    try:
        context.run_clock.take_page()
    except BudgetExceeded as exceeded:
        context.emit("budget.exceeded", str(exceeded), agent=agent_id, limit=exceeded.limit)
        observation.stopped_by = exceeded.limit
        observation.message.content = "The run's page budget is spent: stop and conclude with what you have."
        return observation
    kind: Literal["web", "local"] = "web" if doc.url.startswith(("http://", "https://")) else "local"
    source = Source.from_document(doc, kind=kind)
    observation.sources[source.id] = source
    observation.source_texts[source.id] = doc.text
    for url in {requested_url, doc.url, doc.final_url} - {""}:
        observation.fetched[url_key(url)] = source.id
    await memory.add_document(doc)
    context.emit(
        "source.found",
        f"{agent_id}: read {doc.title or doc.url}",
        agent=agent_id,
        url=doc.url,
        title=doc.title,
        source_id=source.id,
    )
    exact = [p for p in await _recall_source(memory, task, source.id) if doc.text[p.start : p.end] == p.text]
    passages = exact or passages_from_document(doc, " ".join([task.goal, *task.queries]), PASSAGES_PER_PAGE)
    return _with_passages(
        observation, passages, next_label, {source.id: source}, f"Read {source.url}. Relevant passages:"
    )
