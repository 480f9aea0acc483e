"""Deterministic support: how much of a sentence the passages it cites actually say.

The score is the share of the sentence's content words (the shared tokenizer of `deepresearch.text`:
folded, stemmed, stop words and citation markers removed) that occur in the passage, blended with an
embedding similarity when the memory layer provides one. No model is involved, so citation integrity does
not depend on model quality.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.context import Similarity
from deepresearch.schemas import Passage
from deepresearch.text import CITATION, content_token_set

SUPPORT_THRESHOLD = 0.5
OVERLAP_WEIGHT = 0.7


def token_overlap(sentence: str, passage: str) -> float:
    """Share of the sentence's distinct content tokens found in the passage (0..1)."""
    wanted = content_token_set(sentence)
    if not wanted:
        return 0.0
    return len(wanted & content_token_set(passage)) / len(wanted)


def support_score(sentence: str, passage: str, similarity: Similarity | None = None) -> float:
    overlap = token_overlap(sentence, passage)
    if similarity is None:
        return round(overlap, 4)
    semantic = max(0.0, min(1.0, similarity(sentence, passage)))
    return round(OVERLAP_WEIGHT * overlap + (1 - OVERLAP_WEIGHT) * semantic, 4)


def best_passage(
    sentence: str, passages: Sequence[Passage], similarity: Similarity | None = None
) -> tuple[Passage | None, float]:
    """The passage that supports `sentence` best, with its score."""
    best: Passage | None = None
    best_score = 0.0
    for passage in passages:
        score = support_score(sentence, passage.text, similarity)
        if best is None or score > best_score:
            best, best_score = passage, score
    return best, best_score


# A sentence ends at . ! or ? followed by space and a capital, digit or opening quote/bracket (so "e.g. the"
# does not end one), or at a blank line.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])|\n\s*\n")
# Markdown headings, table rows and rules (extracted pages are markdown): structure, never a sentence.
_STRUCTURE_LINE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|\||-{3,}[ \t]*$|={3,}[ \t]*$).*$", re.MULTILINE)


def _spans_between(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    segment = text[start:stop]
    cursor = 0
    for boundary in [*_SENTENCE_END.finditer(segment), None]:
        end = boundary.start() if boundary else len(segment)
        piece = segment[cursor:end]
        if piece.strip():
            left = cursor + len(piece) - len(piece.lstrip())
            spans.append((start + left, start + cursor + len(piece.rstrip())))
        if boundary:
            cursor = boundary.end()
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of raw `text`, whitespace trimmed: exact spans, no rewriting.

    The one sentence splitter: passages are cut into quotable sentences and drafts into checkable ones
    with it. Markdown structure lines (headings, table rows, rules) are boundaries and are not sentences,
    so a page title is never taken for a claim or quoted as support.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for structure in [*_STRUCTURE_LINE.finditer(text), None]:
        stop = structure.start() if structure else len(text)
        spans.extend(_spans_between(text, cursor, stop))
        if structure:
            cursor = structure.end()
    return spans


def sentences_in(text: str) -> list[str]:
    """The sentences of raw `text` (its `sentence_spans`, structure lines excluded), whitespace collapsed."""
    return [" ".join(text[left:right].split()) for left, right in sentence_spans(text)]


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph, whitespace collapsed; citation markers stay with the sentence they end."""
    flat = " ".join(text.split())
    return [flat[left:right] for left, right in sentence_spans(flat)]


def strip_citations(text: str) -> str:
    return " ".join(CITATION.sub(" ", text).split())
