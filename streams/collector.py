"""Prometheus collector: renders the contract series and pipeline health from live state."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from streams.core.series import Family, contract_series
from streams.core.tally import BUCKETS
from streams.exposition import render
from streams.processor import Processor

_BOUNDS = [str(float(b)) for b in BUCKETS] + ["+Inf"]


class PantauCollector(Collector):
    """Reads the processor's state at scrape time; nothing is cached between scrapes."""

    def __init__(
        self,
        processor: Processor,
        owns_office: Callable[[str], bool],
        lag: Callable[[], dict[int, int]],
        events_topic: str,
    ) -> None:
        self.processor = processor
        self.owns_office = owns_office
        self.lag = lag
        self.events_topic = events_topic

    def families(self, only: Collection[str] | None = None) -> list[Family]:
        """The contract series and pipeline health, or just the families named in `only`."""
        proc = self.processor
        wall = proc.wall_clock() if proc.wall_clock else None
        standards = proc.standards
        configured = [pair for pair in standards.configured() if self.owns_office(pair[0])]
        with_hours = [o for o in standards.offices_with_hours() if self.owns_office(o)]
        families = contract_series(
            proc.offices(), proc.malformed(), standards, configured, wall, only, with_hours
        )
        return families + [fam for fam in self._pipeline() if only is None or fam.name in only]

    def exposition(self, only: Collection[str] | None = None) -> bytes:
        """The text /metrics serves (written directly: see `streams.exposition`)."""
        return render(self.families(only))

    def collect(self) -> Iterator[Metric]:
        for fam in self.families():
            samples = sorted(fam.samples.items())
            if fam.kind == "histogram":
                hist = HistogramMetricFamily(fam.name, fam.help, labels=fam.labels)
                for key, (cumulative, total) in samples:
                    hist.add_metric(list(key), list(zip(_BOUNDS, cumulative, strict=True)), total)
                yield hist
                continue
            metric: CounterMetricFamily | GaugeMetricFamily
            if fam.kind == "counter":
                metric = CounterMetricFamily(
                    fam.name.removesuffix("_total"), fam.help, labels=fam.labels
                )
            else:
                metric = GaugeMetricFamily(fam.name, fam.help, labels=fam.labels)
            for key, value in samples:
                metric.add_metric(list(key), value)
            yield metric

    def _pipeline(self) -> list[Family]:
        lag = Family(
            "pantau_consumer_lag_messages",
            "gauge",
            "Messages behind the end of each owned partition of the events topic.",
            ("topic", "partition"),
        )
        for partition, behind in sorted(self.lag().items()):
            lag.add((self.events_topic, str(partition)), behind)
        assigned = Family(
            "pantau_partitions_assigned", "gauge", "Input partitions this worker owns.", ()
        )
        assigned.add((), len(self.processor.partitions))
        last_batch = Family(
            "pantau_last_batch_timestamp_seconds",
            "gauge",
            "Wall time when the worker last processed a batch.",
            (),
        )
        last_batch.add((), self.processor.last_batch_at)
        return [lag, assigned, last_batch]
