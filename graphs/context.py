"""Building a run's `ResearchContext`: the one place that wires real tools, memory and models.

`open_services(config, run_id)` is an async context manager yielding the run's `Services`: the
factory named by the `services_factory` setting when set (tests, embedding applications), otherwise the
real tool registry (`tools.registry`) over one HTTP client, browser and search chain, and per-agent
memory from `memory.agent_memory`. A missing piece is a `ConfigError` that names it.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from langchain_core.language_models import BaseChatModel

from agents.context import AgentMemory, ResearchContext, RunClock, Services, stream_sink
from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError
from deepresearch.llm import ModelSet
from deepresearch.progress import Event, EventSink, ignore_event
from deepresearch.schemas import Document

ServicesFactory = Callable[[ResearchConfig, str], Services]


def _require(module: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name.split(".")[0]) and error.name in module:
            raise ConfigError(f"{what} is not available: module {module} is missing from this installation") from None
        raise


def load_services_factory(path: str) -> ServicesFactory:
    """The function `module:function` named by the `services_factory` setting."""
    module_name, _, function_name = path.partition(":")
    if not module_name or not function_name:
        raise ConfigError(f"services_factory must look like package.module:function, not {path!r}")
    factory = getattr(_require(module_name, f"services factory {path}"), function_name, None)
    if not callable(factory):
        raise ConfigError(f"services_factory {path!r} names no function")
    return factory  # type: ignore[no-any-return]


@asynccontextmanager
async def open_services(
    config: ResearchConfig, run_id: str, events: EventSink = ignore_event
) -> AsyncIterator[Services]:
    """The run's services, closed (HTTP client, browser) when the run ends."""
    if config.services_factory:
        made = load_services_factory(config.services_factory)(config, run_id)
        yield await made if inspect.isawaitable(made) else made
        return
    async with AsyncExitStack() as stack:
        yield await _real_services(config, run_id, events, stack)


async def _real_services(config: ResearchConfig, run_id: str, events: EventSink, stack: AsyncExitStack) -> Services:
    registry = _require("tools.registry", "the research tools")
    tool_services = _require("tools.services", "the research tools")
    fetch = _require("tools.fetch", "page fetching")
    browser = _require("tools.browser", "the browser tool")
    chain = _require("tools.search.chain", "web search")
    agent_memory = _require("memory.agent_memory", "agent memory")
    store = _require("memory.store", "the memory store")
    embeddings = _require("memory.embeddings", "embeddings")
    local_search = _require("memory.local_search", "the local corpus")
    page_cache = _require("memory.page_cache", "the page cache")

    fetcher = fetch.Fetcher(config)
    stack.push_async_callback(fetcher.aclose)
    reader = browser.Browser(config)
    stack.push_async_callback(reader.aclose)
    import httpx

    client = httpx.AsyncClient(timeout=config.fetch_timeout_s)
    stack.push_async_callback(client.aclose)
    if config.docs_paths:
        # Incremental: only new or changed files are read and embedded, so this is quick on a re-run.
        indexed = await asyncio.to_thread(local_search.index_configured_docs, config)
        events(
            Event(
                kind="corpus.indexed",
                message=f"your documents: {indexed.added} added, {indexed.updated} updated, "
                f"{indexed.unchanged} unchanged, {len(indexed.skipped)} skipped",
                data={"added": indexed.added, "updated": indexed.updated, "skipped": indexed.skipped},
            )
        )
    corpus = local_search.LocalSearch.from_config(config)
    if corpus.missing:
        events(
            Event(
                kind="corpus.missing",
                message=f"local corpora not built yet: {', '.join(corpus.missing)} "
                "(build them with `python -m memory.setup` or `deepresearch index PATH`)",
                data={"missing": list(corpus.missing)},
            )
        )
    local_corpus = corpus if corpus.corpora else None
    search = chain.build_search_chain(config, client, local_corpus=local_corpus, events=events)
    pages = page_cache.PageCache.from_config(config, emit=events)

    async def fetch_through_cache(url: str) -> Any:
        """A page read in the last `page_cache_ttl_s` is not fetched again, by this run or another."""
        cached = await pages.get(url)
        if cached is not None:
            return cached
        result = await fetcher.fetch(url)
        if isinstance(result, Document):
            await pages.put(result)
        return result

    services = tool_services.ToolServices(
        config=config,
        search=search,
        fetch=fetch_through_cache,
        browse=reader.browse,
        local_corpus=local_corpus,
        events=events,
    )
    run_memory = agent_memory.RunMemory(
        run_id, store.client_for(config), chunk_chars=config.chunk_chars, chunk_overlap_chars=config.chunk_overlap_chars
    )
    memories: dict[str, AgentMemory] = {}

    def make_memory(agent_id: str) -> AgentMemory:
        if agent_id not in memories:
            memories[agent_id] = run_memory.for_agent(agent_id)
        return memories[agent_id]

    tools_by_agent: dict[str, list[Any]] = {}

    def make_tools(agent_id: str) -> list[Any]:
        if agent_id not in tools_by_agent:
            tools_by_agent[agent_id] = registry.build_tools(services, memory=make_memory(agent_id))
        return tools_by_agent[agent_id]

    embedder = embeddings.shared_embedder(config.embedding_batch_size, config.embedding_threads)

    # The verifier compares each cited sentence with the passages it cites, draft after draft: the same
    # texts come back many times, so each is embedded once per run.
    @functools.lru_cache(maxsize=4096)
    def vector_of(text: str) -> Any:
        return embedder.embed_one(text)

    def similarity(a: str, b: str) -> float:
        return float(vector_of(a) @ vector_of(b))

    findings_cache = _research_cache(config, embedder.embed_one) if config.research_cache else None
    return Services(
        make_tools=make_tools, make_memory=make_memory, similarity=similarity, research_cache=findings_cache
    )


def _research_cache(config: ResearchConfig, embed: Callable[[str], Any]) -> Any:
    """The research cache in the data dir, matching briefs with the run's shared embedder."""
    return _require("memory.research_cache", "the research cache").ResearchCache.from_config(config, embed)


def build_context(
    config: ResearchConfig,
    services: Services,
    *,
    run_id: str,
    chat_models: Mapping[str, BaseChatModel] | None = None,
    events: EventSink = ignore_event,
    show_reasoning: bool = False,
) -> ResearchContext:
    """The run context: the configured models (or `chat_models` per role) sharing one usage ledger."""
    model_set = ModelSet(
        config, events=stream_sink(events), overrides=dict(chat_models or {}), show_reasoning=show_reasoning
    )
    return ResearchContext(
        config=config,
        models=model_set,
        services=services,
        run_id=run_id,
        clock=RunClock(config.max_time_s, config.max_pages),
        events=events,
    )
