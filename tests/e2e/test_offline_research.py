"""A real offline research run: the embedded model, the bundled encyclopedia, real chromadb and real
Chromium, no scripted part anywhere. The only web is two local pages on 127.0.0.1, found through a
SearXNG-format search endpoint: one whose text is built by JavaScript and answers the question, and one
that shares the question's word "colour" but is about carrots. The rest of the evidence is the encyclopedia.

SmolLM2-135M is weak: this shows that the system still reads real sources (through the browser when a
page needs it), leaves out the page that only shares a word, and writes a report whose every citation
checks out against the stored text and bears on the question, with the same figures `reports verify` gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deepresearch.api import aresearch
from deepresearch.config import load_config
from deepresearch.progress import EventRecorder
from deepresearch.reports import run_dir_for
from deepresearch.review import rescore, verify_report
from tests.tools.local_site import LocalSite

pytestmark = pytest.mark.slow


@pytest.fixture
def js_page_web() -> Iterator[LocalSite]:
    site = LocalSite().start()
    results = [
        {"url": site.url("/fixtures/js_article.html"), "title": "Octopus camouflage", "content": "colour"},
        {"url": site.url("/fixtures/carrot_colour.html"), "title": "Why carrots are orange", "content": "colour"},
    ]
    site.api_responses["/searxng/search"] = (200, {"query": "octopus", "results": results})
    yield site
    site.stop()


async def test_offline_run_on_real_parts_cites_what_it_read(js_page_web: LocalSite, encyclopedia_library: Path) -> None:
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

    carrots = js_page_web.url("/fixtures/carrot_colour.html")
    read = [e.data.get("url") for e in recorder.events if e.kind == "source.found"]
    assert carrots in read and carrots not in [c.url for c in report.citations], "read, and not evidence"
    floor = config.relevance_floor
    assert report.relevance_score is not None and report.lowest_relevance is not None
    assert report.lowest_relevance >= floor and all((c.relevance or 0) >= floor for c in report.citations)
    again = rescore(report)
    assert (again.support, again.relevance) == (report.support_score, report.relevance_score), "one verification"
