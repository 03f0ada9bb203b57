"""Seeded random actions for the differential test.

Amounts and times are drawn from the model's view of the world (both halves hold the same
state while they agree), biased towards the interesting places: full exits, dust, amounts
just over what is held, commits on both sides of the front-running boundary, upkeeps
exactly on time, late, over backlogs of several intervals and of more than 15.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from balancer_perps.domain.aggregation import get_aggregate_balance
from balancer_perps.domain.commit_encoding import encode_commit_params
from balancer_perps.domain.types import Balance, CommitType
from tests.differential.harness import Tx
from tests.differential.world import MAX_UINT, USERS, PoolConfig
from tests.domain.replay import AUTO_CLAIM, Chain

# Relative weights of the action kinds.
WEIGHTS: dict[str, float] = {
    "commit": 44,
    "upkeep": 18,
    "price": 12,
    "claim": 8,
    "aggregate": 7,
    "paid_claim": 3,
    "withdraw_claim_request": 1,
    "fund": 2,
    "approve": 1,
    "set_fee": 1.5,
    "protocol_fees": 1,
    "check_invariants": 1.5,
}


def funding(config: PoolConfig) -> list[Tx]:
    """Wallets at very different scales; @user3 approves only a little (allowance reverts)."""
    unit = config.unit
    amounts = {
        "@user0": 10_000_000 * unit,
        "@user1": 100_000 * unit,
        "@user2": 1_000 * unit,
        "@user3": 10 * unit,
    }
    settlement, pool = config.role("settlement"), config.role("pool")
    txs = []
    for user, amount in amounts.items():
        txs.append(Tx("@gov", settlement, "mint(address,uint256)", (user, amount), kind="fund"))
        allowance = 5 * unit if user == "@user3" else MAX_UINT
        txs.append(
            Tx(user, settlement, "approve(address,uint256)", (pool, allowance), kind="approve")
        )
    return txs


class ActionGenerator:
    """Draws the next action from the model's state.

    `dust` makes every mint and flip 1 to 5 raw units, so the pool holds a few wei a side:
    an adverse move floors a side to 0 while it still has supply, and upkeeps then fail
    with "price == 0" until the price comes back (reference §3.3, §3.4).
    """

    def __init__(self, rng: random.Random, config: PoolConfig, *, dust: bool = False):
        self.rng = rng
        self.config = config
        self.dust = dust
        self.kinds = list(WEIGHTS)
        self.weights = [WEIGHTS[k] for k in self.kinds]
        self.last_good_answer = config.answer
        self.handlers: dict[str, Callable[[Chain, int], tuple[Tx, int]]] = {
            "commit": self._commit,
            "upkeep": self._upkeep,
            "price": self._price,
            "claim": self._claim,
            "aggregate": self._aggregate,
            "paid_claim": self._paid_claim,
            "withdraw_claim_request": self._withdraw_claim_request,
            "fund": self._fund,
            "approve": self._approve,
            "set_fee": self._set_fee,
            "protocol_fees": self._protocol_fees,
            "check_invariants": self._check_invariants,
        }

    def next(self, model: Chain, now: int) -> tuple[Tx, int]:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        # A failing check pauses the pool for the rest of the run: only now and then.
        failing = kind == "check_invariants" and not self._invariant_holds(model)
        if failing and self.rng.random() > 0.15:
            kind = "aggregate"
        return self.handlers[kind](model, now)

    def final(self, model: Chain, now: int) -> tuple[Tx, int]:
        return self._check_invariants(model, now)

    # ------------------------------------------------------------------ helpers
    def role(self, part: str) -> str:
        return self.config.role(part)

    def _invariant_holds(self, model: Chain) -> bool:
        pool = model.state.pools[self.role("pool")]
        snapshot = pool.snapshot
        held = model.state.tokens[pool.settlement].balances[pool.pool]
        owed = snapshot.pending_mint_settlement + snapshot.long_balance + snapshot.short_balance
        return bool(held >= owed)

    def _soon(self, now: int) -> int:
        """A small, usual gap between two transactions."""
        rng, interval = self.rng, self.config.update_interval
        roll = rng.random()
        if roll < 0.6:
            return now + rng.randint(1, 60)
        if roll < 0.9:
            return now + rng.randint(1, max(2, interval // 3))
        return now + rng.randint(interval // 3, interval)

    def _escrow(self, model: Chain, user: str) -> Balance:
        pool = model.state.pools[self.role("pool")]
        account = pool.accounts[user]
        return get_aggregate_balance(
            account.escrow,
            account.ids,
            account.commitments,
            price_history=pool.price_history,
            burn_fee_history=pool.burn_fee_history,
            minting_fee=pool.snapshot.minting_fee,
            update_interval_id=pool.snapshot.update_interval_id,
        )

    def _held(self, model: Chain, user: str, commit_type: CommitType, from_escrow: bool) -> int:
        """What the commit can spend: settlement for mints, the burnt side's tokens otherwise."""
        if from_escrow:
            escrow = self._escrow(model, user)
            if commit_type.is_mint:
                return escrow.settlement_tokens
            return escrow.long_tokens if commit_type.burns_long_tokens else escrow.short_tokens
        if commit_type.is_mint:
            token = self.role("settlement")
        else:
            token = self.role("long") if commit_type.burns_long_tokens else self.role("short")
        return int(model.state.tokens[token].balances[user])

    def _amount(self, available: int) -> tuple[int, str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.02:
            return 0, "zero"
        if available == 0 or roll < 0.07:
            return available + rng.randint(1, max(1, available // 5)), "more than held"
        if roll < 0.19:
            return available, "all"
        if roll < 0.25:
            return rng.randint(1, min(available, 1000)), "dust"
        return max(1, int(available * 10 ** rng.uniform(-5, 0))), "part"

    # ------------------------------------------------------------------ actions
    def _commit(self, model: Chain, now: int) -> tuple[Tx, int]:
        rng = self.rng
        user = rng.choice(USERS)
        commit_type = CommitType(rng.randrange(6))
        from_escrow = rng.random() < 0.3
        held = self._held(model, user, commit_type, from_escrow)
        if held == 0 and rng.random() < 0.8:  # mostly avoid certain reverts
            if self._held(model, user, commit_type, not from_escrow):
                from_escrow = not from_escrow
            else:
                commit_type = rng.choice((CommitType.LONG_MINT, CommitType.SHORT_MINT))
                from_escrow = False
            held = self._held(model, user, commit_type, from_escrow)
        amount, size = self._amount(held)
        if self.dust and (commit_type.is_mint or commit_type.is_flip) and amount > 5:
            amount, size = rng.randint(1, 5), "dust pool"
        amount = min(amount, 2**128 - 1)
        pay_for_claim, value = False, 0
        roll = rng.random()
        if roll < 0.10:
            pay_for_claim, value = True, rng.randint(1, 10**15)
        elif roll < 0.115:
            pay_for_claim = True  # no ETH: "Must pay for claim"
        elif roll < 0.13:
            value = rng.randint(1, 10**9)  # ETH without payForClaim: "msg.value must be zero"
        packed = "0x" + encode_commit_params(amount, commit_type, from_escrow, pay_for_claim).hex()
        source = "escrow" if from_escrow else "wallet"
        note = f"{commit_type.name} {size} of {source} ({held})"
        if pay_for_claim:
            note += " +payForClaim"
        tx = Tx(
            user,
            self.role("committer"),
            "commit(bytes32)",
            (packed,),
            value,
            kind=f"commit/{size}",
            note=note,
        )
        return tx, self._commit_time(model, now)

    def _commit_time(self, model: Chain, now: int) -> int:
        """Usually soon; sometimes exactly one second either side of the front-running cut."""
        snapshot = model.state.pools[self.role("pool")].snapshot
        if self.rng.random() < 0.08:
            cut = (
                snapshot.last_price_timestamp
                + snapshot.update_interval
                - snapshot.front_running_interval
            )
            target = cut + self.rng.choice((-1, 0))
            if target > now:
                return target
        return self._soon(now)

    def _upkeep(self, model: Chain, now: int) -> tuple[Tx, int]:
        rng = self.rng
        snapshot = model.state.pools[self.role("pool")].snapshot
        last, interval = snapshot.last_price_timestamp, snapshot.update_interval
        due = last + interval
        roll = rng.random()
        if roll < 0.25:
            target, kind, note = due, "on time", ""
        elif roll < 0.5:
            target, kind, note = due + rng.randint(1, interval // 2), "late", ""
        elif roll < 0.72:
            intervals = rng.randint(2, 6)
            target = last + intervals * interval + rng.randint(0, 30)
            kind, note = "backlog", f"{intervals} intervals"
        elif roll < 0.78:
            intervals = rng.randint(16, 19)
            target = last + intervals * interval + rng.randint(0, 30)
            kind, note = "backlog>15", f"{intervals} intervals"
        elif roll < 0.88:
            target, kind, note = due - rng.randint(1, 30), "early", "not due"
        else:
            target, kind, note = now + 1, "whenever", ""
        if target <= now:
            target, note = now + 1, f"{note} (clamped to now + 1)"
        tx = Tx(
            "@keeper",
            "@PoolKeeper",
            "performUpkeepSinglePool(address)",
            (self.role("pool"),),
            kind=f"upkeep/{kind}",
            note=note,
        )
        return tx, target

    def _price(self, model: Chain, now: int) -> tuple[Tx, int]:
        rng = self.rng
        answer = model.state.feeds[self.role("feed")].answer
        if answer <= 0:
            answer = self.last_good_answer
        roll = rng.random()
        if roll < 0.12:
            new, kind = answer, "flat"
        elif roll < 0.65:
            change = rng.uniform(0.0005, 0.03) * rng.choice((-1, 1))
            new, kind = int(answer * (1 + change)), "small"
        elif roll < 0.85:
            change = rng.uniform(0.05, 0.15) * rng.choice((-1, 1))
            new, kind = int(answer * (1 + change)), "medium"
        elif roll < 0.95:
            change = rng.choice((rng.uniform(0.3, 0.7), -rng.uniform(0.3, 0.7), 2.0))
            new, kind = int(answer * (1 + change)), "large"
        else:
            new, kind = rng.choice((0, -answer)), "zero or negative"
        if new > 0:
            self.last_good_answer = new
        tx = Tx(
            "@bystander",
            self.role("feed"),
            "setPrice(int256)",
            (new,),
            kind=f"price/{kind}",
            note=f"{answer} -> {new}",
        )
        return tx, self._soon(now)

    def _claim(self, model: Chain, now: int) -> tuple[Tx, int]:
        user = self.rng.choice(USERS)
        sender, kind = user, "claim/own"
        if self.rng.random() < 0.1:
            sender, kind = self.rng.choice([u for u in USERS if u != user]), "claim/other's"
        tx = Tx(sender, self.role("committer"), "claim(address)", (user,), kind=kind)
        return tx, self._soon(now)

    def _aggregate(self, model: Chain, now: int) -> tuple[Tx, int]:
        user = self.rng.choice(USERS)
        sender = self.rng.choice((*USERS, "@bystander"))
        tx = Tx(
            sender,
            self.role("committer"),
            "updateAggregateBalance(address)",
            (user,),
            kind="aggregate",
        )
        return tx, self._soon(now)

    def _paid_claim(self, model: Chain, now: int) -> tuple[Tx, int]:
        user = self.rng.choice(USERS)
        sender = self.rng.choice(("@bystander", "@keeper", user))
        tx = Tx(
            sender,
            AUTO_CLAIM,
            "paidClaim(address,address)",
            (user, self.role("committer")),
            kind="paid_claim",
        )
        return tx, self._soon(now)

    def _withdraw_claim_request(self, model: Chain, now: int) -> tuple[Tx, int]:
        user = self.rng.choice(USERS)
        tx = Tx(
            user,
            AUTO_CLAIM,
            "withdrawClaimRequest(address)",
            (self.role("committer"),),
            kind="withdraw_claim_request",
        )
        return tx, self._soon(now)

    def _fund(self, model: Chain, now: int) -> tuple[Tx, int]:
        user = self.rng.choice(USERS)
        amount = int(self.config.unit * 10 ** self.rng.uniform(0, 5))
        tx = Tx(
            "@bystander",
            self.role("settlement"),
            "mint(address,uint256)",
            (user, amount),
            kind="fund",
        )
        return tx, self._soon(now)

    def _approve(self, model: Chain, now: int) -> tuple[Tx, int]:
        user = self.rng.choice(USERS)
        amount = self.rng.choice((MAX_UINT, self.rng.randint(0, 1000 * self.config.unit)))
        tx = Tx(
            user,
            self.role("settlement"),
            "approve(address,uint256)",
            (self.role("pool"), amount),
            kind="approve",
        )
        return tx, self._soon(now)

    def _set_fee(self, model: Chain, now: int) -> tuple[Tx, int]:
        rng = self.rng
        sender = "@fee_controller" if rng.random() < 0.9 else "@bystander"
        if rng.random() < 0.5:
            value = rng.choice((0, rng.randint(0, 3 * 10**16), 10**18, 10**18 + 1))
            signature = "setMintingFee(uint256)"
        else:
            value = rng.choice((0, rng.randint(0, 5 * 10**16), 10**17 - 1, 10**17))
            signature = "setBurningFee(uint256)"
        tx = Tx(sender, self.role("committer"), signature, (value,), kind="set_fee")
        return tx, self._soon(now)

    def _protocol_fees(self, model: Chain, now: int) -> tuple[Tx, int]:
        signature = self.rng.choice(("claimPrimaryFees()", "claimSecondaryFees()"))
        tx = Tx("@bystander", self.role("pool"), signature, kind="protocol_fees")
        return tx, self._soon(now)

    def _check_invariants(self, model: Chain, now: int) -> tuple[Tx, int]:
        tx = Tx(
            "@bystander",
            "@InvariantCheck",
            "checkInvariants(address)",
            (self.role("pool"),),
            kind="check_invariants",
        )
        return tx, self._soon(now)
