"""Run folders: every run leaves `report.md`, `report.json`, `sources/`, `trace.jsonl` and `config.json`.

`<data_dir>/runs/<run_id>/` is created when a run starts (config first, then the trace grows event by
event), so a killed run can be inspected and resumed; the report files are written when it finishes.
A run on a remote LangGraph server (`deepresearch.remote`) leaves the same folder on the client: its
`config.json` names the server and holds the per-run settings sent to it instead of the local settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from deepresearch.config import ResearchConfig
from deepresearch.progress import Event
from deepresearch.schemas import Report, Source

REPORT_MD = "report.md"
REPORT_JSON = "report.json"
TRACE = "trace.jsonl"
CONFIG = "config.json"
SOURCES = "sources"


def body_without_references(markdown: str) -> str:
    """A report's markdown up to its references section (where every citation number appears by design)."""
    lines = []
    for line in markdown.splitlines():
        if line.strip().lower().lstrip("#").strip() in {"references", "sources"}:
            break
        lines.append(line)
    return "\n".join(lines)


def run_dir_for(config: ResearchConfig, run_id: str) -> Path:
    return config.runs_dir / run_id


def start_run_folder(run_dir: Path, config: ResearchConfig, question: str, parent: str | None = None) -> Path:
    """Create the folder and record the settings (secrets masked), the question and, for a follow-up, the
    run it follows (`parent`)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    payload = {"question": question, "settings": config.public_dict()} | ({"parent": parent} if parent else {})
    (run_dir / CONFIG).write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return run_dir


def start_remote_run_folder(run_dir: Path, question: str, server: str, settings: Mapping[str, Any]) -> Path:
    """Create the folder of a run on `server`, recording the question and the per-run settings sent."""
    run_dir.mkdir(parents=True, exist_ok=True)
    payload = {"question": question, "server": server, "settings": dict(settings)}
    (run_dir / CONFIG).write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return run_dir


def run_server(run_dir: Path) -> str | None:
    """The LangGraph server a run went to, or None for a local run (or no run)."""
    path = run_dir / CONFIG
    if not path.exists():
        return None
    server = json.loads(path.read_text(encoding="utf-8")).get("server")
    return str(server) if server else None


def run_parent(run_dir: Path) -> str | None:
    """The run a follow-up run follows, or None."""
    path = run_dir / CONFIG
    parent = json.loads(path.read_text(encoding="utf-8")).get("parent") if path.exists() else None
    return str(parent) if parent else None


def read_run_config(run_dir: Path) -> tuple[str, dict[str, Any]]:
    """The question and the recorded settings (masked secrets removed so the environment supplies them)."""
    payload = json.loads((run_dir / CONFIG).read_text(encoding="utf-8"))
    settings = {k: v for k, v in payload.get("settings", {}).items() if v != "***"}
    return str(payload.get("question", "")), settings


def append_trace(run_dir: Path, event: Event) -> None:
    with (run_dir / TRACE).open("a", encoding="utf-8") as trace:
        trace.write(event.model_dump_json() + "\n")


def read_trace(run_dir: Path) -> list[Event]:
    path = run_dir / TRACE
    if not path.exists():
        return []
    return [Event.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_run_folder(
    run_dir: Path,
    report: Report,
    *,
    sources: Iterable[Source] = (),
    source_texts: Mapping[str, str] | None = None,
) -> Path:
    """Write the report (markdown and JSON) and the text of every source read; returns the folder."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / REPORT_MD).write_text(report.markdown, encoding="utf-8")
    (run_dir / REPORT_JSON).write_text(report.model_dump_json(indent=2), encoding="utf-8")
    folder = run_dir / SOURCES
    folder.mkdir(exist_ok=True)
    index = []
    texts = source_texts or {}
    for source in sources:
        index.append(source.model_dump(mode="json"))
        if source.id in texts:
            (folder / f"{source.id}.txt").write_text(texts[source.id], encoding="utf-8")
    (folder / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False), encoding="utf-8")
    return run_dir


def read_report(path: Path) -> Report:
    """A report from a run folder (or a `report.json` path)."""
    file = path / REPORT_JSON if path.is_dir() else path
    return Report.model_validate_json(file.read_text(encoding="utf-8"))


def read_source_text(run_dir: Path, source_id: str) -> str | None:
    file = run_dir / SOURCES / f"{source_id}.txt"
    return file.read_text(encoding="utf-8") if file.exists() else None
