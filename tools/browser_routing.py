"""Every request a browser page makes, answered from Python: policy-checked, pinned, capped, in time.

Chromium is launched unable to resolve any name (`--host-resolver-rules=MAP * ~NOTFOUND`, IP literals
included), so it cannot reach anything by itself; its background services (updates, safe browsing,
DNS-over-HTTPS) fail locally. Page content arrives only through this router: each request is downloaded by
the run's `Downloader` (URL policy on every hop, connection to the approved address, body decoded under the
page's `ByteBudget`) and handed to the page with `route.fulfill`. One `PageLoad` per browse holds the
page's byte budget and deadline, and what went wrong with its main document, so `browse()` can return
that error rather than Chromium's generic one.

The main document's redirects are not followed here: the hop is recorded and aborted, and the browser
navigates to it itself (a fulfilled redirect's next hop would bypass the router). Redirects of scripts,
frames and data requests are followed here, each hop checked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Request, Route

from deepresearch.errors import ToolError
from tools.bounded_body import ByteBudget
from tools.download import Download, Downloader
from tools.extract import HTML_TYPES, binary_refusal, media_type_of
from tools.http_errors import error_for_status

SKIPPED_RESOURCE_TYPES = frozenset({"image", "media", "font"})
# Schemes that never leave the browser.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
# A request still gets this long when the page's deadline is (nearly) spent, so it can end cleanly.
MIN_REQUEST_S = 0.1


@dataclass
class PageLoad:
    """One browse of one page: its budget, its deadline, and the fate of its main document."""

    budget: ByteBudget
    deadline: float  # event-loop time
    max_redirects: int
    redirect_to: str | None = None  # the main document's next hop, for the browser to navigate to
    refusal: ToolError | None = None  # why the main document was not shown

    def seconds_left(self) -> float:
        return max(MIN_REQUEST_S, self.deadline - asyncio.get_running_loop().time())


def _refuse_non_html(response: httpx.Response) -> ToolError | None:
    url = str(response.url)
    if response.status_code >= 400:
        return error_for_status(url, response.status_code, retry_after=response.headers.get("retry-after"))
    media_type = media_type_of(response.headers.get("content-type", ""))
    if media_type and media_type not in HTML_TYPES:
        return ToolError(
            kind="unsupported_type",
            message=f"{url} is {media_type}, not a web page",
            hint="Use fetch_page for PDFs and plain-text files.",
        )
    return None


class RequestRouter:
    """The context-wide route handler. `track(page, load)` before navigating, `untrack(page)` after."""

    def __init__(self, downloader: Downloader) -> None:
        self._downloader = downloader
        self._load_by_page: dict[Page, PageLoad] = {}

    def track(self, page: Page, load: PageLoad) -> None:
        self._load_by_page[page] = load

    def untrack(self, page: Page) -> None:
        """From now on the page's requests are refused (its browse is over: nothing reads them)."""
        self._load_by_page.pop(page, None)

    async def route(self, route: Route) -> None:
        """Answer one request; never raises (a failed answer is an aborted request)."""
        request = route.request
        try:
            if urlsplit(request.url).scheme in LOCAL_SCHEMES:
                await route.continue_()
                return
            load = self._load_for(request)
            if load is None or request.resource_type in SKIPPED_RESOURCE_TYPES:
                await route.abort("blockedbyclient")
                return
            if request.is_navigation_request() and request.frame.parent_frame is None:
                await self._answer_main_document(route, load)
            else:
                await self._answer_subresource(route, load)
        except PlaywrightError:
            return  # the page or browser went away while answering: nothing is waiting for this request

    def _load_for(self, request: Request) -> PageLoad | None:
        try:
            return self._load_by_page.get(request.frame.page)
        except PlaywrightError:  # requests of service workers and the like have no frame
            return None

    async def _download(self, request: Request, load: PageLoad, url: str, *, is_main: bool) -> Download | ToolError:
        try:
            async with asyncio.timeout(load.seconds_left()):
                return await self._downloader.download(
                    url,
                    budget=load.budget,
                    accept=_refuse_non_html if is_main else None,
                    method=request.method if url == request.url else "GET",
                    headers=await request.all_headers(),
                    content=request.post_data_buffer if url == request.url else None,
                )
        except TimeoutError:
            return ToolError(kind="timeout", message=f"{url} did not answer in time", is_retryable=True)

    async def _answer_main_document(self, route: Route, load: PageLoad) -> None:
        url = route.request.url
        outcome = await self._download(route.request, load, url, is_main=True)
        if isinstance(outcome, ToolError):
            load.refusal = outcome
            await route.abort("blockedbyclient" if outcome.kind == "blocked_by_policy" else "failed")
            return
        if outcome.location is not None:
            load.redirect_to = outcome.location
            await route.abort("aborted")
            return
        refusal = binary_refusal(url, media_type_of(outcome.headers.get("content-type", "")), outcome.body)
        if refusal is not None:
            load.refusal = refusal
            await route.abort("failed")
            return
        await route.fulfill(status=outcome.status, headers=dict(outcome.headers), body=outcome.body)

    async def _answer_subresource(self, route: Route, load: PageLoad) -> None:
        url = route.request.url
        for _hop in range(load.max_redirects + 1):
            outcome = await self._download(route.request, load, url, is_main=False)
            if isinstance(outcome, ToolError):
                await route.abort("blockedbyclient" if outcome.kind == "blocked_by_policy" else "failed")
                return
            if outcome.location is None:
                await route.fulfill(status=outcome.status, headers=dict(outcome.headers), body=outcome.body)
                return
            url = outcome.location
        await route.abort("blockedbyclient")
