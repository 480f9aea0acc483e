"""The researcher loop's parts with a scripted model and scripted tools."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from agents import findings as findings_of
from agents import researcher
from agents.fallbacks import MAX_REPEATED_SEARCHES
from agents.findings import ClaimDraft, ResearcherFindings
from deepresearch.schemas import Passage, ResearchTask
from deepresearch.testing import FakeWeb, ScriptedChatModel, scripted_services, tool_call

from .helpers import make_context

TASK = ResearchTask(id="r1t1", goal="How long do cats sleep", queries=["cats sleep hours"])


async def _act(context, reply: AIMessage, **state):  # type: ignore[no-untyped-def]
    return await researcher.act(
        reply,
        TASK,
        "r1t1",
        fetched=state.get("fetched", {}),
        failed_signature=state.get("failed", ""),
        next_label=state.get("next_label", 1),
        sources_by_id={},
        context=context,
        queries_tried=state.get("queries_tried", ()),
        leads=state.get("leads", ()),
        repeats=state.get("repeats", 0),
    )


async def test_think_binds_tools_and_respects_the_step_budget() -> None:
    model = ScriptedChatModel(script=[tool_call("web_search", query="cats sleep hours")])
    context, _ = make_context(model, max_steps=2)
    result = await researcher.think(TASK, "r1t1", [], 0, context)
    assert result.reply is not None and result.reply.tool_calls[0]["name"] == "web_search"
    assert {t["function"]["name"] for t in model.calls[0]["kwargs"]["tools"]} >= {"web_search", "fetch_page"}
    stopped = await researcher.think(TASK, "r1t1", result.messages, 2, context)
    assert stopped.stopped_by == "steps" and len(model.calls) == 1


async def test_a_404_returns_the_hint_and_the_next_different_action_is_a_correction() -> None:
    context, recorder = make_context(ScriptedChatModel())
    failed = await _act(context, tool_call("fetch_page", url="https://example.org/gone"))
    message = failed.observations[0].message
    assert message.status == "error" and "Hint: Try another result." in str(message.content)
    retry = await _act(
        context, tool_call("fetch_page", url="https://example.org/cats-sleep"), failed=failed.failed_signature
    )
    assert retry.failed_signature == "" and retry.observations[0].sources
    assert recorder.kinds().count("researcher.correction") == 1 and "tool.error" in recorder.kinds()


async def test_invalid_arguments_and_unknown_tools_come_back_as_hints() -> None:
    context, _ = make_context(ScriptedChatModel())
    result = await _act(context, tool_call("fetch_page", link="https://example.org/cats-sleep"))
    error = result.observations[0].error
    assert error is not None and error.kind == "invalid_arguments" and "url" in error.hint
    unknown = await _act(context, tool_call("open_door"))
    assert unknown.observations[0].error is not None and "web_search" in unknown.observations[0].error.hint


async def test_pages_go_to_memory_and_only_relevant_exact_passages_come_back() -> None:
    web = FakeWeb()
    context, recorder = make_context(ScriptedChatModel(), services=scripted_services(web))
    result = await _act(context, tool_call("fetch_page", url="https://example.org/cats-sleep"))
    observation = result.observations[0]
    text = observation.source_texts[next(iter(observation.sources))]
    assert observation.passages and all(text[p.start : p.end] == p.text for p in observation.passages.values())
    assert "<source_data" in str(observation.message.content) and "source.found" in recorder.kinds()
    again = await _act(
        context, tool_call("fetch_page", url="https://example.org/cats-sleep/"), fetched=observation.fetched
    )
    assert web.fetches == ["https://example.org/cats-sleep"]  # recalled from memory, not re-fetched
    assert again.observations[0].passages and "researcher.recall" in recorder.kinds()


async def test_conclude_keeps_supported_claims_and_falls_back_to_extractive_ones() -> None:
    passage = Passage(source_id="s1", text="Cats sleep between 12 and 16 hours a day. They dream.", start=0, end=53)
    good = ResearcherFindings(
        claims=[
            ClaimDraft(text="Cats sleep between 12 and 16 hours a day.", passage_ids=["P1"]),
            ClaimDraft(text="Cats are made of cheese.", passage_ids=["P1"]),
            ClaimDraft(text="No id here.", passage_ids=["P7"]),
        ]
    )
    context, _ = make_context(ScriptedChatModel(script=[good, "garbage", "garbage", "garbage"]))
    findings = await findings_of.conclude(
        TASK, "r1t1", {"P1": passage}, {}, queries_tried=["q"], stopped_by=None, context=context
    )
    assert [c.text for c in findings.claims] == ["Cats sleep between 12 and 16 hours a day."]
    fallback = await findings_of.conclude(
        TASK, "r1t1", {"P1": passage}, {}, queries_tried=[], stopped_by=None, context=context
    )
    claim = fallback.claims[0]
    assert claim.text == "Cats sleep between 12 and 16 hours a day." and claim.passages[0].end == 41
    spent = await findings_of.conclude(
        TASK, "r1t1", {"P1": passage}, {}, queries_tried=[], stopped_by="tokens", context=context
    )
    assert spent.claims and spent.stopped_by == "tokens" and len(context.models.for_role("researcher").chat.calls) == 4  # type: ignore[attr-defined]


async def test_findings_from_a_finish_call_are_checked_without_asking_the_model_again() -> None:
    passage = Passage(source_id="s1", text="Cats sleep between 12 and 16 hours a day. They dream.", start=0, end=53)
    context, _ = make_context(ScriptedChatModel())
    reply = tool_call(
        "finish",
        claims=[
            {"text": "Cats sleep between 12 and 16 hours a day.", "passage_ids": ["P1"]},
            {"text": "Cats are made of cheese.", "passage_ids": ["P1"]},
        ],
        notes="nothing on kittens",
    )
    assert researcher.wants_to_stop(reply)
    acted = await _act(context, reply)
    assert acted.finished is not None and acted.observations[0].message.tool_call_id == reply.tool_calls[0]["id"]
    found = await findings_of.conclude(
        TASK, "r1t1", {"P1": passage}, {}, queries_tried=["q"], stopped_by=None, context=context,
        drafted=acted.finished,
    )
    assert [c.text for c in found.claims] == ["Cats sleep between 12 and 16 hours a day."]
    assert found.notes == "nothing on kittens"
    assert context.models.for_role("researcher").chat.calls == []  # type: ignore[attr-defined]
    malformed = await _act(context, tool_call("finish", claims="not a list"))
    assert malformed.finished == findings_of.ResearcherFindings()


async def test_a_search_reads_its_top_results_in_the_same_step() -> None:
    context, recorder = make_context(ScriptedChatModel())
    acted = await _act(context, tool_call("web_search", query="cats sleep hours"))
    search = acted.observations[0]
    assert len(search.sources) == 3 and search.passages  # every result of the fake web was read
    assert "read for you" in str(search.message.content) and "<source_data id=\"P1\"" in str(search.message.content)
    assert "researcher.read_results" in recorder.kinds()


async def test_a_repeated_search_reads_the_next_unread_result_instead() -> None:
    """SmolLM2 was seen repeating one search eight times and reading nothing; a repeat now makes progress."""
    context, recorder = make_context(ScriptedChatModel())
    first = await _act(context, tool_call("web_search", query="cats sleep hours"))
    leads = first.observations[0].leads
    assert leads, "search results are kept as leads"
    repeat = await _act(
        context,
        tool_call("web_search", query="Cats sleep hours "),
        fetched={},
        next_label=1,
        queries_tried=["cats sleep hours"],
        leads=leads,
    )
    observation = repeat.observations[0]
    assert observation.sources, "the best unread result was read"
    assert observation.fetched and next(iter(observation.fetched)) == leads[0]
    assert "You already searched for" in str(observation.message.content)
    assert recorder.kinds().count("researcher.nudge") == 1
    again = await _act(
        context,
        tool_call("web_search", query="cats sleep hours"),
        fetched=observation.fetched,
        next_label=2,
        queries_tried=["cats sleep hours"],
        leads=leads,
    )
    assert next(iter(again.observations[0].fetched)) == leads[1], "each repeat reads the next unread result"
    assert repeat.repeats == again.repeats == 1
    capped = await _act(
        context,
        tool_call("web_search", query="cats sleep hours"),
        fetched={**observation.fetched, **again.observations[0].fetched},
        queries_tried=["cats sleep hours"],
        leads=leads,
        repeats=MAX_REPEATED_SEARCHES,
    )
    assert capped.exhausted and not capped.observations[0].sources, "past the cap a repeat concludes"
    all_read = {url: f"src{i}" for i, url in enumerate(leads)}
    spent = await _act(
        context,
        tool_call("web_search", query="cats sleep hours"),
        fetched=all_read,
        next_label=3,
        queries_tried=["cats sleep hours"],
        leads=leads,
    )
    assert spent.exhausted and not spent.observations[0].sources, "a search with nothing left to read concludes"
    assert "concludes with what was read" in str(spent.observations[0].message.content)


async def test_a_search_off_the_task_runs_the_tasks_next_planned_query_instead() -> None:
    """SmolLM2 searched 'what to search the web for.', the search tool's own description, for 8 steps."""
    context, recorder = make_context(ScriptedChatModel())
    acted = await _act(context, tool_call("web_search", query="What to search the web for."))
    observation = acted.observations[0]
    assert observation.queries == ["cats sleep hours"] and observation.sources
    assert "names nothing in your task; searched 'cats sleep hours' instead" in str(observation.message.content)
    assert recorder.kinds().count("researcher.nudge") == 1
    again = await _act(
        context,
        tool_call("web_search", query="The top results are:"),
        queries_tried=[*observation.queries, TASK.goal],
        leads=observation.leads,
    )
    assert again.repeats == 1 and not again.observations[0].queries, "the planned query again: a repeat, read on"
    assert next(iter(again.observations[0].fetched)) == observation.leads[0]
    spent = await _act(
        context,
        tool_call("web_search", query="The top results are:"),
        queries_tried=[*observation.queries, TASK.goal],
        leads=observation.leads,
        repeats=MAX_REPEATED_SEARCHES,
    )
    assert spent.exhausted, "an off-topic search is capped like any repeat"
    on_topic = await _act(context, tool_call("web_search", query="sleeping cats"))
    assert on_topic.observations[0].queries == ["sleeping cats"], "a query naming the task's subject is kept"


