"""The Python API: run research, answer clarifying questions, resume a killed run, load a report.

A run's id is its LangGraph thread id; checkpoints live in Postgres when `checkpoint_url` is set, else in
SQLite (`config.checkpoint_path`); the run's folder in `<data_dir>/runs/<run_id>/`. Progress events stream
from the graph's custom stream to `on_event` and to the run's `trace.jsonl` as they happen. With
`server=URL` (or the `server_url` setting) the run happens on a LangGraph server instead
(`deepresearch.remote`), and its folder is written here all the same.
"""

from __future__ import annotations

import asyncio
import inspect
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepresearch import partial_runs
from deepresearch.budgets import keeping_research_time, spent_before
from deepresearch.config import ResearchConfig, load_config
from deepresearch.errors import ConfigError, DeepResearchError
from deepresearch.progress import Event, EventSink
from deepresearch.reports import (
    append_trace,
    read_report,
    read_run_config,
    read_trace,
    run_dir_for,
    run_server,
    start_run_folder,
    write_run_folder,
)
from deepresearch.run_settings import chosen_run_settings, with_run_settings
from deepresearch.schemas import Report

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

Answers = Sequence[str] | Mapping[str, str] | str | None
ClarifyCallback = Callable[[list[str]], Answers | Awaitable[Answers]]


class RunNotFound(DeepResearchError):
    """No run folder or checkpoint exists for the given run id."""


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


async def aresearch(
    question: str,
    *,
    config: ResearchConfig | None = None,
    answers: Answers = None,
    on_clarify: ClarifyCallback | None = None,
    on_event: EventSink | None = None,
    run_id: str | None = None,
    chat_models: Mapping[str, Any] | None = None,
    services: Any = None,
    show_reasoning: bool = False,
    server: str | None = None,
    follow_up: str | None = None,
    **settings: Any,
) -> Report:
    """Research `question` and return the verified, cited report (also written to the run folder).

    `settings` are per-run settings for this run only (`deepresearch.run_settings.RUN_SETTINGS`: models,
    reasoning, temperature, clarify, depth, routing, search providers, budgets), e.g. `max_time_s=120`;
    they win over `config` (default: the environment's) and are checked like any setting.

    With `follow_up` (an earlier run's id) the question follows up that run: its brief carries the earlier
    question and answer, the earlier report's verified findings and sources are reused (not fetched again,
    re-verified against the text stored with it), only what is new is researched, and the run's folder
    records the run it follows (`agents.follow_up`). Follow-ups run in this process.

    Clarifying questions are answered from `answers` (a list in question order, a mapping, or a string),
    else by `on_clarify(questions)` (sync or async), else the clarifier records its assumptions.
    `chat_models` (role → langchain chat model) and `services` (`agents.context.Services`) inject parts,
    e.g. scripted models and tools in tests; by default both come from the settings. With
    `show_reasoning`, the models' reasoning streams to `on_event` as it comes (`llm.reasoning.delta`
    events); each call's whole reasoning is an `llm.reasoning` event (with its token count) either way.

    When a model provider fails on every attempt (and every fallback model), research stops and the report
    is written from what was read: `report.limits_hit` holds "provider", an `llm.provider_failed` event names
    the models, and `aresume(run_id)` redoes what the failure touched once the provider answers.

    With `server` (a LangGraph server URL; default: the `server_url` setting) the run happens there: the
    per-run settings that `settings`, `config` or this machine's environment set go with it, the rest are the
    server's, and the run id (`run_id`, if given) is the server's thread id, a UUID. `chat_models` and
    `services` are in-process only; with `show_reasoning` the server streams the reasoning deltas of this
    run (`stream_reasoning`), and each call's whole reasoning comes either way.
    """
    cfg = with_run_settings(config, settings)
    remote_server = _server_for(server, cfg, chat_models, services)
    if remote_server is not None and follow_up:
        raise ConfigError("a follow-up runs in this process (it reads the earlier run's folder here), not on a server")
    if remote_server is not None:
        from deepresearch import remote

        answer = _answerer(answers, on_clarify)
        chosen = chosen_run_settings(cfg)
        if show_reasoning:
            chosen.setdefault("stream_reasoning", True)
        return await remote.aresearch(
            question,
            server=remote_server,
            config=cfg,
            settings=chosen,
            answer=answer,
            on_event=on_event,
            run_id=run_id,
        )
    graph_input: dict[str, Any] = {"question": question}
    if follow_up:
        from deepresearch.threads import earlier_run

        graph_input["follow_up"] = earlier_run(cfg, follow_up)
    rid = run_id or new_run_id()
    if services is None and not cfg.services_factory:
        from tools.search.chain import check_search_settings

        check_search_settings(cfg)  # bad settings leave no run folder behind
    run_dir = start_run_folder(run_dir_for(cfg, rid), cfg, question, parent=follow_up)
    return await _drive(
        cfg, rid, run_dir, graph_input, answers, on_clarify, on_event, chat_models, services, show_reasoning
    )


