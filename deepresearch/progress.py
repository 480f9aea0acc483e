"""Progress events: what the graph, agents and tools report while they work.

Events are plain records so they can be streamed through LangGraph's custom stream, written to a run's
trace, shown by the terminal view or handed to a Python callback. Components never print; they emit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

EventSink = Callable[["Event"], None]


class Event(BaseModel):
    """One thing that happened. `kind` is a dotted name such as `search.failover` or `llm.retry`."""

    kind: str
    message: str = ""
    agent: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def ignore_event(event: Event) -> None:
    """The sink used when nobody listens."""


class EventRecorder:
    """A sink that keeps every event in order; handy for tests and for writing a trace."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]
