"""Deep reports: a depth-deep run with a scripted capable model, its size, its verification, and whether its
sections are written in parallel (the sections' wall time against one section's).

Every role answers at once except the summarizer, whose every call takes `--latency` seconds (outline,
each section, the lead, the short answer): written one after another, N sections would take N times one
section; written in parallel, about one. The report is then re-verified from its run folder as
`deepresearch reports verify` does. Usage: `python -m bench.deep_report [--latency 0.5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.scripted_run import load_average
from deepresearch.api import aresearch
from deepresearch.config import ROLES, load_config
from deepresearch.progress import EventRecorder
from deepresearch.reports import run_dir_for
from deepresearch.review import findings_body, verify_report
from deepresearch.testing import FakeWeb, ResearchResponder, ScriptedChatModel, aspect_pages, scripted_services

TASKS = 5


async def measure(latency_s: float, data_dir: Path) -> dict[str, float]:
    responder = ResearchResponder(tasks=TASKS, searches=4, claims_per_task=20, dangling_first_draft=False)
    models = {role: ScriptedChatModel(responder=responder) for role in ROLES}
    models["summarizer"] = ScriptedChatModel(responder=responder, latency_s=latency_s)
    config = load_config(
        clarify=False, depth="deep", max_agents=TASKS, max_pages=160, data_dir=data_dir, encyclopedia=False
    )
    recorder = EventRecorder()
    started = time.perf_counter()
    report = await aresearch(
        "How do cats sleep?",
        config=config,
        chat_models=models,
        services=scripted_services(FakeWeb(pages=aspect_pages(sentences=6))),
        on_event=recorder,
    )
    wall = time.perf_counter() - started
    sections = [e for e in recorder.events if e.kind == "report.section"]
    phase = next(e for e in recorder.events if e.kind == "report.sections")
    outline_at = next(e.at for e in recorder.events if e.kind == "report.outline")
    checks = verify_report(run_dir_for(config, report.run_id), report)
    return {
        "sections": len(sections),
        "words": len(findings_body(report).split()),
        "sources": len(report.sources),
        "citations": len(report.citations),
        "verified": sum(check.is_verified for check in checks),
        "support": report.support_score,
        "phase_s": float(str(phase.data["wall_s"])),
        "phase_by_events_s": (phase.at - outline_at).total_seconds(),
        "shortest_section_s": min(float(str(e.data["seconds"])) for e in sections),
        "longest_section_s": float(str(phase.data["longest_s"])),
        "summarizer_calls": len(models["summarizer"].calls),
        "run_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per summarizer call (default 0.5)")
    latency = parser.parse_args().latency
    with tempfile.TemporaryDirectory() as data_dir:
        figures = asyncio.run(measure(latency, Path(data_dir)))
    serial = figures["sections"] * figures["longest_section_s"]
    print(f"load average {load_average()}; summarizer latency {latency:.2f} s per call")
    print(
        f"report: {figures['words']:.0f} words in {figures['sections']:.0f} sections, "
        f"{figures['sources']:.0f} sources; {figures['verified']:.0f} of {figures['citations']:.0f} citations "
        f"verified (support {figures['support']:.2f})"
    )
    print(
        f"sections: each took {figures['shortest_section_s']:.3f} to {figures['longest_section_s']:.3f} s; "
        f"all {figures['sections']:.0f} took {figures['phase_s']:.3f} s "
        f"(outline to sections done, by event times: {figures['phase_by_events_s']:.3f} s)"
    )
    print(
        f"sections wall / longest section: {figures['phase_s'] / figures['longest_section_s']:.3f} "
        f"(one after another they would take about {serial:.2f} s: ratio {figures['sections']:.0f})"
    )
    print(f"whole run: {figures['run_s']:.2f} s, {figures['summarizer_calls']:.0f} summarizer calls")


if __name__ == "__main__":
    main()
