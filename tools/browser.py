"""A real browser for pages that build their text with JavaScript, bounded like the fetcher.

Chromium runs headless through Playwright, launched lazily on the first `browse()`: the system Chromium
(`/usr/bin/chromium`) if present, else Playwright's own build, else a remote browser at `browser_cdp_url`.
At most `browser_pages` pages render at once (2 by default — on 2 cores more add nothing, and a fresh
context per URL costs 0.2–0.35 s); pages are reused.

Bounds, each one a failure mode seen on hostile pages:
- every request a page makes is answered by `tools.browser_routing` from Python — URL policy, pinned
  connection, one byte budget per page (`browser_max_bytes`) — and Chromium itself can resolve no name,
  so its background services reach nothing;
- a non-HTML or binary main document is refused before Chromium sees it, and a page whose rendered HTML
  grows past `browser_max_bytes` is refused before the HTML is copied out;
- each call returns within `browser_timeout_s` (waiting for a free page included); a page that hangs is
  reset or replaced in the background;
- when Chromium or Playwright's driver dies, the next call starts a fresh browser; pages are counted by a
  semaphore, not held in a queue, so a crash cannot leave the pool empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tools.bounded_body import ByteBudget
from tools.browser_routing import PageLoad, RequestRouter
from tools.download import Downloader, too_large
from tools.extract import build_document
from tools.http_errors import timeout_error
from tools.policy import UrlPolicy

# Quiet and headless: none of Chromium's own services (updates, safe browsing, DNS-over-HTTPS, prefetch,
# pings) switched on. A browser for pages the project serves itself (its own review pages) needs no more.
QUIET_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--safebrowsing-disable-auto-update",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--dns-prefetch-disable",
    "--no-pings",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--mute-audio",
]
# The research browser resolves no host itself (IP literals included): every page request is answered by
# the router, so whatever the switches above miss fails inside the browser instead of reaching the network.
CHROMIUM_ARGS = [*QUIET_CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND"]
SYSTEM_CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# How long to wait for the network to go quiet after the DOM is ready (scripts fetching content).
NETWORK_IDLE_WAIT_S = 5.0
# Resetting a page to about:blank or closing a dead browser; past this the page or browser is given up.
CLEANUP_TIMEOUT_S = 5.0
HTML_LENGTH_JS = "document.documentElement ? document.documentElement.outerHTML.length : 0"


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


@dataclass
class _Session:
    """One launched browser: Playwright's driver, Chromium, the context every page lives in, idle pages."""

    playwright: Playwright
    browser: PlaywrightBrowser
    context: BrowserContext
    idle_pages: list[Page] = field(default_factory=list)
    is_dead: bool = False

    def is_alive(self) -> bool:
        # A dead Chromium disconnects the browser; a dead driver does not, so a failed call sets `is_dead`.
        return not self.is_dead and self.browser.is_connected()

    async def responds(self) -> bool:
        """Whether the driver and Chromium still answer (a call to the browser process, not to a page)."""
        try:
            async with asyncio.timeout(CLEANUP_TIMEOUT_S):
                await self.context.cookies()
        except (PlaywrightError, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        """Close everything, giving each step `CLEANUP_TIMEOUT_S`: a dead driver answers nothing."""
        for step in (self.context.close, self.browser.close, self.playwright.stop):
            with contextlib.suppress(PlaywrightError, TimeoutError, OSError):
                async with asyncio.timeout(CLEANUP_TIMEOUT_S):
                    await step()


class Browser:
    """Renders pages in headless Chromium. One per run; `aclose()` ends the browser process."""

    def __init__(self, config: ResearchConfig, *, policy: UrlPolicy | None = None) -> None:
        self._config = config
        self.policy = policy or UrlPolicy(config)
        self._downloader = Downloader(self.policy, timeout_s=config.browser_timeout_s)
        self._router = RequestRouter(self._downloader)
        self._free_pages = asyncio.Semaphore(config.browser_pages)
        self._session: _Session | None = None
        self._starting: asyncio.Task[_Session | ToolError] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def is_started(self) -> bool:
        return self._session is not None

    async def browse(self, url: str) -> Document | ToolError:
        """The rendered page at `url` as a `Document`, or the `ToolError` saying why not; never raises, and
        returns within `browser_timeout_s` (plus the extraction of what was rendered)."""
        refusal = await self.policy.check(url)
        if refusal is not None:
            return refusal
        timeout_s = self._config.browser_timeout_s
        load = PageLoad(
            budget=ByteBudget(self._config.browser_max_bytes),
            deadline=asyncio.get_running_loop().time() + timeout_s,
            max_redirects=self._config.fetch_max_redirects,
        )
        try:
            async with asyncio.timeout(timeout_s):
                rendered = await self._render_in_a_page(url, load)
        except TimeoutError:
            return timeout_error(url, timeout_s)
        if isinstance(rendered, ToolError):
            return rendered
        final_url, html = rendered
        return await asyncio.to_thread(
            build_document, url, final_url, "text/html", html.encode("utf-8"), check_js=False
        )

    async def _render_in_a_page(self, url: str, load: PageLoad) -> tuple[str, str] | ToolError:
        for _attempt in range(2):
            await self._free_pages.acquire()
            session: _Session | None = None
            page: Page | None = None
            try:
                taken = await self._take_page()
                if isinstance(taken, ToolError):
                    return taken
                session, page = taken
                self._router.track(page, load)
                try:
                    return await self._render(page, url, load)
                except PlaywrightError as exc:
                    if await session.responds():
                        return self._error_for_navigation(url, exc)
                    session.is_dead = True  # the driver or Chromium died under this call: again, in a fresh one
            finally:
                # Reset in the background: a page that hangs must not hold up this call's answer.
                self._spawn(self._put_back(session, page))
        return _browser_unavailable("the browser died twice while rendering the page")

    async def _render(self, page: Page, url: str, load: PageLoad) -> tuple[str, str] | ToolError:
        """Navigate (following main-document redirects the router recorded) and copy out the rendered HTML."""
        target = url
        for _hop in range(load.max_redirects + 1):
            load.redirect_to = None
            try:
                await page.goto(target, wait_until="domcontentloaded", timeout=load.seconds_left() * 1000)
                break
            except PlaywrightError:  # the router's verdict, when it has one, says more than Chromium
                if load.refusal is not None:
                    return load.refusal
                if load.redirect_to is None:
                    raise
                target = load.redirect_to
        else:
            return ToolError(
                kind="blocked_by_policy",
                message=f"{url} redirected more than {load.max_redirects} times",
                hint="The page redirects in a loop or too often; try another result.",
                tool="browse_page",
            )
        # A page that keeps polling never goes idle; by the deadline its text is there if ever.
        with contextlib.suppress(PlaywrightTimeout):
            await page.wait_for_load_state("networkidle", timeout=min(NETWORK_IDLE_WAIT_S, load.seconds_left()) * 1000)
        # What goes to extraction is bounded by the same budget, before Chromium copies it out.
        if int(await page.evaluate(HTML_LENGTH_JS)) > self._config.browser_max_bytes:
            return too_large(url, self._config.browser_max_bytes)
        return page.url, await page.content()

    def _error_for_navigation(self, url: str, exc: PlaywrightError) -> ToolError:
        detail = exc.message.splitlines()[0] if exc.message else type(exc).__name__
        if isinstance(exc, PlaywrightTimeout):
            return timeout_error(url, self._config.browser_timeout_s)
        return ToolError(
            kind="network",
            message=f"the browser could not load {url}: {detail}",
            is_retryable=True,
            hint="The site is unreachable from the browser; try another result.",
            tool="browse_page",
        )

    async def _take_page(self) -> tuple[_Session, Page] | ToolError:
        """An idle page, or a new one; a browser found dead is replaced once within the same call."""
        for _attempt in range(2):
            session = await self._live_session()
            if isinstance(session, ToolError):
                return session
            if session.idle_pages:
                return session, session.idle_pages.pop()
            try:
                return session, await session.context.new_page()
            except PlaywrightError:
                self._discard(session)
        return _browser_unavailable("the browser died twice while opening a page")

    async def _put_back(self, session: _Session | None, page: Page | None) -> None:
        """Blank the page (stops the last site's scripts) and keep it; close it if that fails. Frees the slot."""
        try:
            if session is None or page is None:
                return
            self._router.untrack(page)
            if not session.is_alive():
                self._discard(session)
                return
            if session is not self._session:
                return  # its browser was discarded and is being closed
            try:
                async with asyncio.timeout(CLEANUP_TIMEOUT_S):
                    await page.goto("about:blank")
                session.idle_pages.append(page)
            except (PlaywrightError, TimeoutError):
                with contextlib.suppress(PlaywrightError, TimeoutError):
                    async with asyncio.timeout(CLEANUP_TIMEOUT_S):
                        await page.close()
        finally:
            self._free_pages.release()

    async def _live_session(self) -> _Session | ToolError:
        """The running browser, started (once, even for concurrent callers) if there is none or it died."""
        if self._closed:
            return _browser_unavailable("the browser was already closed for this run")
        if self._session is not None and not self._session.is_alive():
            self._discard(self._session)
        if self._session is not None:
            return self._session
        if self._starting is None:
            self._starting = asyncio.create_task(self._start())
        # Shielded: a caller that times out must not cancel a launch the next caller will use.
        return await asyncio.shield(self._starting)

    async def _start(self) -> _Session | ToolError:
        """Launch Playwright, Chromium and the routed context; runs as `self._starting`, cleared when done."""
        try:
            session = await self._launch_session()
        finally:
            self._starting = None
        if isinstance(session, _Session):
            if self._closed:  # closed while launching: nobody will use it
                await session.close()
                return _browser_unavailable("the browser was closed while starting")
            self._session = session
        return session

    async def _launch_session(self) -> _Session | ToolError:
        try:
            playwright = await async_playwright().start()
        except PlaywrightError as exc:
            return _browser_unavailable(f"{type(exc).__name__}: {exc.message.splitlines()[0]}")
        try:
            browser = await self._launch(playwright)
            if browser is None:
                await playwright.stop()
                return _browser_unavailable("no Chromium found and no browser_cdp_url configured")
            context = await browser.new_context(service_workers="block")
            await context.route("**/*", self._router.route)
        except PlaywrightError as exc:
            with contextlib.suppress(PlaywrightError, OSError):
                await playwright.stop()
            return _browser_unavailable(f"{type(exc).__name__}: {exc.message.splitlines()[0]}")
        return _Session(playwright, browser, context)

    async def _launch(self, playwright: Playwright) -> PlaywrightBrowser | None:
        executable = find_chromium(self._config)
        if executable is not None:
            return await playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        if Path(playwright.chromium.executable_path).exists():
            return await playwright.chromium.launch(headless=True, args=CHROMIUM_ARGS)
        if self._config.browser_cdp_url:
            return await playwright.chromium.connect_over_cdp(self._config.browser_cdp_url)
        return None

    def _discard(self, session: _Session) -> None:
        """Forget a dead (or dying) browser and close what is left of it in the background."""
        if self._session is session:
            self._session = None
        self._spawn(session.close())

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def aclose(self) -> None:
        """Close the browser and Playwright; safe to call twice or before any launch."""
        self._closed = True
        if self._starting is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLEANUP_TIMEOUT_S * 3):
                    await asyncio.shield(self._starting)
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        if self._background:
            await asyncio.wait(set(self._background), timeout=CLEANUP_TIMEOUT_S * 3)
        await self._downloader.aclose()

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
