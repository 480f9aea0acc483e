"""The fetcher's bounds (issue 16): decompression that stops at the cap, connections pinned to the vetted
address (DNS rebinding), and the memory a gzip bomb costs, measured in a process of its own."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Iterable

import httpcore
import httpx
import pytest

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError
from deepresearch.schemas import Document
from tests.tools.local_site import BOMB_INFLATED_BYTES, LocalSite, gzip_bomb
from tests.tools.memory_peak import peak_growth
from tools.bounded_body import DECODED_SLICE_BYTES, ByteBudget, TooLarge, UnsupportedEncoding, read_capped
from tools.fetch import Fetcher
from tools.pinned_transport import PinnedTransport
from tools.policy import UrlPolicy

BOMB_CAP_BYTES = 5_000_000


class ChunkStream(httpx.AsyncByteStream):
    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = list(chunks)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def streamed(body: bytes, encoding: str, chunk_size: int = 7_000) -> httpx.Response:
    chunks = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
    return httpx.Response(200, headers={"content-encoding": encoding}, stream=ChunkStream(chunks))


TEXT = b"Skerryvore stands on a reef twelve miles west of Tiree. " * 2_000


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(TEXT[:50_000]) + gzip.compress(TEXT[50_000:])),  # two members, one after the other
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, without the zlib wrapper
        ("identity", TEXT),
    ],
)
async def test_bodies_decode_in_full_under_the_cap(encoding: str, body: bytes) -> None:
    assert await read_capped(streamed(body, encoding), ByteBudget(len(TEXT))) == TEXT


async def test_a_bomb_stops_one_slice_past_the_cap() -> None:
    budget = ByteBudget(BOMB_CAP_BYTES)
    with pytest.raises(TooLarge):
        await read_capped(streamed(gzip_bomb(), "gzip", chunk_size=65_536), budget)
    assert budget.used <= BOMB_CAP_BYTES + DECODED_SLICE_BYTES < BOMB_INFLATED_BYTES


async def test_encodings_without_a_bound_are_refused() -> None:
    with pytest.raises(UnsupportedEncoding):
        await read_capped(streamed(b"\x1b\x00\x00", "br"), ByteBudget(1_000))


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/gzip-bomb", "too_large"), ("/huge", "too_large"), ("/binary", "unsupported_type"), ("/hang", "timeout")],
)
async def test_hostile_pages_are_typed_errors(config: ResearchConfig, site: LocalSite, path: str, kind: str) -> None:
    async with Fetcher(config) as fetcher:
        result = await fetcher.fetch(site.url(path))
    assert isinstance(result, ToolError) and result.kind == kind, result


async def test_gzip_bomb_peak_memory_stays_within_twice_the_cap(config: ResearchConfig, site: LocalSite) -> None:
    gzip_bomb()  # built before measuring: the server's copy is not the reader's cost
    bounded = config.model_copy(update={"fetch_max_bytes": BOMB_CAP_BYTES, "fetch_timeout_s": 30.0})
    async with Fetcher(bounded) as fetcher:
        await fetcher.fetch(site.url("/fixtures/notes.txt"))  # warm: connection pool and code paths
        with peak_growth() as growth:
            result = await fetcher.fetch(site.url("/gzip-bomb"))
    assert isinstance(result, ToolError) and result.kind == "too_large", result
    assert growth.bytes <= 2 * BOMB_CAP_BYTES, f"peak growth {growth.bytes:,} bytes"


class RebindingResolver:
    """A name that resolves to a public address first and to the local server's address after."""

    def __init__(self) -> None:
        self.lookups = 0

    async def __call__(self, host: str) -> list[str]:
        self.lookups += 1
        return ["93.184.215.14"] if self.lookups == 1 else ["127.0.0.1"]


class InternetStandIn(httpcore.AsyncNetworkBackend):
    """Records where connections go; the public address is served by the local site (tests reach only it)."""

    def __init__(self, site_port: int) -> None:
        self.connected_to: list[str] = []
        self._site_port = site_port
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        self.connected_to.append(host)
        if host != "93.184.215.14":
            raise httpcore.ConnectError(f"{host} is not the vetted address")
        return await self._real.connect_tcp("127.0.0.1", self._site_port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


async def test_connections_go_to_the_vetted_address_not_a_second_lookup(site: LocalSite) -> None:
    resolver = RebindingResolver()
    policy = UrlPolicy(ResearchConfig(), resolve=resolver)
    port = int(site.base_url.rsplit(":", 1)[1])
    network = InternetStandIn(port)
    transport = PinnedTransport(policy, limits=httpx.Limits(max_connections=4), network=network)
    site.requests.clear()
    async with Fetcher(ResearchConfig(), policy=policy, transport=transport) as fetcher:
        first = await fetcher.fetch(f"http://rebind.test:{port}/fixtures/article.html")
        second = await fetcher.fetch(f"http://rebind.test:{port}/fixtures/notes.txt")
    assert isinstance(first, Document) and isinstance(second, Document), (first, second)
    assert resolver.lookups == 1  # the check's lookup is the only one: the connection did not ask again
    assert network.connected_to and set(network.connected_to) == {"93.184.215.14"}
    assert {request.headers["host"] for request in site.requests} == {f"rebind.test:{port}"}


async def test_a_name_that_resolves_private_is_refused_before_any_connection() -> None:
    async def private(host: str) -> list[str]:
        return ["10.0.0.1"]

    policy = UrlPolicy(ResearchConfig(), resolve=private)
    network = InternetStandIn(9)
    transport = PinnedTransport(policy, limits=httpx.Limits(max_connections=4), network=network)
    async with Fetcher(ResearchConfig(), policy=policy, transport=transport) as fetcher:
        result = await fetcher.fetch("http://rebind.test/page")
    assert isinstance(result, ToolError) and result.kind == "blocked_by_policy"
    assert network.connected_to == []
