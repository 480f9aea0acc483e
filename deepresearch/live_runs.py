"""Runs started by the review pages and the MCP server, watched live from their own event loop.

A `LiveRun` drives `deepresearch.api.aresearch` in a worker thread with its own event loop, so a model
that computes on the CPU (the embedded llama.cpp model) never stalls the server that shows the run. Every
event the run emits (the same `Event` stream the terminal view reads) is handed to the server's loop,
kept in order for late subscribers and pushed to each subscriber's queue. A clarifying question parks
the run until `answer()` is called from the server's loop; answers given up front never ask. The run
leaves its folder like any other run: the pages read it from there once it is done.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from deepresearch import partial_runs
from deepresearch.config import Depth, ResearchConfig
from deepresearch.errors import DeepResearchError
from deepresearch.progress import Event

Status = Literal["running", "asking", "finished", "failed"]
FINISHED = partial_runs.FINISHED  # the last event of a run that wrote its report
FAILED = "run.failed"  # the last event of a run that ended without one


@dataclass(frozen=True)
class RunRequest:
    """What to research: a question, optionally a depth, the run it follows up, and answers up front."""

    question: str
    depth: Depth | None = None
    follow_up: str | None = None
    answers: Sequence[str] | None = None
    # With no answers up front: True parks the run at a clarifying question until `LiveRun.answer`; False
    # lets the clarifier record its assumptions instead (a caller that cannot be asked).
    is_interactive: bool = True

    @property
    def asks_live(self) -> bool:
        return self.answers is None and self.is_interactive


@dataclass
class LiveRun:
    """One run in a worker thread; all attributes are read and written on the owner's event loop only."""

    run_id: str
    request: RunRequest
    events: list[Event] = field(default_factory=list)
    status: Status = "running"
    questions: list[str] = field(default_factory=list)  # the clarifying questions waiting for answers
    error: str = ""
    _subscribers: list[asyncio.Queue[Event]] = field(default_factory=list)
    _pending: concurrent.futures.Future[list[str]] | None = None

    @property
    def is_done(self) -> bool:
        return self.status in ("finished", "failed")

    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue that first replays every event so far, then receives each new one."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        for event in self.events:
            queue.put_nowait(event)
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    def answer(self, answers: Sequence[str]) -> bool:
        """Answer the pending clarifying questions; False when none are pending (already answered)."""
        pending = self._pending
        if pending is None or pending.done():
            return False
        self._pending = None
        self.status, self.questions = "running", []
        pending.set_result([a.strip() for a in answers])
        return True

    def publish(self, event: Event) -> None:
        self.events.append(event)
        if event.kind == "clarify.asked" and self.request.asks_live:
            self.status, self.questions = "asking", list(event.data.get("questions", []))
        elif event.kind in (FINISHED, FAILED):
            self.status = "finished" if event.kind == FINISHED else "failed"
            self.error = event.message if event.kind == FAILED else ""
        for queue in self._subscribers:
            queue.put_nowait(event)


class LiveRuns:
    """The runs this process started, by id; each runs in its own daemon thread (a killed server leaves
    resumable runs behind, like a killed terminal)."""

    def __init__(self, config: ResearchConfig) -> None:
        self.config = config
        self.runs: dict[str, LiveRun] = {}

    def start(self, request: RunRequest) -> LiveRun:
        """Start `request` now; returns at once. Must be called on the loop that will watch the run."""
        from deepresearch.api import new_run_id

        loop = asyncio.get_running_loop()
        run = LiveRun(run_id=new_run_id(), request=request)
        self.runs[run.run_id] = run
        thread = threading.Thread(
            target=self._drive, args=(run, loop), name=f"deepresearch-run-{run.run_id}", daemon=True
        )
        thread.start()
        return run

    def get(self, run_id: str) -> LiveRun | None:
        return self.runs.get(run_id)

    def _drive(self, run: LiveRun, loop: asyncio.AbstractEventLoop) -> None:
        from deepresearch.api import aresearch

        def on_event(event: Event) -> None:
            _deliver(loop, run.publish, event)

        async def on_clarify(questions: list[str]) -> list[str]:
            pending: concurrent.futures.Future[list[str]] = concurrent.futures.Future()

            def park(_: Event) -> None:
                run._pending = pending

            _deliver(loop, park, Event(kind="clarify.waiting"))
            return await asyncio.wrap_future(pending)

        request = run.request
        config = self.config.model_copy(update={"depth": request.depth}) if request.depth else self.config
        try:
            report = asyncio.run(
                aresearch(
                    request.question,
                    config=config,
                    run_id=run.run_id,
                    follow_up=request.follow_up,
                    answers=list(request.answers) if request.answers is not None else None,
                    on_clarify=on_clarify if request.asks_live else None,
                    on_event=on_event,
                )
            )
        except DeepResearchError as error:
            _deliver(loop, run.publish, Event(kind=FAILED, message=str(error)))
            return
        except Exception as error:  # noqa: BLE001 — the page shows the failure; the thread must not die silently
            _deliver(loop, run.publish, Event(kind=FAILED, message=f"internal error: {type(error).__name__}: {error}"))
            return
        done = Event(kind=FINISHED, message=f"support {report.support_score:.2f}", data={"run_id": report.run_id})
        _deliver(loop, run.publish, done)


def _deliver(loop: asyncio.AbstractEventLoop, handler: Callable[[Event], None], event: Event) -> None:
    """Hand `event` to the watching loop; once that loop has closed (its server stopped) nobody is watching,
    and the run goes on writing its folder."""
    try:
        loop.call_soon_threadsafe(handler, event)
    except RuntimeError:
        if not loop.is_closed():
            raise
