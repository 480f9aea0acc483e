"""Tavily's search API (`POST /search`, bearer key); results carry `title`, `url` and `content`."""

from __future__ import annotations

from typing import Any

import httpx

from deepresearch.schemas import SearchHit
from tools.search.base import TimeRange, bad_response, hits_from_items, request_json

# Tavily accepts at most 20 results per request.
TAVILY_MAX_RESULTS = 20


class TavilyProvider:
    name = "tavily"

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str, *, timeout_s: float) -> None:
        self._client = client
        self._endpoint = base_url.rstrip("/") + "/search"
        self._api_key = api_key
        self._timeout_s = timeout_s

    async def search(
        self,
        query: str,
        *,
        max_results: int,
        time_range: TimeRange | None = None,
        language: str | None = None,
    ) -> list[SearchHit]:
        body: dict[str, Any] = {
            "query": query,
            "max_results": min(max_results, TAVILY_MAX_RESULTS),
            "search_depth": "basic",
            "topic": "general",
        }
        if time_range:
            body["time_range"] = time_range
        # Tavily has no language parameter; the query's own language steers the results.
        payload = await request_json(
            self._client,
            self.name,
            "POST",
            self._endpoint,
            timeout_s=self._timeout_s,
            json=body,
            headers={"Authorization": f"Bearer {self._api_key}"},
        )
        if not isinstance(payload, dict):
            raise bad_response(self.name, "top level is not an object")
        return hits_from_items(
            self.name,
            payload.get("results", []),
            url_key="url",
            title_key="title",
            snippet_key="content",
            max_results=max_results,
        )
