from __future__ import annotations

import pytest

from deepresearch.config import ResearchConfig
from tools.policy import UrlPolicy


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/admin",
        "http://192.168.1.1/",
        "http://172.16.0.5/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata: link-local
        "http://[::1]:8080/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::ffff:10.0.0.1]/",
        "http://localhost/",
    ],
)
async def test_non_public_addresses_are_refused(url: str) -> None:
    policy = UrlPolicy(ResearchConfig())
    error = await policy.check(url)
    assert error is not None
    assert error.kind == "blocked_by_policy"


@pytest.mark.parametrize("url", ["ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)", "http:///x"])
async def test_only_http_and_https_with_a_host(url: str) -> None:
    error = await UrlPolicy(ResearchConfig()).check(url)
    assert error is not None and error.kind == "blocked_by_policy"


async def test_public_literal_is_allowed_without_dns() -> None:
    assert await UrlPolicy(ResearchConfig()).check("https://93.184.215.14/page") is None


async def test_allow_hosts_opens_loopback_explicitly() -> None:
    assert await UrlPolicy(ResearchConfig()).check("http://127.0.0.1:8000/") is not None
    assert await UrlPolicy(ResearchConfig(allow_hosts=["127.0.0.1"])).check("http://127.0.0.1:8000/") is None


async def test_unresolvable_host_is_a_network_error() -> None:
    # The test harness refuses DNS for non-loopback names, as a closed network would.
    error = await UrlPolicy(ResearchConfig()).check("https://example.org/")
    assert error is not None and error.kind == "network"
