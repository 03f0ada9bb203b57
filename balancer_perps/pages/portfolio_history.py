"""The portfolio's trade history as display values and as CSV: one row per commit of the
account, newest first, with what each executed commit got at its interval's prices.

Pure functions, no Reflex and no network: the state in `portfolio.py` feeds them the
index's commits (`history.account_commit_history`) and the live snapshot (names, decimals
and the next rebalance of every listed market). Amounts stay raw integers, converted with
the contracts' exact math (`pnl.commit_proceeds`); `Decimal` only for what is shown.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from balancer_perps import format as fmt
from balancer_perps import pnl
from balancer_perps.chain.snapshot import MarketsSnapshot, MarketState
from balancer_perps.domain.types import CommitType
from balancer_perps.history import AccountCommit
from balancer_perps.pages import _metrics

ALL = "all"
SHOWN = 200  # rows the page shows; the CSV has them all

KIND_LABELS = {
    CommitType.LONG_MINT: "Mint long",
    CommitType.SHORT_MINT: "Mint short",
    CommitType.LONG_BURN: "Burn long",
    CommitType.SHORT_BURN: "Burn short",
    CommitType.LONG_BURN_SHORT_MINT: "Flip long → short",
    CommitType.SHORT_BURN_LONG_MINT: "Flip short → long",
}
# The type filter: value -> (label, the commit types it keeps).
TYPE_FILTERS: dict[str, tuple[str, frozenset[CommitType]]] = {
    "mint": ("Mints", frozenset({CommitType.LONG_MINT, CommitType.SHORT_MINT})),
    "burn": ("Burns", frozenset({CommitType.LONG_BURN, CommitType.SHORT_BURN})),
    "flip": ("Flips", frozenset({CommitType.LONG_BURN_SHORT_MINT,
                                 CommitType.SHORT_BURN_LONG_MINT})),
    "long_mint": ("Mint long", frozenset({CommitType.LONG_MINT})),
    "short_mint": ("Mint short", frozenset({CommitType.SHORT_MINT})),
    "long_burn": ("Burn long", frozenset({CommitType.LONG_BURN})),
    "short_burn": ("Burn short", frozenset({CommitType.SHORT_BURN})),
    "long_to_short": ("Flip long → short", frozenset({CommitType.LONG_BURN_SHORT_MINT})),
    "short_to_long": ("Flip short → long", frozenset({CommitType.SHORT_BURN_LONG_MINT})),
}
TYPE_OPTIONS: list[tuple[str, str]] = [(ALL, "All trades")] + [
    (key, label) for key, (label, _) in TYPE_FILTERS.items()
]
FLIP_NOTE = ("Flips: the mint fee shown is the rate at the time of the trade; the contract "
             "applies the rate current when the flip is credited to you.")
CSV_COLUMNS = (
    "time_utc", "block_number", "tx_hash", "log_index", "market", "pool", "type",
    "from_unclaimed", "amount_in_raw", "amount_in", "amount_in_unit", "update_interval_id",
    "status", "executed_at_utc", "received_raw", "received", "received_unit",
    "fees_raw", "fees", "fees_unit", "received_estimated",
)


@dataclass(slots=True)
class HistoryRow:
    key: str = ""  # tx hash and log index: unique per commit
    time: str = ""
    market: str = ""
    href: str = ""
    kind: str = ""
    amount: str = ""
    executed: bool = False
    status: str = ""  # "Executed" or "Queued"
    status_detail: str = ""  # "rebalance #7" / "rebalance #8 · expected 2026-… UTC"
    received: str = ""  # "" while queued
    tx_hash: str = ""
    tx_label: str = ""
    tx_url: str = ""  # "" without a block explorer
    from_unclaimed: bool = False


@dataclass(slots=True)
class MarketOption:
    value: str = ""  # pool address, or ALL
    label: str = ""


@dataclass(frozen=True, slots=True)
class _Unit:
    """How one market's amounts are shown (None decimals: a market the snapshot does not
    list, shown in raw units)."""

    name: str
    decimals: int | None
    symbol: str


@dataclass(frozen=True, slots=True)
class _Line:
    """One commit worked out: raw amounts with their units."""

    commit: AccountCommit
    unit: _Unit
    in_unit: str
    proceeds: pnl.Proceeds | None
    received_unit: str
    estimated: bool


def type_filter(value: str) -> frozenset[CommitType] | None:
    """The commit types a filter value keeps (None: every type, also for unknown values)."""
    entry = TYPE_FILTERS.get(value)
    return None if entry is None else entry[1]


def _unit(snapshot: MarketsSnapshot | None, pool: str) -> _Unit:
    state = snapshot.market(pool) if snapshot is not None else None
    if state is None:
        return _Unit(fmt.short_address(pool), None, "")
    return _Unit(state.info.name, state.info.settlement_decimals, state.info.settlement_symbol)


def _side_tokens(long_side: bool) -> str:
    return "long tokens" if long_side else "short tokens"


def _line(commit: AccountCommit, unit: _Unit) -> _Line:
    kind = commit.commit_type
    if kind.is_mint:
        in_unit = unit.symbol
        received_unit = _side_tokens(kind == CommitType.LONG_MINT)
    elif kind.is_burn:
        in_unit = _side_tokens(kind == CommitType.LONG_BURN)
        received_unit = unit.symbol
    else:
        burns_long = kind == CommitType.LONG_BURN_SHORT_MINT
        in_unit = _side_tokens(burns_long)
        received_unit = _side_tokens(not burns_long)
    proceeds = None
    if (commit.long_price is not None and commit.short_price is not None
            and commit.burning_fee is not None):
        proceeds = pnl.commit_proceeds(
            kind, commit.amount, minting_fee=commit.minting_fee, long_price=commit.long_price,
            short_price=commit.short_price, burning_fee=commit.burning_fee)
    return _Line(commit, unit, in_unit, proceeds, received_unit, kind.is_flip)


def _shown(raw: int, unit: _Unit, symbol: str) -> str:
    if unit.decimals is None:
        return f"{raw:,} raw {symbol}".rstrip()
    return fmt.amount(raw, unit.decimals, symbol)


def _seconds(timestamp: int) -> str:
    if timestamp <= 0:
        return fmt.MISSING
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(timestamp: int | None) -> str:
    if timestamp is None or timestamp <= 0:
        return ""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tx_link(explorer_url: str, tx_hash: str) -> str:
    """The explorer page of a transaction, or "" when the network has no explorer."""
    return f"{explorer_url.rstrip('/')}/tx/{tx_hash}" if explorer_url else ""


def _queued_detail(commit: AccountCommit, state: MarketState | None) -> str:
    label = f"rebalance #{commit.update_interval_id}"
    if state is None:
        return label
    executes_at = _metrics.execution_time(state.pool, commit.update_interval_id)
    if executes_at <= 0:
        return label
    return f"{label} · expected {fmt.utc_time(executes_at)}"


def history_row(commit: AccountCommit, snapshot: MarketsSnapshot | None,
                explorer_url: str = "") -> HistoryRow:
    unit = _unit(snapshot, commit.pool)
    line = _line(commit, unit)
    row = HistoryRow(
        key=f"{commit.tx_hash}:{commit.log_index}",
        time=_seconds(commit.timestamp),
        market=unit.name,
        href=f"/markets/{commit.pool}",
        kind=KIND_LABELS[commit.commit_type],
        amount=_shown(commit.amount, unit, line.in_unit),
        executed=commit.executed,
        tx_hash=commit.tx_hash,
        tx_label=fmt.short_address(commit.tx_hash),
        tx_url=tx_link(explorer_url, commit.tx_hash),
        from_unclaimed=commit.from_aggregate_balance,
    )
    if commit.executed:
        row.status = "Executed"
        row.status_detail = f"rebalance #{commit.update_interval_id}"
        if line.proceeds is None:
            row.received = fmt.MISSING
        else:
            shown = _shown(line.proceeds.received, unit, line.received_unit)
            row.received = f"≈ {shown}" if line.estimated else shown
    else:
        row.status = "Queued"
        state = snapshot.market(commit.pool) if snapshot is not None else None
        row.status_detail = _queued_detail(commit, state)
    return row


def history_rows(commits: Iterable[AccountCommit], snapshot: MarketsSnapshot | None,
                 explorer_url: str = "") -> list[HistoryRow]:
    return [history_row(commit, snapshot, explorer_url) for commit in commits]


def market_options(pools: Iterable[str], snapshot: MarketsSnapshot | None
                   ) -> list[MarketOption]:
    """"All markets" and every market the account traded in, by name."""
    unique = {pool.lower(): pool for pool in pools}
    options = sorted((MarketOption(pool, _unit(snapshot, pool).name) for pool in
                      unique.values()), key=lambda o: (o.label, o.value.lower()))
    return [MarketOption(ALL, "All markets"), *options]


def count_label(shown: int, total: int) -> str:
    if total == 0:
        return "No trades"
    noun = "trade" if total == 1 else "trades"
    if shown >= total:
        return f"{total:,} {noun}"
    return f"Showing the latest {shown:,} of {total:,} {noun}"


# ----------------------------------------------------------------------------- CSV


def _plain(raw: int, decimals: int | None) -> str:
    """The exact decimal value of a raw amount ("" for a market of unknown decimals)."""
    if decimals is None:
        return ""
    text = format(fmt.to_decimal(raw, decimals), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (names come from the chain)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def history_csv(commits: Sequence[AccountCommit], snapshot: MarketsSnapshot | None) -> str:
    """Every commit as one CSV line: raw base-unit integers, their exact decimal values and
    ISO UTC times; fees in the settlement token (mint fee for mints, burn fee for burns,
    both for flips)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for commit in commits:
        unit = _unit(snapshot, commit.pool)
        line = _line(commit, unit)
        proceeds = line.proceeds
        writer.writerow((
            _iso(commit.timestamp),
            commit.block_number,
            commit.tx_hash,
            commit.log_index,
            _cell(unit.name),
            commit.pool,
            KIND_LABELS[commit.commit_type],
            "true" if commit.from_aggregate_balance else "false",
            commit.amount,
            _plain(commit.amount, unit.decimals),
            _cell(line.in_unit),
            commit.update_interval_id,
            "executed" if commit.executed else "queued",
            _iso(commit.executed_at),
            "" if proceeds is None else proceeds.received,
            "" if proceeds is None else _plain(proceeds.received, unit.decimals),
            "" if proceeds is None else _cell(line.received_unit),
            "" if proceeds is None else proceeds.fee,
            "" if proceeds is None else _plain(proceeds.fee, unit.decimals),
            "" if proceeds is None else _cell(unit.symbol),
            "" if proceeds is None else ("true" if line.estimated else "false"),
        ))
    return buffer.getvalue()


def csv_filename(account: str, now: int) -> str:
    day = datetime.fromtimestamp(max(now, 0), tz=UTC).strftime("%Y%m%d")
    return f"balancer-perps-trades-{account[:10].lower()}-{day}.csv"
