"""One verification, used by the run's verifier and by `reports verify`: the same sentences, the same scores.

A report body is read as lines; headings, rules and tables are structure (they may not cite), every other
line is split into sentences by the one splitter (`agents.support`), bullets and quote marks stripped
the same way everywhere. A sentence's support is how well the best passage of any number it cites states
it (`agents.support.support_score`, with the run's embedding similarity when there is one); an uncited
statement has none. A citation's relevance is how much its best passage bears on the question
(`agents.relevance`). The report's figures are the mean support over its statement sentences and the mean
and lowest relevance over its citations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from agents.citations import numbers_in
from agents.context import Similarity
from agents.relevance import RelevanceJudge
from agents.support import best_passage, split_sentences, strip_citations
from deepresearch.schemas import Citation, Passage

BULLETS = "-*•> "


def is_structure(line: str) -> bool:
    """Headings, rules, tables and blank lines: kept verbatim, never checked, never allowed to cite."""
    stripped = line.strip()
    return not stripped or stripped.startswith(("#", "---", "|"))


def line_sentences(line: str) -> list[str]:
    """The sentences of one body line, its bullet or quote mark removed."""
    return split_sentences(line.strip().lstrip(BULLETS).strip())


def statement_sentences(markdown: str) -> list[str]:
    """Every sentence of a body that is not structure, in order."""
    return [sentence for line in markdown.splitlines() if not is_structure(line) for sentence in line_sentences(line)]


def sentence_support(
    sentence: str, passages_by_number: Mapping[int, Sequence[Passage]], similarity: Similarity | None
) -> tuple[float, Passage | None]:
    """How well the best passage of any number `sentence` cites states it, and that passage (0 uncited)."""
    cited = [p for number in numbers_in(sentence) for p in passages_by_number.get(number, [])]
    if not cited:
        return 0.0, None
    passage, score = best_passage(strip_citations(sentence), cited, similarity)
    return score, passage


@dataclass
class ReportScores:
    """The figures of a finished report, and each citation's."""

    with_embeddings: bool = True  # whether the scores blended embedding similarity in
    support: float = 0.0  # mean support over statement sentences
    relevance: float = 0.0  # mean relevance of the cited passages
    lowest_relevance: float = 0.0
    support_by_number: dict[int, float] = field(default_factory=dict)  # the weakest sentence citing it
    relevance_by_number: dict[int, float] = field(default_factory=dict)
    sentences_by_number: dict[int, list[str]] = field(default_factory=dict)


def citation_passages(citations: Sequence[Citation]) -> dict[int, list[Passage]]:
    """Each citation's passages as `Passage` records of its source, to score sentences against."""
    return {c.number: [Passage(source_id=c.source_id, text=text) for text in c.all_passages if text] for c in citations}


def score_report(
    body: str, citations: Sequence[Citation], judge: RelevanceJudge, similarity: Similarity | None
) -> ReportScores:
    """The report's support and relevance, computed the same way wherever it is asked for."""
    passages = citation_passages(citations)
    scores = ReportScores(with_embeddings=similarity is not None)
    supports: list[float] = []
    for sentence in statement_sentences(body):
        support, _ = sentence_support(sentence, passages, similarity)
        supports.append(support)
        for number in numbers_in(sentence):
            scores.sentences_by_number.setdefault(number, []).append(sentence)
            previous = scores.support_by_number.get(number, 1.0)
            scores.support_by_number[number] = round(min(previous, support), 4)
    for citation in citations:
        scores.relevance_by_number[citation.number] = max(
            (judge.score(text, citation.title) for text in citation.all_passages if text), default=0.0
        )
    relevances = list(scores.relevance_by_number.values())
    scores.support = round(sum(supports) / len(supports), 4) if supports else 0.0
    scores.relevance = round(sum(relevances) / len(relevances), 4) if relevances else 0.0
    scores.lowest_relevance = round(min(relevances), 4) if relevances else 0.0
    return scores
