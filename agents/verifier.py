"""Verifier: checks every cited sentence against the passages it cites, deterministically.

A draft's score is the mean support over its statement sentences (uncited ones count as 0), computed by
`agents.verification`, the same functions `reports verify` uses. Dangling citation numbers are removed
first. Unsupported sentences go back to the summarizer as notes; after the last revision the best-scoring
draft is finalized (scored by `reward`: support and coverage of the brief, which also picks the best of N
drafts): a sentence still unsupported is replaced by the quoted passage it cites, or dropped when it cites
nothing, a sentence resting only on passages below the relevance floor is dropped, then numbers are
remapped 1..n into `Citation`s and the report's figures are computed from the final body and citations.

With a verifier judge (`agents.entailment`), a draft's check takes its verdicts (`with_verdicts`): a
sentence the judge rejects is unsupported like one the passages do not cover, goes back to the summarizer
with the verdict, and is quoted or dropped at the end; the final figures combine the judge's verdicts on the
final sentences and passages (`compose`, then `scored`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from agents.citations import Evidence, keep_numbers, numbers_in, renumber, tidy_citations
from agents.context import Similarity
from agents.evidence import sub_passage
from agents.relevance import RelevanceJudge
from agents.support import SUPPORT_THRESHOLD, best_passage, sentence_spans, strip_citations
from agents.verification import (
    JudgementRequest,
    ReportScores,
    Verdict,
    Verdicts,
    is_structure,
    judged_support,
    line_sentences,
    request_for,
    score_report,
    sentence_support,
    unique_requests,
)
from deepresearch.config import ResearchConfig
from deepresearch.schemas import Citation, Passage

MAX_NOTES = 8


@dataclass
class SentenceCheck:
    sentence: str
    numbers: list[int]
    support: float
    passage: Passage | None
    verdict: Verdict | None = None  # the verifier judge's, when one judged it

    @property
    def is_supported(self) -> bool:
        return bool(self.numbers) and self.passage is not None and self.support >= SUPPORT_THRESHOLD


@dataclass
class DraftCheck:
    markdown: str
    score: float
    lines: list[list[SentenceCheck] | str] = field(default_factory=list)  # str: kept verbatim (heading/blank)
    removed_numbers: list[int] = field(default_factory=list)

    @property
    def sentences(self) -> list[SentenceCheck]:
        return [check for line in self.lines if isinstance(line, list) for check in line]

    @property
    def unsupported(self) -> list[SentenceCheck]:
        return [check for check in self.sentences if not check.is_supported]


def check_draft(markdown: str, evidence: Evidence, similarity: Similarity | None = None) -> DraftCheck:
    """Score a draft; numbers that point at no evidence source are removed first."""
    valid = set(evidence.number_of.values())
    cleaned, removed = keep_numbers(tidy_citations(markdown), valid)
    check = DraftCheck(markdown=cleaned, score=0.0, removed_numbers=removed)
    passages_by_number = {number: evidence.passages_for(number) for number in valid}
    for line in cleaned.splitlines():
        if is_structure(line):
            # Headings, rules and tables are not checked sentence by sentence, so they may not cite.
            structure, stripped = keep_numbers(line, set())
            check.lines.append(structure.rstrip())
            check.removed_numbers.extend(stripped)
            continue
        sentences: list[SentenceCheck] = []
        for sentence in line_sentences(line):
            support, passage = sentence_support(sentence, passages_by_number, similarity)
            sentences.append(SentenceCheck(sentence, numbers_in(sentence), support, passage))
        check.lines.append(sentences)
    statements = check.sentences
    check.score = round(sum(s.support for s in statements) / len(statements), 4) if statements else 0.0
    return check


def _cited(check: SentenceCheck, evidence: Evidence) -> list[Passage]:
    return [p for number in check.numbers for p in evidence.passages_for(number)]


def judgement_requests(check: DraftCheck, evidence: Evidence) -> list[JudgementRequest]:
    """What the verifier judge is asked about a draft: each cited sentence with the passages it cites."""
    return unique_requests(request_for(s.sentence, _cited(s, evidence)) for s in check.sentences if s.numbers)


def with_verdicts(check: DraftCheck, evidence: Evidence, verdicts: Verdicts) -> DraftCheck:
    """`check` with the judge's verdicts combined into each sentence's support, and the score again."""

    def judged(item: SentenceCheck) -> SentenceCheck:
        verdict = verdicts.get(request_for(item.sentence, _cited(item, evidence)).key) if item.numbers else None
        return replace(item, support=judged_support(item.support, verdict), verdict=verdict)

    lines = [line if isinstance(line, str) else [judged(item) for item in line] for line in check.lines]
    judged_check = replace(check, lines=lines)
    statements = judged_check.sentences
    judged_check.score = round(sum(s.support for s in statements) / len(statements), 4) if statements else 0.0
    return judged_check


def coverage(check: DraftCheck, evidence: Evidence) -> float:
    """Share of the research tasks with evidence whose claims the draft cites in a supported sentence.

    Deterministic: a task counts as covered when a supported sentence cites a source number of one of
    that task's claims. Tasks that found nothing are left out, since no draft could cover them.
    """
    numbers_by_task: dict[str, set[int]] = {}
    for task_id, claim in evidence.claims:
        numbers_by_task.setdefault(task_id, set()).update(evidence.numbers_of(claim))
    if not numbers_by_task:
        return 0.0
    cited = {number for sentence in check.sentences if sentence.is_supported for number in sentence.numbers}
    covered = sum(bool(numbers & cited) for numbers in numbers_by_task.values())
    return round(covered / len(numbers_by_task), 4)


def reward(check: DraftCheck, evidence: Evidence) -> float:
    """The verifier as an outcome reward model: the mean of citation support and coverage of the brief.

    Used to pick among best-of-N drafts and among revisions alike: a draft that cites well but answers
    only part of the brief loses to one that covers every task with supported sentences.
    """
    return round((check.score + coverage(check, evidence)) / 2, 4)


def revision_limit(config: ResearchConfig) -> int:
    """Revisions allowed after verification: `max_revisions`, except that best-of-N (drafts > 1) turns
    them off unless `max_revisions` was set explicitly, so the two can be compared at equal cost."""
    if config.drafts > 1 and "max_revisions" not in config.model_fields_set:
        return 0
    return config.max_revisions


def revision_notes(check: DraftCheck) -> str:
    notes = []
    if check.removed_numbers:
        notes.append(f"Citation numbers {sorted(set(check.removed_numbers))} point at no source; use only listed ones.")
    for item in check.unsupported[:MAX_NOTES]:
        if not item.numbers:
            notes.append(f"Uncited sentence (cite a source or remove it): {item.sentence}")
        elif item.verdict in {"not_stated", "contradicted"} and item.passage is not None:
            says = "says otherwise" if item.verdict == "contradicted" else "does not state it"
            notes.append(
                f"The verifier judge found its passage {says}: {item.sentence} — the passage says: "
                f"{item.passage.text[:300]}"
            )
        elif item.passage is not None:
            notes.append(
                f"Not supported by its cited passage: {item.sentence} — the passage says: {item.passage.text[:300]}"
            )
    return "\n".join(f"- {note}" for note in notes)


def _quote(check: SentenceCheck, evidence: Evidence) -> SentenceCheck | None:
    """The cited passage's best-matching sentence, quoted with its number, to replace an unsupported one."""
    if check.passage is None or check.passage.source_id not in evidence.number_of:
        return None
    spans = [sub_passage(check.passage, a, b) for a, b in sentence_spans(check.passage.text)]
    span, score = best_passage(strip_citations(check.sentence), spans)
    if span is None or score == 0.0:
        return None
    number = evidence.number_of[check.passage.source_id]
    return SentenceCheck(f"“{' '.join(span.text.split())}” [{number}].", [number], 1.0, span)


