"""Rewriter: fixes grammar, resolves the intent, detects the language; the original question is kept."""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.context import ResearchContext
from deepresearch.errors import StructuredOutputError
from deepresearch.schemas import ResearchBrief

REWRITE_PROMPT = """<role>You restate research questions so that researchers can work on them.</role>
<rules>
- Fix grammar and spelling; resolve what the person wants to know (the intent).
- Never change the meaning, never add facts, never answer the question.
- Detect the language of the question as an ISO 639-1 code (en, de, fr, ...).
</rules>
<question>{question}</question>"""

REWRITE_PLACEHOLDERS = frozenset({"question"})


class RewrittenQuestion(BaseModel):
    question: str = Field(description="The question, grammatical and explicit, same meaning")
    intent: str = Field(default="", description="What the person wants to learn, in one sentence")
    language: str = Field(default="en", description="ISO 639-1 code of the question's language")


_LANGUAGE_HINTS = {
    "de": {"der", "die", "das", "und", "ist", "wie", "warum", "nicht"},
    "fr": {"le", "la", "les", "est", "pourquoi", "comment", "une", "des"},
    "es": {"el", "los", "las", "es", "por", "qué", "cómo", "una"},
}


def guess_language(text: str) -> str:
    words = set(re.findall(r"\w+", text.lower()))
    best, hits = "en", 1
    for code, markers in _LANGUAGE_HINTS.items():
        if len(words & markers) > hits:
            best, hits = code, len(words & markers)
    return best


def fallback_brief(question: str) -> ResearchBrief:
    text = " ".join(question.split())
    return ResearchBrief(original_question=question, question=text, language=guess_language(text))


async def rewrite_question(question: str, context: ResearchContext) -> ResearchBrief:
    """The brief for `question`; a failed or meaning-losing rewrite falls back to the question as asked."""
    handle = context.models.for_role("rewriter")
    messages = [SystemMessage(REWRITE_PROMPT.format(question=question)), HumanMessage(question)]
    try:
        rewritten = await handle.astructured(messages, RewrittenQuestion, agent="rewriter")
    except StructuredOutputError as error:
        context.emit("agent.fallback", f"rewriter: {error}", agent="rewriter")
        return fallback_brief(question)
    brief = fallback_brief(question)
    candidate = " ".join(rewritten.question.split())
    if candidate and len(candidate) <= 4 * len(question) + 40:
        brief.question = candidate
    brief.intent = rewritten.intent.strip()
    language = rewritten.language.strip().lower()[:2]
    if language.isalpha() and len(language) == 2:
        brief.language = language
    return brief
