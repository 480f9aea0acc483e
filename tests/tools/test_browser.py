"""The real browser: system Chromium, headless, against the local site (marked slow)."""

from __future__ import annotations

import asyncio
import time

import pytest

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tests.tools.local_site import LocalSite
from tools.browser import Browser, find_chromium

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture
def chromium(config: ResearchConfig) -> None:
    if find_chromium(config) is None:
        pytest.skip("no system Chromium (apt-get install chromium)")


async def test_js_page_renders_in_the_browser_and_failures_are_typed(
    config: ResearchConfig, site: LocalSite, chromium: None
) -> None:
    browser = Browser(config)
    try:
        assert not browser.is_started  # launched lazily
        started = time.monotonic()
        doc = await browser.browse(site.url("/fixtures/js_article.html"))
        elapsed = time.monotonic() - started
        assert isinstance(doc, Document), doc
        assert "chromatophores" in doc.text and "iridophores" in doc.text and "hundred pattern changes" in doc.text
        assert doc.title == "Octopus camouflage" or doc.title == "Rendered by script"
        # The page's telemetry call and image go to outside hosts: refused at once, not waited for.
        assert elapsed < 8, f"blocked requests slowed the page down: {elapsed:.1f}s"

        redirected = await browser.browse(site.url("/redirect-private"))
        assert isinstance(redirected, ToolError) and redirected.kind == "blocked_by_policy"
        missing = await browser.browse(site.url("/status/404"))
        assert isinstance(missing, ToolError) and missing.kind == "not_found"
        refused = await browser.browse("http://10.0.0.1/")
        assert isinstance(refused, ToolError) and refused.kind == "blocked_by_policy"
    finally:
        await browser.aclose()
    assert not browser.is_started
    after_close = await browser.browse(site.url("/fixtures/article.html"))
    assert isinstance(after_close, ToolError)


async def test_pool_serves_more_pages_than_it_holds(
    config: ResearchConfig, site: LocalSite, python_docs: None, chromium: None
) -> None:
    paths = ["/docs/library/contextvars.html", "/docs/library/asyncio-task.html", "/fixtures/article.html"]
    async with Browser(config) as browser:
        docs = await asyncio.gather(*(browser.browse(site.url(path)) for path in paths))
    assert all(isinstance(doc, Document) for doc in docs), docs
    contextvars_doc, asyncio_doc, article = docs
    assert isinstance(contextvars_doc, Document) and "copy_context" in contextvars_doc.text
    assert isinstance(asyncio_doc, Document) and "asyncio.gather" in asyncio_doc.text.replace("`", "")
    assert isinstance(article, Document) and "Hynish" in article.text
    assert "Previous topic" not in contextvars_doc.text
