"""The researcher's turn with a scripted model and scripted tools: the loop, its corrections, its findings."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from agents import findings as findings_of
from agents import researcher
from agents.finish import ClaimDraft, ResearcherFindings
from agents.observe import Workbench
from agents.researcher_turn import ResearcherTurn, StepOutput
from deepresearch.schemas import Passage, ResearchTask, Source
from deepresearch.testing import FakeWeb, ScriptedChatModel, scripted_services, tool_call

from .helpers import make_context

TASK = ResearchTask(id="r1t1", goal="How long do cats sleep", queries=["cats sleep hours"])
QUESTION = "How long do cats sleep?"


def new_turn(**fields) -> ResearcherTurn:  # type: ignore[no-untyped-def]
    return ResearcherTurn(task=fields.pop("task", TASK), question=QUESTION, floor_read=True, **fields)


async def act(context, reply: AIMessage, turn: ResearcherTurn | None = None) -> tuple[ResearcherTurn, StepOutput]:  # type: ignore[no-untyped-def]
    turn = turn or new_turn()
    output = StepOutput()
    await researcher.act(reply, turn, Workbench.for_agent(turn.task, "r1t1", context), output)
    return turn, output


def last_tool_message(turn: ResearcherTurn):  # type: ignore[no-untyped-def]
    return turn.messages[-1]


async def test_think_binds_tools_and_respects_the_step_budget() -> None:
    model = ScriptedChatModel(script=[tool_call("web_search", query="cats sleep hours")])
    context, _ = make_context(model, max_steps=2)
    turn = new_turn()
    reply = await researcher.think(turn, context)
    assert reply is not None and reply.tool_calls[0]["name"] == "web_search" and turn.steps == 1
    assert {t["function"]["name"] for t in model.calls[0]["kwargs"]["tools"]} >= {"web_search", "fetch_page", "finish"}
    turn.steps = 2
    assert await researcher.think(turn, context) is None and turn.stopped_by == "steps" and len(model.calls) == 1


async def test_a_404_returns_the_hint_and_the_next_different_action_is_a_correction() -> None:
    context, recorder = make_context(ScriptedChatModel())
    turn, _ = await act(context, tool_call("fetch_page", url="https://example.org/gone"))
    message = last_tool_message(turn)
    assert message.status == "error" and "Hint: Try another result." in str(message.content)
    assert turn.failed is not None and turn.unreadable == ["https://example.org/gone"]
    turn, _ = await act(context, tool_call("fetch_page", url="https://example.org/cats-sleep"), turn)
    assert turn.failed is None and turn.sources
    assert recorder.kinds().count("researcher.correction") == 1 and "tool.error" in recorder.kinds()


async def test_a_failed_search_is_not_a_search_that_was_tried() -> None:
    context, recorder = make_context(ScriptedChatModel())
    invalid, _ = await act(context, tool_call("web_search", q="cats sleep hours"))
    assert invalid.queries_tried == [] and "invalid_arguments" in str(last_tool_message(invalid).content)
    unknown, _ = await act(context, tool_call("search_everything", query="cats sleep hours"))
    assert unknown.queries_tried == [] and "web_search" in str(last_tool_message(unknown).content)
    down_context, _ = make_context(ScriptedChatModel(), scripted_services(FakeWeb(search_fails=True)))
    down, _ = await act(down_context, tool_call("web_search", query="cats sleep hours"))
    assert down.queries_tried == [] and down.failed is not None
    assert recorder.kinds().count("tool.error") == 2


async def test_pages_go_to_memory_and_only_relevant_exact_passages_come_back() -> None:
    web = FakeWeb()
    context, recorder = make_context(ScriptedChatModel(), services=scripted_services(web))
    turn, _ = await act(context, tool_call("fetch_page", url="https://example.org/cats-sleep"))
    text = turn.source_texts[next(iter(turn.sources))]
    assert turn.passages and all(text[p.start : p.end] == p.text for p in turn.passages.values())
    assert "<source_data" in str(last_tool_message(turn).content) and "source.found" in recorder.kinds()
    labels = set(turn.passages)
    turn, _ = await act(context, tool_call("fetch_page", url="https://example.org/cats-sleep/"), turn)
    assert web.fetches == ["https://example.org/cats-sleep"]  # recalled from memory, not re-fetched
    assert set(turn.passages) > labels and "researcher.recall" in recorder.kinds()


def _turn_with_passage(text: str, **fields) -> ResearcherTurn:  # type: ignore[no-untyped-def]
    passage = Passage(source_id="s1", text=text, start=0, end=len(text))
    source = Source(id="s1", url="https://example.org/cats", title="Cats")
    return new_turn(passages={"P1": passage}, sources={"s1": source}, source_texts={"s1": text}, **fields)


async def test_conclude_keeps_supported_claims_and_falls_back_to_extractive_ones() -> None:
    text = "Cats sleep between 12 and 16 hours a day. Young cats dream about sleeping cats."
    good = ResearcherFindings(
        claims=[
            ClaimDraft(text="Cats sleep between 12 and 16 hours a day.", passage_ids=["P1"]),
            ClaimDraft(text="Cats are made of cheese.", passage_ids=["P1"]),
            ClaimDraft(text="No id here.", passage_ids=["P7"]),
        ]
    )
    model = ScriptedChatModel(script=[good, "garbage", "garbage", "garbage"])
    context, _ = make_context(model)
    findings = await findings_of.conclude(_turn_with_passage(text), context)
    assert [c.text for c in findings.claims] == ["Cats sleep between 12 and 16 hours a day."], "asked once"
    fallback = await findings_of.conclude(_turn_with_passage(text), context)
    assert fallback.claims and fallback.claims[0].text == "Cats sleep between 12 and 16 hours a day."
    assert fallback.claims[0].passages[0].text == text, "a quoted claim keeps the passage it came from"
    spent = await findings_of.conclude(_turn_with_passage(text, stopped_by="tokens"), context)
    assert spent.claims and spent.stopped_by == "tokens" and len(model.calls) == 4, "no call past a token budget"


async def test_a_weak_model_is_not_asked_to_write_findings() -> None:
    model = ScriptedChatModel(script=[])
    context, _ = make_context(model, profile={"weak": True})
    found = await findings_of.conclude(_turn_with_passage("Cats sleep between 12 and 16 hours a day."), context)
    assert found.claims and model.calls == []


async def test_findings_from_a_finish_call_are_checked_without_asking_the_model_again() -> None:
    text = "Cats sleep between 12 and 16 hours a day. They dream."
    context, _ = make_context(ScriptedChatModel())
    reply = tool_call(
        "finish",
        claims=[
            {"text": "Cats sleep between 12 and 16 hours a day.", "passage_ids": ["P1"]},
            {"text": "Cats are made of cheese.", "passage_ids": ["P1"]},
        ],
        notes="nothing on kittens",
    )
    turn, _ = await act(context, reply, _turn_with_passage(text))
    assert turn.drafted is not None and last_tool_message(turn).tool_call_id == reply.tool_calls[0]["id"]
    found = await findings_of.conclude(turn, context)
    assert [c.text for c in found.claims] == ["Cats sleep between 12 and 16 hours a day."]
    assert found.notes == "nothing on kittens"
    assert context.models.for_role("researcher").chat.calls == []  # type: ignore[attr-defined]
    malformed, _ = await act(context, tool_call("finish", claims="not a list"))
    assert malformed.drafted == ResearcherFindings()


async def test_a_task_with_its_own_step_budget_stops_within_it() -> None:
    model = ScriptedChatModel(script=[tool_call("web_search", query="cats sleep hours")])
    context, _ = make_context(model, max_steps=8)
    quick = new_turn(task=TASK.model_copy(update={"max_steps": 2}), steps=1)
    assert await researcher.think(quick, context) is not None
    assert await researcher.think(quick, context) is None and quick.stopped_by == "steps"


async def test_a_researcher_whose_one_step_hits_a_dead_page_still_has_the_evidence_it_read_first() -> None:
    """The quick path has one step; if the model spends it on a dead page, the floor's reads still count."""
    from graphs.researcher import build_researcher_graph

    model = ScriptedChatModel(script=[tool_call("fetch_page", url="https://example.org/gone")])
    context, _ = make_context(model, max_steps=8)
    quick = TASK.model_copy(update={"max_steps": 1, "extractive": True})
    out = await build_researcher_graph().compile().ainvoke({"task": quick, "question": QUESTION}, context=context)
    findings = out["findings"][0]
    assert "cats sleep hours" in findings.queries_tried and findings.stopped_by == "steps"
    assert findings.claims and all(claim.passages for claim in findings.claims)
    assert len(model.calls) == 1, "no model call past the step budget, none for the findings"
