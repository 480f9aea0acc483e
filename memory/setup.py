"""Build the local indexes once, at install time: `python -m memory.setup`.

Builds (or brings up to date) the bundled encyclopedia index in the library directory
(`DEEPRESEARCH_LIBRARY_DIR`, default `<data dir>/library`) and, if `DEEPRESEARCH_DOCS_PATHS` is set,
the index of the user's documents. Nothing here uses the network. Re-running is cheap: unchanged
articles and files are skipped by content hash.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from deepresearch.config import load_config
from memory.encyclopedia import build_encyclopedia
from memory.local_search import index_configured_docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m memory.setup", description=__doc__.splitlines()[0])
    parser.add_argument("--library-dir", type=Path, help="where to build the indexes (overrides the setting)")
    parser.add_argument("--skip-encyclopedia", action="store_true", help="only index DEEPRESEARCH_DOCS_PATHS")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    config = load_config(library_dir=args.library_dir)
    print(f"library: {config.library_path}")
    if not args.skip_encyclopedia:
        started = time.perf_counter()
        report = build_encyclopedia(config)
        print(
            f"encyclopedia: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.chunks} chunks embedded in {time.perf_counter() - started:.1f} s"
        )
    if config.docs_paths:
        started = time.perf_counter()
        report = index_configured_docs(config)
        print(
            f"documents: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.removed} removed, {len(report.skipped)} skipped "
            f"in {time.perf_counter() - started:.1f} s"
        )
        for reason in report.skipped:
            print(f"  skipped {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
