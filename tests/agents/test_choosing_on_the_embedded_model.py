"""The weak model chooses under a grammar, on the real embedded model: it can only pick what is offered, and
a failed first call never costs a task its evidence."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import BaseMessage

from agents.answer_choice import choose_short_answer
from agents.citations import gather_evidence
from agents.passage_report import choose, parts_of
from agents.relevance import RelevanceJudge
from deepresearch.config import ROLES, load_config
from deepresearch.errors import ToolError
from deepresearch.progress import EventRecorder
from deepresearch.schemas import Claim, Findings, Passage, ResearchTask, Source
from deepresearch.testing import FakeWeb, ScriptedChatModel, scripted_services, tool_call
from graphs.context import build_context
from graphs.researcher import build_researcher_graph

pytestmark = pytest.mark.slow

QUESTION = "Who composed the score of the film Zorbalo?"
PASSAGES = [
    ("s1", "Zorbalo is a 1971 adventure film shot in Chile. Its score was composed by Mira Kettelsen."),
    ("s2", "Mira Kettelsen was a Norwegian composer who played the cello in Oslo."),
]


def embedded_context(**settings: Any):  # type: ignore[no-untyped-def]
    return build_context(load_config(**settings), scripted_services(), run_id="embedded")


async def test_the_embedded_model_chooses_an_answer_among_the_candidates_only() -> None:
    context = embedded_context()
    answer = await choose_short_answer(QUESTION, PASSAGES, context)
    assert answer in {"Mira Kettelsen", "Chile", "Oslo", "Norwegian"} and answer, answer
    yes_no = await choose_short_answer("Was Mira Kettelsen a composer?", PASSAGES, context)
    assert yes_no in {"yes", "no", ""}


async def test_the_embedded_model_picks_only_offered_passages_and_the_best_one_leads() -> None:
    context = embedded_context()
    sources = {sid: Source(id=sid, url=f"https://example.org/{sid}", title=sid) for sid, _ in PASSAGES}
    claims = [
        Claim(text=text, passages=[Passage(source_id=sid, text=text, end=len(text))], relevance=0.9 - 0.1 * i)
        for i, (sid, text) in enumerate(PASSAGES)
    ]
    evidence = gather_evidence([Findings(task_id="t1", claims=claims)], sources)
    part = parts_of(evidence, [ResearchTask(id="t1", goal=QUESTION)], RelevanceJudge(QUESTION, None, 0.1))[0]
    picked = await choose(part, QUESTION, context)
    offered = {offer.label for offer in part.offers}
    assert picked[0] == part.offers[0] and {offer.label for offer in picked} <= offered


class _FlakyWeb(FakeWeb):
    """A search provider that fails the first time it is asked for `FLAKY_QUERY` (a provider error)."""

    failed: bool = False

    def search(self, query: str, k: int = 5) -> Any:
        if query == FLAKY_QUERY and not self.failed:
            self.failed = True
            return ToolError(kind="provider_down", message="search provider failed", hint="Try again later.")
        return super().search(query, k)


FLAKY_QUERY = "how long cats sleep"

FAILING_FIRST_CALLS = {
    "invalid arguments": tool_call("web_search", q="cats sleep"),
    "a tool that is not available": tool_call("search_everything", query="cats sleep"),
    "a provider error": tool_call("web_search", query=FLAKY_QUERY),
}


@pytest.mark.parametrize("failure", list(FAILING_FIRST_CALLS))
async def test_a_failed_first_call_is_not_a_search_tried_and_evidence_is_still_read(failure: str) -> None:
    embedded = build_context(load_config(), scripted_services(), run_id="x").models.for_role("researcher").chat

    def then_embedded(messages: list[BaseMessage], kwargs: dict[str, Any]) -> Any:
        bound = {key: kwargs[key] for key in ("tools", "tool_choice") if key in kwargs}
        return embedded.invoke(messages, **bound)

    first = FAILING_FIRST_CALLS[failure]
    model = ScriptedChatModel(script=[first], responder=then_embedded)
    config = load_config(profile={"weak": True}, max_steps=2)
    context = build_context(config, scripted_services(_FlakyWeb()), run_id="x", chat_models=dict.fromkeys(ROLES, model))
    task = ResearchTask(id="r1t1", goal="How long do cats sleep", queries=["cats sleep hours"])
    recorder, out = EventRecorder(), {}
    graph = build_researcher_graph().compile()
    async for mode, chunk in graph.astream(
        {"task": task, "question": "How long do cats sleep?"}, context=context, stream_mode=["custom", "values"]
    ):
        if mode == "custom":
            recorder(chunk)
        else:
            out = chunk
    findings = out["findings"][0]
    assert out["sources"] and findings.claims, "evidence was read and quoted"
    assert any(e.kind == "tool.error" for e in recorder.events), "the first call failed"
    failed_query = str(first.tool_calls[0]["args"].get("query") or first.tool_calls[0]["args"].get("q"))
    answered = [e for e in recorder.events if e.kind == "search.results" and e.data.get("query") == failed_query]
    assert (failed_query in findings.queries_tried) == bool(answered), "tried only if a search of it answered"
