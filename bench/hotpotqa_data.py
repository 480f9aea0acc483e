"""Reading a HotpotQA-format question file (layout in ../shared/data/README.md) for the benches.

Every question's context paragraphs are pooled into ONE corpus: one `Document` per title, its URL the
title's Wikipedia URL, its text the title's sentences joined. Both `bench/retrieval.py` and
`bench/hotpotqa.py` index exactly these documents.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from deepresearch.schemas import Document
from memory.encyclopedia import wikipedia_url

LICENCE = "CC BY-SA 4.0"


@dataclass(frozen=True)
class Question:
    """One question: its text, gold answer and the titles of its gold (`supporting_facts`) paragraphs."""

    number: int
    text: str
    answer: str
    type: str
    level: str
    gold_titles: tuple[str, ...]

    @property
    def gold_urls(self) -> frozenset[str]:
        return frozenset(wikipedia_url(title) for title in self.gold_titles)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (names caches built from it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(path: Path) -> tuple[list[Document], list[Question]]:
    """The pooled corpus (one document per title, first occurrence wins) and the questions, in file order."""
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    docs: dict[str, Document] = {}
    questions = []
    for number, record in enumerate(records, start=1):
        context = record["context"]
        for title, sentences in zip(context["title"], context["sentences"], strict=True):
            url = wikipedia_url(title)
            if url not in docs:
                text = "".join(sentences).strip()
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                docs[url] = Document(url=url, title=title, text=text, licence=LICENCE, content_hash=digest)
        questions.append(
            Question(
                number=number,
                text=record["question"],
                answer=record["answer"],
                type=record.get("type", ""),
                level=record.get("level", ""),
                gold_titles=tuple(dict.fromkeys(record["supporting_facts"]["title"])),
            )
        )
    return list(docs.values()), questions


def save_results(out: Path, header: dict[str, Any], totals: dict[str, Any], results: list[dict[str, Any]]) -> None:
    """The results file, rewritten after every question so a run cut short still leaves its figures."""
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {**header, "totals": totals, "questions": results}
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


Results = list[dict[str, Any]]


async def run_and_report(
    jobs: Iterable[Callable[[], Awaitable[dict[str, Any]]]],
    shown: Callable[[dict[str, Any]], str],
    totals: Callable[[Results], dict[str, Any]],
    total_lines: Callable[[dict[str, Any]], list[str]],
    saved: tuple[Path, dict[str, Any]],
) -> Results:
    """Each job in turn, its line printed and the results file saved after it, then the totals printed."""
    out, header = saved
    results: Results = []
    for job in jobs:
        results.append(await job())
        print(shown(results[-1]), flush=True)
        save_results(out, header, totals(results), results)
    print("\ntotals")
    print("\n".join(total_lines(totals(results))))
    print(f"results: {out}")
    return results


Args = TypeVar("Args")


def offline_main(
    run: Callable[[Args], Awaitable[int]], parse_args: Callable[[list[str] | None], Args], argv: list[str] | None
) -> int:
    """The QA benches' entry point: the embedding model is loaded from the local cache only, never fetched."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return asyncio.run(run(parse_args(argv)))
