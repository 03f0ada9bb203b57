"""``python -m balancer_perps.devnet``: the local devnet command.

    up [--history 12h] [--seed 6] [--keeper-gas-price 0.1]  start (idempotent), print manifest
    down                                                     stop keeper, feed and anvil
    status                                                   processes, chain, pools
    reset [same options as up]                               down, delete the directory, up
    stop keeper|feed  /  start keeper|feed                  control one background process
    keeper / feed                                            run that process in the foreground

Global options ``--dir`` and ``--port`` (or ``$BALANCER_PERPS_DEVNET_DIR`` and
``$BALANCER_PERPS_DEVNET_PORT``) select the devnet, so tests can run their own.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from balancer_perps.devnet import control
from balancer_perps.devnet.anvil import AnvilError
from balancer_perps.devnet.feed import describe, run_feed
from balancer_perps.devnet.keeper import run_keeper
from balancer_perps.devnet.markets import DEFAULT_KEEPER_GAS_PRICE

GWEI = 10**9
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> int:
    """``"8h"``, ``"90m"``, ``"3600s"`` or ``"3600"`` -> seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 8h, 90m or 600s")
    seconds = Decimal(match[1]) * _UNITS[match[2]]
    if seconds < 60:
        raise argparse.ArgumentTypeError("history must be at least one minute")
    return int(seconds)


def gwei(text: str) -> int:
    """A gas price in gwei (``"0.1"``) -> wei, exactly."""
    try:
        wei = Decimal(text) * GWEI
    except InvalidOperation as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of gwei") from error
    if wei < 0 or wei != wei.to_integral_value():
        raise argparse.ArgumentTypeError(f"{text} gwei is not a whole number of wei >= 0")
    return int(wei)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m balancer_perps.devnet",
        description="The Balancer Perps devnet: anvil with Perpetual Pools V2, markets, "
        "seeded history, a keeper and a price feed.",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        help=f"devnet directory (${control.DIR_ENV}, default .devnet in the repository)",
    )
    parser.add_argument(
        "--port", type=int, help=f"RPC port (${control.PORT_ENV}, default {control.DEFAULT_PORT})"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def up_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--history",
            type=duration,
            default=control.DEFAULT_HISTORY,
            help="seeded history on a cold start, e.g. 8h or 30m "
            f"(default {control.DEFAULT_HISTORY // 3600}h)",
        )
        command.add_argument(
            "--seed",
            type=int,
            default=control.DEFAULT_SEED,
            help="random seed of the history (default %(default)s)",
        )
        command.add_argument(
            "--keeper-gas-price",
            type=gwei,
            metavar="GWEI",
            help="PoolKeeper gas price in gwei (default "
            f"{Decimal(DEFAULT_KEEPER_GAS_PRICE) / GWEI}; 0 for no rewards)",
        )

    up_options(commands.add_parser("up", help="start the devnet (idempotent)"))
    commands.add_parser("down", help="stop keeper, feed and anvil (state is kept)")
    commands.add_parser("status", help="show processes, chain and pools")
    up_options(commands.add_parser("reset", help="down, delete the devnet directory, up"))
    for verb in ("start", "stop"):
        command = commands.add_parser(verb, help=f"{verb} the keeper or the feed process")
        command.add_argument("service", choices=control.SERVICES)
    keeper = commands.add_parser("keeper", help="run the keeper in the foreground")
    keeper.add_argument("--interval", type=float, default=1.0, help="seconds between passes")
    keeper.add_argument(
        "--retry-after",
        type=float,
        default=60.0,
        help="seconds before a failed pool is tried again",
    )
    feed = commands.add_parser("feed", help="run the price feed in the foreground")
    feed.add_argument("--interval", type=float, default=5.0, help="seconds between updates")
    feed.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    return parser


def _amount(raw: int, decimals: int) -> str:
    return f"{Decimal(raw).scaleb(-decimals):,.2f}"


def _clock(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _in(seconds: int) -> str:
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 60}m{seconds % 60:02d}s"


