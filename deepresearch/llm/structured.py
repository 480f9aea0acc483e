"""Structured output that corrects itself.

Models are asked for a pydantic schema in the strongest way they support: native structured output
(OpenAI json_schema, Anthropic tools, Ollama formats, grammar-constrained JSON on the embedded model),
JSON mode, or plain instructions. Whatever comes back is parsed here with the reasoning split off and
validated; on failure the validation error goes back to the model as a correction message, up to a bound,
and then `StructuredOutputError` lets the caller take its deterministic fallback.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from deepresearch.llm.reasoning import split_reasoning

ModelT = TypeVar("ModelT", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
MAX_ECHO_CHARS = 1500


def schema_of(schema: dict[str, Any] | type) -> dict[str, Any]:
    """The JSON schema of a pydantic model class, or the dict itself. Treat the result as read-only."""
    if isinstance(schema, dict):
        return schema
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return _model_schema(schema)
    raise TypeError(f"unsupported schema type: {schema!r}")


@functools.lru_cache(maxsize=256)
def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """pydantic rebuilds a schema on every call; agents ask for the same few schemas at every step, and that
    work runs one researcher at a time on the event loop."""
    return model.model_json_schema()


DEFAULT_MAX_STRING = 300
DEFAULT_MAX_ITEMS = 10
# llama.cpp's JSON-schema converter (in-process and in llama.cpp-based servers) writes one nested rule per
# allowed character: at 4,000 it rejects the grammar and the process later crashes; 1,000 is safe.
MAX_GRAMMAR_STRING = 1000


def bounded_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON schema with a length cap on every string and array.

    A small model under a grammar will happily fill a string forever; caps turn that into a short value.
    Existing string caps are clamped to what a llama.cpp grammar can hold.
    """
    bounded: dict[str, Any] = {}
    for key, value in schema.items():
        if isinstance(value, dict):
            bounded[key] = bounded_schema(value)
        elif isinstance(value, list):
            bounded[key] = [bounded_schema(v) if isinstance(v, dict) else v for v in value]
        else:
            bounded[key] = value
    if bounded.get("type") == "string" and "enum" not in bounded:
        bounded["maxLength"] = min(int(bounded.get("maxLength", DEFAULT_MAX_STRING)), MAX_GRAMMAR_STRING)
    if bounded.get("type") == "array" and "maxItems" not in bounded:
        bounded["maxItems"] = DEFAULT_MAX_ITEMS
    return bounded


def extract_json(text: str) -> Any:
    """The first JSON value in text: bare, inside a code fence, or embedded in prose.

    Raises `ValueError` with a message a model can act on when there is none.
    """
    candidates = [text.strip()]
    candidates.extend(match.strip() for match in _FENCE.findall(text))
    # strict=False: raw newlines inside strings, which llama.cpp's JSON grammar lets a model write.
    decoder = json.JSONDecoder(strict=False)
    for candidate in candidates:
        try:
            return decoder.decode(candidate)
        except json.JSONDecodeError:
            pass
    for index, char in enumerate(text):
        if char in "{[":
            try:
                value, _ = decoder.raw_decode(text[index:])
                return value
            except json.JSONDecodeError:
                continue
    raise ValueError("the reply contains no JSON object")


def parse_structured(message: BaseMessage, schema: dict[str, Any] | type) -> Any:
    """Validate a model reply against the schema, ignoring any reasoning text.

    Tool-call replies (native structured output through function calling) are read from their arguments.
    """
    if isinstance(message, AIMessage) and message.tool_calls:
        payload: Any = message.tool_calls[0]["args"]
    else:
        answer, _ = split_reasoning(message)
        payload = extract_json(answer)
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_validate(payload)
    return payload


def describe_error(error: BaseException) -> str:
    """A compact, model-readable statement of what was wrong."""
    if isinstance(error, ValidationError):
        lines = []
        for item in error.errors()[:8]:
            where = ".".join(str(part) for part in item["loc"]) or "(root)"
            lines.append(f"- {where}: {item['msg']}")
        return "The JSON did not match the schema:\n" + "\n".join(lines)
    return f"The reply could not be parsed: {error}"


def schema_instructions(schema: dict[str, Any] | type) -> SystemMessage:
    """Instructions for models without native structured output."""
    return SystemMessage(
        content=(
            "Reply with a single JSON object that matches this JSON schema, and nothing else "
            "(no prose, no code fence):\n" + json.dumps(schema_of(schema), separators=(",", ":"))
        )
    )


def correction_message(error: BaseException, raw_reply: str) -> HumanMessage:
    """The message that sends a validation failure back to the model."""
    echoed = raw_reply if len(raw_reply) <= MAX_ECHO_CHARS else raw_reply[:MAX_ECHO_CHARS] + " ..."
    return HumanMessage(
        content=(
            f"Your previous reply was invalid.\n{describe_error(error)}\n"
            f"Your previous reply was:\n{echoed}\n"
            "Reply again with only a JSON object that satisfies the schema."
        )
    )


def raw_text(message: BaseMessage) -> str:
    if isinstance(message, AIMessage) and message.tool_calls:
        return json.dumps(message.tool_calls[0]["args"])
    answer, _ = split_reasoning(message)
    return answer
