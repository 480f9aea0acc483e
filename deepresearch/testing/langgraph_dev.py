"""Start `langgraph dev` (the in-memory LangGraph server of `langgraph-cli[inmem]`) on a free loopback port.

Used by the server tests, by `bench/concurrent_runs.py`, and for testing your own flows against a server.
The server runs a project's `langgraph.json` as a real subprocess with the settings given (a scripted model
provider, scripted tools) and nothing that leaves the machine: no tracing, no CLI analytics, no browser.
Its state files and log land in `workdir`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

STARTUP_TIMEOUT_S = 120


class ServerDidNotStart(RuntimeError):
    """`langgraph dev` exited or did not answer in time; the message ends with its log."""


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Ends a server started for a test: politely, then by force if it does not stop."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(project_root: Path, workdir: Path, settings: Mapping[str, str]) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DEEPRESEARCH_")}
    return {
        **inherited,
        "PYTHONPATH": str(project_root),
        "DEEPRESEARCH_DATA_DIR": str(workdir / "data"),
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "LANGSMITH_API_KEY": "",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "BROWSER": "true",
        **settings,
    }


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerDidNotStart(f"langgraph dev exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise ServerDidNotStart(f"langgraph dev did not answer within {STARTUP_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


@contextmanager
def langgraph_dev(
    project_root: Path, workdir: Path, settings: Mapping[str, str], *, jobs_per_worker: int = 2
) -> Iterator[str]:
    """The server's URL while it runs; `settings` are its DEEPRESEARCH_* (and other) variables."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "langgraph-dev.log"
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
        str(jobs_per_worker),
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command,
            env=_server_env(project_root, workdir, settings),
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, server, log)
        yield url
    finally:
        stop_server(server)
