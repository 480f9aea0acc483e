"""What every provider builder shares: the spec it builds, the options it passes, and how it fails.

`ModelOptions` is decided once per role from the settings and the model's profile (`options_for`), so each
builder only translates it into its own provider's terms: no builder decides whether a model takes a
temperature or how many tokens its thinking may use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from deepresearch.config import ReasoningEffort, ResearchConfig, Role
from deepresearch.errors import ConfigError
from deepresearch.llm.profiles import ModelProfile

# Output tokens a model that thinks inside its reply (reasoning_content, <think>, reasoning summaries) may
# spend on thinking when no thinking budget or cap says otherwise; bounded by the profile's output limit.
DEFAULT_THINKING_ALLOWANCE = 8192
CONNECT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


@dataclass(frozen=True)
class ModelOptions:
    """What a builder passes to its chat model, already reconciled with the model's profile."""

    temperature: float | None  # None: the profile says the model rejects a temperature, so none is sent
    max_tokens: int  # the answer's tokens plus, for a model that thinks in its reply, the thinking allowance
    reasoning_effort: ReasoningEffort | None  # None: not configured, or the model takes no such setting
    thinking_budget_tokens: int | None
    read_timeout_s: float  # silence allowed between bytes of a streamed reply

    def http_timeout(self) -> Any:
        """The httpx timeout for the provider's client: a read timeout, not a total one, so a reasoning model
        that streams for minutes is not cut; the total per call is the handle's (`llm_timeout_s`)."""
        import httpx

        return httpx.Timeout(self.read_timeout_s, connect=min(CONNECT_TIMEOUT_S, self.read_timeout_s))


def options_for(config: ResearchConfig, role: Role | None, profile: ModelProfile) -> ModelOptions:
    """The options `role`'s model gets: settings, reconciled with what its profile says it accepts."""
    answer_tokens = min(config.max_output_tokens, profile.max_output_tokens)
    effort = config.reasoning_effort_for(role) if profile.configurable_reasoning else None
    budget = config.thinking_budget_for(role) if profile.configurable_reasoning else None
    max_tokens = answer_tokens
    if budget is not None:
        max_tokens = answer_tokens + budget  # Anthropic: max_tokens must exceed budget_tokens
    elif profile.reasoning_format != "none":
        allowance = config.thinking_cap_tokens or DEFAULT_THINKING_ALLOWANCE
        max_tokens = max(answer_tokens, min(profile.max_output_tokens, answer_tokens + allowance))
    return ModelOptions(
        temperature=config.temperature if profile.accepts_temperature else None,
        max_tokens=max_tokens,
        reasoning_effort=effort,
        thinking_budget_tokens=budget,
        read_timeout_s=config.llm_read_timeout_s,
    )


@contextmanager
def integration(extra: str) -> Iterator[None]:
    """Imports in the block are a provider's integration package (typed, loaded when the provider is first
    used); a missing one is a `ConfigError` naming the extra to install."""
    try:
        yield
    except ImportError:
        raise ConfigError(
            f"the {extra} provider needs its integration package: pip install 'deepresearch[{extra}]'"
        ) from None


def secret(value: Any, variable: str, provider: str) -> str:
    if value is None or not value.get_secret_value():
        raise ConfigError(f"the {provider} provider needs an API key: set {variable} (in the environment or .env)")
    text: str = value.get_secret_value()
    return text


def own_async_client(options: ModelOptions) -> Any:
    """A client per model: langchain-openai's shared default is bound to the first event loop it saw,
    so a second `asyncio.run` in the same process (two `research()` calls) would find it closed."""
    import httpx

    return httpx.AsyncClient(timeout=options.http_timeout())


def openai_family_kwargs(spec: ModelSpec, api_key: str, options: ModelOptions) -> dict[str, Any]:
    """What every langchain-openai-based model (ChatOpenAI, ChatDeepSeek) is built with: retries off (ours
    do the retrying), usage in streams, a read timeout and a client of its own; a temperature only when the
    model takes one; the reasoning effort when configured."""
    kwargs: dict[str, Any] = {
        "model": spec.model,
        "api_key": api_key,
        "max_tokens": options.max_tokens,
        "timeout": options.http_timeout(),
        "max_retries": 0,
        "stream_usage": True,
        "http_async_client": own_async_client(options),
        **sampling_kwargs(options),
    }
    if options.reasoning_effort:
        kwargs["reasoning_effort"] = options.reasoning_effort
    return kwargs


def sampling_kwargs(options: ModelOptions) -> dict[str, Any]:
    """`temperature` when the model takes one; nothing otherwise (reasoning models reject it)."""
    return {} if options.temperature is None else {"temperature": options.temperature}
