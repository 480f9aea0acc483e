"""One research run on real parts, made to be started inside a loopback-only network namespace.

Run as `python -m tests.e2e.isolated_run OUT_DIR` by `tests/e2e/test_no_traffic.py`, which has already
pointed /etc/resolv.conf at 127.0.0.1 in the namespace. This process answers DNS there itself: a sink on
127.0.0.1:53 that records every name asked and answers "no such name". The run uses the real fetcher,
browser, chromadb memory and onnxruntime embeddings, a SearXNG-format search on the local site, and a
scripted model (the model is not what this checks). The process stays up `TELEMETRY_GRACE_S` after the run:
uploaders on a timer get their chance to show up (onnxruntime's first comes about 5.5 s after its first
session, which the run creates; measured at 10.7 s after the run started, 5.4 s after it ended). Writes
`OUT_DIR/result.json`: the names looked up and the report's sources.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from pathlib import Path

from deepresearch.api import research
from deepresearch.config import load_config
from tests.tools.local_site import LocalSite

TELEMETRY_GRACE_S = 8.0
QUESTION = "Who kept the Skerryvore lighthouse, and how does an octopus change colour?"


class DnsSink:
    """A UDP DNS server on 127.0.0.1:53 that records each question's name and answers NXDOMAIN."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 53))

    def start(self) -> DnsSink:
        threading.Thread(target=self._serve, name="dns-sink", daemon=True).start()
        return self

    def _serve(self) -> None:
        while True:
            query, client = self._socket.recvfrom(4096)
            name, end = _question_name(query)
            self.names.append(name)
            # Same id and question; flags: response, recursion desired and available, rcode 3 (NXDOMAIN).
            self._socket.sendto(query[:2] + b"\x81\x83" + query[4:6] + bytes(6) + query[12 : end + 4], client)


def _question_name(query: bytes) -> tuple[str, int]:
    """The queried name and the offset just past it (the header is 12 bytes, then length-prefixed labels)."""
    labels, position = [], 12
    while position < len(query) and query[position]:
        length = query[position]
        labels.append(query[position + 1 : position + 1 + length].decode("ascii", "replace"))
        position += 1 + length
    return ".".join(labels).lower(), position + 1


def main() -> None:
    out_dir = Path(sys.argv[1])
    sink = DnsSink().start()
    site = LocalSite().start()
    results = [
        {"url": site.url("/fixtures/article.html"), "title": "Skerryvore", "content": "lighthouse keepers"},
        {"url": site.url("/fixtures/js_article.html"), "title": "Octopus camouflage", "content": "colour"},
    ]
    site.api_responses["/searxng/search"] = (200, {"query": "q", "results": results})
    config = load_config(
        model="scripted:research1",
        clarify=False,
        search_providers=["searxng"],
        searxng_url=site.url("/searxng"),
        allow_hosts=["127.0.0.1"],
        encyclopedia=False,
        data_dir=out_dir / "data",
        library_dir=out_dir / "library",
    )
    report = research(QUESTION, config=config)
    time.sleep(TELEMETRY_GRACE_S)
    site.stop()
    result = {"names": sink.names, "sources": [source.url for source in report.sources]}
    (out_dir / "result.json").write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
