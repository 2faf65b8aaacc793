"""PromQL building blocks shared by the dashboards.

Every selector filters on the dashboard variables with regex matchers
(`office=~"$office"`), so the "All" value (`.*`) works as well as a single value.
"""

OFFICE = 'office=~"$office"'
SERVICE = 'service=~"$service"'

#: Time windows the panels refer to: the panel's time range, the last hour, and today
#: in each office's own time zone (recorded by deploy/prometheus/rules/recording.yml, group
#: pantau-calendar: from the office's local midnight, WIB until the worker reports zones).
RANGE = "$__range"
HOUR = "1h"
TODAY = "today"


def sel(metric: str, *matchers: str) -> str:
    """A selector such as `pantau_counters_open{office=~"$office"}`."""
    return f"{metric}{{{', '.join(matchers)}}}" if matchers else metric


def office_sel(metric: str, *matchers: str) -> str:
    """A selector of `metric` for the chosen office."""
    return sel(metric, OFFICE, *matchers)


def os_sel(metric: str, *matchers: str) -> str:
    """A selector of `metric` for the chosen office and service."""
    return sel(metric, OFFICE, SERVICE, *matchers)


def agg(op: str, by: str, expr: str) -> str:
    """`op by (by) (expr)`, or `op (expr)` when `by` is empty."""
    return f"{op} by ({by}) ({expr})" if by else f"{op} ({expr})"


def total(expr: str, by: str = "") -> str:
    """The sum of `expr` over all series, or per `by` labels."""
    return agg("sum", by, expr)


def grown(selector: str, by: str = "", window: str = RANGE) -> str:
    """How much the summed counters grew over `window`, exactly.

    The worker's counters never reset (CONTRACT §5), so the growth is "now minus then";
    a series that did not exist yet at the start of the window counts from 0. Unlike
    increase(), this gives whole numbers of citizens, not an extrapolated estimate.
    """
    now = agg("sum", by, selector)
    then = agg("sum", by, f"{selector} offset {window}")
    return f"({now} - ({then} or {now} * 0))"


def today(name: str, *matchers: str, by: str = "") -> str:
    """How much a counter grew since the office's local midnight, summed (per `by`).

    `name` is the counter's recorded "today" series, office_service:pantau_<name>:today
    (wait_standard, tickets_issued, tickets_closed), for the chosen offices and services.
    """
    return total(os_sel(f"office_service:pantau_{name}:today", *matchers), by)


def waits(by: str = "", window: str = RANGE, *matchers: str) -> str:
    """How many waits were judged against the standard over `window` (or today)."""
    if window == TODAY:
        return today("wait_standard", *matchers, by=by)
    return grown(os_sel(standard_counter("wait"), *matchers), by, window)


def ratio(numerator: str, denominator: str) -> str:
    """numerator / denominator where the denominator is above 0.

    Where the denominator is 0 there is no value (nothing to judge); where the
    numerator has no series but the denominator is above 0, the ratio is 0.
    """
    positive = f"({denominator} > 0)"
    return f"({numerator} / {positive} or 0 * {positive})"


def standard_counter(kind: str) -> str:
    """The met/breached counter of waits (`wait`) or processing times (`processing`)."""
    return f"pantau_{kind}_standard_total"


def compliance(kind: str, by: str = "", window: str = RANGE) -> str:
    """Share of waits (or processing times) within the standard over `window`.

    With `window=TODAY` (waits only), since each office's own local midnight.
    """
    if window == TODAY:
        if kind != "wait":
            raise ValueError("only waits have a recorded today")
        return ratio(waits(by, TODAY, 'result="met"'), waits(by, TODAY))
    counter = standard_counter(kind)
    met = grown(os_sel(counter, 'result="met"'), by, window)
    return ratio(met, grown(os_sel(counter), by, window))


def target(by: str = "", window: str = RANGE) -> str:
    """The target share, weighted by the waits of each service over `window` (or today).

    For one service this is its target; for several it is the share of all their waits
    that should have met the standard, so that "compliance >= target" keeps its meaning.
    """
    counted = waits("office, service", window)
    targets = agg("max", "office, service", os_sel("pantau_standard_target_ratio"))
    weighted = agg("sum", by, f"{targets} * on (office, service) {counted}")
    return ratio(weighted, agg("sum", by, counted))


def gap(by: str = "", window: str = RANGE) -> str:
    """Wait compliance minus the (weighted) target: above 0 the target is met."""
    return f"{compliance('wait', by, window)} - {target(by, window)}"


def budget_left(by: str = "") -> str:
    """Share of the error budget (1 - target) not yet spent over the panel's range."""
    breached = f"(1 - {compliance('wait', by)})"
    return f"(1 - {breached} / (1 - {target(by)}))"


def quantile(q: float, selector: str, by: str, window: str = RANGE) -> str:
    """The q-quantile of a histogram's observations over `window`, exactly counted."""
    buckets = grown(selector, f"{by}, le" if by else "le", window)
    return f"histogram_quantile({q}, {buckets})"


def ikm(by: str = "") -> str:
    """Satisfaction index (IKM, CONTRACT §4) over the panel's range, 25 to 100.

    The mean, over the elements u1..u9 answered in the range, of
    (points of the element / answers of the element) x 25.
    """
    per_element = f"{by}, element" if by else "element"
    points = grown(os_sel("pantau_feedback_score_points_total"), per_element)
    answers = grown(os_sel("pantau_feedback_element_responses_total"), per_element)
    return f"25 * {agg('avg', by, f'{points} / ({answers} > 0)')}"


def per_hour(selector: str, by: str) -> str:
    """How many a counter grew in the hour up to each point of a graph."""
    return agg("sum", by, f"increase({selector}[1h])")


def per_second(selector: str, by: str) -> str:
    """Per-second rate of a counter, for graphs."""
    return agg("sum", by, f"rate({selector}[$__rate_interval])")


def minutes(expr: str) -> str:
    """Seconds shown as minutes."""
    return f"({expr}) / 60"


def rolling_quantile(q: float, selector: str, by: str, window: str = HOUR) -> str:
    """The q-quantile of a histogram's observations in the `window` before each graph point.

    Points without any observation in the window are left out (">= 0" drops the NaN).
    """
    buckets = agg("sum", f"{by}, le" if by else "le", f"rate({selector}[{window}])")
    return f"histogram_quantile({q}, {buckets}) >= 0"


def hours(expr: str) -> str:
    """Seconds shown as hours."""
    return f"({expr}) / 3600"
