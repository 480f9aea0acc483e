"""The QA bench's closed-book baseline answers in the research run's answer schema."""

from __future__ import annotations

from agents.answer import ShortAnswer, YesNoAnswer
from bench.hotpotqa import closed_book
from deepresearch.config import load_config
from deepresearch.llm import ModelSet
from deepresearch.testing import ScriptedChatModel


async def test_closed_book_uses_the_short_answer_schema_and_counts_its_tokens() -> None:
    model = ScriptedChatModel(script=[YesNoAnswer(answer="no"), ShortAnswer(answer="The short answer is Paris")])
    models = ModelSet(load_config(profile={"weak": True}), overrides={"summarizer": model})
    book = await closed_book("Are cats and lions the same species?", models)
    assert book["answer"] == "no" and book["prompt_tokens"] > 0
    assert model.calls[0]["kwargs"]["structured_schema"] is YesNoAnswer
    paris = await closed_book("Which city is the capital of France?", models)
    assert paris["answer"] == "Paris", "a weak model's lead-in is cut, as in a research run"
