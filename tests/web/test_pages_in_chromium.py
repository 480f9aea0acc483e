"""`deepresearch serve` in real Chromium: list → report → open [2]; start a run, watch it, answer its question.

The screenshots of the pages (1280×800) are written to the test's temporary folder; set
`REVIEW_SCREENSHOTS_TO=docs/screenshots` to refresh the committed ones in docs/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from deepresearch.api import aresearch
from deepresearch.config import ROLES, ResearchConfig, load_config
from deepresearch.reports import read_report
from deepresearch.testing import research_model, scripted_services
from deepresearch.web.app import create_app
from tests.graphs.helpers import run_graph
from tools.browser import QUIET_CHROMIUM_ARGS, find_chromium

pytestmark = pytest.mark.slow
VIEWPORT = {"width": 1280, "height": 800}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server_config() -> ResearchConfig:
    """Runs started from the page use the scripted model that asks one clarifying question."""
    return load_config(
        model="scripted:research-clarify", services_factory="deepresearch.testing.web:research_services", clarify=True
    )


@pytest.fixture
def base_url(server_config: ResearchConfig) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(server_config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def earlier_runs() -> str:
    """Three finished runs, one a follow-up of another; returns the id of the first."""
    first, _ = await run_graph("How long do cats sleep?")
    await run_graph("Why do cats hunt at dawn and dusk?")
    await aresearch(
        "Do kittens sleep more than adult cats?",
        config=load_config(clarify=False),
        chat_models={role: research_model(1) for role in ROLES},
        services=scripted_services(),
        follow_up=first.run_id,
    )
    return first.run_id


async def test_review_pages_and_a_live_run_in_real_chromium(base_url: str, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    first_id = await earlier_runs()
    report = read_report(load_config().runs_dir / first_id)
    cited = {c.number: c for c in report.citations}
    assert 2 in cited
    shots = tmp_path / "screenshots"
    shots.mkdir()
    executable = find_chromium(load_config())
    assert executable, "Chromium is installed by the test setup"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=QUIET_CHROMIUM_ARGS)
        page = await browser.new_page(viewport=VIEWPORT)

        await page.goto(base_url + "/")
        rows = page.locator("#runs tbody tr")
        await expect(rows).to_have_count(3)
        texts = await rows.all_inner_texts()
        parent = next(i for i, text in enumerate(texts) if report.question in text)
        assert "Do kittens sleep more than adult cats?" in texts[parent + 1], "a follow-up sits under its parent"
        await page.fill("#run-search", "dawn")
        await expect(page.locator("#runs tbody tr:visible")).to_have_count(1)
        await page.fill("#run-search", "")
        await page.screenshot(path=shots / "runs.png")

        await page.click(f"text={report.question}")
        await expect(page).to_have_url(f"{base_url}/runs/{first_id}")
        await page.locator(".body button.cite[data-n='2']").first.click()
        panel = page.locator("#citation-panel")
        await expect(panel).to_be_visible()
        passage = " ".join((await panel.locator("blockquote.passage").first.inner_text()).split())
        assert passage == " ".join(cited[2].passage.split())
        marked = [" ".join(text.split()) for text in await panel.locator("pre.source-text mark").all_inner_texts()]
        assert passage in marked, "the passage is marked in the stored source text"
        await expect(panel.locator("ul.sentences .support").first).to_be_visible()
        await page.click("#verify-again")
        await expect(page.locator("#verify-result")).to_contain_text(
            f"{len(report.citations)} of {len(report.citations)} citations verified"
        )
        await page.screenshot(path=shots / "report.png")

        await page.goto(f"{base_url}/runs/{first_id}/trace")
        await expect(page.locator("#timeline li.cat-phase").first).to_be_visible()
        await expect(page.locator("#timeline li.cat-model").first).to_contain_text(" in / ")
        await page.screenshot(path=shots / "trace.png")

        await page.goto(base_url + "/")
        await page.fill("form.ask textarea", "How long do cats sleep at night?")
        await page.click("form.ask button[type=submit]")
        await page.wait_for_url(f"{base_url}/live/*")
        await expect(page.locator("#events li").first).to_be_visible()
        question = page.locator("#clarify label").first
        await expect(question).to_have_text("Domestic cats or big cats?")
        await page.screenshot(path=shots / "live.png")
        await page.fill("#answer-0", "domestic cats")
        await page.click("#clarify button[type=submit]")
        await page.wait_for_url(f"{base_url}/runs/*", timeout=30_000)
        await expect(page.locator(".body")).to_contain_text(
            "Clarifying question: Domestic cats or big cats? — answer: domestic cats"
        )
        await browser.close()

    for shot in shots.iterdir():
        assert shot.read_bytes()[16:24] == (1280).to_bytes(4, "big") + (800).to_bytes(4, "big"), shot.name
    target = os.environ.get("REVIEW_SCREENSHOTS_TO")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in shots.iterdir():
            shutil.copy2(shot, Path(target) / shot.name)
