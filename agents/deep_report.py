"""A long, structured report for a capable model at depth deep: an outline, sections in parallel, a lead.

One reply cannot hold a deep report, and one prompt over every finding gets a shallow one. So the outline
(`agents.outline`) names the sections and the research tasks each draws on; every section is then written
at the same time as the others, from its own tasks' findings and passages only, citing the run's numbers
(`Evidence.of_tasks`: numbering holds across sections), and verified on its own by the verifier's
`check_draft` against that evidence. A section with unsupported sentences, or numbers outside its
evidence, is revised with the verifier's notes (at most `revision_limit` times) and its best version by the
verifier's reward is kept. The lead summary is written last, from the supported sentences of the sections,
and checked against the whole evidence. Each reply gets the depth's output budget (`agents.report_scope`).

The assembled draft then goes through the graph's verify and finalize like any other, so the verifier's
checks hold across sections: the whole body is checked again and renumbered 1..n. It is not sent back as a
whole, since each of its parts has been revised on its own already.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agents import verifier
from agents.answer import ANSWER_RULE
from agents.citations import Evidence
from agents.clarifier import brief_with_answers_text
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, neutralize
from agents.outline import PlannedSection, plan_sections
from agents.prompts import SUMMARY_TECHNIQUES, technique
from agents.report_scope import LEAD_TOKENS, ReportScope, SummaryRequest
from agents.summarizer import Draft, extractive_draft, render_evidence, write_with
from deepresearch.schemas import ResearchBrief

SECTION_PROMPT = """<role>You write one section of a long research report.</role>
<rules>
- {data_rule}
- Use only the evidence below. Every sentence states something the evidence says and ends with the
  number of its source in square brackets, like [3]. Never cite a number that is not listed.
- Write {paragraphs} paragraphs on the section's subject: say what each source found, and where sources
  agree or differ. No heading, no introduction to the whole report, no references list.
- If the evidence does not cover part of the section's subject, say so plainly instead of guessing.
- Write in the language with code "{language}".
</rules>{technique}
<brief>{brief}</brief>
<section>{section}</section>
<evidence>
{evidence}
</evidence>
<revision_notes>{revision_notes}</revision_notes>"""
SECTION_PLACEHOLDERS = frozenset(
    {"data_rule", "paragraphs", "language", "technique", "brief", "section", "evidence", "revision_notes"}
)

LEAD_PROMPT = """<role>You write the lead summary of a long research report whose sections are written.</role>
<rules>
- {data_rule} The sections below are given as such blocks.
- {answer_rule}
- Then write one paragraph of three to six sentences that answers the question and sums up the sections.
  Every sentence ends with the numbers of the sources it rests on, as the sections cite them, like [2].
  Cite no number the sections do not cite. No heading.
- Write in the language with code "{language}".
</rules>
<brief>{brief}</brief>
<sections>
{sections}
</sections>
<revision_notes>{revision_notes}</revision_notes>"""
LEAD_PLACEHOLDERS = frozenset({"data_rule", "answer_rule", "language", "brief", "sections", "revision_notes"})

CLAIMS_PER_PARAGRAPH = 3
MAX_PARAGRAPHS = 6


@dataclass(frozen=True)
class Piece:
    """One part of the report, written and verified on its own."""

    name: str  # a section's title, or "lead summary"
    prompt: Callable[[str], str]  # revision notes → the prompt
    instruction: str
    evidence: Evidence  # what it may cite, and what it is checked against
    fallback: str  # quoted from the evidence, used when no usable reply comes
    tokens: int | None = None  # its reply budget (None: the depth's)


@dataclass(frozen=True)
class VerifiedPiece:
    """A part's best version by the verifier's reward, its check, how many revisions it took and how long."""

    name: str
    draft: Draft
    check: verifier.DraftCheck
    revisions: int
    seconds: float

    def supported_text(self) -> str:
        """Its supported sentences only: what the lead summary may build on."""
        return " ".join(s.sentence for s in self.check.sentences if s.is_supported)


async def write_verified(piece: Piece, scope: ReportScope, context: ResearchContext) -> VerifiedPiece:
    """Write `piece`, check it against its own evidence, revise it with the verifier's notes while allowed."""
    started = time.monotonic()
    model = scope.writer(context, piece.tokens)
    similarity = context.services.similarity
    notes, revisions = "none", 0
    best: tuple[float, Draft, verifier.DraftCheck] | None = None
    for attempt in range(verifier.revision_limit(context.config) + 1):
        draft = await write_with(model, piece.prompt(notes), piece.instruction, piece.fallback, context)
        check = verifier.check_draft(draft.markdown, piece.evidence, similarity)
        reward = verifier.reward(check, piece.evidence)
        revisions = attempt
        if best is None or reward > best[0]:  # the first of equals wins: an earlier version is kept on a tie
            best = (reward, draft, check)
        if not draft.by_model or not (check.unsupported or check.removed_numbers):
            break
        notes = verifier.revision_notes(check)
    assert best is not None
    return VerifiedPiece(piece.name, best[1], best[2], revisions, round(time.monotonic() - started, 3))


