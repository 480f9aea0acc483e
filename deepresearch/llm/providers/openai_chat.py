"""The `openai:` provider: OpenAI itself, or any OpenAI-compatible server (vLLM, llama.cpp, OpenRouter...).

Reasoning settings in OpenAI's terms: the effort is `reasoning_effort` (o-series and gpt-5; vLLM and
OpenRouter take it too); a thinking budget, which OpenAI has no parameter for, goes to a compatible server
as OpenRouter's `reasoning.max_tokens`.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from deepresearch.config import ResearchConfig
from deepresearch.llm.providers.base import (
    ModelOptions,
    ModelSpec,
    integration,
    openai_family_kwargs,
    secret,
)


def build_openai(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    with integration("openai"):
        from deepresearch.llm.providers.openai_reasoning import ReasoningChatOpenAI
    base_url = config.openai_base_url
    # A compatible server (vLLM, llama.cpp, LM Studio) often needs no key; OpenAI itself always does.
    if base_url and config.openai_api_key is None:
        api_key = "not-needed"
    else:
        api_key = secret(config.openai_api_key, "DEEPRESEARCH_OPENAI_API_KEY or OPENAI_API_KEY", "openai")
    kwargs = openai_family_kwargs(spec, api_key, options)
    if options.thinking_budget_tokens and base_url:
        kwargs["extra_body"] = {"reasoning": {"max_tokens": options.thinking_budget_tokens}}
    chat: BaseChatModel = ReasoningChatOpenAI(base_url=base_url, **kwargs)
    return chat
