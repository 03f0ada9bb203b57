"""One market's page as display values: parameters with their explanations, the queue of
pending trades, the next value transfer and the decay estimate. Pure functions, no Reflex."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from fractions import Fraction

from eth_utils import is_checksum_address, to_checksum_address

from balancer_perps import format as fmt
from balancer_perps.chain.snapshot import MarketsSnapshot, MarketState
from balancer_perps.pages import _metrics
from balancer_perps.pages._data import DayChange
from balancer_perps.pages.markets_view import MarketRow, market_row

VOLATILITIES = ("20", "40", "60", "80", "100", "150")  # % per year, the decay selector
DEFAULT_VOLATILITY = "60"
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True, slots=True)
class AddressCheck:
    address: str = ""  # checksummed when valid
    problem: str = ""  # why it is not an address, for the page to say


def parse_address(text: object) -> AddressCheck:
    """A route parameter as an address: hex, 40 digits, and a valid EIP-55 checksum when it
    is mixed case (a wrong checksum usually means a typo)."""
    if not isinstance(text, str) or not _HEX_ADDRESS.fullmatch(text):
        return AddressCheck(problem="An address is 0x followed by 40 hexadecimal digits.")
    digits = text[2:]
    mixed_case = digits != digits.lower() and digits != digits.upper()
    if mixed_case and not is_checksum_address(text):
        return AddressCheck(problem="Its capitalisation does not match the EIP-55 checksum; "
                                    "check for a typo.")
    return AddressCheck(address=to_checksum_address(text))


@dataclass(slots=True)
class Param:
    label: str = ""
    value: str = ""
    tooltip: str = ""


@dataclass(slots=True)
class PendingRow:
    interval: str = ""
    executes_at: int = 0
    executes_label: str = ""
    long_mints: str = ""
    long_burns: str = ""
    short_mints: str = ""
    short_burns: str = ""
    flips: str = ""


@dataclass(slots=True)
class Transfer:
    """The next rebalance at today's oracle price, in words and numbers."""

    applies: bool = False
    headline: str = ""
    long_change: str = ""
    long_trend: str = "flat"
    short_change: str = ""
    short_trend: str = "flat"
    fee: str = ""
    prices: str = ""


@dataclass(slots=True)
class MarketDetail:
    row: MarketRow = dataclasses.field(default_factory=MarketRow)
    address: str = ""
    leverage_value: str = "1"  # for the decay estimate, exact as a string
    trade_now_executes_at: int = 0
    params: list[Param] = dataclasses.field(default_factory=list)
    transfer: Transfer = dataclasses.field(default_factory=Transfer)
    queued_summary: str = ""
    pending: list[PendingRow] = dataclasses.field(default_factory=list)


PARAM_TIPS = {
    "Pool address": "The LeveragedPool contract. Bookmark this page: its address is the "
    "permalink.",
    "Leverage": "The pool's leverage L. Value moved at a rebalance is tanh(L·(1 − r)) of the "
    "losing side, where r is the smaller price over the larger.",
    "Collateral": "The settlement token both sides post and are paid in.",
    "Oracle": "Spot reads the latest Chainlink answer; an SMA averages the last periods, "
    "one per upkeep.",
    "Rebalance interval": "Time between upkeeps. Keepers rebalance the pool once this much "
    "time has passed since the last one.",
    "Front-running lock": "Trades committed less than this long before a rebalance wait for "
    "the one after it. When it is at least the rebalance interval, every trade waits longer "
    "than one interval.",
    "Management fee": "Charged on both sides at every rebalance, quoted per year. 10% of it "
    "goes to the Balancer DAO treasury, the rest to the protocol's fee receiver.",
    "Treasury share": "Share of the management fee paid to the pool deployer, the Balancer "
    "DAO treasury.",
    "Mint fee": "Taken from the amount you put in when you open a position.",
    "Burn fee": "Taken from the collateral you receive when you close a position.",
    "Mint fee step": "After each rebalance the mint fee moves by this step: down when both "
    "tokens trade above par together, up otherwise. Zero keeps it fixed.",
    "Long token": "The ERC-20 pool token of the long side.",
    "Short token": "The ERC-20 pool token of the short side.",
    "Committer": "The PoolCommitter contract that queues mints, burns and flips.",
    "Oracle wrapper": "The contract the pool reads its price from.",
    "Deployed at block": "The block the pool was deployed in.",
    "Last rebalance": "When the last upkeep ran (block time).",
    "Update interval id": "The interval the next rebalance executes; trades are queued by id.",
}


