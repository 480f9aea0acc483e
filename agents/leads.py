"""Names worth following: the things a question names, and the things read passages name that it needs.

A researcher follows a trail the way IRCoT, Baleen and multi-hop dense retrieval do: retrieve for the
question, read, then retrieve again for what the reading turned up. "The film whose score Jerry Goldsmith
composed" is answered by reading about Jerry Goldsmith, finding "Alien" in the sentence that mentions the
score, and then reading about Alien. Names are proper-noun phrases and quoted titles; a name scores by how
much of the question the sentence around it covers (rare words count more than common ones, by their
frequency in English: `wordfreq`), and by how many passages mention it. Nothing here knows any corpus or
question set.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wordfreq import zipf_frequency

from agents.support import sentence_spans
from deepresearch.text import STOP_WORDS, WORD, content_token_set, fold, stem

# Capitalized words, joined by the small lower-case words titles keep ("Kiss and Tell", "Bank of England").
_CONNECTOR = r"(?:of|the|and|de|del|della|der|di|du|da|van|von|la|le|los|las|upon|&)"
_WORD_AFTER = r"[A-Z0-9][\w'’.\-]*[\w'’]|[A-Z]"  # later words may be numbers: "Apollo 11", "Windows 95"
_NAME = re.compile(rf"\b[A-Z][\w'’.\-]*(?:\s+(?:{_CONNECTOR}\s+)*(?:{_WORD_AFTER}))*")
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = re.compile(rf"^(?:{_MONTH}(?:\s+\d{{1,2}})?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)$")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{2,80})[\"”]")
COMMON_WORD_ZIPF = 4.5  # a single word this frequent in English ("American", "However") names nothing
# Words that open a sentence or clause and get a capital there: "In June 1991", "When the Canberra".
_OPENERS = STOP_WORDS | frozenset(
    [
        "after",
        "before",
        "during",
        "since",
        "until",
        "while",
        "although",
        "though",
        "however",
        "initially",
        "finally",
        "later",
        "like",
        "unlike",
        "because",
        "also",
        "often",
        "later",
        "meanwhile",
        "despite",
        "following",
        "according",
        "along",
        "among",
        "between",
        "within",
        "without",
        "upon",
        "under",
        "over",
        "through",
        "thus",
        "hence",
        "yet",
        "still",
        "only",
        "even",
        "just",
    ]
)
MAX_NAME_WORDS = 8


# wordfreq reads its frequency table from disk on first use; that read happens here, at import, and never
# inside a running graph (on a server's event loop it would block every other run).
zipf_frequency("the", "en")


@functools.lru_cache(maxsize=65536)
def word_weight(word: str) -> float:
    """How much a word says about a topic: rare words much, common words little (0.5 .. 6)."""
    return min(6.0, max(0.5, 7.5 - zipf_frequency(word, "en")))


def term_weights(text: str) -> dict[str, float]:
    """The stemmed content words of `text`, each with its weight."""
    weights: dict[str, float] = {}
    for word in WORD.findall(fold(text)):
        if word not in STOP_WORDS:
            stem_ = stem(word)
            weights[stem_] = max(weights.get(stem_, 0.0), word_weight(word))
    return weights


def weighted_coverage(text: str, weights: dict[str, float]) -> float:
    """The weighted share of the question's words that `text` contains (0..1)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    found = content_token_set(text)
    return sum(weight for term, weight in weights.items() if term in found) / total


def _clean(name: str) -> str:
    name = re.sub(r"['’]s$", "", name.strip(" .,;:'’\"-"))
    words = name.split()
    while len(words) > 1 and words[0].lower() in _OPENERS:
        words = words[1:]
    while len(words) > 1 and words[0].lower() in {"of", "the", "and", "&"}:
        words = words[1:]
    return " ".join(words)


def _is_name(name: str) -> bool:
    words = name.split()
    if not words or len(words) > MAX_NAME_WORDS or not any(ch.isalpha() for ch in name) or _DATE.match(name):
        return False
    if len(words) == 1:
        return len(name) > 2 and zipf_frequency(name.lower(), "en") < COMMON_WORD_ZIPF
    return True


def names_in(text: str) -> list[str]:
    """Proper-noun phrases and quoted titles of `text`, in order, without repeats."""
    found: list[str] = []
    for match in _QUOTED.finditer(text):
        found.append(match.group(1).strip())
    for match in _NAME.finditer(text):
        name = _clean(match.group(0))
        sides = [side.strip() for side in re.split(r"\s+(?:and|&)\s+", name)]
        if len(sides) > 1 and all(len(side.split()) > 1 for side in sides):
            found.extend(side for side in sides if _is_name(side))  # "Scott Derrickson and Ed Wood": two names
        elif _is_name(name):
            found.append(name)  # "Kiss and Tell": one title
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Lead:
    """A name to follow, and why: the sentence it was found in and how well that sentence fits."""

    name: str
    score: float
    sentence: str


def follow_up_names(
    question: str, texts: Sequence[tuple[str, str]], *, exclude: Iterable[str] = (), limit: int = 3
) -> list[Lead]:
    """Names in `texts` ((title, passage) pairs, best first) that the question needs and has not named.

    A name the question already names, or the title of a page already read, is not a lead.
    """
    weights = term_weights(question)
    known = {fold(name) for name in [*exclude, *names_in(question), *(title for title, _ in texts)]}
    known_tokens = content_token_set(question)
    best: dict[str, Lead] = {}
    mentions: dict[str, int] = {}
    for rank, (_, text) in enumerate(texts):
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            fit = weighted_coverage(sentence, weights) / math.sqrt(rank + 1)
            for name in names_in(sentence):
                key = fold(name)
                if key in known or content_token_set(name) <= known_tokens:
                    continue
                mentions[key] = mentions.get(key, 0) + 1
                if key not in best or fit > best[key].score:
                    best[key] = Lead(name, fit, sentence)
    scored = [
        Lead(lead.name, lead.score + 0.05 * math.log1p(mentions[key]), lead.sentence) for key, lead in best.items()
    ]
    scored = [lead for lead in scored if lead.score > 0]
    return sorted(scored, key=lambda lead: -lead.score)[:limit]
