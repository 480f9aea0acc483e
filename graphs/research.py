"""The research graph, read top to bottom like the flow in DESIGN.md.

    rewrite → clarify ─(ask: interrupt)→ plan ─Send×N→ researcher → review ─(another round)→ researcher
                                                                        └→ summarize → verify ─(revise)→ summarize
                                                                                          └→ finalize → END

`build_research_graph()` returns the uncompiled builder; callers compile it with their own checkpointer.
Every route is in a node's `Command[Literal[...]]` return type.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, Send, interrupt

from agents import clarifier, manager, rewriter, summarizer, verifier, weak_model
from agents import escalation as escalation_rules
from agents.answer import grounded_answer
from agents.cache_reuse import ResearchedRun, entry_for_run, look_up
from agents.citations import cite_by_number, cite_by_source, gather_evidence
from agents.context import ResearchContext
from agents.entailment import EntailmentJudge
from agents.follow_up import plan_follow_up, rewrite_follow_up
from agents.relevance import judge_for
from agents.report import ReportContent, RunRecord, assemble_report
from agents.report_scope import SummaryRequest
from agents.self_consistency import recheck_note, recheck_task, wants_another_round
from agents.summary_pass import summarize_pass
from deepresearch.budgets import run_stopper
from deepresearch.errors import BudgetExceeded
from deepresearch.schemas import ResearchTask
from graphs.researcher import build_researcher_graph
from graphs.state import DraftRecord, ResearchInput, ResearchOutput, ResearchState


def _phase(runtime: Runtime[ResearchContext], name: str, message: str = "", **data: Any) -> None:
    runtime.context.emit("phase", message or name, phase=name, **data)


def _send(tasks: list[ResearchTask], round_no: int, state: ResearchState, update: dict[str, Any]) -> list[Send]:
    """One researcher per task; each knows the question as asked and what the run has read already (earlier
    rounds, reused findings), so its evidence floor reads something new."""
    question = state["brief"].original_question
    sources = {**state.get("sources", {}), **update.get("sources", {})}
    read = [source.url for source in sources.values()]
    payload = {"round": round_no, "question": question, "run_has_read": read}
    return [Send("researcher", {"task": task, **payload}) for task in tasks]


async def rewrite(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    _phase(runtime, "rewrite", "Rewriting the question")
    earlier = state.get("follow_up")
    try:
        if earlier is not None:
            brief = await rewrite_follow_up(state["question"], earlier, runtime.context)
        else:
            brief = await rewriter.rewrite_question(state["question"], runtime.context)
    except BudgetExceeded as exceeded:
        return {"brief": rewriter.fallback_brief(state["question"]), "limits_hit": [exceeded.limit]}
    return {"brief": brief}


async def clarify(state: ResearchState, runtime: Runtime[ResearchContext]) -> Command[Literal["ask", "plan"]]:
    _phase(runtime, "clarify", "Checking whether the question is clear")
    brief = state["brief"]
    try:
        decision = await clarifier.decide_clarification(brief, runtime.context)
    except BudgetExceeded as exceeded:
        return Command(goto="plan", update={"limits_hit": [exceeded.limit]})
    if decision.needs_clarification and runtime.context.config.clarify:
        return Command(goto="ask", update={"clarify": decision})
    return Command(goto="plan", update={"brief": clarifier.apply_clarification(brief, decision, [])})


async def ask(state: ResearchState, runtime: Runtime[ResearchContext]) -> Command[Literal["plan"]]:
    """Stops the run at `interrupt()` until the person answers (the resume value)."""
    decision = state["clarify"]
    answers = interrupt({"questions": decision.questions, "assumptions": decision.assumptions})
    answered = clarifier.normalize_answers(decision.questions, answers)
    runtime.context.emit("clarify.answered", f"{len(answered)} of {len(decision.questions)} questions answered")
    brief = clarifier.apply_clarification(state["brief"], decision, answered)
    return Command(goto="plan", update={"brief": brief})


async def plan(
    state: ResearchState, runtime: Runtime[ResearchContext]
) -> Command[Literal["researcher", "review", "summarize"]]:
    """Routes and plans the brief (one manager call), or reuses a close earlier run's findings (none)."""
    _phase(runtime, "plan", "Planning research tasks")
    if run_stopper(state.get("limits_hit", [])):
        return Command(goto="summarize")
    context = runtime.context
    try:
        earlier, brief = state.get("follow_up"), state["brief"]
        reuse = await (plan_follow_up(brief, earlier, context) if earlier else look_up(brief, context))
        dispatch = reuse.dispatch if reuse else await manager.plan_research(state["brief"], context)
    except BudgetExceeded as exceeded:
        return Command(goto="summarize", update={"limits_hit": [exceeded.limit]})
    route = dispatch.route
    assert route is not None  # every dispatch of the first round carries its route
    context.emit(
        "route.decided",
        route.method_note(),
        agent="manager",
        question_kind=route.kind,
        path=route.path,
        reason=route.reason,
        decided_by=route.decided_by,
    )
    for note in dispatch.notes:
        context.emit("manager.dropped", note, agent="manager")
    limits = ["agents"] if dispatch.over_limit else []
    notes = [route.method_note(), *(reuse.notes if reuse else []), *dispatch.notes]
    update: dict[str, Any] = {"tasks": dispatch.tasks, "round": 1, "notes": notes, "limits_hit": limits, "route": route}
    if reuse:
        update |= {
            "tasks": [*reuse.tasks, *dispatch.tasks],
            "findings": reuse.findings,
            "sources": reuse.sources,
            "source_texts": reuse.source_texts,
            "cache_origins": reuse.origins,
            "served_body": reuse.served_body,
            "short_answer": reuse.served_answer,
        }
    if not dispatch.tasks:  # all reused: a repeated brief is written up, a close one reviewed for gaps
        return Command(goto="summarize" if reuse and reuse.is_repeat else "review", update=update)
    _phase(runtime, "research", f"{len(dispatch.tasks)} researcher(s), round 1", tasks=[t.goal for t in dispatch.tasks])
    return Command(goto=_send(dispatch.tasks, 1, state, update), update=update)