def _param(label: str, value: str) -> Param:
    return Param(label=label, value=value, tooltip=PARAM_TIPS[label])


def parameters(state: MarketState) -> list[Param]:
    info, pool = state.info, state.pool
    treasury = (
        f"{pool.secondary_fee_split_percent}%" if pool.has_secondary_fee_address else "0%"
    )
    return [
        _param("Pool address", info.address),
        _param("Leverage", f"{info.leverage}×"),
        _param("Collateral", f"{info.settlement_symbol} ({info.settlement_token})"),
        _param("Oracle", oracle_text(state)),
        _param("Rebalance interval", fmt.duration(info.update_interval)),
        _param("Front-running lock", fmt.duration(info.front_running_interval)),
        _param("Management fee", f"{fmt.percent(_metrics.annual_fee(pool))} a year"),
        _param("Treasury share", treasury),
        _param("Mint fee", fmt.percent(_metrics.fee_rate(pool.minting_fee))),
        _param("Burn fee", fmt.percent(_metrics.fee_rate(pool.burning_fee))),
        _param("Mint fee step", fmt.percent(_metrics.fee_rate(pool.change_interval), digits=3)),
        _param("Long token", info.long_token),
        _param("Short token", info.short_token),
        _param("Committer", info.committer),
        _param("Oracle wrapper", info.oracle_wrapper),
        _param("Deployed at block", f"{info.deploy_block:,}"),
        _param("Last rebalance", fmt.utc_time(pool.last_price_timestamp)),
        _param("Update interval id", str(pool.update_interval_id)),
    ]


def oracle_text(state: MarketState) -> str:
    info = state.info
    if info.oracle_kind == "sma" and info.sma_periods:
        return (f"{info.sma_periods}-period SMA over "
                f"{fmt.duration(info.sma_periods * info.update_interval)}")
    return "Spot (latest Chainlink answer)"


def _signed_amount(raw: int, decimals: int, symbol: str) -> tuple[str, str]:
    trend = "up" if raw > 0 else "down" if raw < 0 else "flat"
    return fmt.signed_amount(raw, decimals, symbol), trend


def transfer(state: MarketState) -> Transfer:
    info, pool = state.info, state.pool
    decimals, symbol = info.settlement_decimals, info.settlement_symbol
    move = _metrics.next_value_transfer(pool)
    if not move.applies:
        return Transfer(
            applies=False,
            headline="No value moves at the next rebalance: the oracle has no valid price "
            "yet, so the pool skips the transfer.",
        )
    long_text, long_trend = _signed_amount(move.long_change, decimals, symbol)
    short_text, short_trend = _signed_amount(move.short_change, decimals, symbol)
    if move.new_price > move.old_price:
        headline = "If the price stays here, longs gain and shorts pay at the next rebalance."
    elif move.new_price < move.old_price:
        headline = "If the price stays here, shorts gain and longs pay at the next rebalance."
    else:
        headline = "The price has not moved since the last rebalance: only the fee is charged."
    change = Fraction(move.new_price - move.old_price, move.old_price)
    return Transfer(
        applies=True,
        headline=headline,
        long_change=long_text,
        long_trend=long_trend,
        short_change=short_text,
        short_trend=short_trend,
        fee=fmt.amount(move.fee, decimals, symbol),
        prices=(
            f"{fmt.price(fmt.wad(move.old_price))} → {fmt.price(fmt.wad(move.new_price))} "
            f"({fmt.percent(change, signed=True)})"
        ),
    )


