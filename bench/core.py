"""The lifecycle core alone, in the harness's process: the ceiling of any worker built on it."""

from __future__ import annotations

import gc
import time

from bench.workloads import Message
from pantau.standards import Standards
from streams.core.outcomes import Effect
from streams.core.partition import PartitionState


def core_events_per_s(messages: list[Message]) -> float:
    """Parse and apply every message in one partition state, with the worker's GC settings."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()  # the harness's own objects are not the core's to scan
    gc.set_threshold(50_000, 20, 100)
    try:
        pstate = PartitionState(Standards.empty())
        out: list[Effect] = []
        started = time.perf_counter()
        for offset, (_, value) in enumerate(messages):
            pstate.handle(value, offset, out)
            if len(out) > 10_000:
                out.clear()
        return len(messages) / (time.perf_counter() - started)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
