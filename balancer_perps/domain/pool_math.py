"""PoolSwapLibrary (V2.1), function by function, in the exact ABDK operation order.

Names are the contract names in snake_case. Every quad step truncates like ABDK and
every `toUInt` floors, so the results match `eth_call` on the deployed library bit for
bit (reference §2.8 and §3.8.3).
"""

from __future__ import annotations

from typing import Final

from balancer_perps.domain.errors import (
    PANIC_ARITHMETIC,
    ContractPanic,
    ContractRevert,
    checked_uint,
)
from balancer_perps.domain.quad import ONE, POSITIVE_ZERO, TWO, Quad, exp, log_2, pow_2
from balancer_perps.domain.types import UpdateData, UpdateResult

WAD_PRECISION: Final = 10**18
MAX_DECIMALS: Final = 18
_MINUS_TWO: Final = Quad.from_int(-2)


# --------------------------------------------------------------------- thin ABDK wrappers
def convert_uint_to_decimal(amount: int) -> Quad:
    return Quad.from_uint(amount)


def convert_decimal_to_uint(ratio: Quad) -> int:
    return ratio.to_uint()


def multiply_decimal_by_uint(a: Quad, b: int) -> Quad:
    return a.mul(Quad.from_uint(b))


def add_bytes(x: Quad, y: Quad) -> Quad:
    return x.add(y)


def subtract_bytes(x: Quad, y: Quad) -> Quad:
    """x - y."""
    return x.sub(y)


def multiply_bytes(x: Quad, y: Quad) -> Quad:
    return x.mul(y)


def compare_decimals(x: Quad, y: Quad) -> int:
    return x.cmp(y)


def div_int(a: int, b: int) -> Quad:
    """fromInt(a) ⊘ fromInt(b) (a price ratio)."""
    return Quad.from_int(a).div(Quad.from_int(b))


def get_ratio(numerator: int, denominator: int) -> Quad:
    """q(numerator) ⊘ q(denominator), or +0 when the denominator is 0."""
    if denominator == 0:
        return POSITIVE_ZERO
    return Quad.from_uint(numerator).div(Quad.from_uint(denominator))


def mul_fraction(number: int, numerator: int, denominator: int) -> int:
    """U((q(number) ⊗ q(numerator)) ⊘ q(denominator)), or 0 when the denominator is 0."""
    if denominator == 0:
        return 0
    product = Quad.from_uint(number).mul(Quad.from_uint(numerator))
    return product.div(Quad.from_uint(denominator)).to_uint()


def from_wad(wad_value: int, decimals: int) -> int:
    """wad / 10^(18 - decimals); Panic(0x11) for more than 18 decimals."""
    if decimals > MAX_DECIMALS:
        raise ContractPanic(PANIC_ARITHMETIC)
    scale: int = 10 ** (MAX_DECIMALS - decimals)
    return wad_value // scale


# --------------------------------------------------------------------- prices, mints, burns
def get_price(side_balance: int, token_supply: int) -> Quad:
    """Settlement per pool token: q(balance) ⊘ q(supply), ONE for an empty supply."""
    if token_supply == 0:
        return ONE
    return Quad.from_uint(side_balance).div(Quad.from_uint(token_supply))


def _require_non_zero_price(price: Quad) -> None:
    if price.is_positive_zero:
        raise ContractRevert("price == 0")
    if price.is_negative_zero:
        raise ContractRevert("price == negative zero")


def get_mint(price: Quad, amount: int) -> int:
    """Pool tokens for `amount` settlement: U(q(amount) ⊘ price)."""
    _require_non_zero_price(price)
    return Quad.from_uint(amount).div(price).to_uint()


def get_burn(price: Quad, amount: int) -> int:
    """Settlement for `amount` pool tokens: U(q(amount) ⊗ price)."""
    _require_non_zero_price(price)
    return Quad.from_uint(amount).mul(price).to_uint()


def get_mint_amount(
    token_supply: int, amount_in: int, balance: int, pending_burn_pool_tokens: int
) -> int:
    """Pool-level tokens minted at execution: ⌊(S + Pb)·a / B⌋, 1:1 in the degenerate cases."""
    denominator_supply = checked_uint(token_supply + pending_burn_pool_tokens)
    if balance == 0 or denominator_supply == 0 or amount_in == 0:
        return amount_in
    return checked_uint(denominator_supply * amount_in) // balance


