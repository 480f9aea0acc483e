"""Difficulty routing: which path a brief takes (quick or full), decided once, with its reason recorded.

The manager's plan call already returns a classification of the brief (simple lookup / multi-hop /
open-ended survey) with a one-sentence reason, so routing costs no extra model call. A weak model's
classification is checked (`decide_route`): without a reason, or inconsistent with its own tasks, it is
unusable and the question's shape decides (a relative clause that chains two facts, a comparison of two
named things, a survey word, a short question about one thing); a "lookup" verdict on a question whose
shape plainly chains facts is overruled. The route is then:

- simple lookup → quick path: one researcher with `QUICK_PATH_STEPS` step (one search, its top results
  read), claims quoted from what it read, one round, the fast model for the researcher too;
- multi-hop / survey → the full graph: tasks sized by difficulty, review rounds, the reasoning model.

`depth` set by the person (`--depth`) or `router = false` turns routing off: the classification is still
recorded, tasks are sized by depth, and nothing is moved to the quick path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from deepresearch.config import Depth, ResearchConfig
from deepresearch.schemas import ResearchTask

QuestionKind = Literal["lookup", "multi_hop", "survey"]
Difficulty = Literal["simple", "moderate", "broad"]
DecidedBy = Literal["model", "question shape", "cached run"]

KIND_LABELS: dict[QuestionKind, str] = {
    "lookup": "simple lookup",
    "multi_hop": "multi-hop",
    "survey": "open-ended survey",
}
DIFFICULTY_OF: dict[QuestionKind, Difficulty] = {"lookup": "simple", "multi_hop": "moderate", "survey": "broad"}
DEFAULT_DEPTH: Depth = "standard"
# A lookup needs one search, its top results read in the same step; its claims are then quoted from them.
QUICK_PATH_STEPS = 1


def on_quick_path(task: ResearchTask) -> ResearchTask:
    """`task` with the quick path's limits: `QUICK_PATH_STEPS` steps, quoted claims, the fast tier."""
    return task.model_copy(update={"max_steps": QUICK_PATH_STEPS, "model_tier": "fast", "extractive": True})


_WH_START = re.compile(
    r"^(?:when|where|who|whom|what|which|how (?:many|much|old|long|tall|far)|in (?:what|which) (?:year|city|country))\b"
)
# A relative or participial clause in the middle of the question links a second fact to the first one.
_RELATIVE = re.compile(r".+?\b(?:who|whom|whose|which|that|where)\s+(?!is it\b)\w+")
_CHAIN = re.compile(r"\bthe \w+(?: \w+)? of (?:the|a|an|this|that) \w+")
_COMPARISON = re.compile(
    r"\b(?:both|same|older|younger|earlier|later|larger|smaller|bigger|longer|shorter|taller|higher|"
    r"lower|more|fewer|less|than|between|neither|either|compared?)\b"
)
_SURVEY = re.compile(
    r"\b(?:overview|survey|landscape|state of the art|pros and cons|advantages and disadvantages|trade-?offs|"
    r"trends|implications|approaches|best practices|literature|history of|impact of|effects of|explain|"
    r"how (?:does|do|can|should)|why (?:does|do|is|are)|what are the (?:main|key|different|major))\b"
)
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’.-]*)*")

SHORT_WORDS = 12  # a wh-question this short, with no linking clause, asks for one fact
LONG_WORDS = 18  # a question this long strings several conditions together


@dataclass(frozen=True)
class Shape:
    """What the question's wording alone says: a kind, why, and whether the wording is unambiguous."""

    kind: QuestionKind
    reason: str
    is_clear: bool


class Route(BaseModel):
    """The decision: the brief's kind and the reason, who decided, and whether the quick path is taken.
    Kept in the run's state (a checkpointed model), so the review and the cache see it."""

    model_config = ConfigDict(frozen=True)

    kind: QuestionKind
    reason: str
    decided_by: DecidedBy
    is_quick: bool
    depth: Depth
    overridden_by: str = ""  # "depth" or "router off" when routing did not apply

    @property
    def difficulty(self) -> Difficulty:
        return DIFFICULTY_OF[self.kind]

    @property
    def path(self) -> Literal["quick", "full"]:
        return "quick" if self.is_quick else "full"

    def method_note(self) -> str:
        """The line the report's method section shows."""
        head = f"Route: {KIND_LABELS[self.kind]} ({self.decided_by}: {self.reason})"
        if self.overridden_by:
            return f"{head}; routing off ({self.overridden_by}): depth {self.depth} sized the research."
        if self.is_quick:
            return f"{head} → quick path: one researcher, one search step, claims quoted, one round, fast model."
        return f"{head} → full graph at depth {self.depth}: review rounds, reasoning model."


