"""The terminal app: `deepresearch "question"`, run review, index, doctor and config.

`main(argv) -> int` is the entry point. Only Typer and the settings load at start-up (`ask`'s options are
made from the per-run settings); langgraph, chromadb, playwright and llama.cpp load when a command needs
them, so `--help` answers fast. Bad input (empty or huge question, bad settings, unknown run id, unreadable
folder) is a one-line message and exit code 2, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import traceback
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deepresearch import cli_serving as serving
from deepresearch.cli_options import with_run_setting_options

if TYPE_CHECKING:
    from deepresearch.config import ResearchConfig
    from deepresearch.schemas import Report

MAX_QUESTION_CHARS = 8000
# Errors that mean bad input (exit code 2) rather than a failed run (exit code 1).
BAD_INPUT_ERRORS = {"ConfigError", "RunNotFound", "RunNotOnServer", "ServerUnavailable"}
COMMANDS = {"ask", "resume", "reports", "index", "doctor", "config", "serve", "mcp"}

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Cited, verifiable research reports.",
)
reports_app = typer.Typer(no_args_is_help=True, help="Review finished runs.")
app.add_typer(reports_app, name="reports")


class UserError(Exception):
    """Bad input: shown as one line, exit code 2."""


def _err(message: str) -> None:
    typer.echo(f"deepresearch: {message}", err=True)


def _load(**overrides: Any) -> ResearchConfig:
    from deepresearch.config import load_config

    return load_config(**overrides)


def _check_question(question: str) -> str:
    text = question.strip()
    if not text:
        raise UserError('the question is empty: deepresearch "your question"')
    if len(text) > MAX_QUESTION_CHARS:
        raise UserError(
            f"the question is {len(text):,} characters; the limit is {MAX_QUESTION_CHARS:,}. "
            "Put long material in a folder and pass it with --docs."
        )
    return text


def _check_docs(paths: list[Path]) -> list[str]:
    """Absolute paths of folders or files that exist and can be read; anything else is a `UserError`."""
    for path in paths:
        if not path.exists():
            raise UserError(f"--docs {path}: no such file or folder")
        if not os.access(path, os.R_OK) or (path.is_dir() and not os.access(path, os.X_OK)):
            raise UserError(f"--docs {path}: not readable")
    return [str(path.resolve()) for path in paths]


def _view(show_thinking: bool) -> Any:
    from deepresearch.terminal_view import LiveView, PlainView

    if sys.stderr.isatty():
        from rich.console import Console

        return LiveView(Console(stderr=True), show_thinking=show_thinking)
    return PlainView(sys.stderr, show_thinking=show_thinking)


def _terminal_answers(view: Any) -> Any:
    """Ask clarifying questions at the terminal; Enter skips one."""

    def ask(questions: list[str]) -> list[str]:
        view.pause()
        try:
            typer.echo("A few questions to focus the research (press Enter to skip one):", err=True)
            return [typer.prompt(f"? {q}", default="", show_default=False, err=True).strip() for q in questions]
        finally:
            view.resume()

    return ask


def _print_report(report: Report, as_json: bool) -> None:
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    elif sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(report.markdown))
    else:
        typer.echo(report.markdown)
    stopped = f" · stopped by the {report.stopped_by} budget" if report.stopped_by else ""
    _err(
        f"run {report.run_id} · citation support {report.support_score:.2f} · "
        f"{report.usage.total_tokens:,} tokens{stopped}"
    )


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A Rich table on a terminal; tab-separated lines otherwise, so scripts and grep can read them."""
    if not sys.stdout.isatty():
        for row in [headers, *rows]:
            typer.echo("\t".join(row))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def _copy_out(config: ResearchConfig, run_id: str, out: Path | None) -> None:
    if out is None:
        return
    source = config.runs_dir / run_id
    out.mkdir(parents=True, exist_ok=True)
    for name in ("report.md", "report.json", "config.json", "trace.jsonl"):
        if (source / name).exists():
            shutil.copy2(source / name, out / name)
    if (source / "sources").exists():
        shutil.copytree(source / "sources", out / "sources", dirs_exist_ok=True)


