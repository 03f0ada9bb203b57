"""Bring the devnet up and down: anvil, the deployment, seeded history, keeper and feed.

Everything lives in one directory (default ``<repo>/.devnet``, or
``$BALANCER_PERPS_DEVNET_DIR``) on one port (default 8545, or ``$BALANCER_PERPS_DEVNET_PORT``):

- ``state.json``: anvil's ``--state`` file, written when ``down`` stops anvil (SIGTERM), so
  positions, blocks, transactions and logs survive ``down``/``up``. Not kept: the state of
  each past block, so after a restart ``eth_call`` works at the blocks mined since then only.
  No periodic dumps either: the file holds every transaction with its call trace (over
  100 MB after a cold start) and anvil answers no requests while it writes it.
- ``manifest.json``: what was deployed where (``manifest.Manifest``).
- ``anvil|keeper|feed .pid/.log``: the three background processes.

``up`` has three paths: already running (verify, restart a missing keeper or feed, return);
stopped with a saved state (restart anvil from it); or a cold start (fresh chain whose
genesis lies ``history`` seconds in the past, deploy, seed history up to now).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from balancer_perps.devnet import services
from balancer_perps.devnet.anvil import is_up, start_anvil
from balancer_perps.devnet.build import REPO_ROOT
from balancer_perps.devnet.jsonrpc import JsonRpc, calldata
from balancer_perps.devnet.manifest import Manifest, load_manifest
from balancer_perps.devnet.markets import DEFAULT_KEEPER_GAS_PRICE, MARKETS

log = logging.getLogger("balancer_perps.devnet")

DIR_ENV = "BALANCER_PERPS_DEVNET_DIR"
PORT_ENV = "BALANCER_PERPS_DEVNET_PORT"
DEFAULT_PORT = 8545
DEFAULT_HISTORY = 12 * 3600  # seconds of seeded history on a cold start
DEFAULT_SEED = 6
SERVICES = ("keeper", "feed")
NO_PERIODIC_DUMPS = 365 * 86400  # anvil's --state-interval (seconds): in effect, never


class DevnetError(RuntimeError):
    """The devnet cannot be brought up (or down) as asked; the message says why."""


@dataclass(frozen=True)
class DevnetConfig:
    directory: Path
    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"

    @classmethod
    def from_env(cls, directory: Path | None = None, port: int | None = None) -> DevnetConfig:
        env_dir = os.environ.get(DIR_ENV)
        env_port = os.environ.get(PORT_ENV)
        return cls(
            directory=(directory or (Path(env_dir) if env_dir else REPO_ROOT / ".devnet"))
            .expanduser()
            .resolve(),
            port=port or (int(env_port) if env_port else DEFAULT_PORT),
        )

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def state_file(self) -> Path:
        return self.directory / "state.json"

    @property
    def manifest_file(self) -> Path:
        return self.directory / "manifest.json"

    def pid_file(self, name: str) -> Path:
        return self.directory / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def marker(self, name: str) -> str:
        """A string in the process's command line that identifies it as this devnet's."""
        if name == "anvil":
            return str(self.state_file)
        return f"--dir {self.directory} --port {self.port} {name}"


@dataclass
class UpReport:
    manifest: Manifest
    path: str  # "running", "restarted" or "cold start"
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    seed_summary: str = ""


# --- processes ------------------------------------------------------------------------------


def anvil_pid(config: DevnetConfig) -> int | None:
    return services.running_pid(config.pid_file("anvil"), config.marker("anvil"))


def service_pid(config: DevnetConfig, name: str) -> int | None:
    return services.running_pid(config.pid_file(name), config.marker(name))


def start_service(config: DevnetConfig, name: str) -> int:
    """Start the keeper or the feed process (no-op if it runs); returns its pid."""
    if name not in SERVICES:
        raise DevnetError(f"unknown service {name}: choose from {', '.join(SERVICES)}")
    pid = service_pid(config, name)
    if pid is not None:
        return pid
    args = [
        sys.executable,
        "-m",
        "balancer_perps.devnet",
        "--dir",
        str(config.directory),
        "--port",
        str(config.port),
        name,
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    return services.spawn(
        args, log_file=config.log_file(name), pid_file=config.pid_file(name), cwd=REPO_ROOT, env=env
    )


def stop_service(config: DevnetConfig, name: str) -> bool:
    """Stop the keeper or the feed process; True if it was running."""
    if name not in SERVICES:
        raise DevnetError(f"unknown service {name}: choose from {', '.join(SERVICES)}")
    return services.stop(config.pid_file(name), config.marker(name))


def _start_anvil(config: DevnetConfig, genesis: int | None, *, mining: bool = True) -> None:
    if is_up(config.rpc_url):
        raise DevnetError(
            f"port {config.port} is already in use by another node: stop it, or choose another"
            f" port with --port or ${PORT_ENV}"
        )
    config.directory.mkdir(parents=True, exist_ok=True)
    with config.log_file("anvil").open("ab") as anvil_log:
        node = start_anvil(
            port=config.port,
            host=config.host,
            state_file=config.state_file,
            timestamp=genesis,
            log=anvil_log,
            detach=True,
            # anvil would also dump the state every minute, stalling every request meanwhile
            extra_args=[
                "--state-interval",
                str(NO_PERIODIC_DUMPS),
                *([] if mining else ["--no-mining"]),
            ],
        )
    services.adopt(node.process)
    config.pid_file("anvil").write_text(f"{node.process.pid}\n")


def _stop_anvil(config: DevnetConfig) -> bool:
    # A large state takes a moment to write on SIGTERM: be patient before SIGKILL.
    return services.stop(config.pid_file("anvil"), config.marker("anvil"), timeout=120)


# --- up / down / reset ---------------------------------------------------------------------


def _check_deployment(config: DevnetConfig, manifest: Manifest) -> None:
    rpc = JsonRpc(config.rpc_url, timeout=10.0)
    chain_id = int(rpc.call("eth_chainId"), 16)
    if chain_id != manifest.chain_id:
        raise DevnetError(f"the node on port {config.port} has chain id {chain_id}")
    if rpc.call("eth_getCode", [manifest.contracts["PoolFactory"], "latest"]) in ("0x", "0x0"):
        raise DevnetError("the chain has no PoolFactory at the manifest's address")


def _align_clock(config: DevnetConfig) -> None:
    """After a restart anvil's clock is the wall clock again; if the chain had been moved
    ahead of it (evm_increaseTime), keep block time from running backwards. Anvil was
    started without mining, so nothing can be mined before this: the first block is stamped
    here (with whatever the running keeper or feed sent meanwhile), then automine resumes."""
    rpc = JsonRpc(config.rpc_url, timeout=10.0)
    latest = int(rpc.block()["timestamp"], 16)
    rpc.call("evm_setNextBlockTimestamp", [max(latest + 1, int(time.time()))])
    rpc.call("evm_mine")
    rpc.call("evm_setAutomine", [True])
    # a transaction that arrived between the two calls above is still waiting: mine it
    if int(rpc.call("txpool_status")["pending"], 16):
        rpc.call("evm_mine")


def _apply_keeper_gas_price(config: DevnetConfig, manifest: Manifest, gas_price: int) -> Manifest:
    from web3 import Web3  # web3 takes most of a second to import: only where it is used

    from balancer_perps.devnet.evm import contract_at, send

    w3 = Web3(Web3.HTTPProvider(config.rpc_url))
    keeper = contract_at(w3, "PoolKeeper", manifest.contracts["PoolKeeper"])
    if keeper.functions.gasPrice().call() != gas_price:
        send(keeper.functions.setGasPrice(gas_price), sender=manifest.address_of("deployer"))
    if manifest.keeper_gas_price != gas_price:
        manifest = replace(manifest, keeper_gas_price=gas_price)
        manifest.write(config.manifest_file)
    return manifest


def _wipe(config: DevnetConfig) -> None:
    for name in SERVICES:
        stop_service(config, name)
    _stop_anvil(config)
    config.state_file.unlink(missing_ok=True)
    config.manifest_file.unlink(missing_ok=True)


def _cold_start(
    config: DevnetConfig, history: int, seed: int, keeper_gas_price: int, timings: dict[str, float]
) -> tuple[Manifest, str]:
    from web3 import Web3  # web3 takes most of a second to import: only where it is used

    from balancer_perps.devnet.seed import seed_history
    from balancer_perps.devnet.stack import deploy_stack

    _wipe(config)
    started = time.monotonic()
    log.info("cold start: anvil on %s, genesis %.1f h ago", config.rpc_url, history / 3600)
    _start_anvil(config, genesis=int(time.time()) - history)
    try:
        log.info("deploying Multicall3, tokens, feeds, the V2 core and %d markets", len(MARKETS))
        w3 = Web3(Web3.HTTPProvider(config.rpc_url))
        manifest = deploy_stack(
            w3, rpc_url=config.rpc_url, ws_url=config.ws_url, keeper_gas_price=keeper_gas_price
        )
        timings["deploy"] = time.monotonic() - started
        log.info("seeding %.1f h of history up to now (seed %d)", history / 3600, seed)
        rpc = JsonRpc(config.rpc_url)
        stats = seed_history(rpc, manifest, seed=seed)
        timings["history"] = time.monotonic() - started - timings["deploy"]
        manifest = replace(manifest, seeded_until=stats.ended_at, seed=seed)
        manifest.write(config.manifest_file)
    except BaseException:
        _wipe(config)  # never leave a half-built chain behind for the next `up`
        raise
    return manifest, stats.summary()


def up(
    config: DevnetConfig,
    *,
    history: int = DEFAULT_HISTORY,
    seed: int = DEFAULT_SEED,
    keeper_gas_price: int | None = None,
    start_services: bool = True,
) -> UpReport:
    """Bring the devnet up (idempotent); see the module docstring for the three paths.

    ``history`` and ``seed`` apply to a cold start only. ``keeper_gas_price`` (wei) defaults
    to 0.1 gwei on a cold start; when given for a running devnet, PoolKeeper.setGasPrice."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    config.directory.mkdir(parents=True, exist_ok=True)
    manifest: Manifest | None = None
    if config.manifest_file.exists():
        manifest = load_manifest(config.manifest_file)

    if anvil_pid(config) is not None:
        if manifest is None:
            # Our anvil without a manifest: a cold start was interrupted.
            path = "cold start"
        else:
            try:
                _check_deployment(config, manifest)
            except DevnetError as error:
                raise DevnetError(f"{error}: run `reset`") from error
            path = "running"
    elif manifest is not None and config.state_file.exists():
        log.info("restarting anvil from %s", config.state_file)
        # Mining waits until the clock is aligned: a keeper or feed still running would
        # otherwise get a block in first, stamped with the wall clock.
        _start_anvil(config, genesis=None, mining=False)
        try:
            _check_deployment(config, manifest)
        except DevnetError as error:
            _stop_anvil(config)
            raise DevnetError(
                f"{error}: the saved state does not match the manifest, run `reset`"
            ) from error
        _align_clock(config)
        path = "restarted"
    else:
        if manifest is not None:
            log.info("no saved state in %s: starting over", config.directory)
        path = "cold start"

    summary = ""
    if path == "cold start":
        manifest, summary = _cold_start(
            config,
            history,
            seed,
            DEFAULT_KEEPER_GAS_PRICE if keeper_gas_price is None else keeper_gas_price,
            timings,
        )
    else:
        assert manifest is not None
        if manifest.rpc_url != config.rpc_url:
            manifest = replace(manifest, rpc_url=config.rpc_url, ws_url=config.ws_url)
            manifest.write(config.manifest_file)
        if keeper_gas_price is not None:
            manifest = _apply_keeper_gas_price(config, manifest, keeper_gas_price)
    if start_services:
        for name in SERVICES:
            start_service(config, name)
    return UpReport(manifest, path, time.monotonic() - started, timings, summary)


