import pytest

from deepresearch.errors import ProviderError
from deepresearch.llm.retry import call_with_retry, is_transient
from deepresearch.progress import EventRecorder


class RateLimited(Exception):
    status_code = 429


class BadRequest(Exception):
    status_code = 400


def test_transient_classification() -> None:
    assert is_transient(RateLimited())
    assert is_transient(TimeoutError())
    assert not is_transient(BadRequest())
    assert not is_transient(ValueError("schema"))


async def test_rate_limit_slows_the_call_down_instead_of_failing_it() -> None:
    attempts = []
    recorder = EventRecorder()

    async def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise RateLimited("slow down")
        return "ok"

    result = await call_with_retry(flaky, max_retries=3, describe="test", events=recorder, base_delay_s=0.01)
    assert result == "ok" and len(attempts) == 3
    assert recorder.kinds() == ["llm.retry", "llm.retry"]


async def test_retries_are_bounded_and_end_in_a_provider_error() -> None:
    async def down() -> str:
        raise TimeoutError("no answer")

    with pytest.raises(ProviderError, match="after 3 attempts"):
        await call_with_retry(down, max_retries=2, describe="test", base_delay_s=0.001)


async def test_non_transient_errors_are_not_retried() -> None:
    calls = []

    async def broken() -> str:
        calls.append(1)
        raise BadRequest("bad")

    with pytest.raises(BadRequest):
        await call_with_retry(broken, max_retries=5, describe="test", base_delay_s=0.001)
    assert len(calls) == 1
