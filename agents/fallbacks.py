"""Moves the system makes for a model that stalls, so a weak model still gathers evidence.

Small local models repeat the same search, repeat a call that just failed, or stop before reading
anything and answer from memory. None of that may produce an unsupported report, and none of it should
waste the step budget: each case is turned into the move a competent researcher would make, the tool
message tells the model what was done instead, and a `researcher.nudge` event records it in the trace.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.messages import AIMessage, ToolCall

from agents.context import ResearchContext
from agents.observe import SEARCH_TOOLS, url_key
from deepresearch.schemas import ResearchTask
from deepresearch.text import content_token_set, shares_content_word

# Repeated searches turned into reads of their next result before the researcher concludes: past the top
# results, a repeat is a model with nothing new to try, and each further step re-reads a growing prompt.
MAX_REPEATED_SEARCHES = 2


def call_signature(name: str, args: dict[str, object]) -> str:
    """A call's identity, to tell a repeat from a correction."""
    return f"{name}:{json.dumps(args, sort_keys=True, default=str)}"


def _next_unread(leads: Sequence[str], fetched: dict[str, str], unreadable: Sequence[str]) -> str | None:
    """The best search result not read yet and not known to fail."""
    failed = {url_key(url) for url in unreadable}
    return next((url for url in leads if url_key(url) not in fetched and url_key(url) not in failed), None)


def _nudge(context: ResearchContext, agent_id: str, message: str, **data: object) -> None:
    context.emit("researcher.nudge", f"{agent_id}: {message}", agent=agent_id, **data)


def instead_of_repeated_search(
    call: ToolCall,
    tried: set[str],
    leads: Sequence[str],
    fetched: dict[str, str],
    unreadable: Sequence[str],
    agent_id: str,
    context: ResearchContext,
) -> tuple[ToolCall, str]:
    """A search already run reads its next unread result instead; returns the call and a note for the model."""
    query = str(call["args"].get("query", "")).strip()
    if call["name"] not in SEARCH_TOOLS or query.lower() not in tried:
        return call, ""
    unread = _next_unread(leads, fetched, unreadable)
    if unread is None:
        return call, ""
    _nudge(context, agent_id, f"repeated the search {query!r}; reading its next unread result instead", url=unread)
    replacement = ToolCall(name="fetch_page", args={"url": unread}, id=call.get("id"), type="tool_call")
    return (
        replacement,
        f"You already searched for {query!r}. Its next unread result was read for you instead ({unread}):",
    )


def is_exhausted_repeat(
    call: ToolCall,
    tried: set[str],
    leads: Sequence[str],
    fetched: dict[str, str],
    unreadable: Sequence[str],
    repeats: int = 0,
) -> bool:
    """A search already run whose every result has been read or failed, or one more repeat after
    `MAX_REPEATED_SEARCHES`: repeating cannot help, so the researcher concludes with what it read rather
    than spend its remaining steps on the same query."""
    query = str(call["args"].get("query", "")).strip().lower()
    if call["name"] not in SEARCH_TOOLS or query not in tried:
        return False
    return repeats >= MAX_REPEATED_SEARCHES or _next_unread(leads, fetched, unreadable) is None


def instead_of_off_topic_search(
    call: ToolCall, task: ResearchTask, tried: set[str], agent_id: str, context: ResearchContext
) -> tuple[ToolCall, str]:
    """A search sharing no content word with its task (a weak model copies a tool's description as its
    query) runs the task's next untried planned query instead; returns the call and a note for the model."""
    query = " ".join(str(call["args"].get("query", "")).split())
    task_text = " ".join([task.goal, *task.queries])
    if call["name"] not in SEARCH_TOOLS or not content_token_set(task_text) or shares_content_word(query, task_text):
        return call, ""
    planned = [*task.queries, task.goal]
    instead = next((q for q in planned if q.strip().lower() not in tried), planned[0])
    _nudge(context, agent_id, f"the search {query!r} is off the task; searching {instead!r} instead", query=instead)
    replacement = ToolCall(
        name=call["name"], args={**call["args"], "query": instead}, id=call.get("id"), type="tool_call"
    )
    return replacement, f"{query!r} names nothing in your task; searched {instead!r} instead:"


def instead_of_repeated_failure(
    call: ToolCall, failed_signature: str, failed_next_tool: str, agent_id: str, context: ResearchContext
) -> tuple[ToolCall, str]:
    """A call that repeats the one that just failed runs the tool the error named instead, if it named one."""
    if not failed_next_tool or call_signature(call["name"], call["args"]) != failed_signature:
        return call, ""
    replacement = follow_advice(call, failed_next_tool, agent_id, context)
    return replacement, f"That call had just failed; {failed_next_tool} was run instead, as its error advised:"


def follow_advice(call: ToolCall, next_tool: str, agent_id: str, context: ResearchContext) -> ToolCall:
    """The same arguments, sent to the tool a `ToolError.next_tool` named."""
    _nudge(context, agent_id, f"{call['name']} could not do it; running {next_tool} instead", tool=next_tool)
    return ToolCall(name=next_tool, args=dict(call["args"]), id=call.get("id"), type="tool_call")


def evidence_first_call(
    task_queries: Sequence[str],
    task_goal: str,
    agent_id: str,
    *,
    queries_tried: Sequence[str],
    leads: Sequence[str],
    fetched: dict[str, str],
    unreadable: Sequence[str],
    context: ResearchContext,
    why: str = "the model stopped before reading anything",
) -> AIMessage | None:
    """The move a researcher makes when its model wants to stop, or its steps run out, before it has read
    anything.

    No evidence, no claim: a task ends only after a search and a read. If the model stops first (weak
    models answer from memory), the task's first query is searched, or the best unread result is read.
    """
    if fetched:
        return None
    if not queries_tried:
        tool_names = {tool.name for tool in context.services.make_tools(agent_id)}
        search = "web_search" if "web_search" in tool_names else "search_local"
        call = ToolCall(name=search, args={"query": (list(task_queries) or [task_goal])[0]}, id=f"auto_{agent_id}")
    else:
        unread = _next_unread(leads, fetched, unreadable)
        if unread is None:
            return None
        call = ToolCall(name="fetch_page", args={"url": unread}, id=f"auto_{agent_id}")
    _nudge(context, agent_id, f"{why}; running {call['name']} first")
    return AIMessage(content="", tool_calls=[call])
