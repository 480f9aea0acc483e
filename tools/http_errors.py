"""HTTP failures as `ToolError`s, shared by page fetching and the search providers.

One table keeps the agent's view consistent: a 429 is `rate_limited` and worth retrying later whether it
came from a web page or a search API, a 5xx is `provider_down`, and a dropped connection is `network`.
"""

from __future__ import annotations

import httpx

from deepresearch.errors import ToolError


def error_for_status(url: str, status: int, *, retry_after: str | None = None) -> ToolError:
    """The error for a non-success status (redirects are handled before this is called)."""
    if status == 404 or status == 410:
        return ToolError(
            kind="not_found",
            message=f"{url} returned HTTP {status}",
            hint="The page does not exist; try another result or search again.",
        )
    if status in (401, 403, 451):
        return ToolError(
            kind="forbidden",
            message=f"{url} returned HTTP {status}",
            hint="The site refuses access; try another source for the same information.",
        )
    if status == 429:
        wait = f" (retry after {retry_after}s)" if retry_after else ""
        return ToolError(
            kind="rate_limited",
            message=f"{url} returned HTTP 429{wait}",
            is_retryable=True,
            hint="The site is rate-limiting; use another source now and come back later if needed.",
        )
    if status >= 500:
        return ToolError(
            kind="provider_down",
            message=f"{url} returned HTTP {status}",
            is_retryable=True,
            hint="The server failed; try another result, or retry this one later.",
        )
    # Other 4xx: the server understood and refused this request; repeating it will not help.
    return ToolError(
        kind="forbidden",
        message=f"{url} returned HTTP {status}",
        hint="The request was refused; try another result.",
    )


def error_for_transport(url: str, exc: httpx.HTTPError, *, timeout_s: float) -> ToolError:
    """The error for an httpx exception raised while connecting, sending or reading."""
    if isinstance(exc, httpx.TimeoutException):
        return timeout_error(url, timeout_s)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return ToolError(
            kind="invalid_arguments",
            message=f"{url} is not a valid http(s) URL: {exc}",
            hint="Pass a complete URL such as https://example.org/page.",
        )
    return ToolError(
        kind="network",
        message=f"cannot reach {url}: {type(exc).__name__}: {exc}",
        is_retryable=True,
        hint="The host is unreachable; try another result.",
    )


def timeout_error(url: str, timeout_s: float) -> ToolError:
    return ToolError(
        kind="timeout",
        message=f"{url} did not answer within {timeout_s:g}s",
        is_retryable=True,
        hint="The site is too slow; try another result.",
    )
