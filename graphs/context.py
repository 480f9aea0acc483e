"""Building a run's `ResearchContext`: the one place that wires real tools, memory and models.

`open_services(config, run_id)` is an async context manager yielding the run's `Services`: the
factory named by the `services_factory` setting when set (tests, embedding applications), otherwise the
real tool registry (`tools.registry`) over one HTTP client, browser and search chain, and per-agent
memory from `memory.agent_memory`. Tools and memory are imported when a run opens them, not when this
module loads (the CLI's start-up does not wait for chromadb or playwright); a piece missing from the
installation is a `ConfigError` that names it. `build_context` gives the run its models and its budgets,
counted from what earlier processes of the run spent (`deepresearch.budgets.Spent`).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool

from agents.context import AgentMemory, ResearchContext, Services, stream_sink
from deepresearch.budgets import PageBudget, RunClock, Spent
from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError, ToolError
from deepresearch.llm import ModelSet
from deepresearch.progress import Event, EventSink, ignore_event
from deepresearch.schemas import Document

if TYPE_CHECKING:
    import numpy as np

    from memory.embeddings import Embedder
    from memory.local_search import LocalSearch
    from memory.research_cache import ResearchCache

ServicesFactory = Callable[[ResearchConfig, str], Services | Awaitable[Services]]
# The project's own packages: a module of theirs missing from an installation is a missing piece.
_OWN_PACKAGES = frozenset({"agents", "deepresearch", "graphs", "memory", "tools"})


@contextmanager
def _piece(what: str, module: str = "") -> Iterator[None]:
    """Imports in the block make up `what`: one of the project's modules (or `module`, the one a setting
    names) missing from this installation stops the run with one line naming the piece; a missing
    third-party library raises as it is."""
    try:
        yield
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if missing.split(".")[0] in _OWN_PACKAGES or (module and f"{module}.".startswith(f"{missing}.")):
            message = f"{what} is not available: module {missing} is missing from this installation"
            raise ConfigError(message) from None
        raise


def load_services_factory(path: str) -> ServicesFactory:
    """The function `module:function` named by the `services_factory` setting (a name in the settings, so
    the one import by string; what it returns is checked when the run opens its services)."""
    module_name, _, function_name = path.partition(":")
    if not module_name or not function_name:
        raise ConfigError(f"services_factory must look like package.module:function, not {path!r}")
    with _piece(f"services factory {path}", module_name):
        module = importlib.import_module(module_name)
    factory = getattr(module, function_name, None)
    if not callable(factory):
        raise ConfigError(f"services_factory {path!r} names no function")
    return cast(ServicesFactory, factory)


@asynccontextmanager
async def open_services(
    config: ResearchConfig, run_id: str, events: EventSink = ignore_event
) -> AsyncIterator[Services]:
    """The run's services, closed (HTTP client, browser) when the run ends."""
    if config.services_factory:
        made = load_services_factory(config.services_factory)(config, run_id)
        services = await made if inspect.isawaitable(made) else made
        if not isinstance(services, Services):
            raise ConfigError(f"services_factory {config.services_factory!r} returned no agents.context.Services")
        yield services
        return
    async with AsyncExitStack() as stack:
        yield await _real_services(config, run_id, events, stack)


