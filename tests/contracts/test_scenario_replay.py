"""Replay the two recorded V2.1 scenarios on the devnet contracts, each on a fresh anvil.

Both files were recorded on the real V2.1 contracts (reference preamble, "Clock convention",
"Clock rule", "Acceptance"). The replay follows each file's ``clock`` and setup exactly:

* genesis at 1735689600; setup transactions one per block, one second apart;
* every transaction step mined alone in its own block at exactly its ``block_timestamp``
  (``evm_setNextBlockTimestamp``), failed ones included, with an explicit gas limit;
* ``advance_time_seconds`` (basic only) mines one empty block that much later, which is how
  the recording advanced time (its next readings already see the new time);
* readings are ``eth_call``s at the block of the preceding transaction.

Every reading, every event in order (emitter role, name, all arguments), every transaction
status and revert reason and every ``eth_balance_change_excluding_gas`` is compared. Roles map
to anvil's dev accounts (HD index order of the rich file's setup) and to the deployed contracts;
pool, committer and token roles are bound from the ``DeployPool``/``PoolInitialized`` events.
Encoding and decoding use the reference ABI (``pp_ref``), not the artifacts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak
from web3 import HTTPProvider, Web3

from balancer_perps.devnet.deploy import Core, deploy_core, deploy_market
from tests.contracts import pp_ref
from tests.contracts.pp_chain import DEFAULT_GAS, DEPLOY_GAS, Chain, revert_data_of
from tests.contracts.pp_world import GENESIS, require_artifacts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOW = 40  # mismatches printed in a failure message
KEEPER_DEFAULT_GAS_PRICE = 10 * 10**9

# The order of the rich file's setup accounts (HD index 0..11); basic uses the same names.
EOA_ROLES = (
    "@deployer_governance",
    "@primary_fee_receiver",
    "@balancer_treasury",
    "@keeper",
    "@user_a",
    "@user_b",
    "@user_c",
    "@user_d",
    "@user_e",
    "@claim_bot",
    "@partner_treasury",
    "@fee_controller",
)

BASIC_CONTRACT_ROLES = {
    "@PoolSwapLibrary": "PoolSwapLibrary",
    "@L2Encoder": "L2Encoder",
    "@PoolFactory": "PoolFactory",
    "@InvariantCheck": "InvariantCheck",
    "@AutoClaim": "AutoClaim",
    "@PoolKeeper": "PoolKeeper",
    "@KeeperRewards": "KeeperRewards",
    "@BAL": "TestToken",
    "@ETH_USD_TestChainlinkOracle": "TestChainlinkOracle",
    "@ETH_BAL_feed": "TestChainlinkOracle",
    "@ETH_USD_wrapper": "ChainlinkOracleWrapper",
    "@ETH_BAL_wrapper": "ChainlinkOracleWrapper",
    "@LeveragedPool": "LeveragedPool",
    "@PoolCommitter": "PoolCommitter",
    "@LongToken": "PoolToken",
    "@ShortToken": "PoolToken",
}


def split_signature(signature: str) -> tuple[str, list[str]]:
    name, rest = signature.split("(", 1)
    inner, depth, parts, current = rest[:-1], 0, [], ""
    for char in inner:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    if current:
        parts.append(current)
    return name, parts


@dataclass
class Replay:
    """Drives one scenario and collects every comparison and mismatch."""

    chain: Chain
    steps: list[dict[str, Any]]
    roles: dict[str, str]  # role -> address (lower case)
    kinds: dict[str, str]  # role -> contract type
    read_types: dict[str, list[str]]
    last_block: int
    comparisons: int = 0
    mismatches: list[str] = field(default_factory=list)
    transactions: int = 0
    reads: int = 0
    events: int = 0

    # ------------------------------------------------------------------ values
    def address(self, value: str) -> str:
        if value not in self.roles:
            raise LookupError(f"role {value} is not bound")
        return self.roles[value]

    def resolve(self, value: Any) -> Any:
        """Replace @roles in arguments with addresses."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, str) and value.startswith("@"):
            return self.address(value)
        return value

    def rolify(self, value: Any) -> Any:
        """Actual values in the files' notation: addresses as @roles, hex in lower case."""
        if isinstance(value, list | tuple):
            return [self.rolify(v) for v in value]
        if isinstance(value, str) and value.startswith("0x"):
            lowered = value.lower()
            if len(lowered) == 42:
                for role, address in self.roles.items():
                    if address == lowered:
                        return role
            return lowered
        return value

    @staticmethod
    def expected(value: Any) -> Any:
        if isinstance(value, list):
            return [Replay.expected(v) for v in value]
        if isinstance(value, str) and value.startswith("0x"):
            return value.lower()
        return value

    def compare(self, where: str, expected: Any, actual: Any) -> None:
        self.comparisons += 1
        expected = self.expected(expected)
        if expected != actual:
            self.mismatches.append(f"{where}: expected {expected!r}, got {actual!r}")

    # ------------------------------------------------------------------ steps
    def run(self) -> None:
        pending: list[tuple[int, dict[str, Any]]] = []
        for index, step in enumerate(self.steps):
            if "read" in step or "read_eth_balance" in step:
                pending.append((index, step))
                continue
            self.flush(pending)
            pending = []
            if "advance_time_seconds" in step:
                now = int(self.chain.block(self.last_block)["timestamp"], 16)
                self.last_block = self.chain.mine(now + int(step["advance_time_seconds"]))
                continue
            self.transaction(index, step)
        self.flush(pending)

    def _read_function(self, step: dict[str, Any]) -> tuple[pp_ref.Function, str]:
        kind = self.kinds[step["read"]]
        name, arg_types = split_signature(step["function"])
        function = pp_ref.abi(kind).fn(name)
        assert function.input_types == arg_types, f"{kind}.{step['function']} vs reference"
        key = f"{kind}.{step['function']}"
        if key in self.read_types:
            assert [t.replace(" ", "") for t in self.read_types[key]] == function.output_types, (
                f"{key}: the file's return types differ from the reference ABI"
            )
        return function, kind

    def flush(self, pending: list[tuple[int, dict[str, Any]]]) -> None:
        if not pending:
            return
        block = hex(self.last_block)
        calls: list[tuple[str, list[Any]]] = []
        plans: list[tuple[int, dict[str, Any], pp_ref.Function | None]] = []
        for index, step in pending:
            try:
                if "read_eth_balance" in step:
                    calls.append(
                        ("eth_getBalance", [self.address(step["read_eth_balance"]), block])
                    )
                    plans.append((index, step, None))
                    continue
                function, _ = self._read_function(step)
                data = pp_ref.encode_call(function, self.resolve(step["args"]))
                calls.append(
                    (
                        "eth_call",
                        [{"to": self.address(step["read"]), "data": "0x" + data.hex()}, block],
                    )
                )
                plans.append((index, step, function))
            except LookupError as error:
                self.comparisons += 1
                self.mismatches.append(f"step {index} [{step['step']}] read: {error}")
        answers = self.chain.rpc.batch(calls)
        for (index, step, function), answer in zip(plans, answers, strict=True):
            self.reads += 1
            if function is None:
                where = f"step {index} [{step['step']}] ETH balance of {step['read_eth_balance']}"
                self.compare(where, step["expect"], int(answer["result"], 16))
                continue
            where = f"step {index} [{step['step']}] {step['read']}.{step['function']}"
            if step["args"]:
                where += f" {step['args']}"
            if "error" in answer:
                data = pp_ref.decode_revert(revert_data_of(answer["error"]))
                self.comparisons += 1
                self.mismatches.append(f"{where}: reverted {data!r} ({answer['error']})")
                continue
            value = pp_ref.decode_output(function, bytes.fromhex(answer["result"][2:]))
            self.compare(where, step["expect"], self.rolify(value))

    def transaction(self, index: int, step: dict[str, Any]) -> None:
        self.transactions += 1
        where = f"step {index} [{step['step']}] {step['from']} -> {step['to']}.{step['function']}"
        try:
            sender, to = self.address(step["from"]), self.address(step["to"])
            _, arg_types = split_signature(step["function"])
            data = keccak(text=step["function"])[:4] + pp_ref.encode_args(
                arg_types, self.resolve(step["args"])
            )
        except LookupError as error:
            self.comparisons += 1
            self.mismatches.append(f"{where}: cannot send: {error}")
            return
        balances = step.get("eth_balance_change_excluding_gas", {})
        before = {
            role: self.chain.balance(self.address(role), self.last_block) for role in balances
        }
        gas = DEPLOY_GAS if step["function"].startswith("deployPool") else DEFAULT_GAS
        result = self.chain.send(
            sender, to, data, value=int(step["value"]), gas=gas, at=int(step["block_timestamp"])
        )
        self.last_block = result.block
        self.compare(f"{where} block_timestamp", step["block_timestamp"], result.timestamp)
        self.compare(f"{where} status", step["status"], result.status)
        if step["status"] == 0 or result.status == 0:
            self.compare(
                f"{where} revert reason",
                step.get("revert_reason"),
                result.revert if result.status == 0 else None,
            )
        for role, bind in step.get("binds", {}).items():
            found = [log for log in result.logs if log.event == bind["event"]]
            if len(found) == 1 and bind["arg"] in found[0].args:
                address = str(found[0].args[bind["arg"]]).lower()
                self.roles[role] = address
                self.kinds[role] = bind["contract"]
                self.chain.kinds[address] = bind["contract"]
            else:
                self.mismatches.append(f"{where}: cannot bind {role} from {bind}")
        self.compare_events(where, step["events"], result.logs)
        for role, change in balances.items():
            after = self.chain.balance(self.address(role), result.block)
            delta = after - before[role] + (result.gas_cost if role == step["from"] else 0)
            self.compare(f"{where} ETH change of {role}", change, delta)

    def compare_events(self, where: str, expected: list[dict[str, Any]], logs: list[Any]) -> None:
        actual = [
            {
                "emitter": self.rolify(log.address),
                "event": log.event,
                "args": {k: self.rolify(v) for k, v in log.args.items()},
            }
            for log in logs
        ]
        self.comparisons += 1
        if len(actual) != len(expected):
            self.mismatches.append(
                f"{where}: {len(actual)} events, expected {len(expected)}: got "
                f"{[(a['emitter'], a['event']) for a in actual]}, expected "
                f"{[(e['emitter'], e['event']) for e in expected]}"
            )
        for position, want in enumerate(expected):
            self.events += 1
            self.comparisons += 1
            label = f"{where} event {position} {want['emitter']}.{want['event']}"
            if position >= len(actual):
                self.mismatches.append(f"{label}: missing")
                continue
            got = actual[position]
            want_args = {k: self.expected(v) for k, v in want["args"].items()}
            if (got["emitter"], got["event"]) != (want["emitter"], want["event"]):
                self.mismatches.append(
                    f"{label}: got {got['emitter']}.{got['event']} {got['args']}"
                )
            elif got["args"] != want_args:
                diff = {
                    k: (want_args.get(k, "<absent>"), got["args"].get(k, "<absent>"))
                    for k in sorted(set(want_args) | set(got["args"]))
                    if want_args.get(k, "<absent>") != got["args"].get(k, "<absent>")
                }
                self.mismatches.append(f"{label}: args (expected, got) {diff}")

    def report(self) -> str:
        lines = [
            f"{len(self.mismatches)} mismatches in {self.comparisons} comparisons "
            f"({self.transactions} transactions, {self.reads} readings, {self.events} events)"
        ]
        lines += self.mismatches[:SHOW]
        if len(self.mismatches) > SHOW:
            lines.append(f"... and {len(self.mismatches) - SHOW} more")
        return "\n".join(lines)


