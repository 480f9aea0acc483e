"""The MCP server over stdio, driven by the official SDK's own client, on the scripted model."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

QUESTION = "How long do cats sleep?"


def server_parameters(data_dir: Path) -> StdioServerParameters:
    env = {
        "DEEPRESEARCH_DATA_DIR": str(data_dir),
        "DEEPRESEARCH_MODEL": "scripted:research",
        "DEEPRESEARCH_SERVICES_FACTORY": "deepresearch.testing.web:research_services",
        "DEEPRESEARCH_CLARIFY": "false",
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
    }
    return StdioServerParameters(command=sys.executable, args=["-m", "deepresearch.cli", "mcp"], env=env)


def structured(result: Any) -> Any:
    assert not result.is_error, result.content
    return result.structured_content if result.structured_content is not None else json.loads(result.content[0].text)


async def test_the_sdk_client_lists_tools_researches_with_progress_and_reads_reports(tmp_path: Path) -> None:
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, message))

    async with stdio_client(server_parameters(tmp_path)) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert {"research", "list_reports", "read_report", "verify_report"} <= set(tools)
        assert {"question", "depth", "answers", "follow_up"} <= set(tools["research"].input_schema["properties"])

        result = await session.call_tool("research", {"question": QUESTION}, progress_callback=on_progress)
        report = structured(result)
        assert report["citations"] and report["support_score"] > 0.5
        for citation in report["citations"]:
            assert f"[{citation['number']}]" in report["markdown"] and citation["url"] in report["markdown"]
            assert citation["passage"]
        assert len(progress) >= 5 and [v for v, _ in progress] == sorted(v for v, _ in progress)
        assert any(message and message.startswith("phase:") for _, message in progress)

        listed = structured(await session.call_tool("list_reports", {"search": "cats"}))
        rows = listed["result"] if isinstance(listed, dict) else listed
        assert [row["run_id"] for row in rows] == [report["run_id"]]
        read = structured(await session.call_tool("read_report", {"run_id": report["run_id"]}))
        assert read["markdown"] == report["markdown"]
        verified = structured(await session.call_tool("verify_report", {"run_id": report["run_id"]}))
        assert verified["total"] == len(report["citations"]) and verified["verified"] == verified["total"]

        resources = (await session.list_resources()).resources
        uri = f"report://{report['run_id']}"
        assert uri in [str(resource.uri) for resource in resources]
        contents = (await session.read_resource(uri)).contents
        assert contents[0].text == report["markdown"]

        follow_up = await session.call_tool(
            "research", {"question": "Why do cats sleep so much?", "follow_up": report["run_id"]}
        )
        assert structured(follow_up)["follows"] == report["run_id"]

        for name, arguments in [
            ("read_report", {"run_id": "no-such-run"}),
            ("research", {"question": ""}),
            ("research", {"question": QUESTION, "depth": "bottomless"}),
            ("research", {"question": QUESTION, "follow_up": "no-such-run"}),
            ("list_reports", {"limit": "many"}),
        ]:
            bad = await session.call_tool(name, arguments)
            assert bad.is_error, (name, arguments)
        unknown = await session.call_tool("read_report", {"run_id": "no-such-run"})
        assert "no run with id 'no-such-run'" in unknown.content[0].text
        assert (await session.list_tools()).tools, "the server is still up after bad arguments"
