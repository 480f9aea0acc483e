"""Test-wide guards: no network but 127.0.0.1, and a clean, private data dir per test session.

Tests may only reach loopback. The guard wraps socket connects so a test that would touch a public host
fails loudly instead of hanging on this machine's closed network.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepresearch.config import ResearchConfig, default_data_dir

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo

_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_loopback(host):
        raise OSError(f"tests may only connect to 127.0.0.1, not {address!r}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_address(self, address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_address(self, address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
    if host is not None and not _is_loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may only resolve loopback, not {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    # Libraries that would phone home must not try; models and data load from the install only.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test sees only the settings it sets: no developer .env, no stray DEEPRESEARCH_* variables."""
    for name in list(os.environ):
        if name.startswith("DEEPRESEARCH_") or name in {
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "DEEPSEEK_API_KEY",
        }:
            monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("DEEPRESEARCH_DATA_DIR", str(data_dir))
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    yield data_dir


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


# ---- the prebuilt encyclopedia index ------------------------------------------------------------------
# Building it embeds 10,033 articles (about 5 minutes on 2 cores), so tests never build it per test:
# `python -m memory.setup` builds it at install time into the library directory; the session fixture
# finds it there (or builds it once in a session temp dir if none exists).

ENCYCLOPEDIA_MIN_ARTICLES = 10_000


def _has_built_encyclopedia(library: Path) -> bool:
    from memory.document_store import DocumentStore

    path = library / "encyclopedia" / "documents.sqlite"
    return path.exists() and DocumentStore(path).count() >= ENCYCLOPEDIA_MIN_ARTICLES


@pytest.fixture(scope="session")
def encyclopedia_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library directory holding the full, built encyclopedia index."""
    # Session fixtures are set up before the per-test environment reset, so these are the real values.
    data_dir = os.environ.get("DEEPRESEARCH_DATA_DIR")
    candidates = [
        os.environ.get("DEEPRESEARCH_TEST_LIBRARY_DIR"),
        os.environ.get("DEEPRESEARCH_LIBRARY_DIR"),
        str(Path(data_dir) / "library") if data_dir else None,
        str(default_data_dir() / "library"),
    ]
    for candidate in filter(None, candidates):
        if _has_built_encyclopedia(Path(candidate)):
            return Path(candidate)
    from memory.encyclopedia import build_encyclopedia

    library = tmp_path_factory.mktemp("library")
    build_encyclopedia(ResearchConfig(library_dir=library))
    return library


@pytest.fixture
def encyclopedia_config(encyclopedia_library: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ResearchConfig]:
    """Settings whose library is the prebuilt encyclopedia (the data dir stays the test's own)."""
    monkeypatch.setenv("DEEPRESEARCH_LIBRARY_DIR", str(encyclopedia_library))
    yield ResearchConfig()
