"""SearXNG, the self-hosted metasearch engine, through its JSON API (`GET /search?format=json`).

The instance must have the json format enabled in its settings.yml; otherwise it answers 403, which the
chain treats as a provider failure. SearXNG has no result-count parameter, so results are cut here.
"""

from __future__ import annotations

import httpx

from deepresearch.schemas import SearchHit
from tools.search.base import TimeRange, bad_response, hits_from_items, request_json


class SearxngProvider:
    name = "searxng"

    def __init__(self, client: httpx.AsyncClient, base_url: str, *, timeout_s: float) -> None:
        self._client = client
        self._endpoint = base_url.rstrip("/") + "/search"
        self._timeout_s = timeout_s

    async def search(
        self,
        query: str,
        *,
        max_results: int,
        time_range: TimeRange | None = None,
        language: str | None = None,
    ) -> list[SearchHit]:
        params = {"q": query, "format": "json"}
        if time_range:
            params["time_range"] = time_range
        if language:
            params["language"] = language
        payload = await request_json(
            self._client, self.name, "GET", self._endpoint, timeout_s=self._timeout_s, params=params
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