async def test_a_task_with_its_own_step_budget_stops_within_it() -> None:
    model = ScriptedChatModel(script=[tool_call("web_search", query="cats sleep hours")])
    context, _ = make_context(model, max_steps=8)
    quick = TASK.model_copy(update={"max_steps": 2})
    assert (await researcher.think(quick, "r1t1", [], 1, context)).reply is not None
    assert (await researcher.think(quick, "r1t1", [], 2, context)).stopped_by == "steps"


async def test_repeating_a_call_that_needed_javascript_runs_the_browser_instead() -> None:
    from deepresearch.errors import ToolError

    class JsWeb(FakeWeb):
        async def read(self, url: str, *, browser: bool):  # type: ignore[no-untyped-def]
            if not browser:
                return ToolError(kind="needs_js", message=f"{url} needs JavaScript", next_tool="browse_page")
            return await super().read(url, browser=True)

    web = JsWeb()
    context, recorder = make_context(ScriptedChatModel(), scripted_services(web))
    url = "https://example.org/cats-sleep"
    failed = await _act(context, tool_call("fetch_page", url=url))
    assert failed.failed_next_tool == "browse_page"
    repeated = await researcher.act(
        tool_call("fetch_page", url=url),
        TASK,
        "r1t1",
        fetched={},
        failed_signature=failed.failed_signature,
        next_label=1,
        sources_by_id={},
        context=context,
        failed_next_tool=failed.failed_next_tool,
    )
    observation = repeated.observations[0]
    assert observation.error is None and observation.sources, "the browser read the page"
    assert "browse_page was run instead" in str(observation.message.content)
    assert "researcher.repeat" in recorder.kinds() and "researcher.nudge" in recorder.kinds()


