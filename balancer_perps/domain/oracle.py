"""Oracle wrapper arithmetic: Chainlink scaling to WAD and the SMA mean (§2.7, §3.8.3 item 14).

Integer-only. Signed divisions truncate toward zero like Solidity's, not like Python's `//`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from balancer_perps.domain.errors import ContractRevert

WAD_DECIMALS: Final = 18
SMA_MAX_PERIODS: Final = 24


def truncating_division(numerator: int, denominator: int) -> int:
    """Solidity signed `/`: the quotient rounded toward zero."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def chainlink_scaler(aggregator_decimals: int) -> int:
    """ChainlinkOracleWrapper.scaler(): 10^(18 - decimals)."""
    if aggregator_decimals > WAD_DECIMALS:
        raise ContractRevert("COA: too many decimals")
    scaler: int = 10 ** (WAD_DECIMALS - aggregator_decimals)
    return scaler


def chainlink_price(answer: int, aggregator_decimals: int) -> int:
    """ChainlinkOracleWrapper.getPrice(): the answer scaled to WAD (negatives pass through)."""
    return answer * chainlink_scaler(aggregator_decimals)


def wrapper_from_wad(wad: int, aggregator_decimals: int) -> int:
    """IOracleWrapper.fromWad: wad / scaler, truncating toward zero."""
    return truncating_division(wad, chainlink_scaler(aggregator_decimals))


def sma_price(observations: Sequence[int], num_periods: int) -> int:
    """SMAOracle.getPrice(): mean of the last min(count, numPeriods) observations, or 0."""
    if not 1 <= num_periods <= SMA_MAX_PERIODS:
        raise ContractRevert("SMA: Out of bounds")
    window = observations[-num_periods:]
    if not window:
        return 0
    return truncating_division(sum(window), len(window))


def sma_records_observation(now: int, last_update: int, sma_update_interval: int) -> bool:
    """SMAOracle.poll adds an observation only once its own interval has elapsed."""
    return now >= last_update + sma_update_interval
