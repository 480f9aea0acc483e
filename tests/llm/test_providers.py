import sys

import pytest

from deepresearch.config import load_config
from deepresearch.errors import ConfigError
from deepresearch.llm import build_model, parse_spec


def test_spec_keeps_colons_in_model_names() -> None:
    spec = parse_spec("ollama:qwen3:8b")
    assert (spec.provider, spec.model) == ("ollama", "qwen3:8b")
    assert parse_spec("embedded").provider == "embedded"


@pytest.mark.parametrize("bad", ["", "openai:", "nosuch:model"])
def test_bad_spec_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ConfigError):
        parse_spec(bad)


@pytest.mark.parametrize(
    ("spec", "settings", "class_name"),
    [
        ("openai:gpt-4o-mini", {"openai_api_key": "sk-test"}, "ReasoningChatOpenAI"),
        ("openai:local-model", {"openai_base_url": "http://127.0.0.1:8000/v1"}, "ReasoningChatOpenAI"),
        ("anthropic:claude-sonnet-4-5", {"anthropic_api_key": "sk-ant-test"}, "ChatAnthropic"),
        ("ollama:qwen3:8b", {}, "ChatOllama"),
        ("deepseek:deepseek-reasoner", {"deepseek_api_key": "sk-ds-test"}, "ChatDeepSeek"),
        ("embedded", {}, "ChatEmbeddedLlama"),
    ],
)
def test_factory_builds_each_provider_without_calling_it(spec: str, settings: dict, class_name: str) -> None:
    built = build_model(spec, load_config(**settings))
    assert type(built.chat).__name__ == class_name


@pytest.mark.parametrize(
    ("spec", "variable"),
    [
        ("openai:gpt-4o-mini", "OPENAI_API_KEY"),
        ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY"),
        ("deepseek:deepseek-chat", "DEEPSEEK_API_KEY"),
    ],
)
def test_missing_key_names_the_variable(spec: str, variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        build_model(spec, load_config())


def test_key_from_the_vendor_variable_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    built = build_model("openai:gpt-4o-mini", load_config())
    assert built.chat.openai_api_key.get_secret_value() == "sk-from-env"  # type: ignore[attr-defined]


def test_explicit_setting_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPRESEARCH_MAX_AGENTS", "7")
    assert load_config().max_agents == 7
    assert load_config(max_agents=2).max_agents == 2


def test_missing_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langchain_anthropic", None)
    with pytest.raises(ConfigError, match=r"deepresearch\[anthropic\]"):
        build_model("anthropic:claude-sonnet-4-5", load_config(anthropic_api_key="x"))


def test_scripted_provider_is_selectable_by_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPRESEARCH_MODEL", "scripted:echo@0.25")
    config = load_config()
    built = build_model(config.model_for("researcher"), config)
    assert built.chat.latency_s == 0.25  # type: ignore[attr-defined]


def test_reasoning_settings_reach_only_models_whose_profile_takes_them() -> None:
    config = load_config(
        openai_api_key="sk-test",
        anthropic_api_key="sk-ant",
        deepseek_api_key="sk-ds",
        reasoning_effort="medium",
        researcher_reasoning_effort="high",
        thinking_budget_tokens=2048,
    )
    o_series = build_model("openai:o4-mini", config, "researcher").chat
    assert (o_series.reasoning_effort, o_series.temperature) == ("high", None)  # type: ignore[attr-defined]
    chat = build_model("openai:gpt-4o-mini", config, "researcher").chat
    assert chat.reasoning_effort is None and chat.temperature == 0.2  # type: ignore[attr-defined]
    reasoner = build_model("deepseek:deepseek-reasoner", config, "manager").chat
    assert reasoner.temperature is None and reasoner.reasoning_effort is None  # type: ignore[attr-defined]
    claude = build_model("anthropic:claude-sonnet-4-5", config, "manager").chat
    assert claude.thinking == {"type": "enabled", "budget_tokens": 2048}  # type: ignore[attr-defined]
    assert claude.temperature is None and claude.reasoning_effort == "medium"  # type: ignore[attr-defined]
    assert claude.max_tokens == config.max_output_tokens + 2048  # type: ignore[attr-defined]


def test_a_compatible_server_gets_effort_and_an_openrouter_style_budget() -> None:
    config = load_config(
        openai_base_url="http://127.0.0.1:8000/v1", reasoning_effort="low", thinking_budget_tokens=4000, temperature=0.5
    )
    chat = build_model("openai:deepseek/deepseek-r1", config, "researcher").chat
    assert chat.reasoning_effort == "low"  # type: ignore[attr-defined]
    assert chat.extra_body == {"reasoning": {"max_tokens": 4000}}  # type: ignore[attr-defined]
    assert chat.temperature == 0.5  # type: ignore[attr-defined]


def test_a_profile_that_rejects_temperature_means_none_is_sent() -> None:
    config = load_config(openai_base_url="http://127.0.0.1:8000/v1", profile={"accepts_temperature": False})
    assert build_model("openai:served", config).chat.temperature is None  # type: ignore[attr-defined]


def test_models_that_think_in_their_reply_get_room_for_it() -> None:
    config = load_config(deepseek_api_key="sk-ds", max_output_tokens=1000, thinking_cap_tokens=3000)
    assert build_model("deepseek:deepseek-reasoner", config).chat.max_tokens == 4000  # type: ignore[attr-defined]
    assert build_model("deepseek:deepseek-chat", config).chat.max_tokens == 1000  # type: ignore[attr-defined]
