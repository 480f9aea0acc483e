"""A persistent URL → extracted `Document` cache shared by every agent and every run.

A second agent (or a re-run) that wants a page another one already fetched gets the stored extraction
instead of going to the network again, as long as the entry is younger than the TTL
(`page_cache_ttl_s`; 0 disables reuse). Keys are normalized URLs (`normalize_url`), so tracking
parameters and fragments do not defeat the cache; a document is stored under both its requested and
its final (post-redirect) URL. Hits and misses are counted for the run's usage and emitted as
`cache.hit` / `cache.miss` progress events.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deepresearch.config import ResearchConfig
from deepresearch.progress import Event, EventSink, ignore_event
from deepresearch.schemas import Document, normalize_url

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    stored_at REAL NOT NULL,
    document TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class CacheStats:
    hits: int = 0
    misses: int = 0


class PageCache:
    def __init__(
        self,
        path: Path,
        *,
        ttl_s: float,
        emit: EventSink = ignore_event,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.ttl_s = ttl_s
        self._emit = emit
        self._clock = clock
        self._hits = 0
        self._misses = 0
        self._counter_lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @classmethod
    def from_config(cls, config: ResearchConfig, emit: EventSink = ignore_event) -> PageCache:
        return cls(config.data_dir / "page_cache.sqlite", ttl_s=config.page_cache_ttl_s, emit=emit)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    @property
    def stats(self) -> CacheStats:
        with self._counter_lock:
            return CacheStats(hits=self._hits, misses=self._misses)

    def _count(self, url: str, is_hit: bool) -> None:
        with self._counter_lock:
            if is_hit:
                self._hits += 1
            else:
                self._misses += 1
        self._emit(Event(kind="cache.hit" if is_hit else "cache.miss", data={"url": url}))

    def get_sync(self, url: str) -> Document | None:
        """The cached document for `url` if it is fresh; counts a hit or a miss."""
        with self._connect() as db:
            row = db.execute("SELECT stored_at, document FROM pages WHERE url = ?", (normalize_url(url),)).fetchone()
        is_fresh = row is not None and self.ttl_s > 0 and self._clock() - row[0] <= self.ttl_s
        self._count(url, is_fresh)
        return Document.model_validate_json(row[1]) if is_fresh and row is not None else None

    def put_sync(self, doc: Document) -> None:
        """Store `doc` under its URL and its final URL."""
        payload = doc.model_dump_json()
        now = self._clock()
        keys = {normalize_url(doc.url)} | ({normalize_url(doc.final_url)} if doc.final_url else set())
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO pages (url, stored_at, document) VALUES (?, ?, ?)",
                [(key, now, payload) for key in keys],
            )

    def purge_expired(self) -> int:
        """Delete entries older than the TTL; returns how many went."""
        with self._connect() as db:
            cursor = db.execute("DELETE FROM pages WHERE stored_at < ?", (self._clock() - self.ttl_s,))
            return cursor.rowcount

    async def get(self, url: str) -> Document | None:
        return await asyncio.to_thread(self.get_sync, url)

    async def put(self, doc: Document) -> None:
        await asyncio.to_thread(self.put_sync, doc)