def test_a_researcher_that_stops_before_reading_searches_then_reads_each_readable_lead() -> None:
    from agents.fallbacks import evidence_first_call

    context, recorder = make_context(ScriptedChatModel())

    def move(**state):  # type: ignore[no-untyped-def]
        state = {"queries_tried": [], "leads": [], "fetched": {}, "unreadable": [], **state}
        return evidence_first_call(TASK.queries, TASK.goal, "r1t1", context=context, **state)

    first = move()
    assert first is not None and first.tool_calls[0]["name"] == "web_search"
    assert first.tool_calls[0]["args"] == {"query": "cats sleep hours"}
    leads = ["https://example.org/gone", "https://example.org/cats-sleep"]
    read = move(queries_tried=["cats sleep hours"], leads=leads)
    assert read is not None and read.tool_calls[0]["args"] == {"url": leads[0]}
    after_failure = move(queries_tried=["x"], leads=leads, unreadable=[leads[0]])
    assert after_failure is not None and after_failure.tool_calls[0]["args"] == {"url": leads[1]}
    assert move(queries_tried=["x"], leads=leads, unreadable=leads) is None
    assert move(queries_tried=["x"], leads=leads, fetched={"u": "s"}) is None, "once something was read, stop"
    assert recorder.kinds().count("researcher.nudge") == 3


def test_extractive_claims_leave_out_passages_that_only_share_a_word() -> None:
    task = ResearchTask(id="t", goal="How does the common octopus change colour")
    texts = [
        "The common octopus changes colour in under a second using chromatophores.",
        "Carrots are typically orange in colour due to their beta-carotene content.",
        "Some animals, such as chameleons and octopuses, can change their colour quickly.",
    ]
    passages = [Passage(source_id=f"s{i}", text=t, start=0, end=len(t)) for i, t in enumerate(texts)]
    claims = findings_of.extractive_claims(task, passages)
    assert [c.text for c in claims] == [texts[0], texts[2]]


async def test_a_researcher_whose_steps_ran_out_before_any_read_searches_and_reads_first() -> None:
    """The quick path has one step; if the model spends it on a dead page, the task still reads evidence."""
    from graphs.researcher import build_researcher_graph

    model = ScriptedChatModel(script=[tool_call("fetch_page", url="https://example.org/gone")])
    context, _ = make_context(model, max_steps=8)
    quick = TASK.model_copy(update={"max_steps": 1, "extractive": True})
    out = await build_researcher_graph().compile().ainvoke({"task": quick}, context=context)
    findings = out["findings"][0]
    assert findings.queries_tried == ["cats sleep hours"] and findings.stopped_by == "steps"
    assert findings.claims and all(claim.passages for claim in findings.claims)
    assert len(model.calls) == 1, "no model call past the step budget, none for the findings"
