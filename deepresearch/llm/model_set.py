"""The models of one run: a handle per role, each with its fallbacks, sharing one ledger and one gate
per provider.

Tests pass their own `builder` (or `overrides` per role) to inject scripted models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from langchain_core.language_models import BaseChatModel

from deepresearch.config import EMBEDDED_MODEL, ROLES, ResearchConfig, Role, Tier
from deepresearch.llm.call_settings import CallSettings, Candidate
from deepresearch.llm.gate import ProviderGate, provider_key
from deepresearch.llm.handle import ChatModelHandle
from deepresearch.llm.profiles import profile_for
from deepresearch.llm.providers import BuiltModel, ModelSpec, build_model, parse_spec
from deepresearch.llm.usage import UsageLedger
from deepresearch.progress import EventSink, ignore_event

ModelBuilder = Callable[[str, ResearchConfig, Role], BuiltModel]


class ModelSet:
    """The models of one run, one handle per role, sharing one usage ledger and the providers' gates.

    The setting `stream_reasoning` asks for reasoning as it streams (`llm.reasoning.delta` events); the whole
    reasoning of every call is an `llm.reasoning` event either way.
    """

    def __init__(
        self,
        config: ResearchConfig,
        *,
        ledger: UsageLedger | None = None,
        events: EventSink = ignore_event,
        builder: ModelBuilder = build_model,
        overrides: dict[str, BaseChatModel] | None = None,
    ) -> None:
        self.config = config
        self.ledger = ledger or UsageLedger(config.max_tokens)
        self.events = events
        self.builder = builder
        self.overrides = overrides or {}
        self.settings = CallSettings.from_config(config)
        self.gates: dict[str, ProviderGate] = {}
        self._handles: dict[tuple[str, Tier | None, int | None], ChatModelHandle] = {}

    def validate(self, roles: Sequence[Role]) -> None:
        """Build every role's model (and fallbacks) up front so bad settings fail before any work starts."""
        for role in roles:
            self.for_role(role)

    def spec_for(self, role: Role, tier: Tier | None = None) -> str:
        """The `provider:model` string `role` is built from (overrides aside), on `tier` if one is given."""
        return self.config.model_for(role, tier) or EMBEDDED_MODEL

    @property
    def uses_embedded(self) -> bool:
        return any(
            role not in self.overrides and parse_spec(self.config.model_for(role)).provider == "embedded"
            for role in ROLES
        )

    def gate_for(self, spec: ModelSpec) -> ProviderGate:
        """The gate of `spec`'s provider: every role's calls to one provider share its limits."""
        key = provider_key(spec, self.config)
        if key not in self.gates:
            self.gates[key] = ProviderGate(
                key, max_in_flight=self.config.llm_concurrency, requests_per_minute=self.config.llm_requests_per_minute
            )
        return self.gates[key]

    def for_role(self, role: Role, tier: Tier | None = None, *, output_tokens: int | None = None) -> ChatModelHandle:
        """`role`'s model. `tier` asks for that tier's model instead of the role's usual one (a role's own
        `<role>_model` still wins): the quick path runs its researcher on the fast tier. `output_tokens` asks
        for replies that long instead of `max_output_tokens` (a report's budget per depth,
        `agents.report_scope`): the models are built with that answer limit, plus the thinking allowance
        their profile needs, and the budget check reserves it per call. Nothing here changes what another
        branch of the run gets."""
        key = (role, tier, output_tokens)
        if key not in self._handles:
            config = self.config
            settings = self.settings
            if output_tokens is not None:
                config = config.model_copy(update={"max_output_tokens": output_tokens})
                settings = replace(settings, reply_allowance=output_tokens)
            if role in self.overrides:
                spec = parse_spec("scripted:override")
                profile = profile_for(role, spec.provider, spec.model, config)
                models = [BuiltModel(self.overrides[role], spec, profile)]
            else:
                specs = [self.spec_for(role, tier), *self.config.fallbacks_for(role)]
                models = [self.builder(spec, config, role) for spec in dict.fromkeys(specs)]
            first, *rest = models
            self._handles[key] = ChatModelHandle(
                role,
                first,
                ledger=self.ledger,
                events=self.events,
                settings=settings,
                gate=self.gate_for(first.spec),
                fallbacks=[Candidate(model, self.gate_for(model.spec)) for model in rest],
            )
        return self._handles[key]