async def review(
    state: ResearchState, runtime: Runtime[ResearchContext]
) -> Command[Literal["researcher", "summarize"]]:
    round_no = state.get("round", 1)
    limits = [f.stopped_by for f in state.get("findings", []) if f.stopped_by]
    if run_stopper(limits):
        return Command(goto="summarize", update={"limits_hit": limits})
    route = state.get("route")
    if round_no >= runtime.context.config.max_rounds or (route is not None and route.is_quick):
        return Command(goto="summarize", update={"limits_hit": limits})  # the quick path has one round
    if not weak_model.reviews_findings(runtime.context):
        note = f"No review round: the manager's model is weak, so round {round_no}'s findings were summarized as found."
        return Command(goto="summarize", update={"limits_hit": limits, "notes": [note]})
    _phase(runtime, "review", f"Reviewing findings of round {round_no}")
    try:
        runtime.context.clock.check_time()
        dispatch = await manager.review_findings(
            state["brief"], state.get("tasks", []), state.get("findings", []), round_no, runtime.context
        )
    except BudgetExceeded as exceeded:
        return Command(goto="summarize", update={"limits_hit": [*limits, exceeded.limit]})
    update: dict[str, Any] = {"notes": dispatch.notes, "limits_hit": limits}
    if not dispatch.tasks:
        return Command(goto="summarize", update=update)
    _phase(runtime, "research", f"{len(dispatch.tasks)} researcher(s), round {round_no + 1}")
    update |= {"tasks": dispatch.tasks, "round": round_no + 1}
    return Command(goto=_send(dispatch.tasks, round_no + 1, state, update), update=update)


async def summarize(
    state: ResearchState, runtime: Runtime[ResearchContext]
) -> Command[Literal["verify", "finalize", "researcher", "summarize"]]:
    context = runtime.context
    evidence = gather_evidence(state.get("findings", []), state.get("sources", {}))
    if evidence.is_empty:
        return Command(goto="finalize")
    revision = len(state.get("drafts", []))
    served = state.get("served_body", "")
    if served and not revision:  # not a model's draft, so the verifier checks it but never sends it back
        _phase(runtime, "summarize", "Serving the cached report")
        body = cite_by_number(served, evidence.number_of)
        return Command(goto="verify", update={"candidates": [DraftRecord(markdown=body, by_model=False)]})
    escalation = state.get("escalation")
    scope = escalation_rules.pass_scope(state.get("route"), escalation, context.config)
    revision -= escalation_rules.drafts_before(escalation)  # an escalated pass starts afresh
    _phase(runtime, "summarize", "Writing the report" if not revision else f"Revising the report ({revision})")
    brief, notes = state["brief"], state.get("revision_notes", "") if revision else ""
    request = SummaryRequest(brief, evidence, state.get("tasks", []), notes, revision, scope)
    written = await summarize_pass(request, context)
    drafts, answer, vote = written.drafts, written.answer, written.vote
    update: dict[str, Any] = {
        "candidates": [
            DraftRecord(markdown=d.markdown, by_model=d.by_model, answer=d.answer, is_revisable=d.is_revisable)
            for d in drafts
        ],
        "notes": written.notes,
    }
    if answer is not None:
        update["short_answer"] = answer
    if vote is not None:
        update["answer_vote"] = vote
        escalated = escalation_rules.for_agreement(vote, scope, context, len(state.get("drafts", [])))
        if escalated is not None:  # the fast drafts are dropped: the answer they came with is in doubt
            return Command(goto="summarize", update={"escalation": escalated, "notes": [escalated.method_note()]})
        round_no = state.get("round", 1)
        if wants_another_round(
            vote,
            round_no=round_no,
            limits_hit=state.get("limits_hit", []),
            already_rechecked=state.get("answer_rechecked", False),
            context=context,
        ):  # the drafts are dropped: the next summarize pass writes from the larger evidence
            route = state.get("route")
            task = recheck_task(brief.question, vote, round_no + 1, quick=route is not None and route.is_quick)
            note = recheck_note(vote, context.config.min_agreement, round_no + 1)
            _phase(runtime, "research", f"1 researcher, round {round_no + 1}: the short answers disagree")
            recheck = {"tasks": [task], "round": round_no + 1, "notes": [note], "answer_rechecked": True}
            return Command(goto=_send([task], round_no + 1, state, recheck), update=recheck)
    return Command(goto="verify", update=update)


