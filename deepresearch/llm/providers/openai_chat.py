"""The `openai:` provider: OpenAI itself, or any OpenAI-compatible server (vLLM, llama.cpp, OpenRouter...).

Reasoning settings in OpenAI's terms: the effort is `reasoning_effort` (o-series and gpt-5; vLLM and
OpenRouter take it too); a thinking budget, which OpenAI has no parameter for, goes to a compatible server
as OpenRouter's `reasoning.max_tokens`.
"""

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


def build_openai(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    module = import_integration("deepresearch.llm.providers.openai_reasoning", "openai")
    base_url = config.openai_base_url
    # A compatible server (vLLM, llama.cpp, LM Studio) often needs no key; OpenAI itself always does.
    if base_url and config.openai_api_key is None:
        api_key = "not-needed"
    else:
        api_key = secret(config.openai_api_key, "DEEPRESEARCH_OPENAI_API_KEY or OPENAI_API_KEY", "openai")
    kwargs: dict[str, Any] = sampling_kwargs(options)
    if options.reasoning_effort:
        kwargs["reasoning_effort"] = options.reasoning_effort
    if options.thinking_budget_tokens and base_url:
        kwargs["extra_body"] = {"reasoning": {"max_tokens": options.thinking_budget_tokens}}
    chat: BaseChatModel = module.ReasoningChatOpenAI(
        model=spec.model,
        api_key=api_key,
        base_url=base_url,
        max_tokens=options.max_tokens,
        timeout=options.http_timeout(),
        max_retries=0,
        stream_usage=True,
        http_async_client=own_async_client(options),
        **kwargs,
    )
    return chat
