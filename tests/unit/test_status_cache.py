"""Tests of producers.status_cache: the newest record per office, ordering, subscribers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from producers.status_cache import StatusCache


def record(office: str = "mpp-medan", at: str = "2026-11-23T01:15:00Z", **fields: Any) -> bytes:
    body = {
        "office": office, "at": at, "open": None, "services": [], "counters": [],
        "recent_calls": [], **fields,
    }  # fmt: skip
    return json.dumps(body).encode()


def test_a_newer_record_replaces_the_office_s_record() -> None:
    cache = StatusCache()
    assert cache.apply(record(at="2026-11-23T01:15:00Z"), 0, 1)
    assert cache.apply(record(at="2026-11-23T01:15:01Z", open=True), 0, 2)
    entry = cache.get("mpp-medan")
    assert entry is not None
    assert entry.record["open"] is True and entry.offset == 2
    assert json.loads(entry.data) == entry.record


def test_an_older_record_never_replaces_a_newer_one() -> None:
    cache = StatusCache()
    assert cache.apply(record(at="2026-11-23T01:15:05Z", open=True), 0, 7)
    # written later in the topic, but for an earlier instant
    assert not cache.apply(record(at="2026-11-23T01:15:04Z", open=False), 1, 9)
    entry = cache.get("mpp-medan")
    assert entry is not None and entry.record["open"] is True


def test_instants_are_compared_not_strings() -> None:
    cache = StatusCache()
    assert cache.apply(record(at="2026-11-23T08:15:05+07:00"), 0, 1)
    # the same instant in another spelling, later in the topic: replaces (offset order)
    assert cache.apply(record(at="2026-11-23T01:15:05.000000Z", open=True), 0, 2)
    # an earlier offset on the same instant does not
    assert not cache.apply(record(at="2026-11-23T01:15:05Z", open=False), 0, 1)
    entry = cache.get("mpp-medan")
    assert entry is not None and entry.record["open"] is True


def test_offices_are_kept_apart_and_listed_in_order() -> None:
    cache = StatusCache()
    cache.apply(record("mpp-medan"), 0, 1)
    cache.apply(record("disdukcapil-binjai"), 1, 1)
    assert [e.office for e in cache.offices()] == ["disdukcapil-binjai", "mpp-medan"]


def test_unknown_office_is_none_and_invalid_records_are_skipped() -> None:
    cache = StatusCache()
    assert cache.get("nowhere") is None
    assert not cache.apply(b"not json", 0, 1)
    assert not cache.apply(record(at="yesterday"), 0, 2)
    assert not cache.apply(json.dumps({"office": "mpp-medan"}).encode(), 0, 3)
    assert cache.rejected == 3 and cache.offices() == []


def test_a_tombstone_forgets_the_office() -> None:
    cache = StatusCache()
    cache.apply(record(), 0, 1)
    assert not cache.apply(None, 0, 2, key=b"mpp-medan")
    assert cache.get("mpp-medan") is None


def test_subscribers_get_new_records_and_a_slow_one_keeps_only_the_newest() -> None:
    async def scenario() -> None:
        cache = StatusCache(queue_size=2)
        fast, slow = cache.subscribe("mpp-medan"), cache.subscribe("mpp-medan")
        other = cache.subscribe("disdukcapil-binjai")
        assert cache.subscriber_count == 3
        for second in range(5):
            cache.apply(record(at=f"2026-11-23T01:15:0{second}Z"), 0, second)
            if second == 0:
                got = await asyncio.wait_for(fast.queue.get(), 1)
                assert got.offset == 0
        assert slow.queue.qsize() == 2 and slow.dropped == 3
        assert [slow.queue.get_nowait().offset for _ in range(2)] == [3, 4]
        assert other.queue.empty()
        # an ignored (older) record reaches nobody
        cache.apply(record(at="2026-11-23T01:14:00Z"), 0, 9)
        assert slow.queue.empty()
        for subscription in (fast, slow, other):
            cache.unsubscribe(subscription)
        assert cache.subscriber_count == 0

    asyncio.run(scenario())
