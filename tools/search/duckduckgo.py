"""DuckDuckGo (and the other keyless engines `ddgs` aggregates): the default web search.

`ddgs` is synchronous, so each query runs in a worker thread under a deadline. Its exceptions are mapped
to `ProviderFailure`s the chain understands; "no results" is an empty list, not a failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ddgs import DDGS
from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException

from deepresearch.errors import ToolError
from deepresearch.schemas import SearchHit
from tools.search.base import ProviderFailure, TimeRange, hits_from_items

TIMELIMIT_BY_TIME_RANGE: dict[str, str] = {"day": "d", "week": "w", "month": "m", "year": "y"}
# ddgs regions are country-language pairs; a bare language maps to its most common region.
REGION_BY_LANGUAGE: dict[str, str] = {
    "en": "us-en",
    "ja": "jp-jp",
    "zh": "cn-zh",
    "ko": "kr-kr",
    "uk": "ua-uk",
}
_NO_RESULTS = "No results found"
_NETWORK_WORDS = ("connect", "resolve", "dns", "network", "unreachable")

TextSearch = Callable[..., list[dict[str, Any]]]


def region_for(language: str | None) -> str:
    if not language:
        return "wt-wt"
    code = language.split("-", 1)[0].lower()
    return REGION_BY_LANGUAGE.get(code, f"{code}-{code}")


class DuckDuckGoProvider:
    """`text_search` replaces `DDGS().text` in tests; by default ddgs picks its engines ("auto")."""

    name = "duckduckgo"

    def __init__(self, *, timeout_s: float, text_search: TextSearch | None = None, backend: str = "auto") -> None:
        self._timeout_s = timeout_s
        self._backend = backend
        self._text_search = text_search or self._ddgs_text

    def _ddgs_text(self, query: str, **kwargs: Any) -> list[dict[str, Any]]:
        return DDGS(timeout=max(1, round(self._timeout_s))).text(query, backend=self._backend, **kwargs)

    async def search(
        self,
        query: str,
        *,
        max_results: int,
        time_range: TimeRange | None = None,
        language: str | None = None,
    ) -> list[SearchHit]:
        timelimit = TIMELIMIT_BY_TIME_RANGE[time_range] if time_range else None
        try:
            async with asyncio.timeout(self._timeout_s + 1):
                items = await asyncio.to_thread(
                    self._text_search,
                    query,
                    region=region_for(language),
                    timelimit=timelimit,
                    max_results=max_results,
                )
        except TimeoutError as exc:
            raise self._failure("timeout", f"no answer within {self._timeout_s:g}s", retryable=True) from exc
        except RatelimitException as exc:
            raise self._failure("rate_limited", str(exc), retryable=True) from exc
        except TimeoutException as exc:
            raise self._failure("timeout", str(exc), retryable=True) from exc
        except DDGSException as exc:
            detail = str(exc)
            if _NO_RESULTS in detail:
                return []
            is_network = any(word in detail.lower() for word in _NETWORK_WORDS)
            raise self._failure("network" if is_network else "provider_down", detail, retryable=True) from exc
        return hits_from_items(
            self.name, items, url_key="href", title_key="title", snippet_key="body", max_results=max_results
        )

    def _failure(self, kind: str, detail: str, *, retryable: bool) -> ProviderFailure:
        error = ToolError.model_validate(
            {
                "kind": kind,
                "message": f"duckduckgo: {detail}",
                "is_retryable": retryable,
                "tool": "web_search",
            }
        )
        return ProviderFailure(error)
