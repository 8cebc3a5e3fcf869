"""Prometheus metrics of one process, served at ``/metrics`` (``prometheus-client``).

With several uvicorn workers each process has its own counters; scrape each worker, or set
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multi-process mode) to aggregate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


@dataclass
class Metrics:
    """Every metric the service exports, on a registry of its own."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.acks = Counter("clientcoach_acks", "Requests acknowledged, by platform and outcome",
                            ["platform", "outcome"], registry=r)
        self.ack_latency = Histogram("clientcoach_ack_seconds", "Time to acknowledge a request",
                                     ["platform"], buckets=LATENCY_BUCKETS, registry=r)
        self.turns = Counter("clientcoach_turns", "Inbox entries handled", ["platform"],
                             registry=r)
        self.end_to_end = Histogram("clientcoach_end_to_end_seconds",
                                    "From acknowledgement to the entry handled",
                                    buckets=LATENCY_BUCKETS, registry=r)
        self.replies_sent = Counter("clientcoach_replies_sent", "Replies sent", ["platform"],
                                    registry=r)
        self.replies_in_doubt = Counter("clientcoach_replies_in_doubt",
                                        "Replies not resent after a crash or timeout mid-send",
                                        registry=r)
        self.inbox_retries = Counter("clientcoach_inbox_retries",
                                     "Entries retried after a store error", registry=r)
        self.inbox_reclaimed = Counter("clientcoach_inbox_reclaimed",
                                       "Entries taken over from a worker that stopped",
                                       registry=r)
        self.inbox_dropped = Counter("clientcoach_inbox_dropped",
                                     "Entries given up after repeated handler errors", registry=r)
        self.queue_depth = Gauge("clientcoach_inbox_waiting", "Entries not yet read", registry=r)
        self.queue_pending = Gauge("clientcoach_inbox_pending", "Entries read, not yet done",
                                   registry=r)
        self.queue_age = Gauge("clientcoach_inbox_oldest_seconds", "Age of the oldest entry",
                               registry=r)
        self.rate_limit_waits = Counter("clientcoach_rate_limit_waits",
                                        "Sends delayed by a flood limit", ["platform"],
                                        registry=r)
        self.rate_limit_wait_seconds = Counter("clientcoach_rate_limit_wait_seconds",
                                               "Seconds spent waiting on flood limits",
                                               ["platform"], registry=r)
        self.store_errors = Counter("clientcoach_store_errors", "Store errors by where",
                                    ["where"], registry=r)
        self.http_refused = Counter("clientcoach_http_refused",
                                    "Requests cut off: headers or body too slow, too large",
                                    ["reason"], registry=r)
        self.store_busy = Counter("clientcoach_store_busy",
                                  "Store calls that found the connection pool busy", registry=r)

    def render(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


METRICS = Metrics()
