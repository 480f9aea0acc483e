"""PDF export through real Chromium: the PDF's text holds every `[n]` and every reference."""

from __future__ import annotations

import asyncio
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from deepresearch.cli import main
from deepresearch.config import load_config
from deepresearch.reports import body_without_references
from tests.graphs.helpers import run_graph

pytestmark = pytest.mark.slow


def squeezed(text: str) -> str:
    """Text without whitespace: PDF text breaks lines (and long URLs) where the page did."""
    return "".join(text.split())


async def test_the_pdf_text_holds_every_citation_and_every_reference(tmp_path: Path) -> None:
    report, _ = await run_graph()
    assert len(report.citations) >= 2
    target = tmp_path / "out" / "report.pdf"
    command = ["reports", "export", report.run_id, "--pdf", "--out", str(target)]
    assert await asyncio.to_thread(main, command) == 0  # the CLI runs its own event loop

    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    flat = squeezed(text)
    body = squeezed(body_without_references(report.markdown))
    for citation in report.citations:
        assert f"[{citation.number}]" in body
        assert f"[{citation.number}]" in flat, f"[{citation.number}] is missing from the PDF"
        assert squeezed(citation.title) in flat, f"reference {citation.number} ({citation.title}) is missing"
        assert squeezed(citation.url) in flat, f"the URL of reference {citation.number} is missing"
        assert squeezed(citation.passage)[:60] in flat, f"the passage of reference {citation.number} is missing"

    both = ["reports", "export", report.run_id, "--html", "--pdf"]  # both formats, beside the run's report
    assert await asyncio.to_thread(main, both) == 0
    folder = load_config().runs_dir / report.run_id
    assert (folder / "report.html").read_text().startswith("<!")
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")


def test_a_pdf_of_an_unknown_run_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reports", "export", "no-such-run", "--pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no run with id 'no-such-run'" in err
