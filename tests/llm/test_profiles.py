import pytest

from deepresearch.config import load_config
from deepresearch.errors import ConfigError
from deepresearch.llm import build_model
from deepresearch.llm.profiles import default_profile, profile_for


def test_the_embedded_model_is_weak_and_has_no_native_tools() -> None:
    profile = build_model("embedded", load_config()).profile
    assert profile.weak and not profile.native_tools and profile.context_tokens == 8192


def test_known_models_differ_from_their_providers_defaults() -> None:
    config = load_config()
    assert not default_profile("deepseek", "deepseek-reasoner", config).native_tools
    assert default_profile("deepseek", "deepseek-chat", config).native_tools
    assert not default_profile("openai", "o3-mini", config).accepts_temperature
    assert default_profile("openai", "gpt-4o-mini", config).structured_method == "native"
    compatible = default_profile("openai", "served", load_config(openai_base_url="http://127.0.0.1:8000/v1"))
    assert (compatible.structured_method, compatible.reasoning_format) == ("json_mode", "reasoning_content")


def test_settings_override_every_role_then_one_role() -> None:
    config = load_config(profile={"weak": True, "native_tools": False}, summarizer_profile={"weak": False})
    assert profile_for("researcher", "openai", "gpt-4o", config).weak
    assert not profile_for("researcher", "openai", "gpt-4o", config).native_tools
    assert not profile_for("summarizer", "openai", "gpt-4o", config).weak
    prompted = profile_for("summarizer", "embedded", "x", load_config(structured_method="prompt"))
    assert prompted.structured_method == "prompt"


def test_a_profile_field_that_does_not_exist_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="DEEPRESEARCH_RESEARCHER_PROFILE"):
        profile_for("researcher", "openai", "gpt-4o", load_config(researcher_profile={"wek": True}))
