"""What every search provider looks like, and how a provider reports that it failed.

Providers return hits or raise `ProviderFailure` carrying a `ToolError`; only the chain (`chain.py`) sees
that exception, turns it into a cooldown plus a failover event, and hands the agent hits or one
`ToolError`. Provider endpoints are configured by the user (a self-hosted SearXNG often lives on a
private address), so they are not subject to the URL policy that guards page fetches.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import httpx

from deepresearch.errors import ToolError
from deepresearch.schemas import SearchHit
from tools.http_errors import error_for_status, error_for_transport

TimeRange = Literal["day", "week", "month", "year"]


class SearchProvider(Protocol):
    """One search backend. `name` appears in hits, events and errors."""

    name: str

    async def search(
        self,
        query: str,
        *,
        max_results: int,
        time_range: TimeRange | None = None,
        language: str | None = None,
    ) -> list[SearchHit]: ...


class ProviderFailure(Exception):
    """A provider could not answer; `error` says why in the agent's vocabulary."""

    def __init__(self, error: ToolError) -> None:
        super().__init__(error.message)
        self.error = error


def bad_response(provider: str, detail: str) -> ProviderFailure:
    return ProviderFailure(
        ToolError(
            kind="provider_down",
            message=f"{provider} answered with an unreadable response: {detail}",
            is_retryable=True,
            tool="web_search",
        )
    )


async def request_json(
    client: httpx.AsyncClient,
    provider: str,
    method: str,
    url: str,
    *,
    timeout_s: float,
    **request_kwargs: Any,
) -> Any:
    """Send one API request and decode its JSON body; every failure becomes `ProviderFailure`."""
    try:
        response = await client.request(method, url, timeout=timeout_s, **request_kwargs)
    except httpx.HTTPError as exc:
        raise ProviderFailure(error_for_transport(f"{provider} ({url})", exc, timeout_s=timeout_s)) from exc
    if response.status_code >= 400:
        error = error_for_status(
            f"{provider} ({url})", response.status_code, retry_after=response.headers.get("retry-after")
        )
        raise ProviderFailure(error)
    try:
        return response.json()
    except ValueError as exc:
        raise bad_response(provider, f"invalid JSON ({exc})") from exc


def hits_from_items(
    provider: str,
    items: object,
    *,
    url_key: str,
    title_key: str,
    snippet_key: str,
    max_results: int,
) -> list[SearchHit]:
    """Map a provider's list of result objects to hits, skipping entries without a URL."""
    if not isinstance(items, list):
        raise bad_response(provider, f"expected a list of results, got {type(items).__name__}")
    hits: list[SearchHit] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get(url_key), str) or not item[url_key]:
            continue
        hits.append(
            SearchHit(
                url=item[url_key],
                title=str(item.get(title_key) or ""),
                snippet=str(item.get(snippet_key) or ""),
                provider=provider,
                rank=len(hits) + 1,
            )
        )
        if len(hits) >= max_results:
            break
    return hits
