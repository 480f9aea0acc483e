"""Split a document's text into overlapping chunks that remember where they came from.

Every chunk keeps its character offsets, so `text[start:end]` of the original document is exactly the
chunk: a citation built from a recalled chunk points at a span that was really read. Cuts prefer
paragraph breaks, then line breaks, then sentence ends, then spaces. The default of ~1,000 characters
stays under the embedding model's 256-token window for ordinary prose.
"""

from __future__ import annotations

from dataclasses import dataclass

_BOUNDARIES = ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ")


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int


def _cut_point(text: str, start: int, limit: int) -> int:
    """The best place to end a chunk that starts at `start` and may not pass `limit`."""
    if limit >= len(text):
        return len(text)
    floor = start + (limit - start) // 2
    for boundary in _BOUNDARIES:
        position = text.rfind(boundary, floor, limit)
        if position != -1:
            return position + len(boundary)
    return limit


def _stripped(text: str, start: int, end: int) -> Chunk | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Chunk(text[start:end], start, end) if end > start else None


def chunk_text(text: str, *, size: int = 1000, overlap: int = 150) -> list[Chunk]:
    """Chunks of at most `size` characters; consecutive chunks share about `overlap` characters."""
    if size <= 0:
        raise ValueError("chunk size must be positive")
    overlap = max(0, min(overlap, size // 2))
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        end = _cut_point(text, start, start + size)
        chunk = _stripped(text, start, end)
        if chunk is not None:
            chunks.append(chunk)
        if end >= len(text):
            break
        next_start = max(end - overlap, start + 1)
        # Start the overlap on a word boundary rather than mid-word.
        space = text.find(" ", next_start, end)
        start = space + 1 if overlap and space != -1 else next_start
    return chunks
