"""Who may talk to the review pages (and the MCP HTTP endpoint): this machine, or whoever holds the token.

- Binding: loopback needs nothing; any other address needs a token (`serve_token`), and `0.0.0.0`
  without one is refused before anything listens (`check_bind`).
- Host header: without a token only loopback names are accepted, so a page on another site cannot reach
  the server through DNS rebinding (its requests would carry that site's host name).
- Token: when one is set every request carries it, as `Authorization: Bearer`, or as the cookie a first
  visit with `?token=...` leaves (HttpOnly, SameSite=Strict).
- Other origins: a request that changes something (POST, PUT, PATCH, DELETE) must come from the server's
  own origin (`Origin`, else `Referer`); a browser never lets another site forge those headers. Only a
  bearer-token client, which no other site can make a browser send, may post without them; and, for the
  MCP endpoint, whose clients are programs rather than browsers, any client that sends neither header
  (`allow_originless`: every browser sends `Origin` with a cross-site POST).
"""

from __future__ import annotations

import ipaddress
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from deepresearch.errors import ConfigError

TOKEN_COOKIE = "deepresearch_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token (one line, raised before binding)."""
    if token or is_loopback(host):
        return
    raise ConfigError(
        f"refusing to listen on {host} without a token: anyone on the network could read and start runs; "
        "set DEEPRESEARCH_SERVE_TOKEN (or --token), or listen on 127.0.0.1"
    )


def _host_name(host_header: str) -> str:
    return urlsplit(f"//{host_header}").hostname or ""


class AccessGuard:
    """ASGI middleware applying the rules above to every HTTP request."""

    def __init__(self, app: ASGIApp, *, token: str | None, allow_originless: bool = False) -> None:
        self.app = app
        self.token = token or None
        self.allow_originless = allow_originless

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.token is None and not is_loopback(_host_name(host)):
            return PlainTextResponse("refused: unknown host name (this server answers to 127.0.0.1)\n", 421)
        has_bearer = self.token is not None and self._is_token(_bearer(headers))
        if self.token is not None and not has_bearer:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            offered = query.get("token", [""])[0]
            if offered and self._is_token(offered) and scope["method"] in SAFE_METHODS:
                return self._set_cookie(scope, query)
            if not self._is_token(_cookie(headers, TOKEN_COOKIE)):
                return PlainTextResponse("refused: this server needs its token (open it with ?token=...)\n", 401)
        if scope["method"] in SAFE_METHODS or has_bearer:
            return None
        is_originless = not headers.get("origin") and not headers.get("referer")
        if not (self.allow_originless and is_originless) and not _is_same_origin(headers, scope, host):
            return PlainTextResponse("refused: a request from another origin\n", 403)
        return None

    def _is_token(self, offered: str) -> bool:
        return self.token is not None and bool(offered) and secrets.compare_digest(offered, self.token)

    def _set_cookie(self, scope: Scope, query: dict[str, list[str]]) -> Response:
        """The first visit with `?token=`: keep the token in a cookie and drop it from the address bar."""
        rest = urlencode([(k, v) for k, values in query.items() if k != "token" for v in values], doseq=True)
        response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
        response.set_cookie(TOKEN_COOKIE, self.token or "", httponly=True, samesite="strict")
        return response


def _bearer(headers: Headers) -> str:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _cookie(headers: Headers, name: str) -> str:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 — a malformed cookie header is no token, not a server error
        return ""
    morsel = cookie.get(name)
    return morsel.value if morsel else ""


def _is_same_origin(headers: Headers, scope: Scope, host: str) -> bool:
    if headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return False
    sent = headers.get("origin") or headers.get("referer") or ""
    parts = urlsplit(sent)
    if not parts.scheme or not parts.netloc:
        return False
    return parts.scheme == scope.get("scheme", "http") and parts.netloc.lower() == host.lower()
