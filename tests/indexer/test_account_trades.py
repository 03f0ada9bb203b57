"""The portfolio's PnL query: an account's trades from the index, with the exact prices
and burn fee of the interval each executed in."""

from __future__ import annotations

import pytest

from balancer_perps import history, pnl
from balancer_perps.domain.pool_math import get_price
from balancer_perps.domain.types import CommitType
from balancer_perps.indexer import Indexer
from balancer_perps.pages.portfolio_view import executed_trades
from tests.chain.fake_markets import address
from tests.indexer.scenario import Scenario

pytestmark = pytest.mark.anyio

ALICE = address("alice")
BOB = address("bob")
E18 = 10**18


async def test_account_trades_carry_their_execution_prices(db_url: str) -> None:
    scenario = Scenario()
    market = scenario.deploy_market()
    other = scenario.deploy_market()
    scenario.commit(market, ALICE, CommitType.LONG_MINT, 100 * E18, interval=5)
    scenario.commit(market, ALICE, CommitType.SHORT_BURN, 40 * E18, interval=5)
    scenario.commit(market, BOB, CommitType.LONG_MINT, 3 * E18, interval=5)
    scenario.commit(other, ALICE, CommitType.SHORT_MINT, 2 * E18, interval=5)
    scenario.upkeep(
        market,
        old_price=2_000 * E18,
        new_price=2_100 * E18,
        long_fee=0,
        short_fee=0,
        long_change=0,
        short_change=0,
        executed={5: (get_price(5, 4), get_price(15, 16))},  # 1.25 and 0.9375
        reward=0,
        balances_after=(1_000 * E18, 2_000 * E18),
    )
    scenario.commit(market, ALICE, CommitType.LONG_BURN, 8 * E18, interval=6)
    await Indexer(scenario.adapter(), db_url).sync()
    chain_id = scenario.chain.chain_id

    trades = history.account_trades(chain_id, ALICE.lower(), db_url=db_url)
    assert [(t.pool, t.commit_type, t.amount, t.update_interval_id, t.executed)
            for t in trades] == [
        (market.pool, CommitType.LONG_MINT, 100 * E18, 5, True),
        (market.pool, CommitType.SHORT_BURN, 40 * E18, 5, True),
        (other.pool, CommitType.SHORT_MINT, 2 * E18, 5, False),  # its pool did not upkeep
        (market.pool, CommitType.LONG_BURN, 8 * E18, 6, False),
    ]
    first = trades[0]
    assert first.long_price == get_price(5, 4) and first.short_price == get_price(15, 16)
    assert first.burning_fee is not None and first.burning_fee.is_zero
    assert trades[2].long_price is None and trades[2].burning_fee is None

    # into the PnL: 100 paid in, 40 × 0.9375 = 37.5 paid out; unexecuted trades wait
    executed = executed_trades(trades)
    assert set(executed) == {market.pool.lower()}
    assert pnl.paid_in(executed[market.pool.lower()]) == 100 * E18
    assert pnl.paid_out(executed[market.pool.lower()]) == 375 * 10**17

    assert [t.amount for t in history.account_trades(chain_id, BOB, db_url=db_url)] == [3 * E18]
    assert history.account_trades(chain_id, address("nobody"), db_url=db_url) == []
    assert history.account_trades(chain_id + 1, ALICE, db_url=db_url) == []
