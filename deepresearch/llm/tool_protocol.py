"""The JSON-action protocol: tool calls for any model without native tool calling.

A model whose profile says `native_tools: false` (the embedded SmolLM2, deepseek-reasoner, a served model
without a tool parser) is told about the tools in its system prompt and replies with one JSON object:

    {"tool": "<name>", "arguments": {...}}                    one call
    {"calls": [{"tool": "<name>", "arguments": {...}}, ...]}  several at once (capable models only)
    {"answer": "<text>"}                                      done (when the caller allows an answer)

Where the provider supports JSON mode (`profile.json_mode`) the request also carries
`response_format={"type": "json_object", "schema": ...}`: llama.cpp-based servers and the embedded model
turn the schema into a grammar, so the reply cannot be invalid. The reply is parsed into
`AIMessage.tool_calls` exactly as a native tool call would be; a reply that does not parse is sent back
with what was wrong (`correction`). The conversation so far is rendered for the model in the same terms:
its earlier calls as their JSON, tool results as user messages saying which tool answered and whether it
failed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from deepresearch.llm.reasoning import split_reasoning
from deepresearch.llm.structured import MAX_ECHO_CHARS, bounded_schema, extract_json

ACTION_SCHEMA_TITLE = "ToolAction"
MAX_PARALLEL_CALLS = 8
MAX_ANSWER_CHARS = 4000


def openai_tools(tools: Sequence[Any]) -> list[dict[str, Any]]:
    """Tools as OpenAI tool dicts (already converted ones are kept as they are)."""
    return [t if isinstance(t, dict) and "function" in t else convert_to_openai_tool(t) for t in tools]


def _call_schema(tool: dict[str, Any]) -> dict[str, Any]:
    function = tool["function"]
    return {
        "type": "object",
        "properties": {
            "tool": {"const": function["name"]},
            "arguments": function.get("parameters") or {"type": "object", "properties": {}},
        },
        "required": ["tool", "arguments"],
    }


@dataclass(frozen=True)
class ActionProtocol:
    """The protocol for one call: which tools, whether a final answer is allowed, whether calls may batch."""

    tools: tuple[dict[str, Any], ...]
    allow_answer: bool = True
    parallel: bool = False

    @classmethod
    def for_tools(cls, tools: Sequence[Any], tool_choice: str | None, *, parallel: bool) -> ActionProtocol:
        """`tool_choice` as in `bind_tools`: None/"auto"/"none" allow an answer, "any"/"required" demand a
        call, a tool's name demands that tool."""
        formatted = openai_tools(tools)
        if tool_choice in (None, "auto", "none"):
            return cls(tuple(formatted), allow_answer=True, parallel=parallel)
        if tool_choice not in ("any", "required"):
            formatted = [t for t in formatted if t["function"]["name"] == tool_choice] or formatted
        return cls(tuple(formatted), allow_answer=False, parallel=parallel)

    @property
    def names(self) -> set[str]:
        return {tool["function"]["name"] for tool in self.tools}

    def schema(self) -> dict[str, Any]:
        """One JSON schema whose instances are a call, a batch of calls (if parallel) or a final answer."""
        calls = [_call_schema(tool) for tool in self.tools]
        options: list[dict[str, Any]] = list(calls)
        if self.parallel:
            options.append(
                {
                    "type": "object",
                    "properties": {
                        "calls": {
                            "type": "array",
                            "items": {"anyOf": calls},
                            "minItems": 1,
                            "maxItems": MAX_PARALLEL_CALLS,
                        }
                    },
                    "required": ["calls"],
                }
            )
        if self.allow_answer:
            options.append(
                {
                    "type": "object",
                    "properties": {"answer": {"type": "string", "maxLength": MAX_ANSWER_CHARS}},
                    "required": ["answer"],
                }
            )
        return bounded_schema({"title": ACTION_SCHEMA_TITLE, "anyOf": options})

    def instructions(self) -> str:
        lines = ["You can call tools. Reply with one JSON object and nothing else.", "Tools:"]
        for tool in self.tools:
            function = tool["function"]
            params = json.dumps(function.get("parameters", {}).get("properties", {}))
            lines.append(f"- {function['name']}: {function.get('description', '')} Arguments: {params}")
        lines.append('To call a tool: {"tool": "<name>", "arguments": {...}}')
        if self.parallel:
            lines.append('To call several tools at once: {"calls": [{"tool": "<name>", "arguments": {...}}, ...]}')
        if self.allow_answer:
            lines.append('When you are done: {"answer": "<your final answer>"}')
        return "\n".join(lines)

    def messages(self, messages: Sequence[BaseMessage]) -> list[BaseMessage]:
        """The conversation as this protocol shows it: instructions in the system message, earlier calls as
        their JSON, tool results as user messages."""
        rendered = [render_message(message) for message in messages]
        instructions = self.instructions()
        if rendered and isinstance(rendered[0], SystemMessage) and isinstance(rendered[0].content, str):
            return [SystemMessage(rendered[0].content + "\n\n" + instructions), *rendered[1:]]
        return [SystemMessage(instructions), *rendered]

    def parse(self, message: AIMessage) -> AIMessage:
        """The reply as a native one: tool calls, or an answer. `ValueError` says what was wrong, for the model."""
        answer_text, _ = split_reasoning(message)
        payload = extract_json(answer_text)
        if not isinstance(payload, dict):
            raise ValueError("the reply must be one JSON object, not a list or a value")
        if "answer" in payload and self.allow_answer:
            return message.model_copy(update={"content": str(payload["answer"]), "tool_calls": []})
        items = payload.get("calls") if self.parallel and "calls" in payload else [payload]
        if not isinstance(items, list) or not items:
            raise ValueError('"calls" must be a non-empty list of {"tool": ..., "arguments": {...}} objects')
        calls = [self._tool_call(item) for item in items[:MAX_PARALLEL_CALLS]]
        return message.model_copy(update={"content": "", "tool_calls": calls})

    def _tool_call(self, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or "tool" not in item:
            expected = '{"tool": "<name>", "arguments": {...}}' + (' or {"answer": "..."}' if self.allow_answer else "")
            raise ValueError(f"expected {expected}")
        name = item["tool"]
        if name not in self.names:
            raise ValueError(f"unknown tool {name!r}; the tools are: {', '.join(sorted(self.names))}")
        arguments = item.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise ValueError(f'"arguments" of {name} must be a JSON object')
        return {"name": name, "args": arguments, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}

    def correction(self, error: BaseException, reply_text: str) -> HumanMessage:
        echoed = reply_text if len(reply_text) <= MAX_ECHO_CHARS else reply_text[:MAX_ECHO_CHARS] + " ..."
        return HumanMessage(
            f"Your previous reply was not a valid action: {error}.\nYour previous reply was:\n{echoed}\n"
            "Reply again with only one JSON object, as the instructions say."
        )


def render_message(message: BaseMessage) -> BaseMessage:
    """One message of the conversation in the protocol's terms (tool calls and results as plain text)."""
    if isinstance(message, AIMessage) and message.tool_calls:
        calls = [{"tool": call["name"], "arguments": call["args"]} for call in message.tool_calls]
        return AIMessage(content=json.dumps(calls[0] if len(calls) == 1 else {"calls": calls}))
    if isinstance(message, ToolMessage):
        failed = " (error)" if message.status == "error" else ""
        text = message.content if isinstance(message.content, str) else json.dumps(message.content)
        return HumanMessage(f"Result of tool {message.name or ''}{failed}:\n{text}")
    return message
