"""A responder that plays every role of the research graph, for whole-graph runs without a model.

`ResearchResponder` answers the rewriter, clarifier, manager (plan and review), the researcher loop
(search → read → finish), the summarizer (drafts, short answers, and a deep report's outline, sections and
lead) and the verifier judge sensibly from what it is sent; `research_model(...)` wraps it in
a `ScriptedChatModel`. The scripts `scripted:research` (2 tasks), `research1`, `research5` and
`research-clarify` are registered here, so a run in another process can name them in its settings
(`DEEPRESEARCH_MODEL=scripted:research`, with `DEEPRESEARCH_SERVICES_FACTORY=
deepresearch.testing.web:research_services`).

Hook for runs in another process: `DEEPRESEARCH_TESTING_CALL_LOG`, a file each researcher call appends its
task goal to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from agents.answer import ReasonedShortAnswer, ReasonedYesNoAnswer, ShortAnswer, YesNoAnswer
from agents.clarifier import ClarifyDecision
from agents.entailment import EntailmentVerdict
from agents.finish import ClaimDraft, ResearcherFindings
from agents.manager import Plan, Review, TaskDraft
from agents.outline import Outline, OutlineSection
from agents.rewriter import RewrittenQuestion
from agents.support import sentence_spans, split_sentences
from deepresearch.testing.entailment import entailment_verdict
from deepresearch.testing.models import ScriptedChatModel, register_script, tool_call

# ---- the responder -------------------------------------------------------------------------------------

_TAG = re.compile(r"<(\w+)>(.*?)</\1>", re.DOTALL)
_BLOCK = re.compile(r'<source_data id="(P\d+)"[^>]*>\n(.*?)\n</source_data>', re.DOTALL)
_EVIDENCE = re.compile(r'<source_data cite="([^"]*)">\nClaim: (.*?)\n', re.DOTALL)
_URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:]")
_READ_URL = re.compile(r'<source_data id="P\d+" title="[^"]*" url="([^"]*)">')
_CITED_PASSAGE = re.compile(r'<source_data cite="([^"]*)">\nClaim: (.*?)\nPassage: (.*?)\n</source_data>', re.DOTALL)
_OUTLINED_TASK = re.compile(r'<task id="([^"]+)" goal="([^"]*)">')
_SECTION_TEXT = re.compile(r'<source_data section="[^"]*">\n(.*?)\n</source_data>', re.DOTALL)
TOPICS = [
    "cats sleep hours",
    "why cats sleep hunting energy",
    "cats dream deep sleep",
    "kittens sleep",
    "cat sleep rhythm",
]
ASPECTS = ["overview", "studies", "details", "history", "numbers"]


# Further sentences a page may have (`aspect_pages(sentences=...)`), each stating something of its own.
_MORE_SENTENCES = (
    "Its observers followed {households} households for {weeks} weeks and logged every nap longer than ten minutes.",
    "Indoor cats in survey {n} slept about {indoor} hours, while cats with outdoor access slept closer to {outdoor}.",
    "The longest single sleep recorded in the {aspect} study of survey {n} lasted {longest} hours.",
    "Older cats in survey {n} napped more often during the afternoon than younger ones did.",
    "The {topic} survey {n} found that cats sleep more on cold days than on warm ones.",
    "Cats in survey {n} spent about a quarter of their sleep in the deep phase, the rest in light dozing.",
)


def aspect_pages(results: int = 3, sentences: int = 2) -> dict[str, tuple[str, str]]:
    """A web where the search `"{topic} {aspect}"` finds `results` pages of its own, for every topic and
    aspect: a researcher making several searches reads new pages after each one. Each page has `sentences`
    sentences (2 to 8), each stating something of its own about its survey."""
    pages: dict[str, tuple[str, str]] = {}
    for topic in TOPICS:
        for aspect in ASPECTS:
            for n in range(1, results + 1):
                url = f"https://example.org/{topic.replace(' ', '-')}/{aspect}/{n}"
                facts = {
                    "n": n,
                    "topic": topic,
                    "aspect": aspect,
                    "households": 20 * n + 10,
                    "weeks": n + 3,
                    "indoor": 14 + n,
                    "outdoor": 11 + n,
                    "longest": 3 + n,
                }
                more = [line.format(**facts) for line in _MORE_SENTENCES[: max(0, sentences - 2)]]
                text = " ".join(
                    [
                        f"Survey {n} of {topic} {aspect} reports that cats rest for {11 + n} hours on a typical day.",
                        f"The {aspect} part of the {topic} survey {n} also compares kittens with adult cats.",
                        *more,
                    ]
                )
                pages[url] = (f"{topic} {aspect} ({n})", text)
    return pages


def _tag(messages: list[BaseMessage], name: str) -> str:
    for message in messages:
        for tag, value in _TAG.findall(str(message.content)):
            if tag == name:
                return str(value).strip()
    return ""


@dataclass
class ResearchResponder:
    tasks: int = 2
    clarify: bool = False
    dangling_first_draft: bool = True
    # 0: search once and read the first result. N > 0: search N times (the task's first query plus an
    # aspect each time); each reply reads every result of the previous search and runs the next search.
    searches: int = 0
    # Short answers given in turn (cycling), so self-consistency sees samples that vary; empty: the
    # answer the evidence states.
    short_answers: tuple[str, ...] = ()
    short_answers_given: int = 0
    # The first summary cites only the first claim, later ones every claim (best-of-N sees drafts that
    # differ in coverage).
    drafts_vary: bool = False
    summaries_written: int = 0
    rewrite_to: str = ""  # the rewriter's question, when it should not be the one asked
    claims_per_task: int = 3  # findings quote the first sentence of this many of the passages shown

    def __call__(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Any:
        schema = kwargs.get("structured_schema")
        if schema is not None:
            return self.structured(schema, messages)
        if kwargs.get("tools"):
            return self.research_step(messages)
        return self.summary(messages)

    def structured(self, schema: Any, messages: list[BaseMessage]) -> Any:
        if schema is RewrittenQuestion:
            question = self.rewrite_to or _tag(messages, "question")
            return RewrittenQuestion(question=question, intent="learn the facts", language="en")
        if schema is ClarifyDecision:
            if self.clarify:
                return ClarifyDecision(
                    needs_clarification=True, questions=["Domestic cats or big cats?"], assumptions=["Domestic cats."]
                )
            return ClarifyDecision(assumptions=["Domestic cats are meant."])
        if schema is Plan:
            drafts = [
                TaskDraft(goal=f"Find out about {TOPICS[i % len(TOPICS)]} ({i + 1})", queries=[TOPICS[i % len(TOPICS)]])
                for i in range(self.tasks)
            ]
            if self.tasks == 1:
                return Plan(reason="One fact about one thing is asked for.", kind="lookup", tasks=drafts)
            return Plan(reason="Several aspects of cat sleep must be covered.", kind="survey", tasks=drafts)
        if schema in STATELESS_ANSWERS:
            return STATELESS_ANSWERS[schema](messages)
        if getattr(schema, "__name__", "") in {"PassagePick", "AnswerChoice"}:
            return weak_choice(schema)
        if schema is ResearcherFindings:
            return findings_from(messages, self.claims_per_task)
        if schema is YesNoAnswer or schema is ReasonedYesNoAnswer:
            return schema(answer="yes" if "yes" in self.short_answers else "")
        if schema is ShortAnswer or schema is ReasonedShortAnswer:
            if self.short_answers:
                answer = self.short_answers[self.short_answers_given % len(self.short_answers)]
                self.short_answers_given += 1
                return schema(answer=answer)
            hours = re.search(r"between \d+ and \d+ hours", _tag(messages, "evidence"))
            return schema(answer=hours.group(0) if hours else "")
        raise AssertionError(f"no scripted answer for {schema}")

    def research_step(self, messages: list[BaseMessage]) -> Any:
        log = os.environ.get("DEEPRESEARCH_TESTING_CALL_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(_tag(messages, "task") + "\n")
        tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
        if self.searches:
            return self.searching_step(messages, tool_messages)
        if not tool_messages:
            return tool_call("web_search", query=_tag(messages, "first_queries") or "cats")
        last = tool_messages[-1]
        searched = [m for m in tool_messages if m.name == "web_search" and m.status != "error"]
        if last.name == "web_search" and last.status == "error":
            tried = sum(1 for m in tool_messages if m.name == "web_search")
            return tool_call("web_search", query=f"cats sleep {tried}") if tried < 2 else "Search is down."
        if last.status == "error" and searched:
            if "browse_page" in str(last.content):
                return tool_call("browse_page", url=_URL.findall(str(last.content))[0])
            failed = {u for m in tool_messages if m.status == "error" for u in _URL.findall(str(m.content))}
            urls = [u for u in _URL.findall(str(searched[-1].content)) if u not in failed]
            return tool_call("fetch_page", url=urls[0]) if urls else "No readable result."
        if last.name == "web_search" and not _BLOCK.search(str(last.content)):  # results not read for it
            urls = _URL.findall(str(last.content))
            if urls:
                return tool_call("fetch_page", url=urls[0])
        return finish_call(messages, self.claims_per_task)

    def searching_step(self, messages: list[BaseMessage], tool_messages: list[ToolMessage]) -> Any:
        """Reads every unread result of the last search and, while searches remain, runs the next one, in
        one reply (parallel tool calls); stops once the last search's results are read."""
        searched = [m for m in tool_messages if m.name == "web_search"]
        read = {u for m in tool_messages if m.name == "fetch_page" for u in _URL.findall(str(m.content))}
        read |= {u for m in tool_messages for u in _READ_URL.findall(str(m.content))}
        unread = [u for u in _URL.findall(str(searched[-1].content)) if u not in read] if searched else []
        calls = [tool_call("fetch_page", url=url).tool_calls[0] for url in unread]
        if len(searched) < self.searches:
            topic = (_tag(messages, "first_queries") or "cats").split(";")[0].strip()
            query = f"{topic} {ASPECTS[len(searched) % len(ASPECTS)]}"
            calls.append(tool_call("web_search", query=query).tool_calls[0])
        return AIMessage(content="", tool_calls=calls) if calls else finish_call(messages, self.claims_per_task)

    def summary(self, messages: list[BaseMessage]) -> str:
        system = next((str(m.content) for m in messages if isinstance(m, SystemMessage)), "")
        if _tag(messages, "section"):
            return self.section(system, _tag(messages, "revision_notes"))
        if "<sections>" in system:
            return " ".join(split_sentences(text)[0] for text in _SECTION_TEXT.findall(system) if text.strip())
        sentences = [f"{claim.rstrip('.')} {cite}." for cite, claim in _EVIDENCE.findall(system)]
        if self.drafts_vary:
            self.summaries_written += 1
            sentences = sentences[:1] if self.summaries_written == 1 else sentences
        if self.dangling_first_draft and _tag(messages, "revision_notes") in {"", "none"}:
            sentences.append("Cats can also fly short distances [99].")
        return " ".join(sentences)

    def section(self, system: str, revision_notes: str) -> str:
        """A deep report's section: every sentence of every passage in its evidence, each citing its source,
        three sources to a paragraph (a first draft also cites a number that points nowhere, when asked to)."""
        paragraphs: list[list[str]] = []
        written: set[str] = set()  # each sentence once, though several claims' passages may hold it
        for index, (cite, claim, passage) in enumerate(_CITED_PASSAGE.findall(system)):
            said = [
                s
                for s in dict.fromkeys([claim.strip(), *split_sentences(passage.replace(" … ", " "))])
                if s and s not in written
            ]
            written.update(said)
            if index % 3 == 0:
                paragraphs.append([])
            paragraphs[-1].extend(f"{sentence.rstrip('.')} {cite}." for sentence in said)
        if self.dangling_first_draft and revision_notes in {"", "none"} and paragraphs:
            paragraphs[-1].append("Cats can also fly short distances [99].")
        return "\n\n".join(" ".join(sentences) for sentences in paragraphs)


