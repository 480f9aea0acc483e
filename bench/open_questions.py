"""Open questions over the bundled encyclopedia: are the cited sources the ones a good answer draws on?

    python -m bench.open_questions [--questions bench/open_questions.json] [--n N] [--model provider:model]

Each question of the file ("How do vaccines work?" kind, with the article titles a good answer draws on,
chosen by hand from the encyclopedia index) runs through `deepresearch.aresearch` offline: the bundled
encyclopedia only (no web, no documents of yours), clarification off, every other setting as configured
(the embedded model by default; routing decides the depth). Run folders go to `<work dir>/runs`, the
library is the one set-up built (`python -m memory.setup`).

Printed per question and in total:
- citation precision: the share of cited sources whose title is on the question's list (pooled over all
  citations in the total, and the mean of the per-question shares);
- relevance: the report's mean and lowest relevance of its cited passages to the question, and how many
  citations fall below the relevance floor when re-checked (`deepresearch.review.verify_report`; must be 0);
- support: the report's citation support and the share of cited sentences that re-verify;
- tokens: prompt tokens sent and evaluated (the rest came from cached prompt prefixes), completion tokens,
  LLM calls; wall time.
Everything also goes to a results JSON (`--out`, default `<work dir>/results-<time>.json`).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.hotpotqa_data import offline_main, run_and_report
from bench.hotpotqa_scoring import mean, ratio
from deepresearch.api import aresearch, new_run_id
from deepresearch.config import ResearchConfig, default_data_dir, load_config
from deepresearch.progress import EventRecorder
from deepresearch.reports import run_dir_for
from deepresearch.review import supported_sentences, verify_report

QUESTIONS = Path(__file__).resolve().parent / "open_questions.json"


def bench_config(work_dir: Path, model: str | None) -> ResearchConfig:
    return load_config(
        data_dir=work_dir,
        library_dir=default_data_dir() / "library",
        docs_paths=[],
        encyclopedia=True,
        search_providers=["local"],
        clarify=False,
        model=model,
    )


async def run_question(number: int, item: dict[str, Any], config: ResearchConfig) -> dict[str, Any]:
    question, wanted = str(item["question"]), set(item["titles"])
    run_id = f"open-{number:03d}-{new_run_id()}"
    recorder = EventRecorder()
    started = time.perf_counter()
    report = await aresearch(question, config=config, on_event=recorder, run_id=run_id)
    wall = time.perf_counter() - started
    folder = run_dir_for(config, run_id)
    checks = verify_report(folder, report)
    supported, sentences = supported_sentences(folder, report)
    calls = [e.data for e in recorder.events if e.kind == "llm.call"]
    cited = [c.title for c in report.citations]
    return {
        "number": number,
        "question": question,
        "run_id": run_id,
        "cited": cited,
        "on_list": sum(title in wanted for title in cited),
        "precision": ratio(sum(title in wanted for title in cited), len(cited)),
        "relevance": report.relevance_score,
        "lowest_relevance": report.lowest_relevance,
        "below_floor": sum(check.verdict == "off topic" for check in checks),
        "support": report.support_score,
        "cited_sentences": sentences,
        "supported_sentences": supported,
        "insufficient": report.is_insufficient_evidence,
        "prompt_tokens": sum(int(c.get("input_tokens", 0)) for c in calls),
        "cached_prompt_tokens": sum(int(c.get("cached_input_tokens", 0)) for c in calls),
        "completion_tokens": sum(int(c.get("output_tokens", 0)) for c in calls),
        "llm_calls": len(calls),
        "wall_s": round(wall, 1),
        "answer": report.answer,
    }


def totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    cited = sum(len(r["cited"]) for r in results)
    return {
        "questions": len(results),
        "citations": cited,
        "precision_pooled": ratio(sum(r["on_list"] for r in results), cited),
        "precision_mean": mean(r["precision"] for r in results),
        "relevance": mean(r["relevance"] for r in results),
        "lowest_relevance": min(
            (r["lowest_relevance"] for r in results if r["lowest_relevance"] is not None), default=None
        ),
        "below_floor": sum(r["below_floor"] for r in results),
        "supported_share": ratio(
            sum(r["supported_sentences"] for r in results), sum(r["cited_sentences"] for r in results)
        ),
        "insufficient": sum(bool(r["insufficient"]) for r in results),
        "prompt_tokens": mean(r["prompt_tokens"] for r in results),
        "evaluated_prompt_tokens": mean(r["prompt_tokens"] - r["cached_prompt_tokens"] for r in results),
        "completion_tokens": mean(r["completion_tokens"] for r in results),
        "llm_calls": mean(r["llm_calls"] for r in results),
        "wall_s": mean(r["wall_s"] for r in results),
    }


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def question_line(r: dict[str, Any]) -> str:
    return (
        f"[{r['number']:>2}] precision {_f(r['precision'], 2)} ({r['on_list']}/{len(r['cited'])}) relevance "
        f"{_f(r['relevance'], 2)} (lowest {_f(r['lowest_relevance'], 2)}, below floor {r['below_floor']}) support "
        f"{_f(r['support'], 2)} | tokens {r['prompt_tokens']} ({r['prompt_tokens'] - r['cached_prompt_tokens']} "
        f"evaluated)/{r['completion_tokens']} calls {r['llm_calls']} | {r['wall_s']:.0f} s | {r['question']}\n"
        f"     cited: {'; '.join(r['cited']) or '(none)'}"
    )


def total_lines(t: dict[str, Any]) -> list[str]:
    return [
        f"questions {t['questions']}, citations {t['citations']}, insufficient evidence {t['insufficient']}",
        f"citation precision  pooled {_f(t['precision_pooled'])}  mean {_f(t['precision_mean'])}",
        f"relevance           mean {_f(t['relevance'])}  lowest {_f(t['lowest_relevance'])}  "
        f"citations below the floor {t['below_floor']}",
        f"support             cited sentences that re-verify {_f(t['supported_share'])}",
        f"per question        tokens {_f(t['prompt_tokens'], 0)} prompt "
        f"(evaluated {_f(t['evaluated_prompt_tokens'], 0)}) / {_f(t['completion_tokens'], 0)} completion, "
        f"LLM calls {_f(t['llm_calls'], 1)}, wall {_f(t['wall_s'], 1)} s",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.open_questions", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="the question file")
    parser.add_argument("--n", type=int, help="only the first N questions")
    parser.add_argument("--model", help="provider:model for every role (default: configured, else embedded)")
    parser.add_argument("--work-dir", type=Path, help="runs and results (default: a cache dir)")
    parser.add_argument("--out", type=Path, help="results JSON")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    items = json.loads(args.questions.read_text(encoding="utf-8"))["questions"][: args.n]
    work_dir = args.work_dir or Path.home() / ".cache" / "deepresearch-bench" / "open-questions"
    config = bench_config(work_dir, args.model)
    out = args.out or work_dir / f"results-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    header = {
        "questions_file": str(args.questions),
        "model": config.model,
        "started": datetime.now(UTC).isoformat(),
        "relevance_floor": config.relevance_floor,
    }
    print(
        f"model {config.model}, {len(items)} questions, relevance floor {config.relevance_floor}; runs in "
        f"{config.runs_dir}",
        flush=True,
    )
    jobs = (partial(run_question, number, item, config) for number, item in enumerate(items, start=1))
    await run_and_report(jobs, question_line, totals, total_lines, (out, header))
    return 0


def main(argv: list[str] | None = None) -> int:
    return offline_main(run, parse_args, argv)


if __name__ == "__main__":
    raise SystemExit(main())
