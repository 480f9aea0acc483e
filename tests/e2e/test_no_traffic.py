"""No traffic outside the URL policy: a research run in a network namespace that has only loopback.

The run (`tests.e2e.isolated_run`: real fetcher, Chromium, chromadb, onnxruntime) starts under `unshare`
with /etc/resolv.conf pointing at its own DNS sink, and under `strace`, which records every connect() and
every datagram sent with an address. It passes when:
- no name is looked up but those the run's own pages name (the URL policy resolves a page's
  sub-requests to judge them) — onnxruntime's telemetry and Chromium's update, safe-browsing and
  DNS-over-HTTPS lookups are what this catches;
- no TCP connection and no datagram goes to an address outside loopback. A UDP connect() alone sends
  nothing (it is how Chromium asks the kernel whether IPv6 is routable), so it is not counted.
Skipped, with the reason, where the machine cannot make a namespace (no root, no unshare, ip or strace).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools.local_site import FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

_TRACED_CALL = re.compile(r"\b(connect|sendto|sendmsg)\((\d+)<([A-Za-z0-9-]+)")
_ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')
_URL_HOST = re.compile(rb"https?://([A-Za-z0-9.-]+)")


def _namespace_unavailable() -> str | None:
    for tool in ("unshare", "ip", "strace"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    probe = subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"this machine does not allow network namespaces: {probe.stderr.strip()}"
    return None


def _names_the_pages_use() -> set[str]:
    """Hosts the served fixtures refer to: the policy may look them up to refuse them."""
    names = {"localhost"}
    for fixture in FIXTURES.iterdir():
        names |= {host.decode().lower() for host in _URL_HOST.findall(fixture.read_bytes())}
    return names


def outside_traffic(strace_log: str) -> list[str]:
    """Traced calls that reach, or try to reach, an address outside loopback."""
    found = []
    for line in strace_log.splitlines():
        call = _TRACED_CALL.search(line)
        if call is None:
            continue
        name, socket_kind = call.group(1), call.group(3)
        if name == "connect" and socket_kind.startswith("UDP"):
            continue  # sends nothing: the kernel only picks a route
        for v4, v6 in _ADDRESS.findall(line):
            address = ipaddress.ip_address(v4 or v6)
            mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
            if not (mapped or address).is_loopback:
                found.append(line.strip())
    return found


def test_outside_traffic_parser_sees_what_it_must() -> None:
    log = "\n".join(
        [
            '12 connect(7<TCP:[99]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("20.42.65.92")}, 16',
            "12 connect(9<UDPv6:[98]>, {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, "
            '"2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH',
            '13 sendto(5<UDP:[97]>, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), '
            'sin_addr=inet_addr("8.8.8.8")}, 16) = 1',
            '14 connect(8<TCP:[96]>, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        ]
    )
    found = outside_traffic(log)
    assert len(found) == 2 and "20.42.65.92" in found[0] and "8.8.8.8" in found[1]


def test_a_research_run_sends_nothing_outside_loopback(tmp_path: Path, project_root: Path) -> None:
    reason = _namespace_unavailable()
    if reason is not None:
        pytest.skip(f"loopback-only namespace test skipped: {reason}")
    resolv_conf = tmp_path / "resolv.conf"
    resolv_conf.write_text("nameserver 127.0.0.1\n")
    strace_log = tmp_path / "strace.log"
    inner = (
        f"ip link set lo up && mount --bind {resolv_conf} /etc/resolv.conf && "
        f"exec strace -f -qq -yy -e trace=connect,sendto,sendmsg -o {strace_log} "
        f"{sys.executable} -m tests.e2e.isolated_run {tmp_path}"
    )
    env = {**os.environ, "PYTHONPATH": str(project_root)}
    done = subprocess.run(
        ["unshare", "--net", "--mount", "sh", "-c", inner],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert len(result["sources"]) == 2, result  # the run read both pages: the browser and fetcher did work
    foreign_names = sorted(set(result["names"]) - _names_the_pages_use())
    assert foreign_names == [], f"looked up outside the run's hosts: {foreign_names}"
    assert outside_traffic(strace_log.read_text()) == []