@dataclass
class FinalReport:
    """The finalized body, its citations numbered 1..n, and its figures."""

    body: str
    citations: list[Citation]
    scores: ReportScores


def _is_on_topic(item: SentenceCheck, evidence: Evidence, judge: RelevanceJudge) -> bool:
    """Whether any passage the sentence cites bears on the question (an off-topic quote is not evidence)."""
    for number in item.numbers:
        source = evidence.source_of.get(number)
        title = source.title if source else ""
        if any(judge.is_on_topic(judge.score(p.text, title)) for p in evidence.passages_for(number)):
            return True
    return False


def compose(check: DraftCheck, evidence: Evidence, judge: RelevanceJudge) -> tuple[str, list[Citation]]:
    """The final body and its citations (renumbered 1..n), before the figures: an unsupported sentence is
    replaced by the quote it cites (unless a kept sentence already says it) or dropped, an off-topic one
    dropped."""
    best_for: dict[int, tuple[float, Passage]] = {}
    used: dict[int, list[str]] = {}  # every passage of a source that a kept sentence rests on
    said: set[str] = set()  # kept sentences, read without markers, quote marks and case
    lines: list[str] = []
    for line in check.lines:
        if isinstance(line, str):
            lines.append(line)
            continue
        kept: list[str] = []
        for checked in line:
            item = checked if checked.is_supported else _quote(checked, evidence)
            if item is None or not _is_on_topic(item, evidence, judge):
                continue
            if item is not checked and _plain(item.sentence) in said:  # a quote of what is said already
                continue
            said.add(_plain(item.sentence))
            kept.append(item.sentence)
            for number in item.numbers:
                own = (
                    [item.passage] if item.passage and evidence.number_of.get(item.passage.source_id) == number else []
                )
                passage, support = best_passage(strip_citations(item.sentence), own or evidence.passages_for(number))
                if passage is None:
                    continue
                if passage.text not in used.setdefault(number, []):
                    used[number].append(passage.text)
                if number not in best_for or best_for[number][0] < support:
                    best_for[number] = (support, passage)
        if kept:
            lines.append(" ".join(kept))
    body, mapping = renumber("\n".join(lines).strip())
    body = _collapse_blank_lines(body)
    source_of = evidence.source_of
    citations = []
    for old, new in sorted(mapping.items(), key=lambda item: item[1]):
        source = source_of[old]
        support, passage = best_for[old]
        citations.append(
            Citation(
                number=new,
                source_id=source.id,
                url=source.url,
                title=source.title,
                passage=passage.text,
                passages=used[old],
                support=round(support, 4),
            )
        )
    return body, citations


def scored(
    body: str,
    citations: Sequence[Citation],
    judge: RelevanceJudge,
    similarity: Similarity | None = None,
    verdicts: Verdicts | None = None,
) -> FinalReport:
    """The report's figures on its final body and citations (with the judge's verdicts on them, if any), and
    each citation's support and relevance."""
    scores = score_report(body, citations, judge, similarity, verdicts)
    final = [
        c.model_copy(
            update={
                "support": scores.support_by_number.get(c.number, c.support),
                "relevance": scores.relevance_by_number.get(c.number, 0.0),
            }
        )
        for c in citations
    ]
    return FinalReport(body, final, scores)


def finalize(
    check: DraftCheck, evidence: Evidence, judge: RelevanceJudge, similarity: Similarity | None = None
) -> FinalReport:
    """The final body, its citations (renumbered 1..n) and its support and relevance figures (no judge)."""
    body, citations = compose(check, evidence, judge)
    return scored(body, citations, judge, similarity)


def _plain(sentence: str) -> str:
    return " ".join(strip_citations(sentence).strip("“”\"' .").lower().split())


def _collapse_blank_lines(text: str) -> str:
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    return "\n".join(out).strip()
