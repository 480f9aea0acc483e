"""An OpenAI chat-completions server on 127.0.0.1 that thinks out loud, for testing reasoning models offline.

`ReasoningServer` speaks the wire format the way DeepSeek's API and vLLM's reasoning parsers do (written from
their public API documentation): a streamed reply sends its reasoning first, as `delta.reasoning_content`
chunks (`reasoning_field="reasoning"`: newer vLLM and OpenRouter), then the answer as `delta.content`, tool
calls as `delta.tool_calls`, and, when asked (`stream_options.include_usage`), a last chunk whose usage
counts the reasoning in `completion_tokens_details.reasoning_tokens`. Whole replies carry
`message.reasoning_content`. Requests with `tools` get native tool calls; a JSON-action request (a
`response_format` whose schema is the protocol's `ToolAction`) gets its action as JSON content, the way a
model without native tools answers.

What to answer comes from a responder `(messages, call_kwargs) -> item`, the same contract as
`ScriptedChatModel` (e.g. `ResearchResponder()`, which plays every role of a run): the request is turned
back into langchain messages, the structured-output schema is recognised by its title. The reasoning of each
reply comes from `reasoning(messages, call_kwargs)`.

Hooks for tests and benches: `requests` (every request body), `peak_in_flight`, `latency_s` (held before
the answer), `fail_with` (status and headers every request gets, e.g. `(503, {})`), `fail_next` (a queue
of failures, e.g. a 429 with Retry-After), and `hold` (a `threading.Event` the first reasoning reply waits
for after its reasoning, so a test can see reasoning arrive while the call is still open).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from agents.answer import ReasonedShortAnswer, ReasonedYesNoAnswer, ShortAnswer, YesNoAnswer
from agents.clarifier import ClarifyDecision
from agents.finish import ResearcherFindings
from agents.manager import Plan, Review
from agents.rewriter import RewrittenQuestion
from deepresearch.llm.structured import extract_json
from deepresearch.llm.tool_protocol import ACTION_SCHEMA_TITLE
from deepresearch.testing.models import as_message

Responder = Callable[[list[BaseMessage], dict[str, Any]], Any]
Reasoning = Callable[[list[BaseMessage], dict[str, Any]], str]

SCHEMAS: dict[str, type[BaseModel]] = {
    cls.__name__: cls
    for cls in (
        RewrittenQuestion,
        ClarifyDecision,
        Plan,
        Review,
        ResearcherFindings,
        ShortAnswer,
        ReasonedShortAnswer,
        YesNoAnswer,
        ReasonedYesNoAnswer,
    )
}
_RESULT = re.compile(r"^Result of tool (\S*)( \(error\))?:\n", re.DOTALL)
CHUNK_CHARS = 24


def numbered_reasoning(prefix: str = "thinking") -> Reasoning:
    """Reasoning that names its request: '<prefix>-<n>: ...', so a test can find each call's reasoning."""
    counter = iter(range(1, 1_000_000))
    lock = threading.Lock()

    def reason(messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        with lock:
            n = next(counter)
        task = "a tool step" if kwargs.get("tools") else "the reply"
        return (
            f"{prefix}-{n}: the question asks for facts, so only what was read counts.\n"
            f"Weighing the passages before writing {task}."
        )

    return reason


def _tool_messages(raw: list[dict[str, Any]]) -> list[BaseMessage]:
    """OpenAI wire messages as langchain messages; tool results get the name of the call they answer."""
    names: dict[str, str] = {}
    messages: list[BaseMessage] = []
    for item in raw:
        role, content = item.get("role"), item.get("content") or ""
        text = content if isinstance(content, str) else "".join(str(p.get("text", "")) for p in content)
        if role == "system":
            messages.append(SystemMessage(text))
        elif role == "assistant":
            calls = []
            for call in item.get("tool_calls") or []:
                names[call["id"]] = call["function"]["name"]
                args = json.loads(call["function"].get("arguments") or "{}")
                calls.append({"name": call["function"]["name"], "args": args, "id": call["id"]})
            messages.append(AIMessage(content=text, tool_calls=calls))
        elif role == "tool":
            call_id = str(item.get("tool_call_id", ""))
            status = "error" if text.startswith("ERROR (") else "success"
            messages.append(ToolMessage(text, tool_call_id=call_id, name=names.get(call_id, ""), status=status))
        else:
            messages.append(HumanMessage(text))
    return messages


def _action_messages(messages: list[BaseMessage]) -> list[BaseMessage]:
    """A JSON-action conversation as native messages: the model's actions as tool calls, results as tools."""
    converted: list[BaseMessage] = []
    for message in messages:
        text = str(message.content)
        if isinstance(message, AIMessage) and text.strip().startswith("{"):
            payload = extract_json(text)
            items = payload.get("calls", [payload]) if isinstance(payload, dict) else []
            calls = [
                {"name": i["tool"], "args": i.get("arguments") or {}, "id": f"call_{uuid.uuid4().hex[:8]}"}
                for i in items
                if isinstance(i, dict) and "tool" in i
            ]
            converted.append(AIMessage(content="", tool_calls=calls) if calls else message)
        elif isinstance(message, HumanMessage) and (match := _RESULT.match(text)):
            status = "error" if match.group(2) else "success"
            converted.append(
                ToolMessage(text[match.end() :], tool_call_id="protocol", name=match.group(1), status=status)
            )
        else:
            converted.append(message)
    return converted


def _schema_title(body: dict[str, Any]) -> str:
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        inner = response_format.get("json_schema") or {}
        return str(inner.get("name") or (inner.get("schema") or {}).get("title") or "")
    return str((response_format.get("schema") or {}).get("title") or "")


def _action_text(reply: AIMessage) -> str:
    calls = [{"tool": c["name"], "arguments": c["args"]} for c in reply.tool_calls]
    if not calls:
        return json.dumps({"answer": str(reply.content)})
    return json.dumps(calls[0] if len(calls) == 1 else {"calls": calls})


class ReasoningServer:
    """The server; `start()` it, point a provider's base URL at `base_url`, `stop()` it."""

    def __init__(
        self,
        responder: Responder,
        *,
        reasoning: Reasoning | None = None,
        reasoning_field: str = "reasoning_content",
        latency_s: float = 0.0,
    ) -> None:
        self.responder = responder
        self.reasoning = reasoning or numbered_reasoning()
        self.reasoning_field = reasoning_field
        self.latency_s = latency_s
        self.requests: list[dict[str, Any]] = []
        self.fail_with: tuple[int, dict[str, str]] | None = None
        self.fail_next: list[tuple[int, dict[str, str]]] = []
        self.hold: threading.Event | None = None
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> ReasoningServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def failure(self) -> tuple[int, dict[str, str]] | None:
        with self._lock:
            return self.fail_next.pop(0) if self.fail_next else self.fail_with

    def answer(self, body: dict[str, Any]) -> tuple[AIMessage, str, bool]:
        """(the reply, its reasoning, whether it is a JSON action) for one request."""
        messages = _tool_messages(body.get("messages") or [])
        kwargs: dict[str, Any] = {}
        title = _schema_title(body)
        is_action = title == ACTION_SCHEMA_TITLE
        if body.get("tools"):
            kwargs["tools"] = body["tools"]
        elif is_action:
            kwargs["tools"] = [ACTION_SCHEMA_TITLE]
            messages = _action_messages(messages)
        elif title in SCHEMAS:
            kwargs["structured_schema"] = SCHEMAS[title]
        reply = as_message(self.responder(messages, kwargs))
        if is_action:
            reply = AIMessage(content=_action_text(reply))
        return reply, self.reasoning(messages, kwargs), is_action

    def track(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)


def _usage(body: dict[str, Any], reply: AIMessage, reasoning: str) -> dict[str, Any]:
    prompt = sum(len(json.dumps(m)) for m in body.get("messages") or []) // 4 + 1
    reasoning_tokens = len(reasoning) // 4 + 1
    answer_tokens = (len(str(reply.content)) + len(json.dumps([c["args"] for c in reply.tool_calls]))) // 4 + 1
    completion = reasoning_tokens + answer_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens},
    }


