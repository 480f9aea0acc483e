"""A Messages API server on 127.0.0.1 that streams extended thinking, written from Anthropic's streaming
docs: message_start, a thinking block (thinking_delta events, then a signature_delta), a text block
(text_delta events), message_delta with the usage, message_stop."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHUNK = 16


class ThinkingMessagesServer:
    def __init__(self, thinking: str, answer: str) -> None:
        self.thinking = thinking
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ThinkingMessagesServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def events(self, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        message = {
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": body.get("model", ""),
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 20, "output_tokens": 1},
        }
        events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": message})]
        blocks = [("thinking", "thinking_delta", self.thinking), ("text", "text_delta", self.answer)]
        for index, (kind, delta_kind, text) in enumerate(blocks):
            start = {"type": kind, kind: ""} | ({"signature": ""} if kind == "thinking" else {})
            events.append(
                ("content_block_start", {"type": "content_block_start", "index": index, "content_block": start})
            )
            for at in range(0, len(text), CHUNK):
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": delta_kind, kind: text[at : at + CHUNK]},
                        },
                    )
                )
            if kind == "thinking":
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "signature_delta", "signature": "c2ln"},
                        },
                    )
                )
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        output_tokens = (len(self.thinking) + len(self.answer)) // 4
        events.append(
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": output_tokens},
                },
            )
        )
        events.append(("message_stop", {"type": "message_stop"}))
        return events

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                server.requests.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for name, data in server.events(body):
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()

        return Handler
