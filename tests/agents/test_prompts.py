"""Every prompt's placeholders match what its agent passes to `.format(...)`."""

from __future__ import annotations

import ast
import importlib
import inspect
import string

import pytest

AGENTS = ["rewriter", "clarifier", "manager", "researcher", "findings", "summarizer", "answer"]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _format_calls(module: object) -> dict[str, set[str]]:
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    calls: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id.endswith("_PROMPT")
        ):
            calls[node.func.value.id] = {kw.arg for kw in node.keywords if kw.arg}
    return calls


@pytest.mark.parametrize("name", AGENTS)
def test_prompt_placeholders_match_what_the_agent_passes(name: str) -> None:
    module = importlib.import_module(f"agents.{name}")
    prompts = {k: v for k, v in vars(module).items() if k.endswith("_PROMPT") and isinstance(v, str)}
    calls = _format_calls(module)
    assert prompts and set(prompts) == set(calls)
    for prompt_name, template in prompts.items():
        declared = getattr(module, prompt_name.removesuffix("_PROMPT") + "_PLACEHOLDERS")
        assert _fields(template) == set(declared) == calls[prompt_name], prompt_name
        assert "<" in template and "</" in template  # XML-tagged sections


def test_every_prompt_that_carries_fetched_text_states_the_data_rule() -> None:
    from agents import answer, findings, manager, researcher, summarizer

    for template in (
        manager.REVIEW_PROMPT,
        researcher.RESEARCHER_PROMPT,
        findings.FINDINGS_PROMPT,
        summarizer.SUMMARY_PROMPT,
        answer.SHORT_ANSWER_PROMPT,
    ):
        assert "{data_rule}" in template