def outline_from(messages: list[BaseMessage]) -> Outline:
    """One section per task the outline prompt lists, titled by its goal."""
    tasks = _OUTLINED_TASK.findall("\n".join(str(m.content) for m in messages))
    sections = [
        OutlineSection(
            title=goal.removeprefix("Find out about ") or task_id, focus=f"What is known: {goal}", task_ids=[task_id]
        )
        for task_id, goal in tasks
    ]
    return Outline(sections=sections)


# Structured replies that depend on the prompt alone: the review, a deep report's outline, and the verifier
# judge (when a run configures one).
STATELESS_ANSWERS: dict[type, Callable[[list[BaseMessage]], Any]] = {
    Review: lambda messages: Review(is_done=True),
    Outline: lambda messages: outline_from(messages),
    EntailmentVerdict: entailment_verdict,
}


def weak_choice(schema: type[BaseModel]) -> BaseModel:
    """A weak summarizer's grammar-bound choices: no passage picked (its part falls back to the most relevant
    sentences), and the first answer offered."""
    if "ids" in schema.model_fields:
        return schema(ids=[])
    return schema(answer=get_args(schema.model_fields["answer"].annotation)[0])


def findings_from(messages: list[BaseMessage], claims: int = 3) -> ResearcherFindings:
    """Findings quoting the first sentence of the first `claims` passages the researcher was shown."""
    blocks = _BLOCK.findall("\n".join(str(m.content) for m in messages))
    claims_drafted = []
    for label, text in blocks[:claims]:
        spans = sentence_spans(text)
        if spans:
            claims_drafted.append(ClaimDraft(text=text[spans[0][0] : spans[0][1]], passage_ids=[label]))
    return ResearcherFindings(claims=claims_drafted, notes="scripted findings")


def finish_call(messages: list[BaseMessage], claims: int = 3) -> AIMessage:
    return tool_call("finish", **findings_from(messages, claims).model_dump())


def research_model(tasks: int = 2, clarify: bool = False, latency_s: float = 0.0) -> ScriptedChatModel:
    return ScriptedChatModel(responder=ResearchResponder(tasks=tasks, clarify=clarify), latency_s=latency_s)


register_script("research", lambda: research_model(2))
register_script("research1", lambda: research_model(1))
register_script("research5", lambda: research_model(5))
register_script("research-clarify", lambda: research_model(1, clarify=True))
