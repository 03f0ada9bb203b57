"""App benchmarks against a production build (`reflex.testing.AppHarnessProd`).

    .venv/bin/python benchmarks/bench_app.py [--clients 100] [--rounds 20] [--loads 5]

Prints:
- markets page time-to-content in headless chromium (first load, then the median of the
  following loads): navigation start until the first market card is on screen;
- WebSocket event round trip p50/p95 (a filter change on the markets page: event sent,
  state delta received) with 1 and with `--clients` simulated clients at once, each
  sending its next event as soon as the last one is answered; the clients run in a
  separate process, as browsers would;
- backend memory per 100 sessions (resident memory of the process, which runs the
  backend, before and after that many more sessions have state, after a warm-up round);
- JavaScript loaded by the markets page and by a market page, raw and gzip.

The pages are fed a fixed set of markets in-process (the watcher's stand-in used by the
browser tests), so the figures measure the app, not a node.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ["PATH"] = f"{REPO_ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ["BALANCER_PERPS_CORS_ORIGINS"] = "*"
os.environ["BALANCER_PERPS_WATCHER"] = "false"  # the feed below stands in for the chain

import socketio  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from reflex.testing import AppHarnessProd  # noqa: E402

from tests.app.factories import history, sample_markets, snapshot  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.feed import SnapshotFeed  # noqa: E402

NAMESPACE = "/_event"  # Reflex's Socket.IO namespace (and path)


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_to_content(browser: Browser, url: str, loads: int) -> list[float]:
    timings = []
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.locator(".market-card").first.wait_for(state="visible", timeout=120_000)
        timings.append(time.perf_counter() - started)
        context.close()
    return timings


def script_bytes(browser: Browser, url: str, ready_selector: str) -> tuple[int, int]:
    """(raw, gzip) bytes of every script the page loads."""
    context = browser.new_context()
    page = context.new_page()
    bodies: list[bytes] = []

    def keep(response) -> None:  # a Playwright Response
        if response.request.resource_type == "script" and response.ok:
            try:
                bodies.append(response.body())
            except Exception:  # a body evicted before we read it: skip
                return

    page.on("response", keep)
    page.goto(url)
    page.locator(ready_selector).first.wait_for(state="visible", timeout=120_000)
    page.wait_for_load_state("networkidle")
    context.close()
    return sum(len(b) for b in bodies), sum(len(gzip.compress(b, 9)) for b in bodies)


async def _client_round_trips(backend: str, handler: str, rounds: int,
                              latencies: list[float]) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue[float] = asyncio.Queue()
    def on_update(data: object) -> None:
        update = json.loads(data) if isinstance(data, str) else data
        if isinstance(update, dict) and update.get("final", True):
            replies.put_nowait(time.perf_counter())  # the event's last delta

    client.on("event", on_update, namespace=NAMESPACE)
    token = str(uuid.uuid4())
    await client.connect(f"{backend}?token={token}", socketio_path="/_event",
                         transports=["websocket"], headers={"Origin": backend},
                         namespaces=[NAMESPACE])
    router = {"pathname": "/markets", "asPath": "/markets"}
    for i in range(rounds + 1):
        sent = time.perf_counter()
        await client.emit("event", {"name": handler, "payload": {
            "value": "name" if i % 2 else "tvl"}, "router_data": router}, namespace=NAMESPACE)
        received = await asyncio.wait_for(replies.get(), 30)
        if i:  # the first event creates the session's state
            latencies.append(received - sent)
    return client


async def round_trips(backend: str, handler: str, clients: int, rounds: int
                      ) -> tuple[list[float], list[socketio.AsyncClient]]:
    latencies: list[float] = []
    connected = await asyncio.gather(*(
        _client_round_trips(backend, handler, rounds, latencies) for _ in range(clients)))
    return latencies, list(connected)


async def _client_process(backend: str, handler: str, clients: int, rounds: int) -> None:
    """The simulated clients' side (``--client-process``), run in its own process like real
    browsers: prints the latencies as JSON, then keeps the sessions connected until told."""
    latencies, connected = await round_trips(backend, handler, clients, rounds)
    print(json.dumps(latencies), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await asyncio.gather(*(c.disconnect() for c in connected))


async def _clients_elsewhere(backend: str, handler: str, clients: int, rounds: int
                             ) -> tuple[list[float], int]:
    """Round trips of ``clients`` clients in a separate process; returns them and the
    backend's resident memory while those sessions are connected."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--client-process", backend, handler, str(clients),
        str(rounds), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    latencies = json.loads(await process.stdout.readline())
    gc.collect()
    rss = _rss_bytes()
    process.stdin.write(b"done\n")
    await process.stdin.drain()
    await process.wait()
    return latencies, rss


async def sessions(backend: str, handler: str, clients: int, rounds: int
                   ) -> tuple[list[float], list[float], int, int]:
    """Round trips with one client, then with `clients` at once (and the memory they add).
    The clients run in another process, as browsers would: the backend has this one."""
    one, _ = await _clients_elsewhere(backend, handler, 1, rounds)
    await _clients_elsewhere(backend, handler, clients, rounds)  # warm-up: heap and caches
    gc.collect()
    before = _rss_bytes()
    many, after = await _clients_elsewhere(backend, handler, clients, rounds)
    return one, many, before, after


def main() -> None:
    if sys.argv[1:2] == ["--client-process"]:
        backend, handler, clients, rounds = sys.argv[2:6]
        asyncio.run(_client_process(backend, handler, int(clients), int(rounds)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()

    with AppHarnessProd.create(root=REPO_ROOT, app_name="balancer_perps") as harness:
        from balancer_perps.pages import _data
        from balancer_perps.pages.markets import MarketsPageState

        now = int(time.time())
        markets = sample_markets(now=now)
        feed = SnapshotFeed()
        feed.histories = {m.info.address.lower(): history(m, start=now - 6_000)
                          for m in markets}
        feed.publish(snapshot(*markets, block_timestamp=now))
        _data.use_source(feed)
        assert harness.frontend_url is not None and harness.backend is not None
        frontend = harness.frontend_url.rstrip("/")
        backend = f"http://127.0.0.1:{harness.backend.servers[0].sockets[0].getsockname()[1]}"
        handler = f"{MarketsPageState.get_full_name()}.set_sort"

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            loads = time_to_content(browser, frontend + "/markets", args.loads)
            markets_js = script_bytes(browser, frontend + "/markets", ".market-card")
            market_js = script_bytes(browser, f"{frontend}/markets/{markets[0].info.address}",
                                     "#chart-price .main-svg")
            browser.close()

        one, many, before, after = asyncio.run(
            sessions(backend, handler, args.clients, args.rounds))

    print("Balancer Perps app benchmark (production build, headless chromium)")
    print(f"  markets page time-to-content: first {loads[0] * 1000:.0f} ms, then median "
          f"{statistics.median(loads[1:] or loads) * 1000:.0f} ms over {len(loads) - 1} loads")
    for label, values in (("1 client", one), (f"{args.clients} clients", many)):
        print(f"  WebSocket round trip, {label}: p50 {_percentile(values, 0.5) * 1000:.1f} ms, "
              f"p95 {_percentile(values, 0.95) * 1000:.1f} ms ({len(values)} events)")
    per_100 = (after - before) * 100 / max(args.clients, 1)
    print(f"  backend memory per 100 sessions: {per_100 / 2**20:.1f} MiB")
    for label, (raw, packed) in (("markets page", markets_js), ("market page", market_js)):
        print(f"  JavaScript, {label}: {raw / 1024:.0f} KiB, {packed / 1024:.0f} KiB gzip")


if __name__ == "__main__":
    main()
