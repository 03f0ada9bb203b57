"""The chain adapter against the fake node: discovery, the one-eth_call refresh, user reads
and simulation."""

from __future__ import annotations

import pytest

from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.markets import MAX_PENDING_IDS, underlying_of
from balancer_perps.chain.transactions import (
    approve_request,
    claim_request,
    commit_request,
)
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import Balance, CommitType, TotalCommitment
from tests.chain.fake_markets import FakeDeployment, address, deploy
from tests.chain.fake_node import FakeChain, Revert, count, fake_rpc

pytestmark = pytest.mark.anyio

USER = address("user")


def adapter_for(markets: int, **options: int) -> tuple[FakeChain, FakeDeployment, ChainAdapter]:
    chain = FakeChain()
    deployment = deploy(chain, markets, **options)
    return chain, deployment, ChainAdapter(deployment.network, fake_rpc(chain))


def test_underlying_is_the_name_without_leverage_and_settlement() -> None:
    assert underlying_of("3-ETH/USD+BAL") == "ETH/USD"
    assert underlying_of("3-BTC/USD+USDC-12h") == "BTC/USD"
    assert underlying_of("10-B-80BAL-20WETH/USD+auraBAL") == "B-80BAL-20WETH/USD"


async def test_discovery_reads_every_market_once() -> None:
    chain, deployment, adapter = adapter_for(4, verified=3)
    infos = await adapter.discover_markets()
    assert [i.address for i in infos] == [m.pool for m in deployment.markets]
    first, second = infos[0], infos[1]
    assert (first.name, first.underlying, first.leverage) == ("3-ASSET0/USD+BAL", "ASSET0/USD", 3)
    assert (first.oracle_kind, first.sma_periods) == ("spot", None)
    assert (second.oracle_kind, second.sma_periods) == ("sma", 8)
    assert (first.settlement_symbol, first.settlement_decimals) == ("BAL", 18)
    assert (first.update_interval, first.front_running_interval) == (3600, 300)
    assert [i.verified for i in infos] == [True, True, True, False]
    assert first.committer == deployment.markets[0].committer
    discovery_calls = count(chain, "eth_call")
    assert await adapter.discover_markets() == infos  # cached: only numPools is asked
    assert count(chain, "eth_call") == discovery_calls + 1


@pytest.mark.parametrize("markets", [8, 40])
async def test_one_refresh_of_every_market_is_one_eth_call(markets: int) -> None:
    chain, _, adapter = adapter_for(markets)
    await adapter.read_markets()  # discovery and the first read
    chain.mine()
    chain.requests.clear()
    read = await adapter.read_markets()
    assert len(read.markets) == markets
    assert [method for method, _ in chain.requests] == ["eth_call"]
    assert read.eth_calls == 1


async def test_the_snapshot_maps_every_contract_value() -> None:
    chain, deployment, adapter = adapter_for(2)
    market = deployment.markets[0]
    market.totals = {5: (10, 0, 20, 0, 0, 3), 6: (0, 7, 0, 0, 0, 0)}
    market.appropriate_id = 6
    market.pending_mint = 30
    market.pending_long_burns = 7
    market.secondary_fee_address = "0x0000000000000000000000000000000000000000"
    read = await adapter.read_markets()
    state = read.markets[0]
    pool = state.pool
    assert (pool.long_balance, pool.short_balance) == (market.long_balance, market.short_balance)
    assert (pool.long_supply, pool.short_supply) == (market.long_supply, market.short_supply)
    assert pool.leverage == Quad.from_uint(3)
    assert pool.fee == Quad.from_uint(2_281_589_172_490)
    assert pool.minting_fee == Quad.from_uint(5 * 10**15)
    assert pool.burning_fee == Quad.from_uint(3 * 10**15)
    assert pool.change_interval.is_positive_zero
    assert (pool.update_interval_id, state.appropriate_update_interval_id) == (5, 6)
    assert (pool.pending_mint_settlement, pool.pending_long_burns) == (30, 7)
    assert (pool.execution_price, pool.oracle_price) == (1_990 * 10**18, 2_000 * 10**18)
    assert pool.settlement_eth_price == 3 * 10**15
    assert pool.keeper_gas_price == 2 * 10**9
    assert (pool.primary_fees, pool.secondary_fees) == (7, 1)
    assert pool.has_secondary_fee_address is False
    assert pool.secondary_fee_split_percent == 10
    assert pool.last_price_timestamp == market.last_price_timestamp
    assert state.pending_commitments == (
        (5, TotalCommitment(10, 0, 20, 0, 0, 3)),
        (6, TotalCommitment(0, 7, 0, 0, 0, 0)),
    )
    assert read.block_number == chain.head.number
    assert read.block_timestamp == chain.head.timestamp


