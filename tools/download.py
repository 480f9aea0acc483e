"""One HTTP request for a page read: checked by the URL policy, pinned to the approved address, body capped.

Both readers use it: the fetcher for each hop it follows, the browser for every request a page makes (the
browser's own network stack is never used for page content). Redirects are not followed here: a redirect
comes back as a `Download` with a `location`, and the caller re-checks the next hop. A caller-supplied
`accept` looks at the status and headers before any of the body is read, so a refused type costs nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from deepresearch.errors import ToolError
from tools.bounded_body import ACCEPT_ENCODING, ByteBudget, TooLarge, UnsupportedEncoding, read_capped
from tools.http_errors import error_for_transport
from tools.pinned_transport import PinnedTransport
from tools.policy import UrlPolicy

USER_AGENT = "Mozilla/5.0 (compatible; deepresearch/0.1; research assistant)"
ACCEPT = "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5"
# Headers that describe one connection or one encoding, never the content: not forwarded either way.
HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "host",
        "content-encoding",
        "content-length",
        "accept-encoding",
    }
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Looks at a response before its body is read; an error refuses it.
AcceptCheck = Callable[[httpx.Response], ToolError | None]


@dataclass(frozen=True)
class Download:
    """One answered request: its status, headers (hop headers removed) and decoded body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    location: str | None = None  # set for redirects, already absolute


def too_large(url: str, limit: int) -> ToolError:
    return ToolError(
        kind="too_large",
        message=f"{url} is larger than the {limit:,}-byte limit",
        hint="The page is too large to read; look for a smaller page or a summary of it.",
    )


def content_headers(headers: httpx.Headers) -> dict[str, str]:
    """Headers that describe the content; repeated ones (Set-Cookie) joined by newlines, as Playwright takes them."""
    kept: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        if key not in HOP_HEADERS:
            kept[key] = f"{kept[key]}\n{value}" if key in kept else value
    return kept


class Downloader:
    """The run's HTTP client for page reads. `transport` replaces the network (tests); close with `aclose()`."""

    def __init__(
        self, policy: UrlPolicy, *, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.policy = policy
        self._timeout_s = timeout_s
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
        self._client = httpx.AsyncClient(
            transport=transport or PinnedTransport(policy, limits=limits),
            follow_redirects=False,
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
            limits=limits,
        )

    async def download(
        self,
        url: str,
        *,
        budget: ByteBudget,
        accept: AcceptCheck | None = None,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> Download | ToolError:
        """One request to `url` (redirects not followed); the body ends in `too_large` once `budget` is spent."""
        refusal = await self.policy.check(url)
        if refusal is not None:
            return refusal
        forwarded = {name: value for name, value in (headers or {}).items() if name.lower() not in HOP_HEADERS}
        try:
            async with self._client.stream(method, url, headers=forwarded, content=content) as response:
                kept = content_headers(response.headers)
                if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                    location = urljoin(str(response.url), response.headers["location"])
                    return Download(str(response.url), response.status_code, kept, location=location)
                refused = accept(response) if accept is not None else None
                if refused is not None:
                    return refused
                body = await read_capped(response, budget)
                return Download(str(response.url), response.status_code, kept, body)
        except TooLarge:
            return too_large(url, budget.limit)
        except UnsupportedEncoding as exc:
            return ToolError(
                kind="unsupported_type",
                message=f"{url} is compressed as {exc}, which is not read (only gzip and deflate)",
                hint="The server sent an encoding that was not asked for; try another result.",
            )
        except zlib.error as exc:
            return ToolError(
                kind="network",
                message=f"{url} sent a corrupt compressed body: {exc}",
                is_retryable=True,
                hint="The transfer was damaged; try another result.",
            )
        except httpx.HTTPError as exc:
            return error_for_transport(url, exc, timeout_s=self._timeout_s)

    async def aclose(self) -> None:
        await self._client.aclose()
