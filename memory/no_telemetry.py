"""The telemetry of the libraries memory/ runs on, switched off before they are imported.

Measured in a network namespace with a DNS sink: onnxruntime 1.32 (1DS telemetry, also on Linux) looks
up `mobile.events.data.microsoft.com` about 5 s after its first `InferenceSession` and every 5 s after
(issue 16 saw it connect once the name resolved); `disable_telemetry_events()` does not stop that, the
`ORT_DISABLE_TELEMETRY` variable does. chromadb's product telemetry (PostHog, a no-op in chromadb 1.5 but
live in earlier releases this package accepts) obeys `ANONYMIZED_TELEMETRY`. Both are read when the
library loads, so `memory/__init__.py` sets them before any of its modules imports either library. They
are set, not defaulted: a run sends nothing outside the URL policy, whatever the shell exports.
"""

from __future__ import annotations

import os

TELEMETRY_OFF_ENVIRONMENT = {
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
}


def switch_off_telemetry() -> None:
    os.environ.update(TELEMETRY_OFF_ENVIRONMENT)
