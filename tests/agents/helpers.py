"""A research context with one scripted model for every role, for agent unit tests."""

from __future__ import annotations

from typing import Any

from agents.context import ResearchContext, Services
from deepresearch.config import ROLES, load_config
from deepresearch.progress import EventRecorder
from deepresearch.testing import ScriptedChatModel, scripted_services
from graphs.context import build_context


def make_context(
    model: ScriptedChatModel, services: Services | None = None, **settings: Any
) -> tuple[ResearchContext, EventRecorder]:
    recorder = EventRecorder()
    context = build_context(
        load_config(**settings),
        services or scripted_services(),
        run_id="unit",
        chat_models={role: model for role in ROLES},
        events=recorder,
    )
    return context, recorder