def get_withdraw_amount_on_burn(
    token_supply: int, amount_in: int, balance: int, pending_burn_pool_tokens: int
) -> int:
    """Settlement debited at execution for a burn: ⌊B·n / (S + Pb)⌋, 1:1 when degenerate."""
    denominator_supply = checked_uint(token_supply + pending_burn_pool_tokens)
    if balance == 0 or denominator_supply == 0 or amount_in == 0:
        return amount_in
    return checked_uint(balance * amount_in) // denominator_supply


def minting_or_burning_fee(fee_rate: Quad, amount: int) -> int:
    """U(rate ⊗ q(amount)) / 1e18 — the quad product can sit 1 below a multiple of 1e18."""
    return fee_rate.mul(Quad.from_uint(amount)).to_uint() // WAD_PRECISION


def process_burn_instant_mint_commit(
    amount: int, burn_price: Quad, burning_fee: Quad, minting_fee: Quad
) -> tuple[int, int, int]:
    """A flip's proceeds: (mint settlement, burn fee, mint fee). Reverts on a zero price."""
    _require_non_zero_price(burn_price)
    value = Quad.from_uint(amount).mul(burn_price).to_uint()
    burn_fee = minting_or_burning_fee(burning_fee, value)
    value -= burn_fee
    mint_fee = minting_or_burning_fee(minting_fee, value)
    value -= mint_fee
    return value, burn_fee, mint_fee


# --------------------------------------------------------------------- value transfer
def sigmoid(leverage: Quad, ratio: Quad) -> Quad:
    """Fraction the losing side gives up: 2/(1 + e^(-2L(1-r))) - 1, in ABDK's order."""
    scaled_leverage = _MINUS_TWO.mul(leverage)
    exponent = scaled_leverage.mul(ONE.sub(ratio))
    denominator = ONE.add(exp(exponent))
    return TWO.div(denominator).sub(ONE)


def management_fee(fee: Quad, balance: int) -> int:
    """One side's per-upkeep fee: U(q(f) ⊗ q(balance)) / 1e18."""
    return fee.mul(Quad.from_uint(balance)).to_uint() // WAD_PRECISION


def calculate_value_transfer(
    long_balance: int,
    short_balance: int,
    leverage_amount: Quad,
    old_price: int,
    new_price: int,
    fee: Quad,
) -> tuple[int, int, int, int]:
    """(new long, new short, long fee, short fee): management fee, then the sigmoid transfer.

    The pool calls this only with both prices > 0; the fee is charged on each side's
    pre-fee balance, and the truncation dust of the transfer goes to the winner.
    """
    long_fee = management_fee(fee, long_balance)
    short_fee = management_fee(fee, short_balance)
    long_balance = checked_uint(long_balance - long_fee)
    short_balance = checked_uint(short_balance - short_fee)
    total = long_balance + short_balance
    if new_price >= old_price and short_balance > 0:
        loss = sigmoid(leverage_amount, div_int(old_price, new_price))
        short_quad = Quad.from_uint(short_balance)
        long_balance = checked_uint(long_balance + short_quad.mul(loss).to_uint())
        short_balance = short_quad.mul(ONE.sub(loss)).to_uint()
    elif new_price < old_price and long_balance > 0:
        loss = sigmoid(leverage_amount, div_int(new_price, old_price))
        long_quad = Quad.from_uint(long_balance)
        short_balance = checked_uint(short_balance + long_quad.mul(loss).to_uint())
        long_balance = long_quad.mul(ONE.sub(loss)).to_uint()
    dust = total - (long_balance + short_balance)
    if dust > 0:
        if new_price > old_price:
            long_balance += dust
        else:
            short_balance += dust
    return long_balance, short_balance, long_fee, short_fee


