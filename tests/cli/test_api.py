"""The Python API as a user calls it."""

from __future__ import annotations

import pytest

import deepresearch
from deepresearch import ConfigError, Report, aresearch, load_config, load_report
from deepresearch.config import ROLES
from deepresearch.progress import Event
from deepresearch.testing import research_model, scripted_services


def test_public_surface_is_explicit() -> None:
    assert sorted(deepresearch.__all__) == sorted(
        [
            "ConfigError",
            "Report",
            "ResearchConfig",
            "__version__",
            "aresearch",
            "load_config",
            "load_report",
            "research",
            "resume",
        ]
    )
    for name in deepresearch.__all__:
        assert getattr(deepresearch, name) is not None


async def test_aresearch_returns_a_typed_report_and_streams_events_in_order() -> None:
    events: list[Event] = []
    model = research_model()
    report = await aresearch(
        "How long do cats sleep?",
        config=load_config(clarify=False),
        chat_models={role: model for role in ROLES},
        services=scripted_services(),
        on_event=events.append,
    )
    assert isinstance(report, Report)
    assert report.citations and report.run_id
    assert events, "progress events reach on_event"
    times = [event.at for event in events]
    assert times == sorted(times), "events arrive in the order they happened"
    kinds = [event.kind for event in events]
    assert any(kind.startswith("phase") for kind in kinds)
    assert kinds.index(next(k for k in kinds if k.startswith("phase"))) < kinds.index("llm.call")
    assert load_report(report.run_id).model_dump() == report.model_dump()


async def test_bad_search_settings_leave_no_run_folder() -> None:
    config = load_config(clarify=False, search_providers=["nosuchprovider"])
    with pytest.raises(ConfigError, match="unknown search provider 'nosuchprovider'"):
        await aresearch("How long do cats sleep?", config=config, chat_models=dict.fromkeys(ROLES, research_model()))
    assert not config.runs_dir.exists() or not any(config.runs_dir.iterdir())
