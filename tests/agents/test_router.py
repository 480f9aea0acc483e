"""Difficulty routing: the question's shape, the checks on the model's verdict, tiers and the quick path."""

from __future__ import annotations

from typing import Any

import pytest

from agents import manager
from agents.manager import Plan, TaskDraft
from agents.router import decide_route, question_shape
from deepresearch.config import ResearchConfig, load_config
from deepresearch.llm import BuiltModel, ModelSet, parse_spec
from deepresearch.llm.profiles import ModelProfile
from deepresearch.schemas import ResearchBrief
from deepresearch.testing import ScriptedChatModel

from .helpers import make_context

LOOKUP = "When was Scott Derrickson born?"
BRIDGE = "What government position was held by the woman who portrayed Corliss Archer in the film Kiss and Tell?"
COMPARISON = "Were Scott Derrickson and Ed Wood of the same nationality?"
SURVEY = "Give an overview of approaches to carbon capture"


@pytest.mark.parametrize(
    ("question", "kind", "cue"),
    [
        (LOOKUP, "lookup", "short question"),
        ("Where is Tata Consultancy Services headquartered?", "lookup", "short question"),
        (BRIDGE, "multi_hop", "who portrayed"),
        (COMPARISON, "multi_hop", "same"),
        ("Who is older, Annie Morton or Terry Richardson?", "multi_hop", "older"),
        ("The director of the romantic comedy Big Stone Gap is based in what city?", "multi_hop", "director of"),
        (SURVEY, "survey", "overview"),
    ],
)
def test_the_question_shape_names_its_kind_and_its_cue(question: str, kind: str, cue: str) -> None:
    shape = question_shape(question)
    assert shape.kind == kind and shape.is_clear and cue in shape.reason


def test_a_question_with_no_clear_cue_is_judged_by_length_and_says_so() -> None:
    shape = question_shape("This singer of A Rather Blustery Day also voiced what hedgehog?")
    assert not shape.is_clear and "length" in shape.reason


def test_an_unusable_model_verdict_falls_back_to_the_question_shape() -> None:
    config = load_config()
    route = decide_route(BRIDGE, config, None)
    assert route.kind == "multi_hop" and route.decided_by == "question shape" and not route.is_quick
    route = decide_route(LOOKUP, config, "survey", "")  # no reason given: the embedded model's usual reply
    assert route.kind == "lookup" and route.is_quick and "no usable classification" in route.reason


def test_a_weak_models_lookup_verdict_on_a_chained_question_is_overruled_a_capable_ones_is_not() -> None:
    route = decide_route(BRIDGE, load_config(), "lookup", "It asks for one position.", planned_tasks=1)
    assert route.kind == "multi_hop" and not route.is_quick and "overruled" in route.reason
    capable = decide_route(BRIDGE, load_config(), "lookup", "It asks for one position.", 1, is_weak=False)
    assert capable.kind == "lookup" and capable.decided_by == "model" and capable.is_quick


def test_a_survey_verdict_needs_the_tasks_to_match_it() -> None:
    config = load_config()
    one = decide_route(LOOKUP, config, "survey", "Covers his whole career.", planned_tasks=1)
    assert one.kind == "lookup" and "planned one task" in one.reason
    two = decide_route(LOOKUP, config, "survey", "Covers his whole career.", planned_tasks=2)
    assert two.kind == "survey" and two.decided_by == "model" and two.reason == "Covers his whole career."


def test_depth_set_by_the_person_or_router_off_takes_no_quick_path() -> None:
    by_depth = decide_route(LOOKUP, load_config(depth="deep"), "lookup", "One date is asked for.")
    assert by_depth.kind == "lookup" and not by_depth.is_quick and by_depth.depth == "deep"
    assert "routing off (depth set)" in by_depth.method_note()
    off = decide_route(LOOKUP, load_config(router=False), "lookup", "One date is asked for.")
    assert not off.is_quick and off.depth == "standard" and off.overridden_by == "router off"


