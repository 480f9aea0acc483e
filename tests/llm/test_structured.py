from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field

from deepresearch.config import load_config
from deepresearch.errors import StructuredOutputError
from deepresearch.llm import ModelSet, extract_json
from deepresearch.llm.structured import bounded_schema
from deepresearch.progress import EventRecorder
from deepresearch.testing import ScriptedChatModel


class Plan(BaseModel):
    tasks: list[str] = Field(min_length=1, max_length=3)


def _handle(script: list[object], recorder: EventRecorder | None = None, **config: object):  # type: ignore[no-untyped-def]
    model = ScriptedChatModel(script=script)
    models = ModelSet(load_config(**config), overrides={"manager": model}, events=recorder or EventRecorder())
    return models.for_role("manager"), model, models


def test_extract_json_from_fences_and_prose() -> None:
    assert extract_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert extract_json('Sure! Here it is: {"a": [1, 2]} hope that helps') == {"a": [1, 2]}


async def test_invalid_json_is_corrected_by_the_validation_round_trip() -> None:
    recorder = EventRecorder()
    handle, model, _ = _handle(["I think the plan is good", {"tasks": []}, {"tasks": ["find X"]}], recorder)
    plan = await handle.astructured([HumanMessage("plan this")], Plan)
    assert plan.tasks == ["find X"]
    assert len(model.calls) == 3
    # The second call saw why the first failed; the third saw the schema violation.
    second = model.calls[1]["messages"][-1].content
    assert "no JSON object" in second
    third = model.calls[2]["messages"][-1].content
    assert "tasks" in third and "at least 1" in third
    assert recorder.kinds().count("llm.structured_retry") == 2


async def test_reasoning_before_json_does_not_break_parsing() -> None:
    handle, _, _ = _handle(['<think>{"tasks": ["wrong"]} maybe</think>{"tasks": ["right"]}'])
    assert (await handle.astructured([HumanMessage("plan")], Plan)).tasks == ["right"]


async def test_gives_up_with_a_typed_error_after_k_attempts() -> None:
    handle, model, _ = _handle(["nope", "still nope", "never"], structured_attempts=3)
    try:
        await handle.astructured([HumanMessage("plan")], Plan)
    except StructuredOutputError as error:
        assert error.attempts == 3 and error.schema_name == "Plan"
    else:
        raise AssertionError("expected StructuredOutputError")
    assert len(model.calls) == 3


async def test_json_mode_sends_schema_instructions_and_response_format() -> None:
    handle, model, _ = _handle([{"tasks": ["a"]}], structured_method="json_mode")
    await handle.astructured([HumanMessage("plan")], Plan)
    call = model.calls[0]
    assert call["kwargs"]["response_format"]["type"] == "json_object"
    assert "JSON schema" in call["messages"][0].content


def test_bounded_schema_caps_strings_and_arrays() -> None:
    schema = bounded_schema({"type": "object", "properties": {"q": {"type": "string"}, "l": {"type": "array"}}})
    assert schema["properties"]["q"]["maxLength"] == 300
    assert schema["properties"]["l"]["maxItems"] == 10


def test_bounded_schema_clamps_string_caps_to_what_a_llama_cpp_grammar_holds() -> None:
    schema = bounded_schema({"type": "string", "maxLength": 4000})
    assert schema["maxLength"] == 1000


def test_raw_newlines_inside_strings_are_accepted() -> None:
    """llama.cpp's JSON grammar lets a model put a raw newline inside a string; strict JSON refuses it."""
    assert extract_json('{ "contradictions" : [ "line one\nline two" ]}') == {"contradictions": ["line one\nline two"]}
