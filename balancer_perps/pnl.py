"""Profit and loss of one account in one market, in the market's settlement token.

    PnL = value of the pool tokens held now + settlement the burns paid out
          − settlement the mints paid in

* Paid in: the gross amount of every executed mint (its mint fee included), whether it
  was paid from the wallet or from the unclaimed balance.
* Paid out: what every executed burn credited to the unclaimed balance, at the token price
  of the interval it executed in and after that interval's burn fee, claimed or not. A
  user's burns of one side in one interval are converted together, as the contract does.
* Tokens now: long and short pool tokens in the wallet, unclaimed, or queued to be burnt
  or flipped, at today's token prices.

Flips move value between the sides of the position and pay nothing in or out; queued
mints count once they execute. Unclaimed settlement is not part of "tokens now": it is
already counted as paid out (and what was minted again from it, as paid in).

Pure functions on raw integers; prices are the contracts' exact quads (execution) or
exact fractions (today's price). ``Decimal`` only for the ratio shown to the user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from balancer_perps.domain.errors import ContractRevert
from balancer_perps.domain.pool_math import (
    get_burn,
    get_mint,
    minting_or_burning_fee,
    process_burn_instant_mint_commit,
)
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import Balance, CommitType, TotalCommitment


@dataclass(frozen=True, slots=True)
class ExecutedTrade:
    """One executed commit of the account in this market."""

    commit_type: CommitType
    amount: int  # gross: settlement for mints, pool tokens for burns and flips
    update_interval_id: int
    long_price: Quad  # priceHistory of the interval: settlement raw per token raw
    short_price: Quad
    burning_fee: Quad  # burnFeeHistory of the interval, a WAD rate


@dataclass(frozen=True, slots=True)
class Holdings:
    """Pool tokens the account owns in one market, wherever they sit."""

    long_tokens: int = 0
    short_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Pnl:
    """Raw settlement units; ``amount`` is signed."""

    paid_in: int = 0
    paid_out: int = 0
    tokens_value: int = 0

    @property
    def amount(self) -> int:
        return self.tokens_value + self.paid_out - self.paid_in

    @property
    def ratio(self) -> Decimal | None:
        """PnL over what was paid in (0.05 is +5 %); None when nothing was paid in."""
        if self.paid_in <= 0:
            return None
        with localcontext() as context:
            context.prec = 34
            return Decimal(self.amount) / Decimal(self.paid_in)

    def plus(self, other: Pnl) -> Pnl:
        return Pnl(
            self.paid_in + other.paid_in,
            self.paid_out + other.paid_out,
            self.tokens_value + other.tokens_value,
        )


def holdings(
    long_wallet: int, short_wallet: int, claimable: Balance, pending: Iterable[TotalCommitment]
) -> Holdings:
    """Wallet tokens + unclaimed tokens + tokens committed to burns and flips that have not
    executed yet (the commit took them from the account already)."""
    long_tokens = long_wallet + claimable.long_tokens
    short_tokens = short_wallet + claimable.short_tokens
    for commitment in pending:
        long_tokens += (
            commitment.long_burn_pool_tokens + commitment.long_burn_short_mint_pool_tokens
        )
        short_tokens += (
            commitment.short_burn_pool_tokens + commitment.short_burn_long_mint_pool_tokens
        )
    return Holdings(long_tokens, short_tokens)


def paid_in(trades: Iterable[ExecutedTrade]) -> int:
    """Gross settlement of the executed mints."""
    return sum(t.amount for t in trades if t.commit_type.is_mint)


def paid_out(trades: Iterable[ExecutedTrade]) -> int:
    """Settlement the executed burns credited, net of the burn fee. The contract converts
    a user's burns of one side in one interval as one amount, so they are summed first."""
    burnt: dict[tuple[int, bool], int] = defaultdict(int)
    prices: dict[tuple[int, bool], tuple[Quad, Quad]] = {}
    for trade in trades:
        if not trade.commit_type.is_burn:
            continue
        key = (trade.update_interval_id, trade.commit_type == CommitType.LONG_BURN)
        burnt[key] += trade.amount
        price = trade.long_price if key[1] else trade.short_price
        prices[key] = (price, trade.burning_fee)
    total = 0
    for key, amount in burnt.items():
        price, burn_fee = prices[key]
        if amount == 0 or price.is_zero:  # a zero price pays nothing (the claim reverts)
            continue
        gross = get_burn(price, amount)
        total += gross - minting_or_burning_fee(burn_fee, gross)
    return total


def value_of(tokens: int, price: Fraction) -> int:
    """Raw settlement for ``tokens`` at ``price`` (settlement raw per token raw), rounded
    down."""
    if tokens <= 0 or price <= 0:
        return 0
    return tokens * price.numerator // price.denominator


def tokens_value(held: Holdings, long_price: Fraction, short_price: Fraction) -> int:
    return value_of(held.long_tokens, long_price) + value_of(held.short_tokens, short_price)


def market_pnl(
    trades: Iterable[ExecutedTrade], held: Holdings, long_price: Fraction, short_price: Fraction
) -> Pnl:
    """The PnL of one market from its executed trades (this market's only) and what the
    account holds now at today's token prices."""
    executed = tuple(trades)
    return Pnl(paid_in(executed), paid_out(executed), tokens_value(held, long_price, short_price))


def total(pnls: Iterable[Pnl]) -> Pnl:
    """Sum of markets that share a settlement token (never add different tokens)."""
    result = Pnl()
    for pnl in pnls:
        result = result.plus(pnl)
    return result


@dataclass(frozen=True, slots=True)
class Proceeds:
    """What one executed commit got, in raw units: pool tokens for mints (of the minted
    side) and flips (of the other side), settlement for burns; ``fee`` is the settlement
    the commit paid in mint and burn fees."""

    received: int
    fee: int


def commit_proceeds(
    commit_type: CommitType,
    amount: int,
    *,
    minting_fee: Quad,
    long_price: Quad,
    short_price: Quad,
    burning_fee: Quad,
) -> Proceeds | None:
    """One commit on its own, converted at its interval's stored prices as the contract
    converts a user's commitment: a mint pays ``minting_fee`` (the rate at commit time) on
    its gross ``amount`` and buys tokens with the rest; a burn sells its tokens and pays
    the interval's burn fee; a flip sells, pays the burn fee, pays ``minting_fee`` on what
    is left and buys the other side. The contract applies the mint fee rate current when
    the flip is credited (the next claim or commit), which can differ from the one given.
    The contract converts all of a user's commits of one kind in one interval together:
    several of them can each round down by one raw unit here. None when a price is zero
    (nothing can be claimed at it)."""
    commit_type = CommitType(commit_type)
    try:
        if commit_type.is_mint:
            fee = minting_or_burning_fee(minting_fee, amount)
            price = long_price if commit_type == CommitType.LONG_MINT else short_price
            net = amount - fee
            return Proceeds(get_mint(price, net) if net > 0 else 0, fee)
        if commit_type.is_burn:
            price = long_price if commit_type == CommitType.LONG_BURN else short_price
            gross = get_burn(price, amount)
            fee = minting_or_burning_fee(burning_fee, gross)
            return Proceeds(gross - fee, fee)
        burns_long = commit_type == CommitType.LONG_BURN_SHORT_MINT
        burn_price, mint_price = (long_price, short_price) if burns_long else (
            short_price, long_price)
        value, burn_fee, mint_fee = process_burn_instant_mint_commit(
            amount, burn_price, burning_fee, minting_fee)
        return Proceeds(get_mint(mint_price, value) if value > 0 else 0, burn_fee + mint_fee)
    except ContractRevert:
        return None
