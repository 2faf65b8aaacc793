"""The worker's view of its broker: reachability for /healthz, and logs that do not flood."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("pantau.worker")


@dataclass
class BrokerWatch:
    """Whether a bootstrap server accepts connections, checked by `probe` every few seconds.

    A lost broker is logged once when it is lost, then at most once a minute with how long
    it has been away, and once when it is back.
    """

    servers: list[tuple[str, int]]
    clock: Callable[[], float] = time.monotonic
    remind_every: float = 60.0
    timeout: float = 2.0
    reachable: bool = True
    lost_at: float | None = None
    last_ok: float = field(default_factory=time.monotonic)
    _reminded_at: float = 0.0
    _failures: int = 0

    @classmethod
    def of(cls, broker: str) -> BrokerWatch:
        servers = []
        for server in broker.split(","):
            host, _, port = server.strip().rpartition(":")
            servers.append((host or "localhost", int(port)))
        return cls(servers)

    async def probe(self) -> bool:
        for host, port in self.servers:
            try:
                _, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), self.timeout
                )
            except (OSError, TimeoutError):
                continue
            writer.close()
            self.note(True)
            return True
        self.note(False)
        return False

    def note(self, ok: bool) -> None:
        """Record one check's outcome, and log the changes."""
        now = self.clock()
        where = ", ".join(f"{h}:{p}" for h, p in self.servers)
        if ok:
            if not self.reachable and self.lost_at is not None:
                log.warning(
                    "Kafka broker at %s reachable again after %.0f s", where, now - self.lost_at
                )
            self.reachable, self.lost_at, self.last_ok, self._failures = True, None, now, 0
            return
        self._failures += 1
        if self.reachable:
            self.reachable, self.lost_at, self._reminded_at = False, now, now
            log.warning("Kafka broker at %s unreachable; consuming waits for it", where)
        elif now - self._reminded_at >= self.remind_every:
            self._reminded_at = now
            assert self.lost_at is not None
            log.warning(
                "Kafka broker at %s still unreachable after %.0f s (%d failed checks)",
                where, now - self.lost_at, self._failures,
            )  # fmt: skip

    def unreachable_for(self) -> float:
        return 0.0 if self.lost_at is None else self.clock() - self.lost_at


class OncePerInterval(logging.Filter):
    """Lets a log message through once per interval, then once more with a count.

    Kafka clients log every failed connection attempt (thousands a second while a broker is
    away); one line a minute per kind of message says the same.
    """

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.interval, self.clock = interval, clock
        self._seen: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = self.clock()
        seen = self._seen.get(key)
        if seen is None or now - seen[0] >= self.interval:
            if seen is not None and seen[1]:
                record.msg = f"{record.msg} (and {seen[1]} more like it since the last)"
            self._seen[key] = (now, 0)
            return True
        self._seen[key] = (seen[0], seen[1] + 1)
        return False


def quiet_kafka_client_logs(interval: float = 60.0) -> None:
    """Install `OncePerInterval` on the Kafka client's loggers (aiokafka logs per attempt)."""
    import aiokafka  # noqa: F401  (creates its loggers)

    names = ["aiokafka"] + [n for n in logging.root.manager.loggerDict if n.startswith("aiokafka.")]
    shared = OncePerInterval(interval)
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OncePerInterval) for f in logger.filters):
            logger.addFilter(shared)