async def test_the_plan_call_carries_the_route_and_a_lookup_gets_one_task_in_one_call() -> None:
    tasks = [TaskDraft(goal="Birth date", queries=["Scott Derrickson born"]), TaskDraft(goal="Career")]
    plan = Plan(reason="A single date about one person.", kind="lookup", tasks=tasks)
    context, recorder = make_context(ScriptedChatModel(script=[plan]), max_agents=3)
    dispatch = await manager.plan_research(ResearchBrief(original_question=LOOKUP, question=LOOKUP), context)
    assert dispatch.route is not None and dispatch.route.is_quick and dispatch.route.decided_by == "model"
    assert [t.goal for t in dispatch.tasks] == [LOOKUP]
    assert dispatch.tasks[0].queries == ["Scott Derrickson born", "Career"], "a capable model's queries, as planned"
    assert recorder.kinds().count("llm.call") == 1, "routing adds no model call"
    note = dispatch.route.method_note()
    assert "quick path: one researcher, one search step, claims quoted, one round, fast model" in note


async def test_a_multi_hop_plan_is_sized_by_difficulty() -> None:
    tasks = [TaskDraft(goal=f"Corliss Archer hop {i}") for i in range(3)]
    plan = Plan(reason="Find the actress, then her post.", kind="multi_hop", tasks=tasks)
    context, _ = make_context(ScriptedChatModel(script=[plan]), max_agents=3)
    dispatch = await manager.plan_research(ResearchBrief(original_question=BRIDGE, question=BRIDGE), context)
    assert dispatch.route is not None and not dispatch.route.is_quick and len(dispatch.tasks) == 2


async def test_a_hard_question_the_model_did_not_split_keeps_one_task_on_the_whole_question() -> None:
    """Splitting by named things was tried: on the embedded model it cost 8 times the tokens and found less."""
    context, _ = make_context(ScriptedChatModel(script=[Plan()]), max_agents=3)
    brief = ResearchBrief(original_question=COMPARISON, question=COMPARISON)
    dispatch = await manager.plan_research(brief, context)
    assert [t.queries for t in dispatch.tasks] == [[COMPARISON]]
    assert dispatch.route is not None and dispatch.route.kind == "multi_hop"


async def test_the_shape_is_read_from_the_question_as_asked() -> None:
    context, _ = make_context(ScriptedChatModel(script=[Plan()]), max_agents=3)
    shortened = ResearchBrief(original_question=COMPARISON, question="Ed Wood")  # a weak rewriter's brief
    dispatch = await manager.plan_research(shortened, context)
    assert dispatch.route is not None and dispatch.route.kind == "multi_hop"


def test_each_role_uses_its_tier_and_an_explicit_role_model_wins() -> None:
    config = load_config(fast_model="openai:small", reasoning_model="openai:large", summarizer_model="openai:mine")
    assert config.model_for("manager") == "openai:small" and config.model_for("researcher") == "openai:large"
    assert config.model_for("summarizer") == "openai:mine"
    assert config.model_for("researcher", "fast") == "openai:small"
    assert load_config().model_for("researcher") == load_config().model, "empty tiers fall back to `model`"


def test_the_quick_path_moves_the_researcher_to_the_fast_tier() -> None:
    built: list[str] = []

    def builder(spec: str, config: ResearchConfig, role: str) -> Any:
        built.append(spec)
        return BuiltModel(ScriptedChatModel(), parse_spec(spec), ModelProfile())

    models = ModelSet(load_config(fast_model="openai:small", reasoning_model="openai:large"), builder=builder)
    assert models.for_role("researcher").built.spec.model == "large"
    assert models.for_role("researcher", "fast").built.spec.model == "small"
    assert built == ["openai:large", "openai:small"]
    assert models.for_role("researcher").built.spec.model == "large", "one branch's tier changes no other's"
    pinned = ModelSet(load_config(fast_model="openai:small", researcher_model="openai:pinned"), builder=builder)
    assert pinned.for_role("researcher", "fast").built.spec.model == "pinned"
