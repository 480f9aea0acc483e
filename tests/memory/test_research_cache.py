"""The research cache store: hits by brief similarity on the same corpus, freshness by task age."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from deepresearch.config import load_config
from deepresearch.schemas import Claim, Findings, Passage, ResearchTask, Source
from memory.research_cache import CachedTask, CacheEntry, ResearchCache, age_text, corpus_key

NOW = 1_800_000_000.0
DAY = 86_400.0


def bag_of_words(text: str) -> np.ndarray:
    """A deterministic stand-in embedder: hashed word counts, unit length."""
    vector = np.zeros(256, dtype=np.float32)
    for word in text.lower().replace("?", " ").split():
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % 256] += 1.0
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def cache_at(path: Path, corpus: str = "corpus-a", max_age_s: float = 7 * DAY) -> ResearchCache:
    return ResearchCache(
        path, embed=bag_of_words, corpus=corpus, similarity=0.9, max_age_s=max_age_s, clock=lambda: NOW
    )


def task(number: int, age_days: float, with_claim: bool = True) -> CachedTask:
    passage = Passage(source_id="src_1", text="Cats sleep 12 to 16 hours.", start=0, end=26)
    claims = [Claim(text="Cats sleep 12 to 16 hours.", passages=[passage])] if with_claim else []
    return CachedTask(
        run_id="run-1",
        researched_at=datetime.fromtimestamp(NOW - age_days * DAY, UTC),
        task=ResearchTask(id=f"r1t{number}", goal=f"Goal {number}"),
        findings=Findings(task_id=f"r1t{number}", claims=claims),
    )


def entry(*tasks: CachedTask, brief: str = "How long do cats sleep?") -> CacheEntry:
    source = Source(id="src_1", url="https://example.org/cats")
    return CacheEntry(
        run_id="run-1",
        brief=brief,
        kind="lookup",
        reason="one fact",
        tasks=list(tasks),
        sources={"src_1": source},
        source_texts={"src_1": "Cats sleep 12 to 16 hours."},
    )


def test_a_close_brief_on_the_same_corpus_is_a_hit(tmp_path: Path) -> None:
    cache = cache_at(tmp_path / "cache.sqlite")
    cache.store_sync(entry(task(1, 0.5)))
    hit = cache.lookup_sync("how long do cats sleep")
    assert hit is not None and hit.similarity > 0.99 and hit.entry.run_id == "run-1"
    assert [t.task.id for t in hit.fresh] == ["r1t1"] and not hit.stale
    assert hit.entry.source_texts == {"src_1": "Cats sleep 12 to 16 hours."}


def test_a_different_brief_or_another_corpus_is_a_miss(tmp_path: Path) -> None:
    cache_at(tmp_path / "cache.sqlite").store_sync(entry(task(1, 0.5)))
    assert cache_at(tmp_path / "cache.sqlite").lookup_sync("Why is the sky blue?") is None
    assert cache_at(tmp_path / "cache.sqlite", corpus="corpus-b").lookup_sync("How long do cats sleep?") is None


def test_old_tasks_are_stale_and_an_all_stale_run_is_no_hit(tmp_path: Path) -> None:
    cache = cache_at(tmp_path / "cache.sqlite", max_age_s=2 * DAY)
    cache.store_sync(entry(task(1, 0.5), task(2, 3.0)))
    hit = cache.lookup_sync("How long do cats sleep?")
    assert hit is not None and [t.task.id for t in hit.fresh] == ["r1t1"] and [t.task.id for t in hit.stale] == ["r1t2"]
    old = cache_at(tmp_path / "old.sqlite", max_age_s=2 * DAY)
    old.store_sync(entry(task(1, 3.0)))
    assert old.lookup_sync("How long do cats sleep?") is None


def test_the_closest_brief_wins_and_the_newest_breaks_ties(tmp_path: Path) -> None:
    cache = cache_at(tmp_path / "cache.sqlite")
    cache.store_sync(entry(task(1, 1.0), brief="How long do cats sleep per day?"))
    newer = entry(task(1, 0.1)).model_copy(update={"run_id": "run-2"})
    cache.store_sync(newer)
    cache.store_sync(newer.model_copy(update={"run_id": "run-3"}))
    hit = cache.lookup_sync("How long do cats sleep?")
    assert hit is not None and hit.entry.run_id == "run-3"


def test_the_corpus_key_follows_the_corpus_settings(tmp_path: Path) -> None:
    base = load_config(data_dir=tmp_path, search_providers=["local"])
    assert corpus_key(base) == corpus_key(load_config(data_dir=tmp_path, search_providers=["local"], max_agents=5))
    assert corpus_key(base) != corpus_key(load_config(data_dir=tmp_path, search_providers=["duckduckgo", "local"]))
    assert corpus_key(base) != corpus_key(
        load_config(data_dir=tmp_path, search_providers=["local"], encyclopedia=False)
    )
    assert corpus_key(base) != corpus_key(load_config(data_dir=tmp_path, search_providers=["local"], docs_paths=["x"]))


def test_ages_read_naturally() -> None:
    assert [age_text(s) for s in (5, 600, 5400, 3 * DAY)] == ["5 s", "10 min", "1.5 h", "3.0 days"]
