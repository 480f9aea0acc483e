"""An httpx transport whose connections go to the addresses the URL policy approved, and nowhere else.

The policy resolves a name and checks the answer; if httpx then resolved the name again, a DNS server that
answers "public" first and "10.0.0.1" second (DNS rebinding) would get the connection to the private
address. Here httpcore's network backend is replaced: it asks the policy for the host's approved addresses
(`UrlPolicy.addresses_for`, which never looks a name up twice) and opens the TCP connection to one of
them. The URL, and so the Host header, TLS SNI and certificate check, keep the original name; the
connection pool is keyed by that name too, so a TLS connection made for one site is never reused for
another that happens to share its address.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from tools.policy import UrlPolicy

SocketOption = Any  # httpcore's SOCKET_OPTION: (level, option, value) tuples


class PinnedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connects to the policy's approved address for a host; `network` makes the real connection."""

    def __init__(self, policy: UrlPolicy, network: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._network = network or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._policy.addresses_for(host)
        if not isinstance(addresses, tuple):
            raise httpcore.ConnectError(addresses.message)
        failure: Exception = httpcore.ConnectError(f"no approved address for {host}")
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the host's next approved address, as a resolver-driven connect would
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are outside the URL policy")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (TLS, HTTP/1.1, pooling, error mapping) over `PinnedNetworkBackend`."""

    def __init__(
        self,
        policy: UrlPolicy,
        *,
        limits: httpx.Limits,
        network: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        super().__init__(limits=limits)
        # httpx builds its pool without a way to pass a network backend; this is the same pool with one.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedNetworkBackend(policy, network),
        )
