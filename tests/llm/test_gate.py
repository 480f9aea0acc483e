"""Provider gates: calls in flight bounded, starts paced, a failed provider skipped for its cool-down."""

import asyncio

from deepresearch.llm.gate import ProviderGate


async def test_no_more_calls_in_flight_than_the_limit() -> None:
    gate = ProviderGate("p", max_in_flight=2)

    async def call() -> None:
        async with gate.slot():
            await asyncio.sleep(0.02)

    await asyncio.gather(*(call() for _ in range(7)))
    assert gate.peak_in_flight == 2 and gate.in_flight == 0


async def test_requests_per_minute_space_the_starts() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = ProviderGate("p", max_in_flight=8, requests_per_minute=120, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(3):
        async with gate.slot():
            starts.append(now[0])
    assert starts == [0.0, 0.5, 1.0]


def test_a_provider_marked_down_is_skipped_until_its_cool_down_ends() -> None:
    now = [0.0]
    gate = ProviderGate("p", max_in_flight=1, clock=lambda: now[0])
    gate.mark_down(60, "retries spent")
    assert gate.is_down and gate.down_reason == "retries spent"
    now[0] = 61
    assert not gate.is_down
