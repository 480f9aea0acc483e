from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError, ToolError
from deepresearch.progress import EventRecorder
from deepresearch.schemas import SearchHit
from tests.tools.local_site import LocalSite
from tools.search.base import ProviderFailure
from tools.search.brave import BraveProvider
from tools.search.chain import SearchChain, build_search_chain
from tools.search.duckduckgo import DuckDuckGoProvider
from tools.search.searxng import SearxngProvider
from tools.search.tavily import TavilyProvider

# Response bodies in each provider's documented format (trimmed to the fields that matter).
SEARXNG_BODY = {
    "query": "tidal power",
    "number_of_results": 2,
    "results": [
        {
            "url": "https://a.example/tides",
            "title": "Tides",
            "content": "Tidal power basics",
            "engine": "bing",
        },
        {"url": "https://b.example/lagoon", "title": "Lagoons", "content": "Tidal lagoons", "engine": "ddg"},
        {"url": "https://c.example/extra", "title": "Extra", "content": "third", "engine": "ddg"},
    ],
    "answers": [],
    "suggestions": [],
}
BRAVE_BODY = {
    "type": "search",
    "query": {"original": "tidal power"},
    "web": {
        "type": "search",
        "results": [
            {
                "title": "Severn barrage",
                "url": "https://c.example/severn",
                "description": "The <strong>tidal</strong> plan",
            },
            {
                "title": "Tides",
                "url": "https://a.example/tides/?utm_source=brave",
                "description": "duplicate",
            },
        ],
    },
}
TAVILY_BODY = {
    "query": "tidal power",
    "answer": None,
    "results": [
        {
            "title": "Orkney turbines",
            "url": "https://d.example/orkney",
            "content": "MeyGen array",
            "score": 0.93,
        },
    ],
    "response_time": 0.8,
}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http_client:
        yield http_client


async def test_searxng_adapter(fresh_site: LocalSite, client: httpx.AsyncClient) -> None:
    fresh_site.api_responses["/searxng/search"] = (200, SEARXNG_BODY)
    provider = SearxngProvider(client, fresh_site.url("/searxng"), timeout_s=2)
    hits = await provider.search("tidal power", max_results=2, time_range="month", language="en")
    assert [(h.url, h.title, h.snippet, h.provider, h.rank) for h in hits] == [
        ("https://a.example/tides", "Tides", "Tidal power basics", "searxng", 1),
        ("https://b.example/lagoon", "Lagoons", "Tidal lagoons", "searxng", 2),
    ]
    request = fresh_site.requests[-1]
    assert "format=json" in request.query and "time_range=month" in request.query


async def test_brave_adapter(fresh_site: LocalSite, client: httpx.AsyncClient) -> None:
    fresh_site.api_responses["/brave/res/v1/web/search"] = (200, BRAVE_BODY)
    provider = BraveProvider(client, fresh_site.url("/brave"), "brave-key", timeout_s=2)
    hits = await provider.search("tidal power", max_results=5, time_range="week")
    assert hits[0].snippet == "The tidal plan"
    assert [h.url for h in hits] == ["https://c.example/severn", "https://a.example/tides/?utm_source=brave"]
    request = fresh_site.requests[-1]
    assert request.headers["x-subscription-token"] == "brave-key"
    assert "freshness=pw" in request.query and "count=5" in request.query


async def test_tavily_adapter(fresh_site: LocalSite, client: httpx.AsyncClient) -> None:
    fresh_site.api_responses["/tavily/search"] = (200, TAVILY_BODY)
    provider = TavilyProvider(client, fresh_site.url("/tavily"), "tvly-key", timeout_s=2)
    hits = await provider.search("tidal power", max_results=3, time_range="year")
    assert hits == [
        SearchHit(
            url="https://d.example/orkney",
            title="Orkney turbines",
            snippet="MeyGen array",
            provider="tavily",
            rank=1,
        )
    ]
    request = fresh_site.requests[-1]
    assert request.method == "POST" and request.headers["authorization"] == "Bearer tvly-key"
    sent = json.loads(request.body)
    assert (sent["query"], sent["max_results"], sent["time_range"]) == ("tidal power", 3, "year")


@pytest.mark.parametrize(
    ("status", "payload", "kind"),
    [
        (429, {"detail": "slow down"}, "rate_limited"),
        (503, {}, "provider_down"),
        (200, b"<html>not json", "provider_down"),
    ],
)
async def test_provider_failures_are_typed(
    fresh_site: LocalSite, client: httpx.AsyncClient, status: int, payload: Any, kind: str
) -> None:
    fresh_site.api_responses["/searxng/search"] = (status, payload)
    provider = SearxngProvider(client, fresh_site.url("/searxng"), timeout_s=2)
    with pytest.raises(ProviderFailure) as failure:
        await provider.search("q", max_results=3)
    assert failure.value.error.kind == kind


