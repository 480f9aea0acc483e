"""Where a run's checkpoints live: Postgres when `checkpoint_url` is set, else SQLite in the data dir.

Both savers use `checkpoint_serde()`, so a run checkpointed by one process is resumed by another with the
same state types. Postgres is what several workers share (LangGraph's own `langgraph-checkpoint-postgres`);
SQLite is the embedded default for one machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError
from graphs.state import checkpoint_serde


@asynccontextmanager
async def open_checkpointer(config: ResearchConfig) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """The configured checkpointer, ready to use (Postgres tables are created on first use)."""
    if config.checkpoint_url is not None and config.checkpoint_url.get_secret_value():
        async with _postgres(config.checkpoint_url.get_secret_value()) as saver:
            yield saver
        return
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    config.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(config.checkpoint_path)) as conn:
        yield AsyncSqliteSaver(conn, serde=checkpoint_serde())


@asynccontextmanager
async def _postgres(url: str) -> AsyncIterator[BaseCheckpointSaver[str]]:
    try:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    except ModuleNotFoundError:
        raise ConfigError(
            "checkpoint_url needs the Postgres checkpointer: pip install 'deepresearch[postgres]'"
        ) from None
    import psycopg

    try:
        async with AsyncPostgresSaver.from_conn_string(url, serde=checkpoint_serde()) as saver:
            await saver.setup()
            yield saver
    except psycopg.OperationalError as error:
        # psycopg's message names the host, port and user, never the password.
        raise ConfigError(f"the checkpoint database (checkpoint_url) failed: {error}") from None
