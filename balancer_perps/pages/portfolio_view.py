"""The portfolio page as display values: per market, what the account holds, what waits
for it (unclaimed, queued), and its PnL; totals per settlement token. Pure functions, no
Reflex and no network: the state in `portfolio.py` feeds them the chain's balances and the
index's trades. Money stays in raw integers until `balancer_perps.format` shows it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from balancer_perps import format as fmt
from balancer_perps import pnl
from balancer_perps.chain.positions import UserMarketPosition, UserSnapshot
from balancer_perps.chain.snapshot import MarketInfo, MarketsSnapshot, MarketState
from balancer_perps.domain.types import UserCommitment
from balancer_perps.history import AccountTrade
from balancer_perps.pages import _metrics

PNL_EXPLANATION = (
    "PnL = your pool tokens at today's prices (in your wallet, unclaimed or queued to burn) "
    "+ what your burns paid out (claimed or not, after the burn fee, at the price of the "
    "rebalance they executed in) − what your mints paid in. Queued trades count once they "
    "execute; tokens received or sent by transfer are not counted as paid."
)
NO_INDEX = "Trade history is unavailable right now, so PnL cannot be shown."


@dataclass(slots=True)
class PendingCommitRow:
    kind: str = ""  # "Mint long", "Burn short", "Flip long → short"
    amount: str = ""
    interval: str = ""
    executes_at: int = 0  # unix seconds on the browser's clock, counted down there
    executes_label: str = ""  # nominal chain time, UTC


@dataclass(slots=True)
class PositionRow:
    address: str = ""
    href: str = ""
    name: str = ""
    leverage: str = ""
    collateral: str = ""
    long_tokens: str = ""
    long_value: str = ""
    short_tokens: str = ""
    short_value: str = ""
    unclaimed: str = ""  # "5 BAL, 20 long tokens": what a claim would pay (non-zero parts)
    has_unclaimed: bool = False
    pending: list[PendingCommitRow] = dataclasses.field(default_factory=list)
    paid_in: str = fmt.MISSING
    paid_out: str = fmt.MISSING
    tokens_value: str = fmt.MISSING
    pnl: str = fmt.MISSING
    pnl_percent: str = fmt.MISSING
    pnl_trend: str = "flat"  # "up", "down" or "flat"


@dataclass(slots=True)
class TotalRow:
    """One settlement token: markets are only added up within the same token."""

    collateral: str = ""
    tokens_value: str = ""
    unclaimed: str = ""
    pnl: str = fmt.MISSING
    pnl_percent: str = fmt.MISSING
    pnl_trend: str = "flat"
    note: str = ""


@dataclass(slots=True)
class PortfolioView:
    rows: list[PositionRow] = dataclasses.field(default_factory=list)
    totals: list[TotalRow] = dataclasses.field(default_factory=list)
    history_note: str = ""  # why PnL is missing everywhere, or ""


# What each queued field of a user commitment is, and what it is counted in.
_PENDING_FIELDS = (
    ("long_mint_settlement", "Mint long", "settlement"),
    ("short_mint_settlement", "Mint short", "settlement"),
    ("long_burn_pool_tokens", "Burn long", "long tokens"),
    ("short_burn_pool_tokens", "Burn short", "short tokens"),
    ("long_burn_short_mint_pool_tokens", "Flip long → short", "long tokens"),
    ("short_burn_long_mint_pool_tokens", "Flip short → long", "short tokens"),
)


def pending_rows(
    state: MarketState, pending: Iterable[UserCommitment], clock_offset: int = 0
) -> list[PendingCommitRow]:
    """One row per queued commit type and interval, soonest first. Mints are shown net of
    the mint fee (what joins the queue)."""
    info = state.info
    rows = []
    for commitment in sorted(pending, key=lambda c: c.update_interval_id):
        executes_at = _metrics.execution_time(state.pool, commitment.update_interval_id)
        for field, kind, unit in _PENDING_FIELDS:
            raw = getattr(commitment.commitment, field)
            if not raw:
                continue
            symbol = info.settlement_symbol if unit == "settlement" else unit
            rows.append(PendingCommitRow(
                kind=kind,
                amount=fmt.amount(raw, info.settlement_decimals, symbol),
                interval=f"#{commitment.update_interval_id}",
                executes_at=executes_at - clock_offset,
                executes_label=fmt.utc_time(executes_at),
            ))
    return rows


def executed_trades(trades: Iterable[AccountTrade]) -> dict[str, list[pnl.ExecutedTrade]]:
    """The index's executed trades by pool (lower-case address)."""
    found: dict[str, list[pnl.ExecutedTrade]] = defaultdict(list)
    for trade in trades:
        if trade.long_price is None or trade.short_price is None or trade.burning_fee is None:
            continue
        found[trade.pool.lower()].append(pnl.ExecutedTrade(
            trade.commit_type, trade.amount, trade.update_interval_id,
            trade.long_price, trade.short_price, trade.burning_fee,
        ))
    return found


def _trend(amount: int) -> str:
    return "up" if amount > 0 else "down" if amount < 0 else "flat"


