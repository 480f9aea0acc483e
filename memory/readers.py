"""Read a user's files (Markdown, text, HTML, PDF) into `Document`s for the local corpus.

A file's document is identified by a `local:<corpus>/<relative path>` id — never a `file://` URL, so
reports do not leak absolute paths and fetch tools do not try to open the local disk. The content hash
is taken over the file's bytes, so an unchanged file is skipped before any text extraction happens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from deepresearch.schemas import Document

CONTENT_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".rst": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}


class UnreadableFile(Exception):
    """A file that yields no text (corrupt PDF, empty page); the indexer skips it and reports it."""


def local_id(corpus: str, relative_path: str) -> str:
    return f"local:{corpus}/{relative_path}"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def iter_supported_files(root: Path) -> Iterator[Path]:
    """Supported files under `root` (or `root` itself), in a stable order, hidden folders skipped."""
    if root.is_file():
        if root.suffix.lower() in CONTENT_TYPES:
            yield root
        return
    for path in sorted(root.rglob("*")):
        relative_parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in relative_parts):
            continue
        if path.is_file() and path.suffix.lower() in CONTENT_TYPES:
            yield path


def _html_text(raw: bytes) -> tuple[str, str]:
    import trafilatura

    html = raw.decode("utf-8", errors="replace")
    text = trafilatura.extract(html, include_comments=False, include_tables=True) or ""
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata is not None else None) or ""
    return text, title


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    except (PdfReadError, OSError, ValueError) as exc:
        raise UnreadableFile(f"{path.name}: {exc}") from exc


def _markdown_title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def read_file(path: Path, *, corpus: str, relative_path: str, content_hash: str = "") -> Document:
    """The document for one file; raises `UnreadableFile` if it holds no text."""
    suffix = path.suffix.lower()
    content_type = CONTENT_TYPES.get(suffix, "text/plain")
    raw = path.read_bytes()
    title = ""
    if suffix == ".pdf":
        text = _pdf_text(path)
    elif content_type == "text/html":
        text, title = _html_text(raw)
    else:
        text = raw.decode("utf-8", errors="replace")
        title = _markdown_title(text) if content_type == "text/markdown" else ""
    if not text.strip():
        raise UnreadableFile(f"{relative_path}: no text")
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Document(
        url=local_id(corpus, relative_path),
        final_url=local_id(corpus, relative_path),
        title=title or path.stem.replace("_", " ").replace("-", " "),
        text=text,
        fetched_at=modified,
        content_hash=content_hash or hashlib.sha256(raw).hexdigest(),
        content_type=content_type,
    )
