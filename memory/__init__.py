"""Memory and the local corpus: offline embeddings, chromadb stores, per-agent memory, page cache.

What other layers use:
- `Embedder` / `shared_embedder` (`memory.embeddings`): normalised all-MiniLM-L6-v2 vectors, offline;
  `Embedder.similarities(sentence, passages)` is the verifier's semantic support score.
- `make_client` / `client_for` (`memory.store`): the chroma client (embedded, or a Chroma server).
- `RunMemory`, `AgentMemory`, `SourceRegistry` (`memory.agent_memory`): per-agent recall, shared sources.
- `PageCache` (`memory.page_cache`): URL → extracted Document, with a TTL and hit/miss counters.
- `LocalSearch` (`memory.local_search`): the `search_local` provider over the user's documents and the
  bundled encyclopedia; `open(locator)` returns the indexed `Document` (None if not local).

Names are imported lazily: importing `memory` does not load chromadb or onnxruntime, which keeps the
CLI's start-up fast. Importing it does switch their telemetry off (`memory.no_telemetry`), first.
"""

from __future__ import annotations

import importlib
from typing import Any

from memory.no_telemetry import switch_off_telemetry

switch_off_telemetry()

_EXPORTS = {
    "Embedder": "memory.embeddings",
    "shared_embedder": "memory.embeddings",
    "cosine_similarity": "memory.embeddings",
    "MiniLMEmbeddingFunction": "memory.embeddings",
    "make_client": "memory.store",
    "client_for": "memory.store",
    "RunMemory": "memory.agent_memory",
    "AgentMemory": "memory.agent_memory",
    "SourceRegistry": "memory.agent_memory",
    "PageCache": "memory.page_cache",
    "LocalCorpus": "memory.corpus",
    "LocalSearch": "memory.local_search",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'memory' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
