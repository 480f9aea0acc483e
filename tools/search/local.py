"""The local corpus as a search provider slot.

The corpus itself (BM25 + embeddings over the user's documents and the offline Wikipedia summaries) is
built in `memory/`; tools only know it through `LocalCorpus`, so this package never imports `memory`.
"""

from __future__ import annotations

from typing import Protocol

from deepresearch.schemas import Document, SearchHit
from tools.search.base import TimeRange


class LocalCorpus(Protocol):
    """What tools need from the local corpus: search it, and open one of its documents."""

    async def search(self, query: str, *, max_results: int) -> list[SearchHit]: ...

    async def open(self, doc_id: str) -> Document | None:
        """The document behind a hit's `url` (a corpus id), or None if the corpus has no such id."""
        ...


class LocalCorpusProvider:
    """Adapts a `LocalCorpus` to the provider interface; time range and language do not apply."""

    name = "local"

    def __init__(self, corpus: LocalCorpus) -> None:
        self._corpus = corpus

    async def search(
        self,
        query: str,
        *,
        max_results: int,
        time_range: TimeRange | None = None,
        language: str | None = None,
    ) -> list[SearchHit]:
        hits = await self._corpus.search(query, max_results=max_results)
        return [
            hit.model_copy(update={"provider": hit.provider or self.name, "rank": rank})
            for rank, hit in enumerate(hits[:max_results], start=1)
        ]
