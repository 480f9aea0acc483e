from __future__ import annotations

from pathlib import Path

import pytest

from deepresearch.config import ResearchConfig
from deepresearch.schemas import Source
from memory.local_search import LocalSearch, index_configured_docs, index_folders, open_docs_corpus

FILES = {
    "notes/volcanoes.md": "# Volcanoes\n\nBasalt forms when lava from a volcano cools quickly at the surface.\n",
    "notes/bees.txt": "Honey bees communicate the direction of flowers with a waggle dance.\n",
    "pages/tea.html": (
        "<html><head><title>Green tea</title></head><body><article><h1>Green tea</h1>"
        "<p>Green tea is made from Camellia sinensis leaves that are not oxidised during processing, "
        "which keeps them green and gives the drink its grassy taste. It is popular in China and Japan, "
        "where it has been drunk for many centuries and is often served without milk or sugar.</p>"
        "</article></body></html>"
    ),
    "broken.pdf": "this is not a pdf",
    "ignored.bin": "binary",
}


@pytest.fixture
def docs_config(tmp_path: Path) -> ResearchConfig:
    root = tmp_path / "docs"
    for relative, content in FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content, encoding="utf-8")
    return ResearchConfig(data_dir=tmp_path / "data", docs_paths=[str(root)], encyclopedia=False)


async def test_indexes_a_folder_and_opens_hits_as_documents(docs_config: ResearchConfig) -> None:
    report = index_configured_docs(docs_config)
    assert (report.added, report.unchanged) == (3, 0)
    assert len(report.skipped) == 1 and "broken.pdf" in report.skipped[0]

    search = LocalSearch.from_config(docs_config)
    hits = await search.search("how do bees tell each other where flowers are", max_results=2)
    assert hits[0].url == "local:docs/docs/notes/bees.txt"
    assert hits[0].provider == "local" and hits[0].rank == 1
    assert "waggle" in hits[0].snippet
    assert all(not hit.url.startswith("file:") for hit in hits)

    doc = await search.open(hits[0].url)
    assert doc is not None
    assert doc.text == FILES["notes/bees.txt"]
    assert Source.from_document(doc, kind="local").id == doc.source_id
    html = await search.open("local:docs/docs/pages/tea.html")
    assert html is not None
    assert html.title == "Green tea" and "Camellia sinensis" in html.text
    assert await search.open("local:docs/docs/missing.md") is None
    assert await search.open("https://example.org/not-local") is None


def test_reindexing_is_incremental(docs_config: ResearchConfig) -> None:
    index_configured_docs(docs_config)
    again = index_configured_docs(docs_config)
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 3, 0)

    root = Path(docs_config.docs_paths[0])
    (root / "notes/bees.txt").write_text("Bumblebees can fly in cold weather.\n", encoding="utf-8")
    (root / "notes/volcanoes.md").unlink()
    changed = index_configured_docs(docs_config)
    assert (changed.added, changed.updated, changed.unchanged, changed.removed) == (0, 1, 1, 1)

    corpus = open_docs_corpus(docs_config)
    assert corpus.count() == 2
    [best, *_] = corpus.search("bumblebees in cold weather", limit=5)
    assert best.url == "local:docs/docs/notes/bees.txt"
    assert all("Basalt" not in r.best_chunk.text for r in corpus.search("basalt lava volcano", limit=5))


@pytest.mark.parametrize("mode", ["bm25", "embedding", "hybrid"])
def test_every_retrieval_mode_finds_the_obvious_document(docs_config: ResearchConfig, mode: str) -> None:
    index_configured_docs(docs_config)
    corpus = open_docs_corpus(docs_config)
    [best, *_] = corpus.search("basalt lava volcano", limit=3, mode=mode)  # type: ignore[arg-type]
    assert best.url == "local:docs/docs/notes/volcanoes.md"
    assert best.best_chunk.text in FILES["notes/volcanoes.md"]


def test_unbuilt_corpora_are_reported_not_built_on_the_fly(tmp_path: Path) -> None:
    config = ResearchConfig(data_dir=tmp_path, library_dir=tmp_path / "empty", docs_paths=[str(tmp_path)])
    search = LocalSearch.from_config(config)
    assert search.corpora == []
    assert search.missing == ["docs", "encyclopedia"]


def test_indexing_another_folder_keeps_the_first(docs_config: ResearchConfig, tmp_path: Path) -> None:
    index_configured_docs(docs_config)
    other = tmp_path / "other"
    other.mkdir()
    (other / "bees.txt").write_text("Wasps build paper nests from chewed wood.\n", encoding="utf-8")
    corpus = open_docs_corpus(docs_config)
    report = index_folders(corpus, [other])
    assert (report.added, report.removed) == (1, 0)
    assert corpus.count() == 4, "the first folder's three documents stay"
    urls = {r.url for r in corpus.search("bees wasps nests", limit=5)}
    assert {"local:docs/other/bees.txt", "local:docs/docs/notes/bees.txt"} <= urls