def _percent(result: pnl.Pnl) -> str:
    ratio = result.ratio
    return fmt.MISSING if ratio is None else fmt.percent(ratio, signed=True)


def market_pnl(state: MarketState, position: UserMarketPosition | None,
               trades: Sequence[pnl.ExecutedTrade]) -> pnl.Pnl:
    long_price, short_price = _metrics.token_prices(state.pool)
    held = pnl.Holdings()
    if position is not None:
        held = pnl.holdings(position.long_balance, position.short_balance, position.claimable,
                            (c.commitment for c in position.pending))
    return pnl.market_pnl(trades, held, long_price, short_price)


def position_row(state: MarketState, position: UserMarketPosition, result: pnl.Pnl | None,
                 clock_offset: int = 0) -> PositionRow:
    """One market the account has something in; ``result`` None: no history in the index."""
    info = state.info
    decimals, symbol = info.settlement_decimals, info.settlement_symbol
    long_price, short_price = _metrics.token_prices(state.pool)
    claimable = position.claimable
    row = PositionRow(
        address=info.address,
        href=f"/markets/{info.address}",
        name=info.name,
        leverage=f"{info.leverage}×",
        collateral=symbol,
        long_tokens=fmt.amount(position.long_balance, decimals),
        long_value=fmt.amount(pnl.value_of(position.long_balance, long_price), decimals, symbol),
        short_tokens=fmt.amount(position.short_balance, decimals),
        short_value=fmt.amount(pnl.value_of(position.short_balance, short_price), decimals,
                               symbol),
        unclaimed=", ".join(
            fmt.amount(raw, decimals, unit)
            for raw, unit in ((claimable.settlement_tokens, symbol),
                              (claimable.long_tokens, "long tokens"),
                              (claimable.short_tokens, "short tokens"))
            if raw
        ),
        has_unclaimed=any(claimable.as_tuple()),
        pending=pending_rows(state, position.pending, clock_offset),
    )
    if result is not None:
        row.paid_in = fmt.amount(result.paid_in, decimals, symbol)
        row.paid_out = fmt.amount(result.paid_out, decimals, symbol)
        row.tokens_value = fmt.amount(result.tokens_value, decimals, symbol)
        row.pnl = fmt.signed_amount(result.amount, decimals, symbol)
        row.pnl_percent = _percent(result)
        row.pnl_trend = _trend(result.amount)
    return row


@dataclass(slots=True)
class _Group:
    """Markets sharing one settlement token, while the totals are added up."""

    info: MarketInfo
    results: list[pnl.Pnl] = dataclasses.field(default_factory=list)
    unclaimed: int = 0
    held_value: int = 0
    without_history: int = 0
    closed: int = 0

    def row(self) -> TotalRow:
        decimals, symbol = self.info.settlement_decimals, self.info.settlement_symbol
        row = TotalRow(
            collateral=symbol,
            tokens_value=fmt.amount(self.held_value, decimals, symbol),
            unclaimed=fmt.amount(self.unclaimed, decimals, symbol),
        )
        notes = []
        if self.results:
            summed = pnl.total(self.results)
            row.pnl = fmt.signed_amount(summed.amount, decimals, symbol)
            row.pnl_percent = _percent(summed)
            row.pnl_trend = _trend(summed.amount)
            if self.closed:
                notes.append(_count(self.closed, "closed position") + " included")
            if self.without_history:
                notes.append(_count(self.without_history, "market") + " without trade "
                             "history not included")
        row.note = "; ".join(notes)
        return row


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def portfolio_view(snapshot: MarketsSnapshot, user: UserSnapshot,
                   trades: Sequence[AccountTrade] | None, *,
                   clock_offset: int = 0) -> PortfolioView:
    """Rows for the markets of ``snapshot`` where the account holds or waits for anything,
    and totals per settlement token that also count closed positions; ``trades`` None: the
    index could not be read (PnL "—" everywhere)."""
    by_pool = executed_trades(trades or ())
    traded = {t.pool.lower() for t in trades or ()}
    rows: list[PositionRow] = []
    groups: dict[str, _Group] = {}
    for state in sorted(snapshot.markets, key=lambda m: (m.info.name, m.info.address)):
        info = state.info
        position = user.position(info.address)
        holds = position is not None and position.has_anything
        has_history = info.address.lower() in traded
        if not holds and not has_history:
            continue
        result = market_pnl(state, position, by_pool.get(info.address.lower(), ()))
        if position is not None and holds:
            rows.append(position_row(state, position, result if has_history else None,
                                     clock_offset))
        group = groups.setdefault(info.settlement_token.lower(), _Group(info))
        group.unclaimed += position.claimable.settlement_tokens if position else 0
        group.held_value += result.tokens_value
        if not has_history:
            group.without_history += 1
            continue
        group.results.append(result)
        group.closed += 0 if holds else 1
    totals = sorted((group.row() for group in groups.values()), key=lambda t: t.collateral)
    return PortfolioView(rows=rows, totals=totals,
                         history_note=NO_INDEX if trades is None else "")