# --------------------------------------------------------------------- aggregation
def get_updated_aggregate_balance(data: UpdateData) -> UpdateResult:
    """One interval of a user's commitments turned into escrow credits (§3.8.3 item 10)."""
    if data.update_interval_id >= data.current_update_interval_id:
        return UpdateResult()
    long_fee = 0
    short_fee = 0
    short_flip_settlement = 0  # SBLM proceeds, minted as long tokens
    long_flip_settlement = 0  # LBSM proceeds, minted as short tokens
    if data.short_burn_long_mint_pool_tokens > 0:
        short_flip_settlement, burn_fee, mint_fee = process_burn_instant_mint_commit(
            data.short_burn_long_mint_pool_tokens,
            data.short_price,
            data.burn_fee,
            data.minting_fee_rate,
        )
        short_fee += burn_fee
        long_fee += mint_fee
    if data.long_burn_short_mint_pool_tokens > 0:
        long_flip_settlement, burn_fee, mint_fee = process_burn_instant_mint_commit(
            data.long_burn_short_mint_pool_tokens,
            data.long_price,
            data.burn_fee,
            data.minting_fee_rate,
        )
        long_fee += burn_fee
        short_fee += mint_fee
    new_long_tokens = 0
    new_short_tokens = 0
    long_mint_total = data.long_mint_settlement + short_flip_settlement
    short_mint_total = data.short_mint_settlement + long_flip_settlement
    if long_mint_total > 0:
        new_long_tokens = get_mint(data.long_price, long_mint_total)
    if short_mint_total > 0:
        new_short_tokens = get_mint(data.short_price, short_mint_total)
    new_settlement = 0
    if data.long_burn_pool_tokens > 0:
        gross = get_burn(data.long_price, data.long_burn_pool_tokens)
        fee = minting_or_burning_fee(data.burn_fee, gross)
        long_fee += fee
        new_settlement += gross - fee
    if data.short_burn_pool_tokens > 0:
        gross = get_burn(data.short_price, data.short_burn_pool_tokens)
        fee = minting_or_burning_fee(data.burn_fee, gross)
        short_fee += fee
        new_settlement += gross - fee
    return UpdateResult(new_long_tokens, new_short_tokens, long_fee, short_fee, new_settlement)


# --------------------------------------------------------------------- keeper payment
def get_balances_after_fees(reward: int, short_balance: int, long_balance: int) -> tuple[int, int]:
    """(short, long) after paying `reward` pro rata through a truncated quad ratio."""
    ratio = get_ratio(short_balance, short_balance + long_balance)
    short_part = ratio.mul(Quad.from_uint(reward)).to_uint()
    return (
        checked_uint(short_balance - short_part),
        checked_uint(long_balance - checked_uint(reward - short_part)),
    )


# --------------------------------------------------------------------- timing
def appropriate_update_interval_id(
    timestamp: int,
    last_price_timestamp: int,
    front_running_interval: int,
    update_interval: int,
    current_update_interval_id: int,
) -> int:
    """Interval a commit at `timestamp` lands in: I + ⌊(t + F - T0) / U⌋ (§4.1). NB: F before U."""
    if timestamp < last_price_timestamp:
        raise ContractRevert("timestamp in the past")
    if update_interval == 0:
        raise ContractPanic(0x12)
    return current_update_interval_id + (
        (timestamp + front_running_interval - last_price_timestamp) // update_interval
    )


def is_before_front_running_interval(
    subject_time: int,
    last_price_timestamp: int,
    update_interval: int,
    front_running_interval: int,
) -> bool:
    """T0 + U - F > t (NB: U before F here). Panic(0x11) if F > T0 + U."""
    window_start = checked_uint(last_price_timestamp + update_interval - front_running_interval)
    return window_start > subject_time


# --------------------------------------------------------------------- legacy (V1 power leverage)
def get_loss_multiplier(ratio: Quad, direction: int, leverage: Quad) -> Quad:
    """Legacy, unused by V2: 2^(L·log2(x)) with x = ratio if direction < 0 else 1/ratio."""
    base = ratio if direction < 0 else ONE.div(ratio)
    return pow_2(leverage.mul(log_2(base)))


def get_loss_amount(loss_multiplier: Quad, balance: int) -> int:
    """Legacy, unused by V2: U((ONE ⊖ multiplier) ⊗ q(balance))."""
    return ONE.sub(loss_multiplier).mul(Quad.from_uint(balance)).to_uint()
