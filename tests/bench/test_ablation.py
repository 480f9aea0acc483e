"""The ablation's argument checks and table row, without running the QA bench."""

from __future__ import annotations

import pytest

from bench.ablation import HEADER, main, parse_args, row


def test_unknown_settings_are_refused_with_the_known_ones_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--data", "x.json", "--settings", "baseline,bogus"])
    assert "unknown setting(s): bogus; choose from baseline, samples" in capsys.readouterr().err


def test_a_row_has_one_cell_per_column_and_shows_missing_figures_as_na() -> None:
    totals = {
        "questions": 3,
        "em": 0.5,
        "f1": None,
        "gold_read": 0.25,
        "gold_cited": 0.0,
        "supported_share": 1.0,
        "cited_sentences": 7,
        "never_read_citations": 0,
        "prompt_tokens": 12345.6,
        "completion_tokens": 800.2,
        "llm_calls": 12.333,
        "wall_s": 61.4,
    }
    line = row("baseline", totals)
    assert line.count("|") == HEADER.count("|")
    assert "| 3 | 0.500 / n/a |" in line and "| 12,346 / 800 | 12.3 | 61 s |" in line


def test_a_setting_whose_run_wrote_nothing_gets_a_row_saying_so(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bench.ablation.run_setting", lambda name, args: None)
    assert main(["--data", "x.json", "--settings", "cot", "--out-dir", str(tmp_path)]) == 0
    assert "| `--prompt cot` | no results |" in capsys.readouterr().out
