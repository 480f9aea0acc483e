"""The `finish` tool: the findings a researcher's model drafts, as claims naming the passages that say them.

Its arguments are checked by `agents.findings`: a claim is kept only when the passages it names support it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClaimDraft(BaseModel):
    text: str
    passage_ids: list[str] = Field(default_factory=list, description="Ids such as P1, P2 of supporting passages")


class ResearcherFindings(BaseModel):
    """The findings a model drafts; as the `finish` tool's arguments, the researcher's last action."""

    model_config = ConfigDict(title="finish")

    claims: list[ClaimDraft] = Field(
        default_factory=list,
        description="Each one factual sentence the passages state, with the ids of the passages that say it.",
    )
    notes: str = Field(default="", description="What is still missing, if anything.")
