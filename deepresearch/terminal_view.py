"""What a person sees while a run works: a live panel on a terminal, one line per event otherwise.

The view only reads events; it never drives the run. It keeps the latest action of each researcher, the
phase, the sources read so far (title, host, which researcher read each), counts of self-corrections,
token use and elapsed time. Reasoning text is shown only when asked for (`--show-thinking`): as it
streams (`llm.reasoning.delta` events), per agent, in whole lines (parallel agents think at once, so their
words are kept apart by agent and never interleaved mid-line), and a call's whole reasoning
(`llm.reasoning`) when it did not stream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import urlsplit

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from deepresearch.progress import Event

_CORRECTION_KINDS = {"llm.structured_retry", "llm.retry", "llm.action_retry", "llm.fallback", "search.failover"}
SOURCES_SHOWN = 6  # the live panel lists the latest sources read; the header counts them all


@dataclass(frozen=True)
class SourceRead:
    """One source as the panel lists it: what it is, where it is from, and which researcher read it."""

    title: str
    host: str
    agent: str

    @classmethod
    def from_event(cls, event: Event) -> SourceRead:
        url = str(event.data.get("url", ""))
        host = urlsplit(url).hostname or ("local" if url else "")
        return cls(title=str(event.data.get("title") or url), host=host, agent=event.agent or "")


LINE_CHARS = 110  # a thinking line is written once it is this long (cut at a space) or has a line break
THINKING_TAIL_CHARS = 90


def thinker(event: Event) -> str:
    """Who is thinking: the agent (a researcher's id), else the role."""
    return event.agent or str(event.data.get("role") or "model")


class ThinkingLines:
    """Reasoning deltas per agent, handed out as whole lines as soon as they are complete."""

    def __init__(self) -> None:
        self._pending: dict[str, str] = {}

    def add(self, agent: str, text: str) -> list[str]:
        buffer = self._pending.get(agent, "") + text
        lines: list[str] = []
        while True:
            cut = buffer.find("\n")
            if cut < 0 and len(buffer) >= LINE_CHARS:
                cut = buffer.rfind(" ", 0, LINE_CHARS)
                cut = cut if cut > 0 else LINE_CHARS
            if cut < 0:
                break
            line = buffer[:cut].strip()
            buffer = buffer[cut + 1 :] if buffer[cut : cut + 1] in {"\n", " "} else buffer[cut:]
            if line:
                lines.append(line)
        self._pending[agent] = buffer
        return lines

    def finish(self, agent: str) -> list[str]:
        """The rest of `agent`'s reasoning, at the end of its call."""
        rest = self._pending.pop(agent, "").strip()
        return [rest] if rest else []

    def lines_for(self, event: Event) -> list[str]:
        """The lines a reasoning event completes: a delta's whole lines; at the end of a streamed call, the
        rest; the whole reasoning of a call that did not stream."""
        agent = thinker(event)
        if event.kind == "llm.reasoning.delta":
            return self.add(agent, event.message)
        if event.data.get("streamed"):
            return self.finish(agent)
        return [" ".join(event.message.split())]


def is_correction(event: Event) -> bool:
    return event.kind in _CORRECTION_KINDS or "correct" in event.kind or event.kind.endswith(".error")


class ProgressState:
    """The numbers the view shows, folded from events."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.phase = "starting"
        self.actions: dict[str, str] = {}
        self.sources = 0
        self.read: dict[str, SourceRead] = {}  # source id → the first read of it, in reading order
        self.corrections = 0
        self.tokens = 0
        self.run_id: str | None = None
        self.last_reasoning = ""
        self.thinking: dict[str, str] = {}  # agent → the tail of its reasoning in the current call

    def apply(self, event: Event) -> None:
        self.run_id = str(event.data.get("run_id") or self.run_id or "") or None
        if event.kind.startswith("phase"):
            self.phase = event.message or event.kind.removeprefix("phase.")
        if event.kind == "llm.call":
            self.tokens += int(event.data.get("input_tokens", 0)) + int(event.data.get("output_tokens", 0))
        elif event.kind == "llm.reasoning":
            self.last_reasoning = event.message
            self.thinking.pop(thinker(event), None)
        elif event.kind == "llm.reasoning.delta":
            tail = self.thinking.get(thinker(event), "") + event.message
            self.thinking[thinker(event)] = tail[-THINKING_TAIL_CHARS * 2 :]
        elif event.agent:
            self.actions[event.agent] = event.message or event.kind
        if event.kind == "source.found":
            source_id = str(event.data.get("source_id") or event.data.get("url") or len(self.read))
            self.read.setdefault(source_id, SourceRead.from_event(event))
            self.sources = len(self.read)
        if is_correction(event):
            self.corrections += 1

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started


class PlainView:
    """One line per event, for logs and pipes."""

    def __init__(self, stream: TextIO, *, show_thinking: bool = False) -> None:
        self.stream = stream
        self.show_thinking = show_thinking
        self.state = ProgressState()
        self._lines = ThinkingLines()

    def __call__(self, event: Event) -> None:
        self.state.apply(event)
        if event.kind.startswith("llm.reasoning"):
            if self.show_thinking:
                self._think(event)
            return
        who = f" {event.agent}" if event.agent else ""
        text = " ".join(event.message.split()) if event.message else ""
        self._write(f"{event.kind}{who}: {text}")

    def _think(self, event: Event) -> None:
        for line in self._lines.lines_for(event):
            self._write(f"thinking {thinker(event)}: {line}")

    def _write(self, text: str) -> None:
        self.stream.write(f"[{self.state.elapsed_s:7.1f}s] {text}\n")
        self.stream.flush()

    def pause(self) -> None:
        """Nothing to pause: lines do not fight with prompts."""

    def resume(self) -> None:
        """See `pause`."""

    def close(self) -> None:
        """Nothing to close."""


class LiveView:
    """A Rich live panel; `pause()`/`resume()` around prompts so questions are readable."""

    def __init__(self, console: Console, *, show_thinking: bool = False) -> None:
        self.console = console
        self.show_thinking = show_thinking
        self.state = ProgressState()
        self._lines = ThinkingLines()
        self._live = Live(self._render(), console=console, refresh_per_second=4, transient=True)
        self._live.start()

    def _render(self) -> Group:
        state = self.state
        header = Text.assemble(
            ("deepresearch ", "bold"),
            (f"{state.phase}", "cyan"),
            f"  ·  {state.elapsed_s:5.0f}s  ·  {state.tokens:,} tokens  ·  {state.sources} sources"
            f"  ·  {state.corrections} self-corrections",
        )
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column("agent", width=14, no_wrap=True)
        table.add_column("doing", overflow="ellipsis", no_wrap=True)
        for agent, action in list(state.actions.items())[-8:]:
            table.add_row(agent, " ".join(action.split()))
        parts: list[Text | Table] = [header, table]
        if state.read:
            parts.append(self._sources_table())
        if self.show_thinking:  # who is thinking right now, and the last words of it
            for agent, tail in list(state.thinking.items())[-8:]:
                words = " ".join(tail.split())[-THINKING_TAIL_CHARS:]
                parts.append(Text(f"{agent} thinks: …{words}", style="dim italic"))
        return Group(*parts)

    def _sources_table(self) -> Table:
        read = list(self.state.read.values())
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column(f"sources read ({len(read)})", overflow="ellipsis", no_wrap=True, ratio=3)
        table.add_column("from", overflow="ellipsis", no_wrap=True, ratio=1)
        table.add_column("read by", width=14, no_wrap=True)
        for source in read[-SOURCES_SHOWN:]:
            table.add_row(" ".join(source.title.split()), source.host, source.agent)
        return table

    def __call__(self, event: Event) -> None:
        self.state.apply(event)
        if self.show_thinking and event.kind.startswith("llm.reasoning"):
            self._print_thinking(event)
        self._live.update(self._render())

    def _print_thinking(self, event: Event) -> None:
        """Whole lines above the panel, as they complete, so the reasoning stays readable after the run."""
        for line in self._lines.lines_for(event):
            self._live.console.print(Text(f"{thinker(event)} ▸ {line}", style="dim italic"))

    def pause(self) -> None:
        self._live.stop()

    def resume(self) -> None:
        self._live.start()

    def close(self) -> None:
        self._live.stop()
