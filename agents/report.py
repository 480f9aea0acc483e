"""Report assembly: the verified body plus short answer, gaps, limits, method and references.

Everything here is deterministic: it lays out what the verifier kept and records how the run went
(clarifications, assumptions, tasks, rounds, corrections, limits) so a reader can judge the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agents.citations import references_markdown
from agents.self_consistency import AnswerVote
from agents.support import split_sentences
from agents.verification import SUPPORT_AFTER, VERDICTS, ReportScores
from deepresearch.budgets import run_stopper
from deepresearch.schemas import (
    Citation,
    Report,
    ReportSection,
    ResearchBrief,
    ResearchTask,
    Source,
    StoppedBy,
    Usage,
)
from deepresearch.text import normalize_answer

LIMIT_NAMES: dict[str, str] = {
    "agents": "the agent limit (max_agents)",
    "rounds": "the round limit (max_rounds)",
    "steps": "the step limit per researcher (max_steps)",
    "tokens": "the token budget (max_tokens)",
    "time": "the wall-time budget (max_time_s)",
    "pages": "the page budget (max_pages)",
    "provider": "a model provider that failed on every attempt and fallback (the trace's llm.provider_failed names it)",
}


@dataclass
class RunRecord:
    """How the run went, for the method section."""

    run_id: str
    brief: ResearchBrief
    tasks: Sequence[ResearchTask]
    rounds: int
    limits_hit: Sequence[str]
    notes: Sequence[str]
    queries_tried: Sequence[str]
    corrections: int
    revisions: int
    usage: Usage
    sources_read: int
    relevance_floor: float = 0.0
    judged_by: str | None = None  # the verifier model whose verdicts entered the support figure
    extra: list[str] = field(default_factory=list)


def stopped_by(limits_hit: Sequence[str]) -> StoppedBy | None:
    """The limit that ended research early: a run-wide budget wins over per-agent step limits."""
    return run_stopper(limits_hit) or ("steps" if "steps" in limits_hit else None)


def short_answer(body: str) -> str:
    for line in body.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            sentences = split_sentences(line.strip().lstrip("-*• "))
            return sentences[0] if sentences else ""
    return ""


def vote_line(vote: AnswerVote, is_used: bool) -> str:
    """The method line for self-consistency: how many samples agreed, and whether their answer was used."""
    if not vote.answer:
        return f"Self-consistency: {len(vote.samples)} short-answer samples; none gave an answer."
    outcome = "kept as the short answer" if is_used else "not stated by the cited evidence, so not used"
    return (
        f"Self-consistency: {vote.votes} of {len(vote.samples)} short-answer samples agreed on "
        f"“{vote.answer}” (agreement {vote.agreement:.2f}); {outcome}."
    )


def judge_line(model: str, scores: ReportScores) -> str:
    """The method line for the verifier judge: how its verdicts on the report's sentences came out."""
    counts = {verdict: scores.verdicts.get(verdict, 0) for verdict in VERDICTS}
    told = ", ".join(f"{count} {verdict.replace('_', ' ')}" for verdict, count in counts.items())
    return (
        f"Verifier judge ({model}): {sum(counts.values())} cited sentence(s) judged against their passages: {told}; "
        f"a sentence it rejects keeps at most {SUPPORT_AFTER['not_stated']:.2f} support (it can withhold support, "
        "never grant it)."
    )


def method_markdown(record: RunRecord, scores: ReportScores | None, extra: Sequence[str] = ()) -> str:
    lines = [f"Question as asked: {record.brief.original_question}"]
    if record.brief.question != record.brief.original_question:
        lines.append(f"Question as researched: {record.brief.question}")
    lines.extend(f"Clarifying question: {q} — answer: {a}" for q, a in record.brief.clarifications)
    lines.extend(f"Assumption: {a}" for a in record.brief.assumptions)
    lines.append(
        f"Research: {len(record.tasks)} task(s) in {record.rounds} round(s); {record.sources_read} source(s) read."
    )
    lines.extend(f"Task {task.id}: {task.goal}" for task in record.tasks)
    if record.queries_tried:
        lines.append("Searches: " + "; ".join(dict.fromkeys(record.queries_tried)))
    lines.append(f"Self-corrections after tool errors: {record.corrections}; summary revisions: {record.revisions}.")
    support = scores.support if scores else 0.0
    if record.judged_by and scores is not None:
        lines.append(
            f"Citation support score (deterministic, combined with the verifier judge's verdicts, 0–1): {support:.2f}."
        )
        lines.append(judge_line(record.judged_by, scores))
    else:
        lines.append(f"Citation support score (deterministic, 0–1): {support:.2f}.")
    if scores is not None and scores.relevance_by_number:
        lines.append(
            f"Relevance of the cited passages to the question (embedding similarity, 0–1): mean "
            f"{scores.relevance:.2f}, lowest {scores.lowest_relevance:.2f}; passages below "
            f"{record.relevance_floor:.2f} were not used as evidence."
        )
    lines.append(f"Tokens: {record.usage.total_tokens} in {record.usage.calls} model call(s).")
    lines.extend(record.notes)
    lines.extend(record.extra)
    lines.extend(extra)
    return "\n".join(f"- {line}" for line in lines)


