"""A scripted verifier judge: entailment decided by rule, to test the judge without a model.

`entailment_verdict(messages)` answers the verifier judge's prompt (`agents.entailment`): the passage sentence
sharing most content words with the judged sentence decides. The verdict is `contradicted` when the two
differ in negation (one says "not", "never", "no" ... and the other does not), `not_stated` when some
content word of the sentence is in no passage, and `entailed` otherwise. Crude, and deterministic: enough
to show what the judge catches that word overlap cannot. `ResearchResponder` answers the judge with it, and
the script `scripted:entailment` is this judge alone (`--verifier-model scripted:entailment`).
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import BaseMessage

from agents.entailment import EntailmentVerdict
from agents.support import split_sentences
from deepresearch.testing.models import ScriptedChatModel, register_script
from deepresearch.text import content_token_set

NEGATIONS = frozenset({"not", "no", "never", "none", "neither", "nor", "without", "cannot"})
_WORD = re.compile(r"[a-z']+")
_SENTENCE = re.compile(r"<sentence>(.*?)</sentence>", re.DOTALL)
_PASSAGE = re.compile(r"<source_data id=\"P\d+\">\n(.*?)\n</source_data>", re.DOTALL)


def is_negated(text: str) -> bool:
    words = _WORD.findall(text.lower())
    return any(word in NEGATIONS or word.endswith("n't") for word in words)


def judge(sentence: str, passages: list[str]) -> EntailmentVerdict:
    """The rule's verdict on `sentence` against `passages`."""
    wanted = content_token_set(sentence)
    said = [s for passage in passages for s in split_sentences(passage)]
    if not wanted or not said:
        return EntailmentVerdict(verdict="not_stated")
    closest = max(said, key=lambda s: len(wanted & content_token_set(s)))
    if is_negated(closest) != is_negated(sentence):
        return EntailmentVerdict(verdict="contradicted")
    found = set().union(*(content_token_set(p) for p in passages))
    return EntailmentVerdict(verdict="entailed" if wanted <= found else "not_stated")


def entailment_verdict(messages: list[BaseMessage]) -> EntailmentVerdict:
    """The verdict on the sentence and passages of a judge prompt."""
    prompt = "\n".join(str(m.content) for m in messages)
    sentence = _SENTENCE.search(prompt)
    return judge(sentence.group(1).strip() if sentence else "", _PASSAGE.findall(prompt))


def _respond(messages: list[BaseMessage], kwargs: dict[str, Any]) -> EntailmentVerdict:
    if kwargs.get("structured_schema") is not EntailmentVerdict:
        raise AssertionError("the scripted judge answers entailment verdicts only")
    return entailment_verdict(messages)


register_script("entailment", lambda: ScriptedChatModel(responder=_respond))
