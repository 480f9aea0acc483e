"""A searchable local corpus: chunks in chromadb (vectors) and SQLite (text), BM25 over the same chunks.

Retrieval is hybrid: BM25 (`bm25s` with the shared tokenizer of `deepresearch.text`, title prepended to each
chunk) and embedding search each produce a document ranking (a document ranks by its best chunk), fused by
reciprocal rank fusion. Embeddings are computed over "title + chunk" too, so a chunk that never repeats its article's
name still matches a query that names it. Indexing is incremental: a document whose content hash is
unchanged is skipped; a changed one has its old chunks replaced.

The BM25 index is rebuilt in memory from SQLite when first needed after a change (about a second for
the 10k-article encyclopedia), which avoids keeping a second on-disk index in step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from chromadb.api import ClientAPI

from deepresearch.config import ResearchConfig
from deepresearch.schemas import Document
from deepresearch.text import bm25_tokenize
from memory.chunking import chunk_text
from memory.document_store import DocumentStore, StoredChunk, chunk_id, document_key
from memory.embeddings import DEFAULT_BATCH_SIZE, MiniLMEmbeddingFunction
from memory.fusion import DEFAULT_RRF_K, first_occurrences, reciprocal_rank_fusion
from memory.store import collection_name, make_client, max_batch_size, open_collection, upsert_batched

RetrievalMode = Literal["hybrid", "bm25", "embedding"]

CANDIDATES_PER_RANKER = 50
INDEX_BATCH = 256


DOCUMENTS_FILE = "documents.sqlite"


@dataclass(frozen=True)
class RankedDocument:
    """One document in a result list, with the chunk that matched best."""

    key: str
    url: str
    title: str
    score: float
    best_chunk: StoredChunk


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FusionSettings:
    """How the two rankings are combined.

    The defaults are plain RRF (k=60, equal weights). On the HotpotQA bench they lift both-gold@10 from
    0.78 (BM25) to 0.88; `bench/retrieval.py --sweep` shows k from 5 to 100 and BM25 weights from 0.5 to 1
    all land between 0.88 and 0.92, so nothing here is fitted to those 60 questions.
    """

    rrf_k: int = DEFAULT_RRF_K
    bm25_weight: float = 1.0
    embedding_weight: float = 1.0


class _Bm25Index:
    def __init__(self, chunks: list[StoredChunk]) -> None:
        import bm25s

        self.chunks = chunks
        self._retriever = bm25s.BM25()
        self._retriever.index(bm25_tokenize(f"{c.title}\n{c.text}" for c in chunks), show_progress=False)

    def rank(self, query: str, limit: int) -> list[StoredChunk]:
        if not self.chunks:
            return []
        tokens = bm25_tokenize([query], return_ids=False)
        if not tokens[0]:
            return []
        ids, scores = self._retriever.retrieve(tokens, k=min(limit, len(self.chunks)), show_progress=False)
        return [self.chunks[int(i)] for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


_bm25_by_store: dict[Path, tuple[tuple[int, int], _Bm25Index]] = {}
_bm25_lock = threading.Lock()


def _shared_bm25(documents: DocumentStore) -> _Bm25Index:
    """One BM25 index per document store and process, rebuilt when the store's file changes.

    Every `LocalSearch` a run creates over the 10k-article encyclopedia would otherwise spend about a
    second rebuilding the same index.
    """
    stat = documents.path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    with _bm25_lock:
        cached = _bm25_by_store.get(documents.path)
        if cached is not None and cached[0] == version:
            return cached[1]
        index = _Bm25Index(documents.all_chunks())
        _bm25_by_store[documents.path] = (version, index)
        return index


class LocalCorpus:
    """One named corpus stored under `directory/<name>/` (or on a Chroma server when `client` is given)."""

    def __init__(
        self,
        name: str,
        directory: Path,
        *,
        client: ClientAPI | None = None,
        chunk_chars: int = 1000,
        chunk_overlap_chars: int = 150,
        embedding_batch_size: int = DEFAULT_BATCH_SIZE,
        fusion: FusionSettings | None = None,
    ) -> None:
        self.name = name
        self.directory = directory / name
        self.chunk_chars = chunk_chars
        self.chunk_overlap_chars = chunk_overlap_chars
        self.fusion = fusion or FusionSettings()
        self.documents = DocumentStore(self.directory / DOCUMENTS_FILE)
        self._client = client or make_client(self.directory / "chroma")
        self._embedding_function = MiniLMEmbeddingFunction(batch_size=embedding_batch_size)
        self._collection = open_collection(self._client, collection_name("corpus", name), self._embedding_function)
        self._bm25: _Bm25Index | None = None
        self._lock = threading.Lock()

    # -- indexing ---------------------------------------------------------------------------------

    @classmethod
    def from_config(cls, config: ResearchConfig, name: str) -> LocalCorpus:
        """The named corpus in the library directory (vectors on the Chroma server if one is configured)."""
        return cls(
            name,
            config.library_path,
            client=make_client(config.library_path / name / "chroma", config.chroma_url),
            chunk_chars=config.chunk_chars,
            chunk_overlap_chars=config.chunk_overlap_chars,
            embedding_batch_size=config.embedding_batch_size,
        )

    def index(self, docs: Iterable[Document]) -> IndexReport:
        """Add new documents, replace changed ones, skip those whose content hash is unchanged."""
        report = IndexReport()
        known = self.documents.hashes()
        pending: list[Document] = []
        seen: set[str] = set()
        for doc in docs:
            key = document_key(doc.url)
            if key in seen:  # the same document twice in one call: the first copy wins
                continue
            seen.add(key)
            if known.get(key) == doc.content_hash and doc.content_hash:
                report.unchanged += 1
                continue
            if key in known:
                report.updated += 1
                self._delete_keys([key])
            else:
                report.added += 1
            pending.append(doc)
            if len(pending) >= INDEX_BATCH:
                report.chunks += self._write(pending)
                pending = []
        report.chunks += self._write(pending)
        return report

    def known_hashes(self) -> dict[str, str]:
        """Content hash of every indexed document, by document key (`document_key(url)`)."""
        return self.documents.hashes()

    def known_urls(self) -> dict[str, str]:
        """URL (or local id) of every indexed document, by document key."""
        return self.documents.urls()

    def remove(self, keys: Sequence[str]) -> int:
        """Delete documents (by document key) and their chunks; returns how many were asked for."""
        self._delete_keys(list(keys))
        return len(keys)

    def _write(self, docs: Sequence[Document]) -> int:
        if not docs:
            return 0
        ids: list[str] = []
        texts: list[str] = []
        embed_texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        chunked = [(doc, chunk_text(doc.text, size=self.chunk_chars, overlap=self.chunk_overlap_chars)) for doc in docs]
        for doc, chunks in chunked:
            key = document_key(doc.url)
            for ordinal, chunk in enumerate(chunks):
                cid = chunk_id(key, ordinal)
                ids.append(cid)
                texts.append(chunk.text)
                embed_texts.append(f"{doc.title}\n{chunk.text}" if doc.title else chunk.text)
                metadatas.append({"doc_key": key, "start": chunk.start, "end": chunk.end})
        vectors = self._embedding_function.embedder.embed(embed_texts)
        upsert_batched(
            self._collection,
            ids,
            texts,
            metadatas,
            batch_size=max_batch_size(self._client),
            embeddings=vectors,
        )
        # Text goes in after the vectors: a build killed halfway leaves no document that looks indexed
        # (by its hash) but has no vectors, so the next run redoes it.
        self.documents.put_many(chunked)
        with self._lock:
            self._bm25 = None
        return len(ids)

    def _delete_keys(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        chunk_ids = self.documents.chunk_ids_of(keys)
        batch = max_batch_size(self._client)
        for start in range(0, len(chunk_ids), batch):
            self._collection.delete(ids=chunk_ids[start : start + batch])
        self.documents.delete(keys)
        with self._lock:
            self._bm25 = None

    # -- search -----------------------------------------------------------------------------------

    def _bm25_index(self) -> _Bm25Index:
        with self._lock:
            if self._bm25 is None:
                self._bm25 = _shared_bm25(self.documents)
            return self._bm25

    def warm_up(self) -> None:
        """Build the in-memory BM25 index now rather than on the first query."""
        self._bm25_index()

    def _embedding_ranking(self, query: str, limit: int) -> list[StoredChunk]:
        count = self._collection.count()
        if count == 0:
            return []
        result = self._collection.query(
            query_texts=[query], n_results=min(limit, count), include=["documents", "metadatas"]
        )
        ids = result["ids"][0]
        documents = (result.get("documents") or [[]])[0]
        metadatas = (result.get("metadatas") or [[]])[0]
        chunks = []
        for cid, text, raw_meta in zip(ids, documents, metadatas, strict=True):
            meta: dict[str, Any] = dict(raw_meta)
            chunks.append(
                StoredChunk(
                    id=cid,
                    doc_key=str(meta["doc_key"]),
                    title="",
                    start=int(meta["start"]),
                    end=int(meta["end"]),
                    text=text or "",
                )
            )
        return chunks

    def search(
        self, query: str, *, limit: int = 10, mode: RetrievalMode = "hybrid", candidates: int | None = None
    ) -> list[RankedDocument]:
        """Documents best matching `query`, best first, each with its best-matching chunk."""
        pool = max(candidates or CANDIDATES_PER_RANKER, limit)
        rankings: list[list[StoredChunk]] = []
        weights: list[float] = []
        if mode in ("hybrid", "bm25"):
            rankings.append(self._bm25_index().rank(query, pool))
            weights.append(self.fusion.bm25_weight)
        if mode in ("hybrid", "embedding"):
            rankings.append(self._embedding_ranking(query, pool))
            weights.append(self.fusion.embedding_weight)
        best_chunk: dict[str, StoredChunk] = {}
        doc_rankings: list[list[str]] = []
        for ranking in rankings:
            for chunk in ranking:
                best_chunk.setdefault(chunk.doc_key, chunk)
            doc_rankings.append(first_occurrences([chunk.doc_key for chunk in ranking]))
        fused = reciprocal_rank_fusion(doc_rankings, k=self.fusion.rrf_k, weights=weights)[:limit]
        described = self.documents.urls_by_key([key for key, _ in fused])
        return [
            RankedDocument(key, described[key][0], described[key][1], score, best_chunk[key])
            for key, score in fused
            if key in described
        ]

    def open(self, locator: str) -> Document | None:
        """The indexed document for a local id or URL, exactly as indexed; None if this corpus lacks it."""
        return self.documents.get(locator)

    def count(self) -> int:
        return self.documents.count()
