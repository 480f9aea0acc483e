"""One verification, used by the run's verifier and by `reports verify`: the same sentences, the same scores.

A report body is read as lines; headings, rules and tables are structure (they may not cite), every other
line is split into sentences by the one splitter (`agents.support`), bullets and quote marks stripped
the same way everywhere. A sentence's support is how well the best passage of any number it cites states
it (`agents.support.support_score`, with the run's embedding similarity when there is one); an uncited
statement has none. A citation's relevance is how much its best passage bears on the question
(`agents.relevance`). The report's figures are the mean support over its statement sentences and the mean
and lowest relevance over its citations.

When a verifier model judges the cited sentences (`agents.entailment`), its verdicts enter here and only
here, keyed by the sentence and the passages it was judged against (`JudgementRequest`): a rejection caps
the sentence's support below `SUPPORT_THRESHOLD`, entailment leaves the deterministic score as it is. A
model can withhold support, never grant it. The run and `reports verify` pass the same verdicts for the same
sentences and passages, so they give the same figures.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from agents.citations import numbers_in
from agents.context import Similarity
from agents.relevance import RelevanceJudge
from agents.support import SUPPORT_THRESHOLD, best_passage, split_sentences, strip_citations
from deepresearch.schemas import Citation, Passage

BULLETS = "-*•> "
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.!?,;:])")

# The verifier judge's answer about one cited sentence and its passages.
Verdict = Literal["entailed", "not_stated", "contradicted"]
VERDICTS: tuple[Verdict, ...] = ("entailed", "not_stated", "contradicted")
Verdicts = Mapping[str, Verdict]  # `JudgementRequest.key` → the judge's verdict
# The most support a sentence keeps after each verdict: a rejection puts it below the threshold.
SUPPORT_AFTER: dict[Verdict, float] = {"entailed": 1.0, "not_stated": SUPPORT_THRESHOLD / 2, "contradicted": 0.0}


@dataclass(frozen=True)
class JudgementRequest:
    """One cited sentence (its citation markers removed) and the passages it cites, to be judged together."""

    sentence: str
    passages: tuple[str, ...]

    @property
    def key(self) -> str:
        """Stable across runs and renumbering: the sentence without its markers and the passages' text."""
        text = "\x1f".join([self.sentence, *self.passages])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def request_for(sentence: str, cited: Sequence[Passage]) -> JudgementRequest:
    """The judge's question about `sentence` (its markers removed, "day [1]." read as "day.") and `cited`."""
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", strip_citations(sentence))
    return JudgementRequest(text, tuple(dict.fromkeys(p.text for p in cited)))


def unique_requests(requests: Iterable[JudgementRequest]) -> list[JudgementRequest]:
    """Each question once, in order; a sentence that cites no passage is not a question."""
    return list({request.key: request for request in requests if request.passages}.values())


def judged_support(score: float, verdict: Verdict | None) -> float:
    """The deterministic `score` combined with the judge's verdict (None: not judged, the score stands)."""
    return score if verdict is None else round(min(score, SUPPORT_AFTER[verdict]), 4)


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


def cited_passages(sentence: str, passages_by_number: Mapping[int, Sequence[Passage]]) -> list[Passage]:
    """Every passage of every number `sentence` cites, in citation order."""
    return [p for number in numbers_in(sentence) for p in passages_by_number.get(number, [])]


def sentence_support(
    sentence: str,
    passages_by_number: Mapping[int, Sequence[Passage]],
    similarity: Similarity | None,
    verdicts: Verdicts | None = None,
) -> tuple[float, Passage | None]:
    """How well the best passage of any number `sentence` cites states it, and that passage (0 uncited);
    with `verdicts`, the judge's verdict on the sentence and its cited passages is combined in."""
    cited = cited_passages(sentence, passages_by_number)
    if not cited:
        return 0.0, None
    passage, score = best_passage(strip_citations(sentence), cited, similarity)
    if verdicts:
        score = judged_support(score, verdicts.get(request_for(sentence, cited).key))
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
    # The judge's verdict on each sentence citing a number (only when a verifier model judged them).
    verdicts_by_number: dict[int, list[Verdict]] = field(default_factory=dict)
    verdicts: dict[Verdict, int] = field(default_factory=dict)  # how many statement sentences got each verdict


def citation_passages(citations: Sequence[Citation]) -> dict[int, list[Passage]]:
    """Each citation's passages as `Passage` records of its source, to score sentences against."""
    return {c.number: [Passage(source_id=c.source_id, text=text) for text in c.all_passages if text] for c in citations}


def report_requests(body: str, citations: Sequence[Citation]) -> list[JudgementRequest]:
    """What a judge is asked about a finished body: each cited sentence with its citations' passages."""
    passages = citation_passages(citations)
    return unique_requests(request_for(s, cited_passages(s, passages)) for s in statement_sentences(body))


def score_report(
    body: str,
    citations: Sequence[Citation],
    judge: RelevanceJudge,
    similarity: Similarity | None,
    verdicts: Verdicts | None = None,
) -> ReportScores:
    """The report's support and relevance, computed the same way wherever it is asked for; with `verdicts`
    (the verifier judge's, on `report_requests`) combined into each sentence's support."""
    passages = citation_passages(citations)
    scores = ReportScores(with_embeddings=similarity is not None)
    supports: list[float] = []
    for sentence in statement_sentences(body):
        support, _ = sentence_support(sentence, passages, similarity, verdicts)
        supports.append(support)
        verdict = verdicts.get(request_for(sentence, cited_passages(sentence, passages)).key) if verdicts else None
        if verdict is not None:
            scores.verdicts[verdict] = scores.verdicts.get(verdict, 0) + 1
        for number in numbers_in(sentence):
            scores.sentences_by_number.setdefault(number, []).append(sentence)
            previous = scores.support_by_number.get(number, 1.0)
            scores.support_by_number[number] = round(min(previous, support), 4)
            if verdict is not None:
                scores.verdicts_by_number.setdefault(number, []).append(verdict)
    for citation in citations:
        scores.relevance_by_number[citation.number] = max(
            (judge.score(text, citation.title) for text in citation.all_passages if text), default=0.0
        )
    relevances = list(scores.relevance_by_number.values())
    scores.support = round(sum(supports) / len(supports), 4) if supports else 0.0
    scores.relevance = round(sum(relevances) / len(relevances), 4) if relevances else 0.0
    scores.lowest_relevance = round(min(relevances), 4) if relevances else 0.0
    return scores
