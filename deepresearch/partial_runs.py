"""Runs a dead model provider stopped: how their end is recorded, and where `resume` picks them up again.

When every attempt at a role's model fails, the graph stops research as at a spent budget and writes the
report from what was read (`ProviderUnavailable`, limit "provider"). The run's trace then ends with a
`run.partial` event naming the failed models and the moment of the first failure; a run that ends well
ends with `run.finished`. Resuming a partial run forks its thread from the last checkpoint taken before the
first failure (LangGraph time travel), so every step the failure touched runs again on a provider that now
answers, and the steps before it are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from deepresearch.progress import Event

PARTIAL = "run.partial"
FINISHED = "run.finished"
PROVIDER_FAILED = "llm.provider_failed"
# Exit code of a run that a model provider stopped (its report is partial): distinct from bad input (2).
EXIT_PROVIDER_FAILED = 3


def run_end(failures: Sequence[Event]) -> Event:
    """The event that closes a run in its trace: partial when a provider failed, else finished."""
    if not failures:
        return Event(kind=FINISHED, message="the run finished")
    failed = {model: reason for event in failures for model, reason in dict(event.data.get("failures") or {}).items()}
    return Event(
        kind=PARTIAL,
        message="a model provider failed on every attempt: " + "; ".join(f"{m}: {r}" for m, r in failed.items()),
        data={"reason": "provider", "failures": failed, "failed_at": failures[0].at.isoformat()},
    )


def failure_moment(trace: Sequence[Event]) -> datetime | None:
    """When the provider first failed, if the run's last end was partial; else None."""
    ends = [event for event in trace if event.kind in {PARTIAL, FINISHED}]
    if not ends or ends[-1].kind != PARTIAL:
        return None
    return datetime.fromisoformat(str(ends[-1].data["failed_at"]))


async def checkpoint_before(graph: Any, thread: Any, moment: datetime) -> Any | None:
    """The config of the newest checkpoint of `thread` taken before `moment` that still had work to do."""
    async for snapshot in graph.aget_state_history(thread):  # newest first
        created = datetime.fromisoformat(snapshot.created_at) if snapshot.created_at else None
        if created is not None and created < moment and snapshot.next:
            return snapshot.config
    return None
