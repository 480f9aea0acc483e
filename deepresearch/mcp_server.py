"""`deepresearch mcp`: research and past reports for any Model Context Protocol client.

Built on the official SDK (`mcp`, the `mcp` extra). Tools: `research` (a question, optionally a depth, a
run to follow up and answers to the clarifying questions; every run event is a progress notification;
returns the verified report with its citations), `list_reports`, `read_report` and `verify_report`.
Every finished report is also a resource, `report://<run id>` (markdown). Runs are the same run folders
the terminal writes. A bad argument or an unknown run id is a tool error the client sees, never a crash;
clarifying questions are never asked back (the `answers` argument answers them, else the clarifier's
assumptions are recorded in the report). Stdio by default; `--http` serves streamable HTTP behind the
same access rules as the review pages (`deepresearch.web.security`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp_types import Resource as MCPResource
from pydantic import BaseModel, Field

from deepresearch.config import Depth, ResearchConfig
from deepresearch.errors import DeepResearchError
from deepresearch.live_runs import FAILED, FINISHED, LiveRuns, RunRequest
from deepresearch.reports import run_parent
from deepresearch.review import list_runs, load_finished_report
from deepresearch.review import verify_report as recheck
from deepresearch.schemas import Report

MAX_QUESTION_CHARS = 8000
REPORT_SCHEME = "report://"


class CitationItem(BaseModel):
    number: int
    title: str
    url: str
    passage: str
    support: float


class ReportResult(BaseModel):
    """A finished report as a client gets it: the markdown (with `[n]` markers and references) and records."""

    run_id: str
    question: str
    answer: str
    support_score: float
    markdown: str
    citations: list[CitationItem]
    follows: str | None = None


class RunItem(BaseModel):
    run_id: str
    question: str
    started: str
    finished: bool
    support_score: float | None
    tokens: int | None
    follows: str | None


class CheckItem(BaseModel):
    number: int
    source: str
    passage_in_source: bool
    support: float
    verdict: str


class VerifyResult(BaseModel):
    run_id: str
    verified: int
    total: int
    citations: list[CheckItem]


def _report_result(report: Report, follows: str | None) -> ReportResult:
    citations = [
        CitationItem(number=c.number, title=c.title, url=c.url, passage=c.passage, support=c.support)
        for c in sorted(report.citations, key=lambda c: c.number)
    ]
    return ReportResult(
        run_id=report.run_id,
        question=report.question,
        answer=report.answer,
        support_score=report.support_score,
        markdown=report.markdown,
        citations=citations,
        follows=follows,
    )


class ReportsServer(MCPServer):
    """The SDK's server, listing every finished report as a resource beside the `report://` template."""

    def __init__(self, config: ResearchConfig) -> None:
        super().__init__(
            name="deepresearch",
            instructions="Cited, verifiable research reports: start a research, list, read and verify reports.",
        )
        self.config = config

    async def list_resources(self) -> list[MCPResource]:
        listed = await super().list_resources()
        listed.extend(
            MCPResource(
                uri=f"{REPORT_SCHEME}{run.run_id}", name=run.run_id, title=run.question[:120], mime_type="text/markdown"
            )
            for run in list_runs(self.config)
            if run.is_finished
        )
        return listed


def build_server(config: ResearchConfig) -> ReportsServer:
    """The MCP server over the run folders of `config`'s data dir."""
    server = ReportsServer(config)
    _add_research_tool(server, LiveRuns(config))
    _add_report_tools(server, config)
    return server


def _finished(config: ResearchConfig, run_id: str) -> tuple[Path, Report]:
    """The run's folder and report; an unknown or unfinished run is the caller's error."""
    try:
        return load_finished_report(config, run_id)
    except DeepResearchError as error:
        raise ToolError(str(error)) from None


def _add_research_tool(server: ReportsServer, runs: LiveRuns) -> None:
    @server.tool()
    async def research(
        question: Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="What to research")],
        ctx: Context,
        depth: Annotated[Depth | None, Field(description="How far to research; default: routed")] = None,
        answers: Annotated[
            list[str] | None, Field(description="Answers to clarifying questions, in order; none: assumptions")
        ] = None,
        follow_up: Annotated[str | None, Field(description="The id of an earlier run this question follows up")] = None,
    ) -> ReportResult:
        """Research a question and return a report in which every [n] cites a passage that was really read.
        Progress arrives as notifications while it works (minutes on the embedded model)."""
        if not question.strip():
            raise ToolError("the question is empty")
        if follow_up:
            _finished(runs.config, follow_up)  # an unknown run is the caller's error, before any work
        run = runs.start(RunRequest(question.strip(), depth, follow_up, answers, is_interactive=False))
        queue = run.subscribe()
        seen = 0
        try:
            while (event := await queue.get()).kind not in (FINISHED, FAILED):
                if event.kind != "llm.reasoning":
                    seen += 1
                    await ctx.report_progress(seen, None, f"{event.kind}: {' '.join(event.message.split())}"[:300])
        finally:
            run.unsubscribe(queue)
        if run.status == "failed":
            raise ToolError(f"the run failed: {run.error}")
        folder, report = _finished(runs.config, run.run_id)
        return _report_result(report, run_parent(folder))


def _add_report_tools(server: ReportsServer, config: ResearchConfig) -> None:
    @server.tool()
    def list_reports(
        search: Annotated[str, Field(max_length=400, description="Words the question must contain")] = "",
        limit: Annotated[int, Field(ge=1, le=200)] = 20,
    ) -> list[RunItem]:
        """Past runs, newest first, each with its question, support score, tokens and the run it follows."""
        words = search.lower().split()
        matching = [run for run in list_runs(config) if all(word in run.question.lower() for word in words)]
        return [
            RunItem(
                run_id=run.run_id,
                question=run.question,
                started=run.started.isoformat(timespec="seconds"),
                finished=run.is_finished,
                support_score=run.support_score,
                tokens=run.tokens,
                follows=run.parent,
            )
            for run in matching[:limit]
        ]

    @server.tool()
    def read_report(run_id: Annotated[str, Field(min_length=1, max_length=200)]) -> ReportResult:
        """A finished report: markdown with [n] markers and references, and each citation's passage."""
        folder, report = _finished(config, run_id)
        return _report_result(report, run_parent(folder))

    @server.tool(name="verify_report")
    def verify_report(run_id: Annotated[str, Field(min_length=1, max_length=200)]) -> VerifyResult:
        """Re-check every citation of a report against the source text stored with it (no model involved)."""
        checks = recheck(*_finished(config, run_id))
        items = [
            CheckItem(
                number=check.citation.number,
                source=check.citation.title or check.citation.url,
                passage_in_source=check.is_passage_in_source,
                support=round(check.support, 4),
                verdict=check.verdict,
            )
            for check in checks
        ]
        verified = sum(check.is_verified for check in checks)
        return VerifyResult(run_id=run_id, verified=verified, total=len(checks), citations=items)

    @server.resource(f"{REPORT_SCHEME}{{run_id}}", mime_type="text/markdown", name="report")
    def report_resource(run_id: str) -> str:
        """A finished report's markdown."""
        try:
            return load_finished_report(config, run_id)[1].markdown
        except DeepResearchError as error:
            raise ResourceNotFoundError(str(error)) from None
