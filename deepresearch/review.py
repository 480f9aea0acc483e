"""Reviewing finished runs: list them, and re-verify every citation against the text that was read.

A report stays checkable after the web changes because each run folder keeps the extracted text of every
source it read. Verification here uses only that stored text and the scores of `agents.verification` (the
functions the run's verifier used, with the same offline embedding model), so it gives the same answer as
the run did, on any machine, with no language model. With a verifier model (`verifier_model`,
`reports verify --verifier-model`) each cited sentence is also judged against its passages
(`agents.entailment`), and the verdicts enter the same scores the run's judge entered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agents.citations import numbers_in
from agents.context import Similarity
from agents.entailment import EntailmentJudge
from agents.relevance import RelevanceJudge
from agents.support import SUPPORT_THRESHOLD
from agents.verification import (
    ReportScores,
    Verdict,
    Verdicts,
    citation_passages,
    report_requests,
    score_report,
    statement_sentences,
)
from agents.verification import sentence_support as verification_support
from deepresearch.api import RunNotFound
from deepresearch.config import ResearchConfig
from deepresearch.reports import (
    CONFIG,
    REPORT_JSON,
    body_without_references,
    read_report,
    read_source_text,
    run_parent,
)
from deepresearch.schemas import Citation, Report


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    question: str
    started: datetime
    is_finished: bool
    support_score: float | None
    folder: Path
    parent: str | None = None  # the run this follow-up follows
    tokens: int | None = None
    relevance: float | None = None  # the report's relevance figure, when its reports carry one


def relevance_of(report: Report) -> float | None:
    """The report's relevance figure if this version of reports has one (support is always there)."""
    value = getattr(report, "relevance_score", None)
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class CitationCheck:
    """One citation re-checked against the stored source text."""

    citation: Citation
    is_source_stored: bool
    is_passage_in_source: bool
    support: float
    sentences: tuple[str, ...]
    relevance: float = 1.0
    relevance_floor: float = 0.0
    judged: tuple[Verdict, ...] = ()  # the verifier judge's verdict on each sentence citing it, when one judged

    @property
    def is_rejected_by_judge(self) -> bool:
        return any(verdict != "entailed" for verdict in self.judged)

    @property
    def judge_summary(self) -> str:
        """The judge's verdicts on the sentences citing it: "entailed", "contradicted 1/2", or "-" (none)."""
        if not self.judged:
            return "-"
        rejected = [verdict for verdict in self.judged if verdict != "entailed"]
        if not rejected:
            return "entailed"
        return f"{rejected[0].replace('_', ' ')} {len(rejected)}/{len(self.judged)}"

    @property
    def verdict(self) -> str:
        if not self.is_source_stored:
            return "source text missing"
        if not self.is_passage_in_source:
            return "passage not in source"
        if self.support < SUPPORT_THRESHOLD:
            return "not entailed (judge)" if self.is_rejected_by_judge else "weak support"
        if self.relevance < self.relevance_floor:
            return "off topic"
        return "verified"

    @property
    def is_verified(self) -> bool:
        return self.verdict == "verified"


def run_folder(config: ResearchConfig, run_id: str) -> Path:
    """The folder of a run, or `RunNotFound` with a message naming how to list runs."""
    clean = run_id.strip()
    folder = config.runs_dir / clean
    if not clean or "/" in clean or clean.startswith(".") or not (folder / CONFIG).exists():
        raise RunNotFound(f"no run with id {run_id!r} in {config.runs_dir} (see `deepresearch reports list`)")
    return folder


def list_runs(config: ResearchConfig) -> list[RunSummary]:
    """Every run in the data dir, newest first; unfinished (resumable) runs included."""
    summaries: list[RunSummary] = []
    if not config.runs_dir.exists():
        return summaries
    for folder in config.runs_dir.iterdir():
        config_file = folder / CONFIG
        if not config_file.exists():
            continue
        question = str(json.loads(config_file.read_text(encoding="utf-8")).get("question", ""))
        started = datetime.fromtimestamp(config_file.stat().st_mtime).astimezone()
        report_file = folder / REPORT_JSON
        report = read_report(report_file) if report_file.exists() else None
        summaries.append(
            RunSummary(
                folder.name,
                question,
                started,
                report is not None,
                report.support_score if report else None,
                folder,
                parent=run_parent(folder),
                tokens=report.usage.total_tokens if report else None,
                relevance=relevance_of(report) if report else None,
            )
        )
    return sorted(summaries, key=lambda run: run.started, reverse=True)


