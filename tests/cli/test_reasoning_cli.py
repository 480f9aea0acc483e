"""The terminal app on a reasoning model served on 127.0.0.1: `--show-thinking` shows reasoning while the
model is still thinking (through a pty), and a provider that dies mid-run ends in a partial report, exit
code 3 and a `resume` that completes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from deepresearch.testing import ResearchResponder
from deepresearch.testing.openai_server import ReasoningServer
from tests.llm.test_reasoning_runs import DiesOnceResearchStarts

pytestmark = pytest.mark.slow

QUESTION = "How long do cats sleep?"


def cli_env(server: ReasoningServer, project_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(project_root),
        "DEEPRESEARCH_MODEL": "openai:reasoner",
        "DEEPRESEARCH_OPENAI_BASE_URL": server.base_url,
        "DEEPRESEARCH_SERVICES_FACTORY": "deepresearch.testing.web:research_services",
        "DEEPRESEARCH_LLM_MAX_RETRIES": "0",
        "DEEPRESEARCH_CLARIFY": "false",
    }


@pytest.fixture
def server() -> Iterator[ReasoningServer]:
    running = ReasoningServer(ResearchResponder(tasks=2, dangling_first_draft=False)).start()
    yield running
    running.stop()


def test_show_thinking_prints_reasoning_while_the_model_is_still_thinking(
    server: ReasoningServer, project_root: Path
) -> None:
    hold = server.hold = threading.Event()  # the first call's answer waits until the test saw its reasoning
    env = cli_env(server, project_root)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "deepresearch.cli", QUESTION, "--show-thinking"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
    )
    try:
        child.expect("thinking-1: the question asks for facts", timeout=30)
        assert server.in_flight == 1 and len(server.requests) == 1, "shown while the first call is still open"
    finally:
        hold.set()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    runs = sorted((Path(env["DEEPRESEARCH_DATA_DIR"]) / "runs").iterdir(), key=lambda p: p.stat().st_mtime)
    report = json.loads((runs[-1] / "report.json").read_text())
    assert report["citations"] and "thinking-" not in report["markdown"]
    assert report["usage"]["reasoning_tokens"] > 0
    trace = [json.loads(line) for line in (runs[-1] / "trace.jsonl").read_text().splitlines()]
    assert any(e["kind"] == "llm.reasoning" and e["message"].startswith("thinking-1") for e in trace)


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepresearch.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_a_dead_provider_ends_in_a_partial_report_exit_3_and_resume_completes_it(project_root: Path) -> None:
    server = ReasoningServer(lambda messages, kwargs: "")
    server.responder = DiesOnceResearchStarts(server)
    server.start()
    try:
        env = cli_env(server, project_root)
        asked = run_cli(env, QUESTION, "--json")
        assert asked.returncode == 3, asked.stderr[-3000:]
        partial = json.loads(asked.stdout)
        assert "provider" in partial["limits_hit"] and partial["citations"]
        assert "openai:reasoner" in asked.stderr and f"deepresearch resume {partial['run_id']}" in asked.stderr
        assert "Traceback" not in asked.stderr
        server.fail_with = None
        resumed = run_cli(env, "resume", partial["run_id"], "--json")
    finally:
        server.stop()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    report = json.loads(resumed.stdout)
    assert "provider" not in report["limits_hit"] and report["citations"]
