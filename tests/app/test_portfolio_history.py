"""The portfolio's trade history: what each commit got at its interval's exact prices
(worked out by hand), its rows, its CSV, and the state's filters and download driven like
a browser would, with the index faked at `portfolio.read_history` /
`portfolio.read_all_history` (the fixture of tests/app/test_portfolio.py)."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
from dataclasses import replace
from typing import Any

import pytest

from balancer_perps import pnl
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType
from balancer_perps.history import AccountCommit
from balancer_perps.pages import portfolio
from balancer_perps.pages.portfolio_history import (
    ALL,
    CSV_COLUMNS,
    count_label,
    csv_filename,
    history_csv,
    history_rows,
    market_options,
    tx_link,
    type_filter,
)
from tests.app.factories import NOW, WAD, address, snapshot
from tests.app.test_portfolio import (  # noqa: F401 (the `chain` fixture)
    BAL_3X,
    MARKETS,
    TRADER,
    USDC,
    USDC_3X,
    _Fake,
    _handler,
    _new_state,
    chain,
)

MINT_FEE = Quad.from_uint(3 * 10**15)  # 0.3 %, the committer's WAD rate
BURN_FEE = Quad.from_uint(2 * 10**15)  # 0.2 %
LONG_1_25 = Quad.from_uint(5).div(Quad.from_uint(4))
SHORT_0_9375 = Quad.from_uint(15).div(Quad.from_uint(16))
UNLISTED = address(9)  # a market the snapshot does not list


def _commit(pool: str, kind: CommitType, amount: int, *, n: int, interval: int = 5,
            executed: bool = True, from_unclaimed: bool = False,
            long_price: Quad = LONG_1_25, short_price: Quad = SHORT_0_9375) -> AccountCommit:
    return AccountCommit(
        timestamp=NOW - 10 * n, block_number=100 - n, tx_hash="0x" + f"{n:x}" * 64,
        log_index=n, pool=pool, commit_type=kind, amount=amount,
        update_interval_id=interval, from_aggregate_balance=from_unclaimed,
        minting_fee=MINT_FEE,
        long_price=long_price if executed else None,
        short_price=short_price if executed else None,
        burning_fee=BURN_FEE if executed else None,
        executed_at=NOW - 300 if executed else None,
    )


BAL = BAL_3X.info.address
QUEUED = _commit(BAL, CommitType.SHORT_MINT, 3_009 * 10**15, n=1, interval=8, executed=False)
FLIP = _commit(BAL, CommitType.LONG_BURN_SHORT_MINT, 10 * WAD, n=2)
BURN = _commit(BAL, CommitType.SHORT_BURN, 40 * WAD, n=3)
MINT = _commit(BAL, CommitType.LONG_MINT, 100 * WAD, n=4, from_unclaimed=True)
USDC_MINT = _commit(USDC_3X.info.address, CommitType.LONG_MINT, 10 * USDC, n=5, interval=3,
                    long_price=Quad.from_uint(1), short_price=Quad.from_uint(1))
UNLISTED_BURN = _commit(UNLISTED, CommitType.LONG_BURN, 5 * WAD, n=6, interval=3,
                        executed=False)
HISTORY = [QUEUED, FLIP, BURN, MINT, USDC_MINT, UNLISTED_BURN]  # newest first


# ----------------------------------------------------------------- exact proceeds


def _proceeds(commit: AccountCommit) -> pnl.Proceeds | None:
    assert commit.long_price and commit.short_price and commit.burning_fee
    return pnl.commit_proceeds(commit.commit_type, commit.amount,
                               minting_fee=commit.minting_fee, long_price=commit.long_price,
                               short_price=commit.short_price, burning_fee=commit.burning_fee)


def test_a_mint_buys_tokens_with_what_is_left_after_the_mint_fee() -> None:
    # 100 BAL − 0.3 % = 99.7 BAL at 1.25 per long token: 79.76 long tokens
    assert _proceeds(MINT) == pnl.Proceeds(received=79_760 * 10**15, fee=3 * 10**17)
    # 10 USDC − 0.3 % = 9.97 USDC at 1: 9.97 long tokens (6 decimals)
    assert _proceeds(USDC_MINT) == pnl.Proceeds(received=9_970_000, fee=30_000)


def test_a_burn_pays_settlement_after_the_burn_fee() -> None:
    # 40 short tokens at 0.9375 = 37.5 BAL; 0.2 % of it (0.075) stays in the pool
    assert _proceeds(BURN) == pnl.Proceeds(received=37_425 * 10**15, fee=75 * 10**15)


def test_a_flip_pays_both_fees_and_buys_the_other_side() -> None:
    # 10 long at 1.25 = 12.5; − 0.2 % burn fee (0.025) = 12.475; − 0.3 % mint fee (0.037425)
    # = 12.437575 BAL; at 0.9375 per short token: 13.266746666… short, rounded down
    assert _proceeds(FLIP) == pnl.Proceeds(received=13_266_746_666_666_666_666,
                                           fee=62_425 * 10**12)
    # the other way: 8 short at 0.9375 = 7.5; − 0.015 = 7.485; − 0.022455 = 7.462545 BAL;
    # at 1.25 per long token: 5.970036 long
    back = replace(FLIP, commit_type=CommitType.SHORT_BURN_LONG_MINT, amount=8 * WAD)
    assert _proceeds(back) == pnl.Proceeds(received=5_970_036 * 10**12, fee=37_455 * 10**12)


def test_a_zero_price_gets_nothing_to_show() -> None:
    frozen = replace(MINT, long_price=Quad.from_uint(0))
    assert _proceeds(frozen) is None


# ----------------------------------------------------------------- rows


def test_rows_newest_first_with_amounts_status_and_proceeds() -> None:
    rows = history_rows(HISTORY, MARKETS)
    assert [(r.kind, r.amount, r.status, r.status_detail, r.received) for r in rows] == [
        ("Mint short", "3.01 BAL", "Queued", "rebalance #8 · expected 2026-01-01 00:03 UTC",
         ""),
        ("Flip long → short", "10 long tokens", "Executed", "rebalance #5",
         "≈ 13.27 short tokens"),
        ("Burn short", "40 short tokens", "Executed", "rebalance #5", "37.43 BAL"),
        ("Mint long", "100 BAL", "Executed", "rebalance #5", "79.76 long tokens"),
        ("Mint long", "10 USDC", "Executed", "rebalance #3", "9.97 long tokens"),
        # a market the snapshot does not list: raw units, no expected time
        ("Burn long", "5,000,000,000,000,000,000 raw long tokens", "Queued", "rebalance #3",
         ""),
    ]
    first = rows[0]
    assert first.time == "2025-12-31 23:59:50 UTC"
    assert (first.market, first.href) == ("3-ETH/USD+BAL", f"/markets/{BAL}")
    assert not first.executed and rows[1].executed
    assert rows[3].from_unclaimed and not rows[2].from_unclaimed
    assert rows[5].market == "0x0000…0009"
    assert len({r.key for r in rows}) == len(rows)


def test_transaction_hashes_link_to_the_explorer_when_there_is_one() -> None:
    devnet = history_rows([MINT], MARKETS)[0]
    assert devnet.tx_hash == MINT.tx_hash and devnet.tx_label == "0x4444…4444"
    assert devnet.tx_url == ""
    arbitrum = history_rows([MINT], MARKETS, "https://arbiscan.io/")[0]
    assert arbitrum.tx_url == f"https://arbiscan.io/tx/{MINT.tx_hash}"
    assert tx_link("", MINT.tx_hash) == ""


def test_filters_options_and_counts() -> None:
    options = market_options([BAL, USDC_3X.info.address, BAL.lower(), UNLISTED], MARKETS)
    assert [(o.value, o.label) for o in options] == [
        (ALL, "All markets"), (UNLISTED, "0x0000…0009"), (BAL, "3-ETH/USD+BAL"),
        (USDC_3X.info.address, "3-ETH/USD+USDC"),
    ]
    assert type_filter("mint") == {CommitType.LONG_MINT, CommitType.SHORT_MINT}
    assert type_filter("long_to_short") == {CommitType.LONG_BURN_SHORT_MINT}
    assert type_filter(ALL) is None and type_filter("nonsense") is None
    assert count_label(0, 0) == "No trades"
    assert count_label(1, 1) == "1 trade"
    assert count_label(200, 1_234) == "Showing the latest 200 of 1,234 trades"


# ----------------------------------------------------------------- CSV


def _parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_raw_integers_exact_decimals_and_iso_times() -> None:
    text = history_csv(HISTORY, MARKETS)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    lines = _parse(text)
    assert len(lines) == 6
    mint = lines[3]
    assert mint == {
        "time_utc": "2025-12-31T23:59:20Z", "block_number": "96", "tx_hash": MINT.tx_hash,
        "log_index": "4", "market": "3-ETH/USD+BAL", "pool": BAL, "type": "Mint long",
        "from_unclaimed": "true", "amount_in_raw": str(100 * WAD), "amount_in": "100",
        "amount_in_unit": "BAL", "update_interval_id": "5", "status": "executed",
        "executed_at_utc": "2025-12-31T23:55:00Z", "received_raw": "79760000000000000000",
        "received": "79.76", "received_unit": "long tokens",
        "fees_raw": "300000000000000000", "fees": "0.3", "fees_unit": "BAL",
        "received_estimated": "false",
    }
    flip = lines[1]
    assert (flip["received_raw"], flip["received"], flip["received_unit"]) == (
        "13266746666666666666", "13.266746666666666666", "short tokens")
    assert (flip["fees"], flip["received_estimated"]) == ("0.062425", "true")
    usdc = lines[4]
    assert (usdc["amount_in_raw"], usdc["amount_in"], usdc["received"], usdc["fees"]) == (
        "10000000", "10", "9.97", "0.03")
    queued = lines[0]
    assert (queued["status"], queued["executed_at_utc"], queued["received_raw"],
            queued["amount_in"]) == ("queued", "", "", "3.009")
    unlisted = lines[5]
    assert (unlisted["amount_in_raw"], unlisted["amount_in"], unlisted["market"]) == (
        str(5 * WAD), "", "0x0000…0009")


def test_csv_text_from_the_chain_is_not_a_formula() -> None:
    named = replace(BAL_3X, info=replace(BAL_3X.info, name="=HYPERLINK(\"x\")"))
    lines = _parse(history_csv([MINT], snapshot(named)))
    assert lines[0]["market"] == "'=HYPERLINK(\"x\")"
    assert history_csv([], MARKETS).splitlines() == [",".join(CSV_COLUMNS)]


def test_csv_file_name() -> None:
    assert csv_filename(TRADER, NOW) == "balancer-perps-trades-0x23618e81-20260101.csv"


# ----------------------------------------------------------------- the state


def _downloaded(spec: Any) -> tuple[str, str]:
    args = {str(name): json.loads(str(value)) for name, value in spec.args}
    prefix = "data:text/csv;base64,"
    assert args["url"].startswith(prefix)
    return args["filename"], base64.b64decode(args["url"][len(prefix):]).decode()


def test_the_history_shows_with_the_portfolio_and_filters(chain: _Fake) -> None:  # noqa: F811
    chain.history = HISTORY

    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        assert state.status == "ready"
        assert [r.kind for r in state.trades_rows] == [
            "Mint short", "Flip long → short", "Burn short", "Mint long", "Mint long",
            "Burn long"]
        assert state.trades_label == "6 trades"
        # markets the account traded in (from the PnL's trades)
        assert [o.label for o in state.trades_markets] == [
            "All markets", "3-ETH/USD+BAL", "3-ETH/USD+USDC"]
        assert chain.history_reads == [(None, ALL)]

        usdc = USDC_3X.info.address
        await _handler("set_trades_market")(state, usdc)
        assert state.trades_market == usdc
        assert chain.history_reads[-1] == (usdc, ALL)
        assert [r.amount for r in state.trades_rows] == ["10 USDC"]
        assert state.trades_label == "1 trade"

        await _handler("set_trades_market")(state, ALL)
        await _handler("set_trades_type")(state, "mint")
        assert chain.history_reads[-1] == (None, "mint")
        assert [r.kind for r in state.trades_rows] == ["Mint short", "Mint long", "Mint long"]

        # a new block with nothing new does not read the index again
        reads = len(chain.history_reads)
        await state.show_current()
        assert len(chain.history_reads) == reads

    asyncio.run(run())


def test_filter_events_take_only_known_values(chain: _Fake) -> None:  # noqa: F811
    chain.history = HISTORY

    async def run() -> None:
        state = _new_state()
        await _handler("set_trades_market")(state, BAL)  # nothing loaded yet
        assert state.trades_market == ALL
        await _handler("on_wallet")(state, TRADER, 31337)
        reads = len(chain.history_reads)
        for value in (UNLISTED, "0x" + "0" * 40, "", None, 42, [BAL], {"value": BAL}):
            await _handler("set_trades_market")(state, value)
            assert state.trades_market == ALL
        for value in ("", "MINT", "delete", None, 3, ["mint"]):
            await _handler("set_trades_type")(state, value)
            assert state.trades_type == ALL
        assert len(chain.history_reads) == reads
        assert len(state.trades_rows) == 6

        # another account starts again with every filter cleared
        await _handler("set_trades_type")(state, "burn")
        assert state.trades_type == "burn"
        await _handler("on_wallet")(state, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 31337)
        assert (state.trades_market, state.trades_type) == (ALL, ALL)
        assert state.trades_rows == [] and state.trades_label == "No trades"

    asyncio.run(run())


def test_the_csv_download_has_every_trade_of_the_wallet_shown(chain: _Fake) -> None:  # noqa: F811
    chain.history = HISTORY

    async def run() -> None:
        state = _new_state()
        assert await _handler("download_trades")(state) is None  # no wallet, no file
        await _handler("on_wallet")(state, TRADER, 31337)
        await _handler("set_trades_type")(state, "burn")  # filters do not apply to the file
        spec = await _handler("download_trades")(state)
        name, text = _downloaded(spec)
        assert name == "balancer-perps-trades-0x23618e81-20260101.csv"
        assert text == history_csv(HISTORY, MARKETS)
        assert len(_parse(text)) == 6

    asyncio.run(run())


def test_an_unreadable_index_is_a_message(chain: _Fake) -> None:  # noqa: F811
    chain.history = None

    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        assert state.status == "ready"  # the balances still show
        assert state.trades_problem == portfolio.HISTORY_UNAVAILABLE
        assert await _handler("download_trades")(state) is None
        assert state.trades_problem == portfolio.DOWNLOAD_FAILED
        chain.history = HISTORY
        await _handler("refresh")(state)
        assert state.trades_problem == "" and len(state.trades_rows) == 6

    asyncio.run(run())


def test_the_explorer_of_the_network_links_the_hashes(chain: _Fake,  # noqa: F811
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    chain.history = [MINT]
    monkeypatch.setattr(portfolio, "explorer_url", lambda: "https://arbiscan.io")

    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        assert state.trades_rows[0].tx_url == f"https://arbiscan.io/tx/{MINT.tx_hash}"

    asyncio.run(run())
