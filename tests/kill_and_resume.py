"""Kill a research run in a subprocess once its first researcher is done, then resume it in a new process.

Shared by the resume tests of every checkpointer and memory store. The scripted run's second task fetches
a page that hangs, so the kill lands with researcher 1 finished and researcher 2 in flight; a call log
records which researchers made model calls, so a test can show that resuming did not re-run the finished
one, and the run's trace shows what the resumed process did. A test may swap the model and the services
factory, set what only the killed process sees (`first_env`), and hold the kill until `ready()`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from deepresearch.progress import Event

FINISHED_TASK = "Find out about cats sleep hours (1)"
UNFINISHED_TASK = "Find out about why cats sleep hunting energy (2)"
HANGING_URL = "https://example.org/cat-hunting"

_RUNNER = (
    "import sys; from deepresearch import api\n"
    "if sys.argv[1] == 'run': r = api.research('How long do cats sleep?', run_id=sys.argv[2])\n"
    "else: r = api.resume(sys.argv[2])\n"
    "print('SUPPORT', r.support_score, len(r.citations))\n"
)


@dataclass(frozen=True)
class Resumed:
    calls_after_resume: list[str]  # task goals of the researcher model calls made by the resumed process
    output: str
    run_dir: Path
    events_after_kill: list[Event]  # what the resumed process added to the run's trace


def _spawn(project_root: Path, env: dict[str, str], args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUNNER, *args],
        env=env,
        cwd=project_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_mid_research_and_resume(
    project_root: Path,
    data_dir: Path,
    run_id: str,
    *,
    extra_env: dict[str, str] | None = None,
    after_kill: Callable[[], None] = lambda: None,
    model: str = "scripted:research",
    services_factory: str = "deepresearch.testing.web:research_services",
    first_env: Mapping[str, str] | None = None,
    ready: Callable[[], bool] = lambda: True,
) -> Resumed:
    log = data_dir.parent / f"{run_id}-calls.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPRESEARCH_")}
    env |= {
        "DEEPRESEARCH_DATA_DIR": str(data_dir),
        "DEEPRESEARCH_MODEL": model,
        "DEEPRESEARCH_SERVICES_FACTORY": services_factory,
        "DEEPRESEARCH_CLARIFY": "false",
        # Each researcher's evidence floor reads only its best page: researcher 1's answers at once,
        # researcher 2's is the page that hangs.
        "DEEPRESEARCH_FLOOR_READS": "1",
        "DEEPRESEARCH_FOLLOW_LEADS": "0",
        "DEEPRESEARCH_TESTING_CALL_LOG": str(log),
        "PYTHONPATH": str(project_root),
        **(extra_env or {}),
    }
    killed_env = env | dict({"DEEPRESEARCH_TESTING_SLOW_URL": HANGING_URL} if first_env is None else first_env)
    first = _spawn(project_root, killed_env, ["run", run_id])
    trace = data_dir / "runs" / run_id / "trace.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines() if log.exists() else []
        finished = lines.count(FINISHED_TASK) >= 2 and trace.exists() and '"researcher.done"' in trace.read_text()
        if finished and ready():
            break
        time.sleep(0.1)
    else:
        first.kill()
        raise AssertionError(f"first run never finished researcher 1: {first.communicate()}")
    time.sleep(0.5)  # let the finished branch's writes reach the checkpoint
    first.send_signal(signal.SIGKILL)
    first.wait()
    after_kill()
    before = log.read_text().splitlines()
    traced = len(trace.read_text().splitlines())
    second = _spawn(project_root, env, ["resume", run_id])
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    after = [Event.model_validate_json(line) for line in trace.read_text().splitlines()[traced:] if line.strip()]
    return Resumed(log.read_text().splitlines()[len(before) :], out, data_dir / "runs" / run_id, after)
