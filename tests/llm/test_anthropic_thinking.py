"""Anthropic extended thinking, on the wire: a thinking budget turns it on (and no temperature is sent),
thinking blocks stream as reasoning and never reach the answer."""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from deepresearch.config import load_config
from deepresearch.llm import ModelSet
from deepresearch.progress import EventRecorder
from tests.llm.anthropic_wire import ThinkingMessagesServer

THINKING = "The user asks for a capital. France's capital is Paris, no doubt about it."


async def test_a_thinking_budget_enables_extended_thinking_and_its_blocks_stream_as_reasoning() -> None:
    server = ThinkingMessagesServer(THINKING, "Paris.").start()
    try:
        recorder = EventRecorder()
        config = load_config(
            model="anthropic:claude-test",
            anthropic_api_key="sk-ant-test",
            anthropic_base_url=server.base_url,
            researcher_thinking_budget_tokens=2048,
            stream_reasoning=True,
        )
        models = ModelSet(config, events=recorder)
        reply = await models.for_role("researcher").ainvoke([HumanMessage("Capital of France?")])
        plain = await models.for_role("manager").ainvoke([HumanMessage("Capital of France?")])
    finally:
        server.stop()
    thinking_request, plain_request = server.requests
    assert thinking_request["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert "temperature" not in thinking_request and thinking_request["max_tokens"] > 2048
    assert "thinking" not in plain_request and plain_request["temperature"] == 0.2
    assert reply.text == "Paris." and reply.reasoning == THINKING and "Paris, no doubt" not in reply.text
    deltas = [e.message for e in recorder.events if e.kind == "llm.reasoning.delta" and e.data["role"] == "researcher"]
    assert "".join(deltas) == THINKING
    assert plain.text == "Paris."
