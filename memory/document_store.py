"""The text side of a corpus: documents and their chunks in SQLite, beside the chroma vectors.

Chroma holds chunk vectors; this table holds what a search hit must be able to open again — the full
text exactly as indexed, its title, URL, licence and content hash (the key of incremental re-indexing) —
and the chunk offsets that BM25 is rebuilt from. A connection is opened per operation so the store can
be used from worker threads (`asyncio.to_thread`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from deepresearch.schemas import Document, source_id_for
from memory.chunking import Chunk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    licence TEXT,
    published TEXT,
    author TEXT,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    doc_key TEXT NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_key);
"""


@dataclass(frozen=True)
class StoredChunk:
    id: str
    doc_key: str
    title: str
    start: int
    end: int
    text: str


def document_key(locator: str) -> str:
    """The key a document is stored under: its source id, so URL spelling variants find it too."""
    return source_id_for(locator)


def chunk_id(doc_key: str, ordinal: int) -> str:
    return f"{doc_key}:{ordinal}"


class DocumentStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            with db:
                yield db
        finally:
            db.close()

    def hashes(self) -> dict[str, str]:
        """Content hash of every stored document, by key."""
        with self._connect() as db:
            return dict(db.execute("SELECT key, content_hash FROM documents").fetchall())

    def urls(self) -> dict[str, str]:
        """URL (or local id) of every stored document, by key."""
        with self._connect() as db:
            return dict(db.execute("SELECT key, url FROM documents").fetchall())

    def put_many(self, entries: Sequence[tuple[Document, Sequence[Chunk]]]) -> None:
        """Store (or replace) documents and their chunks, in one transaction."""
        with self._connect() as db:
            for doc, chunks in entries:
                key = document_key(doc.url)
                db.execute("DELETE FROM documents WHERE key = ?", (key,))
                db.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        doc.url,
                        doc.title,
                        doc.text,
                        doc.content_hash,
                        doc.content_type,
                        doc.licence,
                        doc.published,
                        doc.author,
                        doc.fetched_at.isoformat(),
                    ),
                )
                db.executemany(
                    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
                    [(chunk_id(key, i), key, i, c.start, c.end, c.text) for i, c in enumerate(chunks)],
                )

    def chunk_ids_of(self, keys: Sequence[str]) -> list[str]:
        with self._connect() as db:
            return [
                row[0]
                for key in keys
                for row in db.execute("SELECT id FROM chunks WHERE doc_key = ?", (key,)).fetchall()
            ]

    def delete(self, keys: Sequence[str]) -> None:
        with self._connect() as db:
            db.executemany("DELETE FROM documents WHERE key = ?", [(k,) for k in keys])

    def get(self, locator: str) -> Document | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT url, title, text, content_hash, content_type, licence, published, author, fetched_at"
                " FROM documents WHERE key = ?",
                (document_key(locator),),
            ).fetchone()
        if row is None:
            return None
        url, title, text, content_hash, content_type, licence, published, author, fetched_at = row
        return Document(
            url=url,
            final_url=url,
            title=title,
            text=text,
            content_hash=content_hash,
            content_type=content_type,
            licence=licence,
            published=published,
            author=author,
            fetched_at=datetime.fromisoformat(fetched_at),
        )

    def all_chunks(self) -> list[StoredChunk]:
        """Every chunk with its document's title, in a stable order (the BM25 corpus)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.id, c.doc_key, d.title, c.start, c.end, c.text FROM chunks c"
                " JOIN documents d ON d.key = c.doc_key ORDER BY c.doc_key, c.ordinal"
            ).fetchall()
        return [StoredChunk(*row) for row in rows]

    def urls_by_key(self, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """(url, title) of the given documents."""
        with self._connect() as db:
            found: dict[str, tuple[str, str]] = {}
            for key in keys:
                row = db.execute("SELECT url, title FROM documents WHERE key = ?", (key,)).fetchone()
                if row is not None:
                    found[key] = (row[0], row[1])
        return found

    def count(self) -> int:
        with self._connect() as db:
            (n,) = db.execute("SELECT COUNT(*) FROM documents").fetchone()
        return int(n)
