"""The research graph served by `langgraph dev` (the in-memory LangGraph server), driven with langgraph-sdk.

The server runs as a real subprocess on 127.0.0.1 with the scripted model provider and scripted tools
selected by settings; the clarify interrupt is answered through the server's resume API.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_client

pytestmark = pytest.mark.slow

QUESTION = "How long do cats sleep?"
CLARIFYING_QUESTION = "Domestic cats or big cats?"
STARTUP_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(project_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(project_root),
        "DEEPRESEARCH_MODEL": "scripted:research-clarify",
        "DEEPRESEARCH_SERVICES_FACTORY": "tests.scripts:research_services",
        "DEEPRESEARCH_MAX_ROUNDS": "1",
        # Nothing leaves the machine: no tracing, no CLI analytics, no browser.
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "LANGSMITH_API_KEY": "",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "BROWSER": "true",
    }


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"langgraph dev exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"langgraph dev did not answer within {STARTUP_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


@pytest.fixture
def langgraph_dev(project_root: Path, tmp_path: Path) -> Iterator[str]:
    """`langgraph dev` on a free loopback port; its in-memory state files land in the test's own cwd."""
    port = _free_port()
    log = tmp_path / "langgraph-dev.log"
    command = [
        str(Path(sys.executable).with_name("langgraph")),
        "dev",
        "--config",
        str(project_root / "langgraph.json"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
        "--no-reload",
        "--n-jobs-per-worker",
        "2",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=_server_env(project_root), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def test_run_through_langgraph_dev_answers_clarification_and_returns_report(langgraph_dev: str) -> None:
    client = get_client(url=langgraph_dev)
    thread = await client.threads.create()
    thread_id = thread["thread_id"]

    first = await client.runs.create(thread_id, "research", input={"question": QUESTION})
    await client.runs.join(thread_id, first["run_id"])
    paused = await client.threads.get_state(thread_id)
    interrupts = [i for task in paused["tasks"] for i in task.get("interrupts", [])]
    assert [i["value"]["questions"] for i in interrupts] == [[CLARIFYING_QUESTION]], paused

    resumed = await client.runs.create(thread_id, "research", command={"resume": ["Domestic cats"]})
    await client.runs.join(thread_id, resumed["run_id"])
    finished = await client.threads.get_state(thread_id)
    assert not finished["next"]
    report = finished["values"]["report"]
    assert report["question"] == QUESTION
    assert report["clarifications"] == [[CLARIFYING_QUESTION, "Domestic cats"]]
    assert report["citations"], report["markdown"]
    assert "[1]" in report["markdown"]
    run = await client.runs.get(thread_id, resumed["run_id"])
    assert run["status"] == "success"


async def test_client_settings_reach_the_run_as_context(langgraph_dev: str) -> None:
    """A client's per-run `context` is the served graph's context schema; clarify=false skips the question."""
    client = get_client(url=langgraph_dev)
    [assistant] = await client.assistants.search(graph_id="research")
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    assert {"clarify", "model", "max_agents"} <= set(schemas["context_schema"]["properties"])
    assert "services_factory" not in schemas["context_schema"]["properties"]
    thread = await client.threads.create()
    result = await client.runs.wait(
        thread["thread_id"], "research", input={"question": QUESTION}, context={"clarify": False}
    )
    assert isinstance(result, dict)
    report = result["report"]
    assert report["clarifications"] == []
    assert report["assumptions"], report
