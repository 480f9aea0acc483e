"""The `deepseek:` provider through its own integration (langchain-deepseek), which keeps
`reasoning_content` in replies and stream deltas. deepseek-reasoner always thinks and takes no temperature
or effort (its profile says so); deepseek-chat takes a temperature."""

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


def build_deepseek(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    with integration("deepseek"):
        from langchain_deepseek import ChatDeepSeek
    api_key = secret(config.deepseek_api_key, "DEEPRESEARCH_DEEPSEEK_API_KEY or DEEPSEEK_API_KEY", "deepseek")
    kwargs = openai_family_kwargs(spec, api_key, options)  # an effort only when a profile says it takes one
    if config.deepseek_base_url:
        kwargs["api_base"] = config.deepseek_base_url
    chat: BaseChatModel = ChatDeepSeek(**kwargs)
    return chat
