"""Retries recognise the SDKs' own typed errors and honour Retry-After for the whole provider."""

import asyncio
import time

import anthropic
import httpx
import openai
import pytest

from deepresearch.errors import ProviderError
from deepresearch.llm.gate import ProviderGate
from deepresearch.llm.retry import call_with_retry, is_provider_failure, is_transient, retry_after_s, status_of
from deepresearch.progress import EventRecorder

REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")


def openai_status(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    response = httpx.Response(status, headers=headers or {}, request=REQUEST)
    kinds = {
        429: openai.RateLimitError,
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        503: openai.InternalServerError,
    }
    return kinds[status]("error", response=response, body=None)


def test_errors_are_classified_by_their_sdk_types_and_status() -> None:
    assert is_transient(openai_status(429)) and status_of(openai_status(429)) == 429
    assert is_transient(openai_status(503))
    assert is_transient(openai.APIConnectionError(request=REQUEST))
    assert is_transient(anthropic.APITimeoutError(request=REQUEST))
    assert is_transient(httpx.ReadTimeout("slow", request=REQUEST))
    assert is_transient(TimeoutError())
    assert not is_transient(openai_status(400)) and is_provider_failure(openai_status(400))
    assert not is_transient(openai_status(401)) and is_provider_failure(openai_status(401))
    assert not is_transient(ValueError("schema")) and not is_provider_failure(ValueError("schema"))


class NamedLikeATimeout(Exception):
    """A class name alone no longer makes an error transient."""

    status_code = 503


def test_a_class_name_or_a_stray_status_attribute_is_not_a_provider_error() -> None:
    assert not is_transient(NamedLikeATimeout()) and not is_provider_failure(NamedLikeATimeout())


def test_retry_after_in_seconds_milliseconds_and_http_dates() -> None:
    assert retry_after_s(openai_status(429, {"retry-after": "2"})) == 2.0
    assert retry_after_s(openai_status(429, {"retry-after-ms": "1500"})) == 1.5
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 < (retry_after_s(openai_status(429, {"retry-after": date})) or 0) <= 30
    assert retry_after_s(openai_status(429)) is None


async def test_rate_limit_slows_the_call_down_instead_of_failing_it() -> None:
    attempts = []
    recorder = EventRecorder()

    async def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise openai_status(429)
        return "ok"

    result = await call_with_retry(flaky, max_retries=3, describe="test", events=recorder, base_delay_s=0.01)
    assert result == "ok" and len(attempts) == 3
    assert recorder.kinds() == ["llm.retry", "llm.retry"]


async def test_retry_after_pauses_every_call_to_the_provider() -> None:
    gate = ProviderGate("p", max_in_flight=4)
    refused = []

    async def once_refused() -> float:
        async with gate.slot():
            if not refused:
                refused.append(time.monotonic())
                raise openai_status(429, {"retry-after": "0.3"})
            return time.monotonic()

    async def other_caller() -> float:
        await asyncio.sleep(0.05)  # arrives while the provider asked to wait
        async with gate.slot():
            return time.monotonic()

    answered, other = await asyncio.gather(
        call_with_retry(once_refused, max_retries=2, describe="test", gate=gate), other_caller()
    )
    assert answered - refused[0] >= 0.29 and other - refused[0] >= 0.29  # nobody called during the pause


async def test_retries_are_bounded_and_end_in_a_provider_error() -> None:
    async def down() -> str:
        raise TimeoutError("no answer")

    with pytest.raises(ProviderError, match="after 3 attempts"):
        await call_with_retry(down, max_retries=2, describe="test", base_delay_s=0.001)


async def test_non_transient_errors_are_not_retried() -> None:
    calls = []

    async def broken() -> str:
        calls.append(1)
        raise openai_status(400)

    with pytest.raises(openai.BadRequestError):
        await call_with_retry(broken, max_retries=5, describe="test", base_delay_s=0.001)
    assert len(calls) == 1
