"""The provider chain: configured order, deduplicated hits, cooldown and visible failover.

Providers are asked in order until `max_results` distinct hits (by normalized URL) are collected. A
provider that fails — timeout, 429, 5xx, bad JSON, no network — is put in cooldown for
`search_cooldown_s` and skipped until then; each failover is emitted as a `search.failover` event so the
trace shows it. Only when no provider could answer does the agent get a `ToolError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx
from pydantic import SecretStr

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError, ToolError
from deepresearch.progress import Event, EventSink, ignore_event
from deepresearch.schemas import SearchHit, normalize_url
from tools.search.base import ProviderFailure, SearchProvider, TimeRange
from tools.search.brave import BraveProvider
from tools.search.duckduckgo import DuckDuckGoProvider, TextSearch
from tools.search.local import LocalCorpus, LocalCorpusProvider
from tools.search.searxng import SearxngProvider
from tools.search.tavily import TavilyProvider

KNOWN_PROVIDERS = ("duckduckgo", "tavily", "brave", "searxng", "local")


class SearchChain:
    """Searches through `providers` in order with per-provider cooldowns; never raises."""

    def __init__(
        self,
        providers: Sequence[SearchProvider],
        *,
        cooldown_s: float,
        events: EventSink = ignore_event,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.providers = list(providers)
        self._cooldown_s = cooldown_s
        self._events = events
        self._clock = clock
        self._cooldown_until_by_name: dict[str, float] = {}

    def is_cooling_down(self, name: str) -> bool:
        return self._clock() < self._cooldown_until_by_name.get(name, float("-inf"))

    async def search(
        self,
        query: str,
        *,
        max_results: int,
        time_range: TimeRange | None = None,
        language: str | None = None,
    ) -> list[SearchHit] | ToolError:
        """Up to `max_results` distinct hits, ranked 1..n in the order found, or why none could be had."""
        hits_by_url: dict[str, SearchHit] = {}
        failures: list[tuple[str, ToolError]] = []
        answered = False
        available = [provider for provider in self.providers if not self.is_cooling_down(provider.name)]
        for position, provider in enumerate(available):
            try:
                found = await provider.search(query, max_results=max_results, time_range=time_range, language=language)
            except ProviderFailure as failure:
                failures.append((provider.name, failure.error))
                self._fail_over(provider.name, failure.error, available[position + 1 :])
                continue
            except Exception as exc:  # noqa: BLE001 — a provider's library bug must fail over, and is reported
                error = ToolError.from_exception(exc, tool="web_search")
                failures.append((provider.name, error))
                self._fail_over(provider.name, error, available[position + 1 :])
                continue
            answered = True
            for hit in found:
                hits_by_url.setdefault(normalize_url(hit.url), hit)
            if len(hits_by_url) >= max_results:
                break
        if not answered:
            return self._all_failed(failures)
        merged = list(hits_by_url.values())[:max_results]
        return [hit.model_copy(update={"rank": rank}) for rank, hit in enumerate(merged, start=1)]

    def _fail_over(self, name: str, error: ToolError, remaining: Sequence[SearchProvider]) -> None:
        self._cooldown_until_by_name[name] = self._clock() + self._cooldown_s
        next_name = remaining[0].name if remaining else None
        then = f"switching to {next_name}" if next_name else "no provider left"
        self._events(
            Event(
                kind="search.failover",
                message=f"search provider {name} failed ({error.kind}); cooling down {self._cooldown_s:g}s; {then}",
                data={
                    "provider": name,
                    "error_kind": error.kind,
                    "error": error.message,
                    "cooldown_s": self._cooldown_s,
                    "next_provider": next_name,
                },
            )
        )

    def _all_failed(self, failures: list[tuple[str, ToolError]]) -> ToolError:
        if not failures:
            cooling = ", ".join(provider.name for provider in self.providers) or "none configured"
            return ToolError(
                kind="provider_down",
                message=f"every search provider is cooling down after recent failures ({cooling})",
                is_retryable=True,
                hint="Work with the pages you already have, use search_local, or search again in a minute.",
                tool="web_search",
            )
        summary = "; ".join(f"{name}: {error.kind}" for name, error in failures)
        is_offline = all(error.kind == "network" for _, error in failures)
        return ToolError(
            kind="network" if is_offline else "provider_down",
            message=f"every search provider failed ({summary})",
            is_retryable=True,
            hint="Web search is unavailable right now; use search_local or the sources you already have.",
            tool="web_search",
        )


def check_search_settings(config: ResearchConfig) -> None:
    """`ConfigError` for an unknown provider name, a keyed provider without its key, or SearXNG without its
    URL. Offline and instant: callers run it before anything of a run exists (its folder, its browser)."""
    for name in config.search_providers:
        if name not in KNOWN_PROVIDERS:
            raise ConfigError(f"unknown search provider {name!r}; choose from {', '.join(KNOWN_PROVIDERS)}")
    if "tavily" in config.search_providers:
        _required_key(config.tavily_api_key, "tavily", "TAVILY_API_KEY")
    if "brave" in config.search_providers:
        _required_key(config.brave_api_key, "brave", "BRAVE_API_KEY")
    if "searxng" in config.search_providers and not config.searxng_url:
        raise ConfigError("search provider searxng needs DEEPRESEARCH_SEARXNG_URL (your instance's URL)")


def build_search_chain(
    config: ResearchConfig,
    client: httpx.AsyncClient,
    *,
    local_corpus: LocalCorpus | None = None,
    events: EventSink = ignore_event,
    ddgs_text_search: TextSearch | None = None,
) -> SearchChain:
    """The chain for `config.search_providers`, in that order.

    Raises `ConfigError` as `check_search_settings` does. The `local` slot is skipped when no corpus is
    given (the corpus is optional in a run).
    """
    check_search_settings(config)
    timeout_s = config.fetch_timeout_s
    providers: list[SearchProvider] = []
    for name in config.search_providers:
        if name == "duckduckgo":
            providers.append(DuckDuckGoProvider(timeout_s=timeout_s, text_search=ddgs_text_search))
        elif name == "tavily":
            key = _required_key(config.tavily_api_key, "tavily", "TAVILY_API_KEY")
            providers.append(TavilyProvider(client, config.tavily_base_url, key, timeout_s=timeout_s))
        elif name == "brave":
            key = _required_key(config.brave_api_key, "brave", "BRAVE_API_KEY")
            providers.append(BraveProvider(client, config.brave_base_url, key, timeout_s=timeout_s))
        elif name == "searxng":
            providers.append(SearxngProvider(client, config.searxng_url or "", timeout_s=timeout_s))
        elif name == "local" and local_corpus is not None:
            providers.append(LocalCorpusProvider(local_corpus))
    return SearchChain(providers, cooldown_s=config.search_cooldown_s, events=events)


def _required_key(secret: SecretStr | None, provider: str, variable: str) -> str:
    if secret is None or not secret.get_secret_value():
        raise ConfigError(f"search provider {provider} needs an API key: set {variable}")
    return secret.get_secret_value()
