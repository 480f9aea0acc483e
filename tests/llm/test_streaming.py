"""Streamed replies: reasoning found in every format as it arrives, the thinking cap, batched deltas."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from langchain_core.messages import AIMessageChunk

from deepresearch.llm.streaming import ReasoningRelay, ThinkingCap, ThinkTagSplitter, collect_stream


def test_think_tags_cut_between_chunks_still_split() -> None:
    splitter = ThinkTagSplitter()
    parts = [splitter.feed(text) for text in ["Hi <th", "ink>weigh", "ing</thi", "nk>Answer"]]
    assert "".join(a for a, _ in parts) == "Hi Answer" and "".join(r for _, r in parts) == "weighing"


async def chunks(*items: AIMessageChunk, pause_s: float = 0.0) -> AsyncGenerator[AIMessageChunk, None]:
    for item in items:
        await asyncio.sleep(pause_s)
        yield item


async def test_reasoning_of_every_format_reaches_the_sink_and_the_answer_stays_whole() -> None:
    seen: list[str] = []
    outcome = await collect_stream(
        chunks(
            AIMessageChunk(content="", additional_kwargs={"reasoning_content": "field. "}),
            AIMessageChunk(content=[{"type": "thinking", "thinking": "block. ", "index": 0}]),
            AIMessageChunk(content="<think>tags.</think>The answer."),
        ),
        on_reasoning=seen.append,
    )
    assert "".join(seen) == "field. block. tags." and outcome.reasoning_streamed
    assert outcome.message.additional_kwargs["reasoning_content"] == "field. "


async def test_the_cap_in_seconds_cuts_thinking_but_never_an_answer_under_way() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0  # each look at the clock is a second later
        return now[0]

    thinking = [AIMessageChunk(content="", additional_kwargs={"reasoning_content": "hmm "}) for _ in range(10)]
    cut = await collect_stream(chunks(*thinking), on_reasoning=lambda _: None, cap=ThinkingCap(seconds=3), clock=clock)
    assert cut.capped == "3 s of thinking"
    now[0] = 0.0
    answering = [AIMessageChunk(content="The answer "), *[AIMessageChunk(content="goes on ") for _ in range(10)]]
    whole = await collect_stream(
        chunks(*answering), on_reasoning=lambda _: None, cap=ThinkingCap(seconds=3), clock=clock
    )
    assert not whole.capped and str(whole.message.content).count("goes on") == 10


async def test_the_relay_batches_deltas_and_sends_what_waits_when_the_model_pauses() -> None:
    sent: list[str] = []
    relay = ReasoningRelay(sent.append, min_chars=100, min_interval_s=0.05)
    for word in ["a ", "b ", "c "]:
        relay(word)
    assert sent == ["a "], "the first delta goes out at once, the next ones wait for the interval"
    await asyncio.sleep(0.1)  # no more reasoning arrives: what waited is sent anyway
    assert sent == ["a ", "b c "]
