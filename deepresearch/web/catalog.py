"""What the review pages show, read from the run folders the CLI writes (nothing is stored twice).

Every path comes from a run id that must name a folder directly inside `<data dir>/runs` (no `..`, no
separator, no symlink leading elsewhere: `run_folder`); source text is read only for source ids the
report's own citation records hold. The report body is the report's markdown rendered without raw HTML,
with each `[n]` turned into a button that opens that citation.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from agents.citations import CITATION, numbers_in
from deepresearch.config import ResearchConfig
from deepresearch.progress import Event
from deepresearch.reports import CONFIG, body_without_references, read_source_text, read_trace
from deepresearch.review import RunSummary, list_runs, report_similarity, sentence_support, sentences_citing
from deepresearch.schemas import Citation, Report
from deepresearch.terminal_view import is_correction

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
SEARCH_TOOLS = frozenset({"web_search", "search_local"})
READ_TOOLS = frozenset({"fetch_page", "browse_page"})


class OutsideDataDir(LookupError):
    """A run id that names no run folder inside the data dir (or tries to name something else)."""


def run_folder(config: ResearchConfig, run_id: str) -> Path:
    """The run's folder, strictly inside `<data dir>/runs`; `OutsideDataDir` for anything else."""
    root = config.runs_dir.resolve()
    if not RUN_ID.match(run_id):
        raise OutsideDataDir(run_id)
    folder = (root / run_id).resolve()
    if folder.parent != root or not (folder / CONFIG).is_file():
        raise OutsideDataDir(run_id)
    return folder


def listed_runs(config: ResearchConfig, search: str = "") -> list[RunSummary]:
    """Runs newest first whose question holds every word of `search`; folders leading outside are left out."""
    root = config.runs_dir.resolve()
    words = search.lower().split()
    return [
        run
        for run in list_runs(config)
        if run.folder.resolve().parent == root and all(w in f"{run.question} {run.run_id}".lower() for w in words)
    ]


_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def body_html(report: Report) -> Markup:
    """The report up to its references, each known `[n]` a button that opens citation n."""
    known = {citation.number for citation in report.citations}
    rendered = _MARKDOWN.render(body_without_references(report.markdown))

    def buttons(match: re.Match[str]) -> str:
        numbers = numbers_in(match.group(0))
        if not all(n in known for n in numbers):
            return match.group(0)
        return "".join(f'<button type="button" class="cite" data-n="{n}">[{n}]</button>' for n in numbers)

    return Markup(CITATION.sub(buttons, rendered))  # markdown-it escaped the text; the buttons are ours


@dataclass(frozen=True)
class CitedSentence:
    text: str
    support: float


@dataclass(frozen=True)
class CitationView:
    """One citation opened: its record, the sentences resting on it, and the stored text it was read as."""

    citation: Citation
    passages: list[str]  # the passage shown with the reference first, then any other the sentences rest on
    sentences: list[CitedSentence]
    source_html: Markup | None  # the stored source text with the passages marked; None when not stored


def citation_view(folder: Path, report: Report, number: int) -> CitationView | None:
    by_number = {citation.number: citation for citation in report.citations}
    citation = by_number.get(number)
    if citation is None:
        return None
    similarity = report_similarity(report)
    sentences = [
        CitedSentence(text=sentence, support=sentence_support(sentence, by_number, similarity))
        for sentence in sentences_citing(report.markdown).get(number, [])
    ]
    passages = [p for p in dict.fromkeys([citation.passage, *citation.all_passages]) if p]
    stored = read_source_text(folder, citation.source_id)
    marked = _mark(stored, passages) if stored is not None else None
    return CitationView(citation=citation, passages=passages, sentences=sentences, source_html=marked)


def _mark(text: str, passages: list[str]) -> Markup:
    """`text` escaped, with each passage wrapped in <mark> (matched across any whitespace)."""
    spans: list[tuple[int, int]] = []
    for passage in passages:
        words = passage.split()
        if not words:
            continue
        found = re.search(r"\s+".join(re.escape(w) for w in words), text)
        if found:
            spans.append(found.span())
    parts: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        parts += [html.escape(text[cursor:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return Markup("".join(parts))  # every piece of text is escaped above


@dataclass(frozen=True)
class TraceRow:
    """One event on the timeline: seconds since the run started, its category, and what it says."""

    offset_s: float
    category: str  # phase | search | read | correction | model | other
    event: Event
    tokens: int | None = None


def categorize(event: Event) -> str:
    tool = str(event.data.get("tool", ""))
    if event.kind == "phase":
        return "phase"
    if is_correction(event) or event.kind in {"agent.fallback", "researcher.nudge"}:
        return "correction"
    if event.kind.startswith("llm."):
        return "model"
    if tool in SEARCH_TOOLS or event.kind.startswith("search."):
        return "search"
    if tool in READ_TOOLS or event.kind in {"source.found", "researcher.recall"} or event.kind.startswith("cache."):
        return "read"
    return "other"


def timeline(folder: Path) -> list[TraceRow]:
    events = [e for e in read_trace(folder) if e.kind != "llm.reasoning"]
    if not events:
        return []
    start = events[0].at
    rows = []
    for event in events:
        tokens = None
        if event.kind == "llm.call":
            tokens = int(event.data.get("input_tokens", 0)) + int(event.data.get("output_tokens", 0))
        rows.append(TraceRow((event.at - start).total_seconds(), categorize(event), event, tokens))
    return rows
