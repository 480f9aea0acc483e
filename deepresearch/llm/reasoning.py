"""Split a model's reasoning from its answer.

Reasoning arrives in four shapes: `<think>...</think>` inside the content (DeepSeek-R1 distills, Qwen3,
local models), `reasoning_content` beside it (DeepSeek's API), Anthropic `thinking` blocks and OpenAI
reasoning summaries in content blocks. All of it is separated here so it can be shown as progress on
request and counted, but never becomes part of an answer, a parsed object or a report.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

_THINK_BLOCK = re.compile(r"<think(?:ing)?>(.*?)</think(?:ing)?>", re.DOTALL | re.IGNORECASE)
_OPEN_THINK = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_CLOSE_THINK = re.compile(r"</think(?:ing)?>", re.IGNORECASE)


def split_think_tags(text: str) -> tuple[str, str]:
    """Return (answer, reasoning) for text that may hold `<think>` blocks.

    An unclosed `<think>` (a model cut off mid-thought) makes everything after it reasoning; a stray
    closing tag with no opening one (templates that open the block in the prompt) makes everything
    before it reasoning.
    """
    reasoning_parts = [match.strip() for match in _THINK_BLOCK.findall(text)]
    answer = _THINK_BLOCK.sub("", text)
    opened = _OPEN_THINK.search(answer)
    if opened:
        reasoning_parts.append(answer[opened.end() :].strip())
        answer = answer[: opened.start()]
    closed = _CLOSE_THINK.search(answer)
    if closed:
        reasoning_parts.insert(0, answer[: closed.start()].strip())
        answer = answer[closed.end() :]
    return answer.strip(), "\n\n".join(part for part in reasoning_parts if part)


def block_parts(block: dict[str, Any]) -> tuple[str, str]:
    """(answer, reasoning) text of one content block in Anthropic's or OpenAI's block format."""
    kind = block.get("type")
    if kind in {"thinking", "redacted_thinking"}:
        return "", str(block.get("thinking", ""))
    if kind == "reasoning":
        summary = block.get("summary")
        if isinstance(summary, list):
            return "", "\n".join(str(item.get("text", "")) for item in summary if isinstance(item, dict))
        return "", str(block.get("reasoning", block.get("text", "")))
    if kind in {"text", "output_text"}:
        return str(block.get("text", "")), ""
    return "", ""


def split_reasoning(message: BaseMessage) -> tuple[str, str]:
    """Return (answer text, reasoning text) of a model message, whatever the provider's format."""
    answer_parts: list[str] = []
    reasoning_parts: list[str] = []
    content = message.content
    if isinstance(content, str):
        answer_parts.append(content)
    else:
        for block in content:
            if isinstance(block, str):
                answer_parts.append(block)
            elif isinstance(block, dict):
                answer, reasoning = block_parts(block)
                answer_parts.append(answer)
                reasoning_parts.append(reasoning)
    extra = message.additional_kwargs if isinstance(message, AIMessage) else {}
    for key in ("reasoning_content", "reasoning"):
        value = extra.get(key)
        if isinstance(value, str):
            reasoning_parts.append(value)
        elif isinstance(value, dict) and isinstance(value.get("summary"), list):
            reasoning_parts.extend(str(s.get("text", "")) for s in value["summary"] if isinstance(s, dict))
    answer, tagged_reasoning = split_think_tags("".join(answer_parts))
    reasoning_parts.append(tagged_reasoning)
    return answer, "\n\n".join(part.strip() for part in reasoning_parts if part and part.strip())


def strip_reasoning(message: AIMessage) -> AIMessage:
    """A copy of the message whose content is the answer only, with the reasoning moved aside."""
    answer, reasoning = split_reasoning(message)
    kwargs = {k: v for k, v in message.additional_kwargs.items() if k not in {"reasoning_content", "reasoning"}}
    if reasoning:
        kwargs["reasoning_content"] = reasoning
    return message.model_copy(update={"content": answer, "additional_kwargs": kwargs})
