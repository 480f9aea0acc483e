"""The browser against hostile pages and failing parts (issue 16), on real Chromium (marked slow).

Pages come from the local site: 50 MB of HTML with no declared length, a gzip bomb (0.25 MB → 256 MB), a
small page whose script writes megabytes into the DOM, random bytes served as text/html, a page that never
answers. Then the parts under the browser die:
Chromium, and Playwright's driver.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tests.tools.local_site import LocalSite, gzip_bomb
from tests.tools.memory_peak import peak_growth
from tools.bounded_body import ACCEPT_ENCODING
from tools.browser import Browser, find_chromium

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

HUGE_PAGE_SECONDS = 10.0
HUGE_PAGE_GROWTH_BYTES = 150 * 2**20
HANG_TIMEOUT_S = 3.0


@pytest.fixture
def hostile_config(config: ResearchConfig) -> ResearchConfig:
    if find_chromium(config) is None:
        pytest.skip("no system Chromium (apt-get install chromium)")
    return config.model_copy(update={"browser_timeout_s": HANG_TIMEOUT_S})


async def test_hostile_pages_are_refused_in_time_and_the_browser_keeps_working(
    hostile_config: ResearchConfig, fresh_site: LocalSite
) -> None:
    gzip_bomb()  # built before measuring: the server's copy is not the browser's cost
    async with Browser(hostile_config) as browser:
        # Starts Chromium; on a loaded machine the launch may outlast this call's short timeout, and then
        # finishes for the next call (launches are not cancelled with the call that started them).
        await browser.browse(fresh_site.url("/fixtures/article.html"))

        started = time.monotonic()
        with peak_growth() as growth:
            huge = await browser.browse(fresh_site.url("/huge"))
        elapsed = time.monotonic() - started
        assert isinstance(huge, ToolError) and huge.kind == "too_large", huge
        assert elapsed <= HUGE_PAGE_SECONDS, f"the 50 MB page took {elapsed:.1f}s"
        assert growth.bytes < HUGE_PAGE_GROWTH_BYTES, f"Python grew {growth.bytes / 2**20:.0f} MiB"

        bomb = await browser.browse(fresh_site.url("/gzip-bomb"))
        assert isinstance(bomb, ToolError) and bomb.kind == "too_large", bomb
        binary = await browser.browse(fresh_site.url("/binary"))
        assert isinstance(binary, ToolError) and binary.kind == "unsupported_type", binary
        assert "binary" in binary.message

        started = time.monotonic()
        hung = await browser.browse(fresh_site.url("/hang"))
        elapsed = time.monotonic() - started
        assert isinstance(hung, ToolError) and hung.kind == "timeout", hung
        assert HANG_TIMEOUT_S - 0.1 <= elapsed <= HANG_TIMEOUT_S + 1.0, f"returned after {elapsed:.1f}s"

        fresh_site.requests.clear()
        after = [
            await browser.browse(fresh_site.url(path))
            for path in ("/fixtures/js_article.html", "/redirect-ok", "/fixtures/article.html")
        ]
    assert all(isinstance(doc, Document) for doc in after), after
    js_doc, redirected, _ = after
    assert isinstance(js_doc, Document) and "chromatophores" in js_doc.text
    assert isinstance(redirected, Document) and redirected.final_url.endswith("/fixtures/article.html")
    # The page's script asked for its data; the request was answered from Python (our client's encodings),
    # not by Chromium's network stack.
    data_requests = [r for r in fresh_site.requests if r.path == "/fixtures/js_article.json"]
    assert data_requests and all(r.headers["accept-encoding"] == ACCEPT_ENCODING for r in data_requests)


async def test_a_page_whose_script_writes_a_huge_dom_is_refused_before_extraction(
    hostile_config: ResearchConfig, site: LocalSite
) -> None:
    small_budget = hostile_config.model_copy(update={"browser_max_bytes": 1_000_000, "browser_timeout_s": 15.0})
    async with Browser(small_budget) as browser:
        bloated = await browser.browse(site.url("/js-bloat"))  # 0.1 kB loaded, 2.2 MB rendered
        fine = await browser.browse(site.url("/fixtures/article.html"))
    assert isinstance(bloated, ToolError) and bloated.kind == "too_large", bloated
    assert isinstance(fine, Document), fine


def _descendants() -> list[tuple[int, str]]:
    """(pid, executable) of every process below this one."""
    children_by_parent: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children_by_parent.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [os.getpid()]
    while stack:
        for child in children_by_parent.get(stack.pop(), []):
            try:
                executable = (Path("/proc") / str(child) / "cmdline").read_bytes().split(b"\0")[0].decode()
            except OSError:
                continue
            found.append((child, executable))
            stack.append(child)
    return found


def _kill(part: str) -> int:
    victims = [pid for pid, executable in _descendants() if part in Path(executable).name]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    return len(victims)


async def test_a_dead_browser_or_driver_is_replaced_on_the_next_call(config: ResearchConfig, site: LocalSite) -> None:
    if find_chromium(config) is None:
        pytest.skip("no system Chromium (apt-get install chromium)")
    url = site.url("/fixtures/article.html")
    async with Browser(config) as browser:
        assert isinstance(await browser.browse(url), Document)
        for part in ("chromium", "node"):  # Chromium itself, then Playwright's driver
            assert _kill(part) >= 1, f"no {part} process under this test"
            await asyncio.sleep(0.3)
            results = [await browser.browse(url) for _ in range(2)]  # the second: the pool refilled
            assert all(isinstance(result, Document) for result in results), (part, results)
