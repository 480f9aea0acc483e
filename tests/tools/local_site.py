"""A local web site on 127.0.0.1 for the tool tests: real pages, edge-case fixtures, fake search APIs.

Real pages come from Debian's python3.11-doc (`/docs/...`); fixtures cover what real sites do to
scrapers (JavaScript-built text, PDFs, errors, slow and huge pages, hostile redirects). Search API paths
answer with whatever JSON and status a test puts in `api_responses`, and every request is recorded.
"""

from __future__ import annotations

import contextlib
import functools
import json
import mimetypes
import random
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.tools.pdf_fixture import make_pdf

PYTHON_DOCS = Path("/usr/share/doc/python3.11/html")
FIXTURES = Path(__file__).resolve().parent / "fixtures"

PDF_PAGES = [
    "Tidal energy report\nThe Severn estuary has a tidal range of fifteen metres.",
    "Second page findings\nLagoon turbines generate power on both ebb and flood tides.",
]
SLOW_DELAY_S = 3.0
BIG_PAGE_BYTES = 400_000
# Hostile pages (issue 16): a 50 MB page, a gzip bomb, random bytes served as HTML, a page that never answers.
HUGE_PAGE_BYTES = 50_000_000
BOMB_INFLATED_BYTES = 256 * 2**20
HANG_LIMIT_S = 60.0
# A small page whose script writes 2.2 MB of text into the DOM (bounded only after rendering).
JS_BLOAT_PAGE = (
    b"<html><body><script>document.body.append('All work and no play. '.repeat(100000))</script></body></html>"
)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalSite:
    """Serves the fixtures; `base_url` is like `http://127.0.0.1:41234`."""

    api_responses: dict[str, tuple[int, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    base_url: str = ""
    _server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> LocalSite:
        site = self

        class Handler(_Handler):
            local_site = site

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        threading.Thread(target=self._server.serve_forever, name="local-site", daemon=True).start()
        return self

    def stop(self) -> None:
        _stop_hanging.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


_stop_hanging = threading.Event()


@functools.cache
def gzip_bomb() -> bytes:
    """About 0.25 MB of gzip that inflates to 256 MB of zeros (built once, in about a second)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(2**20)
    parts = [compressor.compress(zeros) for _ in range(BOMB_INFLATED_BYTES // len(zeros))]
    return b"".join([*parts, compressor.flush()])


def random_bytes(size: int = 65_536) -> bytes:
    return random.Random(16).randbytes(size)


class _Handler(BaseHTTPRequestHandler):
    local_site: LocalSite
    protocol_version = "HTTP/1.1"

    def handle(self) -> None:
        """A client that hangs up mid-page (a reader stopping at its byte cap) is not a server error."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base class's name
        """Quiet: the tests assert on behaviour, not on access logs."""

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.local_site.requests.append(
            RecordedRequest(method, parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(parts.path)

    def _route(self, path: str) -> None:  # noqa: C901 — a flat table of fixtures reads best as one switch
        if path in self.local_site.api_responses:
            status, payload = self.local_site.api_responses[path]
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self._send(status, "application/json", data)
        elif path.startswith("/docs/"):
            self._send_file(PYTHON_DOCS / path.removeprefix("/docs/"))
        elif path == "/fixtures/doc.pdf":
            self._send(200, "application/pdf", make_pdf(PDF_PAGES))
        elif path.startswith("/fixtures/"):
            self._send_file(FIXTURES / path.removeprefix("/fixtures/"))
        elif path.startswith("/status/"):
            status = int(path.removeprefix("/status/"))
            self._send(status, "text/html", f"<html><body><h1>Status {status}</h1></body></html>".encode())
        elif path == "/slow":
            time.sleep(SLOW_DELAY_S)
            self._send(200, "text/plain", b"finally")
        elif path == "/big":
            self._send_unsized("text/html", b"<html><body>" + b"<p>filler text</p>" * (BIG_PAGE_BYTES // 18))
        elif path == "/huge":
            self._send_huge()
        elif path == "/gzip-bomb":
            self._send(200, "text/html", gzip_bomb(), extra_headers={"Content-Encoding": "gzip"})
        elif path == "/js-bloat":
            self._send(200, "text/html", JS_BLOAT_PAGE)
        elif path == "/binary":
            self._send(200, "text/html", random_bytes())
        elif path == "/hang":
            _stop_hanging.wait(HANG_LIMIT_S)  # never answers while the test is waiting
        elif path == "/image.png":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        elif path == "/redirect-private":
            self._redirect("http://10.0.0.1/internal-admin")
        elif path == "/redirect-ok":
            self._redirect("/fixtures/article.html")
        elif path.startswith("/loop/"):
            hop = int(path.removeprefix("/loop/"))
            self._redirect(f"/loop/{hop + 1}")
        else:
            self._send(404, "text/plain", b"no such fixture")

    def _send(
        self, status: int, content_type: str, data: bytes, *, extra_headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_huge(self) -> None:
        """50 MB of HTML with no declared length (the cap must hold while reading), written as it is made."""
        paragraph = b"<p>" + b"All work and no play makes a very large page. " * 20 + b"</p>\n"
        head, tail = b"<html><body>", b"</body></html>"
        count = (HUGE_PAGE_BYTES - len(head) - len(tail)) // len(paragraph)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(head)
        block = paragraph * 100
        for _ in range(count // 100):
            self.wfile.write(block)
        self.wfile.write(paragraph * (count % 100) + tail)

    def _send_unsized(self, content_type: str, data: bytes) -> None:
        """No Content-Length: the client only learns the size by reading (the cap must hold anyway)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Connection", "close")
        self.end_headers()
        for start in range(0, len(data), 16_384):
            self.wfile.write(data[start : start + 16_384])
        self.close_connection = True

    def _send_file(self, file_path: Path) -> None:
        if not file_path.is_file():
            self._send(404, "text/plain", b"not found")
            return
        content_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        self._send(200, content_type, file_path.read_bytes())

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
