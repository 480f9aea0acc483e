"""Depth deep with a capable model: an outline, sections written in parallel and verified on their own, a lead."""

from __future__ import annotations

import re

from agents.citations import gather_evidence
from agents.deep_report import section_piece
from agents.outline import Outline, OutlineSection, PlannedSection, checked_outline
from agents.report_scope import REPLY_TOKENS, ReportScope
from deepresearch.config import load_config
from deepresearch.llm.handle import ChatModelHandle
from deepresearch.reports import run_dir_for
from deepresearch.review import verify_report
from deepresearch.schemas import Claim, Findings, Passage, ResearchBrief, ResearchTask, Source
from deepresearch.testing import FakeWeb, ResearchResponder, ScriptedChatModel, aspect_pages, scripted_services
from graphs.context import build_context

from .helpers import run_graph

CITE = re.compile(r"\[(\d+(?:, \d+)*)\]")


def _findings(report_markdown: str) -> str:
    return report_markdown.split("## Findings", 1)[1].split("\n## ", 1)[0]


async def test_a_deep_report_is_long_sectioned_and_every_citation_verifies() -> None:
    responder = ResearchResponder(tasks=5, searches=4, claims_per_task=20)
    model = ScriptedChatModel(responder=responder)
    report, recorder = await run_graph(
        "How do cats sleep?",
        model=model,
        web=FakeWeb(pages=aspect_pages(sentences=6)),
        depth="deep",
        max_agents=5,
        max_pages=120,
    )
    body = _findings(report.markdown)
    headings = [line for line in body.splitlines() if line.startswith("### ")]
    assert len(body.split()) >= 1500 and len(headings) >= 4 and len(report.sources) >= 15
    checks = verify_report(run_dir_for(load_config(), report.run_id), report)
    assert [c.verdict for c in checks] == ["verified"] * len(report.citations) and report.support_score == 1.0
    assert body.strip().splitlines()[0].endswith("].") and not body.lstrip().startswith("###"), "a lead comes first"
    numbers = [int(n) for group in CITE.findall(body) for n in group.split(", ")]
    assert sorted(set(numbers)) == list(range(1, len(report.citations) + 1)), "one numbering across sections"
    outline = next(e for e in recorder.events if e.kind == "report.outline")
    assert outline.data["by_model"] and len(outline.data["sections"]) == len(headings)
    sections = [e for e in recorder.events if e.kind == "report.section"]
    assert len(sections) == len(headings) and all(e.data["revisions"] == 1 for e in sections), (
        "each section's first draft cites a number outside its evidence and is revised on its own"
    )
    assert len([e for e in recorder.events if e.kind == "verify.checked"]) == 1, "the whole is not sent back"
    assert any(note.startswith("Deep report: 5 sections (the model's outline)") for note in report.method_notes)
    written = [c for c in model.calls if "<section>" in str(c["messages"][0].content)]
    assert len(written) == 2 * len(headings)


async def test_a_weak_summarizer_at_depth_deep_chooses_passages_and_writes_no_outline() -> None:
    report, recorder = await run_graph(depth="deep", summarizer_profile={"weak": True})
    assert report.citations and "report.outline" not in recorder.kinds()
    assert not any(note.startswith("Deep report") for note in report.method_notes)


SOURCES = {sid: Source(id=sid, url=f"https://example.org/{sid}", title=sid.upper()) for sid in "abc"}


def _claim(text: str, source_id: str) -> Claim:
    return Claim(text=text, passages=[Passage(source_id=source_id, text=text, end=len(text))])


EVIDENCE = gather_evidence(
    [
        Findings(task_id="t1", claims=[_claim("Cats sleep twelve hours.", "a"), _claim("Kittens sleep more.", "b")]),
        Findings(task_id="t2", claims=[_claim("Lions sleep twenty hours.", "c"), _claim("Kittens nap often.", "b")]),
    ],
    SOURCES,
)
TASKS = [
    ResearchTask(id="t1", goal="Domestic cats", queries=["cats"]),
    ResearchTask(id="t2", goal="Big cats", queries=["lions"]),
]


def test_a_section_sees_only_its_tasks_evidence_with_the_runs_numbers() -> None:
    context = build_context(load_config(), scripted_services(), run_id="unit")
    brief = ResearchBrief(original_question="How do cats sleep?", question="How do cats sleep?")
    piece = section_piece(PlannedSection("Big cats", "lions", ("t2",)), brief, EVIDENCE, context)
    prompt = piece.prompt("none")
    assert "Lions sleep twenty hours." in prompt and "Kittens nap often." in prompt
    assert "Cats sleep twelve hours." not in prompt and "Kittens sleep more." not in prompt
    assert '<source_data cite="[3]">' in prompt and '<source_data cite="[2]">' in prompt, "the run's numbers"
    assert set(piece.evidence.number_of.values()) == {2, 3}


def test_an_outline_is_checked_every_task_is_used_and_unknown_ids_are_dropped() -> None:
    drafted = Outline(
        sections=[
            OutlineSection(title="## Lions", focus="big cats", task_ids=["t2", "t9"]),
            OutlineSection(title="Nothing", task_ids=["t7"]),
        ]
    )
    sections = checked_outline(drafted, EVIDENCE, TASKS)
    assert [(s.title, s.task_ids) for s in sections] == [("Lions", ("t2",)), ("Domestic cats", ("t1",))]


def _max_tokens(handle: ChatModelHandle) -> int:
    return int(getattr(handle.chat, "max_tokens"))  # noqa: B009 (ChatOpenAI's field, not on BaseChatModel)


def test_each_summarizer_reply_gets_the_depths_budget_within_the_models_limit() -> None:
    """No fixed cap: a deep report's reply may hold 4,096 tokens on gpt-4o while other calls keep 1,024,
    and a profile that says the model emits less caps it."""
    settings = {"model": "openai:gpt-4o", "openai_api_key": "sk-test", "max_output_tokens": 1024}
    context = build_context(load_config(**settings), scripted_services(), run_id="unit")
    deep = ReportScope("deep").writer(context)
    assert _max_tokens(deep) == REPLY_TOKENS["deep"] == deep.settings.reply_allowance
    assert _max_tokens(context.models.for_role("researcher")) == 1024
    assert _max_tokens(ReportScope("standard").writer(context)) == REPLY_TOKENS["standard"]
    capped = build_context(
        load_config(**settings, summarizer_profile={"max_output_tokens": 3000}), scripted_services(), run_id="unit"
    )
    assert _max_tokens(ReportScope("deep").writer(capped)) == 3000
    assert _max_tokens(ReportScope("quick").writer(capped)) == REPLY_TOKENS["quick"]