async def test_a_jump_of_the_pending_window_costs_one_more_call() -> None:
    chain, deployment, adapter = adapter_for(3)
    await adapter.read_markets()
    market = deployment.markets[1]
    market.update_interval_id, market.appropriate_id = 20, 30  # a long overdue upkeep ran
    market.totals = {30: (1, 2, 3, 4, 5, 6)}
    chain.requests.clear()
    read = await adapter.read_markets()
    assert read.eth_calls == 2
    assert count(chain, "eth_call") == 2
    assert read.markets[1].pending_commitments == ((30, TotalCommitment(1, 2, 3, 4, 5, 6)),)
    chain.requests.clear()
    assert (await adapter.read_markets()).eth_calls == 1  # the window follows


async def test_the_pending_window_is_capped() -> None:
    _, deployment, adapter = adapter_for(1)
    market = deployment.markets[0]
    market.update_interval_id, market.appropriate_id = 1, 500
    market.totals = {i: (1, 0, 0, 0, 0, 0) for i in range(1, 501)}
    read = await adapter.read_markets()
    ids = [i for i, _ in read.markets[0].pending_commitments]
    assert ids == list(range(1, MAX_PENDING_IDS + 1))


async def test_a_new_pool_appears_in_the_same_refresh() -> None:
    chain, deployment, adapter = adapter_for(2)
    await adapter.read_markets()
    deployment.add_market()
    read = await adapter.read_markets()
    assert [m.info.address for m in read.markets] == [m.pool for m in deployment.markets]
    chain.requests.clear()
    assert (await adapter.read_markets()).eth_calls == 1


async def test_a_stale_oracle_does_not_hide_the_market() -> None:
    _, deployment, adapter = adapter_for(2)
    deployment.markets[0].oracle_price = None
    read = await adapter.read_markets()
    broken, fine = read.markets
    assert broken.pool.oracle_price == 0
    assert broken.oracle_error == "COA: Stale answer"
    assert fine.oracle_error is None
    assert fine.pool.oracle_price == 2_000 * 10**18


async def test_pause_flags_are_kept_apart() -> None:
    _, deployment, adapter = adapter_for(1)
    deployment.markets[0].committer_paused = True
    state = (await adapter.read_markets()).markets[0]
    assert (state.pool.paused, state.committer_paused) == (False, True)


async def test_a_users_position_in_every_market() -> None:
    chain, deployment, adapter = adapter_for(3)
    market = deployment.markets[1]
    deployment.settlement_balances[USER] = 500
    market.allowances[USER] = 400
    market.wallet[(market.long_token, USER)] = 11
    market.aggregate[USER] = (1, 2, 3)
    market.unaggregated[USER] = [3, 5, 6]  # 3 is executed (< updateIntervalId 5)
    market.user_commitments[(USER, 5)] = (100, 0, 0, 0, 0, 0, 5)
    market.user_commitments[(USER, 6)] = (0, 0, 0, 9, 0, 0, 6)
    chain.eth_balances[USER.lower()] = 10**18
    await adapter.read_markets()
    chain.requests.clear()
    snapshot = await adapter.read_user(USER.lower())
    assert count(chain, "eth_call") == 2  # balances and ids, then the pending commitments
    assert snapshot.user == USER
    assert snapshot.eth_balance == 10**18
    position = snapshot.position(market.pool)
    assert position is not None
    assert (position.settlement_balance, position.settlement_allowance) == (500, 400)
    assert (position.long_balance, position.short_balance) == (11, 0)
    assert position.claimable == Balance(1, 2, 3)
    assert position.unaggregated_ids == (3, 5, 6)
    assert [(c.update_interval_id, c.commitment) for c in position.pending] == [
        (5, TotalCommitment(100, 0, 0, 0, 0, 0)),
        (6, TotalCommitment(0, 0, 0, 9, 0, 0)),
    ]
    other = snapshot.position(deployment.markets[0].pool)
    assert other is not None and not other.has_anything


