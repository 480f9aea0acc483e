"""A real browser for pages that build their text with JavaScript.

Chromium runs headless through Playwright, launched lazily on the first `browse()` and kept for the
run: the system Chromium (`/usr/bin/chromium`) if present, else Playwright's own build, else a remote
browser at `browser_cdp_url`. A small pool of pages (`browser_pages`, 2 by default — on 2 cores more
add nothing, and a fresh context per URL costs 0.2–0.35 s) is reused through a queue.

Every request the page makes passes the URL policy in a route handler; refused requests are aborted at
once, so a page that links to blocked hosts still loads quickly. Images, media and fonts are skipped:
they never carry text. Document requests are fetched with redirects off so each hop is re-checked.
The rendered HTML goes through the same extraction as `fetch`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path
from types import TracebackType
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import BrowserContext, Page, Playwright, Route, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tools.extract import build_document, media_type_of
from tools.http_errors import error_for_status, timeout_error
from tools.policy import UrlPolicy

# Quiet, headless, and no calls home: this machine's network may be closed, and the browser must not
# reach anything the URL policy has not approved.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--mute-audio",
]
SYSTEM_CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
SKIPPED_RESOURCE_TYPES = frozenset({"image", "media", "font"})
# Schemes that never leave the browser.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
# How long to wait for the network to go quiet after the DOM is ready (scripts fetching content).
NETWORK_IDLE_WAIT_S = 5.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def find_chromium(config: ResearchConfig) -> str | None:
    """The explicit setting, else a system Chromium; None means "try Playwright's own build"."""
    if config.browser_path is not None:
        return str(config.browser_path)
    for candidate in SYSTEM_CHROMIUM_PATHS:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _browser_unavailable(detail: str) -> ToolError:
    return ToolError(
        kind="provider_down",
        message=f"no browser available: {detail}",
        hint="The browser cannot run here; use fetch_page, or another source.",
        tool="browse_page",
    )


class Browser:
    """Renders pages in headless Chromium. One per run; `aclose()` ends the browser process."""

    def __init__(self, config: ResearchConfig, *, policy: UrlPolicy | None = None) -> None:
        self._config = config
        self.policy = policy or UrlPolicy(config)
        self._start_lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: PlaywrightBrowser | None = None
        self._context: BrowserContext | None = None
        self._idle_pages: asyncio.Queue[Page] = asyncio.Queue()
        self._closed = False

    @property
    def is_started(self) -> bool:
        return self._context is not None

    async def browse(self, url: str) -> Document | ToolError:
        """The rendered page at `url` as a `Document`, or the `ToolError` saying why not."""
        refusal = await self.policy.check(url)
        if refusal is not None:
            return refusal
        started = await self._ensure_started()
        if started is not None:
            return started
        page = await self._idle_pages.get()
        try:
            rendered = await self._render(page, url)
        finally:
            await self._release(page)
        if isinstance(rendered, ToolError):
            return rendered
        final_url, html = rendered
        return await asyncio.to_thread(
            build_document, url, final_url, "text/html", html.encode("utf-8"), check_js=False
        )

    async def _render(self, page: Page, url: str) -> tuple[str, str] | ToolError:
        timeout_ms = self._config.browser_timeout_s * 1000
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.browser_timeout_s
        try:
            response = await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
            if response is not None and response.status >= 400:
                return error_for_status(url, response.status)
            media_type = media_type_of(await response.header_value("content-type") or "") if response else ""
            if media_type and media_type not in {"text/html", "application/xhtml+xml"}:
                return ToolError(
                    kind="unsupported_type",
                    message=f"{url} is {media_type}, not a web page",
                    hint="Use fetch_page for PDFs and plain-text files.",
                    tool="browse_page",
                )
            idle_wait_s = min(NETWORK_IDLE_WAIT_S, max(0.0, deadline - loop.time()))
            # A page that keeps polling never goes idle; by the deadline its text is there if ever.
            with contextlib.suppress(PlaywrightTimeout):
                await page.wait_for_load_state("networkidle", timeout=idle_wait_s * 1000)
            return page.url, await page.content()
        except PlaywrightTimeout:
            return timeout_error(url, self._config.browser_timeout_s)
        except PlaywrightError as exc:
            return self._error_for_navigation(url, exc)

    def _error_for_navigation(self, url: str, exc: PlaywrightError) -> ToolError:
        detail = exc.message.splitlines()[0] if exc.message else type(exc).__name__
        if "ERR_TOO_MANY_REDIRECTS" in detail:
            return ToolError(
                kind="blocked_by_policy",
                message=f"{url} redirected too many times",
                hint="The page redirects in a loop; try another result.",
                tool="browse_page",
            )
        if "ERR_BLOCKED_BY_CLIENT" in detail:
            return ToolError(
                kind="blocked_by_policy",
                message=f"{url} led to an address the URL policy refuses ({detail})",
                hint="Only public http(s) addresses can be read; pick another result.",
                tool="browse_page",
            )
        if "Download is starting" in detail:
            return ToolError(
                kind="unsupported_type",
                message=f"{url} is a download, not a web page",
                hint="Use fetch_page for PDFs and other files.",
                tool="browse_page",
            )
        return ToolError(
            kind="network",
            message=f"the browser could not load {url}: {detail}",
            is_retryable=True,
            hint="The site is unreachable from the browser; try another result.",
            tool="browse_page",
        )

    async def _release(self, page: Page) -> None:
        """Put the page back blank (stops the last site's scripts); replace it if it broke."""
        try:
            await page.goto("about:blank", timeout=5000)
        except PlaywrightError:
            if self._context is None or self._closed:
                return
            await page.close()
            page = await self._context.new_page()
        self._idle_pages.put_nowait(page)

    async def _ensure_started(self) -> ToolError | None:
        async with self._start_lock:
            if self._context is not None:
                return None
            if self._closed:
                return _browser_unavailable("the browser was already closed for this run")
            try:
                self._playwright = await async_playwright().start()
                self._browser = await self._launch(self._playwright)
                if self._browser is None:
                    return _browser_unavailable("no Chromium found and no browser_cdp_url configured")
                self._context = await self._browser.new_context(service_workers="block")
                await self._context.route("**/*", self._route)
                for _ in range(self._config.browser_pages):
                    self._idle_pages.put_nowait(await self._context.new_page())
            except PlaywrightError as exc:
                await self.aclose()
                return _browser_unavailable(f"{type(exc).__name__}: {exc.message.splitlines()[0]}")
            return None

    async def _launch(self, playwright: Playwright) -> PlaywrightBrowser | None:
        executable = find_chromium(self._config)
        if executable is not None:
            return await playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        if Path(playwright.chromium.executable_path).exists():
            return await playwright.chromium.launch(headless=True, args=CHROMIUM_ARGS)
        if self._config.browser_cdp_url:
            return await playwright.chromium.connect_over_cdp(self._config.browser_cdp_url)
        return None

    async def _route(self, route: Route) -> None:
        """Let a request through only if the URL policy allows it; documents get their redirects checked."""
        request = route.request
        if urlsplit(request.url).scheme in LOCAL_SCHEMES:
            await route.continue_()
            return
        if request.resource_type in SKIPPED_RESOURCE_TYPES:
            await route.abort("blockedbyclient")
            return
        verdict = self.policy.cached_verdict(request.url)
        if verdict is False:
            verdict = await self.policy.check(request.url)
        if verdict is not None:
            await route.abort("blockedbyclient")
            return
        if request.resource_type == "document":
            await self._route_document(route)
            return
        await route.continue_()

    async def _route_document(self, route: Route) -> None:
        """Fetch a document without following redirects, so the browser asks again for each hop."""
        try:
            response = await route.fetch(max_redirects=0, timeout=self._config.browser_timeout_s * 1000)
        except PlaywrightError:
            await route.abort("failed")
            return
        if response.status in REDIRECT_STATUSES:
            location = response.headers.get("location", "")
            refusal = await self.policy.check(urljoin(route.request.url, location)) if location else None
            if refusal is not None:
                await route.abort("blockedbyclient")
                return
        await route.fulfill(response=response)

    async def aclose(self) -> None:
        """Close pages, context, browser and Playwright; safe to call twice or before any launch."""
        self._closed = True
        context, browser, playwright = self._context, self._browser, self._playwright
        self._context = self._browser = self._playwright = None
        try:
            if context is not None:
                await context.close()
        finally:
            try:
                if browser is not None:
                    await browser.close()
            finally:
                if playwright is not None:
                    await playwright.stop()

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
