"""Bounded retries with exponential backoff and jitter for provider calls.

Provider clients are built with their own retries off so that every retry passes through here: it is
bounded, it honours `Retry-After`, and it is reported as an event. A rate-limited provider slows the run
instead of failing it; a provider that stays down surfaces as `ProviderError` after the last attempt.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from deepresearch.errors import ProviderError
from deepresearch.progress import Event, EventSink, ignore_event

T = TypeVar("T")

_TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 529}
_TRANSIENT_NAMES = (
    "Timeout",
    "RateLimit",
    "Connection",
    "Overloaded",
    "InternalServer",
    "ServiceUnavailable",
)
MAX_BACKOFF_S = 30.0


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if status is None:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: rate limits, timeouts, dropped connections and server-side 5xx."""
    status = status_of(exc)
    if status is not None:
        return status in _TRANSIENT_STATUS
    name = type(exc).__name__
    return any(part in name for part in _TRANSIENT_NAMES) or isinstance(exc, TimeoutError | ConnectionError)


def retry_after_s(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return min(float(value), MAX_BACKOFF_S) if value is not None else None
    except ValueError:
        return None


def backoff_s(attempt: int, base_s: float) -> float:
    """Full-jitter exponential backoff: uniform in [0, base * 2^attempt], capped."""
    return random.uniform(0, min(MAX_BACKOFF_S, base_s * (2**attempt)))


async def call_with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    max_retries: int,
    describe: str,
    events: EventSink = ignore_event,
    base_delay_s: float = 1.0,
) -> T:
    """Run `call`, retrying transient provider failures up to `max_retries` times."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt >= max_retries:
                raise ProviderError(
                    f"{describe} failed after {attempt + 1} attempts: {type(exc).__name__}: {exc}"
                ) from exc
            delay = retry_after_s(exc) or backoff_s(attempt, base_delay_s)
            events(
                Event(
                    kind="llm.retry",
                    message=f"{describe}: {type(exc).__name__}, retry {attempt + 1}/{max_retries} in {delay:.1f}s",
                    data={"status": status_of(exc), "delay_s": round(delay, 2), "attempt": attempt + 1},
                )
            )
            await asyncio.sleep(delay)
            attempt += 1
