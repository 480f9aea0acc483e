"""Every prompt's placeholders match what its agent passes to `.format(...)`."""

from __future__ import annotations

import ast
import importlib
import inspect
import string

import pytest

AGENTS = [
    "rewriter",
    "clarifier",
    "manager",
    "researcher",
    "findings",
    "summarizer",
    "answer",
    "outline",
    "deep_report",
    "entailment",
]


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
    from agents import answer, deep_report, entailment, findings, manager, outline, researcher, summarizer

    for template in (
        manager.REVIEW_PROMPT,
        researcher.RESEARCHER_PROMPT,
        findings.FINDINGS_PROMPT,
        summarizer.SUMMARY_PROMPT,
        answer.SHORT_ANSWER_PROMPT,
        outline.OUTLINE_PROMPT,
        deep_report.SECTION_PROMPT,
        deep_report.LEAD_PROMPT,
        entailment.JUDGE_PROMPT,
    ):
        assert "{data_rule}" in template


TECHNIQUE_SETS = ["RESEARCHER_TECHNIQUES", "SUMMARY_TECHNIQUES", "SHORT_ANSWER_TECHNIQUES"]
EVIDENCE_TAGS = ["<source_data", "<evidence>", "<passages>", "<task>", "<question>", "<brief>", "<first_queries>"]


@pytest.mark.parametrize("name", TECHNIQUE_SETS)
def test_every_prompt_style_has_a_technique_and_plain_adds_nothing(name: str) -> None:
    from agents import prompts

    techniques = getattr(prompts, name)
    assert set(techniques) == set(prompts.PROMPT_STYLES)
    assert techniques["plain"] == ""
    assert "step by step" in techniques["cot"] and "<thinking>" in techniques["cot"]
    fewshot = techniques["fewshot"]
    assert fewshot.strip().startswith("<examples>") and fewshot.strip().endswith("</examples>")
    assert "made up" in fewshot and "not evidence" in fewshot
    # The examples never look like real evidence, so neither a model nor a parser takes them for it.
    assert not any(tag in fewshot for tag in EVIDENCE_TAGS)
    assert _fields(fewshot) == set() or name == "RESEARCHER_TECHNIQUES"


def test_techniques_fill_each_prompt_without_new_placeholders() -> None:
    from agents import answer, prompts, researcher, summarizer
    from agents.researcher_turn import ResearcherTurn
    from deepresearch.schemas import ResearchTask
    from deepresearch.testing import ScriptedChatModel
    from tests.agents.helpers import make_context

    turn = ResearcherTurn(task=ResearchTask(id="t1", goal="Find the year", queries=["year"]), question="When?")
    for style in prompts.PROMPT_STYLES:
        context, _ = make_context(ScriptedChatModel(), prompt_style=style)
        opening = str(researcher.opening_messages(turn, context)[0].content)
        assert opening.endswith(prompts.RESEARCHER_TECHNIQUES[style] or "</rules>")
        assert "{" not in prompts.technique(prompts.SUMMARY_TECHNIQUES, style)
    plain = str(researcher.opening_messages(turn, make_context(ScriptedChatModel())[0])[0].content)
    assert plain.endswith("</rules>")  # the plain prompt is the prompt without a technique
    # CoT asks for thinking where it is moved aside: <think> in free text, `steps` in the short answer.
    assert "<think>" in prompts.SUMMARY_TECHNIQUES["cot"] and "steps" in prompts.SHORT_ANSWER_TECHNIQUES["cot"]
    assert list(answer.ReasonedShortAnswer.model_fields) == ["steps", "answer"]
    assert "{technique}" in summarizer.SUMMARY_PROMPT and "{technique}" in answer.SHORT_ANSWER_PROMPT
