"""The one way agents call a model: budget check, provider gate, retries, fallbacks, streaming, reasoning
split, usage and events.

Agents receive a `ModelSet` through the graph's runtime context and ask it for their role's handle. A
handle never lets reasoning text into an answer, checks the token budget before every call, streams every
call (reasoning deltas become `llm.reasoning.delta` events when asked for; the whole reasoning is an
`llm.reasoning` event with its token count, for the trace), and turns structured-output failures into
correction round trips before giving up with `StructuredOutputError`. Tools go natively to models whose
profile has native tool calling and through the JSON-action protocol (`tool_protocol`) to the others.

When every attempt at the role's model fails (its retries spent, or an error that retrying cannot fix), the
call moves to the role's fallback models in order; when they fail too, `ProviderUnavailable` (a
`BudgetExceeded` with limit "provider") ends research gracefully, like a spent budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel

from deepresearch.errors import BudgetExceeded, ProviderUnavailable, StructuredOutputError
from deepresearch.llm.call_settings import DEFAULT_CALL_SETTINGS, CallSettings, Candidate
from deepresearch.llm.gate import ProviderGate
from deepresearch.llm.profiles import ModelProfile
from deepresearch.llm.providers import BuiltModel
from deepresearch.llm.reasoning import strip_reasoning
from deepresearch.llm.retry import call_with_retry, is_provider_down, is_provider_failure
from deepresearch.llm.streaming import ReasoningRelay, StreamOutcome, collect_stream
from deepresearch.llm.structured import (
    bounded_schema,
    correction_message,
    parse_structured,
    raw_text,
    schema_instructions,
    schema_of,
)
from deepresearch.llm.tool_protocol import ActionProtocol
from deepresearch.llm.usage import UsageLedger, estimate_tokens, usage_of, with_estimated_usage
from deepresearch.progress import Event, EventSink, ignore_event
from deepresearch.schemas import Usage

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")

EMBEDDED_NOTICE = (
    "Using the embedded offline model (SmolLM2-135M): answers will be weak. "
    "Configure a real one with DEEPRESEARCH_MODEL=openai:<model> (plus its key) or anthropic:/ollama:/deepseek:."
)
THINKING_CAPPED_NOTE = (
    "Your thinking passed the limit of {cap} and was cut before you answered. "
    "Answer now, directly, without further deliberation."
)
MAX_BOUND_TOOL_SETS = 16
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class ModelReply:
    """A reply with the reasoning moved aside: `message.content` and `text` hold the answer only."""

    message: AIMessage
    text: str
    reasoning: str
    usage: Usage


class ChatModelHandle:
    """A role's model (and its fallbacks) with the run's ledger, gates, retries and event sink attached."""

    def __init__(
        self,
        role: str,
        built: BuiltModel,
        *,
        ledger: UsageLedger,
        events: EventSink = ignore_event,
        settings: CallSettings = DEFAULT_CALL_SETTINGS,
        gate: ProviderGate | None = None,
        fallbacks: Sequence[Candidate] = (),
    ) -> None:
        self.role = role
        self.candidates = [Candidate(built, gate) if gate is not None else Candidate(built), *fallbacks]
        self.ledger = ledger
        self.events = events
        self.settings = settings
        # (candidate, tool-set key) → (the tools, kept alive so their ids stay theirs; the bound model)
        self._bound: dict[tuple[int, tuple[int, ...], str | None], tuple[list[Any], Any]] = {}

    @property
    def built(self) -> BuiltModel:
        """The role's own model (the first candidate)."""
        return self.candidates[0].built

    @property
    def chat(self) -> BaseChatModel:
        return self.built.chat

    @property
    def profile(self) -> ModelProfile:
        return self.built.profile

    def sampling(self, temperature: float, seed: int) -> ChatModelHandle:
        """This handle at another temperature and seed, sharing the ledger, gates and events.

        For self-consistency and best-of-N: N calls over the same prompt must differ, so each gets its
        own seed (llama.cpp and OpenAI-compatible servers are deterministic per seed). Only the settings
        the chat model has, and its profile accepts, are changed; a model without them is used as it is.
        """

        def resampled(candidate: Candidate) -> Candidate:
            fields = type(candidate.built.chat).model_fields
            wanted: dict[str, Any] = {"seed": seed}
            if candidate.built.profile.accepts_temperature:
                wanted["temperature"] = temperature
            update = {name: value for name, value in wanted.items() if name in fields}
            chat = candidate.built.chat.model_copy(update=update) if update else candidate.built.chat
            return replace(candidate, built=replace(candidate.built, chat=chat))

        first, *rest = [resampled(c) for c in self.candidates]
        return ChatModelHandle(
            self.role,
            first.built,
            ledger=self.ledger,
            events=self.events,
            settings=self.settings,
            gate=first.gate,
            fallbacks=rest,
        )

    # ---- the public calls --------------------------------------------------------------------------

    async def ainvoke(
        self,
        messages: Sequence[BaseMessage],
        *,
        tools: Sequence[Any] | None = None,
        tool_choice: str | None = None,
        agent: str | None = None,
    ) -> ModelReply:
        """One model call; with `tools` the reply may carry tool calls (native, or the JSON-action protocol)."""

        async def on(candidate: Candidate) -> ModelReply:
            if tools and not candidate.built.profile.native_tools:
                return await self._act(
                    candidate,
                    messages,
                    ActionProtocol.for_tools(tools, tool_choice, parallel=not candidate.built.profile.weak),
                    agent,
                )
            runnable: Any = self._with_tools(candidate, tools, tool_choice) if tools else candidate.built.chat
            return self._account(candidate, await self._complete(candidate, runnable, messages, agent), agent)

        return await self._with_fallbacks(on, agent)

    async def astructured(
        self, messages: Sequence[BaseMessage], schema: type[ModelT], *, agent: str | None = None
    ) -> ModelT:
        """Ask for an instance of `schema`; validation errors go back to the model up to the bound."""

        async def on(candidate: Candidate) -> ModelT:
            return await self._structured(candidate, messages, schema, agent)

        return await self._with_fallbacks(on, agent)

    # ---- fallbacks ---------------------------------------------------------------------------------

    async def _with_fallbacks(self, operation: Callable[[Candidate], Awaitable[T]], agent: str | None) -> T:
        failures: dict[str, str] = {}
        for index, candidate in enumerate(self.candidates):
            name = str(candidate.built.spec)
            if candidate.gate.is_down:
                failures[name] = f"skipped: {candidate.gate.down_reason}"
                continue
            try:
                return await operation(candidate)
            except (BudgetExceeded, StructuredOutputError):
                raise
            except Exception as exc:
                if not is_provider_failure(exc):
                    raise
                reason = self._reason(exc)
                failures[name] = reason
                if is_provider_down(exc):
                    candidate.gate.mark_down(self.settings.cooldown_s, reason)
                if index + 1 < len(self.candidates):
                    following = self.candidates[index + 1].built.spec
                    self._emit(
                        "llm.fallback",
                        f"{self.role}: {name} failed ({reason}); trying {following}",
                        agent,
                        model=name,
                        fallback=str(following),
                        reason=reason,
                    )
        self._emit(
            "llm.provider_failed",
            f"{self.role}: every model failed: "
            + "; ".join(f"{model}: {reason}" for model, reason in failures.items()),
            agent,
            failures=failures,
        )
        raise ProviderUnavailable(self.role, failures)

    def _reason(self, exc: BaseException) -> str:
        text = str(exc).splitlines()[0] if str(exc) else ""
        text = text if text.startswith(self.role) or not text else f"{type(exc).__name__}: {text}"
        return self.settings.redact(text or type(exc).__name__)[:MAX_REASON_CHARS]

    # ---- one call on one model ----------------------------------------------------------------------

    async def _complete(
        self, candidate: Candidate, runnable: Any, messages: Sequence[BaseMessage], agent: str | None
    ) -> StreamOutcome:
        """One streamed call; past the thinking cap, one more asking for the answer without more thought
        (whose reply stands even if it is cut too)."""
        outcome = await self._stream_once(candidate, runnable, messages, agent)
        for is_last in (False, True):
            if not outcome.capped:
                break
            then = "the reply stays cut" if is_last else "asking for the answer"
            self._emit(
                "llm.thinking_capped",
                f"{self.role}: thinking passed {outcome.capped}; {then}",
                agent,
                cap=outcome.capped,
            )
            if is_last:
                break
            self._account(candidate, outcome, agent)
            nudge = HumanMessage(THINKING_CAPPED_NOTE.format(cap=outcome.capped))
            outcome = await self._stream_once(candidate, runnable, [*messages, nudge], agent)
        return outcome

    async def _stream_once(
        self, candidate: Candidate, runnable: Any, messages: Sequence[BaseMessage], agent: str | None
    ) -> StreamOutcome:
        model = str(candidate.built.spec)
        relay = ReasoningRelay(lambda text: self._emit("llm.reasoning.delta", text, agent, model=model))
        try:
            outcome = await self._attempt(
                candidate,
                messages,
                lambda config: collect_stream(
                    runnable.astream(list(messages), config=config),
                    on_reasoning=relay if self.settings.stream_reasoning else _ignore_text,
                    cap=self.settings.thinking_cap,
                ),
            )
        finally:
            relay.flush()
        return replace(outcome, message=with_estimated_usage(outcome.message, messages))

    async def _attempt(
        self, candidate: Candidate, messages: Sequence[BaseMessage], run: Callable[[Any], Awaitable[T]]
    ) -> T:
        """`run(config)` once the budget allows it, inside the provider's gate and the call's time limit,
        retried on transient failures."""
        self.ledger.check(estimate_tokens(messages) + self.settings.reply_allowance, role=self.role)
        config = {"metadata": {"deepresearch_role": self.role}}

        async def attempt() -> T:
            async with candidate.gate.slot(), asyncio.timeout(self.settings.timeout_s):
                return await run(config)

        return await call_with_retry(
            attempt,
            max_retries=self.settings.max_retries,
            describe=f"{self.role} model {candidate.built.spec}",
            events=self.events,
            gate=candidate.gate,
        )

    def _account(self, candidate: Candidate, outcome: StreamOutcome, agent: str | None) -> ModelReply:
        raw = outcome.message
        clean = strip_reasoning(raw)
        reasoning = str(clean.additional_kwargs.get("reasoning_content", ""))
        usage = usage_of(raw, reasoning)
        self.ledger.record(self.role, usage)
        model = str(candidate.built.spec)
        self._emit(
            "llm.call",
            f"{self.role}: {usage.input_tokens} in / {usage.output_tokens} out",
            agent,
            model=model,
            **usage.model_dump(),
        )
        if reasoning:
            self._emit(
                "llm.reasoning",
                reasoning,
                agent,
                model=model,
                reasoning_tokens=usage.reasoning_tokens,
                streamed=outcome.reasoning_streamed and self.settings.stream_reasoning,
            )
        text = clean.content if isinstance(clean.content, str) else ""
        return ModelReply(message=clean, text=text, reasoning=reasoning, usage=usage)

    def _emit(self, kind: str, message: str, agent: str | None, **data: Any) -> None:
        self.events(Event(kind=kind, message=message, agent=agent, data={"role": self.role, **data}))

    # ---- tools ---------------------------------------------------------------------------------------

    def _with_tools(self, candidate: Candidate, tools: Sequence[Any] | None, tool_choice: str | None) -> Any:
        """The model bound to `tools`, bound once per tool set: researchers pass the same schema objects
        at every step, and binding converts every schema again, one researcher at a time."""
        tool_list = list(tools or [])
        key = (id(candidate), tuple(id(tool) for tool in tool_list), tool_choice)
        if key not in self._bound:
            if len(self._bound) >= MAX_BOUND_TOOL_SETS:  # tool sets built afresh per call: do not pile up
                self._bound.clear()
            self._bound[key] = (tool_list, candidate.built.chat.bind_tools(tool_list, tool_choice=tool_choice))
        return self._bound[key][1]

    async def _act(
        self, candidate: Candidate, messages: Sequence[BaseMessage], protocol: ActionProtocol, agent: str | None
    ) -> ModelReply:
        """A tool-calling turn through the JSON-action protocol, with invalid replies sent back as corrections.
        After the last attempt the reply stands as a plain answer (no tool call), which ends the turn."""
        conversation = protocol.messages(messages)
        chat = candidate.built.chat
        runnable = (
            chat.bind(response_format={"type": "json_object", "schema": protocol.schema()})
            if candidate.built.profile.json_mode
            else chat
        )
        reply: ModelReply | None = None
        for attempt in range(1, self.settings.structured_attempts + 1):
            reply = self._account(candidate, await self._complete(candidate, runnable, conversation, agent), agent)
            try:
                action = protocol.parse(reply.message)
            except ValueError as error:
                self._emit(
                    "llm.action_retry",
                    f"{self.role}: invalid action (attempt {attempt}): {error}",
                    agent,
                    attempt=attempt,
                    reply=reply.text[:500],
                )
                conversation = [*conversation, AIMessage(content=reply.text), protocol.correction(error, reply.text)]
                continue
            text = action.content if isinstance(action.content, str) else ""
            return replace(reply, message=action, text=text)
        assert reply is not None
        return reply

    # ---- structured output ------------------------------------------------------------------------------

    async def _structured(
        self, candidate: Candidate, messages: Sequence[BaseMessage], schema: type[ModelT], agent: str | None
    ) -> ModelT:
        method = candidate.built.structured_method
        chat = candidate.built.chat
        conversation = list(messages)
        if method == "native":
            runnable: Any = chat.with_structured_output(schema, include_raw=True)
        else:
            conversation = [schema_instructions(schema), *conversation]
            # JSON mode carries the schema too: llama.cpp-based servers turn it into a grammar, others ignore it.
            response_format = {"type": "json_object", "schema": bounded_schema(schema_of(schema))}
            runnable = chat.bind(response_format=response_format) if method == "json_mode" else chat
        last_error = ""
        for attempt in range(1, self.settings.structured_attempts + 1):
            result, raw = await self._structured_reply(candidate, runnable, conversation, agent)
            try:
                parsed = result.get("parsed") if isinstance(result, dict) else None
                if isinstance(parsed, schema):
                    return parsed
                return schema.model_validate(parse_structured(raw, schema))
            except ValueError as error:  # pydantic's ValidationError is a ValueError
                last_error = str(error).splitlines()[0] if str(error) else type(error).__name__
                self._emit(
                    "llm.structured_retry",
                    f"{self.role}: invalid {schema.__name__} (attempt {attempt}): {last_error}",
                    agent,
                    schema=schema.__name__,
                    attempt=attempt,
                    reply=raw_text(raw)[:500],
                )
                echoed = raw_text(raw)
                conversation = [*conversation, AIMessage(content=echoed), correction_message(error, echoed)]
        raise StructuredOutputError(schema.__name__, self.settings.structured_attempts, last_error)

    async def _structured_reply(
        self, candidate: Candidate, runnable: Any, conversation: list[BaseMessage], agent: str | None
    ) -> tuple[Any, AIMessage]:
        """(what the runnable returned, the model's raw message), accounted. Native structured output is a
        parser chain, not a message stream: it is one whole reply."""
        if candidate.built.structured_method != "native":
            outcome = await self._complete(candidate, runnable, conversation, agent)
            self._account(candidate, outcome, agent)
            return outcome.message, outcome.message
        result: Any = await self._attempt(
            candidate, conversation, lambda config: runnable.ainvoke(conversation, config=config)
        )
        raw: AIMessage = with_estimated_usage(result["raw"] if isinstance(result, dict) else result, conversation)
        self._account(candidate, StreamOutcome(raw), agent)
        return result, raw


def _ignore_text(text: str) -> None:
    """Reasoning deltas nobody asked to see (the whole reasoning is still recorded after the call)."""
