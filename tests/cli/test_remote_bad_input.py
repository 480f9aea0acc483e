"""`--server` with a bad URL, a server that is down, or a server that is not a LangGraph server, and a Chroma
server (`chroma_url`) that is down: one clear line and exit code 2, never a traceback (real subprocesses,
loopback only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deepresearch.testing.langgraph_dev import free_port
from tests.cli.test_bad_input import assert_clean_failure, run_cli
from tests.tools.local_site import LocalSite


@pytest.fixture(scope="module")
def not_a_langgraph_server() -> Iterator[str]:
    site = LocalSite().start()
    yield site.url("/")
    site.stop()


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/", "127.0.0.1:2024"])
def test_malformed_server_url(url: str) -> None:
    assert_clean_failure(run_cli("What is DNS?", "--server", url), "must look like http://host:2024")


def test_server_that_is_down() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert_clean_failure(run_cli("What is DNS?", "--server", url), f"cannot reach the LangGraph server at {url}")
    assert_clean_failure(run_cli("resume", "some-run", "--server", url), "cannot reach the LangGraph server")


def test_server_setting_that_is_down() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("What is DNS?", env={"DEEPRESEARCH_SERVER_URL": url})
    assert_clean_failure(result, "cannot reach the LangGraph server")


def test_web_server_that_is_not_a_langgraph_server(not_a_langgraph_server: str) -> None:
    result = run_cli("What is DNS?", "--server", not_a_langgraph_server)
    assert_clean_failure(result, "does not answer like a LangGraph server")


def test_chroma_server_that_is_down(project_root: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = {
        "DEEPRESEARCH_CHROMA_URL": url,
        "DEEPRESEARCH_MODEL": "scripted:research",
        "PYTHONPATH": str(project_root),
    }
    result = run_cli("What is DNS?", "--no-clarify", env=settings)
    assert_clean_failure(result, f"the Chroma server at {url} (chroma_url) does not answer")
