"""The `search_local` provider: hybrid search over the user's documents and the bundled encyclopedia.

`LocalSearch` has the shape the tools layer expects of a search provider —
`async search(query, *, max_results, time_range=None, language=None) -> list[SearchHit]` — plus
`async open(locator) -> Document | None` for fetching a hit and `owns(locator)` so a fetch tool can route a
locator here instead of the web. Hit URLs are what `open` accepts and what the opened `Document` carries
as its `url` (so the source id is the same either way): `local:docs/<relative path>` for the user's
files, the article's Wikipedia URL for the encyclopedia. Work runs in a thread (`asyncio.to_thread`);
the underlying stores are synchronous.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from deepresearch.config import ResearchConfig
from deepresearch.schemas import Document, SearchHit
from memory.corpus import DOCUMENTS_FILE, IndexReport, LocalCorpus, RankedDocument
from memory.document_store import document_key
from memory.encyclopedia import CORPUS_NAME as ENCYCLOPEDIA
from memory.encyclopedia import open_encyclopedia
from memory.readers import UnreadableFile, file_hash, iter_supported_files, local_id, read_file

DOCS_CORPUS = "docs"
PROVIDER = "local"
SNIPPET_CHARS = 300


def _relative_name(root: Path, path: Path) -> str:
    """A file's name in the corpus: `<folder name>/<path inside it>`, or the file name for a file root.

    The folder's own name is always part of it, so folders indexed at different times never collide.
    """
    return f"{root.name}/{path.relative_to(root).as_posix()}" if root.is_dir() else path.name


def _is_under(locator: str, corpus: str, roots: Sequence[Path]) -> bool:
    for root in roots:
        if root.is_dir() and locator.startswith(local_id(corpus, f"{root.name}/")):
            return True
        if not root.is_dir() and locator == local_id(corpus, root.name):
            return True
    return False


def index_folders(corpus: LocalCorpus, roots: Sequence[Path]) -> IndexReport:
    """Bring the part of `corpus` that comes from `roots` in step with the supported files under them.

    New and changed files (by content hash of their bytes) are read and indexed, unchanged ones are not
    even read, and documents from these roots whose file is gone are removed; documents indexed from
    other folders are left alone. Unreadable files are listed in `skipped`.
    """
    known = corpus.known_hashes()
    present: set[str] = set()
    changed: list[Document] = []
    skipped: list[str] = []
    unchanged = 0
    for root in roots:
        for path in iter_supported_files(root):
            relative = _relative_name(root, path)
            locator = local_id(corpus.name, relative)
            key = document_key(locator)
            present.add(key)
            digest = file_hash(path)
            if known.get(key) == digest:
                unchanged += 1
                continue
            try:
                changed.append(read_file(path, corpus=corpus.name, relative_path=relative, content_hash=digest))
            except UnreadableFile as exc:
                skipped.append(str(exc))
    report = corpus.index(changed)
    report.unchanged += unchanged
    report.skipped.extend(skipped)
    known_urls = corpus.known_urls()
    gone = [key for key, url in known_urls.items() if key not in present and _is_under(url, corpus.name, roots)]
    report.removed = corpus.remove(gone)
    return report


def open_docs_corpus(config: ResearchConfig) -> LocalCorpus:
    """The corpus of your own documents in the library directory."""
    return LocalCorpus.from_config(config, DOCS_CORPUS)


def index_configured_docs(config: ResearchConfig) -> IndexReport:
    """Index the folders and files named by `docs_paths` into the `docs` corpus."""
    roots = [Path(p).expanduser().resolve() for p in config.docs_paths]
    return index_folders(open_docs_corpus(config), roots)


def is_built(config: ResearchConfig, corpus: str) -> bool:
    """Whether the named corpus (`docs` or `encyclopedia`) has been indexed in the library directory."""
    return (config.library_path / corpus / DOCUMENTS_FILE).exists()


def _hit(ranked: RankedDocument, rank: int) -> SearchHit:
    snippet = " ".join(ranked.best_chunk.text.split())
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return SearchHit(url=ranked.url, title=ranked.title, snippet=snippet, provider=PROVIDER, rank=rank)


class LocalSearch:
    """Search over several local corpora at once; results are merged by fused score."""

    def __init__(self, corpora: Sequence[LocalCorpus], missing: Sequence[str] = ()) -> None:
        self.corpora = list(corpora)
        # Corpora the settings ask for that have not been built: worth telling the person, not fatal.
        self.missing = list(missing)

    @classmethod
    def from_config(cls, config: ResearchConfig) -> LocalSearch:
        """The user's documents (if indexed) and, unless disabled, the encyclopedia (if built).

        Nothing is built here (the encyclopedia takes minutes): `python -m memory.setup` builds both.
        Configured corpora that are not built yet are named in `missing`.
        """
        corpora: list[LocalCorpus] = []
        missing: list[str] = []
        if is_built(config, DOCS_CORPUS):
            corpora.append(open_docs_corpus(config))
        elif config.docs_paths:
            missing.append(DOCS_CORPUS)
        if config.encyclopedia:
            if is_built(config, ENCYCLOPEDIA):
                corpora.append(open_encyclopedia(config))
            else:
                missing.append(ENCYCLOPEDIA)
        return cls(corpora, missing)

    def search_sync(self, query: str, max_results: int) -> list[SearchHit]:
        ranked: list[RankedDocument] = []
        for corpus in self.corpora:
            ranked.extend(corpus.search(query, limit=max_results))
        ranked.sort(key=lambda r: r.score, reverse=True)
        return [_hit(r, rank) for rank, r in enumerate(ranked[:max_results], start=1)]

    async def search(
        self, query: str, *, max_results: int, time_range: str | None = None, language: str | None = None
    ) -> list[SearchHit]:
        """Hybrid search; `time_range` and `language` are accepted for the provider protocol and ignored
        (local documents carry no reliable dates, and the bundled corpus is English)."""
        return await asyncio.to_thread(self.search_sync, query, max_results)

    def owns(self, locator: str) -> bool:
        """Whether some local corpus holds this locator (a `local:` id or an indexed URL)."""
        return self.open_sync(locator) is not None

    def open_sync(self, locator: str) -> Document | None:
        for corpus in self.corpora:
            doc = corpus.open(locator)
            if doc is not None:
                return doc
        return None

    async def open(self, locator: str) -> Document | None:
        """The document behind a hit's `url` (a `local:` id or an encyclopedia article's Wikipedia URL),
        exactly as indexed; None if no local corpus holds it (then it is a web page to fetch)."""
        return await asyncio.to_thread(self.open_sync, locator)
