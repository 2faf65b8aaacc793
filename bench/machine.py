"""What the benchmark ran on: CPU, cores, memory, Python and Kafka versions."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return 0.0


def _kafka_version() -> str:
    try:
        out = subprocess.run(
            [str(ROOT / "deploy/local/kafka.sh"), "status"],
            capture_output=True, text=True, timeout=30,
        ).stdout  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(r"Kafka ([0-9][0-9.]*)", out)
    return match.group(1) if match else "unknown"


def describe_machine() -> dict[str, Any]:
    """The machine's facts that the numbers depend on."""
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count() or 0,
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "kafka": _kafka_version(),
        "platform": platform.platform(),
    }
