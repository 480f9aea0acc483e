"""The `ollama:` provider (langchain-ollama). A reasoning effort turns Ollama's `think` on (`reasoning`): the
thinking then arrives as `reasoning_content` instead of `<think>` tags in the content; "low", "medium" and
"high" are passed as the level (gpt-oss), "minimal" as plain on."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from deepresearch.config import ResearchConfig
from deepresearch.llm.providers.base import ModelOptions, ModelSpec, integration, sampling_kwargs


def build_ollama(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    with integration("ollama"):
        from langchain_ollama import ChatOllama
    kwargs: dict[str, Any] = sampling_kwargs(options)
    if options.reasoning_effort:
        kwargs["reasoning"] = True if options.reasoning_effort == "minimal" else options.reasoning_effort
    chat: BaseChatModel = ChatOllama(
        model=spec.model,
        base_url=config.ollama_base_url,
        num_predict=options.max_tokens,
        client_kwargs={"timeout": options.read_timeout_s},
        **kwargs,
    )
    return chat
