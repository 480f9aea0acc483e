"""Fixtures for the tool tests: the local site, and settings that allow 127.0.0.1 explicitly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deepresearch.config import ResearchConfig
from tests.tools.local_site import PYTHON_DOCS, LocalSite


@pytest.fixture(scope="session")
def site() -> Iterator[LocalSite]:
    local_site = LocalSite().start()
    yield local_site
    local_site.stop()


@pytest.fixture
def fresh_site(site: LocalSite) -> LocalSite:
    """The shared site with this test's API answers and request log reset."""
    site.api_responses.clear()
    site.requests.clear()
    return site


@pytest.fixture
def config() -> ResearchConfig:
    return ResearchConfig(
        allow_hosts=["127.0.0.1"],
        fetch_timeout_s=1.0,
        fetch_max_bytes=100_000,
        fetch_max_redirects=3,
        search_cooldown_s=60.0,
        browser_timeout_s=15.0,
        page_chars=800,
        max_pages=3,
    )


@pytest.fixture
def python_docs() -> None:
    if not (PYTHON_DOCS / "library" / "contextvars.html").is_file():
        pytest.skip("Debian's python3.11-doc is not installed (apt-get install python3.11-doc)")
