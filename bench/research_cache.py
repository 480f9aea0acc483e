"""The research cache on a repeated question: the second run's tokens as a share of the first run's.

    python -m bench.research_cache --data ../shared/data/hotpotqa_dev_distractor_60.json
        [--question "..."] [--model provider:model] [--work-dir DIR]

Runs one question twice through the full system with `research_cache` on, over the QA bench's pooled
HotpotQA corpus (`bench.hotpotqa` settings: local corpus only, no clarification), with a fresh cache and
runs folder of its own (`<work dir>/research-cache-<time>/`) so no earlier run can serve the first one.
Prints both runs' prompt/completion tokens and LLM calls, the ratio second ÷ first (the issue's target is
≤ 20%), what the second run reused (the `research_cache.hit` event) and whether its report still cites
passages: citations, the verifier's support score, and citations whose passage is not in the stored text.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hotpotqa import default_work_dir  # noqa: E402
from bench.hotpotqa_data import offline_main  # noqa: E402
from bench.routing import git_commit, open_bench_corpus, tokens_of  # noqa: E402
from deepresearch.api import aresearch, new_run_id  # noqa: E402
from deepresearch.config import ResearchConfig  # noqa: E402
from deepresearch.progress import EventRecorder  # noqa: E402
from deepresearch.reports import SOURCES, run_dir_for  # noqa: E402

DEFAULT_QUESTION = "Were Scott Derrickson and Ed Wood of the same nationality?"
TARGET = 0.20


async def run_once(question: str, config: ResearchConfig, label: str) -> dict[str, Any]:
    recorder = EventRecorder()
    run_id = f"research-cache-{label}-{new_run_id()}"
    started = time.perf_counter()
    report = await aresearch(question, config=config, on_event=recorder, run_id=run_id)
    run_dir = run_dir_for(config, run_id)
    missing = 0
    for citation in report.citations:
        text_file = run_dir / SOURCES / f"{citation.source_id}.txt"
        text = text_file.read_text(encoding="utf-8") if text_file.exists() else ""
        missing += citation.passage not in text
    hit = next((e for e in recorder.events if e.kind == "research_cache.hit"), None)
    return {
        "run_id": run_id,
        "wall_s": round(time.perf_counter() - started, 1),
        **tokens_of(recorder.events),
        "citations": len(report.citations),
        "support": report.support_score,
        "passages_not_in_source_text": missing,
        "answer": report.answer,
        "cache": hit.message if hit else "miss",
        "researcher_calls": sum(e.kind == "llm.call" and e.data.get("role") == "researcher" for e in recorder.events),
    }


def line(label: str, r: dict[str, Any]) -> str:
    return (
        f"{label}: tokens {r['tokens']} ({r['prompt_tokens']} prompt / {r['completion_tokens']} completion), "
        f"calls {r['llm_calls']} (researcher {r['researcher_calls']}), {r['wall_s']:.0f} s | citations "
        f"{r['citations']}, support {r['support']:.2f}, passages not in source text "
        f"{r['passages_not_in_source_text']} | cache: {r['cache']}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the HotpotQA-format file the corpus comes from")
    parser.add_argument("--question", default=DEFAULT_QUESTION, help="the question asked twice")
    parser.add_argument("--model", help="provider:model for every role (default: configured, else embedded)")
    parser.add_argument("--work-dir", type=Path, help="library and runs (default: the QA bench's)")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    work_dir = args.work_dir or default_work_dir(args.data)
    fresh = work_dir / f"research-cache-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    base = await open_bench_corpus(args.data, work_dir, args.model, research_cache=True)
    # A data dir of its own (an empty cache); the library, hence the corpus, stays the bench's.
    config = base.model_copy(update={"data_dir": fresh, "library_dir": base.library_path})
    print(f"model {config.model}, commit {git_commit()}, question {args.question!r}; runs in {config.runs_dir}")
    first = await run_once(args.question, config, "first")
    print(line("first ", first), flush=True)
    second = await run_once(args.question, config, "second")
    print(line("second", second), flush=True)
    ratio = second["tokens"] / first["tokens"] if first["tokens"] else float("nan")
    verdict = "yes" if ratio <= TARGET else "no"
    print(f"second ÷ first tokens: {ratio:.3f} (target ≤ {TARGET:.2f}): {verdict}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return offline_main(run, parse_args, argv)


if __name__ == "__main__":
    raise SystemExit(main())
