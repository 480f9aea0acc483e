"""Research on a remote LangGraph server: `deepresearch ask --server URL`, `research(..., server=URL)`.

The server runs the graph `langgraph.json` exposes (`graphs/server.py`); this module is its client, through
langgraph-sdk. A run is a server thread, and the thread id is the run id. The client streams the run's
progress events to the same sinks a local run feeds (terminal view, `on_event`, the run's `trace.jsonl`),
answers clarifying questions when the run stops at the clarify interrupt (the answers resume it through
the server's API), and writes the report, its sources and their texts into the local run folder
(`<data_dir>/runs/<run_id>/`), so `deepresearch reports ...` works on it as on a local run.

Reasoning shows as it does for a local run: each call's whole reasoning (`llm.reasoning`) streams to the
client, and live deltas (`llm.reasoning.delta`) too when the server runs with `DEEPRESEARCH_STREAM_REASONING`;
the terminal view prints them with `--show-thinking`.

A run keeps going on the server when its client goes away; `aresume` joins a run still working, answers
a pending question, or continues a run whose worker stopped. Bad server URLs, a server that does not
answer and a server without the research graph are `ServerUnavailable` with a message saying which.
langgraph-sdk and httpx load only when a remote run starts.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError, DeepResearchError
from deepresearch.progress import Event, EventSink
from deepresearch.reports import append_trace, run_dir_for, start_remote_run_folder, write_run_folder
from deepresearch.schemas import Report, Source

if TYPE_CHECKING:
    from langgraph_sdk.client import LangGraphClient

GRAPH_ID = "research"
# Runs started for one call: the first, one per round of clarifying questions, a continuation.
MAX_RUNS_PER_CALL = 6
PROBE_TIMEOUT_S = 5.0

Answerer = Callable[[list[str]], Awaitable[Any]]


class ServerUnavailable(DeepResearchError):
    """The server URL is malformed, the server does not answer, or it does not serve the research graph."""


class RemoteRunFailed(DeepResearchError):
    """The server reported that the run failed, or it ended without a report."""


class RunNotOnServer(DeepResearchError):
    """The server has no run (thread) with the given id."""


def check_server_url(url: str) -> str:
    """`url` without a trailing slash, if it is an http(s) URL with a host; else `ServerUnavailable`."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ServerUnavailable(f"the server URL must look like http://host:2024, not {url!r}")
    return url.strip().rstrip("/")


async def aresearch(
    question: str,
    *,
    server: str,
    config: ResearchConfig,
    settings: Mapping[str, Any],
    answer: Answerer,
    on_event: EventSink | None = None,
    run_id: str | None = None,
) -> Report:
    """Run `question` on `server` with the per-run `settings`; the run folder is written under `config`'s
    data dir. `answer(questions)` supplies answers to clarifying questions (None: the run's assumptions)."""
    url = check_server_url(server)
    thread_id = _thread_id(run_id)
    client = await _connect(url)
    async with _server_errors(url):
        await client.threads.create(thread_id=thread_id, graph_id=GRAPH_ID)
        run_dir = start_remote_run_folder(run_dir_for(config, thread_id), question, url, settings)
        first = {"input": {"question": question}, "context": dict(settings)}
        return await _drive(client, url, thread_id, run_dir, first, answer, on_event)


async def aresume(
    run_id: str, *, server: str, config: ResearchConfig, answer: Answerer, on_event: EventSink | None = None
) -> Report:
    """Join, answer or continue run `run_id` on `server` until it has a report; the report lands in the
    local run folder (created from the server's thread if this machine did not start the run)."""
    import httpx

    url = check_server_url(server)
    client = await _connect(url)
    async with _server_errors(url):
        try:
            thread = await client.threads.get(run_id)
        except httpx.HTTPStatusError as error:
            if error.response is not None and error.response.status_code in {404, 422}:  # 422: not a UUID
                raise RunNotOnServer(f"no run with id {run_id!r} on {url}") from None
            raise
        run_dir = run_dir_for(config, run_id)
        if not (run_dir / "config.json").exists():
            values = thread.get("values") or {}
            question = str(values.get("question", "")) if isinstance(values, dict) else ""
            start_remote_run_folder(run_dir, question, url, {})
        first: dict[str, Any] | None = None
        if thread["status"] == "busy":
            first = {"join": await _running_run(client, run_id)}
        return await _drive(client, url, run_id, run_dir, first, answer, on_event)


def _thread_id(run_id: str | None) -> str:
    if run_id is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(run_id))
    except ValueError:
        raise ConfigError(f"a run on a server is a server thread: its id must be a UUID, not {run_id!r}") from None


