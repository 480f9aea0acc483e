"""The one way agents call a model: budget check, bounded retries, reasoning split, usage, events.

Agents receive a `ModelSet` through the graph's runtime context and ask it for their role's handle. A
handle never lets reasoning text into an answer, checks the token budget before every call, and turns
structured-output failures into correction round trips before giving up with `StructuredOutputError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel

from deepresearch.config import EMBEDDED_MODEL, ResearchConfig, Role, Tier
from deepresearch.errors import StructuredOutputError
from deepresearch.llm.profiles import ModelProfile, profile_for
from deepresearch.llm.providers import BuiltModel, build_model, parse_spec
from deepresearch.llm.reasoning import strip_reasoning
from deepresearch.llm.retry import call_with_retry
from deepresearch.llm.structured import (
    bounded_schema,
    correction_message,
    parse_structured,
    raw_text,
    schema_instructions,
    schema_of,
)
from deepresearch.llm.usage import UsageLedger, estimate_tokens, usage_of
from deepresearch.progress import Event, EventSink, ignore_event
from deepresearch.schemas import Usage

ModelT = TypeVar("ModelT", bound=BaseModel)

EMBEDDED_NOTICE = (
    "Using the embedded offline model (SmolLM2-135M): answers will be weak. "
    "Configure a real one with DEEPRESEARCH_MODEL=openai:<model> (plus its key) or anthropic:/ollama:/deepseek:."
)


@dataclass(frozen=True)
class ModelReply:
    """A reply with the reasoning moved aside: `message.content` and `text` hold the answer only."""

    message: AIMessage
    text: str
    reasoning: str
    usage: Usage


MAX_BOUND_TOOL_SETS = 16


class ChatModelHandle:
    """A role's model with the run's ledger, retries and event sink attached."""

    def __init__(
        self,
        role: str,
        built: BuiltModel,
        *,
        ledger: UsageLedger,
        events: EventSink = ignore_event,
        max_retries: int = 3,
        structured_attempts: int = 3,
        reply_allowance: int = 1024,
        show_reasoning: bool = False,
    ) -> None:
        self.role = role
        self.built = built
        self.ledger = ledger
        self.events = events
        self.max_retries = max_retries
        self.structured_attempts = structured_attempts
        self.reply_allowance = reply_allowance
        self.show_reasoning = show_reasoning
        # tool-set key → (the tools, kept alive so their ids stay theirs; the bound model)
        self._bound: dict[tuple[tuple[int, ...], str | None], tuple[list[Any], Any]] = {}

    @property
    def chat(self) -> BaseChatModel:
        return self.built.chat

    def sampling(self, temperature: float, seed: int) -> ChatModelHandle:
        """This handle at another temperature and seed, sharing the ledger and events.

        For self-consistency and best-of-N: N calls over the same prompt must differ, so each gets its
        own seed (llama.cpp and OpenAI-compatible servers are deterministic per seed). Only the settings
        the chat model has are changed; a model without them (a scripted one) is used as it is.
        """
        fields = type(self.chat).model_fields
        update = {name: value for name, value in (("temperature", temperature), ("seed", seed)) if name in fields}
        chat = self.chat.model_copy(update=update) if update else self.chat
        return ChatModelHandle(
            self.role,
            replace(self.built, chat=chat),
            ledger=self.ledger,
            events=self.events,
            max_retries=self.max_retries,
            structured_attempts=self.structured_attempts,
            reply_allowance=self.reply_allowance,
            show_reasoning=self.show_reasoning,
        )

    @property
    def profile(self) -> ModelProfile:
        return self.built.profile

    async def _call(self, runnable: Any, messages: Sequence[BaseMessage], agent: str | None) -> Any:
        self.ledger.check(estimate_tokens(messages) + self.reply_allowance, role=self.role)
        return await call_with_retry(
            lambda: runnable.ainvoke(list(messages), config={"metadata": {"deepresearch_role": self.role}}),
            max_retries=self.max_retries,
            describe=f"{self.role} model {self.built.spec}",
            events=self.events,
        )

    def _account(self, raw: AIMessage, agent: str | None) -> ModelReply:
        clean = strip_reasoning(raw)
        reasoning = str(clean.additional_kwargs.get("reasoning_content", ""))
        usage = usage_of(raw, reasoning)
        self.ledger.record(self.role, usage)
        self.events(
            Event(
                kind="llm.call",
                agent=agent,
                message=f"{self.role}: {usage.input_tokens} in / {usage.output_tokens} out",
                data={"role": self.role, "model": str(self.built.spec), **usage.model_dump()},
            )
        )
        if reasoning and self.show_reasoning:
            self.events(Event(kind="llm.reasoning", agent=agent, message=reasoning, data={"role": self.role}))
        text = clean.content if isinstance(clean.content, str) else ""
        return ModelReply(message=clean, text=text, reasoning=reasoning, usage=usage)

    async def ainvoke(
        self,
        messages: Sequence[BaseMessage],
        *,
        tools: Sequence[Any] | None = None,
        tool_choice: str | None = None,
        agent: str | None = None,
    ) -> ModelReply:
        """One model call; with `tools` the reply may carry tool calls (constrained JSON on local models)."""
        runnable: Any = self.chat
        if tools:
            runnable = self._with_tools(tools, tool_choice)
        raw = await self._call(runnable, messages, agent)
        return self._account(raw, agent)

    def _with_tools(self, tools: Sequence[Any], tool_choice: str | None) -> Any:
        """The model bound to `tools`, bound once per tool set: researchers pass the same schema objects
        at every step, and binding converts every schema again, one researcher at a time."""
        key = (tuple(id(tool) for tool in tools), tool_choice)
        if key not in self._bound:
            if len(self._bound) >= MAX_BOUND_TOOL_SETS:  # tool sets built afresh per call: do not pile up
                self._bound.clear()
            self._bound[key] = (list(tools), self.chat.bind_tools(list(tools), tool_choice=tool_choice))
        return self._bound[key][1]

    async def astructured(
        self, messages: Sequence[BaseMessage], schema: type[ModelT], *, agent: str | None = None
    ) -> ModelT:
        """Ask for an instance of `schema`; validation errors go back to the model up to the bound."""
        method = self.built.structured_method
        conversation = list(messages)
        if method == "native":
            runnable: Any = self.chat.with_structured_output(schema, include_raw=True)
        else:
            conversation = [schema_instructions(schema), *conversation]
            # JSON mode carries the schema too: llama.cpp-based servers turn it into a grammar, others ignore it.
            response_format = {"type": "json_object", "schema": bounded_schema(schema_of(schema))}
            runnable = self.chat.bind(response_format=response_format) if method == "json_mode" else self.chat
        last_error = ""
        for attempt in range(1, self.structured_attempts + 1):
            result = await self._call(runnable, conversation, agent)
            raw: AIMessage = result["raw"] if isinstance(result, dict) else result
            self._account(raw, agent)
            try:
                parsed = result.get("parsed") if isinstance(result, dict) else None
                if isinstance(parsed, schema):
                    return parsed
                return schema.model_validate(parse_structured(raw, schema))
            except ValueError as error:  # pydantic's ValidationError is a ValueError
                last_error = str(error).splitlines()[0] if str(error) else type(error).__name__
                self.events(
                    Event(
                        kind="llm.structured_retry",
                        agent=agent,
                        message=f"{self.role}: invalid {schema.__name__} (attempt {attempt}): {last_error}",
                        data={
                            "role": self.role,
                            "schema": schema.__name__,
                            "attempt": attempt,
                            "reply": raw_text(raw)[:500],
                        },
                    )
                )
                conversation = [
                    *conversation,
                    AIMessage(content=raw_text(raw)),
                    correction_message(error, raw_text(raw)),
                ]
        raise StructuredOutputError(schema.__name__, self.structured_attempts, last_error)


ModelBuilder = Callable[[str, ResearchConfig, Role], BuiltModel]


class ModelSet:
    """The models of one run, one handle per role, sharing one usage ledger.

    Tests pass their own `builder` (or `overrides` per role) to inject scripted models.
    """

    def __init__(
        self,
        config: ResearchConfig,
        *,
        ledger: UsageLedger | None = None,
        events: EventSink = ignore_event,
        builder: ModelBuilder = build_model,
        overrides: dict[str, BaseChatModel] | None = None,
        show_reasoning: bool = False,
    ) -> None:
        self.config = config
        self.ledger = ledger or UsageLedger(config.max_tokens)
        self.events = events
        self.builder = builder
        self.overrides = overrides or {}
        self.show_reasoning = show_reasoning
        self._handles: dict[tuple[str, Tier | None], ChatModelHandle] = {}

    def validate(self, roles: Sequence[Role]) -> None:
        """Build every role's model up front so bad settings fail before any work starts."""
        for role in roles:
            self.for_role(role)

    def spec_for(self, role: Role, tier: Tier | None = None) -> str:
        """The `provider:model` string `role` is built from (overrides aside), on `tier` if one is given."""
        return self.config.model_for(role, tier) or EMBEDDED_MODEL

    @property
    def uses_embedded(self) -> bool:
        from deepresearch.config import ROLES

        return any(
            role not in self.overrides and parse_spec(self.config.model_for(role)).provider == "embedded"
            for role in ROLES
        )

    def for_role(self, role: Role, tier: Tier | None = None) -> ChatModelHandle:
        """`role`'s model. `tier` asks for that tier's model instead of the role's usual one (a role's own
        `<role>_model` still wins): the quick path runs its researcher on the fast tier. Nothing here changes
        what another branch of the run gets."""
        key = (role, tier)
        if key not in self._handles:
            if role in self.overrides:
                spec = parse_spec("scripted:override")
                profile = profile_for(role, spec.provider, spec.model, self.config)
                built = BuiltModel(self.overrides[role], spec, profile)
            else:
                built = self.builder(self.spec_for(role, tier), self.config, role)
            self._handles[key] = ChatModelHandle(
                role,
                built,
                ledger=self.ledger,
                events=self.events,
                max_retries=self.config.llm_max_retries,
                structured_attempts=self.config.structured_attempts,
                reply_allowance=self.config.max_output_tokens,
                show_reasoning=self.show_reasoning,
            )
        return self._handles[key]
