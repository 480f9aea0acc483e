"""Real servers for the server tests, each on a free port of 127.0.0.1, stopped when the session ends.

- PostgreSQL (Debian's `postgresql`, installed by `scripts/setup.sh test`) runs from a fresh data
  directory with trust auth on loopback only. Postgres refuses to run as root, so under root the server
  runs as the `postgres` system user (its data directory lives outside the root-only pytest temp tree so
  that user can reach it).
- Chroma (`chroma run`, the CLI of the chromadb package) persists in a temp directory. It makes no
  outbound connections (no telemetry; checked with strace), so it runs offline as it is.
- `langgraph dev` serves the research graph with the scripted model provider and scripted tools; one
  server for the session (each test works in its own threads).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deepresearch.testing.langgraph_dev import ServerDidNotStart, langgraph_dev, stop_server


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """`postgresql://deepresearch@127.0.0.1:<port>/deepresearch`, stopped and deleted after the session."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (scripts/setup.sh test installs Debian's postgresql)")
    root = Path(tempfile.mkdtemp(prefix="deepresearch-pg-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "deepresearch", "--auth=trust", "-E", "UTF8"]),
        **run,  # type: ignore[call-overload]
    )
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]),
        **run,  # type: ignore[call-overload]
    )
    try:
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "deepresearch", "deepresearch"]
            ),
            **run,  # type: ignore[call-overload]
        )
        yield f"postgresql://deepresearch@127.0.0.1:{port}/deepresearch"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


CHROMA_STARTUP_S = 60


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`http://127.0.0.1:<port>` of a Chroma server, stopped after the session."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("the chroma CLI is not installed (it comes with the chromadb package)")
    root = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = root / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(root / "data")],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + CHROMA_STARTUP_S
        while not _answers(f"{url}/api/v2/heartbeat"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        stop_server(server)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="session")
def langgraph_dev_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `langgraph dev` server whose model asks one clarifying question ("Domestic cats or big cats?")."""
    project_root = Path(__file__).resolve().parents[2]
    settings = {
        "DEEPRESEARCH_MODEL": "scripted:research-clarify",
        "DEEPRESEARCH_SERVICES_FACTORY": "deepresearch.testing.web:research_services",
        "DEEPRESEARCH_MAX_ROUNDS": "1",
    }
    try:
        with langgraph_dev(project_root, tmp_path_factory.mktemp("langgraph-dev"), settings) as url:
            yield url
    except ServerDidNotStart as error:
        pytest.fail(str(error))
