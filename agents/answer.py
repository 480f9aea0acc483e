"""The report's short answer: a few words the summarizer states first, kept only when the evidence says them.

Questions with a short answer (a name, a date, a number, yes or no) deserve one line a reader or a
benchmark can take at face value. The model writes it as `Answer: ...` before the findings. It carries no
citation of its own, so it is accepted only when every content word in it appears in the verified report
or in the passages it cites (a yes or no only for a yes/no question); otherwise the report's first
sentence serves as the short answer, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.support import content_token_set

ANSWER_RULE = (
    "If the question asks for a name, a date, a number, a place, yes or no, or another short fact, your "
    "first line is `Answer: ` followed by that answer in as few words as possible (no sentence, no "
    "citation). Otherwise leave that line out."
)
MAX_ANSWER_WORDS = 12

_ANSWER_LINE = re.compile(r"^\W*(?:short\s+)?answer\W*:\W*(?P<answer>.*?)\W*$", re.IGNORECASE)
_YES_NO_START = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|shall|may|might)\b", re.IGNORECASE
)


def split_answer(text: str) -> tuple[str, str]:
    """The `Answer: ...` line of a draft, if its first line is one, and the draft without it."""
    lines = text.strip().splitlines()
    if not lines:
        return "", ""
    match = _ANSWER_LINE.match(lines[0].strip())
    if match is None:
        return "", text.strip()
    return match.group("answer").strip(), "\n".join(lines[1:]).strip()


def is_yes_no_question(question: str) -> bool:
    return bool(_YES_NO_START.match(question))


def grounded_answer(answer: str, question: str, evidence_texts: Iterable[str]) -> str:
    """`answer` if the evidence states it (every content word found there), else ""."""
    answer = answer.strip().rstrip(".")
    if not answer or len(answer.split()) > MAX_ANSWER_WORDS:
        return ""
    if answer.lower() in {"yes", "no"}:
        return answer.lower() if is_yes_no_question(question) else ""
    wanted = content_token_set(answer)
    if not wanted:
        return ""
    found: set[str] = set()
    for text in evidence_texts:
        found |= wanted & content_token_set(text)
        if found == wanted:
            return answer
    return ""
