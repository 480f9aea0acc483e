"""A real offline research run: the embedded model, the bundled encyclopedia, real chromadb and real
Chromium, no scripted part anywhere. The only web is a local page on 127.0.0.1 whose text is built by
JavaScript, found through a SearXNG-format search endpoint; the rest of the evidence is the encyclopedia.

SmolLM2-135M is weak: this shows that the system still reads real sources (through the browser when a
page needs it) and writes a report whose every citation checks out against the stored text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deepresearch.api import aresearch
from deepresearch.config import load_config
from deepresearch.progress import EventRecorder
from deepresearch.reports import run_dir_for
from deepresearch.review import verify_report
from tests.tools.local_site import LocalSite

pytestmark = pytest.mark.slow


@pytest.fixture
def js_page_web() -> Iterator[LocalSite]:
    site = LocalSite().start()
    result = {"url": site.url("/fixtures/js_article.html"), "title": "Octopus camouflage", "content": "colour"}
    site.api_responses["/searxng/search"] = (200, {"query": "octopus", "results": [result]})
    yield site
    site.stop()


async def test_offline_run_on_real_parts_cites_what_it_read(
    js_page_web: LocalSite, encyclopedia_library: Path
) -> None:
    config = load_config(
        clarify=False,
        library_dir=encyclopedia_library,
        search_providers=["searxng", "local"],
        searxng_url=js_page_web.url("/searxng"),
        allow_hosts=["127.0.0.1"],
    )
    recorder = EventRecorder()
    report = await aresearch("How does the common octopus change colour?", config=config, on_event=recorder)

    assert not report.is_insufficient_evidence
    assert report.citations, report.markdown
    checks = verify_report(run_dir_for(config, report.run_id), report)
    verified = [check for check in checks if check.is_verified]
    assert verified, [(c.citation.url, c.verdict) for c in checks]
    read_ids = {source.id for source in report.sources}
    assert all(citation.source_id in read_ids for citation in report.citations), "a citation to an unread source"

    browsed = [e for e in recorder.events if e.kind == "researcher.action" and e.data.get("tool") == "browse_page"]
    assert browsed, "the JavaScript page was read in the real browser"
    js_url = js_page_web.url("/fixtures/js_article.html")
    assert any(c.url == js_url and "chromatophores" in c.passage for c in report.citations)
    assert any(c.url.startswith("https://en.wikipedia.org/wiki/") for c in report.citations)