async def test_429_puts_provider_in_cooldown_and_chain_fails_over(
    fresh_site: LocalSite, client: httpx.AsyncClient
) -> None:
    fresh_site.api_responses["/tavily/search"] = (429, {"detail": "Too many requests"})
    fresh_site.api_responses["/brave/res/v1/web/search"] = (200, BRAVE_BODY)
    fresh_site.api_responses["/searxng/search"] = (200, SEARXNG_BODY)
    config = ResearchConfig(
        search_providers=["tavily", "brave", "searxng"],
        tavily_api_key=SecretStr("tvly-key"),
        tavily_base_url=fresh_site.url("/tavily"),
        brave_api_key=SecretStr("brave-key"),
        brave_base_url=fresh_site.url("/brave"),
        searxng_url=fresh_site.url("/searxng"),
        search_cooldown_s=60,
        allow_hosts=["127.0.0.1"],
    )
    events = EventRecorder()
    chain = build_search_chain(config, client, events=events)

    hits = await chain.search("tidal power", max_results=4)

    assert isinstance(hits, list)
    # Brave's two hits, then SearXNG's (its a.example/tides is Brave's second hit without utm_source).
    assert [h.url for h in hits] == [
        "https://c.example/severn",
        "https://a.example/tides/?utm_source=brave",
        "https://b.example/lagoon",
        "https://c.example/extra",
    ]
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    assert events.kinds() == ["search.failover"]
    assert events.events[0].data["provider"] == "tavily"
    assert events.events[0].data["error_kind"] == "rate_limited"
    assert events.events[0].data["next_provider"] == "brave"
    assert chain.is_cooling_down("tavily")

    tavily_calls = sum(1 for r in fresh_site.requests if r.path == "/tavily/search")
    await chain.search("tidal power again", max_results=2)
    assert sum(1 for r in fresh_site.requests if r.path == "/tavily/search") == tavily_calls  # skipped


class ScriptedProvider:
    def __init__(self, name: str, outcome: list[SearchHit] | ToolError) -> None:
        self.name = name
        self.outcome = outcome

    async def search(
        self, query: str, *, max_results: int, time_range: Any = None, language: Any = None
    ) -> list[SearchHit]:
        if isinstance(self.outcome, ToolError):
            raise ProviderFailure(self.outcome)
        return self.outcome


async def test_cooldown_ends_after_cooldown_seconds() -> None:
    now = [0.0]
    down = ScriptedProvider("down", ToolError(kind="timeout", message="slow", is_retryable=True))
    up = ScriptedProvider("up", [SearchHit(url="https://e.example/", provider="up")])
    chain = SearchChain([down, up], cooldown_s=30, clock=lambda: now[0])
    await chain.search("q", max_results=1)
    assert chain.is_cooling_down("down")
    now[0] = 31.0
    assert not chain.is_cooling_down("down")


async def test_every_provider_failing_is_one_tool_error() -> None:
    events = EventRecorder()
    chain = SearchChain(
        [
            ScriptedProvider("a", ToolError(kind="network", message="offline", is_retryable=True)),
            ScriptedProvider("b", ToolError(kind="network", message="offline", is_retryable=True)),
        ],
        cooldown_s=60,
        events=events,
    )
    error = await chain.search("q", max_results=3)
    assert isinstance(error, ToolError) and error.kind == "network"
    assert "search_local" in error.hint
    assert events.kinds() == ["search.failover", "search.failover"]
    again = await chain.search("q", max_results=3)
    assert isinstance(again, ToolError) and again.kind == "provider_down" and "cooling down" in again.message


async def test_duckduckgo_maps_ddgs_results_and_errors() -> None:
    from ddgs.exceptions import DDGSException, RatelimitException

    def ddgs_text(query: str, **kwargs: Any) -> list[dict[str, Any]]:
        assert kwargs["timelimit"] == "w" and kwargs["region"] == "de-de"
        return [{"title": "Ebbe", "href": "https://f.example/ebbe", "body": "Gezeiten"}]

    provider = DuckDuckGoProvider(timeout_s=2, text_search=ddgs_text)
    hits = await provider.search("Gezeiten", max_results=3, time_range="week", language="de")
    assert hits[0].url == "https://f.example/ebbe" and hits[0].provider == "duckduckgo"

    def rate_limited(query: str, **kwargs: Any) -> list[dict[str, Any]]:
        raise RatelimitException("202 Ratelimit")

    with pytest.raises(ProviderFailure) as failure:
        await DuckDuckGoProvider(timeout_s=2, text_search=rate_limited).search("q", max_results=1)
    assert failure.value.error.kind == "rate_limited"

    def nothing(query: str, **kwargs: Any) -> list[dict[str, Any]]:
        raise DDGSException("No results found.")

    assert await DuckDuckGoProvider(timeout_s=2, text_search=nothing).search("q", max_results=1) == []


async def test_real_ddgs_offline_fails_over_to_local(client: httpx.AsyncClient) -> None:
    """With no network (the harness refuses DNS), ddgs fails and the local corpus answers."""

    class Corpus:
        async def search(self, query: str, *, max_results: int) -> list[SearchHit]:
            return [SearchHit(url="local:wiki/Tide", title="Tide", snippet="Tides are...")]

        async def open(self, doc_id: str) -> None:
            return None

    events = EventRecorder()
    config = ResearchConfig(search_providers=["duckduckgo", "local"], fetch_timeout_s=3)
    chain = build_search_chain(config, client, local_corpus=Corpus(), events=events)
    hits = await chain.search("tide", max_results=3)
    assert isinstance(hits, list) and hits[0].provider == "local"
    assert events.kinds() == ["search.failover"] and events.events[0].data["provider"] == "duckduckgo"


def test_configuration_mistakes_are_config_errors(client: httpx.AsyncClient) -> None:
    with pytest.raises(ConfigError, match="TAVILY_API_KEY"):
        build_search_chain(ResearchConfig(search_providers=["tavily"]), client)
    with pytest.raises(ConfigError, match="unknown search provider"):
        build_search_chain(ResearchConfig(search_providers=["altavista"]), client)
