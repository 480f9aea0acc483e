"""Typed state per graph level, with reducers for everything parallel researchers write.

Main graph: `ResearchInput` → `ResearchState` → `ResearchOutput`. Researcher subgraph:
`ResearcherInput` → `ResearcherState` → `ResearcherOutput` (the keys it hands back to the main graph).
Parallel branches append findings, merge sources by id and append events. Token usage is not state: the
run's models count it in one ledger (`deepresearch.llm`), rebuilt from the trace on resume.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, NotRequired, TypedDict

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel

from agents.cache_reuse import CacheOrigin
from agents.clarifier import ClarifyDecision
from agents.escalation import Escalation
from agents.finish import ClaimDraft, ResearcherFindings
from agents.follow_up import EarlierRun
from agents.researcher_turn import FailedCall, ResearcherTurn
from agents.router import Route
from agents.self_consistency import AnswerVote
from agents.verification import Verdict
from deepresearch import schemas
from deepresearch.errors import ToolError
from deepresearch.progress import Event
from deepresearch.schemas import (
    Findings,
    Report,
    ResearchBrief,
    ResearchTask,
    Source,
)


def merge_by_key(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Union of two id-keyed dicts; the first record of an id wins so ids stay stable."""
    merged = dict(left or {})
    for key, value in (right or {}).items():
        merged.setdefault(key, value)
    return merged


def add_unique(left: list[str] | None, right: list[str] | None) -> list[str]:
    return list(dict.fromkeys([*(left or []), *(right or [])]))


class DraftRecord(BaseModel):
    """One summarizer draft with the verifier's score; the best one is kept, not the last."""

    markdown: str
    score: float = 0.0  # the verifier's reward: mean of `support` and `coverage`
    by_model: bool = True
    support: float = 0.0
    coverage: float = 0.0
    answer: str = ""  # the short answer the summarizer opened with, checked when the report is assembled
    is_revisable: bool = True  # False: its parts were verified and revised on their own (a deep report)


# ---- researcher subgraph ---------------------------------------------------------------------------


class ResearcherInput(TypedDict):
    task: ResearchTask
    round: int
    question: str  # the question as the person asked it
    run_has_read: NotRequired[list[str]]  # URLs of sources the run already has: the evidence floor reads others


class ResearcherOutput(TypedDict):
    findings: Annotated[list[Findings], operator.add]
    sources: Annotated[dict[str, Source], merge_by_key]
    source_texts: Annotated[dict[str, str], merge_by_key]
    events: Annotated[list[Event], operator.add]
    problems: Annotated[list[str], add_unique]


class ResearcherState(ResearcherInput, ResearcherOutput):
    turn: ResearcherTurn  # everything the researcher has done on its task so far


# ---- main graph ------------------------------------------------------------------------------------


class ResearchInput(TypedDict):
    question: str
    follow_up: NotRequired[EarlierRun]  # the earlier run a follow-up question starts from


class ResearchOutput(TypedDict):
    report: Report


class ResearchState(ResearchInput, ResearcherOutput, ResearchOutput, total=False):
    brief: ResearchBrief
    clarify: ClarifyDecision
    tasks: Annotated[list[ResearchTask], operator.add]
    round: int
    notes: Annotated[list[str], add_unique]  # method notes: drops, contradictions, fallbacks
    limits_hit: Annotated[list[str], add_unique]
    route: Route  # the plan's difficulty route: the quick path skips review rounds
    cache_origins: Annotated[dict[str, CacheOrigin], merge_by_key]  # reused task id → the run it came from
    drafts: Annotated[list[DraftRecord], operator.add]  # every verified draft with its score
    revision_notes: str
    short_answer: str  # the summarizer's short answer, checked against the evidence when the report is assembled
    candidates: list[DraftRecord]  # the drafts of this summarize pass (best-of-N), before verification
    answer_vote: AnswerVote  # self-consistency over the short answer (samples > 1)
    answer_rechecked: bool  # a low agreement already bought one more research round
    served_body: str  # a repeated brief: the cached report body (cited by source id), verified, not rewritten
    escalation: Escalation  # the fast tier's summary was doubtful: the next pass is on the reasoning tier
    verdicts: Annotated[dict[str, Verdict], merge_by_key]  # the verifier judge's, by `JudgementRequest.key`


def checkpoint_serde() -> JsonPlusSerializer:
    """A serializer that revives exactly the types our state holds (no warnings, no surprises)."""
    allowed: list[type] = [
        DraftRecord,
        Route,
        CacheOrigin,
        EarlierRun,
        AnswerVote,
        Escalation,
        ClarifyDecision,
        ResearcherFindings,
        ClaimDraft,
        ResearcherTurn,
        FailedCall,
        ToolError,
        Event,
        *(
            value
            for value in vars(schemas).values()
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == schemas.__name__
        ),
    ]
    return JsonPlusSerializer(allowed_msgpack_modules=allowed)
