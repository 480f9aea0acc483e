"""The verifier judge: a model's entailment verdict on each cited sentence, beside the deterministic score.

Word overlap cannot read: "Cats do not sleep 16 hours a day [1]" has every content word of "Cats sleep 16
hours a day" and says the opposite. When a verifier model is configured (`verifier_model`, or
`reports verify --verifier-model`), each cited sentence goes to it with the passages it cites, and it
answers with one word of a fixed set (constrained output, a `Literal` schema): entailed, not_stated or
contradicted. The verdicts enter the one verification (`agents.verification`): a rejection caps the
sentence's support below the threshold, entailment leaves the deterministic score as it is, so a model can
withhold support but never grant it. A sentence quoted verbatim from a passage it cites is entailed by
construction and is not sent; a call that fails leaves its sentence to the deterministic score. Unset,
nothing is asked and every figure is what it was.

Verdicts are remembered per sentence and passages (`JudgementRequest.key`): the run keeps them in its state,
so the verify and finalize nodes never ask twice about the same thing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents import verifier
from agents.citations import Evidence
from agents.context import ResearchContext, Similarity
from agents.evidence import DATA_RULE, neutralize
from agents.relevance import RelevanceJudge
from agents.verification import VERDICTS, JudgementRequest, Verdict, report_requests
from deepresearch.errors import BudgetExceeded, StructuredOutputError
from deepresearch.llm.handle import ChatModelHandle

JUDGE_PROMPT = """<role>You check whether source passages state a sentence.</role>
<rules>
- {data_rule}
- Answer entailed if the passages state everything the sentence says; not_stated if they do not say it,
  or say only part of it; contradicted if they say the opposite of it.
- Judge only by what the passages say, not by what you know. A sentence that adds a negation, a number,
  a cause or a comparison the passages lack is not entailed.
</rules>
<sentence>{sentence}</sentence>
<passages>
{passages}
</passages>"""
JUDGE_PLACEHOLDERS = frozenset({"data_rule", "sentence", "passages"})

_QUOTES = re.compile('["“”‘’]')
_SPACE = re.compile(r"\s+")


class EntailmentVerdict(BaseModel):
    verdict: Verdict = Field(description="entailed, not_stated or contradicted")


def _flat(text: str) -> str:
    return _SPACE.sub(" ", _QUOTES.sub("", text)).strip().lower()


def is_quoted(request: JudgementRequest) -> bool:
    """Whether the sentence is, word for word, in one of its passages: entailed without asking."""
    sentence = _flat(request.sentence).rstrip(" .!?")
    return bool(sentence) and any(sentence in _flat(passage) for passage in request.passages)


EventEmitter = Callable[..., object]  # (kind, message, **data), like `ResearchContext.emit`


@dataclass
class EntailmentJudge:
    """A verifier model (None: none configured, nothing is asked) and the verdicts it has given so far."""

    model: ChatModelHandle | None
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    emit: EventEmitter | None = None
    name: str = ""  # the model as configured (provider:model), for events and the method section

    @classmethod
    def for_run(cls, context: ResearchContext, known: Mapping[str, Verdict]) -> EntailmentJudge:
        """The run's judge: the verifier role's model when `verifier_model` is set, with the run's verdicts."""
        name = context.config.verifier_model or ""
        model = context.models.for_role("verifier") if name else None
        return cls(model, dict(known), context.emit, name)

    @property
    def is_on(self) -> bool:
        return self.model is not None

    async def judge(self, requests: Sequence[JudgementRequest]) -> dict[str, Verdict]:
        """The verdicts on `requests` (those it has not given yet are asked, concurrently)."""
        if self.model is None:
            return {}
        new = [r for r in {r.key: r for r in requests}.values() if r.key not in self.verdicts]
        asked = [r for r in new if not is_quoted(r)]
        self.verdicts.update({r.key: "entailed" for r in new if is_quoted(r)})
        answers = await asyncio.gather(*(self._ask(self.model, r) for r in asked))
        self.verdicts.update({r.key: verdict for r, verdict in zip(asked, answers, strict=True) if verdict})
        if new and self.emit is not None:
            counts = {v: sum(self.verdicts.get(r.key) == v for r in new) for v in VERDICTS}
            summary = ", ".join(f"{count} {verdict.replace('_', ' ')}" for verdict, count in counts.items())
            self.emit(
                "verify.judged",
                f"verifier judge ({self.name}): {len(new)} sentence(s): {summary}; "
                f"{len(new) - len(asked)} quoted verbatim, not asked",
                agent="verifier",
                **counts,
            )
        return {r.key: self.verdicts[r.key] for r in requests if r.key in self.verdicts}

    async def _ask(self, model: ChatModelHandle, request: JudgementRequest) -> Verdict | None:
        blocks = "\n".join(
            f'<source_data id="P{number}">\n{neutralize(text)}\n</source_data>'
            for number, text in enumerate(request.passages, start=1)
        )
        prompt = JUDGE_PROMPT.format(data_rule=DATA_RULE, sentence=neutralize(request.sentence), passages=blocks)
        try:
            reply = await model.astructured(
                [SystemMessage(prompt), HumanMessage("The verdict:")], EntailmentVerdict, agent="verifier"
            )
        except (StructuredOutputError, BudgetExceeded) as error:
            if self.emit is not None:
                message = f"verifier judge: {error}; the deterministic score stands"
                self.emit("agent.fallback", message, agent="verifier")
            return None
        return reply.verdict

    async def check(self, markdown: str, evidence: Evidence, similarity: Similarity | None) -> verifier.DraftCheck:
        """The verifier's check of a draft, with this judge's verdicts combined in when it is on."""
        check = verifier.check_draft(markdown, evidence, similarity)
        if self.model is None:
            return check
        verdicts = await self.judge(verifier.judgement_requests(check, evidence))
        return verifier.with_verdicts(check, evidence, verdicts)

    async def finalize(
        self, check: verifier.DraftCheck, evidence: Evidence, relevance: RelevanceJudge, similarity: Similarity | None
    ) -> verifier.FinalReport:
        """The final body and citations, with figures that combine this judge's verdicts on them when it is on."""
        body, citations = verifier.compose(check, evidence, relevance)
        verdicts = await self.judge(report_requests(body, citations)) if self.model is not None else None
        return verifier.scored(body, citations, relevance, similarity, verdicts)
