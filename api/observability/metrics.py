"""Prometheus metrics (prometheus-client), correct with several workers.

`python -m api` points PROMETHEUS_MULTIPROC_DIR at a fresh folder before any worker starts, so each worker
writes its samples there and `/metrics` in any worker reports the sum over all of them (the client's
multiprocess mode). Without it (a server started in a test) the metrics are this process's own.
"""

import os
import sys
from collections.abc import Iterator
from importlib import metadata

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from pymongo import monitoring

from embedded.status import read_status

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("contacts_http_requests", "HTTP requests answered.", ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "contacts_http_request_duration_seconds", "Time to answer an HTTP request.", ["method", "route"],
    buckets=LATENCY_BUCKETS,
)  # fmt: skip
IN_FLIGHT = Gauge("contacts_http_requests_in_flight", "HTTP requests being served.", multiprocess_mode="livesum")
DB_SECONDS = Histogram(
    "contacts_db_operation_duration_seconds", "Time of one database command.", ["command"], buckets=LATENCY_BUCKETS
)
DB_ERRORS = Counter("contacts_db_operation_errors", "Database commands that failed.", ["command"])
BUILD = Gauge(
    "contacts_build_info", "The running build: 1, labelled with versions.", ["version", "python", "pymongo"],
    multiprocess_mode="max",
)  # fmt: skip
BUILD.labels("1.0.0", sys.version.split()[0], metadata.version("pymongo")).set(1)


class _DatabaseOperations(monitoring.CommandListener):
    """Times every database command, and counts the failed ones (PyMongo's command monitoring)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        DB_SECONDS.labels(event.command_name).observe(event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        DB_SECONDS.labels(event.command_name).observe(event.duration_micros / 1e6)
        DB_ERRORS.labels(event.command_name).inc()


DATABASE_OPERATIONS = _DatabaseOperations()


class _EmbeddedDatabase(Collector):
    """The embedded database's restarts and state, read from its supervisor's status file at each scrape."""

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        status = read_status()
        if status is None:
            return
        restarts = CounterMetricFamily("contacts_embedded_db_restarts", "Times the embedded database was restarted.")
        restarts.add_metric([], status.restarts)
        up = GaugeMetricFamily("contacts_embedded_db_up", "1 while the embedded database runs, else 0.")
        up.add_metric([], 1.0 if status.state == "running" else 0.0)
        yield restarts
        yield up


def exposition() -> bytes:
    """The metrics in Prometheus' text format: every worker's, when there are several."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    embedded = CollectorRegistry(auto_describe=True)
    embedded.register(_EmbeddedDatabase())
    return generate_latest(registry) + generate_latest(embedded)
