"""The HTML export, rendered in real headless Chromium: every citation resolves and shows its passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepresearch.html_export import report_to_html
from tests.graphs.helpers import run_graph
from tools.browser import CHROMIUM_ARGS, find_chromium

pytestmark = pytest.mark.slow


async def test_every_citation_link_resolves_to_a_reference_with_its_passage(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    from deepresearch.config import load_config

    report, _ = await run_graph("How long do cats sleep?")
    assert report.citations
    page_file = tmp_path / "report.html"
    page_file.write_text(report_to_html(report), encoding="utf-8")

    executable = find_chromium(load_config())
    assert executable, "Chromium is installed by the test setup"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(page_file.as_uri())
        links = await page.eval_on_selector_all(
            "a.cite", "els => els.map(a => ({href: a.getAttribute('href'), title: a.title, text: a.textContent}))"
        )
        assert links, "the rendered report has citation links"
        numbers = {citation.number: citation for citation in report.citations}
        for link in links:
            number = int(link["text"].strip("[]"))
            assert link["href"] == f"#ref-{number}"
            entry = page.locator(link["href"])
            assert await entry.count() == 1, f"citation {number} points at no reference"
            passage = await entry.locator("blockquote.passage").inner_text()
            assert " ".join(passage.split()) == " ".join(numbers[number].passage.split())
        await page.click("a.cite >> nth=0")
        assert page.url.endswith(links[0]["href"])
        assert await page.locator("li:target").count() == 1
        assert len(await page.locator("ol.references > li").all()) == len(report.citations)
        await browser.close()
