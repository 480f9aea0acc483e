"""The real embedded model, in-process: slow-marked, but run in CI."""

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from deepresearch.config import load_config
from deepresearch.llm import ModelSet

pytestmark = pytest.mark.slow


class Topic(BaseModel):
    title: str = Field(max_length=60)
    keywords: list[str] = Field(min_length=1, max_length=3)


@tool
def web_search(query: str) -> str:
    """Search the web for a query."""
    return "no results"


async def test_embedded_model_returns_valid_json_for_a_schema() -> None:
    models = ModelSet(load_config(max_output_tokens=96))
    topic = await models.for_role("researcher").astructured(
        [HumanMessage("Describe the topic 'honey bees' with a title and keywords.")], Topic
    )
    assert isinstance(topic, Topic) and topic.keywords
    assert models.ledger.total.output_tokens > 0


async def test_embedded_model_calls_a_tool_through_constrained_json() -> None:
    models = ModelSet(load_config(max_output_tokens=96))
    reply = await models.for_role("researcher").ainvoke(
        [HumanMessage("Find out when the Eiffel Tower was built. Use the search tool.")],
        tools=[web_search],
        tool_choice="any",
    )
    assert reply.message.tool_calls, reply.message
    call = reply.message.tool_calls[0]
    assert call["name"] == "web_search"
    assert isinstance(call["args"].get("query"), str) and call["args"]["query"].strip()


async def test_embedded_model_streams_with_usage() -> None:
    models = ModelSet(load_config(max_output_tokens=24))
    chunks = [chunk async for chunk in models.for_role("summarizer").chat.astream([HumanMessage("Say hi.")])]
    assert "".join(str(c.content) for c in chunks).strip()
    assert any(c.usage_metadata for c in chunks)


async def test_interleaved_prompts_resume_from_their_own_evaluated_prefix() -> None:
    """Researchers take turns on the one model: with saved states, a prompt that continues an earlier one is
    not evaluated again even when another prompt ran in between; the usage says how much came from the cache."""
    models = ModelSet(load_config(max_output_tokens=16))
    model = models.for_role("researcher")
    first = [HumanMessage("Passages about tides. " * 60 + "Question one?")]
    other = [HumanMessage("Notes about volcanoes and their lava. " * 40)]
    await model.ainvoke(first)
    await model.ainvoke(other)
    again = await model.ainvoke([*first, HumanMessage("And question two?")])
    assert again.usage.cached_input_tokens > 0.8 * (again.usage.input_tokens - 30)
    assert models.ledger.total.cached_input_tokens >= again.usage.cached_input_tokens