def question_shape(question: str) -> Shape:
    """Classify by wording only: deterministic, the fallback when the model's classification is unusable."""
    text = " ".join(question.split())
    lowered = text.lower().rstrip(" ?.!")
    words = lowered.split()
    names = [m.group(0) for m in _NAME.finditer(text)]
    if survey := _SURVEY.search(lowered):
        return Shape("survey", f"asks for an open-ended account ({survey.group(0)!r})", True)
    comparison = _COMPARISON.search(lowered)
    if comparison and (len(names) >= 2 or " or " in lowered):
        return Shape("multi_hop", f"compares several things ({comparison.group(0)!r})", True)
    if " or " in lowered and len(names) >= 2:
        return Shape("multi_hop", f"chooses between named things ({', '.join(names[-2:])})", True)
    if relative := _RELATIVE.match(lowered):
        clause = " ".join(relative.group(0).split()[-2:])
        if not lowered.startswith(clause):
            return Shape("multi_hop", f"a clause ({clause!r}) chains a second fact to the first", True)
    if chain := _CHAIN.search(lowered):
        return Shape("multi_hop", f"a nested description ({chain.group(0)!r}) must be resolved first", True)
    if len(words) >= LONG_WORDS:
        return Shape("multi_hop", f"a long question ({len(words)} words) with several conditions", True)
    if _WH_START.match(lowered) and len(words) <= SHORT_WORDS:
        return Shape("lookup", f"a short question ({len(words)} words) asking for one fact", True)
    kind: QuestionKind = "lookup" if len(words) <= SHORT_WORDS + 2 else "multi_hop"
    return Shape(kind, f"no clear cue; judged by length ({len(words)} words)", False)


def effective_depth(config: ResearchConfig) -> Depth:
    return config.depth or DEFAULT_DEPTH


def decide_route(
    question: str,
    config: ResearchConfig,
    model_kind: QuestionKind | None,
    model_reason: str = "",
    planned_tasks: int = 0,
    *,
    is_weak: bool = True,
) -> Route:
    """The route for `question`; `model_kind` is None when the model's plan was unusable.

    A model's verdict with a reason is used. Only for a weak model (`agents.weak_model`) is it also checked
    for consistency: a multi-hop or survey verdict must come with at least two distinct tasks, and a lookup
    verdict must not contradict a question whose shape plainly chains or compares facts (a wrong quick path
    loses the answer; a wrong full path only costs tokens). Otherwise the question's shape decides, and the
    reason says why.
    """
    shape = question_shape(question)
    reason = _clip(" ".join(model_reason.split()))
    by: DecidedBy = "question shape"
    if model_kind is None or len(reason) < 8:
        kind, why = shape.kind, f"{shape.reason} (the model gave no usable classification)"
    elif not is_weak:
        kind, why, by = model_kind, reason, "model"
    elif model_kind == "lookup" and shape.is_clear and shape.kind != "lookup":
        kind, why = shape.kind, f"{shape.reason}; the model's 'simple lookup' ({reason}) was overruled"
    elif model_kind != "lookup" and planned_tasks < 2:
        kind, why = shape.kind, f"{shape.reason}; the model said {KIND_LABELS[model_kind]!r} but planned one task"
    else:
        kind, why, by = model_kind, reason, "model"
    return routed(kind, why, by, config)


def routed(kind: QuestionKind, reason: str, decided_by: DecidedBy, config: ResearchConfig) -> Route:
    """A route for a known kind, with the person's settings applied (depth set, router off)."""
    overridden = "depth set" if config.depth is not None else "" if config.router else "router off"
    is_quick = kind == "lookup" and not overridden
    depth: Depth = "quick" if is_quick else effective_depth(config)
    return Route(
        kind=kind, reason=reason, decided_by=decided_by, is_quick=is_quick, depth=depth, overridden_by=overridden
    )


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
