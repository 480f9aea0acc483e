"""Run checkpoints in a real PostgreSQL (`checkpoint_url`): a run lands there, and a run killed mid-research
resumes from Postgres in a new process without re-running the researcher that had finished."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from deepresearch.api import aresearch
from deepresearch.config import ROLES, load_config
from tests.scripts import research_model, scripted_services

pytestmark = pytest.mark.slow

QUESTION = "How long do cats sleep?"


def _checkpoints_of(url: str, thread_id: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread_id,)).fetchone()
    return int(row[0]) if row else 0


async def test_research_checkpoints_in_postgres_and_not_sqlite(postgres_url: str, tmp_path: Path) -> None:
    config = load_config(checkpoint_url=postgres_url, data_dir=tmp_path / "data", clarify=True)
    model = research_model(1, clarify=True)
    report = await aresearch(
        QUESTION,
        config=config,
        run_id="pg-run",
        answers=["Domestic cats"],
        chat_models={role: model for role in ROLES},
        services=scripted_services(),
    )
    assert report.citations and report.clarifications == [("Domestic cats or big cats?", "Domestic cats")]
    assert _checkpoints_of(postgres_url, "pg-run") > 0
    assert not config.checkpoint_path.exists()
    assert postgres_url not in (tmp_path / "data" / "runs" / "pg-run" / "config.json").read_text()


def _spawn(project_root: Path, env: dict[str, str], args: list[str]) -> subprocess.Popen[str]:
    code = (
        "import sys; from deepresearch import api\n"
        "if sys.argv[1] == 'run': r = api.research('How long do cats sleep?', run_id=sys.argv[2])\n"
        "else: r = api.resume(sys.argv[2])\n"
        "print('SUPPORT', r.support_score, len(r.citations))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=project_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_run_killed_mid_research_resumes_from_postgres_in_a_new_process(
    postgres_url: str, project_root: Path, tmp_path: Path
) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "calls.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPRESEARCH_")}
    env |= {
        "DEEPRESEARCH_DATA_DIR": str(data_dir),
        "DEEPRESEARCH_CHECKPOINT_URL": postgres_url,
        "DEEPRESEARCH_MODEL": "scripted:research",
        "DEEPRESEARCH_SERVICES_FACTORY": "tests.scripts:research_services",
        "DEEPRESEARCH_CLARIFY": "false",
        "DR_TEST_CALL_LOG": str(log),
        "PYTHONPATH": str(project_root),
    }
    # Task 2 fetches cat-hunting first: that fetch hangs, so the run is killed with researcher 1 done.
    first = _spawn(project_root, env | {"DR_TEST_SLOW_URL": "https://example.org/cat-hunting"}, ["run", "pgkill"])
    trace = data_dir / "runs" / "pgkill" / "trace.jsonl"
    task1 = "Find out about cats sleep hours (1)"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines() if log.exists() else []
        if lines.count(task1) >= 3 and trace.exists() and '"researcher.done"' in trace.read_text():
            break
        time.sleep(0.1)
    else:
        first.kill()
        raise AssertionError(f"first run never finished researcher 1: {first.communicate()}")
    time.sleep(0.5)  # let the finished branch's writes reach the checkpoint
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert _checkpoints_of(postgres_url, "pgkill") > 0
    before = log.read_text().splitlines()

    second = _spawn(project_root, env, ["resume", "pgkill"])
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "SUPPORT" in out
    after = log.read_text().splitlines()[len(before) :]
    assert task1 not in after  # the finished researcher was not re-run
    assert "Find out about why cats sleep hunting energy (2)" in after
    assert (data_dir / "runs" / "pgkill" / "report.md").exists()
    assert not (data_dir / "checkpoints.sqlite").exists()
