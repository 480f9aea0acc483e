"""Turning fetched bytes into a `Document`: one code path for fetch and the browser.

HTML goes through trafilatura (markdown, with title/author/date metadata; the date search runs without
htmldate's slow "extensive" mode), PDF through pypdf with a `[page N]` marker before each page's text,
plain text is kept as it is. The functions here are CPU-bound and synchronous; async callers run them in
a worker thread so one large page does not stall the event loop.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime
from typing import Any

import trafilatura
from charset_normalizer import is_binary
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PdfStreamError
from trafilatura.xml import xmltotxt

from deepresearch.errors import ToolError
from deepresearch.schemas import Document, utc_now

# Fast date extraction: look at metadata and the usual markup, not at every text node.
DATE_EXTRACTION_PARAMS: dict[str, Any] = {"extensive_search": False, "original_date": True}

# Below this many characters of extracted text a page counts as "nearly empty".
NEARLY_EMPTY_CHARS = 200
# A page is script-heavy when inline scripts make up this share of its HTML, or it loads this many
# external scripts.
SCRIPT_SHARE_THRESHOLD = 0.25
EXTERNAL_SCRIPTS_THRESHOLD = 3

# How much of a body decides whether it is text at all (charset_normalizer's verdict on 16 KB takes ~1 ms).
BINARY_SAMPLE_BYTES = 16_384

_SCRIPT_BLOCK = re.compile(rb"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_SCRIPT = re.compile(rb"<script\b[^>]*\bsrc\s*=", re.IGNORECASE)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown", "text/csv"})
_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})


def media_type_of(content_type: str) -> str:
    """`text/html; charset=utf-8` → `text/html`."""
    return content_type.split(";", 1)[0].strip().lower()


def charset_of(content_type: str, default: str = "utf-8") -> str:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else default


def sniff_media_type(body: bytes) -> str:
    """A guess for responses that name no type (or a generic one)."""
    head = body[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "application/pdf"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "text/html"
    return "application/octet-stream"


def content_hash_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_script_heavy(html: bytes) -> bool:
    """True when the page looks built by JavaScript: lots of inline script, or many script loads."""
    if not html:
        return False
    inline_chars = sum(len(match.group(1)) for match in _SCRIPT_BLOCK.finditer(html))
    external_count = len(_EXTERNAL_SCRIPT.findall(html))
    return inline_chars >= SCRIPT_SHARE_THRESHOLD * len(html) or external_count >= EXTERNAL_SCRIPTS_THRESHOLD


def binary_refusal(url: str, media_type: str, body: bytes) -> ToolError | None:
    """An error when a body declared as text is not text (random bytes served as text/html), else None.

    Caught before extraction: decoding such a body "works" and yields a document of U+FFFD characters.
    """
    if not body or not is_binary(body[:BINARY_SAMPLE_BYTES]):
        return None
    return ToolError(
        kind="unsupported_type",
        message=f"{url} is declared as {media_type} but its content is binary, not text",
        hint="The server sent something that is not a readable page; try another result.",
    )


def _needs_js(url: str) -> ToolError:
    return ToolError(
        kind="needs_js",
        message=f"{url} has almost no text without JavaScript",
        is_retryable=False,
        hint="This page builds its text with JavaScript; call browse_page with the same URL.",
        next_tool="browse_page",
    )


def _empty(url: str, what: str) -> ToolError:
    return ToolError(
        kind="empty_content",
        message=f"no readable text in {url} ({what})",
        is_retryable=False,
        hint="The page has no extractable text; try another result.",
    )


def extract_html(url: str, html: bytes | str, *, check_js: bool = True) -> tuple[str, dict[str, str]] | ToolError:
    """Main text as markdown plus metadata (`title`, `author`, `date`), or an error.

    With `check_js`, a nearly empty extraction from a script-heavy page gives `needs_js`; the browser
    passes `check_js=False` because it already ran the scripts.
    """
    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        output_format="markdown",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=DATE_EXTRACTION_PARAMS,
    )
    text = ""
    metadata: dict[str, str] = {}
    if extracted is not None and not isinstance(extracted, dict) and extracted.body is not None:
        text = xmltotxt(extracted.body, True).strip()
        for field in ("title", "author", "date"):
            value = getattr(extracted, field, None)
            if value:
                metadata[field] = str(value).replace("¶", "").strip()
    if len(text) < NEARLY_EMPTY_CHARS:
        raw = html.encode("utf-8", "replace") if isinstance(html, str) else html
        if check_js and is_script_heavy(raw):
            return _needs_js(url)
        if not text:
            return _empty(url, "HTML")
    return text, metadata


def extract_pdf(url: str, body: bytes) -> str | ToolError:
    """Text of every page, each preceded by `[page N]` so passages can be located in the PDF."""
    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [(number, page.extract_text() or "") for number, page in enumerate(reader.pages, start=1)]
    except (PdfReadError, PdfStreamError, ValueError, KeyError) as exc:
        return ToolError(
            kind="empty_content",
            message=f"cannot read the PDF at {url}: {type(exc).__name__}: {exc}",
            hint="The PDF is damaged or encrypted; try another source.",
        )
    text = "\n\n".join(f"[page {number}]\n{page_text.strip()}" for number, page_text in pages if page_text.strip())
    if not text:
        return _empty(url, "PDF without a text layer")
    return text


def _decode_text(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset, errors="replace").strip()
    except LookupError:  # a charset name Python does not know: UTF-8 is the likeliest truth
        return body.decode("utf-8", errors="replace").strip()


def build_document(
    url: str,
    final_url: str,
    content_type: str,
    body: bytes,
    *,
    check_js: bool = True,
    fetched_at: datetime | None = None,
) -> Document | ToolError:
    """Dispatch on the media type and wrap the text in a `Document` (hash = sha256 of the text)."""
    media_type = media_type_of(content_type)
    if not media_type or media_type in {"application/octet-stream", "binary/octet-stream"}:
        media_type = sniff_media_type(body)
    title = author = published = None
    if media_type in HTML_TYPES or media_type in _TEXT_TYPES:
        refusal = binary_refusal(url, media_type, body)
        if refusal is not None:
            return refusal
    if media_type in HTML_TYPES:
        extracted = extract_html(final_url or url, body, check_js=check_js)
        if isinstance(extracted, ToolError):
            return extracted
        text, metadata = extracted
        title, author, published = metadata.get("title"), metadata.get("author"), metadata.get("date")
    elif media_type in _PDF_TYPES:
        pdf_text = extract_pdf(final_url or url, body)
        if isinstance(pdf_text, ToolError):
            return pdf_text
        text = pdf_text
    elif media_type in _TEXT_TYPES:
        text = _decode_text(body, charset_of(content_type))
        if not text:
            return _empty(url, media_type)
    else:
        return ToolError(
            kind="unsupported_type",
            message=f"{url} is {media_type}, which cannot be read as text",
            hint="Only HTML, PDF and plain text can be read; try another result.",
        )
    return Document(
        url=url,
        final_url=final_url or url,
        title=title or "",
        text=text,
        published=published,
        author=author,
        fetched_at=fetched_at or utc_now(),
        content_hash=content_hash_of(text),
        content_type=media_type,
    )
