"""Memory of a serving process, measured in a process of its own (``python -m``).

The process does what a worker of ``clientcoach serve`` holds in memory: the packaged knowledge
base and routing model, both platform adapters and the HTTP server imported, turns answered in
the three languages, then ``count`` conversations kept by the in-memory store. Measured apart
from the rest of the bench, so the heap its other sections leave behind (SQLite stores of
100,000 rows, a knowledge base at 10x) does not count. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
from typing import Any


async def _measure(count: int) -> dict[str, Any]:
    import bot.server  # noqa: F401  (what a worker imports to serve both platforms)
    import bot.slack.app  # noqa: F401
    import bot.telegram.app  # noqa: F401
    import knowledge
    from bot.bench.engine_bench import fill, memory_store, rss_mb, turn_timing
    from bot.engine import Engine

    engine = Engine(memory_store(), knowledge.load())
    await turn_timing(engine, 300, 30)  # every reading, flow and template built once
    gc.collect()
    before = rss_mb()
    held = memory_store()
    await fill(held, count)
    gc.collect()
    after = rss_mb()
    return {"process": round(after, 1), "memory_store_growth": round(after - before, 1),
            "conversations": count}  # fmt: skip


def measure(count: int) -> dict[str, Any]:
    """Run the probe in a fresh interpreter (word model only) and return its figures."""
    env = {**os.environ, "CLIENTCOACH_EMBEDDINGS": "0"}
    out = subprocess.run(
        [sys.executable, "-m", "bot.bench.memory_probe", str(count)],
        env=env, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_measure(int(sys.argv[1])))))
