"""An either-or question that compares two things in time, answered by comparing the years the evidence gives
for each ("Who is older, A or B?", "Which was founded first, A or B?", "Which film came out later?").

A weak model chooses between two names by where they stand among the options, not by reading two dates and
comparing them; the comparison itself is arithmetic, so it is done here. Each option's year is the first
year on its own page (a read page whose title holds the option): a person's page opens with the year of
birth, a band's, a film's or a company's with the year it was formed, released or founded, as encyclopedia
and most reference pages do. Without a page about each option that gives a year, or with the same year for
both, nothing is decided and the model chooses as before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from agents.answer_candidates import YEAR
from agents.support import sentences_in
from deepresearch.text import fold

# A comparative word on its own: "first-generation" or "last-minute" compares nothing in time.
_EARLIER = re.compile(r"\b(?<!-)(?:older|oldest|earlier|earliest|first|sooner)\b(?!-)", re.IGNORECASE)
_LATER = re.compile(
    r"\b(?<!-)(?:younger|youngest|newer|newest|later|latest|more recent|most recent|last)\b(?!-)", re.IGNORECASE
)
_YEAR = re.compile(rf"\b{YEAR}\b")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def time_order(question: str) -> Literal["earlier", "later"] | None:
    """Which end of time the question asks for: "older", "first" → earlier; "younger", "newer" → later;
    None when it says neither, or both."""
    earlier, later = bool(_EARLIER.search(question)), bool(_LATER.search(question))
    if earlier == later:
        return None
    return "earlier" if earlier else "later"


@dataclass(frozen=True)
class Dated:
    """An option with the first year its own page gives, and the sentence and source that give it."""

    option: str
    year: int
    sentence: str
    source_id: str


def first_year_on_page(option: str, passages: Sequence[tuple[str, str]], titles: Mapping[str, str]) -> Dated | None:
    """The first year in the passages (best first) of a page whose title holds `option`, or None."""
    name = fold(_ARTICLE.sub("", option.strip()))
    for source_id, text in passages:
        if not name or name not in fold(titles.get(source_id, "")):
            continue
        for sentence in sentences_in(text):
            year = _YEAR.search(sentence)
            if year:
                return Dated(option, int(year.group(0)), sentence, source_id)
    return None


def compare_in_time(
    question: str, options: Sequence[str], passages: Sequence[tuple[str, str]], titles: Mapping[str, str]
) -> Dated | None:
    """The option the question's time comparison picks (the earlier or the later year), with the sentence
    that dates it; None when the question compares nothing in time or the evidence cannot tell."""
    order = time_order(question)
    if order is None or len(options) != 2:
        return None
    first, second = (first_year_on_page(option, passages, titles) for option in options)
    if first is None or second is None or first.year == second.year:
        return None
    earlier, later = (first, second) if first.year < second.year else (second, first)
    return earlier if order == "earlier" else later
