from __future__ import annotations

import httpx
import pytest

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tests.tools.local_site import LocalSite
from tools.extract import content_hash_of
from tools.fetch import Fetcher


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real transport, with a list of every URL a connection was made for."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def fetch(config: ResearchConfig, url: str) -> Document | ToolError:
    async with Fetcher(config) as fetcher:
        return await fetcher.fetch(url)


async def test_real_page_gives_article_text_without_boilerplate(
    config: ResearchConfig, site: LocalSite, python_docs: None
) -> None:
    doc = await fetch(config, site.url("/docs/library/contextvars.html"))
    assert isinstance(doc, Document), doc
    assert "ContextVar" in doc.text and "copy_context" in doc.text
    for boilerplate in ("Previous topic", "Navigation", "Python Software Foundation", "Report a Bug"):
        assert boilerplate not in doc.text
    assert doc.title.startswith("contextvars")
    assert doc.content_type == "text/html"
    assert doc.content_hash == content_hash_of(doc.text)


async def test_fixture_article_has_metadata_and_no_nav_or_footer(config: ResearchConfig, site: LocalSite) -> None:
    doc = await fetch(config, site.url("/redirect-ok"))
    assert isinstance(doc, Document), doc
    assert "Alan Stevenson" in doc.text and "Hynish" in doc.text
    for boilerplate in ("newsletter menu", "sidebar widget", "footer", "Cookie settings"):
        assert boilerplate not in doc.text
    assert doc.title == "The Keepers of Skerryvore Lighthouse"
    assert doc.author == "Morag Fraser"
    assert doc.published == "2023-05-14"
    assert doc.url.endswith("/redirect-ok") and doc.final_url.endswith("/fixtures/article.html")


async def test_pdf_text_has_page_numbers(config: ResearchConfig, site: LocalSite) -> None:
    doc = await fetch(config, site.url("/fixtures/doc.pdf"))
    assert isinstance(doc, Document), doc
    assert doc.content_type == "application/pdf"
    assert doc.text.index("[page 1]") < doc.text.index("fifteen metres") < doc.text.index("[page 2]")
    assert doc.text.index("[page 2]") < doc.text.index("ebb and flood")


async def test_plain_text_is_kept_as_is(config: ResearchConfig, site: LocalSite) -> None:
    doc = await fetch(config, site.url("/fixtures/notes.txt"))
    assert isinstance(doc, Document)
    assert doc.text == "Plain text notes: the Fibonacci sequence starts 0, 1, 1, 2, 3, 5, 8."


async def test_script_built_page_needs_js(config: ResearchConfig, site: LocalSite) -> None:
    error = await fetch(config, site.url("/fixtures/js_article.html"))
    assert isinstance(error, ToolError)
    assert error.kind == "needs_js"
    assert "browse_page" in error.hint


@pytest.mark.parametrize(
    ("path", "kind", "is_retryable"),
    [
        ("/status/404", "not_found", False),
        ("/status/403", "forbidden", False),
        ("/status/429", "rate_limited", True),
        ("/status/500", "provider_down", True),
        ("/slow", "timeout", True),
        ("/big", "too_large", False),
        ("/image.png", "unsupported_type", False),
        ("/redirect-private", "blocked_by_policy", False),
        ("/loop/0", "blocked_by_policy", False),
    ],
)
async def test_every_failure_is_a_typed_error(
    config: ResearchConfig, site: LocalSite, path: str, kind: str, is_retryable: bool
) -> None:
    result = await fetch(config, site.url(path))
    assert isinstance(result, ToolError), result
    assert result.kind == kind, result
    assert result.is_retryable is is_retryable
    assert result.hint


async def test_private_redirect_is_refused_before_any_connection(config: ResearchConfig, site: LocalSite) -> None:
    transport = RecordingTransport()
    async with Fetcher(config, transport=transport) as fetcher:
        result = await fetcher.fetch(site.url("/redirect-private"))
    assert isinstance(result, ToolError) and result.kind == "blocked_by_policy"
    assert "10.0.0.1" in result.message
    assert transport.urls == [site.url("/redirect-private")]


async def test_redirect_limit_counts_hops(config: ResearchConfig, site: LocalSite) -> None:
    transport = RecordingTransport()
    async with Fetcher(config, transport=transport) as fetcher:
        result = await fetcher.fetch(site.url("/loop/0"))
    assert isinstance(result, ToolError) and "more than 3" in result.message
    assert len(transport.urls) == config.fetch_max_redirects + 1


async def test_loopback_is_refused_without_allow_hosts(site: LocalSite) -> None:
    result = await fetch(ResearchConfig(), site.url("/fixtures/notes.txt"))
    assert isinstance(result, ToolError) and result.kind == "blocked_by_policy"


async def test_connection_refused_is_a_network_error(config: ResearchConfig) -> None:
    result = await fetch(config, "http://127.0.0.1:9/nothing-listens-here")
    assert isinstance(result, ToolError) and result.kind == "network"


async def test_injected_transport_replaces_the_network(config: ResearchConfig) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/plain"}, content=b"from the mock")

    async with Fetcher(config, transport=httpx.MockTransport(answer)) as fetcher:
        doc = await fetcher.fetch("http://127.0.0.1/anything")
    assert isinstance(doc, Document) and doc.text == "from the mock"
