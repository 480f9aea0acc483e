"""Test doubles for your own flows: scripted chat models, a scripted web, and a responder for every role.

- `ScriptedChatModel`: a langchain-core chat model that replays a script or asks a function
  (`responder(messages, call_kwargs)`) for each reply; it answers tool calls and structured output, records
  every call, and can add latency. `tool_call(name, **args)` builds a reply that calls a tool.
- `FakeWeb`, `scripted_tools`, `scripted_services`: pages by URL behind the five agent tools, and a run's
  `Services` over them (no network).
- `ResearchResponder` / `research_model()`: one responder that plays the rewriter, clarifier, manager,
  researcher, summarizer and verifier judge, for whole-graph runs; `aspect_pages()` a web large enough for
  deep reports.
- `entailment_verdict`: a rule-based verifier judge (negation and missing words), also the script
  `scripted:entailment`.

The `scripted:` model provider builds the scripts registered with `register_script` (`scripted:research`,
`research1`, `research5`, `research-clarify`, `entailment`, `echo`), so settings alone can point a run at them.
"""

from deepresearch.testing.entailment import entailment_verdict
from deepresearch.testing.models import ScriptedChatModel, build_scripted_model, register_script, tool_call
from deepresearch.testing.responder import (
    ResearchResponder,
    aspect_pages,
    findings_from,
    finish_call,
    research_model,
)
from deepresearch.testing.web import (
    CAT_PAGES,
    FakeWeb,
    InMemoryMemory,
    research_services,
    scripted_services,
    scripted_tools,
)

__all__ = [
    "CAT_PAGES",
    "FakeWeb",
    "InMemoryMemory",
    "ResearchResponder",
    "ScriptedChatModel",
    "aspect_pages",
    "build_scripted_model",
    "entailment_verdict",
    "findings_from",
    "finish_call",
    "register_script",
    "research_model",
    "research_services",
    "scripted_services",
    "scripted_tools",
    "tool_call",
]
