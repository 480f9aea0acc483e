from langchain_core.messages import AIMessage

from deepresearch.llm import split_reasoning, split_think_tags, strip_reasoning


def test_think_tags_are_split_from_the_answer() -> None:
    answer, reasoning = split_think_tags("<think>The user wants X.\nLet me check.</think>\n\nParis is the capital.")
    assert answer == "Paris is the capital."
    assert "Let me check." in reasoning
    assert "<think>" not in answer


def test_unclosed_think_is_all_reasoning() -> None:
    answer, reasoning = split_think_tags("Partial. <think>still thinking about")
    assert answer == "Partial."
    assert reasoning == "still thinking about"


def test_stray_closing_tag_from_a_template_that_opened_the_block() -> None:
    answer, reasoning = split_think_tags("planning the reply</think>The answer is 4.")
    assert (answer, reasoning) == ("The answer is 4.", "planning the reply")


def test_reasoning_content_field_never_reaches_the_answer() -> None:
    message = AIMessage(content="42", additional_kwargs={"reasoning_content": "6 times 7 is 42"})
    assert split_reasoning(message) == ("42", "6 times 7 is 42")


def test_anthropic_thinking_blocks_and_openai_summaries() -> None:
    anthropic = AIMessage(
        content=[{"type": "thinking", "thinking": "hmm", "signature": "x"}, {"type": "text", "text": "Yes."}]
    )
    assert split_reasoning(anthropic) == ("Yes.", "hmm")
    openai = AIMessage(
        content=[
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "compared both"}]},
            {"type": "text", "text": "B is larger."},
        ]
    )
    assert split_reasoning(openai) == ("B is larger.", "compared both")


def test_strip_reasoning_keeps_tool_calls_and_moves_reasoning_aside() -> None:
    message = AIMessage(
        content="<think>search first</think>",
        tool_calls=[{"name": "web_search", "args": {"query": "x"}, "id": "c1"}],
    )
    clean = strip_reasoning(message)
    assert clean.content == ""
    assert clean.tool_calls[0]["name"] == "web_search"
    assert clean.additional_kwargs["reasoning_content"] == "search first"
