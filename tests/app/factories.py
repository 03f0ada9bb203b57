"""Snapshots built by hand for view-model and browser tests (never used by the product)."""

from __future__ import annotations

from dataclasses import replace

from balancer_perps.chain.snapshot import MarketInfo, MarketsSnapshot, MarketState
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import PoolSnapshot

WAD = 10**18
NOW = 1_767_225_600  # 2026-01-01 00:00 UTC


def address(n: int) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(f"0x{n:040x}")


def market(
    n: int,
    *,
    underlying: str = "ETH/USD",
    collateral: str = "BAL",
    leverage: int = 3,
    long_balance: int = 1_000 * WAD,
    short_balance: int = 1_000 * WAD,
    long_supply: int = 1_000 * WAD,
    short_supply: int = 1_000 * WAD,
    execution_price: int = 3_200 * WAD,
    oracle_price: int = 3_200 * WAD,
    update_interval: int = 120,
    front_running_interval: int = 30,
    last_price_timestamp: int = NOW - 60,
    oracle_kind: str = "spot",
    sma_periods: int | None = None,
    verified: bool = True,
    decimals: int = 18,
) -> MarketState:
    info = MarketInfo(
        address=address(n),
        committer=address(1000 + n),
        long_token=address(2000 + n),
        short_token=address(3000 + n),
        name=f"{leverage}-{underlying}+{collateral}",
        underlying=underlying,
        leverage=leverage,
        settlement_token=address(4000 + n),
        settlement_symbol=collateral,
        settlement_decimals=decimals,
        oracle_wrapper=address(5000 + n),
        oracle_kind=oracle_kind,  # type: ignore[arg-type]
        sma_periods=sma_periods,
        update_interval=update_interval,
        front_running_interval=front_running_interval,
        deploy_block=10 + n,
        verified=verified,
    )
    pool = PoolSnapshot(
        long_balance=long_balance,
        short_balance=short_balance,
        leverage=Quad.from_uint(leverage),
        fee=Quad.from_uint(2 * 10**16 * update_interval // 31_556_952),
        update_interval=update_interval,
        front_running_interval=front_running_interval,
        last_price_timestamp=last_price_timestamp,
        settlement_decimals=decimals,
        long_supply=long_supply,
        short_supply=short_supply,
        update_interval_id=7,
        minting_fee=Quad.from_uint(3 * 10**15),
        burning_fee=Quad.from_uint(0),
        execution_price=execution_price,
        oracle_price=oracle_price,
    )
    return MarketState(info=info, pool=pool)


def snapshot(
    *markets: MarketState,
    version: int = 1,
    node_error: str | None = None,
    block_timestamp: int = NOW,
) -> MarketsSnapshot:
    return MarketsSnapshot(
        version=version,
        network="devnet",
        chain_id=31337,
        block_number=100 + version,
        block_timestamp=block_timestamp,
        markets=tuple(markets),
        node_error=node_error,
    )


def sample_markets(now: int = NOW) -> tuple[MarketState, ...]:
    """A spread like the devnet's: three Balancer collaterals and one other; the last
    rebalance a minute before `now`."""
    last = now - 60
    return (
        market(1, long_balance=1_500 * WAD, short_balance=500 * WAD, last_price_timestamp=last),
        market(2, leverage=5, oracle_price=3_300 * WAD, last_price_timestamp=last),
        market(
            3,
            underlying="BTC/USD",
            execution_price=90_000 * WAD,
            oracle_price=89_000 * WAD,
            last_price_timestamp=last,
        ),
        market(
            4,
            collateral="B-80BAL-20WETH",
            oracle_kind="sma",
            sma_periods=4,
            last_price_timestamp=last,
        ),
        market(5, collateral="auraBAL", last_price_timestamp=last),
        market(
            6,
            collateral="USDC",
            decimals=6,
            long_balance=2_500 * 10**6,
            short_balance=2_000 * 10**6,
            long_supply=2_400 * 10**6,
            short_supply=2_100 * 10**6,
            update_interval=3_600,
            front_running_interval=28_800,
            last_price_timestamp=last,
        ),
        market(
            7,
            underlying="EUR/USD",
            verified=False,
            execution_price=108 * WAD // 100,
            oracle_price=108 * WAD // 100,
            last_price_timestamp=last,
        ),
    )


def with_pool(state: MarketState, **changes: object) -> MarketState:
    return MarketState(info=state.info, pool=replace(state.pool, **changes))


def history(state: MarketState, points: int = 48, start: int = NOW - 48 * 120):
    """A rising-then-falling history for one market (charts only)."""
    from decimal import Decimal

    from balancer_perps.pages._data import (
        BalancePoint,
        FeePoint,
        MarketHistory,
        PricePoint,
        TokenPricePoint,
    )

    interval = state.info.update_interval
    unit = 10**state.info.settlement_decimals
    prices, tokens, balances, fees = [], [], [], []
    for i in range(points):
        t = start + i * interval
        move = Decimal(i if i < points // 2 else points - i) / 100
        prices.append(PricePoint(t, int((Decimal(3_000) * (1 + move)) * WAD)))
        tokens.append(TokenPricePoint(t, 1 + 3 * move, 1 - 2 * move))
        balances.append(BalancePoint(t, (1_000 + 10 * i) * unit, (1_000 - 5 * i) * unit))
        fees.append(FeePoint(t, i * unit // 10, i * unit // 100))
    return MarketHistory(oracle_prices=prices, token_prices=tokens, balances=balances, fees=fees)