def down(config: DevnetConfig) -> list[str]:
    """Stop keeper, feed and anvil (which saves its state); returns what was running."""
    stopped = [name for name in SERVICES if stop_service(config, name)]
    if _stop_anvil(config):
        stopped.append("anvil")
    return stopped


def reset(
    config: DevnetConfig,
    *,
    history: int = DEFAULT_HISTORY,
    seed: int = DEFAULT_SEED,
    keeper_gas_price: int | None = None,
    start_services: bool = True,
) -> UpReport:
    """Stop everything, delete the devnet directory, and cold-start."""
    down(config)
    if config.directory.exists():
        shutil.rmtree(config.directory)
    return up(
        config,
        history=history,
        seed=seed,
        keeper_gas_price=keeper_gas_price,
        start_services=start_services,
    )


# --- status ---------------------------------------------------------------------------------


@dataclass
class PoolStatus:
    name: str
    address: str
    long_balance: int
    short_balance: int
    settlement_symbol: str
    settlement_decimals: int
    last_upkeep: int
    next_upkeep: int
    paused: bool


@dataclass
class DevnetStatus:
    directory: Path
    rpc_url: str
    processes: dict[str, int | None]  # name -> pid if running
    chain_reachable: bool = False
    block: int | None = None
    block_time: int | None = None
    keeper_gas_price: int | None = None
    prices: dict[str, int] = field(default_factory=dict)
    pools: list[PoolStatus] = field(default_factory=list)
    manifest: Manifest | None = None


