"""From `provider:model` strings to langchain-core chat models, one small module per provider.

Each builder imports its integration package lazily so a missing extra is a clear `ConfigError` naming
what to install, and a missing key names the variable to set. Provider clients are built with their own
retries off: `deepresearch.llm.retry` does the retrying, visibly and bounded. What a builder sends (a
temperature or none, reasoning effort, thinking budget, token limits) comes from `options_for`, which
reads the model's profile: builders translate, they never decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from deepresearch.config import ResearchConfig, Role
from deepresearch.errors import ConfigError
from deepresearch.llm.profiles import ModelProfile, StructuredMethod, profile_for
from deepresearch.llm.providers.anthropic_chat import build_anthropic
from deepresearch.llm.providers.base import ModelOptions, ModelSpec, options_for
from deepresearch.llm.providers.deepseek_chat import build_deepseek
from deepresearch.llm.providers.local import build_embedded, build_scripted
from deepresearch.llm.providers.ollama_chat import build_ollama
from deepresearch.llm.providers.openai_chat import build_openai

__all__ = ["BUILDERS", "BuiltModel", "ModelOptions", "ModelSpec", "build_model", "parse_spec"]


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


Builder = Callable[[ModelSpec, ResearchConfig, ModelOptions], BaseChatModel]

BUILDERS: dict[str, Builder] = {
    "embedded": build_embedded,
    "openai": build_openai,
    "anthropic": build_anthropic,
    "ollama": build_ollama,
    "deepseek": build_deepseek,
    "scripted": build_scripted,
}


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


def build_model(spec: str, config: ResearchConfig, role: Role | None = None) -> BuiltModel:
    """Construct (never call) the chat model a `provider:model` string names, with `role`'s profile."""
    parsed = parse_spec(spec)
    profile = profile_for(role, parsed.provider, parsed.model, config)
    chat = BUILDERS[parsed.provider](parsed, config, options_for(config, role, profile))
    return BuiltModel(chat, parsed, profile)
