"""Token accounting per call, per role and per run, and the hard token budget.

Budgets are enforced before a call, not discovered after it: `check` projects the prompt size plus the
reply allowance and raises `BudgetExceeded` if the run would cross its limit. The ledger is shared by all
parallel researchers of a run, so it is guarded by a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from deepresearch.errors import BudgetExceeded
from deepresearch.schemas import Usage

CHARS_PER_TOKEN = 4


def estimate_tokens(messages: Sequence[BaseMessage]) -> int:
    """A deliberately rough prompt size (4 characters a token) for the pre-call budget check."""
    chars = sum(len(m.content) if isinstance(m.content, str) else len(str(m.content)) for m in messages)
    return chars // CHARS_PER_TOKEN + 4 * len(messages)


def with_estimated_usage(message: AIMessage, prompt: Sequence[BaseMessage]) -> AIMessage:
    """`message` with usage estimated from the text, when its provider reported none (some servers send no
    usage in streams): the token budget must never see a call as free."""
    if message.usage_metadata:
        return message
    reply_chars = len(str(message.content)) + sum(len(str(call["args"])) for call in message.tool_calls)
    reply_chars += len(str(message.additional_kwargs.get("reasoning_content", "")))
    input_tokens, output_tokens = estimate_tokens(prompt), reply_chars // CHARS_PER_TOKEN + 1
    usage = {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}
    return message.model_copy(update={"usage_metadata": usage})


def usage_of(message: AIMessage, reasoning_text: str = "") -> Usage:
    """Usage of one reply; reasoning tokens are estimated from the split-off text when not reported."""
    meta: dict[str, Any] = dict(message.usage_metadata or {})
    details: dict[str, Any] = dict(meta.get("output_token_details") or {})
    reasoning_tokens = int(details.get("reasoning", 0) or 0)
    if not reasoning_tokens and reasoning_text:
        reasoning_tokens = len(reasoning_text) // CHARS_PER_TOKEN
    cached = dict(meta.get("input_token_details") or {}).get("cache_read", 0)
    return Usage(
        input_tokens=int(meta.get("input_tokens", 0) or 0),
        output_tokens=int(meta.get("output_tokens", 0) or 0),
        reasoning_tokens=reasoning_tokens,
        cached_input_tokens=int(cached or 0),
        calls=1,
    )


class UsageLedger:
    """Running totals for one run, with the run's token budget (None means unlimited)."""

    def __init__(self, max_tokens: int | None = None) -> None:
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self._by_role: dict[str, Usage] = {}

    def check(self, projected_tokens: int, *, role: str = "") -> None:
        """Raise `BudgetExceeded` if a call of about `projected_tokens` would cross the budget."""
        if self.max_tokens is None:
            return
        used = self.total.total_tokens
        if used + projected_tokens > self.max_tokens:
            raise BudgetExceeded(
                "tokens", used, self.max_tokens, f"next {role or 'model'} call needs ~{projected_tokens}"
            )

    def record(self, role: str, usage: Usage) -> None:
        with self._lock:
            self._by_role[role] = self._by_role.get(role, Usage()) + usage

    @property
    def by_role(self) -> dict[str, Usage]:
        with self._lock:
            return dict(self._by_role)

    @property
    def total(self) -> Usage:
        with self._lock:
            total = Usage()
            for usage in self._by_role.values():
                total = total + usage
            return total

    @property
    def remaining(self) -> int | None:
        return None if self.max_tokens is None else max(0, self.max_tokens - self.total.total_tokens)
