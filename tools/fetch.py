"""Page fetching: one shared HTTP client per run, every hop checked by the URL policy.

Redirects are followed by hand (`follow_redirects=False`) so each `Location` is re-checked before any
connection to it is made; a redirect to 10.0.0.1 is refused, not attempted. The body is streamed and the
byte cap enforced while reading, so a huge page costs at most the cap. Every failure comes back as a
`ToolError`; `fetch` does not raise.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from urllib.parse import urljoin

import httpx

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tools.extract import build_document, media_type_of
from tools.http_errors import error_for_status, error_for_transport, timeout_error
from tools.policy import UrlPolicy

USER_AGENT = "Mozilla/5.0 (compatible; deepresearch/0.1; research assistant)"
ACCEPT = "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5"

# Declared types that are worth downloading; anything else is refused before the body is read.
_READABLE_PREFIXES = (
    "text/",
    "application/xhtml",
    "application/pdf",
    "application/x-pdf",
    "application/octet",
)


class _Redirect:
    """A hop to follow: where it goes."""

    def __init__(self, location: str) -> None:
        self.location = location


def _too_large(url: str, limit: int) -> ToolError:
    return ToolError(
        kind="too_large",
        message=f"{url} is larger than the {limit:,}-byte limit",
        hint="The page is too large to read; look for a smaller page or a summary of it.",
    )


class Fetcher:
    """Fetches pages and extracts their text. Create one per run; close it with `aclose()`.

    `transport` replaces the network for tests (e.g. `httpx.MockTransport`); `policy` may be shared
    with the browser so both use one DNS verdict cache.
    """

    def __init__(
        self,
        config: ResearchConfig,
        *,
        policy: UrlPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self.policy = policy or UrlPolicy(config)
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(config.fetch_timeout_s),
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    async def fetch(self, url: str) -> Document | ToolError:
        """The page at `url` as a `Document`, or the `ToolError` saying why not.

        The download, redirects included, is bounded by `fetch_timeout_s`; extraction runs after it in a
        worker thread.
        """
        try:
            async with asyncio.timeout(self._config.fetch_timeout_s):
                downloaded = await self._download_following_redirects(url)
        except TimeoutError:
            return timeout_error(url, self._config.fetch_timeout_s)
        if isinstance(downloaded, ToolError):
            return downloaded
        final_url, content_type, body = downloaded
        return await asyncio.to_thread(build_document, url, final_url, content_type, body)

    async def _download_following_redirects(self, url: str) -> tuple[str, str, bytes] | ToolError:
        current = url
        for _hop in range(self._config.fetch_max_redirects + 1):
            refusal = await self.policy.check(current)
            if refusal is not None:
                return refusal
            outcome = await self._fetch_once(current)
            if not isinstance(outcome, _Redirect):
                return outcome
            current = outcome.location
        return ToolError(
            kind="blocked_by_policy",
            message=f"{url} redirected more than {self._config.fetch_max_redirects} times",
            hint="The page redirects in a loop or too often; try another result.",
        )

    async def _fetch_once(self, url: str) -> tuple[str, str, bytes] | _Redirect | ToolError:
        """One request: a redirect to follow, the raw body with its type, or an error."""
        try:
            async with self._client.stream("GET", url) as response:
                if response.is_redirect:
                    return _Redirect(urljoin(str(response.url), response.headers["location"]))
                if response.status_code >= 300:
                    return error_for_status(
                        url, response.status_code, retry_after=response.headers.get("retry-after")
                    )
                content_type = response.headers.get("content-type", "")
                media_type = media_type_of(content_type)
                if media_type and not media_type.startswith(_READABLE_PREFIXES):
                    return ToolError(
                        kind="unsupported_type",
                        message=f"{url} is {media_type}, which cannot be read as text",
                        hint="Only HTML, PDF and plain text can be read; try another result.",
                    )
                body = await self._read_capped(url, response)
                if isinstance(body, ToolError):
                    return body
                return str(response.url), content_type, body
        except httpx.HTTPError as exc:
            return error_for_transport(url, exc, timeout_s=self._config.fetch_timeout_s)

    async def _read_capped(self, url: str, response: httpx.Response) -> bytes | ToolError:
        limit = self._config.fetch_max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _too_large(url, limit)
        chunks: list[bytes] = []
        received = 0
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > limit:
                return _too_large(url, limit)
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