def expected_comparisons(steps: list[dict[str, Any]]) -> int:
    """What a complete replay compares: every reading, and per transaction its timestamp,
    status, [revert reason], event count, each event and each listed ETH change."""
    total = 0
    for step in steps:
        if "read" in step or "read_eth_balance" in step:
            total += 1
        elif "events" in step:
            total += 3 + len(step["events"]) + (step["status"] == 0)
            total += len(step.get("eth_balance_change_excluding_gas", {}))
    return total


# ---------------------------------------------------------------------------- setups


def _start(anvil: Any, accounts: int) -> tuple[Chain, Web3, dict[str, str]]:
    node = anvil(timestamp=GENESIS, accounts=accounts)
    chain = Chain(node.rpc_url)
    chain.rpc.call("anvil_setBlockTimestampInterval", [1])  # setup: one block per second
    w3 = Web3(HTTPProvider(node.rpc_url, request_kwargs={"timeout": 120}))
    roles = dict(zip(EOA_ROLES[:accounts], chain.accounts, strict=False))
    return chain, w3, roles


def _core(w3: Web3, roles: dict[str, str], annual_fee_wad: int) -> Core:
    return deploy_core(
        w3,
        governance=Web3.to_checksum_address(roles["@deployer_governance"]),
        fee_receiver=Web3.to_checksum_address(roles["@primary_fee_receiver"]),
        keeper_gas_price=KEEPER_DEFAULT_GAS_PRICE,
        annual_fee_wad=annual_fee_wad,
    )


