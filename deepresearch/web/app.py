"""The review pages: a Starlette app rendering the run folders, and starting and watching runs.

Pages are rendered on the server (Jinja2); one small script (`static/app.js`) opens citations, posts
"verify again", filters lists and follows a live run over server-sent events. Runs started here are
driven by `deepresearch.live_runs` and stream the same events the terminal view shows; a clarifying
question appears in the page and is answered there. Every request passes `security.AccessGuard`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, get_args

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from deepresearch.config import Depth, ResearchConfig
from deepresearch.live_runs import FAILED, FINISHED, LiveRuns, RunRequest
from deepresearch.reports import REPORT_JSON, read_report, run_parent
from deepresearch.review import relevance_of, verify_report
from deepresearch.threads import threaded
from deepresearch.web import catalog
from deepresearch.web.security import AccessGuard

HERE = Path(__file__).parent
MAX_QUESTION_CHARS = 8000
DEPTHS = frozenset(get_args(Depth))


def create_app(config: ResearchConfig, *, token: str | None = None) -> AccessGuard:
    """The whole app, behind the access rules; `token` is required by `check_bind` beyond loopback."""
    pages = Pages(config)
    routes = [
        Route("/", pages.runs),
        Route("/runs", pages.start, methods=["POST"]),
        Route("/runs/{run_id}", pages.report),
        Route("/runs/{run_id}/citations/{number:int}", pages.citation),
        Route("/runs/{run_id}/verify", pages.verify, methods=["POST"]),
        Route("/runs/{run_id}/trace", pages.trace),
        Route("/live/{run_id}", pages.live),
        Route("/live/{run_id}/events", pages.live_events),
        Route("/live/{run_id}/answers", pages.answers, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return AccessGuard(Starlette(routes=routes), token=token)


class Pages:
    """The route handlers, over one data dir and the runs this server started."""

    def __init__(self, config: ResearchConfig) -> None:
        self.config = config
        self.live_runs = LiveRuns(config)
        self.templates = Jinja2Templates(directory=HERE / "templates")

    def _folder(self, run_id: str) -> Path:
        try:
            return catalog.run_folder(self.config, run_id)
        except catalog.OutsideDataDir:
            raise HTTPException(404, f"no run {run_id!r} in this data dir") from None

    def _finished(self, run_id: str) -> tuple[Path, Any]:
        folder = self._folder(run_id)
        if not (folder / REPORT_JSON).is_file():
            raise HTTPException(404, f"run {run_id!r} has no report yet")
        return folder, read_report(folder)

    def _render(self, request: Request, name: str, status_code: int = 200, **values: Any) -> Response:
        return self.templates.TemplateResponse(request, name, values, status_code=status_code)

    async def runs(self, request: Request) -> Response:
        search = request.query_params.get("q", "")[:400]
        rows = threaded(catalog.listed_runs(self.config, search))
        running = {run_id for run_id, run in self.live_runs.runs.items() if not run.is_done}
        return self._render(request, "runs.html", rows=rows, search=search, running=running, depths=sorted(DEPTHS))

    async def start(self, request: Request) -> Response:
        form = await request.form()
        question = " ".join(str(form.get("question", "")).split())
        depth = str(form.get("depth", "")) or None
        follow_up = str(form.get("follow_up", "")) or None
        problem = ""
        if not question or len(question) > MAX_QUESTION_CHARS:
            problem = f"the question must have 1 to {MAX_QUESTION_CHARS:,} characters"
        elif depth is not None and depth not in DEPTHS:
            problem = f"unknown depth {depth!r}"
        elif follow_up is not None:
            self._finished(follow_up)  # 404 for an unknown run, before any work
        if problem:
            return self._render(request, "error.html", 400, message=problem)
        run = self.live_runs.start(RunRequest(question, depth, follow_up))  # type: ignore[arg-type]
        return RedirectResponse(f"/live/{run.run_id}", status_code=303)

    async def report(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        live = self.live_runs.get(run_id)
        if live is not None and not live.is_done:
            return RedirectResponse(f"/live/{run_id}", status_code=303)
        folder = self._folder(run_id)
        if not (folder / REPORT_JSON).is_file():
            return self._render(request, "error.html", 404, message=f"run {run_id} has no report yet", run_id=run_id)
        report = read_report(folder)
        follow_ups = [run for run in catalog.listed_runs(self.config) if run.parent == run_id]
        return self._render(
            request,
            "report.html",
            report=report,
            body=catalog.body_html(report),
            parent=run_parent(folder),
            follow_ups=follow_ups,
            relevance=relevance_of(report),
        )

    async def citation(self, request: Request) -> Response:
        folder, report = self._finished(request.path_params["run_id"])
        view = catalog.citation_view(folder, report, request.path_params["number"])
        if view is None:
            raise HTTPException(404, "no such citation")
        return self._render(request, "citation.html", view=view)

    async def verify(self, request: Request) -> Response:
        folder, report = self._finished(request.path_params["run_id"])
        checks = verify_report(folder, report)
        return self._render(request, "verify.html", checks=checks, verified=sum(c.is_verified for c in checks))

    async def trace(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        rows = catalog.timeline(self._folder(run_id))
        categories = ["phase", "search", "read", "correction", "model", "other"]
        tokens = sum(row.tokens or 0 for row in rows)
        return self._render(request, "trace.html", run_id=run_id, rows=rows, categories=categories, tokens=tokens)

    async def live(self, request: Request) -> Response:
        run = self.live_runs.get(request.path_params["run_id"])
        if run is None:
            return RedirectResponse(f"/runs/{self._folder(request.path_params['run_id']).name}", status_code=303)
        return self._render(request, "live.html", run=run)

    async def live_events(self, request: Request) -> Response:
        run = self.live_runs.get(request.path_params["run_id"])
        if run is None:
            raise HTTPException(404, "no run of this server with that id")
        queue = run.subscribe()

        async def stream() -> AsyncIterator[dict[str, str]]:
            try:
                while True:
                    event = await queue.get()
                    if event.kind == "llm.reasoning":
                        continue
                    yield {"data": json.dumps(event.model_dump(mode="json"))}
                    if event.kind in (FINISHED, FAILED):
                        return
            finally:
                run.unsubscribe(queue)

        return EventSourceResponse(stream(), ping=15)

    async def answers(self, request: Request) -> Response:
        run = self.live_runs.get(request.path_params["run_id"])
        if run is None:
            raise HTTPException(404, "no run of this server with that id")
        form = await request.form()
        given = [str(value) for value in form.getlist("answer")]
        if not run.answer(given):
            raise HTTPException(409, "no question is waiting for an answer")
        return Response(status_code=204)
