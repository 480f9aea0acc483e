"""Whole research runs against a reasoning model served on 127.0.0.1 (DeepSeek's and vLLM's wire format):
reasoning streams live per agent, is recorded in the trace with its token count and never reaches the
report; deepseek-reasoner works through langchain-deepseek and the JSON-action protocol; a provider that
dies mid-run leaves a partial report that `resume` completes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from deepresearch import aresearch, load_config
from deepresearch.api import aresume
from deepresearch.config import ResearchConfig
from deepresearch.llm import ModelSet
from deepresearch.llm.tool_protocol import ACTION_SCHEMA_TITLE
from deepresearch.progress import EventRecorder
from deepresearch.reports import read_trace, run_dir_for
from deepresearch.testing import ResearchResponder
from deepresearch.testing.openai_server import ReasoningServer

QUESTION = "How long do cats sleep?"
SERVICES = "deepresearch.testing.web:research_services"


@pytest.fixture
def server() -> Iterator[ReasoningServer]:
    running = ReasoningServer(ResearchResponder(tasks=2, dangling_first_draft=False)).start()
    yield running
    running.stop()


def openai_config(server: ReasoningServer, **settings: Any) -> ResearchConfig:
    return load_config(
        model="openai:reasoner",
        openai_base_url=server.base_url,
        clarify=False,
        services_factory=SERVICES,
        llm_max_retries=0,
        **settings,
    )


async def test_reasoning_streams_per_agent_is_traced_with_its_tokens_and_stays_out_of_the_report(
    server: ReasoningServer,
) -> None:
    recorder = EventRecorder()
    report = await aresearch(
        QUESTION, config=openai_config(server), on_event=recorder, show_reasoning=True, run_id="reasoning"
    )
    deltas = [e for e in recorder.events if e.kind == "llm.reasoning.delta"]
    assert {e.agent for e in deltas} >= {"r1t1", "r1t2"}, "each researcher's reasoning streams under its own name"
    assert "thinking-" in "".join(e.message for e in deltas)
    trace = read_trace(run_dir_for(load_config(), "reasoning"))
    whole = [e for e in trace if e.kind == "llm.reasoning"]
    assert len(whole) == len(server.requests) and all(e.data["reasoning_tokens"] > 0 for e in whole)
    assert not any(e.kind == "llm.reasoning.delta" for e in trace), "the trace keeps whole reasoning, not deltas"
    assert report.citations and "thinking-" not in report.markdown
    assert report.usage.reasoning_tokens == sum(e.data["reasoning_tokens"] for e in whole) > 0


async def test_deepseek_reasoner_researches_through_its_integration_and_the_json_action_protocol(
    server: ReasoningServer,
) -> None:
    config = load_config(
        model="deepseek:deepseek-reasoner",
        deepseek_base_url=server.base_url,
        deepseek_api_key="sk-test",
        clarify=False,
        services_factory=SERVICES,
        llm_max_retries=0,
    )
    recorder = EventRecorder()
    report = await aresearch(QUESTION, config=config, on_event=recorder)
    actions = [
        r for r in server.requests if r.get("response_format", {}).get("schema", {}).get("title") == ACTION_SCHEMA_TITLE
    ]
    assert actions and not any(r.get("tools") for r in server.requests), "no native tools for deepseek-reasoner"
    assert "temperature" not in server.requests[0], "deepseek-reasoner takes no temperature"
    searched = [
        e
        for e in recorder.events
        if e.kind == "researcher.action" and "web_search" in e.message and e.data["by"] == "model"
    ]
    assert len(searched) == 2 and report.citations and "thinking-" not in report.markdown
    assert sum(1 for e in recorder.events if e.kind == "llm.reasoning") == len(server.requests)


async def test_the_reasoning_field_of_newer_vllm_and_openrouter_is_read_too() -> None:
    server = ReasoningServer(lambda messages, kwargs: "Four.", reasoning_field="reasoning").start()
    try:
        models = ModelSet(load_config(model="openai:reasoner", openai_base_url=server.base_url))
        reply = await models.for_role("researcher").ainvoke([HumanMessage("2+2?")])
    finally:
        server.stop()
    assert reply.text == "Four." and reply.reasoning.startswith("thinking-1")
    assert reply.usage.reasoning_tokens == len(reply.reasoning) // 4 + 1  # as the server counted them


class DiesOnceResearchStarts:
    """Answers like `ResearchResponder`; from the first researcher step that follows a tool result on, the
    server fails every request (503) until the test revives it."""

    def __init__(self, server: ReasoningServer) -> None:
        self.server = server
        self.responder = ResearchResponder(tasks=2, dangling_first_draft=False)
        self.has_died = False

    def __call__(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Any:
        if not self.has_died and kwargs.get("tools") and any(isinstance(m, ToolMessage) for m in messages):
            self.has_died = True
            self.server.fail_with = (503, {})
        return self.responder(messages, kwargs)


async def test_a_provider_that_dies_mid_research_leaves_a_partial_report_and_resume_completes_it() -> None:
    server = ReasoningServer(lambda m, k: "")
    server.responder = DiesOnceResearchStarts(server)
    server.start()
    try:
        config = openai_config(server)
        recorder = EventRecorder()
        partial = await aresearch(QUESTION, config=config, on_event=recorder, run_id="dies")
        failed = [e for e in recorder.events if e.kind == "llm.provider_failed"]
        assert "provider" in partial.limits_hit and failed and "openai:reasoner" in failed[0].data["failures"]
        assert partial.citations, "the partial report cites what was read before the provider died"
        assert "failed on every attempt" in partial.markdown
        server.fail_with = None
        resumed = await aresume("dies", config=config)
    finally:
        server.stop()
    assert "provider" not in resumed.limits_hit and resumed.citations
    trace = read_trace(run_dir_for(config, "dies"))
    assert [e.kind for e in trace if e.kind.startswith("run.")] == ["run.partial", "run.resumed", "run.finished"]
