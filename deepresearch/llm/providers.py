"""From `provider:model` strings to langchain-core chat models.

One small builder per provider; each imports its integration package lazily so a missing extra is a clear
`ConfigError` naming what to install, and a missing key names the variable to set. Provider clients are
built with their own retries off: `deepresearch.llm.retry` does the retrying, visibly and bounded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel

from deepresearch.config import ResearchConfig, Role
from deepresearch.errors import ConfigError
from deepresearch.llm.profiles import ModelProfile, StructuredMethod, profile_for


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


@dataclass(frozen=True)
class BuiltModel:
    """A chat model plus its profile: what the model layer and the agents need to know about it."""

    chat: BaseChatModel
    spec: ModelSpec
    profile: ModelProfile

    @property
    def structured_method(self) -> StructuredMethod:
        return self.profile.structured_method

    @property
    def has_native_tools(self) -> bool:
        return self.profile.native_tools


def parse_spec(spec: str) -> ModelSpec:
    """Split `provider:model` on the first colon (Ollama names such as `qwen3:8b` keep theirs)."""
    text = spec.strip()
    if not text:
        raise ConfigError("empty model string: use provider:model, e.g. openai:gpt-4o-mini or embedded")
    provider, _, model = text.partition(":")
    provider = provider.strip().lower()
    if provider not in BUILDERS:
        known = ", ".join(sorted(p for p in BUILDERS if p != "scripted"))
        raise ConfigError(f"unknown model provider {provider!r} in {spec!r}; known providers: {known}")
    if not model.strip() and provider != "embedded":
        raise ConfigError(f"model string {spec!r} names no model: use {provider}:<model-name>")
    return ModelSpec(provider, model.strip() or "smollm2-135m")


def _import(module: str, extra: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"the {extra} provider needs its integration package: pip install 'deepresearch[{extra}]'"
        ) from None


def _secret(value: Any, variable: str, provider: str) -> str:
    if value is None or not value.get_secret_value():
        raise ConfigError(f"the {provider} provider needs an API key: set {variable} (in the environment or .env)")
    secret: str = value.get_secret_value()
    return secret


def _own_async_client(config: ResearchConfig) -> Any:
    """A client per model: langchain-openai's shared default is bound to the first event loop it saw,
    so a second `asyncio.run` in the same process (two `research()` calls) would find it closed."""
    import httpx

    return httpx.AsyncClient(timeout=config.llm_timeout_s)


def _embedded(spec: ModelSpec, config: ResearchConfig) -> BaseChatModel:
    from deepresearch.llm.embedded import ChatEmbeddedLlama, locate_embedded_model

    chat = ChatEmbeddedLlama(
        model_path=config.embedded_model_path or locate_embedded_model(),
        n_threads=config.embedded_threads or 1,
        n_ctx=config.embedded_context,
        temperature=config.temperature,
        max_tokens=config.max_output_tokens,
    )
    return chat


def _openai(spec: ModelSpec, config: ResearchConfig) -> BaseChatModel:
    module = _import("langchain_openai", "openai")
    base_url = config.openai_base_url
    # A compatible server (vLLM, llama.cpp, LM Studio) often needs no key; OpenAI itself always does.
    if base_url and config.openai_api_key is None:
        api_key = "not-needed"
    else:
        api_key = _secret(config.openai_api_key, "DEEPRESEARCH_OPENAI_API_KEY or OPENAI_API_KEY", "openai")
    chat: BaseChatModel = module.ChatOpenAI(
        model=spec.model,
        api_key=api_key,
        base_url=base_url,
        temperature=config.temperature,
        max_tokens=config.max_output_tokens,
        timeout=config.llm_timeout_s,
        max_retries=0,
        stream_usage=True,
        http_async_client=_own_async_client(config),
    )
    return chat


def _anthropic(spec: ModelSpec, config: ResearchConfig) -> BaseChatModel:
    module = _import("langchain_anthropic", "anthropic")
    api_key = _secret(config.anthropic_api_key, "DEEPRESEARCH_ANTHROPIC_API_KEY or ANTHROPIC_API_KEY", "anthropic")
    kwargs: dict[str, Any] = {"base_url": config.anthropic_base_url} if config.anthropic_base_url else {}
    chat: BaseChatModel = module.ChatAnthropic(
        model=spec.model,
        api_key=api_key,
        temperature=config.temperature,
        max_tokens=config.max_output_tokens,
        timeout=config.llm_timeout_s,
        max_retries=0,
        **kwargs,
    )
    return chat


def _ollama(spec: ModelSpec, config: ResearchConfig) -> BaseChatModel:
    module = _import("langchain_ollama", "ollama")
    chat: BaseChatModel = module.ChatOllama(
        model=spec.model,
        base_url=config.ollama_base_url,
        temperature=config.temperature,
        num_predict=config.max_output_tokens,
    )
    return chat


def _deepseek(spec: ModelSpec, config: ResearchConfig) -> BaseChatModel:
    module = _import("langchain_deepseek", "deepseek")
    api_key = _secret(config.deepseek_api_key, "DEEPRESEARCH_DEEPSEEK_API_KEY or DEEPSEEK_API_KEY", "deepseek")
    kwargs: dict[str, Any] = {"api_base": config.deepseek_base_url} if config.deepseek_base_url else {}
    chat: BaseChatModel = module.ChatDeepSeek(
        model=spec.model,
        api_key=api_key,
        temperature=config.temperature,
        max_tokens=config.max_output_tokens,
        timeout=config.llm_timeout_s,
        max_retries=0,
        http_async_client=_own_async_client(config),
        **kwargs,
    )
    return chat


def _scripted(spec: ModelSpec, config: ResearchConfig) -> BaseChatModel:
    """The public test doubles (`deepresearch.testing`): a script registered under `spec.model`."""
    from deepresearch.testing.models import build_scripted_model

    try:
        chat: BaseChatModel = build_scripted_model(spec.model)
    except KeyError as error:
        raise ConfigError(str(error.args[0])) from None
    return chat


BUILDERS: dict[str, Callable[[ModelSpec, ResearchConfig], BaseChatModel]] = {
    "embedded": _embedded,
    "openai": _openai,
    "anthropic": _anthropic,
    "ollama": _ollama,
    "deepseek": _deepseek,
    "scripted": _scripted,
}


def build_model(spec: str, config: ResearchConfig, role: Role | None = None) -> BuiltModel:
    """Construct (never call) the chat model a `provider:model` string names, with `role`'s profile."""
    parsed = parse_spec(spec)
    chat = BUILDERS[parsed.provider](parsed, config)
    return BuiltModel(chat, parsed, profile_for(role, parsed.provider, parsed.model, config))