def _core_roles(core: Core) -> dict[str, str]:
    return {f"@{name}": address.lower() for name, address in core.addresses().items()}


def setup_basic(anvil: Any, scenario: dict[str, Any]) -> Replay:
    """The basic file records no setup: the pool (3x ETH/USD, U 3600, F 300, fees 0) was
    deployed by @balancer_treasury at clock.pool_deployed_at on a core with a 2 % annual fee
    and the default 10 % split; the ETH/USD feed read 3000."""
    chain, w3, roles = _start(anvil, 6)
    gov, treasury = roles["@deployer_governance"], roles["@balancer_treasury"]
    core = _core(w3, roles, annual_fee_wad=2 * 10**16)
    roles |= _core_roles(core)
    bal = chain.deploy("TestToken", "Balancer", "BAL", sender=gov)
    feed = chain.deploy("TestChainlinkOracle", sender=gov)
    feed.send("setPrice", 3000 * 10**8, sender=gov)
    eth_feed = chain.deploy("TestChainlinkOracle", sender=gov)
    wrapper = chain.deploy("ChainlinkOracleWrapper", feed.address, treasury, sender=gov)
    eth_wrapper = chain.deploy("ChainlinkOracleWrapper", eth_feed.address, gov, sender=gov)
    chain.rpc.call("anvil_removeBlockTimestampInterval")
    pool = scenario["pool"]
    deployed_at = scenario["clock"]["pool_deployed_at"]
    assert chain.now() < deployed_at, "the setup took too many blocks"
    chain.set_next_timestamp(deployed_at)
    market = deploy_market(
        w3,
        core,
        deployer=Web3.to_checksum_address(treasury),
        pool_name=pool["name"].split("-", 1)[1],
        oracle_wrapper=Web3.to_checksum_address(wrapper.address),
        settlement_eth_oracle=Web3.to_checksum_address(eth_wrapper.address),
        settlement_token=Web3.to_checksum_address(bal.address),
        leverage=pool["leverage"],
        update_interval=pool["updateInterval"],
        front_running_interval=pool["frontRunningInterval"],
    )
    deploy_block = chain.block(market.deploy_block)
    assert int(deploy_block["timestamp"], 16) == deployed_at
    roles |= {
        "@BAL": bal.address,
        "@ETH_USD_TestChainlinkOracle": feed.address,
        "@ETH_BAL_feed": eth_feed.address,
        "@ETH_USD_wrapper": wrapper.address,
        "@ETH_BAL_wrapper": eth_wrapper.address,
        "@LeveragedPool": market.pool.address.lower(),
        "@PoolCommitter": market.committer.address.lower(),
        "@LongToken": market.long_token.address.lower(),
        "@ShortToken": market.short_token.address.lower(),
    }
    kinds = dict(BASIC_CONTRACT_ROLES)
    for role, kind in kinds.items():
        chain.kinds[roles[role]] = kind
    return Replay(chain, scenario["steps"], roles, kinds, {}, market.deploy_block)


