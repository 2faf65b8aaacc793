"""PromQL building blocks shared by the dashboards.

Every selector filters on the dashboard variables with regex matchers
(`office=~"$office"`), so the "All" value (`.*`) works as well as a single value.
"""

OFFICE = 'office=~"$office"'
SERVICE = 'service=~"$service"'

#: Time windows the panels refer to: the panel's time range, and the last hour.
RANGE = "$__range"
HOUR = "1h"


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
    """Share of waits (or processing times) within the standard over `window`."""
    counter = standard_counter(kind)
    met = grown(os_sel(counter, 'result="met"'), by, window)
    return ratio(met, grown(os_sel(counter), by, window))


def target(by: str = "", window: str = RANGE) -> str:
    """The target share, weighted by the waits of each service over `window`.

    For one service this is its target; for several it is the share of all their waits
    that should have met the standard, so that "compliance >= target" keeps its meaning.
    """
    waits = grown(os_sel(standard_counter("wait")), "office, service", window)
    targets = agg("max", "office, service", os_sel("pantau_standard_target_ratio"))
    weighted = agg("sum", by, f"{targets} * on (office, service) {waits}")
    return ratio(weighted, agg("sum", by, waits))


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