class ProviderWatch:
    """Passes events on to the view and keeps the models that failed on every attempt."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.failures: dict[str, str] = {}

    def __call__(self, event: Any) -> None:
        if event.kind == "llm.provider_failed":
            self.failures.update(event.data.get("failures") or {})
        self.view(event)


def _exit_if_partial(report: Report, watch: ProviderWatch) -> None:
    """A run a dead provider stopped: say which, say how to continue, exit 3 (README: exit codes)."""
    from deepresearch.partial_runs import EXIT_PROVIDER_FAILED

    if not watch.failures and "provider" not in report.limits_hit:
        return
    failed = "; ".join(f"{model} ({reason})" for model, reason in watch.failures.items()) or "a model provider"
    _err(
        f"every attempt at {failed} failed: the report is partial, written from what was read. "
        f"Continue with `deepresearch resume {report.run_id}` once the provider answers."
    )
    raise typer.Exit(EXIT_PROVIDER_FAILED)


def _run(
    config: ResearchConfig, start: Any, run_id: str, *, show_thinking: bool, interactive: bool
) -> tuple[Report, ProviderWatch]:
    """Drive one run with the live view; Ctrl-C stops cleanly and says how to resume."""
    view = _view(show_thinking)
    watch = ProviderWatch(view)
    try:
        on_clarify = _terminal_answers(view) if interactive else None
        report: Report = asyncio.run(start(on_event=watch, on_clarify=on_clarify, show_reasoning=show_thinking))
        return report, watch
    except KeyboardInterrupt:
        view.close()
        _err(f"stopped. Nothing is lost: continue with `deepresearch resume {run_id}`")
        raise typer.Exit(130) from None
    finally:
        view.close()


def _check_run_settings(config: ResearchConfig) -> None:
    """Models and search providers that cannot work are bad input: one line, before the run exists."""
    from deepresearch.config import ROLES
    from deepresearch.llm import EMBEDDED_NOTICE, ModelSet

    if not config.services_factory:  # a services factory brings its own search
        from tools.search.chain import check_search_settings

        check_search_settings(config)  # before the notice below: bad input is one line
    models = ModelSet(config)
    models.validate(ROLES)
    if models.uses_embedded:
        _err(EMBEDDED_NOTICE)


@app.command()
@with_run_setting_options
def ask(
    question: Annotated[str, typer.Argument(help="What to research.")],
    docs: Annotated[
        list[Path] | None,
        # readable=False: `_check_docs` judges paths, in one line (Typer's own check prints four).
        typer.Option(help="a folder or file of your own to research too", readable=False),
    ] = None,
    offline: Annotated[bool, typer.Option(help="local corpus and embedded model only")] = False,
    show_thinking: Annotated[bool, typer.Option(help="show the models' reasoning text")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    out: Annotated[Path | None, typer.Option(help="also copy the run's files here")] = None,
    server: Annotated[str | None, typer.Option(help="run on this LangGraph server, e.g. http://host:2024")] = None,
    follow_up: Annotated[str | None, typer.Option(help="the id of an earlier run this question follows up")] = None,
    **settings: Any,
) -> None:
    """Research a question and print a cited report. Every per-run setting has an option here."""
    from deepresearch.api import aresearch, new_run_id
    from deepresearch.config import EMBEDDED_MODEL, ROLES

    text = _check_question(question)
    overrides: dict[str, Any] = {**settings, "docs_paths": _check_docs(docs) if docs else None}
    if offline:
        overrides.update({f"{role}_model": EMBEDDED_MODEL for role in ROLES}, model=EMBEDDED_MODEL)
        overrides["search_providers"] = ["local"]
    if server and show_thinking and overrides.get("stream_reasoning") is None:
        overrides["stream_reasoning"] = True  # the server streams this run's reasoning as it comes
    config = _load(**overrides, server_url=server)
    if config.server_url and docs:
        raise UserError("--docs reads files on this machine; on a server, index them there (deepresearch index)")
    if config.server_url and follow_up:
        raise UserError("--follow-up reads the earlier run's folder here; it cannot run on a server")
    if follow_up:
        from deepresearch.review import load_finished_report

        load_finished_report(config, follow_up)  # an unknown or unfinished run: one line, before any work
    if not config.server_url:
        _check_run_settings(config)  # a server's models and search are the server's to check
    run_id = str(uuid.uuid4()) if config.server_url else new_run_id()
    interactive = config.clarify and sys.stdin.isatty()

    def start(**callbacks: Any) -> Any:
        return aresearch(text, config=config, run_id=run_id, follow_up=follow_up, **callbacks)

    report, watch = _run(config, start, run_id, show_thinking=show_thinking, interactive=interactive)
    _copy_out(config, run_id, out)
    _print_report(report, as_json)
    _exit_if_partial(report, watch)


@app.command()
def resume(
    run_id: Annotated[str, typer.Argument(help="The id printed when the run started or was stopped.")],
    show_thinking: Annotated[bool, typer.Option()] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    server: Annotated[str | None, typer.Option(help="the LangGraph server the run is on")] = None,
) -> None:
    """Continue a stopped or crashed run from its last checkpoint (or join it on its server)."""
    from deepresearch.api import aresume
    from deepresearch.review import run_folder

    config = _load()
    if server is None:
        run_folder(config, run_id)

    def start(**callbacks: Any) -> Any:
        return aresume(run_id, server=server, **callbacks)

    report, watch = _run(config, start, run_id, show_thinking=show_thinking, interactive=sys.stdin.isatty())
    _print_report(report, as_json)
    _exit_if_partial(report, watch)


@reports_app.command("list")
def reports_list() -> None:
    """Runs in the data dir, newest first."""
    from deepresearch.review import list_runs
    from deepresearch.threads import threaded

    runs = list_runs(_load())
    if not runs:
        typer.echo("no runs yet")
        return
    rows = []
    for depth, run in threaded(runs):  # a follow-up sits under the run it follows
        status = "finished" if run.is_finished else "unfinished (resume)"
        support = f"{run.support_score:.2f}" if run.support_score is not None else "-"
        question = ("  " * (depth - 1) + "└ " if depth else "") + run.question
        row = [run.run_id, f"{run.started:%Y-%m-%d %H:%M}", status, support, run.parent or "-", question[:70]]
        rows.append(row)
    _print_table(["run id", "started", "status", "support", "follows", "question"], rows)


@reports_app.command("show")
def reports_show(run_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print a finished report."""
    from deepresearch.review import load_finished_report

    _, report = load_finished_report(_load(), run_id)
    _print_report(report, as_json)


