"""The `openai:` provider against a real OpenAI-compatible server (llama_cpp.server) on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field

from deepresearch.config import load_config
from deepresearch.llm import ChatModelHandle, ModelSet
from deepresearch.llm.embedded import locate_embedded_model
from deepresearch.progress import EventRecorder

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def openai_compatible_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    # A file, not a pipe: llama.cpp logs enough at load to fill a pipe buffer and stall the server.
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(locate_embedded_model()),
            "--model_alias",
            "smollm2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_threads",
            "1",
            "--n_ctx",
            "4096",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise RuntimeError("llama_cpp.server did not start within 90 s")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


class Person(BaseModel):
    name: str = Field(max_length=40)
    age: int = Field(ge=0, le=150)


def _models(base_url: str) -> ModelSet:
    return ModelSet(load_config(model="openai:smollm2", openai_base_url=base_url, max_output_tokens=48))


async def test_chat(openai_compatible_server: str) -> None:
    models = _models(openai_compatible_server)
    reply = await models.for_role("researcher").ainvoke([HumanMessage("Say hello.")])
    assert reply.text.strip()
    assert models.ledger.total.input_tokens > 0 and models.ledger.total.output_tokens > 0


async def test_streamed_chat(openai_compatible_server: str) -> None:
    chat = _models(openai_compatible_server).for_role("researcher").chat
    chunks = [chunk async for chunk in chat.astream([HumanMessage("Count from one to five.")])]
    assert len(chunks) > 3
    assert "".join(str(chunk.content) for chunk in chunks).strip()


async def test_structured_output(openai_compatible_server: str) -> None:
    models = _models(openai_compatible_server)
    person = await models.for_role("researcher").astructured(
        [HumanMessage("Invent a person with a name and an age.")], Person
    )
    assert isinstance(person, Person) and person.name


# A reply that thinks inside <think> tags, forced by a grammar (llama_cpp.server takes `grammar` in the body).
THINKING_GRAMMAR = 'root ::= "<think>" [a-z ]{3,30} "</think>" "Paris"'


async def test_think_tags_from_the_server_are_split_off_streamed_and_counted(openai_compatible_server: str) -> None:
    recorder = EventRecorder()
    models = ModelSet(
        load_config(
            model="openai:smollm2",
            openai_base_url=openai_compatible_server,
            max_output_tokens=48,
            stream_reasoning=True,
        ),
        events=recorder,
    )
    handle = models.for_role("researcher")
    forced = handle.chat.model_copy(update={"extra_body": {"grammar": THINKING_GRAMMAR}})
    thinking = ChatModelHandle(
        "researcher",
        replace(handle.built, chat=forced),
        ledger=models.ledger,
        events=recorder,
        settings=models.settings,
    )
    reply = await thinking.ainvoke([HumanMessage("What is the capital of France?")])
    assert reply.text == "Paris" and reply.reasoning and "<think>" not in reply.text
    deltas = "".join(e.message for e in recorder.events if e.kind == "llm.reasoning.delta")
    assert deltas.strip() == reply.reasoning, "the tags were split while streaming, as they came"
    assert reply.usage.reasoning_tokens > 0
