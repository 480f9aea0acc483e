from pathlib import Path

import pytest

from deepresearch.config import ResearchConfig, load_config
from deepresearch.errors import ConfigError


def _documented(project_root: Path) -> set[str]:
    names = set()
    for line in (project_root / ".env.example").read_text().splitlines():
        line = line.strip()
        if line.startswith("DEEPRESEARCH_") and "=" in line:
            names.add(line.split("=", 1)[0])
    return names


def test_every_setting_is_documented_in_env_example(project_root: Path) -> None:
    settings = {f"DEEPRESEARCH_{name.upper()}" for name in ResearchConfig.model_fields}
    documented = _documented(project_root)
    assert settings - documented == set(), "settings missing from .env.example"
    assert documented - settings == set(), ".env.example documents settings that do not exist"


def test_env_example_defaults_load(project_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example file itself is a valid configuration (empty values mean 'default')."""
    for line in (project_root / ".env.example").read_text().splitlines():
        if line.startswith("DEEPRESEARCH_") and "=" in line:
            name, value = line.split("=", 1)
            if value:
                monkeypatch.setenv(name, value)
    config = load_config()
    assert config.search_providers == ["duckduckgo", "local"]


def test_dotenv_file_is_read_and_explicit_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DEEPRESEARCH_MAX_ROUNDS=4\nDEEPRESEARCH_MAX_AGENTS=5\n")
    monkeypatch.setenv("DEEPRESEARCH_MAX_AGENTS", "6")
    config = load_config(max_rounds=None)
    assert config.max_rounds == 4, ".env applies"
    assert config.max_agents == 6, "environment beats .env"
    assert load_config(max_agents=2).max_agents == 2, "explicit beats environment"


def test_secrets_are_masked_in_public_dict() -> None:
    config = load_config(openai_api_key="sk-secret-value")
    public = config.public_dict()
    assert public["openai_api_key"] == "***"
    assert "sk-secret-value" not in str(public)


def test_config_is_frozen() -> None:
    config = load_config()
    with pytest.raises(ValueError):
        config.max_agents = 9  # type: ignore[misc]


def test_bad_value_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="max_time_s"):
        load_config(max_time_s=-1)
