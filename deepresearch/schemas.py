"""The shared vocabulary: what flows between tools, memory, agents and the report.

Citations are records, not prose. A `Source` has a stable id derived from its normalized URL or file
path, a `Passage` is an exact span of text that was really read from a source, and a `Claim` carries the
passages that support it. Writers number sources locally; a post-pass maps numbers back to source ids and
refuses any number that points nowhere.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import courlan
from pydantic import BaseModel, ConfigDict, Field

from deepresearch.config import Tier

_TRACKING_PARAMS = frozenset(
    {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "ref"}
)
# Characters a path keeps as they are (RFC 3986 pchar but "&"); everything else is percent-encoded. So
# `Einstein_(physicist)` and `Einstein_%28physicist%29` are one page, and every URL of the bundled
# encyclopedia (non-ASCII encoded, punctuation as is, `AT%26T`) keeps the key its index was built with.
_PATH_SAFE = "/:@!$'()*+,;=-._~"


@functools.lru_cache(maxsize=16384)
def normalize_url(url: str) -> str:
    """Canonical form of a web URL, used for identity and deduplication.

    courlan normalizes the scheme, host and path (lower case, punycode, default port dropped, repeated
    slashes and leading `/..` removed); then the path is percent-encoded one way (`_PATH_SAFE`) without a
    trailing slash, the fragment is dropped, and the query keeps every parameter but the tracking ones,
    sorted. The query is not courlan's: its tracker filter is built for crawling and drops any parameter
    that starts like one (`game=`, `reference=`, `source=`), which would give two different pages one id.
    Cached: every researcher step compares the URLs it knows, one researcher at a time on the event loop.
    """
    parts = urlsplit(url.strip())
    try:
        base = urlsplit(courlan.normalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))))
    except ValueError:  # not a URL courlan can parse (a bad IPv6 host): compared as written
        return url.strip()
    path = quote(unquote(base.path), safe=_PATH_SAFE).rstrip("/") or "/"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _TRACKING_PARAMS))
    return urlunsplit((base.scheme, base.netloc, path, query, ""))


def url_key(locator: str) -> str:
    """What identifies a locator: a web URL normalized (`normalize_url`), a local document id as written."""
    return normalize_url(locator) if "://" in locator else locator.strip()


@functools.lru_cache(maxsize=16384)
def source_id_for(locator: str) -> str:
    """Stable id for a URL or a local document id: locators with one `url_key` have one id, in every
    process and every version that keeps `normalize_url`'s output (the local corpus stores these ids)."""
    return "src_" + hashlib.sha256(url_key(locator).encode("utf-8")).hexdigest()[:12]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Document(BaseModel):
    """Text extracted from one page or file, exactly as it was read."""

    url: str
    final_url: str = ""
    title: str = ""
    text: str
    published: str | None = None
    author: str | None = None
    fetched_at: datetime = Field(default_factory=utc_now)
    content_hash: str = ""
    content_type: str = "text/plain"
    licence: str | None = None

    @property
    def source_id(self) -> str:
        return source_id_for(self.url)


class SearchHit(BaseModel):
    """One search result; `url` may be a web URL or a local corpus id."""

    url: str
    title: str = ""
    snippet: str = ""
    provider: str = ""
    rank: int = 0


class Source(BaseModel):
    """A document in the run's source registry: everything a citation may point at."""

    id: str
    url: str
    title: str = ""
    fetched_at: datetime = Field(default_factory=utc_now)
    content_hash: str = ""
    licence: str | None = None
    kind: Literal["web", "local", "corpus"] = "web"

    @classmethod
    def from_document(cls, doc: Document, kind: Literal["web", "local", "corpus"] = "web") -> Source:
        return cls(
            id=doc.source_id,
            url=doc.url,
            title=doc.title,
            fetched_at=doc.fetched_at,
            content_hash=doc.content_hash,
            licence=doc.licence,
            kind=kind,
        )


class Passage(BaseModel):
    """An exact span of a source's text: `text == document.text[start:end]`."""

    model_config = ConfigDict(frozen=True)

    source_id: str
    text: str
    start: int = 0
    end: int = 0
    location: str = ""


class Claim(BaseModel):
    text: str
    passages: list[Passage] = Field(default_factory=list)
    # How much the claim bears on the question, judged by the researcher that found it (which knows why it
    # read the page: a second-hop page is judged against the sentence that led to it too). None: not judged.
    relevance: float | None = None


