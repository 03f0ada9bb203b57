"""The portfolio page: its view model (positions, unclaimed, queued trades, PnL per market
and per settlement token) and its state driven like a browser would, with the chain read
and the index faked at `portfolio.read_positions` / `portfolio.read_trades`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from reflex.state import State

from balancer_perps.chain.errors import NodeUnavailable
from balancer_perps.chain.positions import UserMarketPosition, UserSnapshot
from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.components.wallet import WalletState
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import Balance, CommitType, TotalCommitment, UserCommitment
from balancer_perps.history import AccountCommit, AccountTrade
from balancer_perps.pages import _data, portfolio
from balancer_perps.pages.portfolio import PortfolioState
from balancer_perps.pages.portfolio_history import type_filter
from balancer_perps.pages.portfolio_view import NO_INDEX, portfolio_view
from tests.app.factories import NOW, WAD, market, snapshot
from tests.browser.feed import SnapshotFeed

TRADER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"
OTHER = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
USDC = 10**6

# Long tokens at 1.5 BAL, short at 0.8 BAL (balance / supply); next interval to execute: 7,
# last rebalance NOW - 60, rebalance every 120 s.
BAL_3X = market(1, long_balance=1_500 * WAD, short_balance=800 * WAD)
_five = market(2, leverage=5)  # settled in the same BAL token as the 3× market
BAL_5X = replace(_five, info=replace(_five.info, settlement_token=BAL_3X.info.settlement_token))
USDC_3X = market(6, collateral="USDC", decimals=6, long_balance=1_000 * USDC,
                 short_balance=1_000 * USDC, long_supply=1_000 * USDC,
                 short_supply=1_000 * USDC)
MARKETS = snapshot(BAL_3X, BAL_5X, USDC_3X)


def _quad(numerator: int, denominator: int = 1) -> Quad:
    return Quad.from_uint(numerator).div(Quad.from_uint(denominator))


def _position(state: Any, *, long_balance: int = 0, short_balance: int = 0,
              claimable: Balance | None = None,
              pending: tuple[UserCommitment, ...] = ()) -> UserMarketPosition:
    return UserMarketPosition(
        market=state.info.address, settlement_balance=0, settlement_allowance=0,
        long_balance=long_balance, short_balance=short_balance,
        claimable=claimable or Balance(), pending=pending,
        unaggregated_ids=tuple(c.update_interval_id for c in pending),
    )


def _user(*positions: UserMarketPosition, account: str = TRADER) -> UserSnapshot:
    return UserSnapshot(user=account, block_number=321, block_timestamp=NOW, eth_balance=0,
                        positions=positions)


def _trade(state: Any, kind: CommitType, amount: int, interval: int, prices: tuple[Quad, Quad]
           | None, burning_fee: Quad | None = None) -> AccountTrade:
    long_price, short_price = prices or (None, None)
    fee = (burning_fee or Quad.from_uint(0)) if prices else None
    return AccountTrade(state.info.address, kind, amount, interval, False, long_price,
                        short_price, fee)


PRICES_5 = (_quad(5, 4), _quad(15, 16))  # interval 5: long 1.25, short 0.9375
USER = _user(
    # 3× BAL: 50 long in the wallet, 20 long and 5 BAL unclaimed, a long burn of 2 queued
    # for interval 7 and a short mint of 3 BAL for interval 8.
    _position(BAL_3X, long_balance=50 * WAD, claimable=Balance(20 * WAD, 0, 5 * WAD),
              pending=(UserCommitment(TotalCommitment(long_burn_pool_tokens=2 * WAD), 7),
                       UserCommitment(TotalCommitment(short_mint_settlement=3 * WAD), 8))),
    # 5× BAL: 10 short tokens, but no trade in the index (received by transfer).
    _position(BAL_5X, short_balance=10 * WAD),
    # USDC: nothing left (closed).
    _position(USDC_3X),
)
TRADES = [
    _trade(BAL_3X, CommitType.LONG_MINT, 100 * WAD, 5, PRICES_5),
    _trade(BAL_3X, CommitType.SHORT_BURN, 40 * WAD, 5, PRICES_5, Quad.from_uint(2 * 10**15)),
    _trade(BAL_3X, CommitType.LONG_BURN, 8 * WAD, 6, (_quad(3, 2), _quad(1))),
    _trade(BAL_3X, CommitType.SHORT_MINT, 3 * WAD + 9 * 10**15, 8, None),  # still queued
    _trade(USDC_3X, CommitType.LONG_MINT, 10 * USDC, 3, (_quad(1), _quad(1))),
    _trade(USDC_3X, CommitType.LONG_BURN, 9 * USDC, 4, (_quad(6, 5), _quad(1))),
]


# ----------------------------------------------------------------- pure view model


def test_positions_with_values_unclaimed_queue_and_pnl() -> None:
    view = portfolio_view(MARKETS, USER, TRADES)
    assert [row.name for row in view.rows] == ["3-ETH/USD+BAL", "5-ETH/USD+BAL"]
    bal = view.rows[0]
    assert bal.href == f"/markets/{BAL_3X.info.address}"
    assert (bal.long_tokens, bal.long_value) == ("50", "75 BAL")  # 50 × 1.5
    assert (bal.short_tokens, bal.short_value) == ("0", "0 BAL")
    assert bal.has_unclaimed
    assert bal.unclaimed == "5 BAL, 20 long tokens"
    assert [(p.kind, p.amount, p.interval, p.executes_at) for p in bal.pending] == [
        ("Burn long", "2 long tokens", "#7", NOW + 60),  # the next rebalance
        ("Mint short", "3 BAL", "#8", NOW + 180),  # the one after
    ]
    assert bal.pending[0].executes_label == "2026-01-01 00:01 UTC"
    # paid in 100; paid out 40 × 0.9375 − 0.2 % = 37.425 and 8 × 1.5 = 12;
    # tokens now (50 + 20 + 2 queued) × 1.5 = 108: 108 + 49.425 − 100 = +57.425
    assert (bal.paid_in, bal.paid_out, bal.tokens_value) == ("100 BAL", "49.43 BAL", "108 BAL")
    assert (bal.pnl, bal.pnl_percent, bal.pnl_trend) == ("+57.43 BAL", "+57.43%", "up")
    # no trade history for the 5× market: PnL unknown, not zero
    assert (view.rows[1].pnl, view.rows[1].pnl_percent) == ("—", "—")
    assert view.rows[1].short_value == "10 BAL"
    assert not view.rows[1].has_unclaimed and view.rows[1].pending == []


def test_totals_per_settlement_token_include_closed_positions() -> None:
    view = portfolio_view(MARKETS, USER, TRADES)
    bal, usdc = view.totals
    assert (bal.collateral, bal.pnl, bal.pnl_percent) == ("BAL", "+57.43 BAL", "+57.43%")
    assert bal.tokens_value == "118 BAL"  # 108 (3×) + 10 short at 1 (5×)
    assert bal.unclaimed == "5 BAL"
    assert bal.note == "1 market without trade history not included"
    # USDC, closed: paid in 10, the burn paid 9 × 1.2 = 10.8: +0.8 (+8 %)
    assert (usdc.collateral, usdc.pnl, usdc.pnl_percent, usdc.pnl_trend) == (
        "USDC", "+0.8 USDC", "+8.00%", "up")
    assert usdc.note == "1 closed position included"
    assert view.history_note == ""


def test_tokens_with_the_same_symbol_are_not_added_up() -> None:
    other_bal = replace(BAL_5X, info=replace(BAL_5X.info, settlement_token=USDC_3X.info.address))
    view = portfolio_view(snapshot(BAL_3X, other_bal), USER, TRADES)
    assert [t.collateral for t in view.totals] == ["BAL", "BAL"]


def test_without_the_index_pnl_is_missing_everywhere() -> None:
    view = portfolio_view(MARKETS, USER, None)
    assert view.history_note == NO_INDEX
    assert {row.pnl for row in view.rows} == {"—"}
    assert [t.pnl for t in view.totals] == ["—"]  # the closed USDC market is unknown too
    assert view.rows[0].long_value == "75 BAL"


def test_an_account_with_nothing_has_no_rows() -> None:
    view = portfolio_view(MARKETS, _user(_position(BAL_3X)), [])
    assert view.rows == [] and view.totals == []


def test_countdowns_follow_the_browser_clock() -> None:
    view = portfolio_view(MARKETS, USER, TRADES, clock_offset=1_000)
    assert view.rows[0].pending[0].executes_at == NOW + 60 - 1_000


# ----------------------------------------------------------------- the state


class _Fake:
    def __init__(self) -> None:
        self.user: UserSnapshot | Exception = USER
        self.trades: list[AccountTrade] | None = TRADES
        self.reads: list[str] = []
        self.history: list[AccountCommit] | None = []  # newest first, as the index
        self.history_reads: list[tuple[str | None, str]] = []

    async def read_positions(self, account: str, snapshot: MarketsSnapshot) -> UserSnapshot:
        self.reads.append(account)
        if isinstance(self.user, Exception):
            raise self.user
        return replace(self.user, user=account)

    async def read_trades(self, chain_id: int, account: str) -> list[AccountTrade] | None:
        return self.trades if account == TRADER else []

    def _history_of(self, account: str) -> list[AccountCommit] | None:
        return self.history if account == TRADER else []

    async def read_history(self, chain_id: int, account: str, pool: str | None, kind: str
                           ) -> tuple[list[AccountCommit], int] | None:
        """Filtered like the index query (tests/indexer/test_account_history.py)."""
        self.history_reads.append((pool, kind))
        found = self._history_of(account)
        if found is None:
            return None
        types = type_filter(kind)
        matching = [c for c in found if (pool is None or c.pool.lower() == pool.lower())
                    and (types is None or c.commit_type in types)]
        return matching[:portfolio.SHOWN], len(matching)

    async def read_all_history(self, chain_id: int, account: str
                               ) -> list[AccountCommit] | None:
        return self._history_of(account)


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Fake]:
    fake = _Fake()
    monkeypatch.setattr(portfolio, "read_positions", fake.read_positions)
    monkeypatch.setattr(portfolio, "read_trades", fake.read_trades)
    monkeypatch.setattr(portfolio, "read_history", fake.read_history)
    monkeypatch.setattr(portfolio, "read_all_history", fake.read_all_history)
    monkeypatch.setattr(portfolio, "explorer_url", lambda: "")
    feed = SnapshotFeed()
    feed.publish(MARKETS)
    _data.use_source(feed)
    yield fake
    _data.use_source(None)


def _new_state() -> PortfolioState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(PortfolioState.get_full_name().split(".")[1:])
    assert isinstance(state, PortfolioState)
    return state


def _handler(name: str) -> Any:
    return PortfolioState.event_handlers[name].fn


def test_no_wallet_asks_to_connect(chain: _Fake) -> None:
    async def run() -> None:
        state = _new_state()
        follow = await _handler("load")(state)
        assert follow is PortfolioState.follow_live
        assert state.status == "disconnected" and state.rows == []
        assert chain.reads == []

    asyncio.run(run())


def test_connecting_shows_the_portfolio_and_disconnecting_clears_it(chain: _Fake) -> None:
    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER.lower(), 31337)
        assert chain.reads == [TRADER]  # checksummed
        assert state.status == "ready" and state.account_label == "0x2361…1E8f"
        assert [row.name for row in state.rows] == ["3-ETH/USD+BAL", "5-ETH/USD+BAL"]
        assert state.rows[0].pnl == "+57.43 BAL"
        assert state.balances_label == "Balances at block 321"
        assert state.block_label.startswith("devnet · block 101")
        wallet = await state.get_state(WalletState)
        assert wallet.address == TRADER and not wallet.wrong_network

        await _handler("on_wallet")(state, "", 0)
        assert state.status == "disconnected" and state.rows == [] and state.totals == []

    asyncio.run(run())


def test_events_with_arguments_no_wallet_sends_count_as_disconnected(chain: _Fake) -> None:
    async def run() -> None:
        state = _new_state()
        for address, chain_id in (("0x1234", 31337), (None, 31337), (42, "1"),
                                  ("0x" + "g" * 40, 31337), ([TRADER], 31337)):
            await _handler("on_wallet")(state, address, chain_id)
            assert state.status == "disconnected"
        await _handler("refresh")(state)  # nothing to refresh without an account
        assert chain.reads == []
        # a valid account with a nonsense chain id: shown, as on the wrong network
        await _handler("on_wallet")(state, TRADER, True)
        wallet = await state.get_state(WalletState)
        assert wallet.chain_id == 0 and wallet.wrong_network
        assert state.status == "ready"

    asyncio.run(run())


def test_a_wallet_with_nothing(chain: _Fake) -> None:
    chain.user = _user(_position(BAL_3X))
    chain.trades = []

    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        assert state.status == "empty"

    asyncio.run(run())


def test_a_node_failure_is_a_message_not_a_crash(chain: _Fake) -> None:
    chain.user = NodeUnavailable("The network node is unreachable")

    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        assert state.status == "error"
        assert state.problem == ("Your balances could not be read: The network node is "
                                 "unreachable")
        chain.user = USER
        await _handler("refresh")(state)
        assert state.status == "ready" and state.problem == ""

    asyncio.run(run())


def test_balances_are_read_again_at_a_rebalance_not_at_every_block(chain: _Fake) -> None:
    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        assert len(chain.reads) == 1
        feed = _data.source()
        assert isinstance(feed, SnapshotFeed)
        feed.publish(snapshot(BAL_3X, BAL_5X, USDC_3X, version=2))  # a block, same second
        await state.show_current()
        assert len(chain.reads) == 1 and state.version == 2
        upkept = replace(BAL_3X, pool=replace(BAL_3X.pool, update_interval_id=8))
        feed.publish(snapshot(upkept, BAL_5X, USDC_3X, version=3))
        await state.show_current()
        assert len(chain.reads) == 2
        feed.publish(snapshot(upkept, BAL_5X, USDC_3X, version=4,
                              block_timestamp=NOW + portfolio.REREAD_SECONDS))
        await state.show_current()
        assert len(chain.reads) == 3
        await _handler("refresh")(state)
        assert len(chain.reads) == 4

    asyncio.run(run())


def test_a_read_for_another_account_is_dropped(chain: _Fake) -> None:
    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        rows = state.rows
        stale = portfolio._Prepared(account=OTHER, view=portfolio_view(MARKETS, USER, []))
        state._apply(stale)
        assert state.rows == rows and state.status == "ready"
        await _handler("on_wallet")(state, OTHER, 31337)
        assert chain.reads[-1] == OTHER
        assert state.rows[0].pnl == "—"  # OTHER has no trades in the index

    asyncio.run(run())