def load_finished_report(config: ResearchConfig, run_id: str) -> tuple[Path, Report]:
    folder = run_folder(config, run_id)
    if not (folder / REPORT_JSON).exists():
        raise RunNotFound(f"run {run_id} has no report yet; finish it with `deepresearch resume {run_id}`")
    return folder, read_report(folder)


def findings_body(report: Report) -> str:
    """The part of a report its figures are computed on: the findings, as the run verified them."""
    findings = next((section.markdown for section in report.sections if section.title == "Findings"), None)
    return findings if findings is not None else body_without_references(report.markdown)


def sentences_citing(markdown: str) -> dict[int, list[str]]:
    """The sentences of a body that cite each number, split as the verifier splits them."""
    citing: dict[int, list[str]] = {}
    for sentence in statement_sentences(body_without_references(markdown)):
        for number in numbers_in(sentence):
            citing.setdefault(number, []).append(sentence)
    return citing


def sentence_support(
    sentence: str, citations_by_number: Mapping[int, Citation], similarity: Similarity | None
) -> float:
    """How well a sentence is supported: by the best passage of any number it cites, as the verifier scores it."""
    support, _ = verification_support(sentence, citation_passages(list(citations_by_number.values())), similarity)
    return support


def report_similarity(report: Report) -> Similarity | None:
    """The similarity the run scored with: the offline embedding model, unless the run had none."""
    if not report.scored_with_embeddings:
        return None
    from memory.embeddings import shared_embedder

    embedder = shared_embedder()

    def similarity(a: str, b: str) -> float:
        return float(embedder.embed_one(a) @ embedder.embed_one(b))

    return similarity


def rescore(report: Report, floor: float | None = None, verdicts: Verdicts | None = None) -> ReportScores:
    """The report's support and relevance computed again from its body and citations, as the run did (with
    `verdicts`, a verifier judge's on `report_requests`, combined in as the run combined its judge's)."""
    similarity = report_similarity(report)
    judge = RelevanceJudge(report.question, similarity, floor if floor is not None else report.relevance_floor or 0.0)
    return score_report(findings_body(report), report.citations, judge, similarity, verdicts)


async def judge_report(report: Report, config: ResearchConfig) -> dict[str, Verdict]:
    """The verdicts of the configured verifier model (`verifier_model`) on each cited sentence of the report
    and the passages its citations keep; nothing when no verifier model is configured."""
    if not config.verifier_model:
        return {}
    from deepresearch.llm import ModelSet

    judge = EntailmentJudge(ModelSet(config).for_role("verifier"), name=config.verifier_model)
    return await judge.judge(report_requests(findings_body(report), report.citations))


def verify_report(folder: Path, report: Report, verdicts: Verdicts | None = None) -> list[CitationCheck]:
    """Re-check each citation: source text stored, passage present in it, citing sentences supported, and
    its passage on topic. Scores come from `agents.verification`, as in the run; `verdicts` (`judge_report`)
    are combined in as the run combined its judge's.

    A sentence may cite several numbers; like the verifier, it counts as supported by the best of them.
    A citation's support is that of the weakest sentence citing it.
    """
    scores = rescore(report, verdicts=verdicts)
    floor = report.relevance_floor or 0.0
    checks: list[CitationCheck] = []
    for citation in sorted(report.citations, key=lambda c: c.number):
        stored = read_source_text(folder, citation.source_id)
        flat = " ".join(stored.split()) if stored is not None else ""
        passages = [" ".join(p.split()) for p in citation.all_passages]
        in_source = stored is not None and all(passages) and all(p in flat for p in passages)
        number = citation.number
        checks.append(
            CitationCheck(
                citation,
                stored is not None,
                in_source,
                scores.support_by_number.get(number, 0.0),
                tuple(scores.sentences_by_number.get(number, [])),
                scores.relevance_by_number.get(number, 0.0),
                floor,
                tuple(scores.verdicts_by_number.get(number, [])),
            )
        )
    return checks


def supported_sentences(folder: Path, report: Report) -> tuple[int, int]:
    """(supported, total) cited sentences of the findings, each scored as the run scored it but only against
    citations whose passages are still in the stored source text."""
    checks = verify_report(folder, report)
    stored = [check.citation for check in checks if check.is_passage_in_source]
    passages = citation_passages(stored)
    similarity = report_similarity(report)
    sentences = [s for s in statement_sentences(findings_body(report)) if numbers_in(s)]
    supported = sum(verification_support(s, passages, similarity)[0] >= SUPPORT_THRESHOLD for s in sentences)
    return supported, len(sentences)