@reports_app.command("verify")
def reports_verify(
    run_id: str,
    verifier_model: Annotated[
        str | None,
        typer.Option(
            help="provider:model that judges each cited sentence against its passages (default: "
            "DEEPRESEARCH_VERIFIER_MODEL; unset, the check is deterministic only)"
        ),
    ] = None,
) -> None:
    """Re-check every citation against the source text stored with the run."""
    from deepresearch.review import judge_report, load_finished_report, rescore, verify_report

    config = _load(verifier_model=verifier_model)
    folder, report = load_finished_report(config, run_id)
    verdicts = asyncio.run(judge_report(report, config)) if config.verifier_model else None
    checks = verify_report(folder, report, verdicts)
    is_judged = verdicts is not None
    judge_column = ["judge"] if is_judged else []
    headers = ["[n]", "source", "passage in source", "support", "relevance", *judge_column, "verdict"]
    rows = [
        [
            str(check.citation.number),
            (check.citation.title or check.citation.url)[:50],
            "yes" if check.is_passage_in_source else "no",
            f"{check.support:.2f}",
            f"{check.relevance:.2f}",
            *([check.judge_summary] if is_judged else []),
            check.verdict,
        ]
        for check in checks
    ]
    _print_table(headers, rows)
    scores = rescore(report, verdicts=verdicts)
    typer.echo(
        f"support {scores.support:.2f} (run: {report.support_score:.2f}); relevance mean {scores.relevance:.2f}, "
        f"lowest {scores.lowest_relevance:.2f}, floor {report.relevance_floor or 0.0:.2f}"
    )
    if is_judged:
        told = ", ".join(f"{count} {verdict.replace('_', ' ')}" for verdict, count in scores.verdicts.items())
        typer.echo(f"verifier judge {config.verifier_model}: {sum(scores.verdicts.values())} cited sentence(s): {told}")
    elif report.judged_by:
        typer.echo(
            f"the run's support includes the verdicts of {report.judged_by}; "
            f"--verifier-model {report.judged_by} judges again"
        )
    verified = sum(check.is_verified for check in checks)
    typer.echo(f"{verified} of {len(checks)} citations verified")
    if verified < len(checks):
        raise typer.Exit(1)


