"""Brave Search's web API (`GET /res/v1/web/search`, `X-Subscription-Token`); hits are `web.results`."""

from __future__ import annotations

import re

import httpx

from deepresearch.schemas import SearchHit
from tools.search.base import TimeRange, bad_response, hits_from_items, request_json

# Brave returns at most 20 web results per request.
BRAVE_MAX_RESULTS = 20
FRESHNESS_BY_TIME_RANGE: dict[str, str] = {"day": "pd", "week": "pw", "month": "pm", "year": "py"}
_MARKUP = re.compile(r"<[^>]+>")


class BraveProvider:
    name = "brave"

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str, *, timeout_s: float) -> None:
        self._client = client
        self._endpoint = base_url.rstrip("/") + "/res/v1/web/search"
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
        params: dict[str, str | int] = {"q": query, "count": min(max_results, BRAVE_MAX_RESULTS)}
        if time_range:
            params["freshness"] = FRESHNESS_BY_TIME_RANGE[time_range]
        if language:
            params["search_lang"] = language
        payload = await request_json(
            self._client,
            self.name,
            "GET",
            self._endpoint,
            timeout_s=self._timeout_s,
            params=params,
            headers={"Accept": "application/json", "X-Subscription-Token": self._api_key},
        )
        if not isinstance(payload, dict):
            raise bad_response(self.name, "top level is not an object")
        web = payload.get("web") or {}
        if not isinstance(web, dict):
            raise bad_response(self.name, "`web` is not an object")
        hits = hits_from_items(
            self.name,
            web.get("results", []),
            url_key="url",
            title_key="title",
            snippet_key="description",
            max_results=max_results,
        )
        # Brave marks query terms with <strong>; the model needs the words, not the markup.
        return [hit.model_copy(update={"snippet": _MARKUP.sub("", hit.snippet)}) for hit in hits]