async def aresume(
    run_id: str,
    *,
    config: ResearchConfig | None = None,
    answers: Answers = None,
    on_clarify: ClarifyCallback | None = None,
    on_event: EventSink | None = None,
    chat_models: Mapping[str, Any] | None = None,
    services: Any = None,
    show_reasoning: bool = False,
    server: str | None = None,
) -> Report:
    """Continue a run from its last checkpoint (after a crash, kill or pending clarification).

    Finished branches are not re-run. Settings come from the run's `config.json` unless `config` is given.
    A run that went to a LangGraph server continues there (the server its folder names, or `server`):
    a run still working is joined, a pending question answered, a stopped run continued.
    """
    base = config or load_config()
    run_dir = run_dir_for(base, run_id)
    remote_server = server or run_server(run_dir)
    if remote_server is not None:
        from deepresearch import remote

        _server_for(remote_server, base, chat_models, services)
        answer = _answerer(answers, on_clarify)
        return await remote.aresume(run_id, server=remote_server, config=base, answer=answer, on_event=on_event)
    if not (run_dir / "config.json").exists():
        raise RunNotFound(f"no run {run_id!r} in {base.runs_dir}")
    if config is None:
        _, settings = read_run_config(run_dir)
        base = load_config(**settings)
    return await _drive(
        base, run_id, run_dir, None, answers, on_clarify, on_event, chat_models, services, show_reasoning
    )


def research(question: str, **kwargs: Any) -> Report:
    """Synchronous `aresearch` (for scripts and notebooks without a running event loop)."""
    return asyncio.run(aresearch(question, **kwargs))


def resume(run_id: str, **kwargs: Any) -> Report:
    """Synchronous `aresume`."""
    return asyncio.run(aresume(run_id, **kwargs))


def load_report(run_id: str, *, config: ResearchConfig | None = None) -> Report:
    """The finished report of a run, read from its folder."""
    run_dir = run_dir_for(config or load_config(), run_id)
    if not (run_dir / "report.json").exists():
        raise RunNotFound(f"run {run_id!r} has no finished report in {run_dir}")
    return read_report(run_dir)


def _server_for(server: str | None, config: ResearchConfig, chat_models: Any, services: Any) -> str | None:
    """The LangGraph server a run goes to, if any; in-process parts cannot go with it."""
    chosen = server or config.server_url
    if chosen and (chat_models is not None or services is not None):
        raise ConfigError("chat_models and services are in-process parts; a run on a server uses the server's")
    return chosen or None


def _answerer(answers: Answers, on_clarify: ClarifyCallback | None) -> Callable[[list[str]], Awaitable[Answers]]:
    """Answers to clarifying questions: `answers` the first time, else `on_clarify(questions)`, else None
    (the clarifier records its assumptions). Each source of answers is used once."""

    async def answer(questions: list[str]) -> Answers:
        nonlocal answers, on_clarify
        given, callback = answers, on_clarify
        answers, on_clarify = None, None
        if given is not None:
            return given
        if callback is None:
            return None
        reply = callback(questions)
        return await reply if inspect.isawaitable(reply) else reply

    return answer