def queued_summary(state: MarketState) -> str:
    pool, info = state.pool, state.info
    if not (pool.pending_mint_settlement or pool.pending_long_burns or pool.pending_short_burns):
        return "No trades are queued."
    return (
        f"Queued now: {fmt.amount(pool.pending_mint_settlement, info.settlement_decimals, info.settlement_symbol)} "  # noqa: E501
        f"of mints, {fmt.amount(pool.pending_long_burns, info.settlement_decimals)} long and "
        f"{fmt.amount(pool.pending_short_burns, info.settlement_decimals)} short tokens to burn."
    )


def pending_rows(state: MarketState, clock_offset: int = 0) -> list[PendingRow]:
    """Commit totals per queued interval, soonest first, with their nominal execution time
    (shifted by `clock_offset` onto the browser's clock)."""
    info, pool = state.info, state.pool
    decimals, symbol = info.settlement_decimals, info.settlement_symbol
    rows = []
    for interval_id, totals in sorted(state.pending_commitments, key=lambda p: p[0]):
        if interval_id < pool.update_interval_id or totals.is_empty:
            continue
        executes_at = _metrics.execution_time(pool, interval_id)
        flips = []
        if totals.long_burn_short_mint_pool_tokens:
            flips.append(f"{fmt.amount(totals.long_burn_short_mint_pool_tokens, decimals)} L→S")
        if totals.short_burn_long_mint_pool_tokens:
            flips.append(f"{fmt.amount(totals.short_burn_long_mint_pool_tokens, decimals)} S→L")
        rows.append(PendingRow(
            interval=f"#{interval_id}",
            executes_at=executes_at - clock_offset,
            executes_label=fmt.utc_time(executes_at),
            long_mints=fmt.amount(totals.long_mint_settlement, decimals, symbol),
            long_burns=fmt.amount(totals.long_burn_pool_tokens, decimals),
            short_mints=fmt.amount(totals.short_mint_settlement, decimals, symbol),
            short_burns=fmt.amount(totals.short_burn_pool_tokens, decimals),
            flips=", ".join(flips) or "0",
        ))
    return rows


def market_detail(
    snapshot: MarketsSnapshot, state: MarketState, change: DayChange | None = None,
    *, clock_offset: int = 0,
) -> MarketDetail:
    leverage = _metrics.leverage_of(state.pool)
    if state.appropriate_update_interval_id:
        executes_at = _metrics.execution_time(state.pool, state.appropriate_update_interval_id)
    else:
        now = max(snapshot.block_timestamp, state.pool.last_price_timestamp)
        executes_at = _metrics.trade_now_executes_at(state.pool, now)
    return MarketDetail(
        row=market_row(state, change, clock_offset=clock_offset),
        address=state.info.address,
        leverage_value=f"{leverage.numerator}/{leverage.denominator}",
        trade_now_executes_at=executes_at - clock_offset,
        params=parameters(state),
        transfer=transfer(state),
        queued_summary=queued_summary(state),
        pending=pending_rows(state, clock_offset),
    )


def decay_text(leverage_value: str, volatility: str) -> str:
    """The decay estimate in words, for a whole leverage and a volatility in % a year."""
    try:
        leverage = int(Fraction(leverage_value))
        sigma = Fraction(int(volatility), 100)
    except (ValueError, ZeroDivisionError):
        return ""
    decay = _metrics.decay_per_year(leverage, sigma)
    swing = _metrics.daily_swing(sigma)
    return (
        f"At {leverage}× and {volatility}% yearly volatility (daily swings of about "
        f"±{fmt.percent(swing)} that end where they started), a position loses about "
        f"{fmt.percent(decay, digits=1)} a year to volatility decay, before fees. The other "
        "side of the pool gains what it loses."
    )


def decay_curve(leverage_value: str) -> list[tuple[int, float]]:
    """(volatility %, decay %) points for the chart beside the estimate."""
    try:
        leverage = int(Fraction(leverage_value))
    except (ValueError, ZeroDivisionError):
        return []
    return [
        (vol, float(_metrics.decay_per_year(leverage, Fraction(vol, 100))) * 100)
        for vol in range(0, 161, 10)
    ]
