"""Settings, decided in one place: explicit argument > environment (DEEPRESEARCH_*) > .env > default.

A run receives one frozen `ResearchConfig`. Every field here is documented in `.env.example`; a test keeps
the two in step. Provider keys also accept the variable names their vendors document (OPENAI_API_KEY, ...)
so a user who already has them set does not need to repeat them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from deepresearch.errors import ConfigError

Role = Literal["rewriter", "clarifier", "manager", "researcher", "summarizer", "verifier"]
ROLES: tuple[Role, ...] = ("rewriter", "clarifier", "manager", "researcher", "summarizer", "verifier")

Tier = Literal["fast", "reasoning"]
ReasoningEffort = Literal["minimal", "low", "medium", "high"]
# How far a run researches: the quick path, the standard graph, or every agent on every question.
Depth = Literal["quick", "standard", "deep"]
# Which model tier each role uses when it has no `<role>_model` of its own. Short, bounded decisions
# (rewrite, clarify, plan/review, judge) take the fast tier; the work that reads and writes at length takes
# the reasoning tier. The quick path of a simple lookup moves the researcher to the fast tier too.
ROLE_TIERS: dict[Role, Tier] = {
    "rewriter": "fast",
    "clarifier": "fast",
    "manager": "fast",
    "verifier": "fast",
    "researcher": "reasoning",
    "summarizer": "reasoning",
}

EMBEDDED_MODEL = "embedded:smollm2-135m"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "deepresearch"


def _env_alias(name: str, *vendor_names: str) -> Any:
    return AliasChoices(f"DEEPRESEARCH_{name.upper()}", name, *vendor_names)


CommaList = Annotated[list[str], NoDecode]


class PerRun:
    """Marks a setting a run may choose for itself (`Annotated[type, PER_RUN]`): `deepresearch ask` has an
    option for it, `research()` takes it as a keyword, and a client of a LangGraph server sends it with the
    run (`deepresearch.run_settings`). Keys, URLs, paths and anything of the machine's are never per run."""

    def __repr__(self) -> str:
        return "PER_RUN"


PER_RUN = PerRun()


