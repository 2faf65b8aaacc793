"""Prometheus collector: renders the contract series and pipeline health from live state."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from streams.core.series import contract_series
from streams.core.tally import BUCKETS
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

    def collect(self) -> Iterator[Metric]:
        proc = self.processor
        wall = proc.wall_clock() if proc.wall_clock else None
        configured = [pair for pair in proc.standards.configured() if self.owns_office(pair[0])]
        for fam in contract_series(
            proc.offices(), proc.malformed(), proc.standards, configured, wall
        ):
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
        yield from self._pipeline()

    def _pipeline(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "pantau_consumer_lag_messages",
            "Messages behind the end of each owned partition of the events topic.",
            labels=("topic", "partition"),
        )
        for partition, behind in sorted(self.lag().items()):
            lag.add_metric([self.events_topic, str(partition)], behind)
        yield lag
        yield GaugeMetricFamily(
            "pantau_partitions_assigned",
            "Input partitions this worker owns.",
            value=len(self.processor.partitions),
        )
        yield GaugeMetricFamily(
            "pantau_last_batch_timestamp_seconds",
            "Wall time when the worker last processed a batch.",
            value=self.processor.last_batch_at,
        )