async def _connect(url: str) -> LangGraphClient:
    """A client for `url`, after a quick check that a LangGraph server with the research graph answers."""
    import httpx
    from langgraph_sdk import get_client

    try:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_S) as probe:
            ok = await probe.get(f"{url}/ok")
    except httpx.HTTPError as error:
        raise ServerUnavailable(
            f"cannot reach the LangGraph server at {url}: {error or type(error).__name__}"
        ) from None
    if ok.status_code != 200:
        raise ServerUnavailable(f"{url} does not answer like a LangGraph server (GET /ok: HTTP {ok.status_code})")
    client = get_client(url=url)
    async with _server_errors(url):
        assistants = await client.assistants.search(graph_id=GRAPH_ID, limit=1)
    if not assistants:
        raise ServerUnavailable(
            f"the server at {url} serves no {GRAPH_ID!r} graph (start it with deepresearch's langgraph.json)"
        )
    return client


@asynccontextmanager
async def _server_errors(url: str) -> AsyncIterator[None]:
    """Transport failures become `ServerUnavailable`, refused requests `RemoteRunFailed`: one line each."""
    import httpx

    try:
        yield
    except httpx.HTTPError as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        if isinstance(error, httpx.TransportError) or type(error).__name__ in {"APIConnectionError", "APITimeoutError"}:
            raise ServerUnavailable(f"lost the LangGraph server at {url}: {detail}") from None
        raise RemoteRunFailed(f"the server at {url} refused a request: {detail}") from None


async def _running_run(client: LangGraphClient, thread_id: str) -> str:
    for status in ("running", "pending"):
        runs = await client.runs.list(thread_id, status=status, limit=1)
        if runs:
            return str(runs[0]["run_id"])
    raise RemoteRunFailed(f"run {thread_id} is busy on the server, but no run of it is running")


async def _drive(
    client: LangGraphClient,
    url: str,
    thread_id: str,
    run_dir: Path,
    first: dict[str, Any] | None,
    answer: Answerer,
    on_event: EventSink | None,
) -> Report:
    """Start (or join) the run, then answer, continue or finish until the thread holds a report."""

    def record(event: Event) -> None:
        if event.kind != "llm.reasoning.delta":  # the trace keeps each call's whole reasoning instead
            append_trace(run_dir, event)
        if on_event is not None:
            on_event(event)

    if first is not None:
        await _follow(client, thread_id, first, record)
    for _ in range(MAX_RUNS_PER_CALL):
        state = await client.threads.get_state(thread_id)
        values = state["values"] if isinstance(state["values"], dict) else {}
        interrupts = list(state.get("interrupts") or [])
        if interrupts:
            questions = [str(q) for q in (interrupts[0].get("value") or {}).get("questions", [])]
            record(Event(kind="clarify.asked", message=" | ".join(questions), data={"questions": questions}))
            reply = await answer(questions)
            await _follow(client, thread_id, {"command": {"resume": reply if reply is not None else []}}, record)
        elif "report" in values and not state["next"]:
            return _write_folder(run_dir, values)
        elif state["next"]:
            # The run stopped before its end without failing (its worker went away): continue it.
            await _follow(client, thread_id, {"input": None}, record)
        else:
            raise RemoteRunFailed(f"run {thread_id} on {url} has no report and nothing left to run")
    raise RemoteRunFailed(f"run {thread_id} on {url} did not finish after {MAX_RUNS_PER_CALL} runs")


async def _follow(client: LangGraphClient, thread_id: str, run: dict[str, Any], record: EventSink) -> None:
    """Stream one run's progress events into `record`; a run the server reports as failed raises."""
    error: Any = None
    async for kind, data in _parts(client, thread_id, run):
        if kind.startswith("custom"):
            event = _as_event(data)
            if event is not None:
                record(event)
        elif kind == "error":
            error = data
    if error is not None:
        message = error.get("message") or error.get("error") if isinstance(error, dict) else error
        raise RemoteRunFailed(f"the run failed on the server: {message}")


async def _parts(client: LangGraphClient, thread_id: str, run: dict[str, Any]) -> AsyncIterator[tuple[str, Any]]:
    if "join" in run:
        stream = client.runs.join_stream(thread_id, run["join"], stream_mode=["custom"])
    else:
        stream = client.runs.stream(
            thread_id,
            GRAPH_ID,
            stream_mode=["custom"],
            stream_subgraphs=True,  # the research graph runs inside the served graph's one node
            stream_resumable=True,
            on_disconnect="continue",  # a client that goes away does not stop the research
            **run,
        )
    async for part in stream:
        yield str(getattr(part, "event", "")), getattr(part, "data", None)


def _as_event(data: Any) -> Event | None:
    try:
        return Event.model_validate(data)
    except ValueError:
        return None


def _write_folder(run_dir: Path, values: dict[str, Any]) -> Report:
    report = Report.model_validate(values["report"])
    sources = [Source.model_validate(source) for source in (values.get("sources") or {}).values()]
    write_run_folder(run_dir, report, sources=sources or report.sources, source_texts=values.get("source_texts"))
    return report
