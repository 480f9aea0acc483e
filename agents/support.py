"""Deterministic support: how much of a sentence the passages it cites actually say.

The score is the share of the sentence's content words (normalized, light stemming, stop words and
citation markers removed) that occur in the passage, blended with an embedding similarity when the memory
layer provides one. No model is involved, so citation integrity does not depend on model quality.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from agents.context import Similarity
from deepresearch.schemas import Passage

SUPPORT_THRESHOLD = 0.5
OVERLAP_WEIGHT = 0.7

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CITATION = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9À-Ý])")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "without",
        "into",
        "onto",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "not",
        "no",
        "so",
        "such",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "do",
        "does",
        "did",
        "done",
        "has",
        "have",
        "had",
        "having",
        "also",
        "very",
        "more",
        "most",
        "less",
        "least",
        "many",
        "much",
        "some",
        "any",
        "each",
        "every",
        "all",
        "both",
        "either",
        "neither",
        "other",
        "another",
        "our",
        "their",
        "his",
        "her",
        "they",
        "them",
        "we",
        "you",
        "your",
        "i",
        "he",
        "she",
        "us",
        "me",
        'my".',
    ]
)


@functools.lru_cache(maxsize=65536)
def normalize_token(word: str) -> str:
    """Lower-case, accents folded, a light plural/tense stem so 'sleeps' meets 'sleep'."""
    folded = unicodedata.normalize("NFKD", word.lower())
    token = "".join(ch for ch in folded if not unicodedata.combining(ch))
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if len(token) > len(suffix) + 3 and token.endswith(suffix):
            return token[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return token


def content_tokens(text: str) -> list[str]:
    words = _WORD.findall(_CITATION.sub(" ", text))
    return [normalize_token(w) for w in words if w.lower() not in _STOP]


@functools.lru_cache(maxsize=8192)
def content_token_set(text: str) -> frozenset[str]:
    """The distinct content tokens of `text`. The verifier scores every cited sentence against the same
    passages draft after draft, so each text is tokenized once."""
    return frozenset(content_tokens(text))


def shares_content_word(text: str, other: str) -> bool:
    """Whether `text` names anything `other` names: a weak model's plan or search that shares no content
    word with its brief or task (the tool's own description, copied) cannot find its evidence."""
    return bool(content_token_set(text) & content_token_set(other))


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


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph; citation markers stay with the sentence they follow."""
    flat = " ".join(text.split())
    return [part.strip() for part in _SENTENCE_END.split(flat) if part.strip()]


_SPAN_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
# Markdown headings, table rows and rules (extracted pages are markdown): structure, never a sentence.
_STRUCTURE_LINE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|\||-{3,}[ \t]*$|={3,}[ \t]*$).*$", re.MULTILINE)


def _spans_between(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    segment = text[start:stop]
    cursor = 0
    for boundary in [*_SPAN_BOUNDARY.finditer(segment), None]:
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

    Markdown structure lines (headings, table rows, rules) are boundaries and are not sentences, so a
    page title is never taken for a claim or quoted as support.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for structure in [*_STRUCTURE_LINE.finditer(text), None]:
        stop = structure.start() if structure else len(text)
        spans.extend(_spans_between(text, cursor, stop))
        if structure:
            cursor = structure.end()
    return spans


def strip_citations(text: str) -> str:
    return " ".join(_CITATION.sub(" ", text).split())
