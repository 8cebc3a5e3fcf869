"""Prometheus metrics, served at ``/metrics`` (``prometheus-client``).

``clientcoach serve`` with a consumer process (or several uvicorn workers) runs
prometheus-client's multi-process mode: every process of the service writes its values under
``PROMETHEUS_MULTIPROC_DIR`` (a folder of its own unless set), and ``/metrics`` adds them up, so
one scrape shows the acknowledgements of the HTTP workers and the turns of the consumers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
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
        latest = "mostrecent"  # read from the store at each scrape: the last reading counts
        self.queue_depth = Gauge("clientcoach_inbox_waiting", "Entries not yet read", registry=r,
                                 multiprocess_mode=latest)
        self.queue_pending = Gauge("clientcoach_inbox_pending", "Entries read, not yet done",
                                   registry=r, multiprocess_mode=latest)
        self.queue_age = Gauge("clientcoach_inbox_oldest_seconds", "Age of the oldest entry",
                               registry=r, multiprocess_mode=latest)
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
        """The text exposition format and its content type (every process's values added up
        in multi-process mode)."""
        if not os.environ.get(MULTIPROC_ENV):
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST


METRICS = Metrics()
