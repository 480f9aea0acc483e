"""Fixtures for memory tests: the prebuilt encyclopedia index is found once per session and reused.

Building the encyclopedia index embeds 10,033 articles (minutes on 2 cores), so tests never build it per
test. `python -m memory.setup` builds it at install time into the library directory (DEEPRESEARCH_LIBRARY_DIR,
else <data dir>/library); CI may point elsewhere with DEEPRESEARCH_TEST_LIBRARY_DIR. Only if none holds a
built index does the session build one itself (once, in a session temp dir: minutes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepresearch.config import ResearchConfig, default_data_dir

ENCYCLOPEDIA_MIN_ARTICLES = 10_000


def _has_built_encyclopedia(library: Path) -> bool:
    from memory.document_store import DocumentStore

    path = library / "encyclopedia" / "documents.sqlite"
    return path.exists() and DocumentStore(path).count() >= ENCYCLOPEDIA_MIN_ARTICLES


@pytest.fixture(scope="session")
def encyclopedia_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library directory holding the full, built encyclopedia index."""
    # Session fixtures are set up before the per-test environment reset, so these are the real values.
    data_dir = os.environ.get("DEEPRESEARCH_DATA_DIR")
    candidates = [
        os.environ.get("DEEPRESEARCH_TEST_LIBRARY_DIR"),
        os.environ.get("DEEPRESEARCH_LIBRARY_DIR"),
        str(Path(data_dir) / "library") if data_dir else None,
        str(default_data_dir() / "library"),
    ]
    for candidate in filter(None, candidates):
        if _has_built_encyclopedia(Path(candidate)):
            return Path(candidate)
    from memory.encyclopedia import build_encyclopedia

    library = tmp_path_factory.mktemp("library")
    build_encyclopedia(ResearchConfig(library_dir=library))
    return library


@pytest.fixture
def encyclopedia_config(encyclopedia_library: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ResearchConfig]:
    """Settings whose library is the prebuilt encyclopedia (the data dir stays the test's own)."""
    monkeypatch.setenv("DEEPRESEARCH_LIBRARY_DIR", str(encyclopedia_library))
    yield ResearchConfig()
