"""Prompt techniques as data: zero-shot chain-of-thought and few-shot variants, chosen by `prompt_style`.

The researcher, summarizer and short-answer templates each end their rules with one `{technique}`
placeholder. "plain" fills it with nothing, so the plain prompt is exactly the prompt without a
technique and the QA bench compares like with like.

- cot: "think step by step" guidance placed where thinking cannot break a parsed reply or a citation.
  Free-text replies think inside <think>...</think>, which the model layer moves aside before anything
  is parsed, cited or verified (deepresearch.llm.reasoning); a tool call stays one tool call; the short
  answer gets a `steps` field before its `answer` field (`agents.answer.ReasonedShortAnswer`).
- fewshot: one or two short worked examples, written for this project about invented places and
  sources (example.test). They sit in an <examples> section that says their facts are not evidence, and
  use none of the tags the real evidence comes in.
"""

from __future__ import annotations

from typing import Literal

PromptStyle = Literal["plain", "cot", "fewshot"]
PROMPT_STYLES: tuple[PromptStyle, ...] = ("plain", "cot", "fewshot")

_MADE_UP = "These examples are made up: their sources do not exist and their facts are not evidence."

RESEARCHER_TECHNIQUES: dict[PromptStyle, str] = {
    "plain": "",
    "cot": """
<thinking>
Think step by step before each action: what does the task still need, which passage already answers
part of it, and which one search or read would close the gap? If you can write text beside your tool
call, put that reasoning inside <think>...</think>; it is never taken as a finding. The action itself
is still a single tool call, and claims in finish still quote what the passages say.
</thinking>""",
    "fewshot": f"""
<examples>
{_MADE_UP}
Task: Find the year the Kettel Bridge opened.
1. web_search {{"query": "Kettel Bridge opened"}} → read for you: P1 "The Kettel Bridge over the Ilse
   opened to traffic in 1931." P2 "Varnholt is a market town of 4,000 people."
2. finish {{"claims": [{{"text": "The Kettel Bridge opened to traffic in 1931.", "passage_ids": ["P1"]}}],
   "notes": ""}}
Task: Find who designed the Orm Observatory.
1. fetch_page {{"url": "https://example.test/orm"}} → ERROR not_found, hint: try another result.
2. web_search {{"query": "Orm Observatory architect"}} → read for you: P1 "The Orm Observatory was
   designed by Mira Sandvik and completed in 1902."
3. finish {{"claims": [{{"text": "The Orm Observatory was designed by Mira Sandvik.", "passage_ids":
   ["P1"]}}], "notes": ""}}
</examples>""",
}

SUMMARY_TECHNIQUES: dict[PromptStyle, str] = {
    "plain": "",
    "cot": """
<thinking>
Think step by step before you write: which claims answer the question, how they connect (when the
question needs two facts, the first one leads to the second), and what the evidence does not say.
Write that reasoning first, inside <think>...</think>. It is removed before the findings are checked,
so it needs no citations. After </think>, write the findings by the rules above.
</thinking>""",
    "fewshot": f"""
<examples>
{_MADE_UP}
Question: Which company built the bridge that carries the Varnholt road over the Ilse?
Evidence: [1] The Varnholt road crosses the Ilse on the Kettel Bridge. [2] The Kettel Bridge was built
by the Ilse Steel Company in 1931.
Findings:
Answer: Ilse Steel Company
The Ilse Steel Company built the bridge: the Varnholt road crosses the Ilse on the Kettel Bridge [1],
which the Ilse Steel Company built in 1931 [2].
</examples>""",
}

SHORT_ANSWER_TECHNIQUES: dict[PromptStyle, str] = {
    "plain": "",
    "cot": """
<thinking>
Think step by step in the `steps` field first: which passage answers the question, and, when two facts
are needed, how the first leads to the second. Then give only the short answer in `answer`.
</thinking>""",
    "fewshot": f"""
<examples>
{_MADE_UP}
Question: Which company built the bridge that carries the Varnholt road over the Ilse?
Short answer: Ilse Steel Company
Question: Were the Kettel Bridge and the Orm Observatory finished in the same year?
Short answer: no
Question: In what year did the Kettel Bridge open?
Short answer: 1931
</examples>""",
}


def technique(techniques: dict[PromptStyle, str], style: PromptStyle) -> str:
    """The text a template's `{technique}` placeholder gets for `style`."""
    return techniques[style]
