"""`deepresearch ask`'s options for the per-run settings, made from their one definition.

One option per setting in `deepresearch.run_settings.RUN_SETTINGS`, named after it (`--max-rounds`,
`--researcher-reasoning-effort`), with its description as help: a yes/no setting is a pair
(`--clarify/--no-clarify`), a setting with fixed choices offers them, a list is comma-separated. Typer reads a
command's options from its signature, so `with_run_setting_options` writes them into the signature; the
command receives them in `**settings`, None for every option not given.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import typer

from deepresearch.config import ResearchConfig
from deepresearch.run_settings import RUN_SETTINGS, describe

# Options whose names are shorter than their setting's, kept from before the options were derived.
FLAG_NAMES = {"search_providers": "--search", "max_time_s": "--max-time"}


def flag_for(name: str) -> str:
    """The command-line option of per-run setting `name`."""
    return FLAG_NAMES.get(name, "--" + name.replace("_", "-"))


def with_run_setting_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command`, whose `**settings` receive one keyword-only option per per-run setting."""
    signature = inspect.signature(command, eval_str=True)  # its own options, as Typer would read them
    own = [parameter for parameter in signature.parameters.values() if parameter.kind is not parameter.VAR_KEYWORD]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_option(name))
        for name in RUN_SETTINGS
    ]
    command.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
    return command


def _option(name: str) -> Any:
    value_type = _value_type(ResearchConfig.model_fields[name].annotation)
    flag, help_text = flag_for(name), describe(name)
    if value_type is bool:
        return Annotated[bool | None, typer.Option(f"{flag}/--no-{flag.removeprefix('--')}", help=help_text)]
    if value_type in (int, float) or get_origin(value_type) is Literal:  # Typer checks numbers and choices
        return Annotated[value_type | None, typer.Option(flag, help=help_text)]
    return Annotated[str | None, typer.Option(flag, help=help_text)]  # text, or a comma-separated list


def _value_type(annotation: Any) -> Any:
    """The type of a setting's value without its `None` (unset)."""
    if get_origin(annotation) in (Union, types.UnionType):
        present = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _value_type(present[0]) if len(present) == 1 else str
    return annotation
