"""The waiting-room board end to end in headless Chromium (tests/browser/board.mjs): real
worker, real gateway, a call sent through the gateway shows within seconds."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.test_board import TOKEN, served_status, start_gateway  # noqa: F401
from tests.services import ROOT, GatewayProcess, WorkerProcess, replay, wait_for
from tests.support import FIXTURES, fixture_lines

pytestmark = pytest.mark.integration

BROWSER = ROOT / "tests/browser"


def test_the_board_shows_a_new_call_within_seconds_and_says_when_it_goes_stale(
    prefix: str,
    tmp_path: Path,
    start_worker: Callable[..., WorkerProcess],
    start_gateway: Callable[..., GatewayProcess],  # noqa: F811
) -> None:
    assert (BROWSER / "node_modules/playwright-core").is_dir(), (
        "run `npm ci` in tests/browser (make test does)"
    )
    name = "mpp-medan-day"
    standards = FIXTURES / f"{name}.standards.yaml"
    worker = start_worker(standards)
    gateway = start_gateway(standards)
    replay(FIXTURES / f"{name}.events.jsonl", prefix)
    worker.wait_settled(len(fixture_lines(name)))
    wait_for(lambda: "mpp-medan" in served_status(gateway.url), 20, "the office's status")
    assert gateway.proc is not None
    screenshot = Path(os.environ.get("BOARD_SCREENSHOT", tmp_path / "board.png"))
    done = subprocess.run(
        ["node", "board.mjs"], cwd=BROWSER, capture_output=True, text=True, timeout=120,
        env={**os.environ, "GATEWAY_URL": gateway.url, "GATEWAY_TOKEN": TOKEN,
             "GATEWAY_PID": str(gateway.proc.pid), "BOARD_SCREENSHOT": str(screenshot),
             "BOARD_TICKET": "A012"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["live_title"] == "Mpp Medan — pantau"
    assert result["shown_after_ms"] < 5000, result
    assert result["newest"].startswith("A012 → Loket 3"), result
    waiting = {row[0]: row[1:] for row in result["queues"]}
    # the tickets the page sent; A012 of ktp-el was called, so 7 still wait there
    assert waiting["Ktp El"][0] == "7" and waiting["Kartu Keluarga"][0] == "4", waiting
    assert all(re.fullmatch(r"± \d+ menit|< 1 menit|—", row[1]) for row in waiting.values())
    assert re.fullmatch(
        r"Data terakhir diperbarui \d\d[.:]\d\d — koneksi terputus", result["stale_text"]
    ), result
    assert result["external_requests"] == [] and result["page_errors"] == []
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