async def _real_services(config: ResearchConfig, run_id: str, events: EventSink, stack: AsyncExitStack) -> Services:
    with _piece("the research tools"):
        import httpx

        from tools.browser import Browser
        from tools.fetch import Fetcher
        from tools.registry import build_tools
        from tools.search.chain import build_search_chain
        from tools.services import ToolServices
    with _piece("memory"):
        from memory.agent_memory import RunMemory
        from memory.embeddings import shared_embedder
        from memory.page_cache import PageCache
        from memory.store import client_for

    fetcher = Fetcher(config)
    stack.push_async_callback(fetcher.aclose)
    reader = Browser(config)
    stack.push_async_callback(reader.aclose)
    client = httpx.AsyncClient(timeout=config.fetch_timeout_s)
    stack.push_async_callback(client.aclose)
    corpus = await _local_corpus(config, events)
    local_corpus = corpus if corpus.corpora else None
    search = build_search_chain(config, client, local_corpus=local_corpus, events=events)
    pages = PageCache.from_config(config, emit=events)

    async def fetch_through_cache(url: str) -> Document | ToolError:
        """A page read in the last `page_cache_ttl_s` is not fetched again, by this run or another."""
        cached = await pages.get(url)
        if cached is not None:
            return cached
        result = await fetcher.fetch(url)
        if isinstance(result, Document):
            await pages.put(result)
        return result

    services = ToolServices(
        config=config,
        search=search,
        fetch=fetch_through_cache,
        browse=reader.browse,
        local_corpus=local_corpus,
        events=events,
    )
    run_memory = RunMemory(
        run_id, client_for(config), chunk_chars=config.chunk_chars, chunk_overlap_chars=config.chunk_overlap_chars
    )
    memories: dict[str, AgentMemory] = {}

    def make_memory(agent_id: str) -> AgentMemory:
        if agent_id not in memories:
            memories[agent_id] = run_memory.for_agent(agent_id)
        return memories[agent_id]

    tools_by_agent: dict[str, Sequence[BaseTool]] = {}

    def make_tools(agent_id: str) -> Sequence[BaseTool]:
        if agent_id not in tools_by_agent:
            tools_by_agent[agent_id] = build_tools(services, memory=make_memory(agent_id))
        return tools_by_agent[agent_id]

    embedder = shared_embedder(config.embedding_batch_size, config.embedding_threads)
    findings_cache = _research_cache(config, embedder) if config.research_cache else None
    return Services(
        make_tools=make_tools, make_memory=make_memory, similarity=_similarity(embedder), research_cache=findings_cache
    )


async def _local_corpus(config: ResearchConfig, events: EventSink) -> LocalSearch:
    """The local corpora (the user's documents, indexed first when `docs_paths` names them, and the bundled
    encyclopedia); a corpus not built yet is an event, not an error."""
    with _piece("the local corpus"):
        from memory.local_search import LocalSearch, index_configured_docs

    if config.docs_paths:
        # Incremental: only new or changed files are read and embedded, so this is quick on a re-run.
        indexed = await asyncio.to_thread(index_configured_docs, config)
        events(
            Event(
                kind="corpus.indexed",
                message=f"your documents: {indexed.added} added, {indexed.updated} updated, "
                f"{indexed.unchanged} unchanged, {len(indexed.skipped)} skipped",
                data={"added": indexed.added, "updated": indexed.updated, "skipped": indexed.skipped},
            )
        )
    corpus = LocalSearch.from_config(config)
    if corpus.missing:
        events(
            Event(
                kind="corpus.missing",
                message=f"local corpora not built yet: {', '.join(corpus.missing)} "
                "(build them with `python -m memory.setup` or `deepresearch index PATH`)",
                data={"missing": list(corpus.missing)},
            )
        )
    return corpus


def _similarity(embedder: Embedder) -> Callable[[str, str], float]:
    """Cosine similarity of two texts under the run's shared embedder. The verifier compares each cited
    sentence with the passages it cites, draft after draft: the same texts come back many times, so each is
    embedded once per run."""

    @functools.lru_cache(maxsize=4096)
    def vector_of(text: str) -> np.ndarray:
        return embedder.embed_one(text)

    def similarity(a: str, b: str) -> float:
        return float(vector_of(a) @ vector_of(b))

    return similarity


def _research_cache(config: ResearchConfig, embedder: Embedder) -> ResearchCache:
    """The research cache in the data dir, matching briefs with the run's shared embedder."""
    with _piece("the research cache"):
        from memory.research_cache import ResearchCache

    return ResearchCache.from_config(config, embedder.embed_one)


def build_context(
    config: ResearchConfig,
    services: Services,
    *,
    run_id: str,
    chat_models: Mapping[str, BaseChatModel] | None = None,
    events: EventSink = ignore_event,
    spent: Spent | None = None,
) -> ResearchContext:
    """The run context: the configured models (or `chat_models` per role) sharing one usage ledger, and the
    run's time and page budgets. `spent` is what earlier processes of the run used of its budgets (tokens,
    time, pages): a resumed run goes on from there instead of starting its budgets again."""
    earlier = spent or Spent()
    model_set = ModelSet(config, events=stream_sink(events), overrides=dict(chat_models or {}))
    if earlier.usage.calls:
        model_set.ledger.record("earlier", earlier.usage)
    return ResearchContext(
        config=config,
        models=model_set,
        services=services,
        clock=RunClock(config.max_time_s, earlier_s=earlier.research_s),
        pages=PageBudget(config.max_pages, used=earlier.pages),
        run_id=run_id,
        events=events,
    )
