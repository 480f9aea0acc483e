"""Each weak-model rule fires for a weak model and never for a capable one, whose calls run as it made them."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel

from agents import researcher, weak_model
from agents.context import Services
from agents.observe import Workbench
from agents.researcher_turn import ResearcherTurn, StepOutput
from deepresearch.errors import ToolError
from deepresearch.schemas import ResearchTask
from deepresearch.testing import (
    FakeWeb,
    InMemoryMemory,
    ScriptedChatModel,
    scripted_services,
    scripted_tools,
    tool_call,
)

from .helpers import make_context

TASK = ResearchTask(id="r1t1", goal="How long do cats sleep", queries=["cats sleep hours"])
WEAK = {"profile": {"weak": True}}


def _turn(**fields: Any) -> ResearcherTurn:
    return ResearcherTurn(task=TASK, question="How long do cats sleep?", floor_read=True, **fields)


async def _act(context: Any, call: Any, turn: ResearcherTurn) -> ResearcherTurn:
    await researcher.act(call, turn, Workbench.for_agent(TASK, "r1t1", context), StepOutput())
    return turn


def _nudges(recorder: Any) -> int:
    return recorder.kinds().count("researcher.nudge")


async def test_a_weak_models_search_off_the_task_becomes_the_planned_query_a_capable_ones_runs_as_made() -> None:
    off = tool_call("web_search", query="What to search the web for.")
    weak, weak_events = make_context(ScriptedChatModel(), **WEAK)
    turn = await _act(weak, off, _turn())
    assert turn.queries_tried == ["cats sleep hours"] and _nudges(weak_events) == 1
    assert "names nothing in your task" in str(turn.messages[-1].content)
    capable, capable_events = make_context(ScriptedChatModel())
    turn = await _act(capable, off, _turn())
    assert turn.queries_tried == ["What to search the web for."] and _nudges(capable_events) == 0


async def test_a_weak_models_repeated_search_reads_on_then_concludes_a_capable_ones_runs_again() -> None:
    repeat = tool_call("web_search", query="cats sleep hours")
    weak, weak_events = make_context(ScriptedChatModel(), read_per_search=1, **WEAK)
    turn = await _act(weak, repeat, _turn())
    read_first = len(turn.sources)
    assert read_first, "a weak model's search results are read for it"
    turn = await _act(weak, repeat, turn)
    assert len(turn.sources) == read_first + 1 and turn.repeats == 1, "the repeat read the next unread result"
    assert "You already searched for" in str(turn.messages[-1].content)
    turn.repeats = weak_model.MAX_REPEATED_SEARCHES
    turn = await _act(weak, repeat, turn)
    assert turn.is_done and "concludes with what was read" in str(turn.messages[-1].content)
    assert _nudges(weak_events) == 2
    web = FakeWeb()
    capable, capable_events = make_context(ScriptedChatModel(), scripted_services(web))
    turn = await _act(capable, repeat, _turn())
    turn = await _act(capable, repeat, turn)
    assert not turn.sources and not web.fetches, "a capable model opens the results it chooses"
    assert not turn.is_done and _nudges(capable_events) == 0


class _JsWeb(FakeWeb):
    async def read(self, url: str, *, browser: bool) -> Any:
        if not browser:
            return ToolError(kind="needs_js", message=f"{url} needs JavaScript", next_tool="browse_page")
        return await super().read(url, browser=True)


async def test_a_weak_model_repeating_a_failed_call_gets_the_tool_its_error_named_a_capable_one_does_not() -> None:
    fetch = tool_call("fetch_page", url="https://example.org/cats-sleep")
    weak, weak_events = make_context(ScriptedChatModel(), scripted_services(_JsWeb()), **WEAK)
    turn = await _act(weak, fetch, _turn())
    assert turn.failed is not None and turn.failed.next_tool == "browse_page"
    turn = await _act(weak, fetch, turn)
    assert turn.sources and "browse_page was run instead" in str(turn.messages[-1].content)
    assert "researcher.repeat" in weak_events.kinds() and _nudges(weak_events) == 1
    capable, capable_events = make_context(ScriptedChatModel(), scripted_services(_JsWeb()))
    turn = await _act(capable, fetch, _turn())
    turn = await _act(capable, fetch, turn)
    assert not turn.sources and turn.failed is not None and _nudges(capable_events) == 0


class _Query(BaseModel):
    query: str


def _tools_without_a_local_corpus(agent_memory: InMemoryMemory) -> list[BaseTool]:
    async def search_local(query: str) -> tuple[str, Any]:
        error = ToolError(
            kind="provider_down",
            message="the local corpus is not available in this run",
            hint="Use web_search.",
            next_tool="web_search",
        )
        return error.for_model(), error

    tools = [t for t in scripted_tools(FakeWeb(), agent_memory) if t.name != "search_local"]
    local = StructuredTool(
        name="search_local",
        description="x",
        args_schema=_Query,
        coroutine=search_local,
        response_format="content_and_artifact",
    )
    return [*tools, local]


async def test_the_repeated_search_rule_yields_to_the_tool_an_error_named() -> None:
    """With no local corpus the model called search_local twice; the hint named web_search, so that runs."""
    memory = InMemoryMemory()
    services = Services(make_tools=lambda _: _tools_without_a_local_corpus(memory), make_memory=lambda _: memory)
    context, _ = make_context(ScriptedChatModel(), services, **WEAK)
    local = tool_call("search_local", query="cats sleep hours")
    turn = await _act(context, local, _turn())
    assert turn.queries_tried == [] and turn.failed is not None and turn.failed.next_tool == "web_search"
    turn = await _act(context, local, turn)
    assert turn.queries_tried == ["cats sleep hours"] and turn.sources and not turn.is_done


async def test_a_weak_researcher_gets_few_steps_after_the_floor_a_capable_one_the_configured_limit() -> None:
    weak, _ = make_context(ScriptedChatModel(), max_steps=8, **WEAK)
    capable, _ = make_context(ScriptedChatModel(), max_steps=8)
    assert weak_model.research_steps(_turn(), weak) == weak_model.WEAK_RESEARCH_STEPS
    assert weak_model.research_steps(_turn(), capable) == 8
