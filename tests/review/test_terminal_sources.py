"""The live panel lists sources as they are read: title, host and researcher, with the count."""

from __future__ import annotations

import re
from io import StringIO

from rich.console import Console

from deepresearch.progress import Event
from deepresearch.terminal_view import SOURCES_SHOWN, LiveView


def read(agent: str, n: int, host: str = "example.org") -> Event:
    url = f"https://{host}/page-{n}"
    return Event(
        kind="source.found",
        message=f"{agent}: read Page {n}",
        agent=agent,
        data={"url": url, "title": f"Page number {n}", "source_id": f"src_{n:012d}"},
    )


def panel_text(view: LiveView) -> str:
    console = Console(file=StringIO(), width=140, record=True)
    console.print(view._render())
    return console.export_text()


def test_the_panel_lists_each_source_read_with_its_host_and_researcher_and_counts_them() -> None:
    view = LiveView(Console(file=StringIO(), width=140))
    try:
        view(read("r1t1", 1))
        view(read("r1t2", 2, host="en.wikipedia.org"))
        view(read("r1t2", 2, host="en.wikipedia.org"))  # the same source read again counts once
        text = panel_text(view)
        assert "2 sources" in text and "sources read (2)" in text
        assert "Page number 1" in text and "example.org" in text
        line = next(line for line in text.splitlines() if "Page number 2" in line)
        assert "en.wikipedia.org" in line and "r1t2" in line

        for n in range(3, 12):
            view(read("r1t3", n))
        text = panel_text(view)
        assert "sources read (11)" in text and "11 sources" in text
        shown = [int(n) for n in re.findall(r"Page number (\d+)", text)]
        assert shown == list(range(12 - SOURCES_SHOWN, 12)), "the latest sources, oldest first"
    finally:
        view.close()
