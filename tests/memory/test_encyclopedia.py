from __future__ import annotations

from pathlib import Path

import pytest

from deepresearch.config import ResearchConfig
from deepresearch.schemas import Source
from memory.encyclopedia import LICENCE, build_encyclopedia, load_articles, open_encyclopedia, wikipedia_url
from memory.local_search import LocalSearch

PHOTOSYNTHESIS_URL = "https://en.wikipedia.org/wiki/Photosynthesis"


def test_wikipedia_urls_are_built_from_titles() -> None:
    assert wikipedia_url("Photosynthesis") == PHOTOSYNTHESIS_URL
    assert wikipedia_url("2001: A Space Odyssey") == "https://en.wikipedia.org/wiki/2001:_A_Space_Odyssey"
    assert wikipedia_url("AT&T") == "https://en.wikipedia.org/wiki/AT%26T"


def test_the_package_holds_the_vital_articles() -> None:
    articles = load_articles()
    assert len(articles) == 10_033
    assert {a.licence for a in articles} == {LICENCE}


def test_builds_offline_and_incrementally(tmp_path: Path) -> None:
    # The root conftest refuses every non-loopback connection, so this proves the build needs no network.
    articles = [a for a in load_articles() if a.title in {"Photosynthesis", "Volcano", "Honey bee", "Tea"}]
    config = ResearchConfig(library_dir=tmp_path / "library")
    first = build_encyclopedia(config, articles)
    assert first.added == len(articles) >= 3
    again = build_encyclopedia(config, articles)
    assert (again.added, again.unchanged) == (0, len(articles))
    [best, *_] = open_encyclopedia(config).search("how plants turn light into sugar", limit=3)
    assert best.url == PHOTOSYNTHESIS_URL


async def test_photosynthesis_query_finds_the_article_with_url_and_licence(
    encyclopedia_config: ResearchConfig,
) -> None:
    search = LocalSearch.from_config(encyclopedia_config)
    hits = await search.search("photosynthesis", max_results=5)
    assert hits[0].url == PHOTOSYNTHESIS_URL
    assert hits[0].title == "Photosynthesis" and hits[0].provider == "local"
    doc = await search.open(hits[0].url)
    assert doc is not None
    assert doc.licence == LICENCE == "CC BY-SA 4.0"
    assert Source.from_document(doc, kind="corpus").licence == LICENCE
    assert search.owns(PHOTOSYNTHESIS_URL)
    assert not search.owns("https://en.wikipedia.org/wiki/No_such_article_here")


@pytest.mark.parametrize(
    ("query", "title"),
    [("who painted the Mona Lisa", "Mona Lisa"), ("theory of general relativity", "General relativity")],
)
async def test_natural_questions_hit_the_right_article(
    encyclopedia_config: ResearchConfig, query: str, title: str
) -> None:
    hits = await LocalSearch.from_config(encyclopedia_config).search(query, max_results=5)
    assert title in [hit.title for hit in hits]
