"""Soak: many turns across many simulated people through the engine and the SQLite store,
with memory read at the start and the end (a leak shows as growth that does not level off)."""

from __future__ import annotations

import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.bench.engine_bench import rss_mb, sqlite_store, turn_for
from bot.engine import Engine


async def soak(turns: int, users: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Drive ``turns`` turns over ``users`` people; RSS after warm-up and at the end."""
    with tempfile.TemporaryDirectory(prefix="clientcoach-soak-") as tmp:
        engine = Engine(sqlite_store(Path(tmp) / "soak.sqlite3"))
        warm = min(turns // 10, 20_000)
        for i in range(warm):
            await engine.handle(turn_for(i, users))
        gc.collect()
        start_mb = rss_mb()
        started = time.perf_counter()
        checkpoints = []
        step = max(turns // 10, 1)
        for i in range(warm, warm + turns):
            replies = await engine.handle(turn_for(i, users))
            if not replies:
                raise RuntimeError(f"turn {i} gave no reply")
            if (i - warm + 1) % step == 0:
                checkpoints.append(round(rss_mb(), 1))
                log(f"soak: {i - warm + 1:,} turns, RSS {checkpoints[-1]} MB")
        elapsed = time.perf_counter() - started
        gc.collect()
        end_mb = rss_mb()
        await engine.store.close()
    return {
        "turns": turns,
        "users": users,
        "rss_start_mb": round(start_mb, 1),
        "rss_end_mb": round(end_mb, 1),
        "growth_pct": round((end_mb - start_mb) / start_mb * 100, 2),
        "checkpoints_mb": checkpoints,
        "turns_per_s": round(turns / elapsed),
    }