async def _drive(
    config: ResearchConfig,
    run_id: str,
    run_dir: Path,
    graph_input: dict[str, Any] | None,
    answers: Answers,
    on_clarify: ClarifyCallback | None,
    on_event: EventSink | None,
    chat_models: Mapping[str, Any] | None,
    services: Any,
    show_reasoning: bool = False,
) -> Report:
    # Imported here: the graph pulls in langgraph and every agent, which the CLI's --help must not wait for.
    from langgraph.types import Command

    from graphs.checkpointer import open_checkpointer
    from graphs.context import build_context
    from graphs.research import build_research_graph

    failures: list[Event] = []

    def record(event: Event) -> None:
        if event.kind != "llm.reasoning.delta":  # the trace keeps each call's whole reasoning instead
            append_trace(run_dir, event)
        if event.kind == partial_runs.PROVIDER_FAILED:
            failures.append(event)
        if on_event is not None:
            on_event(event)

    answer = _answerer(answers, on_clarify)
    trace = read_trace(run_dir)
    failed_at = partial_runs.failure_moment(trace) if graph_input is None else None
    spent = spent_before(trace, run_dir)  # a resumed run's budgets go on from what its earlier processes used
    record(spent.session_event())
    async with (
        open_checkpointer(config) as saver,
        _services(services, config, run_id, record) as svc,
    ):
        graph = build_research_graph().compile(checkpointer=saver)
        # Reasoning streams as it comes when this caller asks for it, as in every run when the settings say so.
        streaming = config.model_copy(update={"stream_reasoning": True}) if show_reasoning else config
        context = build_context(streaming, svc, run_id=run_id, chat_models=chat_models, events=record, spent=spent)
        thread: RunnableConfig = {"configurable": {"thread_id": run_id}}
        async with keeping_research_time(run_dir, context.clock):
            fork = await partial_runs.checkpoint_before(graph, thread, failed_at) if failed_at else None
            if fork is not None:  # a dead provider ended it: redo what the failure touched
                record(Event(kind="run.resumed", message="continuing from before the model provider failed"))
                await _stream(graph, None, fork, context, record)
            # A resumed run that had already finished has nothing pending: just read its state.
            elif graph_input is not None or (await graph.aget_state(thread)).next:
                await _stream(graph, graph_input, thread, context, record)
            state = await graph.aget_state(thread)
            while state.interrupts:
                questions = list(state.interrupts[0].value.get("questions", []))
                record(Event(kind="clarify.asked", message=" | ".join(questions), data={"questions": questions}))
                reply = await answer(questions)
                await _stream(graph, Command(resume=reply if reply is not None else []), thread, context, record)
                state = await graph.aget_state(thread)
    report: Report | None = state.values.get("report")
    if report is None:
        raise DeepResearchError(f"run {run_id} ended without a report (pending: {state.next})")
    all_sources = list(state.values.get("sources", {}).values())
    write_run_folder(run_dir, report, sources=all_sources, source_texts=state.values.get("source_texts", {}))
    record(partial_runs.run_end(failures))  # last: whoever waits for the run's end finds its folder written
    return report


async def _stream(graph: Any, payload: Any, thread: RunnableConfig, context: Any, record: EventSink) -> None:
    async for _namespace, mode, chunk in graph.astream(
        payload, thread, context=context, stream_mode=["custom"], subgraphs=True, durability="sync"
    ):
        if mode == "custom" and isinstance(chunk, Event):
            record(chunk)


def _services(services: Any, config: ResearchConfig, run_id: str, record: EventSink) -> Any:
    from contextlib import nullcontext

    from graphs.context import open_services

    return nullcontext(services) if services is not None else open_services(config, run_id, record)
