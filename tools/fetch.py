"""Page fetching: one shared HTTP client per run, every hop checked by the URL policy.

Redirects are followed by hand so each `Location` is re-checked before any connection to it is made; a
redirect to 10.0.0.1 is refused, not attempted. Connections go to the address the policy approved
(`tools.pinned_transport`), and the body is streamed and decompressed under the byte cap
(`tools.bounded_body`), so a huge page or a gzip bomb costs at most the cap. Every failure comes back as a
`ToolError`; `fetch` does not raise.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

import httpx

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tools.bounded_body import ByteBudget
from tools.download import Download, Downloader
from tools.extract import build_document, media_type_of
from tools.http_errors import error_for_status, timeout_error
from tools.policy import UrlPolicy

# Declared types that are worth downloading; anything else is refused before the body is read.
_READABLE_PREFIXES = (
    "text/",
    "application/xhtml",
    "application/pdf",
    "application/x-pdf",
    "application/octet",
)


def _refuse_unreadable(response: httpx.Response) -> ToolError | None:
    """Error statuses and types that cannot be read as text, judged before the body is downloaded."""
    url = str(response.url)
    if response.status_code >= 300:
        return error_for_status(url, response.status_code, retry_after=response.headers.get("retry-after"))
    media_type = media_type_of(response.headers.get("content-type", ""))
    if media_type and not media_type.startswith(_READABLE_PREFIXES):
        return ToolError(
            kind="unsupported_type",
            message=f"{url} is {media_type}, which cannot be read as text",
            hint="Only HTML, PDF and plain text can be read; try another result.",
        )
    return None


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
        self._downloader = Downloader(self.policy, timeout_s=config.fetch_timeout_s, transport=transport)

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
        content_type = downloaded.headers.get("content-type", "")
        return await asyncio.to_thread(build_document, url, downloaded.url, content_type, downloaded.body)

    async def _download_following_redirects(self, url: str) -> Download | ToolError:
        current = url
        for _hop in range(self._config.fetch_max_redirects + 1):
            budget = ByteBudget(self._config.fetch_max_bytes)
            outcome = await self._downloader.download(current, budget=budget, accept=_refuse_unreadable)
            if isinstance(outcome, ToolError) or outcome.location is None:
                return outcome
            current = outcome.location
        return ToolError(
            kind="blocked_by_policy",
            message=f"{url} redirected more than {self._config.fetch_max_redirects} times",
            hint="The page redirects in a loop or too often; try another result.",
        )

    async def aclose(self) -> None:
        await self._downloader.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