def _wire_tool_calls(reply: AIMessage) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "id": c.get("id") or f"call_{i}",
            "type": "function",
            "function": {"name": c["name"], "arguments": json.dumps(c["args"])},
        }
        for i, c in enumerate(reply.tool_calls)
    ]


def _chunks(
    server: ReasoningServer, body: dict[str, Any], reply: AIMessage, reasoning: str
) -> Iterator[dict[str, Any]]:
    """The streamed reply: reasoning deltas, (a hold), answer deltas, tool calls, finish, usage."""
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", ""),
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    for start in range(0, len(reasoning), CHUNK_CHARS):
        yield chunk({server.reasoning_field: reasoning[start : start + CHUNK_CHARS]})
    hold, server.hold = server.hold, None
    if hold is not None:
        hold.wait(timeout=60)
    if server.latency_s:
        time.sleep(server.latency_s)
    text = str(reply.content)
    for start in range(0, len(text), CHUNK_CHARS):
        yield chunk({"content": text[start : start + CHUNK_CHARS]})
    if reply.tool_calls:
        yield chunk({"tool_calls": _wire_tool_calls(reply)})
    yield chunk({}, "tool_calls" if reply.tool_calls else "stop")
    if (body.get("stream_options") or {}).get("include_usage"):
        yield {**base, "choices": [], "usage": _usage(body, reply, reasoning)}


def _whole(body: dict[str, Any], reply: AIMessage, reasoning: str, field: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": str(reply.content), field: reasoning}
    if reply.tool_calls:
        message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in _wire_tool_calls(reply)]
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "usage": _usage(body, reply, reasoning),
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
    }


def _handler_for(server: ReasoningServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read `server.requests`."""

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._json(200, {"object": "list", "data": [{"id": "reasoner", "object": "model"}]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            with server._lock:
                server.requests.append(body)
            failure = server.failure()
            if failure is not None:
                status, headers = failure
                self._json(
                    status, {"error": {"message": f"test server says {status}", "type": "server_error"}}, headers
                )
                return
            server.track(+1)
            try:
                reply, reasoning, _ = server.answer(body)
                if not body.get("stream"):
                    self._json(200, _whole(body, reply, reasoning, server.reasoning_field))
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for part in _chunks(server, body, reply, reasoning):
                    self.wfile.write(f"data: {json.dumps(part)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            finally:
                server.track(-1)

    return Handler
