"""The verifier judge: a model's entailment verdict combined with the deterministic support score."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, SystemMessage

from agents import verifier
from agents.citations import gather_evidence
from agents.entailment import JUDGE_PROMPT, EntailmentJudge
from agents.relevance import RelevanceJudge
from deepresearch.cli import main
from deepresearch.config import ROLES, load_config
from deepresearch.llm import ModelSet
from deepresearch.review import judge_report, rescore
from deepresearch.schemas import Claim, Findings, Passage, Source
from deepresearch.testing import ResearchResponder, ScriptedChatModel
from deepresearch.testing.entailment import entailment_verdict
from tests.graphs.helpers import run_graph

PASSAGE = "Cats sleep between 12 and 16 hours a day. Kittens sleep even longer."
EVIDENCE = gather_evidence(
    [
        Findings(
            task_id="t1",
            claims=[
                Claim(
                    text="Cats sleep between 12 and 16 hours a day.",
                    passages=[Passage(source_id="a", text=PASSAGE, end=len(PASSAGE))],
                )
            ],
        )
    ],
    {"a": Source(id="a", url="https://example.org/a", title="How much cats sleep")},
)
NEGATED = "Cats do not sleep between 12 and 16 hours a day [1]."
RELEVANCE = RelevanceJudge("How long do cats sleep?", None, 0.0)


def _judge(model: ScriptedChatModel) -> EntailmentJudge:
    models = ModelSet(load_config(verifier_model="scripted:entailment"), overrides={"verifier": model})
    return EntailmentJudge(models.for_role("verifier"), name="scripted:entailment")


async def test_a_judge_verdict_overrides_a_lexical_false_positive() -> None:
    """Every word of the negated sentence is in its passage, so word overlap calls it supported; the judge
    reads it as contradicted, the sentence loses its support, and the report quotes the passage instead."""
    lexical = verifier.check_draft(NEGATED, EVIDENCE)
    assert lexical.sentences[0].is_supported and lexical.score == 1.0, "the lexical false positive"
    judge = _judge(ScriptedChatModel(responder=lambda m, k: entailment_verdict(m)))
    judged = await judge.check(NEGATED, EVIDENCE, None)
    sentence = judged.sentences[0]
    assert sentence.verdict == "contradicted" and not sentence.is_supported and judged.score == 0.0
    assert "The verifier judge found its passage says otherwise" in verifier.revision_notes(judged)
    body, citations = verifier.compose(judged, EVIDENCE, RELEVANCE)
    assert "do not" not in body and body.startswith("“Cats sleep between 12 and 16 hours a day.” [1]")
    assert citations[0].source_id == "a"


async def test_the_judge_is_asked_once_per_sentence_and_never_about_a_verbatim_quote() -> None:
    model = ScriptedChatModel(responder=lambda m, k: entailment_verdict(m))
    judge = _judge(model)
    draft = f"“Cats sleep between 12 and 16 hours a day.” [1]. {NEGATED}"
    first = await judge.check(draft, EVIDENCE, None)
    again = await judge.check(draft, EVIDENCE, None)
    assert len(model.calls) == 1, "the quote is entailed by construction; the other verdict is remembered"
    assert [s.verdict for s in first.sentences] == ["entailed", "contradicted"] == [s.verdict for s in again.sentences]
    prompt = str(next(m for m in model.calls[0]["messages"] if isinstance(m, SystemMessage)).content)
    assert "<sentence>Cats do not sleep between 12 and 16 hours a day.</sentence>" in prompt
    assert JUDGE_PROMPT.split("<rules>")[0] in prompt and PASSAGE in prompt


async def test_without_a_verifier_model_nothing_is_asked_and_nothing_changes() -> None:
    judge = EntailmentJudge(None)
    check = await judge.check(NEGATED, EVIDENCE, None)
    assert check == verifier.check_draft(NEGATED, EVIDENCE) and check.sentences[0].verdict is None


@dataclass
class NegatingResponder(ResearchResponder):
    """Writes, beside its findings, the first claim about how long cats sleep with a "not" added."""

    def summary(self, messages: list[BaseMessage]) -> str:
        text = super().summary(messages)
        system = str(messages[0].content)
        cited = re.search(r'<source_data cite="(\[\d+\])">\nClaim: Cats sleep (between[^\n]*?)\.?\n', system)
        return f"{text} Cats do not sleep {cited.group(2)} {cited.group(1)}." if cited else text


def _negating_run(**settings: Any) -> Any:
    model = ScriptedChatModel(responder=NegatingResponder(dangling_first_draft=False))
    return asyncio.run(run_graph(models={role: model for role in ROLES}, **settings))


def test_with_a_verifier_model_the_run_drops_what_the_judge_rejects() -> None:
    (lexical, _), (judged, recorder) = _negating_run(), _negating_run(verifier_model="scripted:entailment")
    assert "Cats do not sleep between" in lexical.markdown, "without a judge the false positive stays"
    assert lexical.judged_by is None and "Verifier judge" not in lexical.markdown
    assert "do not sleep" not in judged.markdown and judged.citations
    assert judged.judged_by == "scripted:entailment"
    assert "Verifier judge (scripted:entailment):" in judged.markdown
    assert any(e.data.get("contradicted") for e in recorder.events if e.kind == "verify.judged")
    verdicts = asyncio.run(judge_report(judged, load_config(verifier_model="scripted:entailment")))
    again = rescore(judged, verdicts=verdicts)
    assert (again.support, again.relevance) == (judged.support_score, judged.relevance_score), "run and verify agree"


def test_verifier_model_changes_reports_verify_output(capsys: pytest.CaptureFixture[str]) -> None:
    run_id = _negating_run()[0].run_id
    assert main(["reports", "verify", run_id]) == 0
    plain = capsys.readouterr().out
    assert main(["reports", "verify", run_id, "--verifier-model", "scripted:entailment"]) == 1
    judged = capsys.readouterr().out
    assert "judge" not in plain.splitlines()[0] and "\tjudge\t" in judged.splitlines()[0]
    assert "contradicted 1/" in judged and "not entailed (judge)" in judged
    assert "verifier judge scripted:entailment:" in judged and "1 contradicted" in judged
    assert plain.splitlines()[-1] != judged.splitlines()[-1], "one citation no longer verifies"