@reports_app.command("export")
def reports_export(
    run_id: str,
    html: Annotated[bool, typer.Option("--html", help="one self-contained HTML file (the default)")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="a PDF, printed from the HTML export by Chromium")] = False,
    out: Annotated[Path | None, typer.Option(help="where to write it (default: in the run folder)")] = None,
) -> None:
    """Export a report as a self-contained HTML file and/or a PDF of it, with linked citations and their
    passages. Without --html or --pdf: HTML; with both: both, beside the run's report."""
    from deepresearch.html_export import report_to_html
    from deepresearch.review import load_finished_report

    wants_html = html or not pdf
    if out is not None and wants_html and pdf:
        raise UserError("--out names one file: export --html and --pdf one at a time, or leave out --out")
    config = _load()
    folder, report = load_finished_report(config, run_id)
    if wants_html:
        target = out or folder / "report.html"
        target.write_text(report_to_html(report), encoding="utf-8")
        typer.echo(str(target))
    if pdf:
        from deepresearch.pdf_export import write_pdf

        target = out or folder / "report.pdf"
        asyncio.run(write_pdf(report, target, config))
        typer.echo(str(target))


# `serve` and `mcp` live in their own module: the review pages and the MCP server are optional extras.
app.command()(serving.serve)
app.command()(serving.mcp)


@app.command()
def index(
    paths: Annotated[list[Path], typer.Argument(help="folders or files (Markdown, text, HTML, PDF)", readable=False)],
) -> None:
    """Add documents to the local corpus that every run can search (incremental: unchanged files are skipped)."""
    from memory.local_search import index_folders, open_docs_corpus

    roots = [Path(p) for p in _check_docs(paths)]
    report = index_folders(open_docs_corpus(_load()), roots)
    typer.echo(
        f"indexed: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.removed} removed, {len(report.skipped)} skipped"
    )
    for reason in report.skipped:
        _err(f"skipped {reason}")


@app.command()
def doctor() -> None:
    """Which model, providers, browser and memory are usable here, and why not."""
    from deepresearch.doctor import run_checks

    checks = run_checks(_load())
    for check in checks:
        mark = "ok " if check.is_ok else ("-- " if not check.is_required else "!! ")
        typer.echo(f"{mark} {check.name:<34} {check.detail}")
    if not all(check.is_ok for check in checks if check.is_required):
        raise typer.Exit(1)


@app.command("config")
def show_config(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The effective settings (secrets masked), after .env, environment and defaults."""
    settings = _load().public_dict()
    if as_json:
        typer.echo(json.dumps(settings, indent=2))
        return
    for name, value in settings.items():
        typer.echo(f"DEEPRESEARCH_{name.upper()}={'' if value is None else value}")


def _usage_line(error: typer.exceptions.TyperException) -> str:
    """A usage error as one line (Typer prints the usage, a hint and the error on four)."""
    context = getattr(error, "ctx", None)
    where = f" (see: {context.command_path} --help)" if context is not None else ""
    return f"{error.format_message()}{where}"


def _route(args: list[str]) -> list[str]:
    """`deepresearch "question" [options]` means `deepresearch ask "question" [options]`."""
    if not args or args[0] in COMMANDS or args[0] in {"--help", "-h"}:
        return args
    return ["ask", *args]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 failed check or run error, 2 bad input, 3 partial report:
    a model provider failed on every attempt, 130 Ctrl-C)."""
    from deepresearch.errors import DeepResearchError

    args = _route(list(sys.argv[1:] if argv is None else argv))
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="deepresearch", standalone_mode=False)
        return int(result) if isinstance(result, int) else 0
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        _err("stopped")
        return 130
    except typer.exceptions.TyperException as error:  # usage errors of Typer's bundled click
        _err(_usage_line(error))
        return 2
    except UserError as error:
        _err(str(error))
        return 2
    except DeepResearchError as error:
        _err(str(error))
        return 2 if type(error).__name__ in BAD_INPUT_ERRORS else 1
    except Exception as error:  # noqa: BLE001 — the last line of defence: one line, details to a file
        log = Path(os.environ.get("TMPDIR", "/tmp")) / "deepresearch-last-error.txt"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        _err(f"internal error: {type(error).__name__}: {error} (details in {log})")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