async def verify(state: ResearchState, runtime: Runtime[ResearchContext]) -> Command[Literal["summarize", "finalize"]]:
    """Scores every draft of the pass (support + coverage) and keeps the best; revises it if allowed."""
    _phase(runtime, "verify", "Checking citations against passages")
    context = runtime.context
    evidence = gather_evidence(state.get("findings", []), state.get("sources", {}))
    candidates = state["candidates"]
    entailment = EntailmentJudge.for_run(context, state.get("verdicts", {}))
    scored: list[tuple[DraftRecord, verifier.DraftCheck]] = []
    for number, draft in enumerate(candidates, start=1):
        check = await entailment.check(draft.markdown, evidence, context.services.similarity)
        coverage, reward = verifier.coverage(check, evidence), verifier.reward(check, evidence)
        fields = {"markdown": check.markdown, "score": reward, "support": check.score, "coverage": coverage}
        scored.append((draft.model_copy(update=fields), check))
        context.emit(
            "verify.checked",
            f"support {check.score:.2f}, coverage {coverage:.2f}; {len(check.unsupported)} unsupported sentence(s)"
            + (f" (draft {number} of {len(candidates)})" if len(candidates) > 1 else ""),
            score=check.score,
            coverage=coverage,
            reward=reward,
            unsupported=len(check.unsupported),
            removed_numbers=check.removed_numbers,
            draft=number,
        )
    best, check = max(scored, key=lambda item: item[0].score)  # first of equals wins ties
    escalation = state.get("escalation")
    revisions_done = len(state.get("drafts", [])) - escalation_rules.drafts_before(escalation)
    wants_revision = bool(check.unsupported or check.removed_numbers) and best.by_model and best.is_revisable
    update: dict[str, Any] = {
        "drafts": [best],
        "revision_notes": verifier.revision_notes(check),
        "notes": [],
        "verdicts": entailment.verdicts,
    }
    if len(candidates) > 1:
        rewards = ", ".join(f"{draft.score:.2f}" for draft, _ in scored)
        update["notes"] = [
            f"Best of {len(candidates)} drafts: rewards (mean of citation support and task coverage) {rewards}; "
            f"kept the best ({best.score:.2f}: support {best.support:.2f}, coverage {best.coverage:.2f})."
        ]
    scope = escalation_rules.pass_scope(state.get("route"), escalation, context.config)
    escalated = (
        None
        if state.get("served_body")
        else escalation_rules.for_support(check.score, scope, context, len(state.get("drafts", [])) + 1)
    )
    if escalated is not None:  # the reasoning tier writes instead of the fast tier revising
        update |= {"escalation": escalated, "notes": [*update["notes"], escalated.method_note()]}
        return Command(goto="summarize", update=update)
    if wants_revision and revisions_done < verifier.revision_limit(context.config):
        return Command(goto="summarize", update=update)
    return Command(goto="finalize", update=update)


