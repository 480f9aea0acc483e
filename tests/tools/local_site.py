"""A local web site on 127.0.0.1 for the tool tests: real pages, edge-case fixtures, fake search APIs.

Real pages come from Debian's python3.11-doc (`/docs/...`); fixtures cover what real sites do to
scrapers (JavaScript-built text, PDFs, errors, slow and huge pages, hostile redirects). Search API paths
answer with whatever JSON and status a test puts in `api_responses`, and every request is recorded.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import threading
import time
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
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    local_site: LocalSite
    protocol_version = "HTTP/1.1"

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
            RecordedRequest(
                method, parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}, body
            )
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

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

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
