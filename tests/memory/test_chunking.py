from __future__ import annotations

from memory.chunking import chunk_text

TEXT = "\n\n".join(
    f"Paragraph {i}. " + " ".join(f"Sentence {i}.{j} says something about topic {j}." for j in range(12))
    for i in range(8)
)


def test_chunks_are_exact_spans_within_size() -> None:
    chunks = chunk_text(TEXT, size=400, overlap=60)
    assert len(chunks) > 5
    for chunk in chunks:
        assert TEXT[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 400
        assert chunk.text == chunk.text.strip()


def test_chunks_cover_the_text_and_overlap() -> None:
    chunks = chunk_text(TEXT, size=400, overlap=60)
    assert chunks[0].start == 0
    assert chunks[-1].end == len(TEXT.rstrip())
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start <= before.end  # no gap
        assert after.start > before.start


def test_short_and_empty_texts() -> None:
    assert chunk_text("") == []
    assert chunk_text("   ") == []
    [only] = chunk_text("  One short text.  ")
    assert (only.text, only.start) == ("One short text.", 2)
