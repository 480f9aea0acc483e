"""The research cache: a finished run's findings and sources, reused by a later run on a close brief.

A run that found evidence stores its brief (embedded), its route and, per task, the findings with the
time they were researched, plus every source those findings cite and the text it was read as. A later
run looks up its own brief: the closest stored brief on the same corpus (same search providers, document
folders, encyclopedia and library) whose cosine similarity reaches `research_cache_similarity` is a hit.
Tasks researched longer than `research_cache_max_age_s` ago are stale: they are handed back separately
so the manager researches them again instead of reusing them. One SQLite file in the data dir; the
embedder is injected (the run's shared MiniLM in production, anything text → unit vector in tests).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from deepresearch.config import ResearchConfig
from deepresearch.schemas import Findings, ResearchTask, Source

Embed = Callable[[str], Any]  # text → 1-D unit vector (cosine similarity = dot product)

MAX_ENTRIES_SCANNED = 2000  # newest first; older entries are never read again and are pruned on store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    corpus_key TEXT NOT NULL,
    run_id TEXT NOT NULL,
    stored_at REAL NOT NULL,
    vector BLOB NOT NULL,
    entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_corpus ON runs (corpus_key, stored_at);
"""


class CachedTask(BaseModel):
    """One task of a finished run: what it set out to find, what it found and when."""

    run_id: str
    researched_at: datetime
    task: ResearchTask
    findings: Findings


class CacheEntry(BaseModel):
    """What a finished run leaves for later runs."""

    run_id: str
    brief: str
    kind: str = ""  # the route's question kind (agents.router.QuestionKind)
    reason: str = ""
    tasks: list[CachedTask] = Field(default_factory=list)
    sources: dict[str, Source] = Field(default_factory=dict)
    source_texts: dict[str, str] = Field(default_factory=dict)
    # The run's verified report body, cited by source id (`agents.citations.cite_by_source`), and its
    # checked short answer: served again, re-verified, when the very same brief comes back fresh.
    report_body: str = ""
    answer: str = ""


class CacheOrigin(BaseModel):
    """Where a reused task came from, kept in the run's state for the method section and the next store."""

    run_id: str
    researched_at: datetime
    similarity: float


@dataclass
class CacheHit:
    """The closest stored run: its fresh tasks to reuse and its stale ones to research again."""

    entry: CacheEntry
    similarity: float
    fresh: list[CachedTask] = field(default_factory=list)
    stale: list[CachedTask] = field(default_factory=list)


def corpus_key(config: ResearchConfig) -> str:
    """Findings are reusable only by a run that would search the same corpus."""
    corpus = {
        "search_providers": sorted(config.search_providers),
        "docs_paths": sorted(str(Path(p).expanduser().resolve()) for p in config.docs_paths),
        "encyclopedia": config.encyclopedia,
        "library": str(config.library_path.expanduser().resolve()),
    }
    return hashlib.sha256(json.dumps(corpus, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def age_text(seconds: float) -> str:
    """'45 s', '12 min', '3.5 h', '2.0 days'."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


class ResearchCache:
    """Stored runs keyed by brief embedding and corpus; thread-safe, each call opens its own connection."""

    def __init__(
        self,
        path: Path,
        *,
        embed: Embed,
        corpus: str,
        similarity: float,
        max_age_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.embed = embed
        self.corpus = corpus
        self.similarity = similarity
        self.max_age_s = max_age_s
        self.clock = clock
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @classmethod
    def from_config(cls, config: ResearchConfig, embed: Embed) -> ResearchCache:
        return cls(
            config.data_dir / "research_cache.sqlite",
            embed=embed,
            corpus=corpus_key(config),
            similarity=config.research_cache_similarity,
            max_age_s=config.research_cache_max_age_s,
        )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=30)
            try:
                with db:
                    yield db
            finally:
                db.close()

    def _vector(self, text: str) -> np.ndarray:
        vector = np.asarray(self.embed(text), dtype=np.float32).ravel()
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def lookup_sync(self, brief: str) -> CacheHit | None:
        """The closest stored run on this corpus at or above the similarity threshold with a fresh task."""
        query = self._vector(brief)
        with self._connect() as db:
            rows = db.execute(
                "SELECT vector, entry FROM runs WHERE corpus_key = ? ORDER BY stored_at DESC LIMIT ?",
                (self.corpus, MAX_ENTRIES_SCANNED),
            ).fetchall()
        now = self.clock()
        best: CacheHit | None = None
        for blob, payload in rows:  # newest first: an older run wins only with a strictly closer brief
            vector = np.frombuffer(blob, dtype=np.float32)
            if vector.shape != query.shape:
                continue
            score = float(vector @ query)
            if score < self.similarity or (best is not None and score <= best.similarity):
                continue
            entry = CacheEntry.model_validate_json(payload)
            fresh = [t for t in entry.tasks if now - t.researched_at.timestamp() <= self.max_age_s]
            if fresh:
                stale = [t for t in entry.tasks if t not in fresh]
                best = CacheHit(entry=entry, similarity=score, fresh=fresh, stale=stale)
        return best

    def store_sync(self, entry: CacheEntry) -> None:
        vector = self._vector(entry.brief)
        with self._connect() as db:
            db.execute(
                "INSERT INTO runs (corpus_key, run_id, stored_at, vector, entry) VALUES (?, ?, ?, ?, ?)",
                (self.corpus, entry.run_id, self.clock(), vector.tobytes(), entry.model_dump_json()),
            )
            db.execute(
                "DELETE FROM runs WHERE corpus_key = ? AND id NOT IN "
                "(SELECT id FROM runs WHERE corpus_key = ? ORDER BY stored_at DESC LIMIT ?)",
                (self.corpus, self.corpus, MAX_ENTRIES_SCANNED),
            )

    async def lookup(self, brief: str) -> CacheHit | None:
        return await asyncio.to_thread(self.lookup_sync, brief)

    async def store(self, entry: CacheEntry) -> None:
        await asyncio.to_thread(self.store_sync, entry)


def utc_from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