def setup_rich(anvil: Any, scenario: dict[str, Any]) -> Replay:
    """The rich file's ``setup``: the core wired (annual fee 0, split 10, gas price 10 gwei),
    two open-mint TestTokens (BAL 18, USDC 6 decimals), four TestChainlinkOracle feeds at their
    initial answer, four ChainlinkOracleWrappers with the listed deployers."""
    setup = scenario["setup"]
    chain, w3, roles = _start(anvil, len(setup["accounts"]))
    assert list(setup["accounts"]) == list(EOA_ROLES[: len(setup["accounts"])])
    gov = roles["@deployer_governance"]
    roles |= _core_roles(_core(w3, roles, annual_fee_wad=0))
    for token in setup["settlement_tokens"]:
        deployed = chain.deploy("TestToken", token["name"], token["symbol"], sender=gov)
        if token["decimals"] != 18:
            deployed.send("setDecimals", token["decimals"], sender=gov)
        roles[token["role"]] = deployed.address
    for feed in setup["price_feeds"]["instances"]:
        roles[feed["role"]] = chain.deploy("TestChainlinkOracle", sender=gov).address
    for wrapper in setup["oracle_wrappers"]:
        args = [roles[a] for a in wrapper["constructor"]]
        roles[wrapper["role"]] = chain.deploy(wrapper["contract"], *args, sender=gov).address
    chain.rpc.call("anvil_removeBlockTimestampInterval")
    assert chain.now() < scenario["clock"]["setup_deployed_before"]
    kinds = {role: kind for role, kind in scenario["roles"].items() if kind != "EOA"}
    for role, kind in kinds.items():
        if role in roles:
            chain.kinds[roles[role]] = kind
    return Replay(
        chain, scenario["steps"], roles, kinds, scenario["read_return_types"], chain.block_number()
    )


