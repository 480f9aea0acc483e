"""How a run's handles call their models, and what a role may call: settings and candidate models.

`CallSettings` is decided once per run from the settings (`CallSettings.from_config`); every handle of the
run shares it. A `Candidate` is one model a role may use (its own, then its fallbacks), with the gate of
its provider, which every role calling that provider shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepresearch.config import ResearchConfig
from deepresearch.llm.gate import ProviderGate
from deepresearch.llm.providers import BuiltModel
from deepresearch.llm.streaming import ThinkingCap


@dataclass(frozen=True)
class CallSettings:
    """How a run's handles call their models (from the settings; tests pass their own)."""

    max_retries: int = 3
    structured_attempts: int = 3
    reply_allowance: int = 1024
    timeout_s: float = 600.0
    cooldown_s: float = 60.0
    thinking_cap: ThinkingCap = ThinkingCap()
    stream_reasoning: bool = False  # emit reasoning deltas as `llm.reasoning.delta` events as they come
    secrets: tuple[str, ...] = ()  # configured keys, masked in every failure message

    @classmethod
    def from_config(cls, config: ResearchConfig) -> CallSettings:
        secrets = tuple(
            value.get_secret_value()
            for name in type(config).model_fields
            if (value := getattr(config, name)) is not None
            and hasattr(value, "get_secret_value")
            and value.get_secret_value()
        )
        return cls(
            max_retries=config.llm_max_retries,
            structured_attempts=config.structured_attempts,
            reply_allowance=config.max_output_tokens,
            timeout_s=config.llm_timeout_s,
            cooldown_s=config.llm_cooldown_s,
            thinking_cap=ThinkingCap(config.thinking_cap_tokens, config.thinking_cap_s),
            stream_reasoning=config.stream_reasoning,
            secrets=secrets,
        )

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


@dataclass(frozen=True)
class Candidate:
    """One model a role may use, with the gate of its provider (shared by every role of the run)."""

    built: BuiltModel
    gate: ProviderGate = field(default_factory=lambda: ProviderGate("unshared", max_in_flight=64))


DEFAULT_CALL_SETTINGS = CallSettings()
