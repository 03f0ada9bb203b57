"""JSON-RPC cost of the app-wide market refresh, against the V2 contracts on a local anvil.

    .venv/bin/python benchmarks/bench_rpc.py [--refreshes 30]

Deploys the V2 core and 8, then 40, markets on a fresh anvil and prints, for each size,
one JSON line: the JSON-RPC requests (and eth_calls) of one full refresh of every market
(goal: 1), the refresh latency (median and p95 of ``--refreshes`` reads, each after a new
block), the gas the batch uses (what an RPC provider's eth_call gas cap must allow), and
the requests of the one-off market discovery.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from balancer_perps.devnet.anvil import start_anvil
from tests.chain.devnet import Devnet, start_devnet


async def measure(devnet: Devnet, refreshes: int) -> dict[str, object]:
    counter: list[str] = []
    adapter = devnet.adapter(counter)
    try:
        started = time.perf_counter()
        await adapter.read_markets()
        discovery_seconds = time.perf_counter() - started
        discovery_requests = len(counter)

        per_refresh: list[int] = []
        latencies: list[float] = []
        for _ in range(refreshes):
            devnet.w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
            counter.clear()
            started = time.perf_counter()
            read = await adapter.read_markets()
            latencies.append(time.perf_counter() - started)
            per_refresh.append(len(counter))
        methods = sorted(set(counter))

        plan = adapter.markets.refresh_plan()
        data = adapter.multicall.calldata(plan.calls)
        gas = await adapter.rpc.estimate_gas(
            adapter.multicall.address, data, sender=devnet.deployer
        )
        return {
            "markets": len(read.markets),
            "requests_per_refresh": max(per_refresh),
            "methods": methods,
            "calls_in_batch": len(plan.calls),
            "batch_gas": gas,
            "refresh_ms_median": round(statistics.median(latencies) * 1000, 2),
            "refresh_ms_p95": round(sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000, 2),
            "discovery_requests": discovery_requests,
            "discovery_ms": round(discovery_seconds * 1000, 1),
        }
    finally:
        await adapter.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--refreshes", type=int, default=30)
    args = parser.parse_args()
    node = start_anvil()
    try:
        devnet = start_devnet(node)
        for size in (8, 40):
            devnet.add_markets(size - len(devnet.markets))
            print(json.dumps(asyncio.run(measure(devnet, args.refreshes))), flush=True)
    finally:
        node.stop()


if __name__ == "__main__":
    main()
