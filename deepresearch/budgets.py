"""The run-wide budgets of time and pages, counted across every process a run has had.

Tokens are counted by the models' ledger (`deepresearch.llm`); the wall-time and page budgets are here.
A run killed and resumed spends one budget, not two. While a process works on a run, the run's total
research time is kept in its folder (`keeping_research_time`, a tick a second), so a process killed without
warning loses at most a tick; pages read (`source.found`) and tokens (`llm.call`) are in the run's trace.
`spent_before` reads both, and the resumed process's `RunClock`, `PageBudget` and token ledger start there.
The time between processes is not research time. Which limits stop all research is `RUN_STOPPERS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from deepresearch.errors import BudgetExceeded
from deepresearch.progress import Event
from deepresearch.schemas import StoppedBy, Usage

# The run-wide budgets: when one is spent, all research stops (a step limit ends only its researcher).
RUN_STOPPERS: tuple[StoppedBy, ...] = ("tokens", "time", "pages")
SESSION = "session.started"  # the first event of each process that works on a run
PAGE_READ = "source.found"  # one per page read into the run
MODEL_CALL = "llm.call"  # one per model call, with its token usage
RESEARCH_TIME_FILE = "research_time.json"  # in the run's folder: {"research_s": total so far}
TICK_S = 1.0


def run_stopper(limits_hit: Iterable[str]) -> StoppedBy | None:
    """The run-wide budget among `limits_hit` that stopped research, if any (in `RUN_STOPPERS` order)."""
    hit = set(limits_hit)
    return next((name for name in RUN_STOPPERS if name in hit), None)


@dataclass(frozen=True)
class Spent:
    """What earlier processes of a run used of its budgets."""

    research_s: float = 0.0
    pages: int = 0
    usage: Usage = field(default_factory=Usage)

    def session_event(self) -> Event:
        """The event that opens a process's work on a run, saying what it starts from."""
        if not (self.research_s or self.pages or self.usage.calls):
            return Event(kind=SESSION, message="research started")
        return Event(
            kind=SESSION,
            message=f"continuing: {self.research_s:.1f} s of research, {self.pages} page(s) and "
            f"{self.usage.total_tokens:,} tokens already spent",
            data={"research_s": round(self.research_s, 3), "pages": self.pages, "tokens": self.usage.total_tokens},
        )


def spent_before(trace: Sequence[Event], run_dir: Path) -> Spent:
    """What the processes recorded in `trace` and `run_dir` used: research time, pages read, tokens."""
    pages = sum(1 for event in trace if event.kind == PAGE_READ)
    usage = sum((Usage.model_validate(event.data) for event in trace if event.kind == MODEL_CALL), Usage())
    return Spent(research_s=read_research_time(run_dir), pages=pages, usage=usage)


def read_research_time(run_dir: Path) -> float:
    """The run's research time so far, as its last process left it (0 for a run that has none)."""
    try:
        return float(json.loads((run_dir / RESEARCH_TIME_FILE).read_text(encoding="utf-8"))["research_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0


def _write_research_time(run_dir: Path, research_s: float) -> None:
    target = run_dir / RESEARCH_TIME_FILE
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps({"research_s": round(research_s, 3)}), encoding="utf-8")
    os.replace(partial, target)  # a kill mid-write leaves the last whole value


@contextlib.asynccontextmanager
async def keeping_research_time(run_dir: Path, clock: RunClock, tick_s: float = TICK_S) -> AsyncIterator[None]:
    """While the block runs, `clock`'s total is written to the run's folder every `tick_s` and at the end."""

    async def tick() -> None:
        while True:
            _write_research_time(run_dir, clock.elapsed_s)
            await asyncio.sleep(tick_s)

    ticking = asyncio.create_task(tick())
    try:
        yield
    finally:
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking
        _write_research_time(run_dir, clock.elapsed_s)


class RunClock:
    """The run's wall-time budget (`max_time_s`), counting the research time earlier processes spent."""

    def __init__(self, max_time_s: float, *, earlier_s: float = 0.0) -> None:
        self.max_time_s = max_time_s
        self.earlier_s = earlier_s
        self._started = time.monotonic()

    @property
    def elapsed_s(self) -> float:
        """Research time of the whole run so far: earlier processes' and this one's."""
        return self.earlier_s + time.monotonic() - self._started

    def check_time(self) -> None:
        """Raise `BudgetExceeded("time")` once the run's research time is past its budget."""
        elapsed = self.elapsed_s
        if elapsed > self.max_time_s:
            raise BudgetExceeded("time", round(elapsed, 1), self.max_time_s)


class PageBudget:
    """The run's page limit (`max_pages`), shared by every researcher and every tool that reads a page.

    A page is taken before it is read and given back if the read fails, so failed reads cost nothing and
    parallel researchers cannot overshoot the limit. Pages earlier processes read count (`used`).
    """

    def __init__(self, limit: int, *, used: int = 0) -> None:
        self.limit = limit
        self._used = used
        self._lock = threading.Lock()  # researchers run on one event loop, tools may run in threads

    @property
    def used(self) -> int:
        return self._used

    def take(self) -> None:
        """Count one page about to be read; `BudgetExceeded("pages")` when the run's pages are spent."""
        with self._lock:
            if self._used >= self.limit:
                raise BudgetExceeded("pages", self._used, self.limit)
            self._used += 1

    def give_back(self) -> None:
        """Return a page whose read failed."""
        with self._lock:
            self._used = max(0, self._used - 1)
