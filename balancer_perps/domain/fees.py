"""Protocol fees outside PoolSwapLibrary: management fee setup and split, dynamic mint fee.

Reference §3.2, §3.5 and §3.8.3 items 1, 3 and 13.
"""

from __future__ import annotations

from typing import Final

from balancer_perps.domain.errors import checked_uint
from balancer_perps.domain.pool_math import get_price, mul_fraction
from balancer_perps.domain.quad import ONE, POSITIVE_ZERO, Quad

SECONDS_PER_LEAP_YEAR: Final = 31_556_952  # PoolFactory's "leap year": 365.2425 days
MAX_MINTING_FEE: Final = Quad.from_uint(10**18)  # 100 %
MAX_BURNING_FEE: Final = Quad.from_uint(10**17)  # 10 %, strict limit in setBurningFee
MAX_CHANGE_INTERVAL: Final = MAX_MINTING_FEE


def per_interval_fee(annual_fee_wad: int, update_interval: int) -> int:
    """PoolFactory.deployPool: the per-upkeep fee ⌊annual·U / 31 556 952⌋ (WAD)."""
    return annual_fee_wad * update_interval // SECONDS_PER_LEAP_YEAR


def per_interval_fee_quad(annual_fee_wad: int, update_interval: int) -> Quad:
    """What the pool stores as `fee()`."""
    return Quad.from_uint(per_interval_fee(annual_fee_wad, update_interval))


def fee_split(
    total_fee: int, secondary_fee_split_percent: int, has_secondary_fee_address: bool = True
) -> tuple[int, int]:
    """LeveragedPool.feeTransfer: (primary, secondary) shares of one upkeep's fee."""
    if not has_secondary_fee_address:
        return total_fee, 0
    secondary = mul_fraction(total_fee, secondary_fee_split_percent, 100)
    return checked_uint(total_fee - secondary), secondary


def update_minting_fee(
    minting_fee: Quad,
    change_interval: Quad,
    long_balance: int,
    short_balance: int,
    long_supply: int,
    short_supply: int,
) -> Quad:
    """PoolCommitter.updateMintingFee after an upkeep (§3.5).

    Supplies are the running supplies without pending burns. A long·short price product
    strictly above 1 lowers the fee by `change_interval` (floored at 0); otherwise it
    rises, capped at 100 %.
    """
    long_price = get_price(long_balance, long_supply)
    short_price = get_price(short_balance, short_supply)
    product = long_price.mul(short_price)
    if ONE.cmp(product) == -1:
        if minting_fee.cmp(change_interval) == -1:
            return POSITIVE_ZERO
        return minting_fee.sub(change_interval)
    raised = minting_fee.add(change_interval)
    if raised.cmp(MAX_MINTING_FEE) == 1:
        return MAX_MINTING_FEE
    return raised
