"""``clientcoach bench``: how fast a turn is, what a conversation costs, how it grows."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click

TARGETS = {
    "ratio_turn_vs_bolt": 2.0,
    "turns_per_s": 3000,
    "slack_http_ratio": 1.5,
    "bytes_per_session": 2048,
    "rss_mb": 200,
    "cold_start_s": 1.5,
    "kb_10x_ratio": 1.2,
}


def _log(message: str) -> None:
    click.echo(f"· {message}", err=True)


async def _redis_throughput(n: int) -> int | None:
    """Turns per second with the Redis store, or None when no Redis answers on 127.0.0.1."""
    from bot.bench.engine_bench import throughput
    from bot.engine import Engine
    from bot.store.base import StoreUnavailable
    from bot.store.redis import RedisSessionStore

    store = RedisSessionStore("redis://127.0.0.1:6379/0", prefix="clientcoach-bench:")
    try:
        await store.ping()
    except (StoreUnavailable, OSError):
        return None
    try:
        return round(await throughput(Engine(store), n))
    finally:
        keys = [k async for k in store.redis.scan_iter(match="clientcoach-bench:*", count=1000)]
        for i in range(0, len(keys), 500):
            await store.redis.delete(*keys[i : i + 500])
        await store.close()


def collect(quick: bool) -> dict[str, Any]:
    """Every figure, measured in one run."""
    from bot.bench import frameworks
    from bot.bench.cold_start import cold_start
    from bot.bench.engine_bench import engine_figures
    from bot.bench.http_bench import http_figures

    n, warmup = (500, 100) if quick else (3000, 300)
    big = 10_000 if quick else 100_000
    _log("frameworks alone: Bolt dispatch, PTB process_update")
    bolt = frameworks.bolt_noop(n, warmup)
    ptb = asyncio.run(frameworks.ptb_noop(n, warmup))
    figures: dict[str, Any] = asyncio.run(engine_figures(n, warmup, big, _log))
    figures.pop("pid", None)
    _log("throughput with Redis")
    from bot.understanding import embedding

    with embedding.disabled():  # as the SQLite figure: the turn, not the embedding's inference
        redis_tps = asyncio.run(_redis_throughput(n))
    if redis_tps is not None:
        figures["turns_per_s"]["redis"] = redis_tps
    figures["bolt_noop_us"] = bolt.as_dict()
    figures["ptb_noop_us"] = ptb.as_dict()
    figures["ratio_turn_vs_bolt"] = round(figures["turn_us"]["median"] / bolt.median_us, 2)
    figures["ratio_turn_vs_ptb"] = round(figures["turn_us"]["median"] / ptb.median_us, 2)
    figures.update(http_figures(min(n, 1000) if not quick else 100, 30, _log))
    _log("cold start of clientcoach chat")
    cold = cold_start(2 if quick else 5)
    figures["cold_start_s"] = cold
    figures["quick"] = quick
    return figures


def verdicts(f: dict[str, Any]) -> dict[str, tuple[float, float, bool]]:
    """(measured, target, met) for each target of the benchmark."""
    measured = {
        "ratio_turn_vs_bolt": f["ratio_turn_vs_bolt"],
        "turns_per_s": f["turns_per_s"]["sqlite"],
        "slack_http_ratio": f["slack_http_ms"]["ratio"],
        "bytes_per_session": f["bytes_per_session"],
        "rss_mb": f["rss_mb"]["process"],
        "cold_start_s": f["cold_start_s"]["median"],
        "kb_10x_ratio": f["scaling"]["kb_ratio"],
    }
    higher_is_better = {"turns_per_s"}
    out = {}
    for name, value in measured.items():
        target = TARGETS[name]
        met = value >= target if name in higher_is_better else value <= target
        out[name] = (value, target, met)
    return out


def table(f: dict[str, Any]) -> str:
    fixed = {"sessions_1k_us", "sessions_ratio"}
    sessions_big = next(k for k in f["scaling"] if k.startswith("sessions_") and k not in fixed)
    rows = [
        ("turn (SQLite)", f"{f['turn_us']['median']} µs", f"p99 {f['turn_us']['p99']} µs"),
        ("turn (memory)", f"{f['turn_us_memory']['median']} µs",
         f"p99 {f['turn_us_memory']['p99']} µs"),
        ("language + topic", f"{f['route_us']['median']} µs", f"p99 {f['route_us']['p99']} µs"),
        ("Bolt no-op dispatch", f"{f['bolt_noop_us']['median']} µs",
         f"turn / Bolt = {f['ratio_turn_vs_bolt']}"),
        ("PTB no-op process_update", f"{f['ptb_noop_us']['median']} µs",
         f"turn / PTB = {f['ratio_turn_vs_ptb']}"),
        ("throughput", f"{f['turns_per_s']['sqlite']} turns/s (SQLite)",
         f"{f['turns_per_s'].get('redis', 'n/a')} turns/s (Redis)"),
        ("Slack round trip", f"{f['slack_http_ms']['median']} ms",
         f"p99 {f['slack_http_ms']['p99']} ms, Bolt alone {f['slack_http_ms']['framework_median']}"
         f" ms, ratio {f['slack_http_ms']['ratio']}"),
        ("Telegram round trip", f"{f['telegram_http_ms']['median']} ms",
         f"p99 {f['telegram_http_ms']['p99']} ms, PTB alone "
         f"{f['telegram_http_ms']['framework_median']} ms, ratio {f['telegram_http_ms']['ratio']}"),
        ("stored bytes / conversation", f"{f['bytes_per_session']} B", "SQLite file / rows"),
        ("RSS", f"{f['rss_mb']['process']} MB",
         f"{f['rss_mb']['conversations']:,} conversations; in-memory store "
         f"+{f['rss_mb']['memory_store_growth']} MB"),
        ("cold start", f"{f['cold_start_s']['median']} s",
         f"to the first answer; greeting {f['cold_start_s']['greeting']} s"),
        ("knowledge base 10x", f"{f['scaling']['kb_10x_us']} µs",
         f"1x {f['scaling']['kb_1x_us']} µs, ratio {f['scaling']['kb_ratio']}"),
        ("stored conversations", f"{f['scaling'][sessions_big]} µs",
         f"1k {f['scaling']['sessions_1k_us']} µs, ratio {f['scaling']['sessions_ratio']}"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {value:<28} {note}" for name, value, note in rows]
    lines.append("")
    for name, (value, target, met) in verdicts(f).items():
        lines.append(f"{'met ' if met else 'MISS'}  {name} = {value} (target {target})")
    return "\n".join(lines)


@click.command()
@click.option("--quick", is_flag=True, help="Fewer iterations and 10,000 stored conversations.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@click.option("--soak", type=int, default=None, metavar="N",
              help="Instead: drive N turns through the engine and report memory growth.")
@click.option("--users", type=int, default=5000, show_default=True,
              help="Simulated people in the soak.")  # fmt: skip
@click.option("--load", type=int, default=None, metavar="N",
              help="Instead: N signed events through two workers on Redis (needs redis-server).")
@click.option("--faults", is_flag=True,
              help="With --load: SIGKILL a worker, stop Redis 10 s, API 429/503/timeouts.")
@click.option("--concurrency", type=int, default=200, show_default=True,
              help="Requests in flight during --load.")
def bench(quick: bool, as_json: bool, soak: int | None, users: int, load: int | None,
          faults: bool, concurrency: int) -> None:
    """Measure speed, memory and scaling (medians and p99; compare ratios, not absolutes)."""
    if load is not None:
        from bot.bench.load import load_figures, load_table

        result = load_figures(load, faults=faults, concurrency=concurrency, log=_log)
        click.echo(load_table(result))
        if as_json:
            click.echo(json.dumps(result))
        if result["lost"] or result["duplicate_replies"] or result["unavailable_notices"]:
            sys.exit(1)
        return
    if soak is not None:
        from bot.bench.soak import soak as run_soak

        result = asyncio.run(run_soak(soak, users, _log))
        click.echo(
            f"soak: {result['turns']:,} turns over {result['users']:,} people, "
            f"RSS {result['rss_start_mb']} → {result['rss_end_mb']} MB "
            f"({result['growth_pct']:+.2f}%), {result['turns_per_s']} turns/s"
        )
        if as_json:
            click.echo(json.dumps(result))
        return
    figures = collect(quick)
    click.echo(table(figures))
    if as_json:
        figures["targets"] = {k: {"value": v, "target": t, "met": m}
                              for k, (v, t, m) in verdicts(figures).items()}  # fmt: skip
        click.echo(json.dumps(figures, ensure_ascii=False))
    sys.stdout.flush()
