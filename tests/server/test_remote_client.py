"""deepresearch as a client of a LangGraph server (`--server`, `server=`): the run happens on `langgraph dev`,
the person answers the clarifying question here, and the report lands in the local run folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pexpect
import pytest
from langgraph_sdk import get_client

from deepresearch import api
from deepresearch.config import load_config
from deepresearch.progress import Event
from deepresearch.remote import RunNotOnServer

pytestmark = pytest.mark.slow

QUESTION = "How long do cats sleep?"
CLARIFYING_QUESTION = "Domestic cats or big cats?"


def _cli_env(project_root: Path) -> dict[str, str]:
    # Only the data dir: the models and tools are the server's.
    return {**os.environ, "PYTHONPATH": str(project_root)}


def test_cli_server_path_asks_here_and_writes_the_run_folder_here(langgraph_dev_url: str, project_root: Path) -> None:
    env = _cli_env(project_root)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "deepresearch.cli", QUESTION, "--server", langgraph_dev_url, "--json"],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 160),
    )
    child.expect("Domestic cats or big cats")
    child.sendline("big cats in zoos")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    [folder] = (Path(env["DEEPRESEARCH_DATA_DIR"]) / "runs").iterdir()
    report = json.loads((folder / "report.json").read_text())
    assert report["run_id"] == folder.name
    assert report["clarifications"] == [[CLARIFYING_QUESTION, "big cats in zoos"]]
    assert report["citations"] and (folder / "report.md").read_text() == report["markdown"]
    assert json.loads((folder / "config.json").read_text())["server"] == langgraph_dev_url
    kinds = [json.loads(line)["kind"] for line in (folder / "trace.jsonl").read_text().splitlines()]
    assert "clarify.asked" in kinds and "llm.call" in kinds and "researcher.done" in kinds
    stored = json.loads((folder / "sources" / "index.json").read_text())
    assert {c["source_id"] for c in report["citations"]} <= {s["id"] for s in stored}
    assert all((folder / "sources" / f"{s['id']}.txt").exists() for s in stored)

    # The folder names its server, so `resume` and `reports` need no --server.
    again = subprocess.run(
        [sys.executable, "-m", "deepresearch.cli", "resume", folder.name, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["markdown"] == report["markdown"]


async def test_api_resumes_a_server_run_waiting_for_an_answer_it_did_not_start(langgraph_dev_url: str) -> None:
    """A run another client started and left at the clarifying question: answered and fetched from here."""
    client = get_client(url=langgraph_dev_url)
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "research", input={"question": QUESTION})

    events: list[Event] = []
    report = await api.aresume(
        thread["thread_id"], server=langgraph_dev_url, answers=["Domestic cats"], on_event=events.append
    )
    assert report.clarifications == [(CLARIFYING_QUESTION, "Domestic cats")]
    assert [e.kind for e in events][0] == "clarify.asked" and "researcher.done" in {e.kind for e in events}
    assert api.load_report(thread["thread_id"]).model_dump() == report.model_dump()
    with pytest.raises(RunNotOnServer):
        await api.aresume(str(uuid.uuid4()), server=langgraph_dev_url)


async def test_api_server_argument_sends_its_per_run_settings(langgraph_dev_url: str) -> None:
    report = await api.aresearch(QUESTION, server=langgraph_dev_url, config=load_config(clarify=False), depth="deep")
    assert report.clarifications == [] and report.assumptions  # clarify=false reached the server
    assert "depth deep sized the research" in report.markdown  # and so did depth, given to this call only
    assert api.load_report(report.run_id).citations == report.citations
