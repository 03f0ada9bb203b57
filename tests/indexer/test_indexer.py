"""The indexer against the fake node: what it writes, idempotence, resume, reorgs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from balancer_perps import history
from balancer_perps.domain.pool_math import get_price
from balancer_perps.domain.types import CommitType, TotalCommitment
from balancer_perps.indexer import Indexer, table_of
from balancer_perps.models import (
    BLOCK_TABLES,
    ClaimRecord,
    CommitRecord,
    FeePaymentRecord,
    IndexerCursor,
    IntervalExecutionRecord,
    MarketRecord,
    TokenTransferRecord,
    UpkeepRecord,
    engine_for,
)
from tests.chain.fake_markets import FakeMarket, address
from tests.chain.fake_node import count
from tests.indexer.scenario import FEE_RECEIVER, KEEPER_BOT, Scenario, migrated_database

pytestmark = pytest.mark.anyio

ALICE = address("alice")
BOB = address("bob")
E18 = 10**18


def rows(db_url: str, model: type[Any]) -> list[dict[str, Any]]:
    table = table_of(model)
    with engine_for(db_url).connect() as connection:
        query = sa.select(table).order_by(*table.primary_key.columns)
        return [dict(row._mapping) for row in connection.execute(query)]


def everything(db_url: str) -> dict[str, list[dict[str, Any]]]:
    models = (*BLOCK_TABLES, MarketRecord, IndexerCursor)
    result = {model.__name__: rows(db_url, model) for model in models}
    for cursor in result["IndexerCursor"]:
        cursor.pop("updated_at")
    for table in result.values():  # surrogate keys differ between databases and runs
        for row in table:
            row.pop("id", None)
    return result


def busy_market(scenario: Scenario) -> FakeMarket:
    """Deploy, commit, upkeep, claim, fee claims: one of everything."""
    market = scenario.deploy_market()
    scenario.commit(market, ALICE, CommitType.LONG_MINT, 100 * E18, interval=5)
    scenario.commit(market, BOB, CommitType.SHORT_BURN, 40 * E18, interval=5)
    scenario.commit(market, BOB, CommitType.SHORT_MINT, 7 * E18, interval=6)
    scenario.upkeep(
        market,
        old_price=2_000 * E18,
        new_price=2_100 * E18,
        long_fee=3 * 10**15,
        short_fee=6 * 10**15,
        long_change=50 * E18,
        short_change=-50 * E18,
        executed={5: (get_price(5, 4), get_price(15, 16))},  # 1.25 and 0.9375
        reward=10**15,
        balances_after=(1_150 * E18, 1_950 * E18),
        long_minted=90 * E18,
    )
    scenario.claim(market, ALICE, 90 * E18)
    scenario.claim_fees(market, primary=8 * 10**15, secondary=10**15)
    scenario.unrelated_settlement_transfer(market)
    return market


async def test_one_of_everything_lands_in_its_table(db_url: str) -> None:
    scenario = Scenario()
    market = busy_market(scenario)
    indexer = Indexer(scenario.adapter(), db_url)
    assert await indexer.sync() == scenario.chain.head.number

    (record,) = rows(db_url, MarketRecord)
    assert (record["pool"], record["committer"], record["long_token"]) == (
        market.pool,
        market.committer,
        market.long_token,
    )
    assert record["deploy_block"] == 1 and record["secondary_fee_split_percent"] == 10

    commits = rows(db_url, CommitRecord)
    assert [
        (c["account"], c["commit_type"], c["amount"], c["update_interval_id"]) for c in commits
    ] == [
        (ALICE, CommitType.LONG_MINT, 100 * E18, 5),
        (BOB, CommitType.SHORT_BURN, 40 * E18, 5),
        (BOB, CommitType.SHORT_MINT, 7 * E18, 6),
    ]
    assert commits[0]["amount"] > 2**63  # wider than SQL BIGINT, stored exactly

    (upkeep,) = rows(db_url, UpkeepRecord)
    assert upkeep["succeeded"] and upkeep["value_transferred"]
    assert (upkeep["old_price"], upkeep["new_price"]) == (2_000 * E18, 2_100 * E18)
    assert (upkeep["long_fee"], upkeep["short_fee"]) == (3 * 10**15, 6 * 10**15)
    assert (upkeep["primary_fee"], upkeep["secondary_fee"]) == (81 * 10**14, 9 * 10**14)
    assert (upkeep["long_balance_before"], upkeep["short_balance_before"]) == (
        1_000 * E18,
        2_000 * E18,
    )
    assert (upkeep["long_balance_after"], upkeep["short_balance_after"]) == (
        1_150 * E18,
        1_950 * E18,
    )
    assert (upkeep["keeper"], upkeep["keeper_reward"]) == (KEEPER_BOT, 10**15)

    (execution,) = rows(db_url, IntervalExecutionRecord)
    assert execution["update_interval_id"] == 5
    assert execution["long_price"] == "0x" + market.price_history[5][0].hex()

    (claim,) = rows(db_url, ClaimRecord)
    assert claim["account"] == ALICE

    payments = rows(db_url, FeePaymentRecord)
    assert [(p["kind"], p["receiver"], p["amount"]) for p in payments] == [
        ("primary", FEE_RECEIVER, 8 * 10**15),
        ("secondary", market.secondary_fee_address, 10**15),
    ]
    transfers = rows(db_url, TokenTransferRecord)
    kinds = [(t["kind"], t["sender"], t["recipient"]) for t in transfers]
    assert ("settlement", ALICE, market.pool) in kinds  # mint payment
    assert ("short", BOB, "0x0000000000000000000000000000000000000000") in kinds  # burn
    assert ("long", market.pool, ALICE) in kinds  # claim
    assert ("settlement", market.pool, KEEPER_BOT) in kinds  # keeper reward
    assert ("settlement", market.pool, FEE_RECEIVER) in kinds  # fee claim
    assert all(address("a") not in (t["sender"], t["recipient"]) for t in transfers)


async def test_the_history_queries_read_the_index(db_url: str) -> None:
    scenario = Scenario()
    market = busy_market(scenario)
    await Indexer(scenario.adapter(), db_url).sync()
    chain_id = scenario.chain.chain_id

    (oracle,) = history.oracle_prices(chain_id, market.pool, db_url=db_url)
    assert (oracle.price, oracle.raw_price) == (Decimal(2100), 2_100 * E18)

    (prices,) = history.token_prices(chain_id, market.pool, db_url=db_url)
    assert (prices.long_price, prices.short_price) == (Decimal("1.25"), Decimal("0.9375"))

    (tvl,) = history.tvl_history(chain_id, market.pool, db_url=db_url)
    assert tvl.tvl == 3_100 * E18
    assert tvl.skew is not None and abs(tvl.skew - Decimal(1150) / Decimal(1950)) < Decimal("1e-25")

    (fees,) = history.fee_history(chain_id, market.pool, db_url=db_url)
    assert (fees.fee, fees.cumulative_fee, fees.cumulative_secondary) == (
        9 * 10**15,
        9 * 10**15,
        9 * 10**14,
    )

    (totals,) = history.fee_totals(chain_id, db_url=db_url)
    assert (totals.accrued_secondary, totals.paid_secondary) == (9 * 10**14, 10**15)

    pending = history.pending_commit_totals(
        chain_id, market.pool, from_interval_id=6, db_url=db_url
    )
    assert [(p.update_interval_id, p.totals, p.commits) for p in pending] == [
        (6, TotalCommitment(short_mint_settlement=7 * E18), 1)
    ]
    entries = history.account_commits(chain_id, BOB.lower(), db_url=db_url)
    assert [(e.commit_type, e.executed, e.short_price) for e in entries] == [
        (CommitType.SHORT_MINT, False, None),
        (CommitType.SHORT_BURN, True, Decimal("0.9375")),
    ]

    now = scenario.chain.head.timestamp
    change = history.price_change_24h(chain_id, market.pool, now=now, db_url=db_url)
    assert change.long_now == Decimal("1.25") and change.long_change is None  # no day of history
    later = history.price_change_24h(chain_id, market.pool, now=now + 86_400 * 2, db_url=db_url)
    assert later.long_before == Decimal("1.25") and later.long_change == 0

    bundle = history.market_history(market.pool, chain_id=chain_id, db_url=db_url)
    assert not bundle.is_empty and len(bundle.tvl) == 1


async def test_indexing_a_range_twice_changes_nothing(db_url: str) -> None:
    scenario = Scenario()
    busy_market(scenario)
    indexer = Indexer(scenario.adapter(), db_url)
    await indexer.sync()
    before = everything(db_url)
    await indexer.index_range(1, scenario.chain.head.number)
    await indexer.index_range(2, 4)
    assert everything(db_url) == before


async def test_a_restart_resumes_after_the_cursor(db_url: str) -> None:
    scenario = Scenario()
    market = busy_market(scenario)
    await Indexer(scenario.adapter(), db_url).sync()
    indexed = scenario.chain.head.number
    scenario.commit(market, ALICE, CommitType.LONG_MINT, E18, interval=6)

    scenario.chain.requests.clear()
    restarted = Indexer(scenario.adapter(), db_url)
    assert await restarted.sync() == indexed + 1
    starts = [int(p[0]["fromBlock"], 16) for m, p in scenario.chain.requests if m == "eth_getLogs"]
    assert starts and min(starts) == indexed + 1
    assert len(rows(db_url, CommitRecord)) == 4


async def test_a_reorg_replaces_the_rows_of_the_abandoned_branch(db_url: str) -> None:
    scenario = Scenario()
    market = scenario.deploy_market()
    scenario.commit(market, ALICE, CommitType.LONG_MINT, E18, interval=5)  # block 2
    fork_point = scenario.chain.head.number
    scenario.commit(market, BOB, CommitType.SHORT_MINT, 2 * E18, interval=5)  # block 3
    scenario.claim(market, BOB, 1)  # block 4
    indexer = Indexer(scenario.adapter(), db_url)
    await indexer.sync()
    assert len(rows(db_url, CommitRecord)) == 2

    scenario.chain.reorg(fork_point)
    scenario.commit(market, ALICE, CommitType.SHORT_BURN, 3 * E18, interval=5)  # new block 3
    scenario.chain.mine()  # new block 4, same height as before
    assert await indexer.sync() == 4

    commits = rows(db_url, CommitRecord)
    assert [(c["account"], c["commit_type"], c["block_number"]) for c in commits] == [
        (ALICE, CommitType.LONG_MINT, 2),
        (ALICE, CommitType.SHORT_BURN, 3),
    ]
    assert rows(db_url, ClaimRecord) == []
    (cursor,) = rows(db_url, IndexerCursor)
    assert cursor["block_hash"] == "0x" + scenario.chain.head.hash.hex()
    # The result equals a fresh index of the new branch.
    assert (
        everything(db_url)["CommitRecord"]
        == everything(await fresh_index(scenario, db_url + "-fresh"))["CommitRecord"]
    )


async def fresh_index(scenario: Scenario, _: str) -> str:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "fresh.db"
    url = migrated_database(path)
    await Indexer(scenario.adapter(), url).sync()
    return url


async def test_a_reorg_below_the_market_deployment_forgets_the_market(db_url: str) -> None:
    scenario = Scenario()
    scenario.chain.mine()
    fork_point = scenario.chain.head.number
    market = scenario.deploy_market()
    scenario.commit(market, ALICE, CommitType.LONG_MINT, E18, interval=5)
    indexer = Indexer(scenario.adapter(), db_url)
    await indexer.sync()
    scenario.chain.reorg(fork_point)
    scenario.chain.mine()
    scenario.chain.mine()
    await indexer.sync()
    assert rows(db_url, MarketRecord) == []
    assert rows(db_url, CommitRecord) == []


async def test_failed_and_poll_failing_upkeeps(db_url: str) -> None:
    scenario = Scenario()
    market = scenario.deploy_market()
    scenario.failed_upkeep(market, "price == 0")
    await Indexer(scenario.adapter(), db_url).sync()
    (upkeep,) = rows(db_url, UpkeepRecord)
    assert not upkeep["succeeded"]
    assert upkeep["error"] == "price == 0"
    assert (upkeep["old_price"], upkeep["keeper_reward"], upkeep["keeper"]) == (None, 0, KEEPER_BOT)
    assert history.oracle_prices(scenario.chain.chain_id, market.pool, db_url=db_url) == []


async def test_a_node_that_limits_log_ranges_gets_smaller_ones(db_url: str) -> None:
    scenario = Scenario()
    busy_market(scenario)
    scenario.chain.max_log_range = 2
    await Indexer(scenario.adapter(), db_url, log_range=1000).sync()
    assert len(rows(db_url, CommitRecord)) == 3
    assert count(scenario.chain, "eth_getLogs") > 3


async def test_logs_without_timestamps_get_them_from_the_blocks(db_url: str) -> None:
    scenario = Scenario()
    scenario.chain.log_timestamps = False
    market = scenario.deploy_market()
    block = scenario.commit(market, ALICE, CommitType.LONG_MINT, E18, interval=5)
    await Indexer(scenario.adapter(), db_url).sync()
    (commit,) = rows(db_url, CommitRecord)
    assert commit["block_timestamp"] == block.timestamp


async def test_a_quiet_chain_costs_few_requests_per_block(db_url: str) -> None:
    scenario = Scenario()
    busy_market(scenario)
    indexer = Indexer(scenario.adapter(), db_url)
    await indexer.sync()
    scenario.chain.mine()
    scenario.chain.requests.clear()
    await indexer.sync()
    methods = [m for m, _ in scenario.chain.requests]
    assert methods.count("eth_getLogs") == 3
    assert len(methods) <= 6


async def test_a_pruned_node_still_gets_upkeeps_indexed(db_url: str) -> None:
    scenario = Scenario()
    market = busy_market(scenario)
    scenario.chain.state_from = scenario.chain.head.number  # no state for past blocks
    await Indexer(scenario.adapter(), db_url).sync()
    (upkeep,) = rows(db_url, UpkeepRecord)
    assert upkeep["new_price"] == 2_100 * E18
    assert upkeep["long_balance_after"] is None and upkeep["long_balance_before"] is None
    assert upkeep["secondary_fee"] == 9 * 10**14  # the split still applies
    (execution,) = rows(db_url, IntervalExecutionRecord)  # prices come from the latest block
    assert execution["long_price"] == "0x" + market.price_history[5][0].hex()
    assert history.tvl_history(scenario.chain.chain_id, market.pool, db_url=db_url) == []


async def test_an_index_of_another_chain_is_replaced(db_url: str) -> None:
    """A devnet restarted from scratch keeps its chain id: nothing of the old index stays."""
    old = Scenario()
    busy_market(old)
    await Indexer(old.adapter(), db_url).sync()
    new = Scenario()
    new.chain.fork = 99  # other block hashes
    new.chain.blocks[0].hash = b"\x01" * 32
    market = new.deploy_market()
    new.commit(market, BOB, CommitType.SHORT_MINT, E18, interval=5)
    await Indexer(new.adapter(), db_url).sync()
    assert [(c["account"], c["block_number"]) for c in rows(db_url, CommitRecord)] == [(BOB, 2)]
    assert rows(db_url, UpkeepRecord) == []
