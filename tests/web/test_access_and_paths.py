"""The review pages refuse other origins, other host names, paths outside the data dir, and an open bind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deepresearch.cli import main
from deepresearch.config import load_config
from deepresearch.errors import ConfigError
from deepresearch.web.app import create_app
from deepresearch.web.security import TOKEN_COOKIE, check_bind
from tests.graphs.helpers import run_graph

BASE = "http://127.0.0.1:8765"


@pytest.fixture
def client() -> TestClient:
    config = load_config(
        model="scripted:research", services_factory="deepresearch.testing.web:research_services", clarify=False
    )
    return TestClient(create_app(config), base_url=BASE)


def test_posts_from_other_origins_or_without_an_origin_are_refused(client: TestClient) -> None:
    form = {"question": "How long do cats sleep?"}
    for headers in (
        {"Origin": "http://evil.example"},
        {},
        {"Referer": "http://127.0.0.1:9999/x"},
        {"Origin": BASE, "Sec-Fetch-Site": "cross-site"},
    ):
        response = client.post("/runs", data=form, headers=headers, follow_redirects=False)
        assert response.status_code == 403, headers
        assert response.text == "refused: a request from another origin\n"
    answers = client.post("/live/x/answers", data={"answer": "y"}, headers={"Origin": "http://evil.example"})
    assert answers.status_code == 403
    accepted = client.post("/runs", data=form, headers={"Origin": BASE}, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/live/")


def test_a_foreign_host_name_is_refused_against_dns_rebinding(client: TestClient) -> None:
    response = client.get("/", headers={"Host": "attacker.example:8765"})
    assert response.status_code == 421
    assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200


async def test_paths_outside_the_data_dir_are_refused(client: TestClient, tmp_path: Path) -> None:
    report, _ = await run_graph()
    config = load_config()
    assert client.get(f"/runs/{report.run_id}").status_code == 200
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "config.json").write_text('{"question": "secret"}', encoding="utf-8")
    (outside / "report.json").write_text(config.runs_dir.joinpath(report.run_id, "report.json").read_text())
    os.symlink(outside, config.runs_dir / "escape")
    for path in [
        "/runs/escape",
        "/runs/escape/trace",
        "/runs/..%2F..%2Fetc%2Fpasswd",
        "/runs/%2e%2e/trace",
        "/runs/.hidden",
        f"/runs/{report.run_id}%2F..%2F..%2Fconfig.json",
        "/static/..%2F..%2F..%2Fconfig.py",
        "/static/../app.py",
    ]:
        assert client.get(path).status_code == 404, path
    assert "escape" not in client.get("/").text and "secret" not in client.get("/").text
    assert client.get(f"/runs/{report.run_id}/citations/999").status_code == 404


def test_binding_beyond_loopback_needs_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError, match="refusing to listen on 0.0.0.0 without a token"):
        check_bind("0.0.0.0", None)
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", "s3cret")
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refusing to listen on 0.0.0.0 without a token" in err
    assert main(["mcp", "--http", "--host", "0.0.0.0"]) == 2


def test_with_a_token_every_request_carries_it() -> None:
    app = create_app(load_config(), token="s3cret")
    client = TestClient(app, base_url="http://192.168.1.20:8765")
    assert client.get("/").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    first = client.get("/?token=s3cret", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/"
    assert TOKEN_COOKIE in first.cookies
    assert client.get("/").status_code == 200, "the cookie carries the token from now on"
    bearer = TestClient(app, base_url="http://192.168.1.20:8765", headers={"Authorization": "Bearer s3cret"})
    assert bearer.get("/").status_code == 200
    assert bearer.post("/runs", data={"question": ""}).status_code == 400, "a bearer client may post without Origin"
