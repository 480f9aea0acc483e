"""Threads of runs: a follow-up run names the run it follows in its folder, and starts from it.

`earlier_run` reads what a follow-up takes from the run it follows, from that run's folder only (so it
works for runs made here, through a LangGraph server, or copied from another machine): the report, and
each cited sentence that still verifies against the source text stored with it (`deepresearch.review`),
as a claim on the passages that support it. `threaded` orders runs so each follow-up sits under the run
it follows, for `reports list`, the review pages and the MCP server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.follow_up import EarlierRun
from agents.support import SUPPORT_THRESHOLD, strip_citations, support_score
from deepresearch.config import ResearchConfig
from deepresearch.reports import read_source_text
from deepresearch.review import RunSummary, load_finished_report, sentences_citing, verify_report
from deepresearch.schemas import Claim, Passage, Report

_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


def earlier_run(config: ResearchConfig, run_id: str) -> EarlierRun:
    """The run `run_id` as a follow-up starts from it; `RunNotFound` when it has no finished report."""
    folder, report = load_finished_report(config, run_id)
    # Only citations whose passages are still in the stored source text (which implies it is stored).
    checks = {check.citation.number: check for check in verify_report(folder, report) if check.is_passage_in_source}
    stored = {number: read_source_text(folder, check.citation.source_id) or "" for number, check in checks.items()}
    claims: list[Claim] = []
    dropped = 0
    for sentence, numbers in _sentences(report).items():
        plain = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", strip_citations(sentence))  # "signal [1]." → "signal."
        passages = [
            _passage(checks[number].citation.source_id, text, stored[number])
            for number in numbers
            if number in checks
            for text in checks[number].citation.all_passages
            if support_score(plain, text) >= SUPPORT_THRESHOLD
        ]
        if passages:
            claims.append(Claim(text=plain, passages=list(dict.fromkeys(passages))))
        else:
            dropped += 1
    cited = {p.source_id for claim in claims for p in claim.passages}
    texts = {check.citation.source_id: stored[number] for number, check in checks.items()}
    return EarlierRun(
        run_id=report.run_id or run_id,
        question=report.question,
        answer=report.answer,
        markdown=report.markdown,
        created_at=report.created_at,
        claims=claims,
        sources={source.id: source for source in report.sources if source.id in cited},
        source_texts={source_id: text for source_id, text in texts.items() if source_id in cited},
        dropped=dropped,
    )


def _sentences(report: Report) -> dict[str, list[int]]:
    """Each cited sentence of the report with the numbers it cites, in order."""
    by_sentence: dict[str, list[int]] = {}
    for number, sentences in sorted(sentences_citing(report.markdown).items()):
        for sentence in sentences:
            by_sentence.setdefault(sentence, []).append(number)
    return by_sentence


def _passage(source_id: str, text: str, stored: str) -> Passage:
    """A passage with its offsets in the stored text when it occurs there verbatim."""
    start = stored.find(text)
    return Passage(source_id=source_id, text=text, start=max(start, 0), end=start + len(text) if start >= 0 else 0)


def threaded(runs: Sequence[RunSummary]) -> list[tuple[int, RunSummary]]:
    """Runs in their given order, each follow-up moved under the run it follows; with its depth in the thread."""
    known = {run.run_id for run in runs}
    children: dict[str, list[RunSummary]] = {}
    for run in runs:
        if run.parent and run.parent in known and run.parent != run.run_id:
            children.setdefault(run.parent, []).append(run)
    ordered: list[tuple[int, RunSummary]] = []
    seen: set[str] = set()

    def place(run: RunSummary, depth: int) -> None:
        if run.run_id in seen:
            return
        seen.add(run.run_id)
        ordered.append((depth, run))
        for child in sorted(children.get(run.run_id, []), key=lambda r: r.started):
            place(child, depth + 1)

    for run in runs:
        if not (run.parent and run.parent in known):
            place(run, 0)
    for run in runs:  # a cycle of parents (hand-edited folders) has no root: list it flat
        place(run, 0)
    return ordered
