"""The chromadb side of memory: one client factory, valid collection names, batched writes.

By default chroma runs embedded (`PersistentClient`) in a directory under the data dir; when
`chroma_url` is set every collection lives on that Chroma server (`HttpClient`) instead. Telemetry is
always off. Every collection is created with our offline embedding function and cosine space, so a
collection reopened in another process embeds queries exactly as it embedded documents.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError
from memory.embeddings import MiniLMEmbeddingFunction

# chromadb's own limit is reported by the server (5,461 measured for the embedded one); stay under it.
FALLBACK_MAX_BATCH = 5000

_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9._-]+")

Metadata = Mapping[str, str | int | float | bool]


def _chroma_settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


def make_client(path: Path | None = None, chroma_url: str | None = None) -> ClientAPI:
    """An embedded client persisting in `path`, or an HTTP client for a Chroma server at `chroma_url`."""
    if chroma_url:
        parts = urlsplit(chroma_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigError(f"chroma_url must look like http://host:8000, not {chroma_url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 8000)
        try:
            return chromadb.HttpClient(
                host=parts.hostname, port=port, ssl=parts.scheme == "https", settings=_chroma_settings()
            )
        except ValueError as error:  # chromadb's "Could not connect to a Chroma server"
            raise ConfigError(f"the Chroma server at {chroma_url} (chroma_url) does not answer: {error}") from None
    if path is None:
        raise ConfigError("an embedded chroma store needs a directory")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


def client_for(config: ResearchConfig, subdir: str = "chroma") -> ClientAPI:
    """The run's memory store: the configured Chroma server, else `<data_dir>/<subdir>`."""
    return make_client(config.data_dir / subdir, config.chroma_url)


def collection_name(*parts: str) -> str:
    """A chromadb-valid name (3-512 chars of [a-zA-Z0-9._-], alphanumeric at both ends) for any parts.

    Readable where possible; a short hash keeps different inputs apart after cleaning.
    """
    raw = "-".join(parts)
    cleaned = _INVALID_NAME_CHARS.sub("-", raw).strip("-._")[:48].strip("-._")
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:10]
    return f"{cleaned}-{digest}" if cleaned else f"c-{digest}"


def open_collection(
    client: ClientAPI, name: str, embedding_function: MiniLMEmbeddingFunction | None = None
) -> Collection:
    """Get or create `name` with the offline embedding function and cosine distance."""
    return client.get_or_create_collection(
        name=name,
        embedding_function=embedding_function or MiniLMEmbeddingFunction(),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
    )


def max_batch_size(client: ClientAPI) -> int:
    """The largest add chromadb accepts in one call."""
    try:
        reported = int(client.get_max_batch_size())
    except (AttributeError, NotImplementedError):
        return FALLBACK_MAX_BATCH
    return max(1, min(reported, FALLBACK_MAX_BATCH))


def upsert_batched(
    collection: Collection,
    ids: Sequence[str],
    documents: Sequence[str],
    metadatas: Sequence[Metadata],
    *,
    batch_size: int,
    embeddings: Any = None,
) -> None:
    """Upsert in slices no larger than `batch_size` (chromadb rejects oversized batches)."""
    for start in range(0, len(ids), batch_size):
        end = start + batch_size
        collection.upsert(
            ids=list(ids[start:end]),
            documents=list(documents[start:end]),
            metadatas=[dict(m) for m in metadatas[start:end]],
            embeddings=None if embeddings is None else embeddings[start:end],
        )
