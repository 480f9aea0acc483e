"""`deepresearch serve` and `deepresearch mcp`: the review pages and the MCP server, each an optional extra.

Registered on the terminal app by `deepresearch.cli`; like every command there, bad input (an open bind
without a token, a missing extra) is one line and exit code 2. Nothing heavy is imported before the
command runs, so `deepresearch --help` stays fast.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Annotated

import typer

from deepresearch.errors import ConfigError

if TYPE_CHECKING:
    from deepresearch.config import ResearchConfig


def _serve_token(config: ResearchConfig, token: str | None) -> str | None:
    return token or (config.serve_token.get_secret_value() if config.serve_token else None)


def _require_extra(module: str, extra: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"{what} needs the {extra} extra: pip install 'deepresearch[{extra}]'")


def _say(message: str) -> None:
    typer.echo(f"deepresearch: {message}", err=True)


def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8765)")] = None,
    token: Annotated[str | None, typer.Option(help="required beyond 127.0.0.1 (or DEEPRESEARCH_SERVE_TOKEN)")] = None,
) -> None:
    """Review reports in a browser: list and search runs, open citations, verify, watch and start runs."""
    _require_extra("uvicorn", "web", "deepresearch serve")
    _require_extra("jinja2", "web", "deepresearch serve")
    from deepresearch.cli import _check_run_settings
    from deepresearch.config import load_config
    from deepresearch.web.security import check_bind

    config = load_config(serve_host=host, serve_port=port)
    secret = _serve_token(config, token)
    check_bind(config.serve_host, secret)
    _check_run_settings(config)
    import uvicorn

    from deepresearch.web.app import create_app

    shown = f"[{config.serve_host}]" if ":" in config.serve_host else config.serve_host
    _say(f"review pages on http://{shown}:{config.serve_port}/ (Ctrl-C stops)")
    uvicorn.run(create_app(config, token=secret), host=config.serve_host, port=config.serve_port, log_level="warning")


def mcp(
    http: Annotated[bool, typer.Option("--http", help="streamable HTTP instead of stdio")] = False,
    host: Annotated[str, typer.Option(help="with --http: address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="with --http: port (the endpoint is /mcp)")] = 8766,
    token: Annotated[str | None, typer.Option(help="required beyond 127.0.0.1 (or DEEPRESEARCH_SERVE_TOKEN)")] = None,
) -> None:
    """Serve research and past reports to MCP clients (assistants, editors) over stdio or HTTP."""
    _require_extra("mcp", "mcp", "deepresearch mcp")
    from deepresearch.cli import _check_run_settings
    from deepresearch.config import load_config
    from deepresearch.mcp_server import build_server
    from deepresearch.web.security import AccessGuard, check_bind

    config = load_config()
    secret = _serve_token(config, token)
    if http:
        check_bind(host, secret)
    _check_run_settings(config)
    server = build_server(config)
    if not http:
        server.run("stdio")
        return
    import uvicorn

    _say(f"MCP endpoint on http://{host}:{port}/mcp (Ctrl-C stops)")
    guarded = AccessGuard(server.streamable_http_app(host=host), token=secret, allow_originless=True)
    uvicorn.run(guarded, host=host, port=port, log_level="warning")
