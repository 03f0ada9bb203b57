"""The pages' data seam: swapping the source, waiting for snapshots, no backend yet."""

from __future__ import annotations

import asyncio

from balancer_perps.pages import _data
from tests.app.factories import history, market, snapshot
from tests.browser.feed import SnapshotFeed


def test_feed_source_reaches_the_pages() -> None:
    feed = SnapshotFeed()
    _data.use_source(feed)
    try:
        assert _data.current_snapshot() is None
        first = snapshot(market(1), version=1)
        feed.publish(first)
        assert _data.current_snapshot() is first
        feed.histories[first.markets[0].info.address.lower()] = history(first.markets[0])

        async def scenario() -> None:
            assert await _data.next_snapshot(1, timeout=0.2) is None  # nothing newer
            second = snapshot(market(1), version=2)
            waiter = asyncio.create_task(_data.next_snapshot(1, timeout=5))
            await asyncio.sleep(0.1)
            feed.publish(second)
            assert await waiter is second
            found = await _data.market_history(first.markets[0].info.address)
            assert found is not None and not found.is_empty
            assert await _data.market_history("0x" + "0" * 40) is None
            assert await _data.day_changes() == {}

        asyncio.run(scenario())
    finally:
        _data.use_source(None)


def test_backend_source_without_backend_modules_reports_no_data(monkeypatch) -> None:
    monkeypatch.setattr(_data, "_optional_module", lambda name: None)
    source = _data.BackendSource()
    assert source.current() is None
    assert source.market_history("0x" + "0" * 40) is None
    assert source.day_changes() == {}

    async def wait() -> None:
        _data.use_source(source)
        try:
            assert await _data.next_snapshot(0, timeout=0.1) is None
        finally:
            _data.use_source(None)

    asyncio.run(wait())


def test_no_running_app_counts_as_connected() -> None:
    assert asyncio.run(_data.is_client_connected("token")) is True


def test_connecting_placeholder_matches_the_live_module() -> None:
    from balancer_perps import live

    placeholder = live.current() if live.current().version == 0 else None
    assert _data._CONNECTING == live.CONNECTING
    if placeholder is not None:
        assert not _data.has_chain_data(placeholder)
        assert _data.node_problem(placeholder) == ""


def test_index_history_becomes_chart_series() -> None:
    from decimal import Decimal

    from balancer_perps import history as index

    found = index.MarketHistory(
        oracle_prices=(index.OraclePricePoint(10, 1, Decimal(3200), 3_200 * 10**18),),
        token_prices=(index.TokenPricePoint(10, 1, 4, Decimal("1.1"), Decimal("0.9")),),
        tvl=(index.TvlPoint(10, 1, 600, 400, 1_000, Decimal("1.5")),),
        fees=(index.FeePoint(10, 1, 5, 4, 1, 50, 45, 5),),
    )
    series = _data.history_from_index(found)
    assert series.oracle_prices[0] == _data.PricePoint(10, 3_200 * 10**18)
    assert series.token_prices[0].long_price == Decimal("1.1")
    assert series.balances[0] == _data.BalancePoint(10, 600, 400)
    assert series.fees[0] == _data.FeePoint(10, 50, 5)
