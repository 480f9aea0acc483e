"""Escalation: one more summary attempt on the reasoning tier when the fast tier's is doubtful.

A simple lookup takes the quick path, and its summary is written on the fast tier: most lookups need no
more. When that summary is doubtful, it is written again, once, on the reasoning tier, from the same
evidence (the "escalate to a stronger model" technique): when its short-answer samples agree less than
`min_agreement` (self-consistency, `samples` > 1; the fast drafts are then dropped unverified, as the
answer they came with is in doubt), or when its best draft's citation support is below `min_support`
(that draft stays a candidate: the best verified draft of either tier is kept). The method section says
why it escalated and between which models. Only when the two tiers name different models for the
summarizer: the same model again would only repeat the pass.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from agents.context import ResearchContext
from agents.report_scope import ReportScope
from agents.router import Route, effective_depth
from agents.self_consistency import AnswerVote
from deepresearch.config import ResearchConfig, Tier


class Escalation(BaseModel):
    """Why a summary was written again on the reasoning tier. Kept in the run's state (checkpointed)."""

    model_config = ConfigDict(frozen=True)

    trigger: Literal["agreement", "support"]
    reason: str
    from_model: str
    to_model: str
    drafts_before: int  # verified drafts before the escalated pass: its own revisions count from there

    def method_note(self) -> str:
        outcome = (
            "in place of the fast tier's drafts"
            if self.trigger == "agreement"
            else "and the best verified draft of either tier was kept"
        )
        return (
            f"Escalation: the fast tier's summary ({self.from_model}) was doubtful: {self.reason}; it was written "
            f"again on the reasoning tier ({self.to_model}) from the same evidence, {outcome}."
        )


def drafts_before(escalation: Escalation | None) -> int:
    """Verified drafts written before an escalated pass (0 when none): revisions are counted after them."""
    return escalation.drafts_before if escalation is not None else 0


def pass_scope(route: Route | None, escalation: Escalation | None, config: ResearchConfig) -> ReportScope:
    """The scope of the next summarize pass: the route's depth; the fast tier on the quick path, the
    reasoning tier once escalated, else the summarizer's own tier."""
    depth = route.depth if route is not None else effective_depth(config)
    tier: Tier | None = None
    if escalation is not None:
        tier = "reasoning"
    elif route is not None and route.is_quick:
        tier = "fast"
    return ReportScope(depth, tier)


def _escalation(
    trigger: Literal["agreement", "support"],
    reason: str,
    scope: ReportScope,
    context: ResearchContext,
    drafts_before: int,
) -> Escalation | None:
    if scope.tier != "fast":
        return None
    fast, strong = (context.models.spec_for("summarizer", tier) for tier in ("fast", "reasoning"))
    if fast == strong:
        return None
    escalation = Escalation(
        trigger=trigger, reason=reason, from_model=fast, to_model=strong, drafts_before=drafts_before
    )
    context.emit(
        "summary.escalated",
        escalation.method_note(),
        agent="summarizer",
        trigger=trigger,
        reason=reason,
        from_model=fast,
        to_model=strong,
    )
    return escalation


def for_agreement(
    vote: AnswerVote, scope: ReportScope, context: ResearchContext, drafts_before: int
) -> Escalation | None:
    """An escalation when the pass's short-answer samples agree too little (None: no need, or no stronger tier)."""
    config = context.config
    if config.samples < 2 or vote.agreement >= config.min_agreement:
        return None
    reason = (
        f"only {vote.votes} of {len(vote.samples)} short-answer samples agreed (agreement {vote.agreement:.2f}, "
        f"below {config.min_agreement:.2f})"
    )
    return _escalation("agreement", reason, scope, context, drafts_before)


def for_support(support: float, scope: ReportScope, context: ResearchContext, drafts_before: int) -> Escalation | None:
    """An escalation when the pass's best draft is poorly supported by its citations (None: no need, or none)."""
    floor = context.config.min_support
    if support >= floor:
        return None
    reason = f"its best draft's citation support was {support:.2f}, below {floor:.2f}"
    return _escalation("support", reason, scope, context, drafts_before)
