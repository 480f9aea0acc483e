"""deepresearch: multi-agent research with cited, verifiable reports.

The public surface is listed in `__all__`. Heavy modules (langgraph, chromadb, llama.cpp) load only when
a name that needs them is first used, so `import deepresearch` and the CLI's `--help` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
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

_LAZY = {
    "ConfigError": "deepresearch.errors",
    "Report": "deepresearch.schemas",
    "ResearchConfig": "deepresearch.config",
    "load_config": "deepresearch.config",
    "aresearch": "deepresearch.api",
    "research": "deepresearch.api",
    "resume": "deepresearch.api",
    "load_report": "deepresearch.api",
}

if TYPE_CHECKING:
    from deepresearch.api import aresearch, load_report, research, resume
    from deepresearch.config import ResearchConfig, load_config
    from deepresearch.errors import ConfigError
    from deepresearch.schemas import Report


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'deepresearch' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
