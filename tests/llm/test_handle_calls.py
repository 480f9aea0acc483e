"""How a handle calls models: the JSON-action protocol with corrections, the thinking cap, Retry-After,
fallback models, and the end of every attempt."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

from deepresearch.config import load_config
from deepresearch.errors import BudgetExceeded, ProviderUnavailable
from deepresearch.llm import BuiltModel, ModelSet, parse_spec
from deepresearch.llm.profiles import ModelProfile
from deepresearch.llm.tool_protocol import ActionProtocol
from deepresearch.progress import EventRecorder
from deepresearch.testing import ScriptedChatModel, tool_call
from deepresearch.testing.openai_server import ReasoningServer

SEARCH = {
    "type": "function",
    "function": {
        "name": "web_search",
        "description": "Search the web.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}


async def test_a_model_without_native_tools_acts_through_json_and_is_corrected() -> None:
    action = '{"tool": "web_search", "arguments": {"query": "cats"}}'
    model = ScriptedChatModel(script=["I will search for cats.", action])
    recorder = EventRecorder()
    models = ModelSet(
        load_config(researcher_profile={"native_tools": False}), overrides={"researcher": model}, events=recorder
    )
    reply = await models.for_role("researcher").ainvoke(
        [SystemMessage("Research."), HumanMessage("Go.")], tools=[SEARCH]
    )
    call = reply.message.tool_calls[0]
    assert call["name"] == "web_search" and call["args"] == {"query": "cats"}
    first, second = model.calls
    assert "tools" not in first["kwargs"] and first["kwargs"]["response_format"]["schema"]["title"] == "ToolAction"
    assert "You can call tools" in str(first["messages"][0].content)
    assert "not a valid action" in str(second["messages"][-1].content)
    assert recorder.kinds().count("llm.action_retry") == 1


def test_the_protocol_shows_earlier_calls_and_failed_results_in_its_own_terms() -> None:
    protocol = ActionProtocol.for_tools([SEARCH], "web_search", parallel=True)
    call = tool_call("web_search", query="cats")
    failed = ToolMessage(
        "ERROR (timeout): slow", tool_call_id=call.tool_calls[0]["id"], name="web_search", status="error"
    )
    rendered = protocol.messages([HumanMessage("Go."), call, failed])
    assert rendered[0].content.startswith("You can call tools") and '"answer"' not in rendered[0].content
    assert rendered[2].content == '{"tool": "web_search", "arguments": {"query": "cats"}}'
    assert rendered[3].content.startswith("Result of tool web_search (error):")
    batch = protocol.parse(
        call.model_copy(
            update={
                "content": '{"calls": [{"tool": "web_search", "arguments": '
                '{"query": "a"}}, {"tool": "web_search", '
                '"arguments": {"query": "b"}}]}',
                "tool_calls": [],
            }
        )
    )
    assert [c["args"]["query"] for c in batch.tool_calls] == ["a", "b"]


async def test_thinking_past_the_cap_is_cut_and_the_model_asked_to_answer() -> None:
    long_thought = "Let me consider every angle of this once more. " * 40
    server = ReasoningServer(lambda messages, kwargs: "Paris.", reasoning=lambda m, k: long_thought).start()
    try:
        recorder = EventRecorder()
        models = ModelSet(
            load_config(model="openai:reasoner", openai_base_url=server.base_url, thinking_cap_tokens=50),
            events=recorder,
        )
        reply = await models.for_role("researcher").ainvoke([HumanMessage("Capital of France?")])
    finally:
        server.stop()
    assert recorder.kinds().count("llm.thinking_capped") == 2  # the follow-up thinks too long as well
    assert len(server.requests) == 2 and "without further deliberation" in str(server.requests[1]["messages"][-1])
    assert reply.text == "", "the answer never came: both replies were cut while thinking"


async def test_thinking_within_the_cap_is_left_alone() -> None:
    server = ReasoningServer(lambda messages, kwargs: "Paris.").start()
    try:
        models = ModelSet(
            load_config(
                model="openai:reasoner", openai_base_url=server.base_url, thinking_cap_tokens=500, thinking_cap_s=30
            )
        )
        reply = await models.for_role("researcher").ainvoke([HumanMessage("Capital of France?")])
    finally:
        server.stop()
    assert reply.text == "Paris." and len(server.requests) == 1


async def test_a_429_with_retry_after_holds_every_call_and_loses_none() -> None:
    server = ReasoningServer(lambda messages, kwargs: "ok").start()
    server.fail_next = [(429, {"retry-after": "0.4"})]
    try:
        models = ModelSet(load_config(model="openai:reasoner", openai_base_url=server.base_url, llm_max_retries=2))
        handle = models.for_role("researcher")
        started = time.monotonic()
        replies = await asyncio.gather(*(handle.ainvoke([HumanMessage(f"q{i}")]) for i in range(4)))
    finally:
        server.stop()
    assert [r.text for r in replies] == ["ok"] * 4 and len(server.requests) == 5  # one refused, retried
    assert time.monotonic() - started >= 0.4


def _builder(models: dict[str, ScriptedChatModel]) -> Any:
    def build(spec: str, config: Any, role: str) -> BuiltModel:
        return BuiltModel(models[spec], parse_spec(spec), ModelProfile())

    return build


def _down(messages: list[Any], kwargs: dict[str, Any]) -> Any:
    raise openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1/v1/chat/completions"))


async def test_fallback_models_take_over_and_a_dead_provider_is_skipped_for_its_cool_down() -> None:
    primary, fallback = ScriptedChatModel(responder=_down), ScriptedChatModel(responder=lambda m, k: "from fallback")
    recorder = EventRecorder()
    config = load_config(model="scripted:primary", researcher_fallback_models="scripted:fallback", llm_max_retries=1)
    models = ModelSet(
        config, builder=_builder({"scripted:primary": primary, "scripted:fallback": fallback}), events=recorder
    )
    first = await models.for_role("researcher").ainvoke([HumanMessage("q")])
    second = await models.for_role("researcher").ainvoke([HumanMessage("q")])
    assert first.text == second.text == "from fallback"
    assert len(primary.calls) == 2, "two attempts, then skipped while it cools down"
    assert recorder.kinds().count("llm.fallback") == 1


async def test_when_every_model_fails_the_run_stops_like_a_spent_budget() -> None:
    recorder = EventRecorder()
    models = ModelSet(
        load_config(model="scripted:primary", llm_max_retries=0),
        builder=_builder({"scripted:primary": ScriptedChatModel(responder=_down)}),
        events=recorder,
    )
    with pytest.raises(BudgetExceeded) as stopped:
        await models.for_role("manager").ainvoke([HumanMessage("q")])
    assert isinstance(stopped.value, ProviderUnavailable) and stopped.value.limit == "provider"
    assert "scripted:primary" in stopped.value.failures
    assert recorder.kinds()[-1] == "llm.provider_failed"


async def test_errors_of_our_own_code_are_not_provider_failures() -> None:
    def broken(messages: list[Any], kwargs: dict[str, Any]) -> Any:
        raise KeyError("a bug")

    models = ModelSet(
        load_config(model="scripted:primary"),
        builder=_builder({"scripted:primary": ScriptedChatModel(responder=broken)}),
    )
    with pytest.raises(KeyError):
        await models.for_role("manager").ainvoke([HumanMessage("q")])
