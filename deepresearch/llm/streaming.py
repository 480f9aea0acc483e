"""Streamed replies: the answer merged, the reasoning passed on as it comes, thinking capped.

Every model call streams (`astream`), whatever the provider: reasoning arrives as `reasoning_content`
deltas (DeepSeek, vLLM, llama.cpp and OpenRouter through `ReasoningChatOpenAI` or langchain-deepseek; Ollama
with `think`), as Anthropic thinking blocks, as OpenAI reasoning-summary blocks, or between `<think>` tags in
the content (tags may straddle chunks). Each piece of reasoning goes to `on_reasoning` the moment it arrives;
the merged reply is split again as a whole by `deepresearch.llm.reasoning` before anyone reads its answer,
so reasoning never reaches an answer whichever path it took.

The thinking cap (`ThinkingCap`) bounds one call's thinking in estimated tokens or seconds, for providers
that have no budget of their own: past it the stream is closed (the request is cancelled) and the outcome
says so; the handle then asks the model once to answer without more thought.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, message_chunk_to_message

from deepresearch.llm.reasoning import block_parts
from deepresearch.llm.usage import CHARS_PER_TOKEN

_OPEN, _CLOSE = "<think>", "</think>"


@dataclass(frozen=True)
class ThinkingCap:
    tokens: int | None = None
    seconds: float | None = None

    def passed(self, reasoning_chars: int, thinking_s: float) -> str:
        """'' while within the cap, else what was passed (for the event and the note to the model)."""
        if self.tokens is not None and reasoning_chars // CHARS_PER_TOKEN > self.tokens:
            return f"{self.tokens:,} thinking tokens"
        if self.seconds is not None and thinking_s > self.seconds:
            return f"{self.seconds:g} s of thinking"
        return ""


class ThinkTagSplitter:
    """Splits streamed text into (answer, reasoning) at `<think>` tags, holding back a tag cut between chunks."""

    def __init__(self) -> None:
        self.is_inside = False
        self._pending = ""

    def feed(self, text: str) -> tuple[str, str]:
        text, self._pending = self._pending + text, ""
        answer: list[str] = []
        reasoning: list[str] = []
        while text:
            tag = _CLOSE if self.is_inside else _OPEN
            target = reasoning if self.is_inside else answer
            index = text.find(tag)
            if index >= 0:
                target.append(text[:index])
                text = text[index + len(tag) :]
                self.is_inside = not self.is_inside
                continue
            keep = next((n for n in range(min(len(tag) - 1, len(text)), 0, -1) if tag.startswith(text[-n:])), 0)
            target.append(text[: len(text) - keep])
            self._pending = text[len(text) - keep :]
            break
        return "".join(answer), "".join(reasoning)


def _block_reasoning(block: Any, tags: ThinkTagSplitter) -> tuple[str, str]:
    """(answer, reasoning) of one content block of a chunk: Anthropic thinking and OpenAI reasoning blocks
    as `deepresearch.llm.reasoning` reads them, with `<think>` tags split from text as they stream."""
    if isinstance(block, str):
        return tags.feed(block)
    if not isinstance(block, dict):
        return "", ""
    answer, reasoning = block_parts(block)
    tagged_answer, tagged_reasoning = tags.feed(answer) if answer else ("", "")
    return tagged_answer, reasoning + tagged_reasoning


def chunk_parts(chunk: BaseMessage, tags: ThinkTagSplitter) -> tuple[str, str]:
    """(answer, reasoning) text one streamed chunk adds."""
    answer: list[str] = []
    reasoning: list[str] = []
    extra = chunk.additional_kwargs.get("reasoning_content")
    if isinstance(extra, str):
        reasoning.append(extra)
    blocks = [chunk.content] if isinstance(chunk.content, str) else chunk.content
    for block in blocks:
        block_answer, block_reasoning = _block_reasoning(block, tags)
        answer.append(block_answer)
        reasoning.append(block_reasoning)
    return "".join(answer), "".join(reasoning)


@dataclass(frozen=True)
class StreamOutcome:
    message: AIMessage
    capped: str = ""  # what cap the thinking passed ('' if none); the reply was cut there
    reasoning_streamed: bool = False  # reasoning went to `on_reasoning` as it came


def _merge(merged: Any, chunk: Any) -> Any:
    if merged is None:
        return chunk
    if isinstance(merged, AIMessageChunk) and isinstance(chunk, AIMessageChunk):
        return merged + chunk
    return chunk  # a model that does not stream yields its whole reply once


def _as_message(merged: Any) -> AIMessage:
    if isinstance(merged, AIMessageChunk):
        message = message_chunk_to_message(merged)
        assert isinstance(message, AIMessage)
        return message
    if isinstance(merged, AIMessage):
        return merged
    raise TypeError(f"a chat model streamed {type(merged).__name__}, not message chunks")


async def collect_stream(
    chunks: AsyncGenerator[Any, None],
    *,
    on_reasoning: Callable[[str], None],
    cap: ThinkingCap = ThinkingCap(),
    clock: Callable[[], float] = time.monotonic,
) -> StreamOutcome:
    """Merge a streamed reply, handing each reasoning delta to `on_reasoning`; stop at the thinking cap.

    The cap counts thinking until the answer starts (its first text or tool call); an answer under way
    is never cut.
    """
    started = clock()
    tags = ThinkTagSplitter()
    merged: Any = None
    reasoning_chars = 0
    is_answering = False
    capped = ""
    async with aclosing(chunks) as stream:  # closing the stream cancels the request when the cap is hit
        async for chunk in stream:
            merged = _merge(merged, chunk)
            if not isinstance(chunk, BaseMessage):
                continue
            answer, reasoning = chunk_parts(chunk, tags)
            if reasoning:
                reasoning_chars += len(reasoning)
                on_reasoning(reasoning)
            is_answering = is_answering or bool(answer.strip()) or bool(getattr(chunk, "tool_call_chunks", None))
            if not is_answering:
                capped = cap.passed(reasoning_chars, clock() - started)
                if capped:
                    break
    if merged is None:
        return StreamOutcome(AIMessage(content=""))
    return StreamOutcome(_as_message(merged), capped=capped, reasoning_streamed=reasoning_chars > 0)


class ReasoningRelay:
    """Batches reasoning deltas into events: at most one per `min_interval_s`, or sooner once `min_chars`
    are waiting, so a fast stream does not become thousands of events. What waits is sent when the
    interval ends even if no more reasoning arrives (a model that pauses mid-thought still shows it all)."""

    def __init__(
        self,
        emit: Callable[[str], None],
        *,
        min_chars: int = 160,
        min_interval_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._min_chars = min_chars
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._buffer: list[str] = []
        self._size = 0
        self._last = float("-inf")  # the first delta goes out at once
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, delta: str) -> None:
        self._buffer.append(delta)
        self._size += len(delta)
        waited = self._clock() - self._last
        if self._size >= self._min_chars or waited >= self._min_interval_s:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._min_interval_s - waited, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._buffer:
            text, self._buffer, self._size = "".join(self._buffer), [], 0
            self._last = self._clock()
            self._emit(text)