def status(config: DevnetConfig) -> DevnetStatus:
    processes = {"anvil": anvil_pid(config)}
    processes.update({name: service_pid(config, name) for name in SERVICES})
    result = DevnetStatus(config.directory, config.rpc_url, processes)
    if not config.manifest_file.exists():
        return result
    manifest = result.manifest = load_manifest(config.manifest_file)
    if not is_up(config.rpc_url):
        return result
    rpc = JsonRpc(config.rpc_url, timeout=10.0)
    block = rpc.block()
    result.chain_reachable = True
    result.block = int(block["number"], 16)
    result.block_time = int(block["timestamp"], 16)
    (gas_price,) = rpc.read(
        [(manifest.contracts["PoolKeeper"], calldata("gasPrice()"), ["uint256"])]
    )[0]
    result.keeper_gas_price = int(gas_price)
    pairs = list(manifest.feeds)
    answers = rpc.read(
        [(manifest.feeds[p].address, calldata("latestAnswer()"), ["int256"]) for p in pairs]
    )
    result.prices = {p: int(a[0]) for p, a in zip(pairs, answers, strict=True)}
    reads = []
    for pool in manifest.pools:
        reads += [
            (pool.address, calldata(f"{getter}()"), [kind])
            for getter, kind in (
                ("longBalance", "uint256"),
                ("shortBalance", "uint256"),
                ("lastPriceTimestamp", "uint256"),
                ("paused", "bool"),
            )
        ]
    values = rpc.read(reads)
    for i, pool in enumerate(manifest.pools):
        (long_balance,), (short_balance,), (last,), (paused,) = values[4 * i : 4 * i + 4]
        result.pools.append(
            PoolStatus(
                name=pool.name,
                address=pool.address,
                long_balance=int(long_balance),
                short_balance=int(short_balance),
                settlement_symbol=pool.settlement_symbol,
                settlement_decimals=manifest.tokens[pool.settlement_symbol].decimals,
                last_upkeep=int(last),
                next_upkeep=int(last) + pool.update_interval,
                paused=bool(paused),
            )
        )
    return result


def require_manifest(config: DevnetConfig) -> Manifest:
    if not config.manifest_file.exists():
        raise DevnetError(f"no devnet manifest at {config.manifest_file}: run `up` first")
    return load_manifest(config.manifest_file)
