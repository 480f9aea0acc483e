"""The `anthropic:` provider (langchain-anthropic).

Reasoning settings in Anthropic's terms: a thinking budget turns extended thinking on
(`thinking={"type": "enabled", "budget_tokens": N}`, with `max_tokens` above the budget and no temperature,
which thinking does not allow); the effort is Anthropic's effort setting (`output_config.effort`).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from deepresearch.config import ResearchConfig
from deepresearch.llm.providers.base import ModelOptions, ModelSpec, integration, sampling_kwargs, secret

# Anthropic's effort levels start at "low"; the settings' "minimal" is the nearest it has.
_EFFORT = {"minimal": "low", "low": "low", "medium": "medium", "high": "high"}


def build_anthropic(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    with integration("anthropic"):
        from langchain_anthropic import ChatAnthropic
    api_key = secret(config.anthropic_api_key, "DEEPRESEARCH_ANTHROPIC_API_KEY or ANTHROPIC_API_KEY", "anthropic")
    kwargs: dict[str, Any] = {"base_url": config.anthropic_base_url} if config.anthropic_base_url else {}
    if options.thinking_budget_tokens:
        kwargs["thinking"] = {"type": "enabled", "budget_tokens": options.thinking_budget_tokens}
    else:
        kwargs |= sampling_kwargs(options)
    if options.reasoning_effort:
        kwargs["reasoning_effort"] = _EFFORT[options.reasoning_effort]
    chat: BaseChatModel = ChatAnthropic(
        model=spec.model,
        api_key=api_key,
        max_tokens=options.max_tokens,
        timeout=options.read_timeout_s,
        max_retries=0,
        **kwargs,
    )
    return chat
