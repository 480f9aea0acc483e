"""What a researcher observes after one tool call: a tool message plus the records it produced.

Tool results arrive as content + artifact (a `Document`, search hits, passages or a `ToolError`).
Documents go into the agent's memory and come back as the few passages relevant to the task, delimited
as data; errors and invalid arguments come back as hint-carrying tool messages, and every one of them is
a `tool.error` event, whether the model asked for the call or the system made it. A search that failed
is not a search that was tried. Every page read, whichever tool reads it, first takes a page of the run's
page budget (`Workbench.run`); a spent budget stops the researcher. Nothing here raises to the loop except
programming errors.
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
from deepresearch.schemas import Document, Passage, ResearchTask, SearchHit, Source, url_key

Actor = Literal["model", "system"]
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
    queries: list[str] = field(default_factory=list)  # searches that ran and answered
    leads: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # a search result's title, by its URL
    unreadable: list[str] = field(default_factory=list)  # URLs whose read failed with no other tool to try
    error: ToolError | None = None
    stopped_by: str | None = None

    def merge(self, other: Observation) -> None:
        """Fold a read made within this call (a search's results read in the same step) into it."""
        self.passages |= other.passages
        self.sources |= other.sources
        self.source_texts |= other.source_texts
        self.fetched |= other.fetched
        self.unreadable.extend(other.unreadable)
        self.stopped_by = self.stopped_by or other.stopped_by


@dataclass(frozen=True)
class Known:
    """What the researcher already has when a call runs: pages read (URL key → source id), the next passage
    label, and the sources by id (to title the passages it shows)."""

    fetched: Mapping[str, str]
    next_label: int
    sources_by_id: Mapping[str, Source]

    def after(self, observation: Observation) -> Known:
        return Known(
            {**self.fetched, **observation.fetched},
            self.next_label + len(observation.passages),
            {**self.sources_by_id, **observation.sources},
        )


@dataclass(frozen=True)
class Workbench:
    """What one researcher's tool calls run against: its task, tools and memory, and the run's context."""

    task: ResearchTask
    agent_id: str
    tools: Mapping[str, BaseTool]
    memory: AgentMemory
    context: ResearchContext

    @classmethod
    def for_agent(cls, task: ResearchTask, agent_id: str, context: ResearchContext) -> Workbench:
        tools = {tool.name: tool for tool in context.services.make_tools(agent_id)}
        return cls(task, agent_id, tools, context.services.make_memory(agent_id), context)

    async def observe(
        self, call: ToolCall, known: Known, ran: tuple[Any, Any] | None = None, *, by: Actor = "model"
    ) -> Observation:
        """What the agent sees of one tool call; `ran` is the tool's content and artifact when the call has
        already run (reads made concurrently), else the tool runs here. `by` says who made the call: the model,
        or the system (the evidence floor, a read made for the model, a weak model's call replaced)."""
        name, args = call["name"], dict(call["args"])
        target = str(args.get("url") or args.get("query") or "")
        self.context.emit(
            "researcher.action",
            f"{self.agent_id}: {name} {target}".strip(),
            agent=self.agent_id,
            tool=name,
            args={k: str(v) for k, v in args.items()},
            by=by,
        )
        observation = Observation(message=ToolMessage(content="", tool_call_id=call.get("id") or name, name=name))
        url = url_key(str(args.get("url", "")))
        if name in FETCH_TOOLS and url in known.fetched:
            recalled = await _recall_source(self.memory, self.task, known.fetched[url])
            if recalled:
                self.context.emit(
                    "researcher.recall",
                    f"{self.agent_id}: already read {target}; using memory",
                    agent=self.agent_id,
                    url=target,
                )
                return _with_passages(observation, recalled, known, "Already read; passages from memory:")
        if name not in self.tools:
            return self._failed(observation, call, _invalid_arguments(name, "unknown tool", self.tools))
        try:
            content, artifact = ran if ran is not None else await self.run(name, args, observation)
        except (ValidationError, ToolException, TypeError) as error:
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            return self._failed(observation, call, _invalid_arguments(name, detail, self.tools))
        return await self._observed(observation, call, content, artifact, known)

    async def run(self, name: str, args: dict[str, Any], observation: Observation | None = None) -> tuple[Any, Any]:
        """Tool `name`'s content and artifact. A page read takes a page of the run's budget first and gives it
        back if the read fails; when the budget is spent the tool does not run and the artifact is the
        `BudgetExceeded`."""
        tool = self.tools[name]
        if name not in FETCH_TOOLS:
            return await run_tool(tool, args, observation)
        try:
            self.context.pages.take()
        except BudgetExceeded as spent:
            return str(spent), spent
        try:
            content, artifact = await run_tool(tool, args, observation)
        except BaseException:  # stopped or failed: the page was not read
            self.context.pages.give_back()
            raise
        if not isinstance(artifact, Document):
            self.context.pages.give_back()
        return content, artifact

    async def _observed(
        self, observation: Observation, call: ToolCall, content: Any, artifact: Any, known: Known
    ) -> Observation:
        name, args = call["name"], call["args"]
        if isinstance(artifact, BudgetExceeded):
            self.context.emit("budget.exceeded", str(artifact), agent=self.agent_id, limit=artifact.limit)
            observation.stopped_by = artifact.limit
            observation.message.content = "The run's page budget is spent: stop and conclude with what you have."
            return observation
        if isinstance(artifact, ToolError):
            return self._failed(observation, call, artifact)
        if isinstance(artifact, Document):
            return await self._read_document(observation, artifact, str(args.get("url", "")), known)
        if isinstance(artifact, list) and artifact and isinstance(artifact[0], Passage):
            return _with_passages(observation, clean_passages(artifact), known, "Recalled passages:")
        if name in SEARCH_TOOLS and args.get("query"):
            observation.queries.append(str(args["query"]))
        if isinstance(artifact, list) and name != "recall":
            hits = [hit for hit in artifact if isinstance(hit, SearchHit)]
            observation.leads.extend(hit.url for hit in hits)
            observation.titles.update((hit.url, hit.title) for hit in hits)
            query = str(args.get("query", ""))
            self.context.emit(
                "search.results",
                f"{self.agent_id}: {len(hits)} results for {query!r}",
                agent=self.agent_id,
                query=query,
                count=len(hits),
            )
        observation.message.content = f"<source_data>\n{neutralize(str(content))}\n</source_data>"
        return observation

    def _failed(self, observation: Observation, call: ToolCall, error: ToolError) -> Observation:
        observation.error = error
        observation.message.content = error.for_model()
        observation.message.status = "error"
        url = str(call["args"].get("url", ""))
        # A page whose error names another tool (needs_js → browse_page) can still be read that way.
        if call["name"] in FETCH_TOOLS and url and not error.next_tool:
            observation.unreadable.append(url)
        self.context.emit(
            "tool.error",
            f"{self.agent_id}: {error.for_model()}",
            agent=self.agent_id,
            tool=call["name"],
            error_kind=error.kind,
            hint=error.hint,
            url=url or None,
        )
        return observation

    async def _read_document(
        self, observation: Observation, doc: Document, requested_url: str, known: Known
    ) -> Observation:
        context, agent_id = self.context, self.agent_id
        kind: Literal["web", "local"] = "web" if doc.url.startswith(("http://", "https://")) else "local"
        source = Source.from_document(doc, kind=kind)
        observation.sources[source.id] = source
        observation.source_texts[source.id] = doc.text
        for url in {requested_url, doc.url, doc.final_url} - {""}:
            observation.fetched[url_key(url)] = source.id
        await self.memory.add_document(doc)
        context.emit(
            "source.found",
            f"{agent_id}: read {doc.title or doc.url}",
            agent=agent_id,
            url=doc.url,
            title=doc.title,
            source_id=source.id,
        )
        recalled = await _recall_source(self.memory, self.task, source.id)
        exact = [p for p in recalled if doc.text[p.start : p.end] == p.text]
        query = " ".join([self.task.goal, *self.task.queries])
        passages = exact or passages_from_document(doc, query, PASSAGES_PER_PAGE)
        shown = Known(known.fetched, known.next_label, {source.id: source})
        return _with_passages(observation, passages, shown, f"Read {source.url}. Relevant passages:")


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


async def run_tool(tool: BaseTool, args: dict[str, Any], observation: Observation | None = None) -> tuple[Any, Any]:
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
    call_id = observation.message.tool_call_id if observation is not None else tool.name
    reply = await tool.ainvoke({"type": "tool_call", "name": tool.name, "args": args, "id": call_id})
    if isinstance(reply, ToolMessage):
        return reply.content, getattr(reply, "artifact", None)
    return reply, None


async def _recall_source(memory: AgentMemory, task: ResearchTask, source_id: str) -> list[Passage]:
    query = " ".join([task.goal, *task.queries])
    recalled = await memory.recall(query, k=2 * PASSAGES_PER_PAGE)
    return clean_passages(p for p in recalled if p.source_id == source_id)[:PASSAGES_PER_PAGE]


def _with_passages(observation: Observation, passages: list[Passage], known: Known, heading: str) -> Observation:
    labelled = [(f"P{known.next_label + index}", passage) for index, passage in enumerate(passages)]
    observation.passages.update(labelled)
    titled = {**known.sources_by_id, **observation.sources}
    observation.message.content = f"{heading}\n{render_passages(labelled, titled)}"
    return observation
