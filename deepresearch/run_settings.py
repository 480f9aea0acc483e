"""The per-run settings: defined once, as the fields of `ResearchConfig` marked `PER_RUN`, and used four ways.

- `deepresearch ask` has an option for each (`deepresearch.cli_options`);
- `research()` / `aresearch()` take each as a keyword argument (`with_run_settings`);
- a LangGraph server accepts them as a run's context (`RunSettings`, the served graph's context schema);
- the remote client sends the ones the caller chose with the run (`chosen_run_settings`).

A setting added to `ResearchConfig` with `PER_RUN` reaches all four; nothing else lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from deepresearch.config import PER_RUN, ROLES, ResearchConfig, invalid_settings, load_config
from deepresearch.errors import ConfigError

RUN_SETTINGS: tuple[str, ...] = tuple(
    name for name, field in ResearchConfig.model_fields.items() if PER_RUN in field.metadata
)


def describe(name: str) -> str:
    """What setting `name` does, in a few words (a role's own setting says which role it is for)."""
    own = ResearchConfig.model_fields[name].description
    if own:
        return own
    role, _, shared = name.partition("_")
    if role in ROLES and shared in ResearchConfig.model_fields:
        return f"{shared}, for the {role} only"
    raise ValueError(f"per-run setting {name} has no description: give its field one (it is the option's help)")


class RunSettings(BaseModel):
    """Per-run settings a client sends with a run: every field unset unless chosen. Fields are added from
    `RUN_SETTINGS` below (`ServerRunSettings`); unknown names are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def chosen(self) -> dict[str, Any]:
        """The settings the client set (unset ones come from the server's environment and defaults)."""
        return self.model_dump(exclude_none=True)


def _unset_by_default(name: str) -> Any:
    """Setting `name`'s type and constraints, optional and unset by default."""
    field = ResearchConfig.model_fields[name]
    optional: Any = cast(Any, field.annotation) | None
    constraints = [item for item in field.metadata if item is not PER_RUN]
    annotation = Annotated[optional, *constraints] if constraints else optional
    return annotation, Field(default=None, description=describe(name))


_FIELDS: dict[str, Any] = {name: _unset_by_default(name) for name in RUN_SETTINGS}
# The class a served graph validates a run's context with.
ServerRunSettings: type[RunSettings] = create_model("ServerRunSettings", __base__=RunSettings, **_FIELDS)


def chosen_run_settings(config: ResearchConfig) -> dict[str, Any]:
    """The per-run settings `config` sets (explicitly or through this machine's environment), as a client
    sends them with a run; everything else is the server's."""
    return {name: getattr(config, name) for name in RUN_SETTINGS if name in config.model_fields_set}


def with_run_settings(config: ResearchConfig | None, settings: Mapping[str, Any]) -> ResearchConfig:
    """`config` (default: the environment's) with the per-run `settings` given to one call (None: not
    given), checked like any setting; a name that is not a per-run setting is a `ConfigError`."""
    unknown = sorted(set(settings) - set(RUN_SETTINGS))
    if unknown:
        raise ConfigError(f"not a per-run setting: {', '.join(unknown)} (per-run settings: {', '.join(RUN_SETTINGS)})")
    given = {name: value for name, value in settings.items() if value is not None}
    if config is None:
        return load_config(**given)
    if not given:
        return config
    try:
        checked = ResearchConfig.model_validate(given)  # the settings' own validators and limits, no env
    except ValidationError as error:
        raise invalid_settings(error) from None
    return config.model_copy(update={name: getattr(checked, name) for name in given})
