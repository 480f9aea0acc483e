"""Providers that run in this process: the embedded llama.cpp model and the scripted test doubles."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError
from deepresearch.llm.providers.base import ModelOptions, ModelSpec


def build_embedded(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    from deepresearch.llm.embedded import ChatEmbeddedLlama, locate_embedded_model

    return ChatEmbeddedLlama(
        model_path=config.embedded_model_path or locate_embedded_model(),
        n_threads=config.embedded_threads or 1,
        n_ctx=config.embedded_context,
        temperature=config.temperature if options.temperature is None else options.temperature,
        max_tokens=options.max_tokens,
        state_cache_mb=config.embedded_state_cache_mb,
    )


def build_scripted(spec: ModelSpec, config: ResearchConfig, options: ModelOptions) -> BaseChatModel:
    """The public test doubles (`deepresearch.testing`): a script registered under `spec.model`."""
    from deepresearch.testing.models import build_scripted_model

    try:
        chat: BaseChatModel = build_scripted_model(spec.model)
    except KeyError as error:
        raise ConfigError(str(error.args[0])) from None
    return chat
