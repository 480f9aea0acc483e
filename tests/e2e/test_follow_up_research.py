"""A follow-up on real parts: the embedded model, the bundled encyclopedia, real chromadb, a page on 127.0.0.1.

The earlier run reads a static page on octopus camouflage (fetched once, kept in the page cache) and
encyclopedia articles. The follow-up, on squid and cuttlefish, reuses the earlier run's verified findings
and sources, reads the page again only from the page cache (no second request reaches the site),
researches the new part in the encyclopedia, and its report cites sources of both runs, every citation
verified against the text stored with the follow-up run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deepresearch.api import aresearch
from deepresearch.config import load_config
from deepresearch.progress import EventRecorder
from deepresearch.reports import run_dir_for, run_parent
from deepresearch.review import verify_report
from tests.tools.local_site import LocalSite

pytestmark = pytest.mark.slow

ARTICLE = "/fixtures/octopus_article.html"


@pytest.fixture
def octopus_web() -> Iterator[LocalSite]:
    site = LocalSite().start()
    result = {"url": site.url(ARTICLE), "title": "Octopus camouflage", "content": "chromatophores and colour"}
    site.api_responses["/searxng/search"] = (200, {"query": "octopus", "results": [result]})
    yield site
    site.stop()


async def test_a_follow_up_reuses_sources_without_fetching_them_again_and_cites_old_and_new(
    octopus_web: LocalSite, encyclopedia_library: Path
) -> None:
    config = load_config(
        clarify=False,
        library_dir=encyclopedia_library,
        search_providers=["searxng", "local"],
        searxng_url=octopus_web.url("/searxng"),
        allow_hosts=["127.0.0.1"],
    )
    first = await aresearch("How does the common octopus change colour?", config=config)
    assert first.citations, first.markdown
    article = octopus_web.url(ARTICLE)
    reads_of_article = [r for r in octopus_web.requests if r.path == ARTICLE]
    assert len(reads_of_article) == 1

    recorder = EventRecorder()
    second = await aresearch(
        "Do squid and cuttlefish change colour the same way?",
        config=config,
        follow_up=first.run_id,
        on_event=recorder,
    )

    assert [r for r in octopus_web.requests if r.path == ARTICLE] == reads_of_article, "no re-fetch"
    hits = [e for e in recorder.events if e.kind == "cache.hit" and e.data.get("url") == article]
    misses = [e for e in recorder.events if e.kind == "cache.miss" and e.data.get("url") == article]
    assert hits and not misses, "the page comes from the page cache"
    reused = next(e for e in recorder.events if e.kind == "follow_up.reused")
    assert reused.data["claims"] >= 1 and reused.data["sources"] >= 1

    earlier_sources = {c.source_id for c in first.citations}
    cited = {c.source_id for c in second.citations}
    assert cited & earlier_sources, ("no earlier source cited", second.markdown)
    assert cited - earlier_sources, ("no new source cited", second.markdown)
    folder = run_dir_for(config, second.run_id)
    checks = verify_report(folder, second)
    assert checks and all(check.is_verified for check in checks), [(c.citation.url, c.verdict) for c in checks]
    assert run_parent(folder) == first.run_id
    assert f"Follow-up of run {first.run_id}" in second.markdown
