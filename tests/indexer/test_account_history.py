"""The portfolio's trade history query: an account's commits newest first, filtered by
market and type, capped and counted, with the mint fee rate of the commit and the exact
prices, burn fee and time of the interval each executed in."""

from __future__ import annotations

import pytest

from balancer_perps import history, pnl
from balancer_perps.domain.pool_math import get_price
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType
from balancer_perps.indexer import Indexer
from tests.chain.fake_markets import address
from tests.indexer.scenario import Scenario

pytestmark = pytest.mark.anyio

ALICE = address("alice")
BOB = address("bob")
E18 = 10**18
MINTS = frozenset({CommitType.LONG_MINT, CommitType.SHORT_MINT})


def _tx(block: object) -> str:
    return "0x" + block.logs[-1]["transactionHash"].hex()  # type: ignore[attr-defined]


async def test_account_commit_history(db_url: str) -> None:
    scenario = Scenario()
    market = scenario.deploy_market()
    other = scenario.deploy_market()
    mint = scenario.commit(market, ALICE, CommitType.LONG_MINT, 100 * E18, interval=5)
    burn = scenario.commit(market, ALICE, CommitType.SHORT_BURN, 40 * E18, interval=5)
    scenario.commit(market, BOB, CommitType.LONG_MINT, 3 * E18, interval=5)
    flip = scenario.commit(other, ALICE, CommitType.SHORT_BURN_LONG_MINT, 2 * E18, interval=5)
    upkeep = scenario.upkeep(
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
    late = scenario.commit(market, ALICE, CommitType.LONG_BURN, 8 * E18, interval=6)
    await Indexer(scenario.adapter(), db_url).sync()
    chain_id = scenario.chain.chain_id

    commits = history.account_commit_history(chain_id, ALICE.lower(), db_url=db_url)
    assert [(c.pool, c.commit_type, c.amount, c.update_interval_id, c.executed)
            for c in commits] == [
        (market.pool, CommitType.LONG_BURN, 8 * E18, 6, False),
        (other.pool, CommitType.SHORT_BURN_LONG_MINT, 2 * E18, 5, False),  # no upkeep there
        (market.pool, CommitType.SHORT_BURN, 40 * E18, 5, True),
        (market.pool, CommitType.LONG_MINT, 100 * E18, 5, True),
    ]
    assert [c.tx_hash for c in commits] == [_tx(late), _tx(flip), _tx(burn), _tx(mint)]
    assert [(c.block_number, c.timestamp) for c in commits] == [
        (block.number, block.timestamp) for block in (late, flip, burn, mint)]
    first_mint = commits[3]
    assert first_mint.minting_fee == Quad.from_uint(market.minting_fee)  # 0.5 % at commit
    assert first_mint.long_price == get_price(5, 4)
    assert first_mint.short_price == get_price(15, 16)
    assert first_mint.burning_fee is not None and first_mint.burning_fee.is_zero
    assert first_mint.executed_at == upkeep.timestamp
    assert not first_mint.from_aggregate_balance
    assert commits[0].long_price is None and commits[0].executed_at is None

    # what the mint got: 100 − 0.5 % = 99.5 BAL at 1.25 = 79.6 long tokens
    assert (first_mint.long_price is not None and first_mint.short_price is not None
            and first_mint.burning_fee is not None)
    assert pnl.commit_proceeds(
        first_mint.commit_type, first_mint.amount, minting_fee=first_mint.minting_fee,
        long_price=first_mint.long_price, short_price=first_mint.short_price,
        burning_fee=first_mint.burning_fee,
    ) == pnl.Proceeds(received=796 * 10**17, fee=5 * 10**17)

    # filters, cap and count
    in_market = history.account_commit_history(chain_id, ALICE, pool=market.pool.lower(),
                                               db_url=db_url)
    assert [c.commit_type for c in in_market] == [
        CommitType.LONG_BURN, CommitType.SHORT_BURN, CommitType.LONG_MINT]
    minted = history.account_commit_history(chain_id, ALICE, commit_types=MINTS,
                                            db_url=db_url)
    assert [c.amount for c in minted] == [100 * E18]
    capped = history.account_commit_history(chain_id, ALICE, limit=2, db_url=db_url)
    assert capped == commits[:2]
    assert history.account_commit_history(chain_id, ALICE, limit=0, db_url=db_url) == []
    assert history.count_account_commits(chain_id, ALICE, db_url=db_url) == 4
    assert history.count_account_commits(chain_id, ALICE, pool=other.pool, db_url=db_url) == 1
    assert history.count_account_commits(
        chain_id, ALICE, pool=market.pool, commit_types=frozenset({CommitType.SHORT_BURN}),
        db_url=db_url) == 1
    assert history.count_account_commits(chain_id, ALICE, commit_types=frozenset(),
                                         db_url=db_url) == 0

    # other accounts and chains
    assert [c.amount for c in history.account_commit_history(chain_id, BOB, db_url=db_url)
            ] == [3 * E18]
    assert history.account_commit_history(chain_id, address("nobody"), db_url=db_url) == []
    assert history.account_commit_history(chain_id + 1, ALICE, db_url=db_url) == []
    assert history.count_account_commits(chain_id + 1, ALICE, db_url=db_url) == 0
