"""Rules that exist only because a model is weak, in one place, behind the profile's `weak` switch.

Small local models (the embedded SmolLM2-135M above all) repeat a search, repeat a call that just failed,
search for the words of a tool's description, fill a plan with its schema's own words, wrap a short answer
in a sentence, and cannot write a paragraph whose sentences a verifier can match to passages. For a model
whose profile says `weak` (`deepresearch.llm.profiles`; the embedded model's default, any other model's by
setting), the system makes the move a competent researcher would make instead, says so in the tool message
and in a `researcher.nudge` event, and has the model choose (passages, answers) rather than write. A model
that is not weak is never held back by any of this: its calls run as it made them, and its drafts are kept
when they verify.
"""

from __future__ import annotations

import json
import re

from langchain_core.messages import ToolCall

from agents.context import ResearchContext
from agents.observe import SEARCH_TOOLS
from agents.researcher_turn import ResearcherTurn
from deepresearch.config import Role, Tier
from deepresearch.text import content_token_set, shares_content_word

# Model steps a weak researcher gets after the evidence floor: its own searches rarely add evidence, and
# each step re-reads a growing prompt on the one local model.
WEAK_RESEARCH_STEPS = 2
# Repeated searches turned into reads of their next result before the researcher concludes.
MAX_REPEATED_SEARCHES = 2
# Top results of each of a weak model's searches read for it, unless `read_per_search` says otherwise.
WEAK_READS_PER_SEARCH = 3


_PREAMBLE = re.compile(
    r"^\s*(?:(?:the\s+)?(?:short\s+)?answer\s+is\s*(?:that\s+)?:?\s*|(?:the\s+)?(?:short\s+)?answer\s*[:,]\s*)+",
    re.IGNORECASE,
)


def cut_preamble(answer: str) -> str:
    """`answer` without a lead-in such as "The short answer is that": SmolLM2 starts most free answers so."""
    return _PREAMBLE.sub("", answer).strip()


def is_weak(context: ResearchContext, role: Role, tier: Tier | None = None) -> bool:
    """Whether the weak-model rules apply to `role`'s model (on `tier`, when the role runs on another)."""
    return context.models.for_role(role, tier).profile.weak


def reviews_findings(context: ResearchContext) -> bool:
    """Whether the manager is asked to review a round's findings for gaps. A weak manager is not: on the
    embedded model its review added a round in none of 84 bench runs (60 QA, 24 open questions, 6538a4d and
    0b7e460), and each review costs a call over every finding (about 10 s on 2 cores)."""
    return not is_weak(context, "manager")


def call_signature(name: str, args: dict[str, object]) -> str:
    """A call's identity, to tell a repeat from a correction."""
    return f"{name}:{json.dumps(args, sort_keys=True, default=str)}"


def research_steps(turn: ResearcherTurn, context: ResearchContext) -> int:
    """The model steps this researcher may take: the task's and the run's limit, and for a weak model fewer."""
    limit = min(turn.task.max_steps or context.config.max_steps, context.config.max_steps)
    return min(limit, WEAK_RESEARCH_STEPS) if is_weak(context, "researcher", turn.task.model_tier) else limit


def results_to_read(turn: ResearcherTurn, context: ResearchContext) -> int:
    """Top results of each of the model's own searches read for it in the same step (0: the model opens what
    it wants). A weak model often never opens a result, so for it this is on unless `read_per_search` is 0;
    for any other model only when `read_per_search` is set (it saves a model call per search)."""
    setting = context.config.read_per_search
    if setting is not None:
        return setting
    return WEAK_READS_PER_SEARCH if is_weak(context, "researcher", turn.task.model_tier) else 0


def _nudge(context: ResearchContext, agent_id: str, message: str, **data: object) -> None:
    context.emit("researcher.nudge", f"{agent_id}: {message}", agent=agent_id, **data)


def _with(call: ToolCall, name: str, args: dict[str, object]) -> ToolCall:
    return ToolCall(name=name, args=args, id=call.get("id"), type="tool_call")


def instead_of(
    call: ToolCall, turn: ResearcherTurn, agent_id: str, context: ResearchContext
) -> tuple[ToolCall | None, str]:
    """What a weak model's call becomes, and a note telling the model; None: the researcher concludes.

    In this order: a call repeating the one that just failed runs the tool its error named; a search that
    names nothing in the task runs the task's next planned query; a search already run reads its next
    unread result, or, with none left or after `MAX_REPEATED_SEARCHES` repeats, ends the research.
    """
    failed = turn.failed
    if failed is not None and failed.next_tool and call_signature(call["name"], call["args"]) == failed.signature:
        _nudge(context, agent_id, f"{call['name']} had just failed; running {failed.next_tool} instead")
        return _with(call, failed.next_tool, dict(call["args"])), (
            f"That call had just failed; {failed.next_tool} was run instead, as its error advised:"
        )
    if call["name"] not in SEARCH_TOOLS:
        return call, ""
    call, note = _on_topic(call, turn, agent_id, context)
    query = str(call["args"].get("query", "")).strip()
    if not turn.has_tried(query):
        return call, note
    unread = turn.next_unread_lead()
    if unread is None or turn.repeats >= MAX_REPEATED_SEARCHES:
        _nudge(context, agent_id, "repeated a search with nothing new to read; concluding with what was read")
        return None, "This search was run already and has nothing new; the task concludes with what was read."
    turn.repeats += 1
    _nudge(context, agent_id, f"repeated the search {query!r}; reading its next unread result instead", url=unread)
    return _with(call, "fetch_page", {"url": unread}), (
        f"{note} You already searched for {query!r}. Its next unread result was read for you instead ({unread}):"
    ).strip()


def _on_topic(call: ToolCall, turn: ResearcherTurn, agent_id: str, context: ResearchContext) -> tuple[ToolCall, str]:
    """A search sharing no content word with its task (a weak model copies a tool's description as its
    query) becomes the task's next untried planned query."""
    task = turn.task
    query = " ".join(str(call["args"].get("query", "")).split())
    task_text = " ".join([task.goal, *task.queries])
    if not query or not content_token_set(task_text) or shares_content_word(query, task_text):
        return call, ""  # no query at all is invalid arguments, not a search off the task: its error goes back
    planned = [*task.queries, task.goal]
    instead = next((q for q in planned if not turn.has_tried(q)), planned[0])
    _nudge(context, agent_id, f"the search {query!r} is off the task; searching {instead!r} instead", query=instead)
    return _with(call, call["name"], {**call["args"], "query": instead}), (
        f"{query!r} names nothing in your task; searched {instead!r} instead:"
    )
