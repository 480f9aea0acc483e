"""Relevance: whether a passage bears on the question, as a number beside support.

Support says a quote is a quote; it cannot tell a passage about tides from one about child labour that
matched the word "work". Relevance can: it is the embedding similarity (all-MiniLM-L6-v2, offline) of the
source's title plus the passage to the question as the person asked it, or to the task the passage was
read for, whichever is higher (a task of a multi-part question asks about one part). Content-word overlap
is left out on purpose: measured on the QA set and the open-question set, it separated on-topic from
off-topic passages worse than the embedding alone and made the blend worse (`bench/relevance.py`).

A passage below the floor (`relevance_floor`, calibrated by `bench/relevance.py`) never enters findings,
and a sentence citing only such passages never enters a report.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from agents.context import Similarity
from deepresearch.schemas import Passage, Source
from deepresearch.text import fold

# Without embeddings (a test double with no similarity), relevance falls back to the share of the question's
# content words the passage has; that is cruder, and the report says which was used.
Scorer = Callable[[str, str], float]


def _lexical(question: str, text: str) -> float:
    from deepresearch.text import content_token_set

    wanted = content_token_set(question)
    return len(wanted & content_token_set(text)) / len(wanted) if wanted else 0.0


@dataclass
class RelevanceJudge:
    """Scores passages against one question (and the goals of its tasks); caches what it computed."""

    question: str
    similarity: Similarity | None
    floor: float
    _cache: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)

    @property
    def is_semantic(self) -> bool:
        return self.similarity is not None

    def score(self, text: str, title: str = "", goal: str = "") -> float:
        """How much `text` (from a source titled `title`) bears on the question or on `goal`, 0..1.

        A page about a thing the question names bears on it whatever its words: "Were Scott Derrickson and Ed
        Wood of the same nationality?" is answered by a page on Scott Derrickson that never says
        "nationality". Its passages score at least as high as the page's title against the question.
        """
        subject = f"{title}\n{text}" if title else text
        targets = [self.question, *([goal] if goal and goal != self.question else [])]
        best = max(self._against(target, subject) for target in targets)
        if title and is_named_in(title, self.question):
            best = max(best, self._against(self.question, title))
        return best

    def _against(self, target: str, subject: str) -> float:
        key = (target, subject)
        if key not in self._cache:
            raw = self.similarity(target, subject) if self.similarity is not None else _lexical(target, subject)
            self._cache[key] = round(max(0.0, min(1.0, raw)), 4)
        return self._cache[key]

    def passage_score(self, passage: Passage, sources_by_id: dict[str, Source], goal: str = "") -> float:
        source = sources_by_id.get(passage.source_id)
        return self.score(passage.text, source.title if source else "", goal)

    def is_on_topic(self, score: float) -> bool:
        return score >= self.floor

    def ranked(
        self, passages: Sequence[Passage], sources_by_id: dict[str, Source], goal: str = ""
    ) -> list[tuple[float, Passage]]:
        """`passages` on topic, best first, with their scores."""
        scored = [(self.passage_score(p, sources_by_id, goal), p) for p in passages]
        return sorted((item for item in scored if self.is_on_topic(item[0])), key=lambda item: -item[0])


_PARENTHETICAL = re.compile(r"\s*\([^)]*\)\s*$")


def is_named_in(title: str, question: str) -> bool:
    """Whether the question names the thing a page is titled after ("Alien (film)" is named by "... the
    film Alien ..."): the title, without its parenthetical, appears in the question as a whole phrase."""
    name = fold(_PARENTHETICAL.sub("", title)).strip()
    return len(name) >= 3 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", fold(question)) is not None


@functools.lru_cache(maxsize=64)
def _judge_for(question: str, similarity: Similarity | None, floor: float) -> RelevanceJudge:
    return RelevanceJudge(question, similarity, floor)


def judge_for(question: str, similarity: Similarity | None, floor: float) -> RelevanceJudge:
    """The judge of one question in this process: every researcher and the verifier of a run share its cache."""
    return _judge_for(question, similarity, floor)
