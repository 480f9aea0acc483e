"""The inference-time scaling ablation: the QA bench once per setting, on the same questions and commit,
and one table of what each setting bought and cost.

    python -m bench.ablation --data ../shared/data/hotpotqa_dev_distractor_60.json [--n 10]
        [--settings baseline,samples,drafts,router,cot,fewshot] [--out-dir DIR]

Each setting runs `bench.hotpotqa` in a process of its own (a setting never leaks into the next run), one
after the other: on 2 cores, two embedded-model runs side by side only slow each other down and spoil
the wall times. The baseline is routing off with the plain prompt, one short-answer sample and one draft
(with sequential revision, today's default); every other row changes one switch from it. Each setting's
results JSON is kept in `--out-dir`, and the table is printed from those files, so a row can be checked
against the per-question figures behind it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hotpotqa import default_work_dir  # noqa: E402

SETTINGS: dict[str, tuple[str, list[str]]] = {
    "baseline": ("baseline (router off, plain, 1 sample, 1 draft + revisions)", ["--router", "off"]),
    "samples": ("`--samples 3` (self-consistency)", ["--router", "off", "--samples", "3"]),
    "drafts": ("`--drafts 3` (best of 3, revisions off)", ["--router", "off", "--drafts", "3"]),
    "router": ("`--router on` (depth by difficulty)", ["--router", "on"]),
    "cot": ("`--prompt cot`", ["--router", "off", "--prompt", "cot"]),
    "fewshot": ("`--prompt fewshot`", ["--router", "off", "--prompt", "fewshot"]),
}
HEADER = (
    "| setting | questions | EM / F1 | gold read / cited | cited sentences supported | never-read citations "
    "| tokens per question (prompt / completion) | LLM calls | wall per question |"
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a HotpotQA-format JSON file")
    parser.add_argument("--n", type=int, default=10, help="the first N questions for every setting (default: 10)")
    parser.add_argument("--settings", default=",".join(SETTINGS), help=f"comma-separated, of: {', '.join(SETTINGS)}")
    parser.add_argument("--out-dir", type=Path, help="one results JSON per setting (default: <QA work dir>/ablation)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.settings.split(",") if name not in SETTINGS]
    if unknown:
        parser.error(f"unknown setting(s): {', '.join(unknown)}; choose from {', '.join(SETTINGS)}")
    return args


def row(label: str, totals: dict[str, Any]) -> str:
    def number(key: str, digits: int = 3) -> str:
        value = totals.get(key)
        return "n/a" if value is None else f"{value:.{digits}f}"

    return (
        f"| {label} | {totals['questions']} | {number('em')} / {number('f1')} "
        f"| {number('gold_read')} / {number('gold_cited')} "
        f"| {number('supported_share')} ({totals['cited_sentences']}) | {totals['never_read_citations']} "
        f"| {totals['prompt_tokens']:,.0f} / {totals['completion_tokens']:,.0f} | {totals['llm_calls']:.1f} "
        f"| {totals['wall_s']:.0f} s |"
    )


def run_setting(name: str, args: argparse.Namespace) -> dict[str, Any] | None:
    out = args.out_dir / f"ablation-{name}.json"
    command = [
        sys.executable,
        "-m",
        "bench.hotpotqa",
        "--data",
        str(args.data),
        "--n",
        str(args.n),
        "--out",
        str(out),
        *SETTINGS[name][1],
    ]
    print(f"== {name}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, check=False)
    print(f"== {name}: exit {done.returncode} after {time.perf_counter() - started:.0f} s", flush=True)
    if not out.exists():
        return None
    return dict(json.loads(out.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out_dir = args.out_dir or default_work_dir(args.data) / "ablation"
    args.out_dir.mkdir(parents=True, exist_ok=True)
    lines = [HEADER, "|---|---|---|---|---|---|---|---|---|"]
    commits: set[str] = set()
    for name in args.settings.split(","):
        results = run_setting(name, args)
        if results is None:
            lines.append(f"| {SETTINGS[name][0]} | no results | | | | | | | |")
            continue
        commits.add(str(results.get("settings", {}).get("commit", "?")))
        lines.append(row(SETTINGS[name][0], results["totals"]))
    print(f"\nfirst {args.n} questions of {args.data.name}, commit(s) {', '.join(sorted(commits))}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
