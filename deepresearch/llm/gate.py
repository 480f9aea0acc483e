"""One gate per model provider of a run: calls in flight, pacing, Retry-After pauses and cool-downs.

Every call to a provider passes its gate. The gate bounds how many calls are in flight at once (up to 16
researchers share one provider), spaces call starts when a requests-per-minute limit is set, and holds
*every* caller back while the provider has asked to wait (a 429's Retry-After): a rate limit slows the run,
no call is lost. A provider whose calls failed past every retry is marked down for a cool-down, so the
run's other calls go straight to the fallback models instead of each waiting out the same retries.

Written here rather than taken from a rate-limit library: the gate must share one pause between the
concurrency limit and the retry logic (`deepresearch.llm.retry`), which none of them exposes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from deepresearch.config import ResearchConfig
from deepresearch.llm.providers import ModelSpec

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def provider_key(spec: ModelSpec, config: ResearchConfig) -> str:
    """What one gate covers: a provider at one address (two OpenAI-compatible servers are two providers;
    each scripted test model is its own)."""
    if spec.provider == "scripted":
        return str(spec)
    address = {
        "openai": config.openai_base_url,
        "deepseek": config.deepseek_base_url,
        "anthropic": config.anthropic_base_url,
        "ollama": config.ollama_base_url,
    }.get(spec.provider)
    return f"{spec.provider}@{address}" if address else spec.provider


class ProviderGate:
    """Admission to one provider. Not thread-safe: one event loop (one run) uses it."""

    def __init__(
        self,
        name: str,
        *,
        max_in_flight: int,
        requests_per_minute: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self.max_in_flight = max_in_flight
        self.min_interval_s = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self._clock = clock
        self._sleep = sleep
        self._semaphore: asyncio.Semaphore | None = None
        self.in_flight = 0
        self.peak_in_flight = 0
        self.paused_until = 0.0
        self.next_start = 0.0
        self.down_until = 0.0
        self.down_reason = ""

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the provider's slots for one call, after any pause or pacing interval."""
        if self._semaphore is None:  # created in the running loop, on first use
            self._semaphore = asyncio.Semaphore(self.max_in_flight)
        async with self._semaphore:
            await self._wait_turn()
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1

    async def _wait_turn(self) -> None:
        # Re-checked after every sleep: a pause may have been extended, or another caller took the turn.
        while True:
            now = self._clock()
            wait = max(self.paused_until, self.next_start) - now
            if wait <= 0:
                self.next_start = now + self.min_interval_s
                return
            await self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """The provider asked every caller to wait `seconds` (Retry-After)."""
        self.paused_until = max(self.paused_until, self._clock() + seconds)

    def mark_down(self, seconds: float, reason: str) -> None:
        self.down_until = self._clock() + seconds
        self.down_reason = reason

    @property
    def is_down(self) -> bool:
        return self._clock() < self.down_until
