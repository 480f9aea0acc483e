"""One tokenizer for every place that compares words: BM25 retrieval, citation support and relevance.

Words are what bm25s counts as words (two or more word characters), lower-cased with accents folded,
English stop words and question words removed, and Snowball-stemmed (PyStemmer), so "tides" in a question
meets "tide" in a passage the same way in the retriever, the verifier and the relevance check. Nothing
here depends on a model.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import Stemmer

WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's own token pattern
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
CITATION = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")

# Function words and question words: they carry no topic, so they never count as a match.
STOP_WORDS = frozenset(
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
        "he",
        "she",
        "us",
        "me",
        "my",
        "i",
    ]
)

_STEMMER = Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one lower-case word."""
    return str(_STEMMER.stemWord(word))


def fold(text: str) -> str:
    """Lower-case with accents removed: 'Pérez' and 'perez' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def content_tokens(text: str) -> list[str]:
    """The stemmed content words of `text`, in order; citation markers like [2] are not words."""
    words = WORD.findall(fold(CITATION.sub(" ", text)))
    return [stem(word) for word in words if word not in STOP_WORDS]


@functools.lru_cache(maxsize=16384)
def content_token_set(text: str) -> frozenset[str]:
    """The distinct content tokens of `text`. The verifier scores the same sentences against the same
    passages draft after draft, so each text is tokenized once."""
    return frozenset(content_tokens(text))


def shares_content_word(text: str, other: str) -> bool:
    """Whether `text` names anything `other` names."""
    return bool(content_token_set(text) & content_token_set(other))


def bm25_tokenize(texts: Sequence[str] | Iterable[str], *, return_ids: bool = True) -> Any:
    """`bm25s.tokenize` with this module's folding, stop words and stemmer, for indexing and queries alike."""
    import bm25s

    return bm25s.tokenize(
        [fold(text) for text in texts],
        stopwords=sorted(STOP_WORDS),
        stemmer=_STEMMER,
        return_ids=return_ids,
        show_progress=False,
    )


def normalize_answer(text: str) -> str:
    """HotpotQA's answer normalization (its official `hotpot_evaluate_v1.py`): lower case, punctuation and
    the articles a/an/the removed, single spaces. The bench scores answers with it and self-consistency
    groups samples by it, so an answer the bench counts as right is one the vote counts as the same."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split())
