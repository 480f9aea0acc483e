"""`ChatOpenAI` that keeps the reasoning OpenAI-compatible servers send beside the answer.

langchain-openai targets OpenAI's own API and drops fields it does not define, among them the reasoning
that DeepSeek's API, vLLM (`--reasoning-parser`), llama.cpp's server (`--reasoning-format`) and OpenRouter
return as `reasoning_content` (newer vLLM and OpenRouter: `reasoning`), in whole replies and in stream
deltas. This subclass copies it into `additional_kwargs["reasoning_content"]`, where langchain-deepseek
puts it too, so `deepresearch.llm.reasoning` splits it off the same way for every provider. Imported only
when the `openai` extra is installed.
"""

from __future__ import annotations

from typing import Any

from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI


def reasoning_of(fields: Any) -> str:
    """The reasoning text of a message or delta dict (`reasoning_content`, else `reasoning`), or ''."""
    if not isinstance(fields, dict):
        return ""
    for key in ("reasoning_content", "reasoning"):
        value = fields.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _as_dict(response: Any) -> dict[str, Any]:
    if isinstance(response, dict):
        return response
    dumped: dict[str, Any] = response.model_dump(exclude={"choices": {"__all__": {"message": {"parsed"}}}})
    return dumped


class ReasoningChatOpenAI(ChatOpenAI):
    """ChatOpenAI plus the `reasoning_content` / `reasoning` fields of compatible servers."""

    def _create_chat_result(self, response: Any, generation_info: dict[str, Any] | None = None) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        choices = _as_dict(response).get("choices") or []
        for generation, choice in zip(result.generations, choices, strict=False):
            reasoning = reasoning_of(choice.get("message"))
            if reasoning:
                generation.message.additional_kwargs["reasoning_content"] = reasoning
        return result

    def _get_generation_chunk_from_completion(self, completion: Any) -> ChatGenerationChunk:
        """The closing chunk of a JSON-mode stream (langchain-openai adds the whole completion at the end):
        its reasoning already came as deltas, so it must not be added a second time."""
        generation = super()._get_generation_chunk_from_completion(completion)
        generation.message.additional_kwargs.pop("reasoning_content", None)
        return generation

    def _convert_chunk_to_generation_chunk(
        self, chunk: dict[str, Any], default_chunk_class: type, base_generation_info: dict[str, Any] | None
    ) -> ChatGenerationChunk | None:
        generation = super()._convert_chunk_to_generation_chunk(chunk, default_chunk_class, base_generation_info)
        choices = chunk.get("choices") or chunk.get("chunk", {}).get("choices") or []
        if generation is not None and choices:
            reasoning = reasoning_of(choices[0].get("delta"))
            if reasoning:
                generation.message.additional_kwargs["reasoning_content"] = reasoning
        return generation
