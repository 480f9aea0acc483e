"""The `deepseek:` provider through its own integration (langchain-deepseek), which keeps
`reasoning_content` in replies and stream deltas. deepseek-reasoner always thinks and takes no temperature
or effort (its profile says so); deepseek-chat takes a temperature."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from deepresearch.config import ResearchConfig
from deepresearch.llm.providers.base import (
    ModelOptions,
    ModelSpec,
    import_integration,
    own_async_client,
    sampling_kwargs,
    secret,
)


def build_deepseek(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    module = import_integration("langchain_deepseek", "deepseek")
    api_key = secret(config.deepseek_api_key, "DEEPRESEARCH_DEEPSEEK_API_KEY or DEEPSEEK_API_KEY", "deepseek")
    kwargs: dict[str, Any] = {"api_base": config.deepseek_base_url} if config.deepseek_base_url else {}
    kwargs |= sampling_kwargs(options)
    if options.reasoning_effort:  # only when a profile override says this model takes one
        kwargs["reasoning_effort"] = options.reasoning_effort
    chat: BaseChatModel = module.ChatDeepSeek(
        model=spec.model,
        api_key=api_key,
        max_tokens=options.max_tokens,
        timeout=options.http_timeout(),
        max_retries=0,
        stream_usage=True,
        http_async_client=own_async_client(options),
        **kwargs,
    )
    return chat
