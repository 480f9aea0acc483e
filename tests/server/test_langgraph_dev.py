"""The research graph served by `langgraph dev` (the in-memory LangGraph server), driven with langgraph-sdk.

The server runs as a real subprocess on 127.0.0.1 with the scripted model provider and scripted tools
selected by settings (tests/server/conftest.py); the clarify interrupt is answered through the server's
resume API.
"""

from __future__ import annotations

import pytest
from langgraph_sdk import get_client

pytestmark = pytest.mark.slow

QUESTION = "How long do cats sleep?"
CLARIFYING_QUESTION = "Domestic cats or big cats?"


async def test_run_through_langgraph_dev_answers_clarification_and_returns_report(langgraph_dev_url: str) -> None:
    client = get_client(url=langgraph_dev_url)
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
    # What a client's run folder keeps beside the report: every source read and its text.
    sources, texts = finished["values"]["sources"], finished["values"]["source_texts"]
    assert {c["source_id"] for c in report["citations"]} <= set(sources) == set(texts)
    run = await client.runs.get(thread_id, resumed["run_id"])
    assert run["status"] == "success"


async def test_client_settings_reach_the_run_as_context(langgraph_dev_url: str) -> None:
    """A client's per-run `context` is the served graph's context schema; clarify=false skips the question."""
    client = get_client(url=langgraph_dev_url)
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
