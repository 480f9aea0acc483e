"""A researcher's findings: claims tied to the exact passages that state them, all of them on topic.

A passage counts as evidence only if it bears on the question or the task (`agents.relevance`); the rest
is left out and the count is an event. The model's claims (its `finish` call, or one request after it
stopped, for a model that is not weak) are kept when the passages they name support them. When none
survive, claims are copied verbatim from the passages, best first, so findings never depend on the model
being good.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import HumanMessage, SystemMessage

from agents import weak_model
from agents.context import ResearchContext
from agents.evidence import DATA_RULE, clean_passages, render_passages
from agents.finish import ResearcherFindings
from agents.leads import term_weights, weighted_coverage
from agents.relevance import RelevanceJudge, judge_for
from agents.researcher_turn import ResearcherTurn
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
MAX_EXTRACTIVE_CLAIMS = 12
CLAIMS_PER_SOURCE = 2


def relevance_judge(turn: ResearcherTurn, context: ResearchContext) -> RelevanceJudge:
    return judge_for(turn.question, context.services.similarity, context.config.relevance_floor)


def passage_relevance(passage: Passage, turn: ResearcherTurn, judge: RelevanceJudge) -> float:
    """How much a passage bears on the question or the task, or, for a second-hop page, on the sentence
    that led to it."""
    score = judge.passage_score(passage, turn.sources, turn.task.goal)
    reason = turn.read_for.get(passage.source_id)
    return max(score, judge.passage_score(passage, turn.sources, reason)) if reason else score


def on_topic_passages(turn: ResearcherTurn, context: ResearchContext) -> dict[str, Passage]:
    """The turn's passages that are clean (no injected instructions) and bear on the question, best first."""
    judge = relevance_judge(turn, context)
    clean = {label: p for label, p in turn.passages.items() if clean_passages([p]) == [p]}
    scored = {label: passage_relevance(p, turn, judge) for label, p in clean.items()}
    kept = sorted((label for label in clean if judge.is_on_topic(scored[label])), key=lambda label: -scored[label])
    if len(kept) < len(clean):
        titles = sorted(
            {
                turn.sources[p.source_id].title
                for label, p in clean.items()
                if label not in kept and p.source_id in turn.sources
            }
        )
        context.emit(
            "researcher.off_topic",
            f"{turn.task.id}: {len(clean) - len(kept)} passage(s) below the relevance floor left out"
            + (f" ({', '.join(titles[:5])})" if titles else ""),
            agent=turn.task.id,
            left_out=len(clean) - len(kept),
        )
    return {label: clean[label] for label in kept}


async def conclude(turn: ResearcherTurn, context: ResearchContext) -> Findings:
    """Findings for the task: the model's claims where passages support them, else extractive ones.

    Without a `finish` call the model is asked once, unless a token or time budget stopped the researcher,
    the task is `extractive` (the quick path's lookup) or the model is weak (it chooses, it does not write).
    """
    task, agent_id = turn.task, turn.task.id
    usable = on_topic_passages(turn, context)
    drafted = turn.drafted
    may_ask = turn.stopped_by not in {"tokens", "time"} and not task.extractive
    if usable and drafted is None and may_ask and not weak_model.is_weak(context, "researcher", task.model_tier):
        drafted = await _ask_for_findings(task, usable, turn.sources, context)
    claims = _supported_claims(drafted, usable, agent_id, context) if usable and drafted is not None else []
    if usable and not claims:
        judge = relevance_judge(turn, context)
        claims = extractive_claims(turn, list(usable.values()), judge)
        context.emit(
            "researcher.extractive", f"{agent_id}: {len(claims)} claims taken verbatim from passages", agent=agent_id
        )
    return Findings(
        task_id=task.id,
        claims=claims,
        queries_tried=list(turn.queries_tried),
        notes=drafted.notes if drafted else "",
        stopped_by=turn.stopped_by,
        followed=list(turn.followed),
    )


async def _ask_for_findings(
    task: ResearchTask, passages: dict[str, Passage], sources_by_id: dict[str, Source], context: ResearchContext
) -> ResearcherFindings | None:
    prompt = FINDINGS_PROMPT.format(
        goal=task.goal, data_rule=DATA_RULE, passages=render_passages(list(passages.items()), sources_by_id)
    )
    try:
        return await context.models.for_role("researcher", task.model_tier).astructured(
            [SystemMessage(prompt), HumanMessage("List the findings.")], ResearcherFindings, agent=task.id
        )
    except (StructuredOutputError, BudgetExceeded) as error:
        context.emit("agent.fallback", f"{task.id}: findings: {error}", agent=task.id)
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
            claims.append(Claim(text=" ".join(draft.text.split()), passages=cited))  # judged in the report
        else:
            context.emit(
                "researcher.claim_rejected",
                f"{agent_id}: unsupported or off-topic claim dropped: {draft.text[:120]}",
                agent=agent_id,
            )
    return claims


def extractive_claims(turn: ResearcherTurn, passages: Sequence[Passage], judge: RelevanceJudge) -> list[Claim]:
    """Claims copied verbatim from the passages (best first): of each, the sentences that best fit the
    question and the task, by relevance and by how much of their rarer words they have. A claim keeps the
    whole passage it came from, so a reader (and the answer) sees its context."""
    task = turn.task
    weights = term_weights(f"{turn.question} {task.goal}")
    candidates: list[tuple[float, float, str, Passage]] = []
    for passage in passages:
        title = turn.sources[passage.source_id].title if passage.source_id in turn.sources else ""
        reason = turn.read_for.get(passage.source_id, "")
        for left, right in sentence_spans(passage.text):
            sentence = " ".join(passage.text[left:right].split())
            if len(content_token_set(sentence)) < 3:
                continue
            relevance = max(judge.score(sentence, title, task.goal), judge.score(sentence, title, reason))
            fit = 0.5 * relevance + 0.5 * weighted_coverage(sentence, weights)
            candidates.append((fit, relevance, sentence, passage))
    candidates.sort(key=lambda item: -item[0])
    rounds: list[list[Claim]] = [[] for _ in range(CLAIMS_PER_SOURCE)]  # every source's best, then its second
    per_source: dict[str, int] = {}
    seen: set[str] = set()
    for _, relevance, sentence, passage in candidates:
        count = per_source.get(passage.source_id, 0)
        if sentence.lower() in seen or count >= CLAIMS_PER_SOURCE:
            continue
        seen.add(sentence.lower())
        per_source[passage.source_id] = count + 1
        rounds[count].append(Claim(text=sentence, passages=[passage], relevance=relevance))
    return [claim for round_ in rounds for claim in round_][:MAX_EXTRACTIVE_CLAIMS]
