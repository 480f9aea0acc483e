"""How a run's services are wired: a piece missing from the installation is one line naming it, a missing
third-party library is its own error, and a services factory must give back `Services`."""

from __future__ import annotations

import sys

import pytest

from deepresearch.config import load_config
from deepresearch.errors import ConfigError
from graphs.context import open_services


def not_services(config: object, run_id: str) -> object:
    return {"tools": []}


async def test_a_missing_piece_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tools.registry", None)
    with pytest.raises(ConfigError, match="^the research tools is not available: module tools.registry is missing"):
        async with open_services(load_config(), "wiring"):
            pass


async def test_a_missing_library_is_not_passed_off_as_a_missing_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ModuleNotFoundError, match="httpx"):
        async with open_services(load_config(), "wiring"):
            pass


async def test_a_services_factory_must_return_services() -> None:
    config = load_config(services_factory="tests.graphs.test_wiring:not_services")
    with pytest.raises(ConfigError, match="returned no agents.context.Services"):
        async with open_services(config, "wiring"):
            pass
    with pytest.raises(ConfigError, match="services factory nosuch.module:f is not available"):
        async with open_services(load_config(services_factory="nosuch.module:f"), "wiring"):
            pass