def format_up(report: control.UpReport, config: control.DevnetConfig) -> str:
    manifest = report.manifest
    what = {
        "running": "already running",
        "restarted": "restarted from saved state",
        "cold start": "cold start",
    }[report.path]
    lines = [f"devnet up ({what}) in {report.seconds:.1f} s"]
    if report.timings:
        lines[0] += " — " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items())
    if report.seed_summary:
        lines.append(f"  history   {report.seed_summary}")
    lines += [
        f"  manifest  {config.manifest_file}",
        f"  rpc       {manifest.rpc_url}   ws {manifest.ws_url}   chain id {manifest.chain_id}",
        f"  mnemonic  {manifest.mnemonic}",
        f"  keeper    gas price {Decimal(manifest.keeper_gas_price) / GWEI} gwei",
        f"  pools     {', '.join(p.name for p in manifest.pools)}",
    ]
    pids = {name: control.service_pid(config, name) for name in control.SERVICES}
    lines.append(
        "  services  "
        + "   ".join(
            f"{name} {'pid ' + str(pid) if pid else 'stopped'}" for name, pid in pids.items()
        )
    )
    return "\n".join(lines)


def format_status(state: control.DevnetStatus) -> str:
    lines = [f"Balancer Perps devnet in {state.directory}"]
    for name, pid in state.processes.items():
        running = f"running  pid {pid}" if pid else "stopped"
        lines.append(f"  {name:<7} {running}")
    if state.manifest is None:
        lines.append("  no manifest: run `python -m balancer_perps.devnet up`")
        return "\n".join(lines)
    if not state.chain_reachable or state.block is None or state.block_time is None:
        lines.append(f"  chain   not reachable at {state.rpc_url}")
        return "\n".join(lines)
    age = int(time.time()) - state.block_time
    lines.append(
        f"  chain   {state.rpc_url}  block {state.block}  time {_clock(state.block_time)}"
        + (f" ({age} s ago)" if age >= 0 else f" ({-age} s ahead of the wall clock)")
    )
    if state.keeper_gas_price is not None:
        lines.append(f"  keeper  gas price {Decimal(state.keeper_gas_price) / GWEI} gwei")
    lines.append(f"  prices  {describe(state.prices)}")
    now = max(int(time.time()), state.block_time)
    lines.append(f"  {'pool':<28}{'long':>16}{'short':>16}  {'collateral':<15}{'next upkeep':>12}")
    for pool in state.pools:
        due = (
            "paused"
            if pool.paused
            else (
                f"in {_in(pool.next_upkeep - now)}"
                if pool.next_upkeep > now
                else f"due {_in(now - pool.next_upkeep)}"
            )
        )
        lines.append(
            f"  {pool.name:<28}{_amount(pool.long_balance, pool.settlement_decimals):>16}"
            f"{_amount(pool.short_balance, pool.settlement_decimals):>16}  "
            f"{pool.settlement_symbol:<15}{due:>12}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = control.DevnetConfig.from_env(args.dir, args.port)
    if args.command in ("keeper", "feed"):  # the services' logs, a line at a time
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(line_buffering=True)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    else:  # progress of `up`, and warnings
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
        logging.getLogger("web3").setLevel(logging.WARNING)
    try:
        if args.command in ("up", "reset"):
            action = control.up if args.command == "up" else control.reset
            report = action(
                config, history=args.history, seed=args.seed, keeper_gas_price=args.keeper_gas_price
            )
            print(format_up(report, config))
        elif args.command == "down":
            stopped = control.down(config)
            print(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")
        elif args.command == "status":
            print(format_status(control.status(config)))
        elif args.command == "start":
            print(f"{args.service} running, pid {control.start_service(config, args.service)}")
        elif args.command == "stop":
            was_running = control.stop_service(config, args.service)
            print(f"{args.service} {'stopped' if was_running else 'was not running'}")
        elif args.command == "keeper":
            run_keeper(
                control.require_manifest(config),
                interval=args.interval,
                retry_after=args.retry_after,
            )
        elif args.command == "feed":
            run_feed(control.require_manifest(config), interval=args.interval, seed=args.seed)
    except (control.DevnetError, AnvilError) as error:
        print(f"devnet: {error}", file=sys.stderr)
        return 1
    return 0
