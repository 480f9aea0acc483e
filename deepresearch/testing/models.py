"""A scripted chat model for tests: deterministic replies, tool calls, structured output, fixed latency.

Script items are consumed in order, one per call. An item may be a string (the reply text), an
`AIMessage` (e.g. with tool calls), a pydantic instance or dict (serialised as the JSON reply, which is
how structured-output calls are answered), or a callable `(messages, call_kwargs) -> item` that decides
from what it was sent. `call_kwargs` carries the bound `tools` and, for structured-output calls, the
requested `structured_schema`, so one responder can serve every role of a graph.

Selected by settings as `scripted:<name>` (optionally `scripted:<name>@<latency seconds>`); names map to
factories in `SCRIPTS`, which other test modules extend with `register_script`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field

from deepresearch.llm.structured import parse_structured

ScriptItem = Any
Responder = Callable[[list[BaseMessage], dict[str, Any]], ScriptItem]


def tool_call(name: str, **args: Any) -> AIMessage:
    """An assistant message that calls one tool."""
    return AIMessage(
        content="",
        tool_calls=[
            {
                "name": name,
                "args": args,
                "id": f"call_{name}_{abs(hash(json.dumps(args, sort_keys=True, default=str))) % 10**8}",
            }
        ],
    )


def as_message(item: ScriptItem) -> AIMessage:
    """A script item as the assistant message it stands for."""
    if isinstance(item, AIMessage):
        return item
    if isinstance(item, BaseModel):
        return AIMessage(content=item.model_dump_json())
    if isinstance(item, dict | list):
        return AIMessage(content=json.dumps(item))
    return AIMessage(content=str(item))


def _with_usage(message: AIMessage, messages: Sequence[BaseMessage]) -> AIMessage:
    if message.usage_metadata:
        return message
    prompt_chars = sum(len(str(m.content)) for m in messages)
    out_chars = len(str(message.content)) + len(json.dumps([c["args"] for c in message.tool_calls]))
    usage = {"input_tokens": prompt_chars // 4 + 1, "output_tokens": out_chars // 4 + 1}
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    return message.model_copy(update={"usage_metadata": usage})


class ScriptedChatModel(FakeMessagesListChatModel):
    """Replays a script; records every call so tests can count and inspect them."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    responses: list[BaseMessage] = Field(default_factory=list)
    script: list[ScriptItem] = Field(default_factory=list)
    responder: Responder | None = None
    latency_s: float = 0.0
    calls: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next_item(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        self.calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
        index = len(self.calls) - 1
        if index < len(self.script):
            item = self.script[index]
        elif self.responder is not None:
            item = self.responder
        else:
            raise RuntimeError(f"scripted model ran out of script after {len(self.script)} calls")
        if callable(item) and not isinstance(item, BaseModel | AIMessage):
            item = item(messages, kwargs)
        return _with_usage(as_message(item), messages)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.latency_s:
            time.sleep(self.latency_s)
        return ChatResult(generations=[ChatGeneration(message=self._next_item(messages, kwargs))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return ChatResult(generations=[ChatGeneration(message=self._next_item(messages, kwargs))])

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any) -> Runnable[Any, Any]:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice, **kwargs)

    def with_structured_output(
        self, schema: dict[str, Any] | type, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        bound = self.bind(structured_schema=schema)
        parser = RunnableLambda(lambda message: parse_structured(message, schema))
        if not include_raw:
            return bound | parser
        parse_raw = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
        no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=bound) | parse_raw.with_fallbacks([no_parse], exception_key="parsing_error")


SCRIPTS: dict[str, Callable[[], ScriptedChatModel]] = {}


def register_script(name: str, factory: Callable[[], ScriptedChatModel]) -> None:
    SCRIPTS[name] = factory


def build_scripted_model(name: str) -> ScriptedChatModel:
    """Factory behind the `scripted:` provider: `name` or `name@latency_seconds`."""
    script_name, _, latency = name.partition("@")
    if script_name not in SCRIPTS:
        _load_known_scripts()
    if script_name not in SCRIPTS:
        raise KeyError(f"no scripted model named {script_name!r}; known: {sorted(SCRIPTS)}")
    model = SCRIPTS[script_name]()
    if latency:
        model.latency_s = float(latency)
    return model


def _load_known_scripts() -> None:
    """Import the modules that register scripts, so a subprocess finds them by name."""
    import importlib

    for module in ("deepresearch.testing.responder", "deepresearch.testing.entailment"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def _echo_responder(messages: list[BaseMessage], kwargs: dict[str, Any]) -> ScriptItem:
    last = messages[-1].content if messages else ""
    return f"echo: {last}"


register_script("echo", lambda: ScriptedChatModel(responder=_echo_responder))
