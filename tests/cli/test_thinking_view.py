"""What `--show-thinking` prints: each agent's reasoning in whole lines as they complete, never mixed."""

from __future__ import annotations

import io

from rich.console import Console

from deepresearch.progress import Event
from deepresearch.terminal_view import LiveView, PlainView


def delta(agent: str, text: str) -> Event:
    return Event(kind="llm.reasoning.delta", agent=agent, message=text, data={"role": "researcher"})


def whole(agent: str, text: str, streamed: bool) -> Event:
    return Event(kind="llm.reasoning", agent=agent, message=text, data={"role": "researcher", "streamed": streamed})


def test_plain_view_writes_each_agents_reasoning_in_its_own_lines_as_they_complete() -> None:
    out = io.StringIO()
    view = PlainView(out, show_thinking=True)
    view(delta("r1t1", "first I search for cat"))
    view(delta("r1t2", "kittens are a separate"))
    assert out.getvalue() == "", "no line is complete yet"
    view(delta("r1t1", " sleep studies.\nThen I read"))
    assert out.getvalue().count("thinking r1t1: first I search for cat sleep studies.") == 1
    view(delta("r1t2", " question.\n"))
    view(whole("r1t1", "first I search for cat sleep studies.\nThen I read", streamed=True))
    lines = [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines == [
        "thinking r1t1: first I search for cat sleep studies.",
        "thinking r1t2: kittens are a separate question.",
        "thinking r1t1: Then I read",  # the rest, when the call ends
    ]


def test_reasoning_that_did_not_stream_is_printed_whole_and_none_without_the_flag() -> None:
    shown, hidden = io.StringIO(), io.StringIO()
    for view in (PlainView(shown, show_thinking=True), PlainView(hidden)):
        view(whole("summarizer", "weighing\nthe sources", streamed=False))
        view(delta("r1t1", "a long thought\n"))
    assert "thinking summarizer: weighing the sources" in shown.getvalue()
    assert "thinking" not in hidden.getvalue()


def test_live_panel_shows_who_is_thinking_and_prints_finished_lines_above_it() -> None:
    out = io.StringIO()
    view = LiveView(Console(file=out, force_terminal=True, width=160), show_thinking=True)
    view(delta("r1t1", "comparing the two surveys\nthe second one"))
    panel = view._render()
    console = Console(file=io.StringIO(), width=160)
    console.print(panel)
    view.close()
    assert "r1t1 thinks: …comparing the two surveys the second one" in console.file.getvalue()  # type: ignore[attr-defined]
    assert "r1t1 ▸ comparing the two surveys" in out.getvalue()
