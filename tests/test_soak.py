"""The soak of ``clientcoach bench --soak`` runs end to end (a tiny one) and reports memory."""

from __future__ import annotations

from bot.bench.soak import soak


async def test_a_small_soak_runs_and_reports_memory() -> None:
    lines: list[str] = []
    result = await soak(300, 20, lines.append)
    assert result["turns"] == 300 and result["users"] == 20
    assert result["rss_start_mb"] > 0 and result["rss_end_mb"] > 0
    assert len(result["checkpoints_mb"]) == 10 and len(lines) == 10
