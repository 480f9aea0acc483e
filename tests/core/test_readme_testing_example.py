"""The README's "Testing your own flows" example runs as written: it is how users meet deepresearch.testing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_testing_example_in_the_readme_runs(capsys: pytest.CaptureFixture[str]) -> None:
    section = README.read_text(encoding="utf-8").split("## Testing your own flows", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert example is not None, "the section has a Python example"
    exec(compile(example.group(1), "README.md", "exec"), {})  # the README's own code, as a user would paste it
    assert "model calls;" in capsys.readouterr().out
