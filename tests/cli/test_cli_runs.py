"""The terminal app end to end, as a person uses it: real subprocesses, the scripted model provider
selected by settings, the real tools and memory against a local test web on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.tools.local_site import LocalSite

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def test_web() -> Iterator[LocalSite]:
    site = LocalSite().start()
    results = [
        {"url": site.url("/fixtures/article.html"), "title": "Skerryvore Lighthouse", "content": "keepers"},
        {"url": site.url("/fixtures/notes.txt"), "title": "Notes", "content": "notes"},
    ]
    site.api_responses["/searxng/search"] = (200, {"query": "q", "results": results})
    yield site
    site.stop()


@pytest.fixture
def cli_env(test_web: LocalSite, project_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(project_root),
        "DEEPRESEARCH_MODEL": "scripted:research",
        "DEEPRESEARCH_SEARCH_PROVIDERS": "searxng",
        "DEEPRESEARCH_SEARXNG_URL": test_web.url("/searxng"),
        "DEEPRESEARCH_ALLOW_HOSTS": "127.0.0.1",
        "DEEPRESEARCH_ENCYCLOPEDIA": "false",
    }


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepresearch.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_question_to_reviewed_report(cli_env: dict[str, str], tmp_path: Path) -> None:
    asked = run_cli(cli_env, "Who kept the Skerryvore lighthouse?", "--no-clarify", "--json")
    assert asked.returncode == 0, asked.stderr[-3000:]
    report = json.loads(asked.stdout)
    run_id = report["run_id"]
    folder = Path(cli_env["DEEPRESEARCH_DATA_DIR"]) / "runs" / run_id
    for name in ("report.md", "report.json", "trace.jsonl", "config.json", "sources/index.json"):
        assert (folder / name).exists(), name
    assert report["citations"], "the run should cite what it read"
    fetched = {source["id"] for source in report["sources"]}
    assert all(citation["source_id"] in fetched for citation in report["citations"])
    assert run_id in asked.stderr, "the footer names the run"

    listed = run_cli(cli_env, "reports", "list")
    assert listed.returncode == 0 and run_id in listed.stdout

    shown = run_cli(cli_env, "reports", "show", run_id)
    assert shown.returncode == 0 and "[1]" in shown.stdout

    verified = run_cli(cli_env, "reports", "verify", run_id)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{len(report['citations'])} of {len(report['citations'])} citations verified" in verified.stdout

    target = tmp_path / "report.html"
    exported = run_cli(cli_env, "reports", "export", run_id, "--html", "--out", str(target))
    assert exported.returncode == 0, exported.stderr
    assert '<a class="cite" href="#ref-1"' in target.read_text()


def test_clarifying_question_is_asked_and_answered_in_a_terminal(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "DEEPRESEARCH_MODEL": "scripted:research-clarify"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "deepresearch.cli", "How long do cats sleep?", "--json"],
        env=env,
        encoding="utf-8",
        timeout=240,
        dimensions=(40, 160),
    )
    child.expect("Domestic cats or big cats")
    child.sendline("big cats in zoos")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    runs = sorted((Path(env["DEEPRESEARCH_DATA_DIR"]) / "runs").iterdir(), key=lambda p: p.stat().st_mtime)
    report = json.loads((runs[-1] / "report.json").read_text())
    assert ["Domestic cats or big cats?", "big cats in zoos"] in report["clarifications"]
    assert "big cats in zoos" in report["markdown"]
