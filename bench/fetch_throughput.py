"""Fetch + extract throughput over local pages, next to raw `trafilatura.extract` on the same HTML.

Serves ≥100 pages of Debian's python3.11-doc from 127.0.0.1, fetches each through `tools.fetch.Fetcher`
(URL policy, streaming with the byte cap, extraction in a worker thread), and times raw
`trafilatura.extract` with the same extraction settings on the same bytes in the same run. The ratio
(ours / raw) shows what the tool layer costs on top of the extractor; the target is ≥ 0.8.

    .venv/bin/python bench/fetch_throughput.py [--pages 120]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deepresearch.config import ResearchConfig  # noqa: E402
from deepresearch.schemas import Document  # noqa: E402
from tools.extract import DATE_EXTRACTION_PARAMS  # noqa: E402
from tools.fetch import Fetcher  # noqa: E402

PYTHON_DOCS = Path("/usr/share/doc/python3.11/html")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base class's name
        """No access log on the bench's output."""


def pick_pages(count: int) -> list[Path]:
    pages = sorted(path for path in (PYTHON_DOCS / "library").glob("*.html") if path.stat().st_size > 8_000)
    if len(pages) < count:
        raise SystemExit(f"only {len(pages)} pages under {PYTHON_DOCS}/library; install python3.11-doc")
    return pages[:count]


def serve_docs() -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(PYTHON_DOCS))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host!s}:{port}"


def raw_extract(htmls: list[bytes]) -> float:
    started = time.perf_counter()
    for html in htmls:
        trafilatura.extract(
            html,
            output_format="markdown",
            with_metadata=True,
            include_comments=False,
            date_extraction_params=DATE_EXTRACTION_PARAMS,
        )
    return time.perf_counter() - started


async def fetch_all(base_url: str, pages: list[Path]) -> tuple[float, int]:
    config = ResearchConfig(allow_hosts=["127.0.0.1"], fetch_max_bytes=20_000_000, fetch_timeout_s=30)
    async with Fetcher(config) as fetcher:
        started = time.perf_counter()
        ok = 0
        for page in pages:
            result = await fetcher.fetch(f"{base_url}/{page.relative_to(PYTHON_DOCS)}")
            ok += isinstance(result, Document)
        return time.perf_counter() - started, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=120)
    args = parser.parse_args(argv)
    pages = pick_pages(max(100, args.pages))
    htmls = [page.read_bytes() for page in pages]
    server, base_url = serve_docs()
    try:
        raw_extract(htmls[:5])  # warm caches and lazy imports for both paths
        raw_s = raw_extract(htmls)
        ours_s, ok = asyncio.run(fetch_all(base_url, pages))
        raw_s = (raw_s + raw_extract(htmls)) / 2  # bracket ours, to even out machine load
    finally:
        server.shutdown()
    count = len(pages)
    raw_rate, ours_rate = count / raw_s, count / ours_s
    print(f"pages: {count} ({sum(map(len, htmls)) / 1e6:.1f} MB HTML), fetched ok: {ok}")
    print(f"raw trafilatura.extract : {raw_rate:6.2f} pages/s")
    print(f"fetch + extract (ours)  : {ours_rate:6.2f} pages/s")
    print(f"ratio ours/raw          : {ours_rate / raw_rate:6.2f}  (target >= 0.80)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
