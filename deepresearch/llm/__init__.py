"""The model layer: provider factory, embedded model, profiles, streaming with reasoning, the JSON-action
protocol, provider gates and fallbacks, structured output, usage."""

from deepresearch.llm.call_settings import CallSettings, Candidate
from deepresearch.llm.handle import EMBEDDED_NOTICE, ChatModelHandle, ModelReply
from deepresearch.llm.model_set import ModelSet
from deepresearch.llm.providers import BuiltModel, ModelSpec, build_model, parse_spec
from deepresearch.llm.reasoning import split_reasoning, split_think_tags, strip_reasoning
from deepresearch.llm.structured import extract_json, parse_structured
from deepresearch.llm.usage import UsageLedger, estimate_tokens

__all__ = [
    "EMBEDDED_NOTICE",
    "BuiltModel",
    "CallSettings",
    "Candidate",
    "ChatModelHandle",
    "ModelReply",
    "ModelSet",
    "ModelSpec",
    "UsageLedger",
    "build_model",
    "estimate_tokens",
    "extract_json",
    "parse_spec",
    "parse_structured",
    "split_reasoning",
    "split_think_tags",
    "strip_reasoning",
]
