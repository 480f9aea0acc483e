"""The issue's acceptance check: a research run against a real PostgreSQL (checkpoints) and a real Chroma
server (memory), its worker killed mid-run with SIGKILL and resumed from Postgres in a new process.

The report must come out, and what the killed worker wrote to the Chroma server must be there unchanged
after the resume, and be what the resumed worker used: its researcher asks again for a page it read
before the kill, and the answer comes from that memory instead of a new read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
import psycopg
import pytest
from chromadb.config import Settings

from memory.store import collection_name
from tests.kill_and_resume import FINISHED_TASK, UNFINISHED_TASK, kill_mid_research_and_resume
from tests.server.server_memory import HANG_READ_ENV

pytestmark = pytest.mark.slow

RUN_ID = "pgchroma"
# Researcher 2 (task r1t2) reads this page first; its second read hangs, and that is where it is killed.
READ_BEFORE_KILL = "https://example.org/cat-hunting"


def _records(chroma_url: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """id → (document, metadata) of the run's memory collection on the Chroma server."""
    host, port = chroma_url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=Settings(anonymized_telemetry=False))
    names = {c.name for c in client.list_collections()}
    name = collection_name("run", RUN_ID)
    if name not in names:
        return {}
    got = client.get_collection(name).get(include=["documents", "metadatas"])
    documents, metadatas = got["documents"] or [], got["metadatas"] or []
    return {i: (d, dict(m)) for i, d, m in zip(got["ids"], documents, metadatas, strict=True)}


def _agent_urls(records: dict[str, tuple[str, dict[str, Any]]], agent: str) -> set[str]:
    return {str(meta["url"]) for _, meta in records.values() if meta["agent_id"] == agent}


def test_killed_run_resumes_from_postgres_with_its_chroma_memory_intact_and_used(
    postgres_url: str, chroma_url: str, project_root: Path, tmp_path: Path
) -> None:
    before_kill: dict[str, tuple[str, dict[str, Any]]] = {}

    def snapshot() -> None:
        before_kill.update(_records(chroma_url))
        with psycopg.connect(postgres_url) as conn:
            row = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (RUN_ID,)).fetchone()
        assert row and row[0] > 0

    data_dir = tmp_path / "data"
    resumed = kill_mid_research_and_resume(
        project_root,
        data_dir,
        RUN_ID,
        model="scripted:research-reread",
        services_factory="tests.server.server_memory:services",
        extra_env={
            "DEEPRESEARCH_CHECKPOINT_URL": postgres_url,
            "DEEPRESEARCH_CHROMA_URL": chroma_url,
            "DEEPRESEARCH_FLOOR_READS": "0",  # every read is one the model asks for
            "DEEPRESEARCH_FOLLOW_LEADS": "0",
        },
        first_env={HANG_READ_ENV: "r1t2:2"},
        ready=lambda: READ_BEFORE_KILL in _agent_urls(_records(chroma_url), "r1t2"),
        after_kill=snapshot,
    )

    assert "SUPPORT" in resumed.output and (resumed.run_dir / "report.md").exists()
    assert FINISHED_TASK not in resumed.calls_after_resume
    assert UNFINISHED_TASK in resumed.calls_after_resume

    # Intact: every record the killed worker wrote is on the server, unchanged, beside the new ones.
    assert _agent_urls(before_kill, "r1t1") and _agent_urls(before_kill, "r1t2") == {READ_BEFORE_KILL}
    after = _records(chroma_url)
    assert {key: after.get(key) for key in before_kill} == before_kill
    assert len(_agent_urls(after, "r1t2")) == 2, "the resumed worker wrote into the same collection"

    # Used: the resumed researcher's repeat request for the page was answered from that memory.
    resumed_r2 = [event for event in resumed.events_after_kill if event.agent == "r1t2"]
    recalled = [e for e in resumed_r2 if e.kind == "researcher.recall" and e.data.get("url") == READ_BEFORE_KILL]
    assert recalled, [e.kind for e in resumed_r2]
    reread = [e for e in resumed_r2 if e.kind == "source.found" and e.data.get("url") == READ_BEFORE_KILL]
    assert not reread, "the page read before the kill was not fetched again"
    assert not (data_dir / "chroma").exists(), "memory lives on the Chroma server, not in the data dir"
    assert not (data_dir / "checkpoints.sqlite").exists(), "checkpoints live in Postgres"
