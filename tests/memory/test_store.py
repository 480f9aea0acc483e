from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepresearch.errors import ConfigError
from memory.embeddings import MiniLMEmbeddingFunction
from memory.store import collection_name, make_client, max_batch_size, open_collection, upsert_batched

VALID_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")

TEXTS = [
    "Photosynthesis turns light into chemical energy in plants.",
    "The Treaty of Westphalia ended the Thirty Years' War in 1648.",
    "Chlorophyll absorbs mostly blue and red light.",
    "Basalt is a volcanic rock formed from lava.",
]

QUERY_IN_NEW_PROCESS = """
import json, sys
from memory.store import make_client
from collections.abc import Iterator
from pathlib import Path
client = make_client(Path(sys.argv[1]))
collection = client.get_collection(sys.argv[2])  # no function passed: chroma rebuilds ours from config
result = collection.query(query_texts=[sys.argv[3]], n_results=3)
print(json.dumps({"ids": result["ids"][0], "distances": result["distances"][0],
                  "function": type(collection.configuration.get("embedding_function")).__name__}))
"""


@pytest.mark.parametrize("parts", [("a",), ("run", "x"), ("ünïcode agent/with spaces",), ("-.-",), ("r" * 600,)])
def test_collection_names_are_valid_for_chroma(parts: tuple[str, ...]) -> None:
    assert VALID_NAME.match(collection_name(*parts))


def test_collection_names_differ_for_different_inputs() -> None:
    assert collection_name("run", "a b") != collection_name("run", "a-b")
    assert collection_name("run", "x") == collection_name("run", "x")


def test_collection_reopens_in_another_process_with_same_results(tmp_path: Path, project_root: Path) -> None:
    client = make_client(tmp_path / "chroma")
    name = collection_name("persist", "test")
    collection = open_collection(client, name)
    collection.add(ids=[f"t{i}" for i in range(len(TEXTS))], documents=TEXTS)
    query = "how do plants use sunlight"
    here = collection.query(query_texts=[query], n_results=3)

    completed = subprocess.run(
        [sys.executable, "-c", QUERY_IN_NEW_PROCESS, str(tmp_path / "chroma"), name, query],
        capture_output=True,
        text=True,
        cwd=project_root,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    there = json.loads(completed.stdout.strip().splitlines()[-1])
    assert there["function"] == "MiniLMEmbeddingFunction"
    assert there["ids"] == here["ids"][0]
    assert there["ids"][0] == "t0"
    assert there["distances"] == pytest.approx((here["distances"] or [[]])[0], abs=1e-5)


def test_batched_upserts_stay_under_the_limit(tmp_path: Path) -> None:
    client = make_client(tmp_path / "chroma")
    assert 1 <= max_batch_size(client) <= 5461
    collection = open_collection(client, collection_name("batch"), MiniLMEmbeddingFunction())
    ids = [f"d{i}" for i in range(10)]
    upsert_batched(
        collection, ids, [f"document number {i}" for i in range(10)], [{"n": i} for i in range(10)], batch_size=3
    )
    assert collection.count() == 10


def test_bad_chroma_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        make_client(chroma_url="not a url")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on a loopback port, for the HttpClient path."""
    import socket
    import time

    executable = Path(sys.executable).parent / "chroma"
    if not executable.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    port = _free_port()
    server = subprocess.Popen(
        [str(executable), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_http_client_when_a_chroma_url_is_set(chroma_server: str) -> None:
    client = make_client(chroma_url=chroma_server)
    name = collection_name("http", "test")
    open_collection(client, name).upsert(ids=["a", "b"], documents=["photosynthesis in plants", "volcanic basalt"])
    reopened = make_client(chroma_url=chroma_server).get_collection(name)
    assert type(reopened.configuration.get("embedding_function")).__name__ == "MiniLMEmbeddingFunction"
    assert reopened.query(query_texts=["plants and light"], n_results=1)["ids"] == [["a"]]
