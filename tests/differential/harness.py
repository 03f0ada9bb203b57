"""Run one transaction on anvil and on the model, then compare everything exactly.

After every step: the outcome (success, or the same revert reason), the emitted events in
order, ETH movements (net of gas) and the state of the pool under test, read from the
chain in one JSON-RPC batch. Any difference raises `Mismatch` with the run, seed, step,
action and a field-by-field diff (chain vs model), plus the recent actions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from balancer_perps.domain.commit_encoding import decode_commit_params
from balancer_perps.domain.errors import ContractError, ContractPanic, ContractRevert, EmptyRevert
from tests.differential.node import Node, calldata, decode_output, split_signature
from tests.differential.world import USERS, PoolConfig, World
from tests.domain.replay import AUTO_CLAIM, Chain, PoolModel

# Holders whose settlement, long and short token balances are compared after every step
# (besides the users and the pool itself).
OTHER_HOLDERS = ("@keeper", "@primary_fee_receiver", "@deployer", "@bystander")
# Accounts whose ETH is compared, net of the gas they paid.
ETH_HOLDERS = (*USERS, "@keeper", "@bystander", AUTO_CLAIM)
POOL_READS = (
    "longBalance",
    "shortBalance",
    "lastPriceTimestamp",
    "primaryFees",
    "secondaryFees",
    "paused",
)
COMMITTER_READS = (
    "pendingLongBurnPoolTokens",
    "pendingShortBurnPoolTokens",
    "pendingMintSettlementAmount",
    "updateIntervalId",
    "getAppropriateUpdateIntervalId",
    "mintingFee",
    "burningFee",
    "paused",
)
RECENT_ACTIONS = 12

Diff = tuple[str, Any, Any]  # (field, chain value, model value)
Read = tuple[str, str, tuple[Any, ...]]  # (contract role, signature, args as roles)


@dataclass(frozen=True)
class Tx:
    """One transaction: addresses are roles, a bytes32 argument is 0x-hex."""

    sender: str
    to: str
    signature: str
    args: tuple[Any, ...] = ()
    value: int = 0
    kind: str = ""  # action category for the statistics, e.g. "upkeep/backlog>15"
    note: str = ""  # what the generator meant, e.g. "LONG_BURN all of wallet (123)"

    def describe(self) -> str:
        name, _ = split_signature(self.signature)
        args = ", ".join(str(a) for a in self.args)
        value = f" value={self.value}" if self.value else ""
        tag = f"{self.kind}: {self.note}" if self.note else self.kind
        return f"{self.sender} -> {self.to}.{name}({args}){value}  [{tag}]"


class Mismatch(AssertionError):
    pass


@dataclass
class StepLog:
    index: int | str
    timestamp: int
    tx: Tx
    outcome: str


@dataclass
class Stats:
    steps: int = 0  # every transaction, setup and final check included
    reverts: int = 0
    failed_upkeeps: int = 0
    intervals_executed: int = 0
    reads: int = 0
    events: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    revert_reasons: dict[str, int] = field(default_factory=dict)
    event_names: dict[str, int] = field(default_factory=dict)
    commits_ok: dict[str, int] = field(default_factory=dict)  # "LONG_MINT/escrow/paid" -> n
    seconds: float = 0.0

    def add(self, other: Stats) -> None:
        for name in (
            "steps",
            "reverts",
            "failed_upkeeps",
            "intervals_executed",
            "reads",
            "events",
            "seconds",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("actions", "revert_reasons", "event_names", "commits_ok"):
            _merge(getattr(self, name), getattr(other, name))


def _merge(into: dict[str, int], other: dict[str, int]) -> None:
    for key, count in other.items():
        into[key] = into.get(key, 0) + count


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


class Run:
    """One seeded run on one pool: both halves start from the freshly deployed world."""

    def __init__(
        self, world: World, node: Node, config: PoolConfig, seed: int, label: str = ""
    ) -> None:
        self.label = label or f"{config.key}-seed{seed}"
        self.world = world
        self.node = node
        self.config = config
        self.seed = seed
        self.model: Chain = world.fresh_model()
        self.now = node.latest_timestamp()
        self.model.state.now = self.now
        self.history: list[StepLog] = []
        self.stats = Stats()
        self.gas_paid: dict[str, int] = {}
        answers = node.rpc.batch([self._balance_call(role) for role in ETH_HOLDERS])
        self.eth_start = {
            role: int(answer["result"], 16)
            for role, answer in zip(ETH_HOLDERS, answers, strict=True)
        }

    # ------------------------------------------------------------------ helpers
    def role(self, part: str) -> str:
        return self.config.role(part)

    @property
    def pool_model(self) -> PoolModel:
        return self.model.state.pools[self.role("pool")]

    def _address(self, role: str) -> str:
        return self.world.address_of[role]

    def _encode_args(self, signature: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
        _, types = split_signature(signature)
        encoded: list[Any] = []
        for type_, arg in zip(types, args, strict=True):
            if type_ == "address":
                encoded.append(self._address(arg))
            elif type_ == "bytes32":
                encoded.append(bytes.fromhex(arg.removeprefix("0x")))
            else:
                encoded.append(arg)
        return tuple(encoded)

    def _eth_call(self, contract: str, signature: str, args: tuple[Any, ...]) -> tuple[str, list]:
        data = calldata(signature, self._encode_args(signature, args))
        return "eth_call", [{"to": self._address(contract), "data": data}, "latest"]

    def _balance_call(self, role: str) -> tuple[str, list[Any]]:
        return "eth_getBalance", [self._address(role), "latest"]

    # ------------------------------------------------------------------ one step
    def step(self, tx: Tx, timestamp: int, index: int | str) -> None:
        """Send `tx` at `timestamp` on both halves and compare; raises Mismatch."""
        started = time.perf_counter()
        if timestamp <= self.now:
            raise ValueError(f"timestamps must increase: {timestamp} <= {self.now}")
        self.now = timestamp
        id_before = self.pool_model.snapshot.update_interval_id

        receipt = self.node.transact(
            self._address(tx.sender),
            self._address(tx.to),
            calldata(tx.signature, self._encode_args(tx.signature, tx.args)),
            value=tx.value,
            timestamp=timestamp,
            role_of=self.world.role_of,
        )
        self.gas_paid[tx.sender] = self.gas_paid.get(tx.sender, 0) + receipt.gas_cost

        self.model.state.now = timestamp
        model_revert: str | None = None
        try:
            self.model.run(tx.sender, tx.to, tx.signature, list(tx.args), tx.value)
        except ContractError as error:
            model_revert = _reason(error)

        outcome = "ok" if receipt.ok else f"revert {receipt.revert!r}"
        self.history.append(StepLog(index, timestamp, tx, outcome))
        diffs: list[Diff] = []
        if receipt.revert != model_revert:
            diffs.append(("outcome (revert reason)", receipt.revert, model_revert))
        elif receipt.ok:
            diffs += _event_diffs(receipt.logs, self.model.events)
        diffs += self._state_diffs(id_before)
        if diffs:
            self._fail(diffs)
        self._count(tx, receipt.revert, receipt.logs)
        self.stats.seconds += time.perf_counter() - started

    def _count(self, tx: Tx, revert: str | None, logs: list[dict[str, Any]]) -> None:
        stats = self.stats
        stats.steps += 1
        _bump(stats.actions, tx.kind or split_signature(tx.signature)[0])
        stats.events += len(logs)
        if revert is not None:
            stats.reverts += 1
            _bump(stats.revert_reasons, revert)
        elif tx.signature == "commit(bytes32)":
            decoded = decode_commit_params(tx.args[0])
            source = "escrow" if decoded.from_aggregate_balance else "wallet"
            paid = "/paid" if decoded.pay_for_claim else ""
            _bump(stats.commits_ok, f"{decoded.commit_type.name}/{source}{paid}")
        for log in logs:
            _bump(stats.event_names, log["event"])
            if log["event"] == "PoolUpkeepError":
                stats.failed_upkeeps += 1
                _bump(stats.revert_reasons, f"upkeep: {log['args'].get('reason')}")
            elif log["event"] == "ExecutedCommitsForInterval":
                stats.intervals_executed += 1

    # ------------------------------------------------------------------ comparisons
    def reads(self, id_before: int) -> list[Read]:
        """Every view compared after a step; the model answers them through replay.Chain.read."""
        pool, committer = self.role("pool"), self.role("committer")
        settlement, long_token, short_token = (
            self.role("settlement"),
            self.role("long"),
            self.role("short"),
        )
        specs: list[Read] = [(pool, f"{name}()", ()) for name in POOL_READS]
        specs += [(long_token, "totalSupply()", ()), (short_token, "totalSupply()", ())]
        specs += [(committer, f"{name}()", ()) for name in COMMITTER_READS]
        specs.append(("@PoolKeeper", "executionPrice(address)", (pool,)))
        for holder in (*USERS, *OTHER_HOLDERS, pool):
            for token in (settlement, long_token, short_token):
                specs.append((token, "balanceOf(address)", (holder,)))
        for user in USERS:
            specs.append((committer, "getAggregateBalance(address)", (user,)))
            specs.append((committer, "userAggregateBalance(address)", (user,)))
            specs.append((AUTO_CLAIM, "claimRequests(address,address)", (user, committer)))
            account = self.pool_model.accounts[user]
            for interval_id in sorted(set(account.ids) | set(account.commitments)):
                specs.append((committer, "userCommitments(address,uint256)", (user, interval_id)))
        current = self.pool_model.snapshot.update_interval_id
        for interval_id in range(current, current + 3):
            specs.append((committer, "totalPoolCommitments(uint256)", (interval_id,)))
        # The entries this step wrote, and the next one (still empty).
        for interval_id in range(min(id_before, current), current + 1):
            specs.append((committer, "priceHistory(uint256)", (interval_id,)))
            specs.append((committer, "burnFeeHistory(uint256)", (interval_id,)))
        return specs

    def _state_diffs(self, id_before: int) -> list[Diff]:
        specs = self.reads(id_before)
        calls = [self._eth_call(*spec) for spec in specs]
        calls += [self._balance_call(role) for role in ETH_HOLDERS]
        # unAggregatedCommitments has no length getter: read one slot past the model's
        # list, which must revert.
        committer = self.role("committer")
        slots = [
            (user, index)
            for user in USERS
            for index in range(len(self.pool_model.accounts[user].ids) + 1)
        ]
        calls += [
            self._eth_call(committer, "unAggregatedCommitments(address,uint256)", slot)
            for slot in slots
        ]
        answers = self.node.rpc.batch(calls)
        self.stats.reads += len(answers)
        view_answers = answers[: len(specs)]
        eth_answers = answers[len(specs) : len(specs) + len(ETH_HOLDERS)]
        slot_answers = answers[len(specs) + len(ETH_HOLDERS) :]

        diffs: list[Diff] = []
        for (contract, signature, args), answer in zip(specs, view_answers, strict=True):
            name, _ = split_signature(signature)
            chain_value = (
                decode_output(name, answer["result"]) if "result" in answer else answer["error"]
            )
            model_value = self.model.read(contract, name, list(args))
            if chain_value != model_value:
                label = f"{contract}.{name}({', '.join(str(a) for a in args)})"
                diffs.append((label, chain_value, model_value))

        for role, answer in zip(ETH_HOLDERS, eth_answers, strict=True):
            chain_change = int(answer["result"], 16) - self.eth_start[role]
            chain_change += self.gas_paid.get(role, 0)
            model_change = self.model.state.eth.get(role, 0)
            if chain_change != model_change:
                diffs.append((f"ETH change of {role} (net of gas)", chain_change, model_change))

        chain_ids: dict[str, list[int | str]] = {user: [] for user in USERS}
        for (user, _), answer in zip(slots, slot_answers, strict=True):
            chain_ids[user].append(int(answer["result"], 16) if "result" in answer else "revert")
        for user in USERS:
            model_ids: list[int | str] = [*self.pool_model.accounts[user].ids, "revert"]
            if chain_ids[user] != model_ids:
                label = f"{committer}.unAggregatedCommitments({user}, 0..{len(model_ids) - 1})"
                diffs.append((label, chain_ids[user], model_ids))
        return diffs

    def check_all_price_history(self) -> None:
        """Every interval's priceHistory and burnFeeHistory entry (at the end of a run)."""
        committer = self.role("committer")
        specs: list[Read] = [
            (committer, signature, (interval_id,))
            for interval_id in range(1, self.pool_model.snapshot.update_interval_id + 1)
            for signature in ("priceHistory(uint256)", "burnFeeHistory(uint256)")
        ]
        answers = self.node.rpc.batch([self._eth_call(*spec) for spec in specs])
        self.stats.reads += len(answers)
        diffs: list[Diff] = []
        for (contract, signature, args), answer in zip(specs, answers, strict=True):
            name, _ = split_signature(signature)
            chain_value = decode_output(name, answer["result"])
            model_value = self.model.read(contract, name, list(args))
            if chain_value != model_value:
                diffs.append((f"{contract}.{name}({args[0]})", chain_value, model_value))
        if diffs:
            self._fail(diffs, where="final priceHistory/burnFeeHistory sweep")

    # ------------------------------------------------------------------ reporting
    def _fail(self, diffs: list[Diff], where: str | None = None) -> None:
        last = self.history[-1]
        lines = [
            f"DIFFERENTIAL MISMATCH  run={self.label} pool={self.config.key} seed={self.seed} "
            f"step={where or last.index} t={last.timestamp}",
            f"  action: {last.tx.describe()}",
            f"  chain outcome: {last.outcome}",
            "  field / chain / model:",
        ]
        for label, chain, model in diffs:
            lines += [f"    {label}", f"      chain: {chain!r}", f"      model: {model!r}"]
        lines.append(f"  last {RECENT_ACTIONS} actions:")
        lines += [
            f"    #{log.index} t={log.timestamp}: {log.tx.describe()} -> {log.outcome}"
            for log in self.history[-RECENT_ACTIONS:]
        ]
        lines.append(
            f"  reproduce: .venv/bin/pytest tests/differential -k '{self.label}' "
            "(with the same BALANCER_PERPS_DIFF_STEPS)"
        )
        raise Mismatch("\n".join(lines))


def _reason(error: ContractError) -> str:
    """The model's error in the chain's terms (see node.decode_revert)."""
    if isinstance(error, ContractRevert):
        return error.reason
    if isinstance(error, ContractPanic):
        return f"Panic(0x{error.code:02x})"
    if isinstance(error, EmptyRevert):
        return ""
    return str(error)


def _event_diffs(
    chain_events: list[dict[str, Any]], model_events: list[dict[str, Any]]
) -> list[Diff]:
    diffs: list[Diff] = []
    for index in range(max(len(chain_events), len(model_events))):
        chain = _event_text(chain_events[index]) if index < len(chain_events) else None
        model = _event_text(model_events[index]) if index < len(model_events) else None
        if chain != model:
            diffs.append((f"event #{index}", chain, model))
    return diffs


def _event_text(event: dict[str, Any]) -> str:
    args = ", ".join(f"{k}={v}" for k, v in sorted(event["args"].items()))
    return f"{event['emitter']}.{event['event']}({args})"
