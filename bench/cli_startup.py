"""How fast `deepresearch --help` answers, next to importing langgraph's graph runtime.

Usage: python bench/cli_startup.py [--repeats 7]

`import langgraph` alone loads an empty namespace package (as fast as `python -c pass`), so the fair
comparison is `import langgraph.graph`, the import any command that runs a research pays. The CLI keeps
langgraph, chromadb, playwright and llama.cpp out of start-up; the target is a ratio below 0.5.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def median_seconds(command: list[str], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    cli = shutil.which("deepresearch") or str(__import__("pathlib").Path(sys.executable).parent / "deepresearch")
    figures = {
        "python -c pass": median_seconds([sys.executable, "-c", "pass"], args.repeats),
        'python -c "import langgraph"': median_seconds([sys.executable, "-c", "import langgraph"], args.repeats),
        'python -c "import langgraph.graph"': median_seconds(
            [sys.executable, "-c", "import langgraph.graph"], args.repeats
        ),
        "deepresearch --help": median_seconds([cli, "--help"], args.repeats),
    }
    for name, seconds in figures.items():
        print(f"{name:<38} {seconds * 1000:8.1f} ms")
    ratio = figures["deepresearch --help"] / figures['python -c "import langgraph.graph"']
    print(f"{'--help / import langgraph.graph':<38} {ratio:8.2f}  (target < 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
