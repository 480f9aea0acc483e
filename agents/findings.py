"""A researcher's findings: claims tied to the exact passages that state them.

The model drafts claims (in its `finish` call, or when asked after it stopped); each draft is kept only
when the passages it names support it. When no draft survives, claims are copied verbatim from the
passages, so findings never depend on the model being good.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field

from agents.context import ResearchContext
from agents.evidence import DATA_RULE, clean_passages, render_passages, sub_passage
from agents.support import SUPPORT_THRESHOLD, best_passage, sentence_spans
from deepresearch.errors import BudgetExceeded, StructuredOutputError
from deepresearch.schemas import Claim, Findings, Passage, ResearchTask, Source
from deepresearch.text import content_token_set

FINDINGS_PROMPT = """<role>You extract findings for one research task from passages you have read.</role>
<task>{goal}</task>
<rules>
- {data_rule}
- Each claim is one factual sentence stated by the passages, with the ids of the passages that say it.
- Use only the passages below; no outside knowledge; no claim without a passage id.
</rules>
<passages>
{passages}
</passages>"""

FINDINGS_PLACEHOLDERS = frozenset({"goal", "data_rule", "passages"})
MAX_EXTRACTIVE_CLAIMS = 5
RELEVANCE_SHARE_OF_BEST = 0.5


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


async def conclude(
    task: ResearchTask,
    agent_id: str,
    passages: dict[str, Passage],
    sources_by_id: dict[str, Source],
    *,
    queries_tried: Sequence[str],
    stopped_by: str | None,
    context: ResearchContext,
    drafted: ResearcherFindings | None = None,
) -> Findings:
    """Findings for the task: the model's claims where passages support them, else extractive ones.

    `drafted` is what the model gave in its `finish` call; without it the model is asked once, unless a
    token or time budget stopped the researcher or the task is `extractive` (the quick path's lookup).
    """
    usable = {label: p for label, p in passages.items() if clean_passages([p]) == [p]}
    claims: list[Claim] = []
    if usable and drafted is None and stopped_by not in {"tokens", "time"} and not task.extractive:
        drafted = await _ask_for_findings(task, agent_id, usable, sources_by_id, context)
    notes = drafted.notes if drafted else ""
    if usable and drafted is not None:
        claims = _supported_claims(drafted, usable, agent_id, context)
    if usable and not claims:
        claims = extractive_claims(task, list(usable.values()))
        context.emit(
            "researcher.extractive", f"{agent_id}: {len(claims)} claims taken verbatim from passages", agent=agent_id
        )
    return Findings(
        task_id=task.id, claims=claims, queries_tried=list(queries_tried), notes=notes, stopped_by=stopped_by
    )


async def _ask_for_findings(
    task: ResearchTask,
    agent_id: str,
    passages: dict[str, Passage],
    sources_by_id: dict[str, Source],
    context: ResearchContext,
) -> ResearcherFindings | None:
    prompt = FINDINGS_PROMPT.format(
        goal=task.goal, data_rule=DATA_RULE, passages=render_passages(list(passages.items()), sources_by_id)
    )
    try:
        return await context.models.for_role("researcher").astructured(
            [SystemMessage(prompt), HumanMessage("List the findings.")], ResearcherFindings, agent=agent_id
        )
    except (StructuredOutputError, BudgetExceeded) as error:
        context.emit("agent.fallback", f"{agent_id}: findings: {error}", agent=agent_id)
        return None


def _supported_claims(
    drafted: ResearcherFindings, passages: dict[str, Passage], agent_id: str, context: ResearchContext
) -> list[Claim]:
    claims: list[Claim] = []
    for draft in drafted.claims:
        labels = [label.strip().strip("[]") for label in draft.passage_ids]
        cited = [passages[label] for label in labels if label in passages]
        _, score = best_passage(draft.text, cited, context.services.similarity)
        if cited and score >= SUPPORT_THRESHOLD:
            claims.append(Claim(text=" ".join(draft.text.split()), passages=cited))
        else:
            context.emit(
                "researcher.claim_rejected",
                f"{agent_id}: unsupported claim dropped: {draft.text[:120]}",
                agent=agent_id,
            )
    return claims


def extractive_claims(task: ResearchTask, passages: Sequence[Passage]) -> list[Claim]:
    """Claims copied verbatim from the passages: of each passage, the sentence that best matches the task.

    Sentences are ranked by how much of the task they cover, and one that covers less than half as much
    as the best is left out: a passage recalled for a shared word ("colour") is not evidence.
    """
    wanted = content_token_set(" ".join([task.goal, *task.queries]))
    candidates: list[tuple[float, Passage]] = []
    seen: set[str] = set()
    for passage in passages:
        best = _best_sentence_span(passage, wanted)
        if best is None or best[1].text.lower() in seen:
            continue
        seen.add(best[1].text.lower())
        candidates.append(best)
    candidates.sort(key=lambda item: -item[0])
    floor = candidates[0][0] * RELEVANCE_SHARE_OF_BEST if candidates else 0.0
    kept = [span for score, span in candidates if score >= floor][:MAX_EXTRACTIVE_CLAIMS]
    return [Claim(text=span.text, passages=[span]) for span in kept]


def _best_sentence_span(passage: Passage, wanted: frozenset[str]) -> tuple[float, Passage] | None:
    best: tuple[float, Passage] | None = None
    for left, right in sentence_spans(passage.text):
        tokens = content_token_set(passage.text[left:right])
        if len(tokens) < 3:
            continue
        score = len(tokens & wanted) / (len(wanted) or 1) + min(len(tokens), 25) / 1000
        if best is None or score > best[0]:
            best = (score, sub_passage(passage, left, right))
    return best