class ResearchConfig(BaseSettings):
    """Everything a run needs to know, frozen for the run's lifetime."""

    model_config = SettingsConfigDict(
        env_prefix="DEEPRESEARCH_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    # Models: one default for every role, each role overridable ("provider:model").
    model: Annotated[str, PER_RUN] = Field(default=EMBEDDED_MODEL, description="provider:model for every role")
    rewriter_model: Annotated[str | None, PER_RUN] = None
    clarifier_model: Annotated[str | None, PER_RUN] = None
    manager_model: Annotated[str | None, PER_RUN] = None
    researcher_model: Annotated[str | None, PER_RUN] = None
    summarizer_model: Annotated[str | None, PER_RUN] = None
    verifier_model: Annotated[str | None, PER_RUN] = None
    # Fallback models per role, tried in order when every attempt at the role's own model fails
    # (deepresearch.llm.handle): a comma-separated list of provider:model, for every role or for one.
    fallback_models: CommaList = Field(default_factory=list)
    rewriter_fallback_models: CommaList | None = None
    clarifier_fallback_models: CommaList | None = None
    manager_fallback_models: CommaList | None = None
    researcher_fallback_models: CommaList | None = None
    summarizer_fallback_models: CommaList | None = None
    verifier_fallback_models: CommaList | None = None
    temperature: Annotated[float, PER_RUN] = Field(
        default=0.2, ge=0.0, le=2.0, description="sampling temperature of every call"
    )
    max_output_tokens: int = Field(default=1024, ge=16)
    # Seconds one model call may take in all, thinking included (reasoning models think for minutes).
    llm_timeout_s: float = Field(default=600.0, gt=0)
    # Seconds a provider may stay silent (no byte of a streamed reply) before the call is a timeout.
    llm_read_timeout_s: float = Field(default=120.0, gt=0)
    llm_max_retries: int = Field(default=3, ge=0, le=10)
    # Calls in flight to one provider at once (all roles of a run share it), and starts per minute
    # (unset: no pacing). A 429's Retry-After pauses every call to that provider, not only the one refused.
    llm_concurrency: int = Field(default=8, ge=1, le=64)
    llm_requests_per_minute: float | None = Field(default=None, gt=0)
    # Seconds a provider that failed every retry is skipped (its calls go straight to the fallback models).
    llm_cooldown_s: float = Field(default=60.0, ge=0)
    # Reasoning, per role in each provider's own terms (deepresearch.llm.providers): OpenAI and compatible
    # servers take the effort as `reasoning_effort`, Anthropic as its effort setting; the thinking budget is
    # Anthropic's `budget_tokens` and OpenRouter's `reasoning.max_tokens`. Unset: the model's default.
    reasoning_effort: Annotated[ReasoningEffort | None, PER_RUN] = Field(
        default=None,
        description="how hard reasoning models think: minimal, low, medium or high (unset: the model's default)",
    )
    rewriter_reasoning_effort: Annotated[ReasoningEffort | None, PER_RUN] = None
    clarifier_reasoning_effort: Annotated[ReasoningEffort | None, PER_RUN] = None
    manager_reasoning_effort: Annotated[ReasoningEffort | None, PER_RUN] = None
    researcher_reasoning_effort: Annotated[ReasoningEffort | None, PER_RUN] = None
    summarizer_reasoning_effort: Annotated[ReasoningEffort | None, PER_RUN] = None
    verifier_reasoning_effort: Annotated[ReasoningEffort | None, PER_RUN] = None
    thinking_budget_tokens: Annotated[int | None, PER_RUN] = Field(
        default=None, ge=1024, description="tokens a reasoning model may think per call (Anthropic, OpenRouter)"
    )
    rewriter_thinking_budget_tokens: Annotated[int | None, PER_RUN] = Field(default=None, ge=1024)
    clarifier_thinking_budget_tokens: Annotated[int | None, PER_RUN] = Field(default=None, ge=1024)
    manager_thinking_budget_tokens: Annotated[int | None, PER_RUN] = Field(default=None, ge=1024)
    researcher_thinking_budget_tokens: Annotated[int | None, PER_RUN] = Field(default=None, ge=1024)
    summarizer_thinking_budget_tokens: Annotated[int | None, PER_RUN] = Field(default=None, ge=1024)
    verifier_thinking_budget_tokens: Annotated[int | None, PER_RUN] = Field(default=None, ge=1024)
    # A cap on one call's thinking, enforced on the stream whatever the provider: past it the reply is cut
    # and the model is asked once to answer without more thought (deepresearch.llm.streaming).
    thinking_cap_tokens: Annotated[int | None, PER_RUN] = Field(
        default=None, ge=1, description="cut one call's thinking past this many tokens, whatever the provider"
    )
    thinking_cap_s: Annotated[float | None, PER_RUN] = Field(
        default=None, gt=0, description="cut one call's thinking past this many seconds, whatever the provider"
    )
    # Emit live reasoning deltas in every run, not only when a caller asks (--show-thinking, show_reasoning):
    # set it on a LangGraph server so that `--server ... --show-thinking` clients see reasoning as it comes.
    stream_reasoning: Annotated[bool, PER_RUN] = Field(
        default=False, description="stream the models' reasoning as it comes in every run (on a server: to its clients)"
    )
    structured_attempts: int = Field(default=3, ge=1, le=10)
    structured_method: Literal["auto", "native", "json_mode", "prompt"] = "auto"
    # Model profiles (deepresearch.llm.profiles): JSON overrides of what the defaults say about a model, for
    # every role or for one, e.g. '{"weak": true}' or '{"native_tools": false}'.
    profile: dict[str, Any] = Field(default_factory=dict)
    rewriter_profile: dict[str, Any] | None = None
    clarifier_profile: dict[str, Any] | None = None
    manager_profile: dict[str, Any] | None = None
    researcher_profile: dict[str, Any] | None = None
    summarizer_profile: dict[str, Any] | None = None
    verifier_profile: dict[str, Any] | None = None

    # Providers. Keys are secrets: they never reach reports, traces or logs.
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env_alias("openai_api_key", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(default=None, validation_alias=_env_alias("openai_base_url", "OPENAI_BASE_URL"))
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env_alias("anthropic_api_key", "ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = None
    ollama_base_url: str = "http://127.0.0.1:11434"
    deepseek_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env_alias("deepseek_api_key", "DEEPSEEK_API_KEY")
    )
    deepseek_base_url: str | None = None

    # Embedded model (llama.cpp in-process).
    embedded_model_path: Path | None = None
    embedded_threads: int | None = Field(default=None, ge=1)
    embedded_context: int = Field(default=8192, ge=512)
    # RAM for saved prompt states of the embedded model, so interleaved researchers each resume from their
    # longest evaluated prefix instead of re-reading their whole prompt (0: off).
    embedded_state_cache_mb: int = Field(default=1024, ge=0)

    # Search.
    search_providers: Annotated[CommaList, PER_RUN] = Field(
        default_factory=lambda: ["duckduckgo", "local"],
        description="search providers in order, comma-separated, e.g. searxng,local",
    )
    tavily_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env_alias("tavily_api_key", "TAVILY_API_KEY")
    )
    tavily_base_url: str = "https://api.tavily.com"
    brave_api_key: SecretStr | None = Field(default=None, validation_alias=_env_alias("brave_api_key", "BRAVE_API_KEY"))
    brave_base_url: str = "https://api.search.brave.com"
    searxng_url: str | None = None
    search_max_results: int = Field(default=5, ge=1, le=50)
    # Top results of each of the model's searches read in the same step (0: only what it asks to read);
    # unset: 3 for a weak model, 0 for any other (it opens what it chooses).
    read_per_search: int | None = Field(default=None, ge=0, le=10)
    # The evidence floor, for every model: pages each researcher reads for its task before its model chooses
    # anything, and names from them followed with one more search each (the second hop).
    floor_reads: int = Field(default=4, ge=0, le=20)
    follow_leads: int = Field(default=3, ge=0, le=10)
    # Passages less similar than this to the question (or their task) are not evidence (bench/relevance.py).
    relevance_floor: float = Field(default=0.25, ge=0.0, le=1.0)
    search_cooldown_s: float = Field(default=60.0, ge=0)

    # Fetch, browser and URL policy.
    fetch_timeout_s: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, ge=1024)
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    allow_hosts: CommaList = Field(default_factory=list)
    page_chars: int = Field(default=6000, ge=500)
    browser_path: Path | None = None
    browser_cdp_url: str | None = None
    browser_pages: int = Field(default=2, ge=1, le=8)
    browser_timeout_s: float = Field(default=20.0, gt=0)
    browser_max_bytes: int = Field(default=10_000_000, ge=1024)  # all a page loads, and its rendered HTML
    # Seconds a tool call may run past its own timeout (extraction, queueing) before it is cut off.
    tool_timeout_margin_s: float = Field(default=10.0, ge=0)

    # Budgets: hard limits, enforced.
    max_agents: Annotated[int, PER_RUN] = Field(default=3, ge=1, le=16, description="most researchers at once")
    max_rounds: Annotated[int, PER_RUN] = Field(default=2, ge=1, le=10, description="most research rounds")
    max_steps: Annotated[int, PER_RUN] = Field(default=8, ge=1, le=100, description="most steps per researcher")
    max_tokens: Annotated[int, PER_RUN] = Field(default=200_000, ge=1, description="token budget of the run")
    max_time_s: Annotated[float, PER_RUN] = Field(
        default=900.0,
        gt=0,
        description="research-time budget in seconds; a resumed run counts the time it already spent",
    )
    max_pages: Annotated[int, PER_RUN] = Field(
        default=30, ge=1, description="page budget of the run; a resumed run counts the pages it already read"
    )
    max_revisions: Annotated[int, PER_RUN] = Field(default=2, ge=0, le=10, description="most revisions of the report")

    # Run behaviour.
    clarify: Annotated[bool, PER_RUN] = Field(
        default=True, description="ask clarifying questions (off: record assumptions instead)"
    )
    # Unset: the router sizes each question (standard when the router is off); set: it decides, not the router.
    depth: Annotated[Depth | None, PER_RUN] = Field(
        default=None, description="quick, standard or deep (unset: the router sizes each question)"
    )

    # Difficulty routing and the research cache (README: Inference-time scaling).
    # provider:model of the fast tier (ROLE_TIERS); empty: `model`
    fast_model: Annotated[str, PER_RUN] = Field(
        default="", description="provider:model of the fast tier (rewrite, clarify, plan, judge); empty: model"
    )
    # provider:model of the reasoning tier; empty: `model`
    reasoning_model: Annotated[str, PER_RUN] = Field(
        default="", description="provider:model of the reasoning tier (research, writing); empty: model"
    )
    # simple lookups take the quick path: one researcher, one search step, one round, fast model
    router: Annotated[bool, PER_RUN] = Field(default=True, description="send simple lookups down the quick path")
    research_cache: bool = False  # reuse a close earlier brief's fresh findings; research only what is missing
    research_cache_similarity: float = Field(default=0.9, ge=0.0, le=1.0)  # brief embedding cosine for a hit
    research_cache_max_age_s: float = Field(default=604_800.0, ge=0)  # cached findings older than this are redone

    # Inference-time scaling (each switchable, each measured by bench/hotpotqa.py).
    samples: int = Field(default=1, ge=1, le=16)  # short-answer samples; the normalized majority wins
    sample_temperature: float = Field(default=0.8, gt=0.0, le=2.0)  # for samples and for drafts beyond one
    min_agreement: float = Field(default=0.5, ge=0.0, le=1.0)  # below it: one more research round, budget allowing
    # Below this citation support (or below min_agreement), a summary the fast tier wrote on the quick path is
    # written again, once, on the reasoning tier, when the tiers' models differ (agents.escalation).
    min_support: float = Field(default=0.5, ge=0.0, le=1.0)
    drafts: int = Field(default=1, ge=1, le=8)  # best-of-N report drafts; revisions off unless max_revisions is set
    prompt_style: Literal["plain", "cot", "fewshot"] = "plain"  # researcher and summarizer prompt technique

    # Research graph.
    services_factory: str | None = None  # "package.module:function" building a run's tools and memory
    checkpoint_db: Path | None = None  # SQLite checkpoints; default <data_dir>/checkpoints.sqlite
    # Postgres checkpoints shared by several workers (postgresql://user:password@host:5432/db); wins over
    # checkpoint_db when set. A secret: it may hold a password.
    checkpoint_url: SecretStr | None = None

    # Storage.
    data_dir: Path = Field(default_factory=default_data_dir)
    chroma_url: str | None = None
    page_cache_ttl_s: float = Field(default=86_400.0, ge=0)
    docs_paths: CommaList = Field(default_factory=list)
    library_dir: Path | None = None
    encyclopedia: bool = True
    embedding_batch_size: int = Field(default=32, ge=1, le=512)
    embedding_threads: int | None = Field(default=None, ge=1)
    chunk_chars: int = Field(default=1000, ge=200)
    chunk_overlap_chars: int = Field(default=150, ge=0)

    # Client of a LangGraph server: runs go to the server at this URL instead of running in this process.
    server_url: str | None = None

    # `deepresearch serve` (the review pages) and `deepresearch mcp --http`. Listening beyond loopback needs
    # the token, a secret: every request must then carry it (cookie after `?token=`, or a bearer header).
    serve_host: str = "127.0.0.1"
    serve_port: int = Field(default=8765, ge=1, le=65535)
    serve_token: SecretStr | None = None

    @field_validator("depth", "read_per_search", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator(
        "search_providers",
        "allow_hosts",
        "docs_paths",
        "fallback_models",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator(*(f"{role}_fallback_models" for role in ROLES), mode="before")
    @classmethod
    def _role_list_or_unset(cls, value: Any) -> Any:
        """A role's list: empty means unset (the shared list applies), not "no fallbacks"."""
        listed = cls._split_commas(value)
        return listed or None

    def model_for(self, role: Role, tier: Tier | None = None) -> str:
        """The `provider:model` string a role uses: its own `<role>_model`, else the model of `tier` (default:
        the role's tier in `ROLE_TIERS`), else the shared default `model`."""
        specific: str | None = getattr(self, f"{role}_model")
        tier_model = self.fast_model if (tier or ROLE_TIERS[role]) == "fast" else self.reasoning_model
        return specific or tier_model or self.model

    def reasoning_effort_for(self, role: Role | None) -> ReasoningEffort | None:
        """`role`'s reasoning effort: its own setting, else the shared one."""
        own: ReasoningEffort | None = getattr(self, f"{role}_reasoning_effort") if role else None
        return own or self.reasoning_effort

    def thinking_budget_for(self, role: Role | None) -> int | None:
        """`role`'s thinking budget in tokens: its own setting, else the shared one."""
        own: int | None = getattr(self, f"{role}_thinking_budget_tokens") if role else None
        return own or self.thinking_budget_tokens

    def fallbacks_for(self, role: Role) -> list[str]:
        """The `provider:model` strings `role` falls back to, in order: its own list, else the shared one."""
        own: list[str] | None = getattr(self, f"{role}_fallback_models")
        return list(own if own is not None else self.fallback_models)

    def public_dict(self) -> dict[str, Any]:
        """Settings safe to write to disk or print: secrets masked."""
        data = self.model_dump(mode="json")
        for name, value in list(data.items()):
            if isinstance(getattr(self, name), SecretStr) and value:
                data[name] = "***"
        return data

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def checkpoint_path(self) -> Path:
        return self.checkpoint_db or self.data_dir / "checkpoints.sqlite"

    @property
    def library_path(self) -> Path:
        """Built indexes shared by every run (the bundled encyclopedia, the user's documents)."""
        return self.library_dir or self.data_dir / "library"


def load_config(**overrides: Any) -> ResearchConfig:
    """Build the run's config; explicit overrides win over the environment, which wins over defaults.

    `None` overrides are ignored so callers can pass optional CLI flags straight through. Invalid values
    raise `ConfigError` with a message naming the setting.
    """
    explicit = {key: value for key, value in overrides.items() if value is not None}
    try:
        return ResearchConfig(**explicit)
    except ValidationError as exc:
        raise invalid_settings(exc) from None


def invalid_settings(error: ValidationError) -> ConfigError:
    """A validation error as the one-line `ConfigError` that names each bad setting."""
    problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}" for err in error.errors())
    return ConfigError(f"invalid settings: {problems}")