@dataclass(frozen=True)
class ReportContent:
    """What the verifier kept: the body, its citations and their figures, and the tasks nothing covered; or
    the account of a run that found no evidence (`is_insufficient`)."""

    body: str
    citations: Sequence[Citation] = ()
    gaps: str = ""
    scores: ReportScores | None = None
    is_insufficient: bool = False


def assemble_report(
    record: RunRecord,
    content: ReportContent,
    sources_by_id: dict[str, Source],
    *,
    answer: str = "",
    vote: AnswerVote | None = None,
) -> Report:
    """The report; `answer` is a short answer the evidence states, else the body's first sentence is used.

    `vote` is the self-consistency vote over the short answer (samples > 1): its agreement becomes the
    answer's confidence when the answer used is the vote's, and the method section says how it went.
    """
    body, citations, gaps, scores = content.body, content.citations, content.gaps, content.scores
    is_insufficient = content.is_insufficient
    stop = stopped_by(record.limits_hit)
    answer = "" if is_insufficient else (answer or short_answer(body))
    is_voted = vote is not None and bool(answer) and normalize_answer(answer) == normalize_answer(vote.answer)
    confidence = vote.agreement if vote is not None and is_voted else None
    vote_lines = [vote_line(vote, is_voted)] if vote is not None and not is_insufficient else []
    cited_sources = [sources_by_id[c.source_id] for c in citations if c.source_id in sources_by_id]
    sections = [ReportSection(title="Findings", markdown=body)]
    if gaps:
        sections.append(ReportSection(title="Gaps", markdown=gaps))
    if record.limits_hit:
        names = ", ".join(LIMIT_NAMES.get(limit, limit) for limit in record.limits_hit)
        sections.append(
            ReportSection(
                title="Limits",
                markdown=f"Research stopped early: it reached {names}. This report uses what was found before that.",
            )
        )
    sections.append(ReportSection(title="Method", markdown=method_markdown(record, scores, vote_lines)))
    numbered = [(c.number, sources_by_id[c.source_id]) for c in citations if c.source_id in sources_by_id]
    sections.append(ReportSection(title="References", markdown=references_markdown(numbered)))
    parts = [f"# {record.brief.original_question.strip()}", ""]
    if answer:
        agreement = (
            ""
            if vote is None or confidence is None
            else (f" (confidence {confidence:.2f}: {vote.votes} of {len(vote.samples)} samples agree)")
        )
        parts += [f"**Short answer:** {answer}{agreement}", ""]
    for section in sections:
        parts += [f"## {section.title}", "", section.markdown, ""]
    return Report(
        run_id=record.run_id,
        question=record.brief.original_question,
        brief=record.brief,
        markdown="\n".join(parts).rstrip() + "\n",
        answer=answer,
        answer_confidence=confidence,
        answer_samples=list(vote.samples) if vote is not None else [],
        sections=sections,
        citations=list(citations),
        sources=cited_sources,
        usage=record.usage,
        stopped_by=stop,
        limits_hit=list(record.limits_hit),
        clarifications=list(record.brief.clarifications),
        assumptions=list(record.brief.assumptions),
        method_notes=[*record.notes, *record.extra],
        support_score=scores.support if scores else 0.0,
        relevance_score=scores.relevance if scores and citations else None,
        lowest_relevance=scores.lowest_relevance if scores and citations else None,
        relevance_floor=record.relevance_floor,
        scored_with_embeddings=scores.with_embeddings if scores else True,
        judged_by=record.judged_by if scores is not None else None,
        revisions=record.revisions,
        is_insufficient_evidence=is_insufficient,
    )
