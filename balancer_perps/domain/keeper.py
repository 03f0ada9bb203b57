"""KeeperRewards: the reward for an upkeep and how the pool pays it (§3.6, §3.8.3 item 12).

Reward amounts depend on the gas the real bytecode burns, so they are only comparable
with the chain when `PoolKeeper.gasPrice` is 0; the formula itself is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from balancer_perps.domain.errors import ContractRevert, checked_uint
from balancer_perps.domain.pool_math import from_wad, get_balances_after_fees
from balancer_perps.domain.quad import WAD, Quad

BASE_TIP: Final = 5
TIP_DELTA_PER_BLOCK: Final = 5
BLOCK_TIME: Final = 13
MAX_TIP: Final = 100
FIXED_GAS_OVERHEAD: Final = 80_195
FIXED_POINT: Final = WAD  # quad(1e18)


def keeper_gas(gas_price: int, gas_spent: int, settlement_token_price: int) -> int:
    """Gas cost in settlement WAD: U(q(gasPrice·(gasSpent + 80 195)) ⊗ q(price) ⊘ quad(1e18))."""
    if settlement_token_price == 0:
        return 0
    gas_cost = Quad.from_uint(checked_uint(gas_price * (gas_spent + FIXED_GAS_OVERHEAD)))
    return gas_cost.mul(Quad.from_uint(settlement_token_price)).div(FIXED_POINT).to_uint()


def keeper_tip(now: int, saved_previous_update_timestamp: int, pool_interval: int) -> int:
    """Tip in percent: min(100, 5 + ⌊5·lateness / 13⌋), lateness measured from T0 + U."""
    lateness = checked_uint(now - checked_uint(saved_previous_update_timestamp + pool_interval))
    return min(MAX_TIP, BASE_TIP + TIP_DELTA_PER_BLOCK * lateness // BLOCK_TIME)


def keeper_reward(
    *,
    gas_price: int,
    gas_spent: int,
    saved_previous_update_timestamp: int,
    pool_interval: int,
    settlement_token_price: int,
    now: int,
    settlement_decimals: int,
) -> int:
    """KeeperRewards.keeperReward in settlement raw units (0 with a zero gas price)."""
    if settlement_token_price < 0:
        raise ContractRevert("settlement price must be >= 0")
    gas_wad = keeper_gas(gas_price, gas_spent, settlement_token_price)
    tip = keeper_tip(now, saved_previous_update_timestamp, pool_interval)
    reward_wad = gas_wad + gas_wad * tip // 100
    return from_wad(reward_wad, settlement_decimals)


@dataclass(frozen=True, slots=True)
class KeeperPayment:
    """Outcome of LeveragedPool.payKeeperFromBalances."""

    paid: bool
    reward: int
    long_balance: int
    short_balance: int


def pay_keeper_from_balances(reward: int, long_balance: int, short_balance: int) -> KeeperPayment:
    """Pro-rata payment out of both sides; nothing is paid when reward >= long + short."""
    if reward >= long_balance + short_balance:
        return KeeperPayment(False, 0, long_balance, short_balance)
    short_after, long_after = get_balances_after_fees(reward, short_balance, long_balance)
    return KeeperPayment(True, reward, long_after, short_after)
