from __future__ import annotations

from pathlib import Path

from deepresearch.config import ResearchConfig
from deepresearch.progress import EventRecorder
from deepresearch.schemas import Document
from memory.page_cache import CacheStats, PageCache

DOC = Document(url="https://example.org/a?utm_source=x", final_url="https://example.org/b", text="hello", title="A")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_hit_miss_and_ttl(tmp_path: Path) -> None:
    clock, events = FakeClock(), EventRecorder()
    cache = PageCache(tmp_path / "pages.sqlite", ttl_s=60, emit=events, clock=clock)
    assert await cache.get("https://example.org/a") is None
    await cache.put(DOC)
    cached = await cache.get("https://example.org/a#section")
    assert cached is not None and cached.text == "hello"
    assert await cache.get("https://example.org/b") is not None  # the final URL is a key too
    clock.now += 61
    assert await cache.get("https://example.org/a") is None
    assert cache.stats == CacheStats(hits=2, misses=2)
    assert events.kinds() == ["cache.miss", "cache.hit", "cache.hit", "cache.miss"]
    assert cache.purge_expired() == 2


async def test_persists_across_instances_and_uses_config(tmp_path: Path) -> None:
    config = ResearchConfig(data_dir=tmp_path, page_cache_ttl_s=3600)
    await PageCache.from_config(config).put(DOC)
    again = PageCache.from_config(config)
    assert (await again.get("https://example.org/a")) == DOC
    assert again.stats == CacheStats(hits=1, misses=0)


async def test_zero_ttl_disables_reuse(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages.sqlite", ttl_s=0)
    await cache.put(DOC)
    assert await cache.get(DOC.url) is None
