"""The peak resident memory a block of code adds to this process, from the kernel's own high-water mark.

Writing 5 to /proc/self/clear_refs resets the peak (VmHWM) to the current resident size (Linux ≥ 4.0), so
the peak after the block minus the resident size before it is the most the block held at once — sampling
could miss a short spike, and `ru_maxrss` cannot be reset (it even starts at the parent's size in a child).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class Growth:
    bytes: int = 0


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


@contextmanager
def peak_growth() -> Iterator[Growth]:
    """Yields a `Growth` whose `bytes` is set after the block; skips the test where the peak cannot be reset."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError as error:
        pytest.skip(f"cannot reset the peak resident size here ({error})")
    before = _status_bytes("VmRSS")
    growth = Growth()
    yield growth
    growth.bytes = _status_bytes("VmHWM") - before