class ResearchBrief(BaseModel):
    """The question as the agents work on it; the person's original words are always kept beside it."""

    original_question: str
    question: str
    intent: str = ""
    language: str = "en"
    clarifications: list[tuple[str, str]] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)


class ResearchTask(BaseModel):
    id: str
    goal: str
    queries: list[str] = Field(default_factory=list)
    done_when: str = ""
    # The quick path's own limits, kept on the task so a resumed run keeps them: fewer steps than
    # `max_steps`, the fast model tier for its researcher, and claims quoted from the passages read
    # rather than drafted in one more model call.
    max_steps: int | None = None
    model_tier: Tier | None = None
    extractive: bool = False


class Findings(BaseModel):
    """What one researcher brings back: claims tied to passages, plus what it tried."""

    task_id: str
    claims: list[Claim] = Field(default_factory=list)
    queries_tried: list[str] = Field(default_factory=list)
    notes: str = ""
    stopped_by: str | None = None
    # Names the read pages led to and that were followed (the second hop of a multi-hop question): the
    # bridge a question's answer is reached through, not its answer.
    followed: list[str] = Field(default_factory=list)


class Citation(BaseModel):
    number: int
    source_id: str
    url: str
    title: str = ""
    passage: str = ""  # the passage that supports the citing sentences best (shown with the reference)
    # Every passage of this source the report's sentences rest on: one source may back several sentences
    # with different passages, and each sentence is checked against these.
    passages: list[str] = Field(default_factory=list)
    support: float = 0.0
    relevance: float | None = None  # how much its passage bears on the question (None: reports from before)

    @property
    def all_passages(self) -> list[str]:
        return self.passages or [self.passage]


class Usage(BaseModel):
    """Token and call counts; `+` sums them so parallel branches can be reduced."""

    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    # Prompt tokens a model did not evaluate because a cached prefix held them (llama.cpp's saved states, a
    # provider's prompt cache): sent, but not paid for in compute.
    cached_input_tokens: int = 0
    calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            calls=self.calls + other.calls,
        )


class ReportSection(BaseModel):
    """One titled part of a report's markdown (findings, gaps, method, references)."""

    title: str
    markdown: str


StoppedBy = Literal["agents", "rounds", "steps", "tokens", "time", "pages"]


class Report(BaseModel):
    """What a run produces: the cited markdown plus every record needed to review and re-verify it.

    `citations` hold one record per local number `[n]` used in `markdown`; each points at a fetched
    `Source` and the exact passage that supports it. `support_score` is the verifier's deterministic mean
    support (0..1) over cited sentences; `relevance_score` says how much the cited passages bear on
    the question (a quote can be a quote and still be off topic). `stopped_by` names the budget that
    ended research early, if any.
    """

    run_id: str = ""
    question: str
    brief: ResearchBrief | None = None
    markdown: str
    answer: str = ""
    # Self-consistency (samples > 1): the share of short-answer samples that agree with `answer`, and
    # every sample's answer. None / empty when the answer was not voted on or the vote's answer was not used.
    answer_confidence: float | None = None
    answer_samples: list[str] = Field(default_factory=list)
    sections: list[ReportSection] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    stopped_by: StoppedBy | None = None
    limits_hit: list[str] = Field(default_factory=list)
    clarifications: list[tuple[str, str]] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    method_notes: list[str] = Field(default_factory=list)
    support_score: float = 0.0
    # Relevance of the cited passages to the question (embedding similarity, 0..1): the mean, the lowest, and
    # the floor below which no passage was evidence. None in reports written before relevance was measured.
    relevance_score: float | None = None
    lowest_relevance: float | None = None
    relevance_floor: float | None = None
    # Whether support and relevance blended embedding similarity in (a run with no embedding model, such as a
    # test double's, scores words only); `reports verify` scores the same way.
    scored_with_embeddings: bool = True
    # The verifier model whose entailment verdicts entered `support_score` (None: the deterministic score
    # alone); `reports verify --verifier-model` asks one again.
    judged_by: str | None = None
    revisions: int = 0
    is_insufficient_evidence: bool = False
    created_at: datetime = Field(default_factory=utc_now)
