"""Typed failures that flow through the system as data.

Tools never raise to an agent: they return a `ToolError` whose hint tells the model what to do next
(extrinsic self-correction). Everything else here is an exception a caller is expected to handle at a
known boundary: budgets (and a model provider that fails every attempt) end research gracefully,
configuration problems become a clear message and exit code 2 in the CLI, and structured-output failures
hand over to a deterministic fallback.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ToolErrorKind = Literal[
    "not_found",
    "forbidden",
    "timeout",
    "rate_limited",
    "provider_down",
    "blocked_by_policy",
    "needs_js",
    "empty_content",
    "too_large",
    "unsupported_type",
    "invalid_arguments",
    "network",
    "unexpected",
]


class ToolError(BaseModel):
    """A tool failure the calling agent can act on.

    `hint` is written for the model: it names the next action that is likely to work ("use browse_page",
    "try another result"). `is_retryable` says whether the same call may succeed later.
    """

    model_config = ConfigDict(frozen=True)

    kind: ToolErrorKind
    message: str
    is_retryable: bool = False
    hint: str = ""
    tool: str = ""
    # A tool that can do what this one could not, with the same arguments (needs_js → browse_page). The
    # hint says it to the model; this says it to the code, which takes it when a model repeats the call.
    next_tool: str | None = None

    def for_model(self) -> str:
        """The text an agent sees in its tool message."""
        parts = [f"ERROR ({self.kind}): {self.message}"]
        if self.hint:
            parts.append(f"Hint: {self.hint}")
        return "\n".join(parts)

    @classmethod
    def from_exception(cls, exc: BaseException, *, tool: str = "") -> ToolError:
        """Wrap an unexpected exception, keeping its type and message so the trace stays honest."""
        return cls(
            kind="unexpected",
            message=f"{type(exc).__name__}: {exc}",
            is_retryable=False,
            hint="This call failed unexpectedly; try a different source or query.",
            tool=tool,
        )


class DeepResearchError(Exception):
    """Base class of the errors this package raises on purpose."""


class ConfigError(DeepResearchError):
    """Settings that cannot work: unknown provider, missing key or extra, bad value.

    The message is meant for a person and names the fix (the variable to set, the extra to install).
    """


class BudgetExceeded(DeepResearchError):
    """A hard run limit would be crossed; research stops and the report is written from what exists."""

    def __init__(self, limit: str, used: float, maximum: float, detail: str = "") -> None:
        self.limit = limit
        self.used = used
        self.maximum = maximum
        text = f"{limit} budget exhausted: {used:g} of {maximum:g}"
        super().__init__(f"{text} ({detail})" if detail else text)


class StructuredOutputError(DeepResearchError):
    """A model did not produce valid structured output after every correction attempt.

    Callers catch this and take their deterministic fallback.
    """

    def __init__(self, schema_name: str, attempts: int, last_error: str) -> None:
        self.schema_name = schema_name
        self.attempts = attempts
        self.last_error = last_error
        super().__init__(f"{schema_name}: no valid output after {attempts} attempts; last error: {last_error}")


class ProviderError(DeepResearchError):
    """A model provider failed past its retries (down, persistent 5xx, authentication)."""


class ProviderUnavailable(BudgetExceeded):
    """Every attempt at a role's model, and at each of its fallback models, failed.

    A `BudgetExceeded` with limit "provider" on purpose: every node already stops gracefully on a budget, so
    a dead provider ends research the same way, and the report is written from what was read. `failures`
    says, per model tried, why it failed; `models` names them (provider:model), for the person and the trace.
    """

    def __init__(self, role: str, failures: dict[str, str]) -> None:
        super().__init__("provider", len(failures), len(failures))
        self.role = role
        self.failures = dict(failures)
        tried = "; ".join(f"{model}: {reason}" for model, reason in failures.items())
        self.args = (f"every model provider attempt for the {role} failed ({tried})",)

    @property
    def models(self) -> list[str]:
        return list(self.failures)
