"""Erlang B and C (M/M/c) queueing maths: waiting, service level and counters needed."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Demand",
    "counters_needed",
    "erlang_b",
    "erlang_c",
    "mean_wait",
    "pooled_counters_needed",
    "service_level",
]


# --- validation ---------------------------------------------------------------------------


def _check_servers(servers: int, name: str = "servers") -> None:
    if isinstance(servers, bool) or not isinstance(servers, int):
        raise ValueError(f"{name} must be an int, got {servers!r}")
    if servers < 0:
        raise ValueError(f"{name} must be >= 0, got {servers}")


def _check_non_negative(value: float, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def _check_positive(value: float, name: str) -> None:
    _check_non_negative(value, name)
    if value == 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


def _check_target(target: float) -> None:
    if isinstance(target, bool) or not isinstance(target, int | float):
        raise ValueError(f"target must be a number, got {target!r}")
    if not 0 < target < 1:  # also rejects NaN
        raise ValueError(f"target must be strictly between 0 and 1, got {target!r}")


def _check_limit(limit: int) -> None:
    _check_servers(limit, "limit")
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")


# --- the formulas -------------------------------------------------------------------------


def _next_b(k: int, load: float, b: float) -> float:
    """B(k) from B(k-1): the stable Erlang B recurrence."""
    ab = load * b
    return ab / (k + ab)


def _erlang_b(servers: int, load: float) -> float:
    b = 1.0
    for k in range(1, servers + 1):
        b = _next_b(k, load, b)
    return b


def _c_from_b(servers: int, load: float, b: float) -> float:
    """P(wait) from the blocking probability, for 0 < load < servers."""
    return min(1.0, servers * b / (servers - load * (1.0 - b)))


def _level(servers: int, load: float, p_wait: float, handle: float, within: float) -> float:
    """1 - P(wait)·exp(-(c - A)·t/AHT), for 0 < load < servers."""
    level = 1.0 - p_wait * math.exp(-(servers - load) * within / handle)
    return min(1.0, max(0.0, level))


def erlang_b(servers: int, load: float) -> float:
    """Erlang B: the share of arrivals blocked when `servers` serve `load` erlangs, no queue.

    Uses B(0) = 1, B(k) = A·B(k-1) / (k + A·B(k-1)): no factorials and no overflow, in
    O(servers) steps.
    """
    _check_servers(servers)
    _check_non_negative(load, "load")
    return _erlang_b(servers, load)


def erlang_c(servers: int, load: float) -> float:
    """Erlang C: the probability that an arrival waits, M/M/c with `load` erlangs offered.

    1.0 when there are no servers or the queue is unstable (load >= servers); 0.0 with no load.
    """
    _check_servers(servers)
    _check_non_negative(load, "load")
    if servers == 0:
        return 1.0
    if load == 0:
        return 0.0
    if load >= servers:
        return 1.0
    return _c_from_b(servers, load, _erlang_b(servers, load))


def service_level(servers: int, load: float, handle_seconds: float, within_seconds: float) -> float:
    """The share of arrivals that wait no longer than `within_seconds` (0.0 if unstable)."""
    _check_servers(servers)
    _check_non_negative(load, "load")
    _check_positive(handle_seconds, "handle_seconds")
    _check_non_negative(within_seconds, "within_seconds")
    if load >= servers:
        return 0.0
    if load == 0:
        return 1.0
    p_wait = _c_from_b(servers, load, _erlang_b(servers, load))
    return _level(servers, load, p_wait, handle_seconds, within_seconds)


def mean_wait(servers: int, load: float, handle_seconds: float) -> float:
    """The expected wait in seconds (ASA): P(wait)·AHT / (c - A); math.inf if unstable."""
    _check_servers(servers)
    _check_non_negative(load, "load")
    _check_positive(handle_seconds, "handle_seconds")
    if load >= servers:
        return math.inf
    if load == 0:
        return 0.0
    p_wait = _c_from_b(servers, load, _erlang_b(servers, load))
    return p_wait * handle_seconds / (servers - load)


# --- staffing -----------------------------------------------------------------------------


def _fewest(load: float, handle: float, goals: Sequence[tuple[float, float]], limit: int) -> int:
    """The fewest c > load at which every (target, within) goal is met, capped at `limit`."""
    if not math.isfinite(load) or load >= limit:
        return limit  # even `limit` counters leave the queue unstable
    servers = math.floor(load) + 1
    b = _erlang_b(servers, load)
    while True:
        p_wait = _c_from_b(servers, load, b)
        if all(_level(servers, load, p_wait, handle, t) >= target for target, t in goals):
            return servers
        if servers >= limit:
            return limit
        servers += 1
        b = _next_b(servers, load, b)


def counters_needed(
    arrivals_per_second: float,
    handle_seconds: float,
    target: float,
    within_seconds: float,
    limit: int = 500,
) -> int:
    """The fewest counters that serve `target` of arrivals within `within_seconds`.

    0 when there is no traffic (no arrivals or no handle time); `limit` if even that many
    counters are not enough.
    """
    _check_non_negative(arrivals_per_second, "arrivals_per_second")
    _check_non_negative(handle_seconds, "handle_seconds")
    _check_target(target)
    _check_non_negative(within_seconds, "within_seconds")
    _check_limit(limit)
    load = arrivals_per_second * handle_seconds
    if load == 0:
        return 0
    return _fewest(load, handle_seconds, [(target, within_seconds)], limit)


@dataclass(frozen=True, slots=True)
class Demand:
    """One service's traffic and its service-level goal, for `pooled_counters_needed`."""

    arrivals_per_second: float
    handle_seconds: float
    target: float
    within_seconds: float

    def __post_init__(self) -> None:
        _check_non_negative(self.arrivals_per_second, "arrivals_per_second")
        _check_non_negative(self.handle_seconds, "handle_seconds")
        _check_target(self.target)
        _check_non_negative(self.within_seconds, "within_seconds")


def pooled_counters_needed(classes: Sequence[Demand], limit: int = 500) -> int:
    """The fewest counters shared by several services, one FCFS queue, so each meets its goal.

    Treated as one M/M/c queue: load A = Σ λ_i·AHT_i and AHT = A / Σ λ_i. Every class sees
    the same wait distribution, so each class with arrivals must reach its own target within
    its own time. 0 if there is no traffic; `limit` if even that many counters are not enough.
    """
    _check_limit(limit)
    for demand in classes:
        if not isinstance(demand, Demand):
            raise ValueError(f"classes must hold Demand objects, got {demand!r}")
    active = [d for d in classes if d.arrivals_per_second > 0]
    load = math.fsum(d.arrivals_per_second * d.handle_seconds for d in active)
    if load == 0:
        return 0
    handles = {d.handle_seconds for d in active}
    if len(handles) == 1:
        (handle,) = handles  # exact, rather than A / Σλ rounded
    else:
        handle = load / math.fsum(d.arrivals_per_second for d in active)
    goals = [(d.target, d.within_seconds) for d in active]
    return _fewest(load, handle, goals, limit)
