"""Difficulty routing on a fixed list of 10 simple and 10 multi-hop questions: each route, its reason, and
the token cost per class.

    python -m bench.routing --data ../shared/data/hotpotqa_dev_distractor_60.json [--n 10]
        [--model provider:model] [--questions bench/routing_questions.json] [--work-dir DIR] [--out FILE]

The questions (bench/routing_questions.json) are answerable from the HotpotQA file's pooled corpus:
`multi_hop` are the file's first 10 questions, `simple` single-fact questions written from one paragraph
each. The corpus, library and run settings are the QA bench's (`bench.hotpotqa`: local corpus only, no
clarification, no encyclopedia, its work dir per file); routing is on, depth unset (the router sizes each
question), the research cache off. `--n` takes the first N of each class.

Printed per question: class, route (kind, path, who decided) and reason, prompt/completion tokens, LLM
calls, wall time, and the answer's HotpotQA exact match against the expected answer. Then per class: how
many were routed as expected (simple → quick path, multi-hop → full graph), mean tokens, and whether the
simple questions' mean cost is below a third of the multi-hop questions' (the issue's acceptance check).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hotpotqa import bench_config, default_work_dir, short_answer_of  # noqa: E402
from bench.hotpotqa_data import load, offline_main, run_and_report  # noqa: E402
from bench.hotpotqa_scoring import exact_match, f1, mean  # noqa: E402
from deepresearch.api import aresearch, new_run_id  # noqa: E402
from deepresearch.config import ResearchConfig  # noqa: E402
from deepresearch.progress import Event, EventRecorder  # noqa: E402
from memory.local_search import DOCS_CORPUS, open_docs_corpus  # noqa: E402

QUESTIONS = Path(__file__).with_name("routing_questions.json")
CLASSES = ("simple", "multi_hop")
EXPECTED_PATH = {"simple": "quick", "multi_hop": "full"}
TARGET_RATIO = 1 / 3


async def open_bench_corpus(data: Path, work_dir: Path | None, model: str | None, **settings: Any) -> ResearchConfig:
    """The QA bench's config and pooled corpus (indexed once per work dir), with `settings` on top."""
    docs, _ = load(data)
    config = bench_config(work_dir or default_work_dir(data), None, model, settings)
    started = time.perf_counter()
    indexed = await asyncio.to_thread(open_docs_corpus(config).index, docs)
    print(
        f"corpus: {len(docs)} documents in {config.library_path / DOCS_CORPUS} ({indexed.added} added, "
        f"{indexed.unchanged} unchanged, {time.perf_counter() - started:.1f} s)"
    )
    return config


def tokens_of(events: list[Event]) -> dict[str, int]:
    calls = [e.data for e in events if e.kind == "llm.call"]
    prompt = sum(int(c.get("input_tokens", 0)) for c in calls)
    completion = sum(int(c.get("output_tokens", 0)) for c in calls)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "tokens": prompt + completion,
        "llm_calls": len(calls),
    }


async def run_one(item: dict[str, Any], klass: str, config: ResearchConfig) -> dict[str, Any]:
    recorder = EventRecorder()
    run_id = f"routing-{klass}-{new_run_id()}"
    result: dict[str, Any] = {"class": klass, "question": item["question"], "gold": item["answer"], "run_id": run_id}
    started = time.perf_counter()
    try:
        report = await aresearch(item["question"], config=config, on_event=recorder, run_id=run_id)
        result["answer"] = short_answer_of(report)
    except Exception as error:  # one crashed run is recorded, the bench goes on
        result["error"] = f"{type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc(limit=8)
        result["answer"] = ""
    result["wall_s"] = round(time.perf_counter() - started, 1)
    route = next((e.data for e in recorder.events if e.kind == "route.decided"), {})
    result["route"] = {key: route.get(key, "") for key in ("question_kind", "path", "decided_by", "reason")}
    result["routed_as_expected"] = route.get("path") == EXPECTED_PATH[klass]
    result |= tokens_of(recorder.events)
    result["em"], result["f1"] = exact_match(result["answer"], item["answer"]), f1(result["answer"], item["answer"])
    return result


