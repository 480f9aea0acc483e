import pytest
from langchain_core.messages import AIMessage, HumanMessage

from deepresearch.config import load_config
from deepresearch.errors import BudgetExceeded
from deepresearch.llm import ModelSet, UsageLedger
from deepresearch.llm.usage import usage_of
from deepresearch.schemas import Usage
from deepresearch.testing import ScriptedChatModel


def test_ledger_sums_per_role_and_total() -> None:
    ledger = UsageLedger(max_tokens=1000)
    ledger.record("researcher", Usage(input_tokens=100, output_tokens=20, calls=1))
    ledger.record("researcher", Usage(input_tokens=50, output_tokens=5, calls=1))
    ledger.record("summarizer", Usage(input_tokens=10, output_tokens=10, calls=1))
    assert ledger.by_role["researcher"].total_tokens == 175
    assert ledger.total.calls == 3
    assert ledger.remaining == 1000 - 195


def test_reasoning_tokens_come_from_the_provider_or_the_split_text() -> None:
    reported = AIMessage(
        content="x",
        usage_metadata={
            "input_tokens": 5,
            "output_tokens": 50,
            "total_tokens": 55,
            "output_token_details": {"reasoning": 40},
        },
    )
    assert usage_of(reported).reasoning_tokens == 40
    unreported = AIMessage(content="x", usage_metadata={"input_tokens": 1, "output_tokens": 30, "total_tokens": 31})
    assert usage_of(unreported, "a" * 80).reasoning_tokens == 20


async def test_budget_check_stops_a_call_that_would_cross_the_budget() -> None:
    model = ScriptedChatModel(script=["short answer", "never sent"])
    models = ModelSet(load_config(max_tokens=400, max_output_tokens=100), overrides={"researcher": model})
    handle = models.for_role("researcher")
    await handle.ainvoke([HumanMessage("hello")])
    used = models.ledger.total.total_tokens
    with pytest.raises(BudgetExceeded) as raised:
        await handle.ainvoke([HumanMessage("x" * 1200)])
    assert raised.value.limit == "tokens"
    assert len(model.calls) == 1, "the call over budget must not reach the model"
    assert models.ledger.total.total_tokens == used
