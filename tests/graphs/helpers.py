"""Shared helpers for graph tests: run the whole graph with scripted models and scripted tools."""

from __future__ import annotations

from typing import Any

from deepresearch.api import aresearch
from deepresearch.config import ROLES, load_config
from deepresearch.progress import EventRecorder
from deepresearch.schemas import Report
from deepresearch.testing import FakeWeb, ScriptedChatModel, research_model, scripted_services


async def run_graph(
    question: str = "How long do cats sleep?",
    *,
    model: ScriptedChatModel | None = None,
    models: dict[str, Any] | None = None,
    web: FakeWeb | None = None,
    **settings: Any,
) -> tuple[Report, EventRecorder]:
    settings.setdefault("clarify", False)
    chat_models = {role: model or research_model() for role in ROLES} if models is None else models
    recorder = EventRecorder()
    report = await aresearch(
        question,
        config=load_config(**settings),
        chat_models=chat_models,
        services=scripted_services(web),
        on_event=recorder,
    )
    return report, recorder