def question_line(r: dict[str, Any]) -> str:
    route = r["route"]
    head = (
        f"[{r['class']:<9}] {route['question_kind'] or '?':<9} {route['path'] or '?':<5} by "
        f"{route['decided_by'] or '?':<14} | tokens {r['prompt_tokens']}/{r['completion_tokens']} calls "
        f"{r['llm_calls']} | {r['wall_s']:.0f} s | EM {r['em']:.0f} F1 {r['f1']:.2f}"
    )
    crashed = f" | CRASHED: {r['error']}" if "error" in r else ""
    return f"{head}{crashed}\n      {r['question']}\n      reason: {route['reason']}"


def class_totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for klass in CLASSES:
        rows = [r for r in results if r["class"] == klass]
        totals[klass] = {
            "questions": len(rows),
            "routed_as_expected": sum(r["routed_as_expected"] for r in rows),
            "tokens": mean(r["tokens"] for r in rows),
            "prompt_tokens": mean(r["prompt_tokens"] for r in rows),
            "completion_tokens": mean(r["completion_tokens"] for r in rows),
            "llm_calls": mean(r["llm_calls"] for r in rows),
            "wall_s": mean(r["wall_s"] for r in rows),
            "em": mean(r["em"] for r in rows),
            "f1": mean(r["f1"] for r in rows),
        }
    simple, multi = totals["simple"]["tokens"], totals["multi_hop"]["tokens"]
    totals["simple_over_multi_hop"] = simple / multi if simple is not None and multi else None
    ratio = totals["simple_over_multi_hop"]
    totals["simple_below_a_third"] = ratio is not None and ratio < TARGET_RATIO
    return totals


def total_lines(totals: dict[str, Any]) -> list[str]:
    lines = []
    for klass in CLASSES:
        t = totals[klass]
        if not t["questions"]:
            continue
        lines.append(
            f"{klass:<9} routed as expected {t['routed_as_expected']}/{t['questions']} | tokens per question "
            f"{t['tokens']:.0f} ({t['prompt_tokens']:.0f} prompt / {t['completion_tokens']:.0f} completion), "
            f"calls {t['llm_calls']:.1f}, wall {t['wall_s']:.0f} s | EM {t['em']:.2f} F1 {t['f1']:.2f}"
        )
    ratio = totals["simple_over_multi_hop"]
    verdict = "yes" if totals["simple_below_a_third"] else "no"
    lines.append(
        f"simple ÷ multi-hop tokens: {'n/a' if ratio is None else f'{ratio:.3f}'} "
        f"(target < {TARGET_RATIO:.3f}): {verdict}"
    )
    return lines


def git_commit() -> str:
    root = Path(__file__).resolve().parent.parent
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    return found.stdout.strip() or "unknown"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the HotpotQA-format file the corpus comes from")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="the fixed question list (JSON)")
    parser.add_argument("--n", type=int, default=10, help="the first N questions of each class (default 10)")
    parser.add_argument("--model", help="provider:model for every role (default: configured, else embedded)")
    parser.add_argument("--work-dir", type=Path, help="library, runs and results (default: the QA bench's)")
    parser.add_argument("--out", type=Path, help="results JSON (default: <work dir>/routing-<time>.json)")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    config = await open_bench_corpus(args.data, args.work_dir, args.model, router=True, research_cache=False)
    fixed = json.loads(args.questions.read_text(encoding="utf-8"))
    work = [(klass, item) for klass in CLASSES for item in fixed[klass][: args.n]]
    print(
        f"model {config.model} (fast {config.fast_model or 'same'}, reasoning {config.reasoning_model or 'same'}), "
        f"{len(work)} questions; runs in {config.runs_dir}"
    )
    out = args.out or config.data_dir / f"routing-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    header = {
        "data": str(args.data),
        "questions_file": str(args.questions),
        "model": config.model,
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "commit": git_commit(),
        "started": datetime.now(UTC).isoformat(),
    }
    jobs = (partial(run_one, item, klass, config) for klass, item in work)
    await run_and_report(jobs, question_line, class_totals, total_lines, (out, header))
    return 0


def main(argv: list[str] | None = None) -> int:
    return offline_main(run, parse_args, argv)


if __name__ == "__main__":
    raise SystemExit(main())
