"""Bounded retries of provider calls, with tenacity, classified by the SDKs' own typed errors.

Provider clients are built with their own retries off so that every retry passes through here: it is
bounded, it honours `Retry-After` (for the whole provider, through its `ProviderGate`), and it is reported as
an event. A rate-limited provider slows the run instead of failing it; a provider that stays down surfaces
as `ProviderError` after the last attempt. Errors are recognised by type (openai, anthropic, httpx, ollama:
each SDK that is installed, and langchain-core's provider-neutral `ModelError` family that integrations
raise) and by HTTP status, never by class name.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelError,
    ModelPermissionDeniedError,
    ModelRefusalError,
)
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_random_exponential

from deepresearch.errors import ProviderError
from deepresearch.llm.gate import ProviderGate
from deepresearch.progress import Event, EventSink, ignore_event

T = TypeVar("T")

TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
# Statuses that say the provider (not this one request) is unusable: a fallback model should take over.
PROVIDER_DOWN_STATUS = frozenset({401, 402, 403})
MAX_BACKOFF_S = 30.0
MAX_RETRY_AFTER_S = 120.0


def _types(*names: str) -> tuple[type[BaseException], ...]:
    """The classes `module.Name` of the SDKs loaded in this process (each provider is an optional extra, and
    an SDK nobody imported raised nothing: importing one just to classify an error would cost seconds)."""
    found: list[type[BaseException]] = []
    for name in names:
        module_name, _, attribute = name.rpartition(".")
        value = getattr(sys.modules.get(module_name), attribute, None)
        if isinstance(value, type) and issubclass(value, BaseException):
            found.append(value)
    return tuple(found)


def _transient_types() -> tuple[type[BaseException], ...]:
    return (TimeoutError, ConnectionError) + _types(
        "openai.APITimeoutError",
        "openai.APIConnectionError",
        "openai.RateLimitError",
        "openai.InternalServerError",
        "anthropic.APITimeoutError",
        "anthropic.APIConnectionError",
        "anthropic.RateLimitError",
        "anthropic.InternalServerError",
        "httpx.TimeoutException",
        "httpx.NetworkError",
        "httpx.RemoteProtocolError",
    )


def _provider_types() -> tuple[type[BaseException], ...]:
    """Every error a provider call can end in that is the provider's doing, not a bug of ours."""
    return (ProviderError,) + _types("openai.APIError", "anthropic.APIError", "httpx.HTTPError", "ollama.ResponseError")


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of a provider error (openai/anthropic `APIStatusError`, `httpx.HTTPStatusError`,
    `ollama.ResponseError`), else None."""
    if not isinstance(exc, _provider_types()):
        return None
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: rate limits, timeouts, dropped connections and server-side 5xx. langchain-core's
    `ModelError` says so itself (`is_retryable`) for integrations that raise it; the SDKs' types cover the
    rest."""
    if isinstance(exc, ModelError):
        return exc.is_retryable
    return isinstance(exc, _transient_types()) or status_of(exc) in TRANSIENT_STATUS


def is_provider_failure(exc: BaseException) -> bool:
    """The provider failed (as opposed to our code): the call may go to a fallback model. A refusal is the
    model's answer, not a failure."""
    if isinstance(exc, ModelRefusalError):
        return False
    return isinstance(exc, ModelError) or is_transient(exc) or isinstance(exc, _provider_types())


def is_provider_down(exc: BaseException) -> bool:
    """The failure concerns every call to this provider (retries spent, key refused), not this request."""
    if isinstance(exc, ModelAuthenticationError | ModelPermissionDeniedError):
        return True
    return isinstance(exc, ProviderError) or status_of(exc) in PROVIDER_DOWN_STATUS


def retry_after_s(exc: BaseException) -> float | None:
    """The wait a provider asked for (`retry-after-ms`, or `Retry-After` in seconds or as an HTTP date)."""
    headers: Any = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    try:
        if headers.get("retry-after-ms") is not None:
            return min(float(headers["retry-after-ms"]) / 1000, MAX_RETRY_AFTER_S)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
    except (TypeError, ValueError):
        return None


class _WaitRetryAfter:
    """tenacity wait: the provider's Retry-After when it gave one, else full-jitter exponential backoff."""

    def __init__(self, base_s: float) -> None:
        self._backoff = wait_random_exponential(multiplier=base_s, max=MAX_BACKOFF_S)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_s(exc) if exc is not None else None
        return asked if asked is not None else float(self._backoff(state))


async def call_with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    max_retries: int,
    describe: str,
    events: EventSink = ignore_event,
    base_delay_s: float = 1.0,
    gate: ProviderGate | None = None,
) -> T:
    """Run `call`, retrying transient provider failures up to `max_retries` times.

    Past the last attempt a transient failure becomes `ProviderError`; other errors propagate as they are.
    With a `gate`, a wait the provider asked for pauses every call to it, not only this one.
    """

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.upcoming_sleep
        if gate is not None and exc is not None and retry_after_s(exc) is not None:
            gate.pause(delay)
        events(
            Event(
                kind="llm.retry",
                message=f"{describe}: {type(exc).__name__}, retry {state.attempt_number}/{max_retries} in {delay:.1f}s",
                data={
                    "status": status_of(exc) if exc else None,
                    "delay_s": round(delay, 2),
                    "attempt": state.attempt_number,
                },
            )
        )

    retrying = AsyncRetrying(
        stop=stop_after_attempt(max_retries + 1),
        wait=_WaitRetryAfter(base_delay_s),
        retry=retry_if_exception(is_transient),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return await retrying(call)
    except Exception as exc:
        if not is_transient(exc):
            raise
        attempts = retrying.statistics.get("attempt_number", max_retries + 1)
        raise ProviderError(f"{describe} failed after {attempts} attempts: {type(exc).__name__}: {exc}") from exc
