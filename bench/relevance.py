"""Calibrating the relevance floor: how on-topic and off-topic passages score, on two kinds of data.

    python -m bench.relevance --data ../shared/data/hotpotqa_dev_distractor_60.json [--questions FILE]

Relevance (`agents.relevance.RelevanceJudge`) is the embedding similarity of a source's title plus a passage
to the question. Two labelled sets:
- the QA file: each question's gold paragraphs (its `supporting_facts` titles) against its distractors,
  which were chosen for sharing words with the question, so they are hard negatives;
- the open questions over the bundled encyclopedia: for each question the 15 best articles of a hybrid
  search, split into those on the question's hand-made list and the rest.

Printed: for each candidate floor, the share of on-topic passages kept and of off-topic ones kept, on each
set; and the same for content-word overlap and a blend, to show why the floor is on the embedding alone.
The floor is chosen to keep about 95% of on-topic passages on both sets (the setting `relevance_floor`);
it removes what plainly does not bear on the question, and ranking does the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents.relevance import RelevanceJudge  # noqa: E402
from bench.hotpotqa_data import offline_main  # noqa: E402
from deepresearch.config import load_config  # noqa: E402
from deepresearch.text import content_token_set  # noqa: E402

FLOORS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
Labelled = list[tuple[str, str, str, bool]]  # question, title, text, on topic


def _hotpotqa(path: Path) -> Labelled:
    items: Labelled = []
    for question in json.loads(path.read_text(encoding="utf-8")):
        gold = set(question["supporting_facts"]["title"])
        for title, sentences in zip(question["context"]["title"], question["context"]["sentences"], strict=True):
            items.append((question["question"], title, "".join(sentences), title in gold))
    return items


def _open_questions(path: Path) -> Labelled:
    from memory.encyclopedia import open_encyclopedia

    corpus = open_encyclopedia(load_config())
    items: Labelled = []
    for item in json.loads(path.read_text(encoding="utf-8"))["questions"]:
        for ranked in corpus.search(item["question"], limit=15):
            items.append((item["question"], ranked.title, ranked.best_chunk.text, ranked.title in item["titles"]))
    return items


def _similarity() -> Callable[[str, str], float]:
    from memory.embeddings import shared_embedder

    embedder = shared_embedder()
    return lambda a, b: float(embedder.embed_one(a) @ embedder.embed_one(b))


def _overlap(question: str, title: str, text: str) -> float:
    wanted = content_token_set(question)
    return len(wanted & content_token_set(f"{title}\n{text}")) / len(wanted) if wanted else 0.0


def _table(name: str, items: Labelled, score: Callable[[str, str, str], float]) -> list[str]:
    scored = [(score(q, title, text), on_topic) for q, title, text, on_topic in items]
    on = [s for s, is_on in scored if is_on]
    off = [s for s, is_on in scored if not is_on]
    pairs = sum(a > b for a in on for b in off)
    lines = [f"  {name}: {len(on)} on topic, {len(off)} off topic; AUC {pairs / (len(on) * len(off)):.3f}"]
    for floor in FLOORS:
        kept_on = sum(s >= floor for s in on) / len(on)
        kept_off = sum(s >= floor for s in off) / len(off)
        lines.append(f"    floor {floor:.2f}: on topic kept {kept_on:.3f}, off topic kept {kept_off:.3f}")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a HotpotQA-format JSON file")
    parser.add_argument("--questions", type=Path, default=Path(__file__).resolve().parent / "open_questions.json")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    similarity = _similarity()

    def embedding(question: str, title: str, text: str) -> float:
        return RelevanceJudge(question, similarity, 0.0).score(text, title)

    def blend(question: str, title: str, text: str) -> float:
        return 0.7 * embedding(question, title, text) + 0.3 * _overlap(question, title, text)

    print(f"relevance floor in use: {load_config().relevance_floor}")
    for name, items in (
        ("QA gold vs distractors", _hotpotqa(args.data)),
        ("open questions: listed vs other top-15 articles", _open_questions(args.questions)),
    ):
        print(name)
        for scorer_name, scorer in (("embedding", embedding), ("word overlap", _overlap), ("0.7/0.3 blend", blend)):
            print("\n".join(_table(scorer_name, items, scorer)))
    return 0


def main(argv: list[str] | None = None) -> int:
    return offline_main(run, parse_args, argv)


if __name__ == "__main__":
    raise SystemExit(main())