def section_piece(section: PlannedSection, brief: ResearchBrief, evidence: Evidence, context: ResearchContext) -> Piece:
    """A section's piece: its prompt over its own tasks' evidence, cited with the run's numbers."""
    own = evidence.of_tasks(section.task_ids)
    paragraphs = max(2, min(MAX_PARAGRAPHS, math.ceil(len(own.claims) / CLAIMS_PER_PARAGRAPH)))
    subject = f"{section.title}: {section.focus}" if section.focus else section.title

    def prompt(notes: str) -> str:
        return SECTION_PROMPT.format(
            data_rule=DATA_RULE,
            paragraphs=paragraphs,
            language=brief.language,
            technique=technique(SUMMARY_TECHNIQUES, context.config.prompt_style),
            brief=brief_with_answers_text(brief),
            section=neutralize(subject),
            evidence=render_evidence(own),
            revision_notes=notes,
        )

    return Piece(section.title, prompt, "Write the section now.", own, extractive_draft(own))


def lead_piece(brief: ResearchBrief, sections: Sequence[VerifiedPiece], evidence: Evidence) -> Piece:
    """The lead summary's piece: written from the sections' supported sentences, checked against all evidence;
    without a usable reply, the first supported sentence of each section leads."""
    blocks = "\n".join(
        f'<source_data section="{neutralize(s.name)}">\n{neutralize(s.supported_text())}\n</source_data>'
        for s in sections
        if s.supported_text()
    )
    firsts = [next((c.sentence for c in s.check.sentences if c.is_supported), "") for s in sections]

    def prompt(notes: str) -> str:
        return LEAD_PROMPT.format(
            data_rule=DATA_RULE,
            answer_rule=ANSWER_RULE,
            language=brief.language,
            brief=brief_with_answers_text(brief),
            sections=blocks,
            revision_notes=notes,
        )

    return Piece(
        "lead summary", prompt, "Write the lead summary now.", evidence, " ".join(f for f in firsts if f), LEAD_TOKENS
    )


def assemble(lead: VerifiedPiece, sections: Sequence[VerifiedPiece]) -> str:
    """The lead, then each section under its heading (headings are structure: never checked, never citing)."""
    parts = [lead.check.markdown] if lead.check.markdown.strip() else []
    parts.extend(f"### {section.name}\n\n{section.check.markdown}" for section in sections)
    return "\n\n".join(parts)


@dataclass(frozen=True)
class DeepReport:
    draft: Draft
    note: str  # for the method section


async def write_deep_report(request: SummaryRequest, context: ResearchContext) -> DeepReport:
    """Outline, sections in parallel (each verified and revised on its own), then the lead summary."""
    brief, evidence, scope = request.brief, request.evidence, request.scope
    plan = await plan_sections(request, context)
    titles = [section.title for section in plan.sections]
    origin = "the model's outline" if plan.by_model else "one per research task"
    context.emit(
        "report.outline",
        f"{len(titles)} sections ({origin}): " + "; ".join(titles),
        agent="summarizer",
        sections=titles,
        by_model=plan.by_model,
    )
    started = time.monotonic()
    pieces = [section_piece(section, brief, evidence, context) for section in plan.sections]
    sections = list(await asyncio.gather(*(write_verified(piece, scope, context) for piece in pieces)))
    wall = round(time.monotonic() - started, 3)
    for number, section in enumerate(sections, start=1):
        context.emit(
            "report.section",
            f"section {number} of {len(sections)} ({section.name}): support {section.check.score:.2f}, "
            f"{section.revisions} revision(s), {section.seconds:.1f} s",
            agent="summarizer",
            title=section.name,
            support=section.check.score,
            revisions=section.revisions,
            seconds=section.seconds,
        )
    longest = max((section.seconds for section in sections), default=0.0)
    context.emit(
        "report.sections",
        f"{len(sections)} sections written in parallel in {wall:.1f} s (the longest section took {longest:.1f} s)",
        agent="summarizer",
        wall_s=wall,
        longest_s=longest,
    )
    lead = await write_verified(lead_piece(brief, sections, evidence), scope, context)
    revised = sum(section.revisions for section in sections)
    note = (
        f"Deep report: {len(sections)} sections ({origin}), written in parallel, each from its own tasks' findings "
        f"and verified on its own ({revised} section revision(s)); then a lead summary over them."
    )
    draft = Draft(assemble(lead, sections), by_model=True, answer=lead.draft.answer, is_revisable=False)
    return DeepReport(draft, note)
