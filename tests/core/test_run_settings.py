"""The per-run settings: one definition (`PER_RUN` fields of `ResearchConfig`) that the CLI, the Python API,
the served graph's context schema and the remote client all take, reasoning settings included."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from deepresearch import api, remote
from deepresearch.cli import main
from deepresearch.cli_options import flag_for
from deepresearch.config import ROLES, ResearchConfig, load_config
from deepresearch.errors import ConfigError
from deepresearch.run_settings import RUN_SETTINGS, chosen_run_settings, with_run_settings
from deepresearch.schemas import Report
from deepresearch.testing import research_model, scripted_services
from graphs.server import ServerSettings, settings_for

REASONING = {"reasoning_effort", "thinking_budget_tokens", "thinking_cap_tokens", "thinking_cap_s", "stream_reasoning"}


def test_the_per_run_settings_hold_the_reasoning_ones_and_nothing_of_the_machine() -> None:
    assert set(RUN_SETTINGS) >= REASONING
    assert {f"{role}_reasoning_effort" for role in ROLES} <= set(RUN_SETTINGS)
    for name in RUN_SETTINGS:
        annotation = str(ResearchConfig.model_fields[name].annotation)
        assert "Secret" not in annotation and "Path" not in annotation and not name.endswith(("_url", "_key"))


def test_the_served_graph_accepts_exactly_the_per_run_settings_and_checks_them() -> None:
    assert set(ServerSettings.model_fields) == set(RUN_SETTINGS)
    chosen = ServerSettings(reasoning_effort="high", stream_reasoning=True, thinking_budget_tokens=2048, max_time_s=30)
    config = settings_for(chosen)
    assert (config.reasoning_effort, config.stream_reasoning, config.thinking_budget_tokens) == ("high", True, 2048)
    assert config.max_time_s == 30
    with pytest.raises(ValueError):
        ServerSettings(max_agents=0)
    with pytest.raises(ValueError):
        ServerSettings(openai_api_key=SecretStr("sk"))


def test_the_client_sends_what_the_caller_chose() -> None:
    config = with_run_settings(load_config(), {"researcher_reasoning_effort": "low", "max_pages": 5})
    chosen = chosen_run_settings(config)
    assert chosen["researcher_reasoning_effort"] == "low" and chosen["max_pages"] == 5
    assert "temperature" not in chosen  # not chosen: the server's own
    assert set(chosen) <= set(RUN_SETTINGS)


def test_the_api_takes_each_per_run_setting_as_a_keyword() -> None:
    parameters = set(inspect.signature(api.aresearch).parameters)
    assert not parameters & set(RUN_SETTINGS), "a parameter of aresearch hides a setting"
    with pytest.raises(ConfigError, match="not a per-run setting: data_dir"):
        with_run_settings(None, {"data_dir": "/tmp"})
    with pytest.raises(ConfigError, match="max_time_s"):
        with_run_settings(load_config(), {"max_time_s": -1})
    assert with_run_settings(None, {"search_providers": "local"}).search_providers == ["local"]


async def test_a_keyword_setting_reaches_the_run() -> None:
    model = research_model(2)
    report = await api.aresearch(
        "How long do cats sleep?",
        chat_models={role: model for role in ROLES},
        services=scripted_services(),
        clarify=False,
        max_agents=1,
    )
    assert "agents" in report.limits_hit  # the plan of two tasks was cut to one


async def test_show_reasoning_on_a_server_asks_it_to_stream_this_runs_reasoning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: dict[str, Any] = {}

    async def run_on_server(question: str, **kwargs: Any) -> Report:
        sent.update(kwargs["settings"])
        raise ConfigError("stop here")

    monkeypatch.setattr(remote, "aresearch", run_on_server)
    with pytest.raises(ConfigError, match="stop here"):
        await api.aresearch("q", server="http://127.0.0.1:9", show_reasoning=True, reasoning_effort="medium")
    assert sent["stream_reasoning"] is True and sent["reasoning_effort"] == "medium"


def test_ask_has_an_option_for_every_per_run_setting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--help"]) == 0
    shown = capsys.readouterr().out
    for name in RUN_SETTINGS:
        assert flag_for(name) in shown, name


def test_an_option_reaches_the_run_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, ResearchConfig] = {}

    async def stop(question: str, *, config: ResearchConfig, **kwargs: Any) -> Report:
        seen["config"] = config
        raise ConfigError("stop here")

    monkeypatch.setattr(api, "aresearch", stop)
    code = main(["What is DNS?", "--no-clarify", "--max-time", "42", "--depth", "quick", "--reasoning-effort", "low"])
    assert code == 2
    config = seen["config"]
    assert (config.clarify, config.max_time_s, config.depth, config.reasoning_effort) == (False, 42.0, "quick", "low")