async def _remember(state: ResearchState, context: ResearchContext, body: str = "", answer: str = "") -> None:
    """Leaves this run's findings, and its verified report (`body`, cited by source id, and `answer`), in the
    research cache (when on) for later runs on a close brief."""
    cache = context.services.research_cache
    if cache is None:
        return
    run = ResearchedRun(
        run_id=context.run_id,
        brief=state["brief"],
        route=state.get("route"),
        tasks=state.get("tasks", []),
        findings=state.get("findings", []),
        sources=state.get("sources", {}),
        source_texts=state.get("source_texts", {}),
        origins=state.get("cache_origins", {}),
    )
    entry = entry_for_run(run, now=cache.clock(), report_body=body, answer=answer)
    if entry is not None:
        await cache.store(entry)
        context.emit("research_cache.stored", f"{len(entry.tasks)} task(s) stored for later runs", agent="manager")


async def finalize(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    _phase(runtime, "report", "Assembling the report")
    context = runtime.context
    sources = state.get("sources", {})
    evidence = gather_evidence(state.get("findings", []), sources)
    verified = state.get("drafts", [])
    entailment = EntailmentJudge.for_run(context, state.get("verdicts", {}))
    record = RunRecord(
        run_id=context.run_id,
        brief=state["brief"],
        tasks=state.get("tasks", []),
        rounds=state.get("round", 0),
        limits_hit=state.get("limits_hit", []),
        notes=state.get("notes", []),
        queries_tried=[q for f in state.get("findings", []) for q in f.queries_tried],
        corrections=sum(1 for e in state.get("events", []) if e.kind == "researcher.correction"),
        revisions=max(0, len(verified) - 1 - escalation_rules.drafts_before(state.get("escalation"))),
        usage=context.models.ledger.total,
        sources_read=len(sources),
        relevance_floor=context.config.relevance_floor,
        judged_by=entailment.name if entailment.is_on else None,
    )
    if evidence.is_empty:
        body = summarizer.insufficient_evidence_markdown(
            state["brief"], record.queries_tried, state.get("problems", [])
        )
        return {"report": assemble_report(record, ReportContent(body, is_insufficient=True), sources)}
    best = max(verified, key=lambda d: d.score)  # first of equals: an earlier draft wins ties
    similarity = context.services.similarity
    judge = judge_for(state["brief"].original_question, similarity, context.config.relevance_floor)
    checked = await entailment.check(best.markdown, evidence, similarity)
    final = await entailment.finalize(checked, evidence, judge, similarity)
    if not final.citations:
        context.emit("agent.fallback", "verifier: nothing in the drafts survived; using the extractive draft")
        extractive = await entailment.check(summarizer.extractive_draft(evidence), evidence, similarity)
        final = await entailment.finalize(extractive, evidence, judge, similarity)
        record.extra.append("The written drafts had no supported sentence; the report quotes the findings instead.")
    body, citations, scores = final.body, final.citations, final.scores
    covered = {task_id for task_id, _ in evidence.claims}
    gaps = summarizer.gaps_markdown(state.get("tasks", []), covered)
    evidence_texts = [body, *(p for c in citations for p in c.all_passages)]
    candidates = (state.get("short_answer", ""), best.answer)
    grounded = (grounded_answer(a, state["brief"].original_question, evidence_texts) for a in candidates)
    answer = next((a for a in grounded if a), "")
    context.emit(
        "answer.checked",
        f"short answer {answer!r}" if answer else "no short answer the evidence states; using the first sentence",
        candidates=[a for a in candidates if a],
        kept=answer,
    )
    content = ReportContent(body, citations, gaps, scores)
    report = assemble_report(record, content, sources, answer=answer, vote=state.get("answer_vote"))
    await _remember(state, context, cite_by_source(body, {c.number: c.source_id for c in citations}), answer)
    context.emit(
        "report.ready",
        f"{len(citations)} citation(s), support {scores.support:.2f}, relevance {scores.relevance:.2f}",
        support=scores.support,
        relevance=scores.relevance,
    )
    return {"report": report}


def build_research_graph() -> StateGraph[ResearchState, ResearchContext, ResearchInput, ResearchOutput]:
    """The uncompiled main graph; compile it with a checkpointer (`builder.compile(checkpointer=...)`)."""
    builder = StateGraph(
        ResearchState, context_schema=ResearchContext, input_schema=ResearchInput, output_schema=ResearchOutput
    )
    builder.add_node("rewrite", rewrite)
    builder.add_node("clarify", clarify)
    builder.add_node("ask", ask)
    builder.add_node("plan", plan)
    builder.add_node("researcher", build_researcher_graph().compile())
    builder.add_node("review", review)
    builder.add_node("summarize", summarize)
    builder.add_node("verify", verify)
    builder.add_node("finalize", finalize)
    builder.add_edge(START, "rewrite")
    builder.add_edge("rewrite", "clarify")
    builder.add_edge("researcher", "review")
    builder.add_edge("finalize", END)
    return builder
