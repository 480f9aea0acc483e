"""How a summarize pass writes: at which depth, on which model tier, and how long each reply may be.

Depth sets the report's scope. A quick lookup's report is a paragraph and a standard one a few; at depth
deep a capable model writes an outline, then its sections in parallel, then a lead summary
(`agents.deep_report`). No fixed cap fits all three: each summarizer reply gets the tokens its depth calls
for (`REPLY_TOKENS`, a section's at deep), within what its model can emit in one reply (the profile's
`max_output_tokens`, overridable per role with `DEEPRESEARCH_SUMMARIZER_PROFILE`). Other calls keep
`max_output_tokens`.

The tier is a value carried by the scope, never a change to the model set: the quick path writes on the
fast tier, and an escalated pass on the reasoning tier (`agents.escalation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.citations import Evidence
from agents.context import ResearchContext
from deepresearch.config import Depth, Tier
from deepresearch.llm.handle import ChatModelHandle
from deepresearch.schemas import ResearchBrief, ResearchTask

# Answer tokens of one summarizer reply per depth: the whole report at quick and standard, one section at deep.
REPLY_TOKENS: dict[Depth, int] = {"quick": 1024, "standard": 2048, "deep": 4096}
# A deep report's lead summary: one paragraph over the sections.
LEAD_TOKENS = 1024


@dataclass(frozen=True)
class ReportScope:
    """The depth a pass writes at and the tier of its summarizer model (None: the role's own tier)."""

    depth: Depth = "standard"
    tier: Tier | None = None

    @property
    def is_sectioned(self) -> bool:
        """Whether the report is an outline, sections written in parallel and a lead (depth deep)."""
        return self.depth == "deep"

    def model(self, context: ResearchContext) -> ChatModelHandle:
        """The summarizer on this pass's tier, for short calls (structured answers, choices, outlines)."""
        return context.models.for_role("summarizer", self.tier)

    def writer(self, context: ResearchContext, tokens: int | None = None) -> ChatModelHandle:
        """The summarizer on this pass's tier, allowed `tokens` per reply (default: the depth's), within
        what its model can emit in one reply."""
        wanted = tokens or REPLY_TOKENS[self.depth]
        limit = self.model(context).profile.max_output_tokens
        return context.models.for_role("summarizer", self.tier, output_tokens=min(wanted, limit))


DEFAULT_SCOPE = ReportScope()  # depth standard, the summarizer's own tier


@dataclass(frozen=True)
class SummaryRequest:
    """What one summarize pass writes from, and how."""

    brief: ResearchBrief
    evidence: Evidence
    tasks: Sequence[ResearchTask]
    revision_notes: str = ""
    revision: int = 0  # 0: a first pass (the short answer is asked too); n > 0: the nth revision of the best draft
    scope: ReportScope = DEFAULT_SCOPE