@pytest.mark.parametrize(("name", "floor"), [("basic", 450), ("rich", 3200)], ids=["basic", "rich"])
def test_scenario_replays_exactly(anvil: Any, name: str, floor: int) -> None:
    require_artifacts()
    scenario = json.loads((FIXTURES / f"scenario-{name}.json").read_text())
    replay = setup_basic(anvil, scenario) if name == "basic" else setup_rich(anvil, scenario)
    replay.run()
    planned = expected_comparisons(scenario["steps"])
    assert planned >= floor
    report = replay.report()
    print(report.splitlines()[0])
    assert not replay.mismatches, report
    assert replay.comparisons == planned, report
    if name == "rich":
        counts = scenario["counts"]
        assert (replay.transactions, replay.reads, replay.events) == (
            counts["transactions"],
            counts["reads"],
            counts["events"],
        )


def test_replay_reports_corruptions(anvil: Any) -> None:
    """No vacuous pass: the same replay, fed a copy of the basic file with four deliberate
    errors (a reading, an event argument, an event name, a missing event) reports each."""
    require_artifacts()
    scenario = json.loads((FIXTURES / "scenario-basic.json").read_text())
    steps = scenario["steps"]
    steps[5]["expect"] += 1  # longBalance() at the start
    steps[46]["events"][5]["args"]["amount"] += 1  # CreateCommit of the first mint
    steps[93]["events"][0]["event"] = "PriceChangeError"  # upkeep_1's PoolRebalance
    steps[358]["events"].pop()  # claimPrimaryFees: one event fewer than emitted
    replay = setup_basic(anvil, scenario)
    replay.run()
    joined = "\n".join(replay.mismatches)
    assert len(replay.mismatches) == 4, replay.report()
    assert "step 5 [read:0_start] @LeveragedPool.longBalance(): expected 1, got 0" in joined
    assert "step 46 " in joined and "'amount': (1000000000000000000001, " in joined
    assert "step 93 " in joined and "got @LeveragedPool.PoolRebalance" in joined
    assert "step 358 " in joined and "2 events, expected 1" in joined
