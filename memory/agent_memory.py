"""Per-agent memory within a run, and the run's shared source registry.

Each research agent remembers what it read (the chunks of every `Document` it opened, with the source id
and character offsets of each chunk) and what it concluded (notes), and recalls before it re-fetches.
A run has one chroma collection; every record carries its agent id, and every query filters on it, so
agents never see each other's memories — unless the manager hands notes over (`share_notes`). All
agents of a run register what they read in one `SourceRegistry`, and a source id depends only on the
normalized URL, so two agents reading the same page cite the same source.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from chromadb.api import ClientAPI

from deepresearch.config import ResearchConfig
from deepresearch.schemas import Document, Passage, Source, source_id_for
from memory.chunking import chunk_text
from memory.embeddings import DEFAULT_BATCH_SIZE, MiniLMEmbeddingFunction
from memory.store import client_for, collection_name, max_batch_size, open_collection, upsert_batched

SourceKind = Literal["web", "local", "corpus"]
NOTE_LOCATION = "note"


class SourceRegistry:
    """Every source the run has read, by id; shared by all agents (thread-safe)."""

    def __init__(self) -> None:
        self._sources: dict[str, Source] = {}
        self._lock = threading.Lock()

    def register(self, doc: Document, kind: SourceKind = "web") -> Source:
        """Record `doc` as a source (the first registration of an id wins) and return it."""
        with self._lock:
            existing = self._sources.get(doc.source_id)
            if existing is not None:
                return existing
            source = Source.from_document(doc, kind=kind)
            self._sources[source.id] = source
            return source

    def get(self, source_id: str) -> Source | None:
        with self._lock:
            return self._sources.get(source_id)

    def id_for(self, url: str) -> str:
        return source_id_for(url)

    def __contains__(self, source_id: object) -> bool:
        with self._lock:
            return source_id in self._sources

    def all(self) -> list[Source]:
        with self._lock:
            return list(self._sources.values())


@dataclass(frozen=True)
class Note:
    agent_id: str
    text: str
    source_ids: tuple[str, ...] = ()


class RunMemory:
    """The memories of one run: a namespace per agent in one collection, and the source registry."""

    def __init__(
        self,
        run_id: str,
        client: ClientAPI,
        *,
        chunk_chars: int = 1000,
        chunk_overlap_chars: int = 150,
        embedding_batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.run_id = run_id
        self.sources = SourceRegistry()
        self.chunk_chars = chunk_chars
        self.chunk_overlap_chars = chunk_overlap_chars
        self._client = client
        self.collection = open_collection(
            client, collection_name("run", run_id), MiniLMEmbeddingFunction(batch_size=embedding_batch_size)
        )

    @classmethod
    def from_config(cls, config: ResearchConfig, run_id: str) -> RunMemory:
        """The run's memory in the configured store (`<data dir>/chroma`, or the Chroma server)."""
        return cls(
            run_id,
            client_for(config),
            chunk_chars=config.chunk_chars,
            chunk_overlap_chars=config.chunk_overlap_chars,
            embedding_batch_size=config.embedding_batch_size,
        )

    def for_agent(self, agent_id: str) -> AgentMemory:
        return AgentMemory(self, agent_id)

    def notes_of(self, agent_id: str) -> list[Note]:
        """An agent's notes, for the manager to pass on."""
        result = self.collection.get(where={"$and": [{"agent_id": agent_id}, {"kind": "note"}]})
        metadatas = result.get("metadatas") or []
        documents = result.get("documents") or []
        return [
            Note(agent_id, text, tuple(filter(None, str(meta.get("source_ids", "")).split(","))))
            for text, meta in zip(documents, metadatas, strict=True)
        ]

    def upsert(self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        upsert_batched(self.collection, ids, texts, metadatas, batch_size=max_batch_size(self._client))


class AgentMemory:
    """One agent's view of the run memory: writes are tagged with its id, queries see only its records."""

    def __init__(self, run: RunMemory, agent_id: str) -> None:
        self.run = run
        self.agent_id = agent_id

    @property
    def sources(self) -> SourceRegistry:
        return self.run.sources

    def add_document_sync(self, doc: Document, kind: SourceKind = "web") -> Source:
        """Remember the chunks of a document this agent read; registers it as a run source."""
        source = self.run.sources.register(doc, kind)
        chunks = chunk_text(doc.text, size=self.run.chunk_chars, overlap=self.run.chunk_overlap_chars)
        ids = [f"{self.agent_id}:{source.id}:{i}" for i in range(len(chunks))]
        metadatas: list[dict[str, Any]] = [
            {
                "agent_id": self.agent_id,
                "kind": "chunk",
                "source_id": source.id,
                "start": chunk.start,
                "end": chunk.end,
                "title": doc.title,
                "url": doc.url,
            }
            for chunk in chunks
        ]
        # A page read again may have changed: drop this agent's old chunks of it first.
        self.run.collection.delete(
            where={"$and": [{"agent_id": self.agent_id}, {"source_id": source.id}, {"kind": "chunk"}]}
        )
        self.run.upsert(ids, [c.text for c in chunks], metadatas)
        return source

    def add_note_sync(self, text: str, source_ids: Sequence[str] = ()) -> None:
        """Remember a conclusion, optionally tied to the sources it rests on."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        metadata: dict[str, Any] = {
            "agent_id": self.agent_id,
            "kind": "note",
            "source_ids": ",".join(source_ids),
            "start": 0,
            "end": 0,
        }
        self.run.upsert([f"{self.agent_id}:note:{digest}"], [text], [metadata])

    def share_notes(self, notes: Sequence[Note]) -> None:
        """Receive notes another agent wrote (the manager decides who gets what)."""
        for note in notes:
            self.add_note_sync(f"[from {note.agent_id}] {note.text}", note.source_ids)

    def recall_sync(self, query: str, k: int = 5) -> list[Passage]:
        """This agent's most relevant memories. Chunks come back as exact spans of their source
        (`location` = URL); notes have `location == "note"` and the first source they cite, if any."""
        where: Any = {"agent_id": self.agent_id}
        total = len(self.run.collection.get(where=where, include=[])["ids"])
        if total == 0 or k <= 0:
            return []
        result = self.run.collection.query(
            query_texts=[query], n_results=min(k, total), where=where, include=["documents", "metadatas"]
        )
        documents = (result.get("documents") or [[]])[0]
        metadatas = (result.get("metadatas") or [[]])[0]
        return [_passage(text or "", dict(meta)) for text, meta in zip(documents, metadatas, strict=True)]

    async def add_document(self, doc: Document, kind: SourceKind = "web") -> Source:
        return await asyncio.to_thread(self.add_document_sync, doc, kind)

    async def add_note(self, text: str, source_ids: Sequence[str] = ()) -> None:
        await asyncio.to_thread(self.add_note_sync, text, source_ids)

    async def recall(self, query: str, k: int = 5) -> list[Passage]:
        return await asyncio.to_thread(self.recall_sync, query, k)


def _passage(text: str, meta: dict[str, Any]) -> Passage:
    if meta.get("kind") == "note":
        cited = [s for s in str(meta.get("source_ids", "")).split(",") if s]
        return Passage(source_id=cited[0] if cited else "", text=text, location=NOTE_LOCATION)
    return Passage(
        source_id=str(meta["source_id"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        location=str(meta.get("url", "")),
    )
