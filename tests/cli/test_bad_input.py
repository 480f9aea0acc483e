"""Bad input gets one clear line and exit code 2, never a traceback (run as a real subprocess)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(
    *args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "deepresearch.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert fragment in result.stderr


def test_empty_question() -> None:
    assert_clean_failure(run_cli("   "), "the question is empty")


def test_huge_question() -> None:
    assert_clean_failure(run_cli("why " * 25_600), "the limit is 8,000")


def test_unknown_provider() -> None:
    assert_clean_failure(run_cli("What is DNS?", "--model", "nosuch:model", "--no-clarify"), "unknown model provider")


def test_missing_api_key_for_the_chosen_provider() -> None:
    result = run_cli("What is DNS?", "--model", "anthropic:claude-sonnet-4-5", "--no-clarify")
    assert_clean_failure(result, "ANTHROPIC_API_KEY")


def test_bad_setting_in_the_environment() -> None:
    result = run_cli("What is DNS?", env={"DEEPRESEARCH_MAX_AGENTS": "many"})
    assert_clean_failure(result, "max_agents")


@pytest.mark.parametrize("command", [["reports", "show", "no-such-run"], ["resume", "no-such-run"]])
def test_unknown_run_id(command: list[str]) -> None:
    assert_clean_failure(run_cli(*command), "no run with id 'no-such-run'")


def test_one_out_file_for_two_export_formats(tmp_path: Path) -> None:
    result = run_cli("reports", "export", "any-run", "--html", "--pdf", "--out", str(tmp_path / "report"))
    assert_clean_failure(result, "--out names one file")


def test_unreadable_docs(tmp_path: Path) -> None:
    assert_clean_failure(run_cli("What is DNS?", "--docs", str(tmp_path / "missing")), "no such file or folder")
    broken = tmp_path / "broken-link"
    broken.symlink_to(tmp_path / "nowhere")
    assert_clean_failure(run_cli("What is DNS?", "--docs", str(broken)), "no such file or folder")


def assert_one_line_and_no_run(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    """Bad input: exactly one line on stderr, exit 2, and nothing left in the data dir's runs."""
    assert_clean_failure(result, fragment)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    runs = Path(os.environ["DEEPRESEARCH_DATA_DIR"]) / "runs"
    assert not runs.exists() or not any(runs.iterdir()), list(runs.iterdir())


def test_unknown_option_is_a_usage_error() -> None:
    assert_one_line_and_no_run(run_cli("What is DNS?", "--no-such-option"), "No such option: --no-such-option")


def test_unknown_search_provider_is_found_before_the_run_starts() -> None:
    result = run_cli("ask", "--search", "nosuchprovider", "--no-clarify", "What is DNS?")
    assert_one_line_and_no_run(result, "unknown search provider 'nosuchprovider'")


def test_unreadable_docs_folder_is_the_projects_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a folder unreadable")
        prefix = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")
    result = run_cli("ask", "--docs", str(locked), "--no-clarify", "What is DNS?", prefix=prefix)
    assert_one_line_and_no_run(result, f"--docs {locked}: not readable")


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("ask", "resume", "reports", "doctor", "config"):
        assert command in result.stdout


def test_config_masks_secrets() -> None:
    result = run_cli("config", env={"OPENAI_API_KEY": "sk-very-secret"})
    assert result.returncode == 0
    assert "sk-very-secret" not in result.stdout
    assert "DEEPRESEARCH_OPENAI_API_KEY=***" in result.stdout
