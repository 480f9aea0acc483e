"""Run checkpoints in a real PostgreSQL (`checkpoint_url`): a run lands there and not in SQLite. A run killed
mid-research and resumed from Postgres in a new process is tested with the Chroma server, in
test_postgres_and_chroma.py."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from deepresearch.api import aresearch
from deepresearch.config import ROLES, load_config
from deepresearch.testing import research_model, scripted_services

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
