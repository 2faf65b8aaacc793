"""Whether a Kafka broker accepts clients: the readiness check of deploy/local/kafka.sh.

    python deploy/local/kafka_ready.py HOST:PORT [--wait SECONDS]

Ready means that the broker answers kafka-python's requests and its cluster description
lists a live (unfenced) broker, so that clients can create topics and produce. Exits 0
when ready; 1 if not within SECONDS (at least 2 s: one try); 2 for bad arguments or a
Python without kafka-python.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

#: The longest one try waits for the broker (connection, then the cluster description).
TRY_MS = 2000


def ready_once(address: str, timeout_ms: int) -> bool:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=address,
            client_id="pantau-kafka-sh",
            bootstrap_timeout_ms=timeout_ms,
            request_timeout_ms=timeout_ms,
            reconnect_backoff_max_ms=200,
        )
    except (KafkaError, OSError):
        return False
    try:
        cluster = admin.describe_cluster()
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()
    return any(not broker.get("is_fenced") for broker in cluster.get("brokers") or [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", help="the broker, HOST:PORT")
    parser.add_argument("--wait", type=float, default=0.0, help="retry for this many seconds")
    args = parser.parse_args(argv)
    try:
        import kafka  # noqa: F401
    except ImportError:
        print(f"kafka_ready: no kafka-python in {sys.executable}", file=sys.stderr)
        return 2
    # The client logs every refused connection; the exit status says all there is.
    logging.getLogger("kafka").addHandler(logging.NullHandler())
    logging.getLogger("kafka").propagate = False
    deadline = time.monotonic() + max(args.wait, TRY_MS / 1000)
    while True:
        left_ms = int((deadline - time.monotonic()) * 1000)
        if ready_once(args.address, max(min(TRY_MS, left_ms), 200)):
            return 0
        if time.monotonic() + 0.25 >= deadline:
            return 1
        time.sleep(0.25)


if __name__ == "__main__":
    sys.exit(main())
