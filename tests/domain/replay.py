"""Replays the recorded V2.1 scenarios on the pure-Python model.

The chain is modelled only as far as the recordings need: ERC-20 ledgers (OpenZeppelin
4.2 semantics), settable Chainlink-style feeds and their wrappers, the factory's fee
settings, the keeper's execution price, each pool + committer (driven entirely by
`balancer_perps.domain`), and AutoClaim's ETH bookkeeping. Every transaction runs
atomically: a revert restores the state from before it. Addresses are the recordings'
@roles, so address-valued readings are not compared (see `Skip`).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from balancer_perps.domain.aggregation import (
    append_unaggregated_id,
    get_aggregate_balance,
    update_aggregate_balance,
)
from balancer_perps.domain.commit import apply_commit, commit_interval_id
from balancer_perps.domain.commit_encoding import decode_commit_params, encode_commit_params
from balancer_perps.domain.errors import ContractError, ContractRevert
from balancer_perps.domain.fees import MAX_BURNING_FEE, MAX_MINTING_FEE, per_interval_fee
from balancer_perps.domain.oracle import chainlink_price
from balancer_perps.domain.pool_math import calculate_value_transfer
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.timing import interval_passed
from balancer_perps.domain.types import (
    Balance,
    PoolSnapshot,
    Prices,
    TotalCommitment,
)
from balancer_perps.domain.upkeep import perform_upkeep

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO_QUAD_HEX = "0x" + "0" * 32
FEED_DECIMALS = 8  # the recordings' TestChainlinkOracle
ROUND_ID_DATA = "0x00000000000000000001"  # abi.encodePacked(uint80 roundId = 1)

Event = dict[str, Any]


class Skip(Exception):
    """A reading the model does not cover (addresses); counted, never compared."""


# ----------------------------------------------------------------------------- ERC-20
@dataclass
class Erc20:
    """OpenZeppelin 4.2.0 ERC20 semantics: transferFrom moves, then checks and rewrites the
    allowance (emitting Approval even for an unlimited one)."""

    role: str
    decimals: int
    name: str = ""
    balances: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    allowances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    total_supply: int = 0

    def _event(self, events: list[Event], name: str, **args: Any) -> None:
        events.append({"emitter": self.role, "event": name, "args": args})

    def mint(self, to: str, amount: int, events: list[Event]) -> None:
        self.balances[to] += amount
        self.total_supply += amount
        self._event(events, "Transfer", **{"from": ZERO_ADDRESS, "to": to, "value": amount})

    def burn(self, holder: str, amount: int, events: list[Event]) -> None:
        if self.balances[holder] < amount:
            raise ContractRevert("ERC20: burn amount exceeds balance")
        self.balances[holder] -= amount
        self.total_supply -= amount
        self._event(events, "Transfer", **{"from": holder, "to": ZERO_ADDRESS, "value": amount})

    def transfer(self, sender: str, to: str, amount: int, events: list[Event]) -> None:
        if to == ZERO_ADDRESS:
            raise ContractRevert("ERC20: transfer to the zero address")
        if self.balances[sender] < amount:
            raise ContractRevert("ERC20: transfer amount exceeds balance")
        self.balances[sender] -= amount
        self.balances[to] += amount
        self._event(events, "Transfer", **{"from": sender, "to": to, "value": amount})

    def approve(self, owner: str, spender: str, amount: int, events: list[Event]) -> None:
        self.allowances[owner, spender] = amount
        self._event(events, "Approval", owner=owner, spender=spender, value=amount)

    def transfer_from(
        self, spender: str, owner: str, to: str, amount: int, events: list[Event]
    ) -> None:
        self.transfer(owner, to, amount, events)
        allowance = self.allowances[owner, spender]
        if allowance < amount:
            raise ContractRevert("ERC20: transfer amount exceeds allowance")
        self.approve(owner, spender, allowance - amount, events)


# ----------------------------------------------------------------------------- pools
@dataclass
class Account:
    """One user on one committer."""

    escrow: Balance = field(default_factory=Balance)
    ids: tuple[int, ...] = ()
    commitments: dict[int, TotalCommitment] = field(default_factory=dict)


@dataclass
class PoolModel:
    pool: str
    committer: str
    long_token: str
    short_token: str
    settlement: str
    oracle_wrapper: str
    settlement_eth_wrapper: str
    fee_controller: str
    fee_address: str
    secondary_fee_address: str
    name: str
    snapshot: PoolSnapshot
    total: dict[int, TotalCommitment] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=lambda: defaultdict(Account))
    price_history: dict[int, Prices] = field(default_factory=dict)
    burn_fee_history: dict[int, Quad] = field(default_factory=dict)
    committer_paused: bool = False


@dataclass
class Feed:
    answer: int


@dataclass
class ChainState:
    now: int = 0
    tokens: dict[str, Erc20] = field(default_factory=dict)
    feeds: dict[str, Feed] = field(default_factory=dict)
    wrappers: dict[str, tuple[str, str]] = field(default_factory=dict)  # -> (feed, deployer)
    factory_fee: int = 0
    factory_split: int = 10
    deployment_fee: int = 0
    num_pools: int = 0
    gas_price: int = 10**10
    pools: dict[str, PoolModel] = field(default_factory=dict)
    claim_requests: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    eth: dict[str, int] = field(default_factory=lambda: defaultdict(int))


AUTO_CLAIM = "@AutoClaim"


class Chain:
    """The replayed chain; `state` is swapped back on a revert."""

    def __init__(self, state: ChainState) -> None:
        self.state = state
        self.events: list[Event] = []

    # ------------------------------------------------------------------ helpers
    def _pool_by_any(self, role: str) -> PoolModel:
        for pool in self.state.pools.values():
            if role in (pool.pool, pool.committer):
                return pool
        raise KeyError(role)

    def wrapper_price(self, wrapper: str) -> int:
        feed, _ = self.state.wrappers[wrapper]
        return chainlink_price(self.state.feeds[feed].answer, FEED_DECIMALS)

    def _emit(self, emitter: str, name: str, **args: Any) -> None:
        self.events.append({"emitter": emitter, "event": name, "args": args})

    def _set_pool_balances(self, pool: PoolModel, long_balance: int, short_balance: int) -> None:
        if pool.snapshot.paused:
            raise ContractRevert("Pool is paused")
        pool.snapshot = replace(
            pool.snapshot, long_balance=long_balance, short_balance=short_balance
        )
        self._emit(pool.pool, "PoolBalancesChanged", long=long_balance, short=short_balance)

    # ------------------------------------------------------------------ transactions
    def run(self, sender: str, to: str, function: str, args: list[Any], value: int) -> None:
        """Execute one transaction atomically (restoring the state on a revert)."""
        saved = copy.deepcopy(self.state)
        self.events = []
        try:
            self._dispatch(sender, to, function, args, value)
        except ContractError:
            self.state = saved
            self.events = []
            raise

    def _dispatch(self, sender: str, to: str, function: str, args: list[Any], value: int) -> None:
        name = function.split("(")[0]
        state = self.state
        if name == "setGasPrice":
            state.gas_price = args[0]
            self._emit(to, "GasPriceChanged", price=args[0])
        elif name == "setFee" and to == "@PoolFactory":
            if args[0] > 10**17:
                raise ContractRevert("Fee cannot be > 10%")
            state.factory_fee = args[0]
            self._emit(to, "FeeChanged", fee=args[0])
        elif name == "setSecondaryFeeSplitPercent":
            if args[0] > 100:
                raise ContractRevert("Secondary fee split cannot exceed 100%")
            state.factory_split = args[0]
            self._emit(to, "SecondaryFeeSplitChanged", fee=args[0])
        elif name == "setDeploymentFee":
            state.deployment_fee = args[1]
            self._emit(to, "DeploymentFeeChanged", _token=args[0], fee=args[1], _receiver=args[2])
        elif name == "setPrice":
            state.feeds[to].answer = args[0]
        elif name == "mint" and to in state.tokens:
            state.tokens[to].mint(args[0], args[1], self.events)
        elif name == "approve":
            state.tokens[to].approve(sender, args[0], args[1], self.events)
        elif name == "deployPool":
            raise NotImplementedError("deployPool needs the step's binds; use deploy_pool")
        elif name == "commit":
            self.commit(sender, self._pool_by_any(to), args[0], value)
        elif name == "claim":
            self.claim(sender, self._pool_by_any(to), args[0])
        elif name == "updateAggregateBalance":
            self.aggregate(self._pool_by_any(to), args[0])
        elif name == "performUpkeepSinglePool":
            self.upkeep(args[0])
        elif name == "performUpkeepMultiplePools":
            for pool in args[0]:
                self.upkeep(pool)
        elif name == "paidClaim":
            self.paid_claim(sender, args[0], args[1])
        elif name == "withdrawClaimRequest":
            self.withdraw_claim_request(sender, args[0])
        elif name in ("setMintingFee", "setBurningFee"):
            self.set_fee(sender, self._pool_by_any(to), name, args[0])
        elif name == "claimPrimaryFees":
            self.claim_protocol_fees(state.pools[to], secondary=False)
        elif name == "claimSecondaryFees":
            self.claim_protocol_fees(state.pools[to], secondary=True)
        elif name == "checkInvariants":
            self.check_invariants(state.pools[args[0]])
        else:
            raise NotImplementedError(function)

    def deploy_pool(
        self, sender: str, deployment: list[Any], binds: dict[str, dict[str, str]]
    ) -> None:
        saved = copy.deepcopy(self.state)
        self.events = []
        try:
            self._deploy_pool(sender, deployment, binds)
        except ContractError:
            self.state = saved
            self.events = []
            raise

    def _deploy_pool(
        self, sender: str, deployment: list[Any], binds: dict[str, dict[str, str]]
    ) -> None:
        (
            pool_name,
            frontrun,
            interval,
            leverage,
            settlement,
            wrapper,
            eth_wrapper,
            controller,
            minting_fee,
            change_interval,
            burning_fee,
        ) = deployment
        if self.state.wrappers[wrapper][1] != sender:
            raise ContractRevert("Deployer must be oracle wrapper owner")
        roles = {bind["arg"]: role for role, bind in binds.items()}
        pool_role, committer_role = roles["pool"], roles["poolCommitter"]
        long_role, short_role = roles["longToken"], roles["shortToken"]
        decimals = self.state.tokens[settlement].decimals
        price = self.wrapper_price(wrapper)
        snapshot = PoolSnapshot(
            long_balance=0,
            short_balance=0,
            leverage=Quad.from_uint(leverage),
            fee=Quad.from_uint(per_interval_fee(self.state.factory_fee, interval)),
            update_interval=interval,
            front_running_interval=frontrun,
            last_price_timestamp=self.state.now,
            settlement_decimals=decimals,
            long_supply=0,
            short_supply=0,
            update_interval_id=1,
            minting_fee=Quad.from_uint(minting_fee),
            burning_fee=Quad.from_uint(burning_fee),
            change_interval=Quad.from_uint(change_interval),
            execution_price=price,
            oracle_price=price,
            secondary_fee_split_percent=self.state.factory_split,
        )
        full_name = f"{leverage}-{pool_name}"
        self.state.tokens[long_role] = Erc20(long_role, decimals, f"{leverage}L-{pool_name}")
        self.state.tokens[short_role] = Erc20(short_role, decimals, f"{leverage}S-{pool_name}")
        self.state.pools[pool_role] = PoolModel(
            pool=pool_role,
            committer=committer_role,
            long_token=long_role,
            short_token=short_role,
            settlement=settlement,
            oracle_wrapper=wrapper,
            settlement_eth_wrapper=eth_wrapper,
            fee_controller=controller,
            fee_address="@primary_fee_receiver",
            secondary_fee_address=sender,
            name=full_name,
            snapshot=snapshot,
        )
        self.state.num_pools += 1
        self._emit(
            "@PoolFactory",
            "DeployPool",
            pool=pool_role,
            poolCommitter=committer_role,
            ticker=pool_name,
        )
        self._emit(
            pool_role,
            "PoolInitialized",
            longToken=long_role,
            shortToken=short_role,
            settlementToken=settlement,
            poolName=full_name,
        )
        self._emit(committer_role, "PoolChanged", newPool=pool_role)
        self._emit(
            "@PoolFactory",
            "DeployCommitter",
            poolCommitterAddress=committer_role,
            settlementToken=settlement,
            pool=pool_role,
            changeInterval=change_interval,
            feeController=controller,
        )
        self._emit("@PoolKeeper", "PoolAdded", poolAddress=pool_role, firstPrice=price)

    # ------------------------------------------------------------------ committer
    def aggregate(self, pool: PoolModel, user: str) -> None:
        account = pool.accounts[user]
        snapshot = pool.snapshot
        result = update_aggregate_balance(
            account.escrow,
            account.ids,
            account.commitments,
            price_history=pool.price_history,
            burn_fee_history=pool.burn_fee_history,
            minting_fee=snapshot.minting_fee,
            update_interval_id=snapshot.update_interval_id,
        )
        account.escrow = result.balance
        account.ids = result.unaggregated_ids
        for interval_id in result.aggregated_ids:
            account.commitments.pop(interval_id, None)
        self._set_pool_balances(
            pool,
            snapshot.long_balance + result.long_fee,
            snapshot.short_balance + result.short_fee,
        )
        self._emit(pool.committer, "AggregateBalanceUpdated", user=user)

    def commit(self, sender: str, pool: PoolModel, packed: str, value: int) -> None:
        decoded = decode_commit_params(packed)
        if decoded.amount == 0:
            raise ContractRevert("Amount must not be zero")
        self.aggregate(pool, sender)
        interval_id = commit_interval_id(pool.snapshot, self.state.now)
        commit_type = decoded.commit_type
        amount = decoded.amount
        account = pool.accounts[sender]
        from_escrow = decoded.from_aggregate_balance
        if commit_type.is_mint and from_escrow and amount > account.escrow.settlement_tokens:
            raise ContractRevert("Insufficient settlement tokens")
        minting_fee_hex = pool.snapshot.minting_fee.hex()
        if commit_type.is_mint:
            effect = apply_commit(pool.snapshot, commit_type, amount, self.state.now)
            self._set_pool_balances(
                pool, effect.snapshot.long_balance, effect.snapshot.short_balance
            )
            if from_escrow:
                escrow = account.escrow
                account.escrow = replace(
                    escrow, settlement_tokens=escrow.settlement_tokens - amount
                )
        else:
            # The tokens are burned (escrow or wallet checks first) before the pool-level effect.
            long_side = commit_type.burns_long_tokens
            token = self.state.tokens[pool.long_token if long_side else pool.short_token]
            if from_escrow:
                held = account.escrow.long_tokens if long_side else account.escrow.short_tokens
                if amount > held:
                    raise ContractRevert("Insufficient pool tokens")
                account.escrow = (
                    replace(account.escrow, long_tokens=held - amount)
                    if long_side
                    else replace(account.escrow, short_tokens=held - amount)
                )
                token.burn(pool.pool, amount, self.events)
            else:
                token.burn(sender, amount, self.events)
            effect = apply_commit(pool.snapshot, commit_type, amount, self.state.now)
        pool.snapshot = effect.snapshot
        queued = effect.queued
        pool.total[interval_id] = pool.total.get(interval_id, TotalCommitment()).merged(queued)
        account.commitments[interval_id] = account.commitments.get(
            interval_id, TotalCommitment()
        ).merged(queued)
        account.ids = append_unaggregated_id(account.ids, interval_id)
        if commit_type.is_mint and not from_escrow:
            self.state.tokens[pool.settlement].transfer_from(
                pool.pool, sender, pool.pool, amount, self.events
            )
        if decoded.pay_for_claim:
            if value == 0:
                raise ContractRevert("Must pay for claim")
            self._pay(sender, AUTO_CLAIM, value)
            self.make_paid_claim_request(pool, sender, value)
        elif value != 0:
            raise ContractRevert("msg.value must be zero")
        self._emit(
            pool.committer,
            "CreateCommit",
            user=sender,
            amount=amount,
            commitType=int(commit_type),
            appropriateUpdateIntervalId=interval_id,
            fromAggregateBalance=from_escrow,
            payForClaim=decoded.pay_for_claim,
            mintingFee=minting_fee_hex,
        )

    def claim(self, sender: str, pool: PoolModel, user: str, via_auto_claim: bool = False) -> None:
        if sender != user and sender != AUTO_CLAIM:
            raise ContractRevert("msg.sender not committer or AutoClaim")
        if pool.committer_paused:
            raise ContractRevert("Pool is paused")
        self.aggregate(pool, user)
        self._emit(pool.committer, "Claim", user=user)
        if not via_auto_claim and self._claimable(user, pool):
            _, reward = self.state.claim_requests.pop((user, pool.committer))
            self._pay(AUTO_CLAIM, user, reward)
        account = pool.accounts[user]
        escrow = account.escrow
        account.escrow = Balance()
        if escrow.settlement_tokens:
            self.state.tokens[pool.settlement].transfer(
                pool.pool, user, escrow.settlement_tokens, self.events
            )
        if escrow.long_tokens:
            self.state.tokens[pool.long_token].transfer(
                pool.pool, user, escrow.long_tokens, self.events
            )
        if escrow.short_tokens:
            self.state.tokens[pool.short_token].transfer(
                pool.pool, user, escrow.short_tokens, self.events
            )

    def set_fee(self, sender: str, pool: PoolModel, name: str, value: int) -> None:
        if sender != pool.fee_controller:
            raise ContractRevert("msg.sender not fee controller")
        fee = Quad.from_uint(value)
        if name == "setMintingFee":
            if fee.to_uint128() > MAX_MINTING_FEE.to_uint128():
                raise ContractRevert("Minting fee > 100%")
            pool.snapshot = replace(pool.snapshot, minting_fee=fee)
            self._emit(pool.committer, "MintingFeeSet", _mintingFee=value)
        else:
            if fee.to_uint128() >= MAX_BURNING_FEE.to_uint128():
                raise ContractRevert("Burning fee >= 10%")
            pool.snapshot = replace(pool.snapshot, burning_fee=fee)
            self._emit(pool.committer, "BurningFeeSet", _burningFee=value)

    # ------------------------------------------------------------------ AutoClaim
    def _pay(self, payer: str, payee: str, amount: int) -> None:
        self.state.eth[payer] -= amount
        self.state.eth[payee] += amount

    def _claimable(self, user: str, pool: PoolModel) -> bool:
        request = self.state.claim_requests.get((user, pool.committer))
        return request is not None and request[0] < pool.snapshot.update_interval_id

    def make_paid_claim_request(self, pool: PoolModel, user: str, value: int) -> None:
        key = (user, pool.committer)
        request = self.state.claim_requests.get(key)
        if request is not None and not self._claimable(user, pool):
            interval_id, reward = request[0], request[1] + value
        else:
            if request is not None:  # the old request is claimable: claim it for the user
                self.claim(AUTO_CLAIM, pool, user, via_auto_claim=True)
                self._pay(AUTO_CLAIM, user, request[1])
                self._emit(
                    AUTO_CLAIM,
                    "PaidRequestExecution",
                    user=user,
                    poolCommitter=pool.committer,
                    reward=request[1],
                )
            interval_id, reward = commit_interval_id(pool.snapshot, self.state.now), value
        self.state.claim_requests[key] = (interval_id, reward)
        self._emit(
            AUTO_CLAIM,
            "PaidClaimRequestUpdate",
            user=user,
            poolCommitter=pool.committer,
            updateIntervalId=interval_id,
            newReward=reward,
        )

    def paid_claim(self, sender: str, user: str, committer: str) -> None:
        pool = self._pool_by_any(committer)
        if not self._claimable(user, pool):
            return
        _, reward = self.state.claim_requests.pop((user, committer))
        self.claim(AUTO_CLAIM, pool, user, via_auto_claim=True)
        self._emit(
            AUTO_CLAIM, "PaidRequestExecution", user=user, poolCommitter=committer, reward=reward
        )
        self._pay(AUTO_CLAIM, sender, reward)

    def withdraw_claim_request(self, sender: str, committer: str) -> None:
        request = self.state.claim_requests.pop((sender, committer), None)
        if request is not None:
            self._pay(AUTO_CLAIM, sender, request[1])
            self._emit(AUTO_CLAIM, "RequestWithdrawn", user=sender, poolCommitter=committer)

    # ------------------------------------------------------------------ keeper
    def upkeep(self, pool_role: str) -> None:
        pool = self.state.pools[pool_role]
        snapshot = replace(
            pool.snapshot,
            oracle_price=self.wrapper_price(pool.oracle_wrapper),
            settlement_eth_price=self.wrapper_price(pool.settlement_eth_wrapper),
        )
        result = perform_upkeep(
            snapshot,
            pool.total,
            now=self.state.now,
            new_price=snapshot.oracle_price,
            keeper_gas_price=self.state.gas_price,
        )
        if result is None:
            return
        if result.succeeded:
            if result.value_transfer_applied:
                self._emit(
                    pool.pool,
                    "PoolRebalance",
                    shortBalanceChange=result.short_balance_change,
                    longBalanceChange=result.long_balance_change,
                    shortFeeAmount=result.short_fee,
                    longFeeAmount=result.long_fee,
                )
            else:
                self._emit(
                    pool.pool,
                    "PriceChangeError",
                    startPrice=result.old_price,
                    endPrice=result.new_price,
                )
            for interval in result.intervals:
                pool.price_history[interval.update_interval_id] = interval.prices
                pool.burn_fee_history[interval.update_interval_id] = interval.burn_fee
                pool.total.pop(interval.update_interval_id, None)
                self._emit(
                    pool.committer,
                    "ExecutedCommitsForInterval",
                    updateIntervalId=interval.update_interval_id,
                    burningFee=interval.burn_fee.hex(),
                )
            if result.long_minted:
                self.state.tokens[pool.long_token].mint(pool.pool, result.long_minted, self.events)
            if result.short_minted:
                self.state.tokens[pool.short_token].mint(
                    pool.pool, result.short_minted, self.events
                )
            self._emit(
                "@PoolKeeper",
                "UpkeepSuccessful",
                pool=pool.pool,
                data=ROUND_ID_DATA,
                startPrice=result.old_price,
                endPrice=result.new_price,
            )
        else:
            self._emit(
                "@PoolKeeper", "PoolUpkeepError", pool=pool.pool, reason=result.failure_reason
            )
        if result.keeper_paid:
            self.state.tokens[pool.settlement].transfer(
                pool.pool, "@keeper", result.keeper_reward, self.events
            )
        if result.keeper_reward:
            self._emit(
                "@PoolKeeper",
                "KeeperPaid",
                _pool=pool.pool,
                keeper="@keeper",
                reward=result.keeper_reward,
            )
        else:
            self._emit(
                "@PoolKeeper",
                "KeeperPaymentError",
                _pool=pool.pool,
                keeper="@keeper",
                expectedReward=0,
            )
        pool.snapshot = result.snapshot

    # ------------------------------------------------------------------ pool
    def claim_protocol_fees(self, pool: PoolModel, secondary: bool) -> None:
        snapshot = pool.snapshot
        token = self.state.tokens[pool.settlement]
        if secondary:
            amount, receiver = snapshot.secondary_fees, pool.secondary_fee_address
            pool.snapshot = replace(snapshot, secondary_fees=0)
            token.transfer(pool.pool, receiver, amount, self.events)
            self._emit(pool.pool, "SecondaryFeesPaid", secondaryFeeAddress=receiver, amount=amount)
        else:
            amount, receiver = snapshot.primary_fees, pool.fee_address
            pool.snapshot = replace(snapshot, primary_fees=0)
            token.transfer(pool.pool, receiver, amount, self.events)
            self._emit(pool.pool, "PrimaryFeesPaid", feeAddress=receiver, amount=amount)

    def check_invariants(self, pool: PoolModel) -> None:
        snapshot = pool.snapshot
        held = self.state.tokens[pool.settlement].balances[pool.pool]
        needed = snapshot.pending_mint_settlement + snapshot.long_balance + snapshot.short_balance
        if held < needed:
            pool.snapshot = replace(snapshot, paused=True)
            pool.committer_paused = True
            self._emit(pool.pool, "Paused")
            self._emit(pool.committer, "Paused")
            self._emit("@InvariantCheck", "InvariantsFail", message="Balance invariant fails")
        else:
            self._emit("@InvariantCheck", "InvariantsHold")

    # ------------------------------------------------------------------ reads
    def read(self, contract: str, function: str, args: list[Any]) -> Any:
        name = function.split("(")[0]
        state = self.state
        if contract == "@PoolFactory":
            factory = {
                "fee": state.factory_fee,
                "secondaryFeeSplitPercent": state.factory_split,
                "deploymentFee": state.deployment_fee,
                "numPools": state.num_pools,
            }
            if name in factory:
                return factory[name]
            if name in ("isValidPool", "isValidPoolCommitter"):
                return any(args[0] in (p.pool, p.committer) for p in state.pools.values())
            raise Skip("address-valued factory setting")
        if contract == "@PoolKeeper":
            if name == "gasPrice":
                return state.gas_price
            if name == "executionPrice":
                return state.pools[args[0]].snapshot.execution_price
            if name == "isUpkeepRequiredSinglePool":
                return self._due(state.pools[args[0]])
            if name == "checkUpkeepMultiplePools":
                return any(self._due(state.pools[role]) for role in args[0])
        if contract == "@L2Encoder" and name == "encodeCommitParams":
            return "0x" + encode_commit_params(*args).hex()
        if contract == "@PoolSwapLibrary" and name == "calculateValueTransfer":
            long_balance, short_balance, leverage, old, new, fee = args
            return list(
                calculate_value_transfer(
                    long_balance,
                    short_balance,
                    Quad.from_bytes16(leverage),
                    old,
                    new,
                    Quad.from_bytes16(fee),
                )
            )
        if contract == AUTO_CLAIM:
            pool = self._pool_by_any(args[1])
            if name == "claimRequests":
                return list(state.claim_requests.get((args[0], args[1]), (0, 0)))
            if name == "checkUserClaim":
                return self._claimable(args[0], pool)
        if contract in state.feeds and name == "latestRoundData":
            return [1, state.feeds[contract].answer, 0, state.now, 1]
        if contract in state.wrappers:
            if name == "getPrice":
                return self.wrapper_price(contract)
            if name == "getPriceAndMetadata":
                return [self.wrapper_price(contract), ROUND_ID_DATA]
        if contract in state.tokens:
            return self._read_token(state.tokens[contract], name, args)
        for pool in state.pools.values():
            if contract == pool.pool:
                return self._read_pool(pool, name)
            if contract == pool.committer:
                return self._read_committer(pool, name, args)
        raise NotImplementedError(f"{contract}.{function}")

    def _due(self, pool: PoolModel) -> bool:
        snapshot = pool.snapshot
        return interval_passed(
            self.state.now, snapshot.last_price_timestamp, snapshot.update_interval
        )

    def _read_token(self, token: Erc20, name: str, args: list[Any]) -> Any:
        if name == "balanceOf":
            return token.balances[args[0]]
        if name == "totalSupply":
            return token.total_supply
        if name == "allowance":
            return token.allowances[args[0], args[1]]
        if name in ("name", "symbol"):
            return token.name
        if name == "decimals":
            return token.decimals
        raise Skip("address-valued token reading")

    def _read_pool(self, pool: PoolModel, name: str) -> Any:
        snapshot = pool.snapshot
        values: dict[str, Any] = {
            "poolName": pool.name,
            "leverageAmount": snapshot.leverage.hex(),
            "updateInterval": snapshot.update_interval,
            "frontRunningInterval": snapshot.front_running_interval,
            "fee": snapshot.fee.hex(),
            "getFee": snapshot.fee.to_uint(),
            "secondaryFeeSplitPercent": snapshot.secondary_fee_split_percent,
            "lastPriceTimestamp": snapshot.last_price_timestamp,
            "longBalance": snapshot.long_balance,
            "shortBalance": snapshot.short_balance,
            "primaryFees": snapshot.primary_fees,
            "secondaryFees": snapshot.secondary_fees,
            "paused": snapshot.paused,
            "intervalPassed": self._due(pool),
        }
        if name == "getOraclePrice":
            return self.wrapper_price(pool.oracle_wrapper)
        if name in values:
            return values[name]
        raise Skip("address-valued pool reading")

    def _read_committer(self, pool: PoolModel, name: str, args: list[Any]) -> Any:
        snapshot = pool.snapshot
        if name == "getAggregateBalance":
            account = pool.accounts[args[0]]
            return list(
                get_aggregate_balance(
                    account.escrow,
                    account.ids,
                    account.commitments,
                    price_history=pool.price_history,
                    burn_fee_history=pool.burn_fee_history,
                    minting_fee=snapshot.minting_fee,
                    update_interval_id=snapshot.update_interval_id,
                ).as_tuple()
            )
        if name == "userAggregateBalance":
            return list(pool.accounts[args[0]].escrow.as_tuple())
        if name == "userCommitments":
            commitment = pool.accounts[args[0]].commitments.get(args[1])
            if commitment is None:
                return [0] * 7
            return [*commitment.as_tuple(), args[1]]
        if name == "totalPoolCommitments":
            return list(pool.total.get(args[0], TotalCommitment()).as_tuple())
        if name == "priceHistory":
            prices = pool.price_history.get(args[0])
            if prices is None:
                return [ZERO_QUAD_HEX, ZERO_QUAD_HEX]
            return [prices.long_price.hex(), prices.short_price.hex()]
        if name == "burnFeeHistory":
            fee = pool.burn_fee_history.get(args[0])
            return fee.hex() if fee is not None else ZERO_QUAD_HEX
        values: dict[str, Any] = {
            "mintingFee": snapshot.minting_fee.hex(),
            "burningFee": snapshot.burning_fee.hex(),
            "changeInterval": snapshot.change_interval.hex(),
            "getMintingFee": snapshot.minting_fee.to_uint(),
            "getBurningFee": snapshot.burning_fee.to_uint(),
            "updateIntervalId": snapshot.update_interval_id,
            "paused": pool.committer_paused,
            "pendingMintSettlementAmount": snapshot.pending_mint_settlement,
            "pendingLongBurnPoolTokens": snapshot.pending_long_burns,
            "pendingShortBurnPoolTokens": snapshot.pending_short_burns,
        }
        if name == "getAppropriateUpdateIntervalId":
            return commit_interval_id(snapshot, self.state.now)
        if name in values:
            return values[name]
        raise Skip("address-valued committer reading")


# ----------------------------------------------------------------------------- driver
@dataclass
class ReplayReport:
    readings_compared: int = 0
    readings_skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    transactions: int = 0
    reverts_matched: int = 0
    events_compared: int = 0
    eth_changes_compared: int = 0
    mismatches: list[str] = field(default_factory=list)


def replay(steps: list[dict[str, Any]], chain: Chain) -> ReplayReport:
    """Walk the recorded steps; return what matched and every mismatch."""
    report = ReplayReport()
    for index, step in enumerate(steps):
        if "tx" in step:
            _replay_transaction(index, step, chain, report)
        elif "advance_time_seconds" in step:
            # scenario-basic advances the clock (a new block) before some reads
            chain.state.now += step["advance_time_seconds"]
        elif "read_eth_balance" in step:
            actual = chain.state.eth[step["read_eth_balance"]]
            _compare(
                report, f"step {index} ETH of {step['read_eth_balance']}", actual, step["expect"]
            )
        elif "read" in step:
            try:
                actual = chain.read(step["read"], step["function"], step["args"])
            except Skip as skip:
                report.readings_skipped[str(skip)] += 1
                continue
            _compare(
                report,
                f"step {index} {step['read']}.{step['function']}{step['args']}",
                actual,
                step["expect"],
            )
    return report


def _compare(report: ReplayReport, label: str, actual: Any, expected: Any) -> None:
    report.readings_compared += 1
    if actual != expected:
        report.mismatches.append(f"{label}: model {actual!r} != chain {expected!r}")


def _replay_transaction(
    index: int, step: dict[str, Any], chain: Chain, report: ReplayReport
) -> None:
    report.transactions += 1
    chain.state.now = step["block_timestamp"]
    eth_before = dict(chain.state.eth)
    label = f"step {index} ({step['tx']})"
    try:
        if step["function"].startswith("deployPool"):
            chain.deploy_pool(step["from"], step["args"][0], step.get("binds", {}))
        else:
            chain.run(step["from"], step["to"], step["function"], step["args"], step["value"])
        status, reason = 1, None
    except ContractRevert as revert:
        status, reason = 0, revert.reason
    except ContractError as error:
        status, reason = 0, str(error)
    if status != step["status"] or reason != step.get("revert_reason"):
        report.mismatches.append(
            f"{label}: status {status} {reason!r}, recorded {step['status']} "
            f"{step.get('revert_reason')!r}"
        )
        return
    if status == 0:
        report.reverts_matched += 1
        return
    events = [_normalise_event(event) for event in chain.events]
    recorded = [_normalise_event(event) for event in step["events"]]
    report.events_compared += len(recorded)
    if events != recorded:
        report.mismatches.append(f"{label}: events differ\n model {events}\n chain {recorded}")
    for role, change in step.get("eth_balance_change_excluding_gas", {}).items():
        report.eth_changes_compared += 1
        actual = chain.state.eth[role] - eth_before.get(role, 0)
        if actual != change:
            report.mismatches.append(f"{label}: ETH change of {role} {actual} != {change}")


def _normalise_event(event: Event) -> tuple[str, str, tuple[tuple[str, Any], ...]]:
    return (event["emitter"], event["event"], tuple(sorted(event["args"].items())))


def basic_chain(scenario: dict[str, Any]) -> Chain:
    """The state scenario-basic.json starts from: the pool is already deployed."""
    pool_info = scenario["pool"]
    deployed_at = scenario["clock"]["pool_deployed_at"]
    state = ChainState(now=deployed_at, factory_split=pool_info["secondaryFeeSplitPercent"])
    state.tokens["@BAL"] = Erc20("@BAL", 18, "BAL")
    state.feeds["@ETH_USD_TestChainlinkOracle"] = Feed(3000 * 10**FEED_DECIMALS)
    state.wrappers["@ETH_USD_wrapper"] = ("@ETH_USD_TestChainlinkOracle", "@balancer_treasury")
    state.feeds["@ETH_BAL_feed"] = Feed(10**FEED_DECIMALS)
    state.wrappers["@ETH_BAL_wrapper"] = ("@ETH_BAL_feed", "@deployer_governance")
    chain = Chain(state)
    chain.deploy_pool(
        "@balancer_treasury",
        [
            "ETH/USD+BAL",
            pool_info["frontRunningInterval"],
            pool_info["updateInterval"],
            pool_info["leverage"],
            "@BAL",
            "@ETH_USD_wrapper",
            "@ETH_BAL_wrapper",
            "@fee_controller",
            0,
            0,
            0,
        ],
        {
            "@LeveragedPool": {"arg": "pool"},
            "@PoolCommitter": {"arg": "poolCommitter"},
            "@LongToken": {"arg": "longToken"},
            "@ShortToken": {"arg": "shortToken"},
        },
    )
    pool = state.pools["@LeveragedPool"]
    # The recorded pool charges this per-interval fee; the factory fee that produced it
    # is not part of the recording.
    pool.snapshot = replace(pool.snapshot, fee=Quad.from_uint(pool_info["perIntervalFeeWad"]))
    return chain


def rich_chain(scenario: dict[str, Any]) -> Chain:
    """The state scenario-rich.json's setup describes (before its first step)."""
    setup = scenario["setup"]
    state = ChainState(now=scenario["clock"]["first_step_timestamp"] - 1)
    for token in setup["settlement_tokens"]:
        state.tokens[token["role"]] = Erc20(token["role"], token["decimals"], token["name"])
    for feed in setup["price_feeds"]["instances"]:
        state.feeds[feed["role"]] = Feed(10**FEED_DECIMALS)
    for wrapper in setup["oracle_wrappers"]:
        feed_role, deployer = wrapper["constructor"]
        state.wrappers[wrapper["role"]] = (feed_role, deployer)
    return Chain(state)