async def test_a_user_without_pending_commits_is_one_call() -> None:
    chain, _, adapter = adapter_for(3)
    await adapter.read_markets()
    chain.requests.clear()
    await adapter.read_user(USER)
    assert count(chain, "eth_call") == 1


async def test_long_unaggregated_arrays_are_read_to_their_end() -> None:
    _, deployment, adapter = adapter_for(1)
    market = deployment.markets[0]
    market.unaggregated[USER] = list(range(100, 140))
    snapshot = await adapter.read_user(USER)
    assert snapshot.positions[0].unaggregated_ids == tuple(range(100, 140))


async def test_simulation_passes_with_a_gas_estimate() -> None:
    chain, deployment, adapter = adapter_for(1)
    market = deployment.markets[0]
    chain.add_contract(market.committer, "PoolCommitter", commit=lambda args: ())
    simulation = await adapter.simulate(
        commit_request(USER, market.committer, CommitType.LONG_MINT, 10**18)
    )
    assert simulation.ok and simulation.reason is None
    assert simulation.gas_estimate == 100_000
    sent = next(params for method, params in chain.requests if method == "eth_call")
    assert sent[0]["from"] == USER


@pytest.mark.parametrize(
    ("revert", "reason"),
    [
        (
            Revert.reason("ERC20: transfer amount exceeds allowance"),
            "ERC20: transfer amount exceeds allowance",
        ),
        (
            Revert.panic(0x21),
            "Panic(0x21): an invalid enum value (for example an unknown commit type)",
        ),
        (Revert(), "reverted without a reason"),
    ],
)
async def test_simulation_returns_the_decoded_revert(revert: Revert, reason: str) -> None:
    chain, deployment, adapter = adapter_for(1)
    committer = deployment.markets[0].committer

    def failing_commit(args: bytes) -> None:
        raise revert

    chain.add_contract(committer, "PoolCommitter", commit=failing_commit)
    simulation = await adapter.simulate(
        commit_request(USER, committer, CommitType.LONG_MINT, 10**18)
    )
    assert not simulation.ok
    assert simulation.reason == reason
    assert simulation.gas_estimate is None


def test_commit_requests_pack_the_arguments_as_the_reference() -> None:
    request = commit_request(USER, address("committer"), CommitType.LONG_MINT, 100 * 10**6)
    assert request.data.hex() == (
        "f14fcbc8" + "0000000000000000000000000000000200000000000000000000000005f5e100"
    )
    assert request.value == 0
    paid = commit_request(
        USER,
        address("committer"),
        CommitType.LONG_BURN,
        400 * 10**6,
        from_aggregate_balance=True,
        pay_for_claim=True,
        claim_reward=5,
    )
    assert paid.data.hex().endswith(
        "0000000000000000000000000001010300000000000000000000000017d78400"
    )
    assert paid.value == 5
    with pytest.raises(ValueError):
        commit_request(USER, address("committer"), CommitType.LONG_MINT, 1, pay_for_claim=True)
    with pytest.raises(ValueError):
        commit_request(USER, address("committer"), CommitType.LONG_MINT, 0)


def test_approve_and_claim_requests() -> None:
    approve = approve_request(USER, address("BAL"), address("pool"), 2**256 - 1)
    assert approve.to == address("BAL")
    assert approve.data[:4].hex() == "095ea7b3"
    claim = claim_request(USER.lower(), address("committer"))
    assert claim.data.hex() == "1e83409a" + "00" * 12 + USER[2:].lower()
    assert claim.wallet_params()["from"] == USER
