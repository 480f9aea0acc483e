"""What the system knows about a model, in one place: how to talk to it, and whether it needs help.

The flow never tests a model's name. It reads the profile of a role's model: whether the model calls
tools natively or through the JSON-action protocol, how it returns structured output, where its reasoning
arrives, whether it accepts a temperature, its limits, and whether the weak-model rules apply
(`agents.weak_model`: choosing instead of writing, reading results for it, replacing searches that go
nowhere). Defaults come per provider and per known model; any field can be overridden for every role
(`DEEPRESEARCH_PROFILE`) or for one (`DEEPRESEARCH_<ROLE>_PROFILE`), as JSON, e.g. '{"weak": true}'.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from deepresearch.config import ResearchConfig, Role
from deepresearch.errors import ConfigError

StructuredMethod = Literal["native", "json_mode", "prompt"]
# Where a model's reasoning arrives: a `reasoning_content` field (DeepSeek, vLLM and llama.cpp servers,
# OpenRouter), `<think>` tags in the content (Qwen3 and R1 distills on Ollama), Anthropic thinking blocks,
# OpenAI reasoning summaries, or nowhere.
ReasoningFormat = Literal["none", "reasoning_content", "think_tags", "thinking_blocks", "reasoning_summary"]


class ModelProfile(BaseModel):
    """One model's traits. Frozen: a run reads it, never changes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    native_tools: bool = True  # False: tools go through the JSON-action protocol
    structured_method: StructuredMethod = "native"
    reasoning_format: ReasoningFormat = "none"
    accepts_temperature: bool = True
    # The provider takes `response_format={"type": "json_object"}` (with the schema, which llama.cpp-based
    # servers and the embedded model turn into a grammar): the JSON-action protocol and JSON-mode structured
    # output ask for it; without it they rely on instructions and validation feedback alone.
    json_mode: bool = True
    # The reasoning effort / thinking budget settings reach this model (in its provider's terms); False for
    # models that reject them (gpt-4o, deepseek-reasoner, which always thinks).
    configurable_reasoning: bool = False
    context_tokens: int = 128_000
    max_output_tokens: int = 8192  # the most one reply may hold; settings may ask for less
    weak: bool = False  # the weak-model rules apply (agents.weak_model)


# Per provider, then per model name (first match wins): only what differs from the provider's default.
_PROVIDER_DEFAULTS: dict[str, dict[str, Any]] = {
    # SmolLM2-135M: grammar-constrained JSON for tools and structured output; too weak to write prose.
    "embedded": {"native_tools": False, "context_tokens": 8192, "max_output_tokens": 2048, "weak": True},
    "openai": {},
    "anthropic": {
        "reasoning_format": "thinking_blocks",
        "context_tokens": 200_000,
        "json_mode": False,
        "configurable_reasoning": True,
    },
    "ollama": {
        "reasoning_format": "think_tags",
        "context_tokens": 32_768,
        "json_mode": False,
        "configurable_reasoning": True,
    },
    "deepseek": {"structured_method": "json_mode", "context_tokens": 128_000},
    "scripted": {"configurable_reasoning": True},
}
_KNOWN_MODELS: list[tuple[str, re.Pattern[str], dict[str, Any]]] = [
    (
        "openai",
        re.compile(r"^(o\d|gpt-5)"),
        {
            "reasoning_format": "reasoning_summary",
            "accepts_temperature": False,
            "context_tokens": 200_000,
            "max_output_tokens": 32_768,
            "configurable_reasoning": True,
        },
    ),
    (
        "deepseek",
        re.compile(r"reasoner|r1"),
        {
            "native_tools": False,
            "reasoning_format": "reasoning_content",
            "accepts_temperature": False,
            "max_output_tokens": 32_768,
        },
    ),
]


def default_profile(provider: str, model: str, config: ResearchConfig) -> ModelProfile:
    """The profile a provider and model name have before any setting overrides it."""
    fields: dict[str, Any] = dict(_PROVIDER_DEFAULTS.get(provider, {}))
    if provider == "openai" and config.openai_base_url:
        # Compatible servers (vLLM, llama.cpp, LM Studio, OpenRouter) disagree on json_schema support and
        # carry reasoning in `reasoning_content`; JSON mode plus validation feedback works on all of them.
        # They take `reasoning_effort` (vLLM, OpenRouter) and ignore it on models that do not reason.
        fields |= {
            "structured_method": "json_mode",
            "reasoning_format": "reasoning_content",
            "configurable_reasoning": True,
        }
    if provider == "embedded":
        fields["context_tokens"] = config.embedded_context
    for known_provider, pattern, traits in _KNOWN_MODELS:
        if known_provider == provider and pattern.search(model.lower()):
            fields |= traits
            break
    return ModelProfile(**fields)


def profile_for(role: Role | None, provider: str, model: str, config: ResearchConfig) -> ModelProfile:
    """The profile of `role`'s model: the default, then `structured_method`, `profile` and `<role>_profile`."""
    fields = default_profile(provider, model, config).model_dump()
    if config.structured_method != "auto":
        fields["structured_method"] = config.structured_method
    fields |= config.profile
    if role is not None:
        fields |= getattr(config, f"{role}_profile") or {}
    try:
        return ModelProfile(**fields)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        where = f"DEEPRESEARCH_{role.upper()}_PROFILE or " if role else ""
        raise ConfigError(f"invalid model profile ({where}DEEPRESEARCH_PROFILE): {problems}") from None
