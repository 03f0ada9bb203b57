"""The portfolio page as display values: per market, what the account holds, what waits
for it (unclaimed, queued), its PnL and its collateral-aware exposure (`exposure`); totals
per settlement token (and per underlying within one settlement token). Pure functions, no
Reflex and no network: the state in `portfolio.py` feeds them the chain's balances and the
index's trades. Money stays in raw integers until `balancer_perps.format` shows it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from balancer_perps import exposure, pnl
from balancer_perps import format as fmt
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
EXPOSURE_EXPLANATION = (
    "Every position has two legs: the underlying, at the side's effective leverage, and "
    "the settlement token it is paid in, which you hold for its whole value. A BAL-settled "
    "ETH/USD long gains if ETH/USD rises and also if BAL/USD rises (it is paid in BAL), so "
    "it is not the same as an ETH long."
)


@dataclass(slots=True)
class PendingCommitRow:
    kind: str = ""  # "Mint long", "Burn short", "Flip long → short"
    amount: str = ""
    interval: str = ""
    executes_at: int = 0  # unix seconds on the browser's clock, counted down there
    executes_label: str = ""  # nominal chain time, UTC


@dataclass(slots=True)
class ExposureRow:
    """One side of one market: its underlying leg."""

    direction: str = ""  # "Long ETH/USD"
    trend: str = "flat"  # "up" for long, "down" for short
    value: str = ""  # what the side's tokens are worth: "1k BAL"
    on_gains: str = ""  # notional for a move in the side's favour: "1.5k BAL"
    on_losses: str = ""  # notional for a move against it
    gain_leverage: str = ""  # "1.5×"
    loss_leverage: str = ""


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
    exposure: list[ExposureRow] = dataclasses.field(default_factory=list)
    collateral_exposure: str = ""  # the collateral leg: "Long 1.2k BAL"
    collateral_usd: str = ""  # "≈ $2.88k (BAL/USD 2.40)", "" without a USD price
    exposure_note: str = ""  # this market's two legs in one sentence


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
class UnderlyingExposureRow:
    """One underlying in one settlement token, all the account's markets on it netted."""

    underlying: str = ""
    collateral: str = ""
    if_rises: str = ""  # "Net long 3k BAL", "Net short 200 BAL", "Flat"
    rises_trend: str = "flat"
    if_falls: str = ""
    falls_trend: str = "flat"
    held: str = ""  # "long 1k BAL · short 200 BAL held"


@dataclass(slots=True)
class CollateralExposureRow:
    """One settlement token: everything the account holds in it through the markets."""

    collateral: str = ""
    amount: str = ""  # "Long 1.2k BAL"
    usd: str = ""  # "≈ $2.88k (BAL/USD 2.40)", "" without a USD price


@dataclass(slots=True)
class PortfolioView:
    rows: list[PositionRow] = dataclasses.field(default_factory=list)
    totals: list[TotalRow] = dataclasses.field(default_factory=list)
    underlying_exposure: list[UnderlyingExposureRow] = dataclasses.field(default_factory=list)
    collateral_exposure: list[CollateralExposureRow] = dataclasses.field(default_factory=list)
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


@dataclass(frozen=True, slots=True)
class UsdPrice:
    """A settlement token's USD price as the snapshot itself knows it."""

    price: int  # WAD: USD per whole settlement token
    source: str  # the market it comes from: "BAL/USD"


def usd_prices(snapshot: MarketsSnapshot) -> dict[str, UsdPrice]:
    """The settlement tokens the snapshot can price in USD, by lower-case address: the
    index price of a verified "<symbol>/USD" market (on the devnet, BAL from the BAL/USD
    market), spot oracles first. Only tokens of verified markets are priced, since a symbol
    alone proves nothing; any other token is shown in its own units only."""
    feeds: dict[str, UsdPrice] = {}
    for state in sorted(snapshot.markets,
                        key=lambda m: (m.info.oracle_kind != "spot", m.info.address.lower())):
        info, pool = state.info, state.pool
        if info.verified and pool.oracle_price > 0 and state.oracle_error is None:
            feeds.setdefault(info.underlying.upper(), UsdPrice(pool.oracle_price,
                                                               info.underlying))
    prices: dict[str, UsdPrice] = {}
    for state in snapshot.markets:
        info = state.info
        found = feeds.get(f"{info.settlement_symbol.upper()}/USD")
        if info.verified and found is not None:
            prices.setdefault(info.settlement_token.lower(), found)
    return prices


def market_exposure(state: MarketState, position: UserMarketPosition
                    ) -> exposure.MarketExposure:
    """The account's two legs in one market: its long and short tokens (wherever they sit,
    as for PnL) at today's token prices and the side's effective leverage (the markets
    page's), and everything it holds in the settlement token, which adds the unclaimed
    settlement and the queued mints (no underlying exposure until they execute)."""
    info = state.info
    long_price, short_price = _metrics.token_prices(state.pool)
    held = pnl.holdings(position.long_balance, position.short_balance, position.claimable,
                        (c.commitment for c in position.pending))
    effective = _metrics.effective_leverage(state.pool)
    idle = position.claimable.settlement_tokens + sum(
        c.commitment.long_mint_settlement + c.commitment.short_mint_settlement
        for c in position.pending
    )
    return exposure.market_exposure(
        info.underlying,
        info.settlement_token.lower(),
        long_value=pnl.value_of(held.long_tokens, long_price),
        short_value=pnl.value_of(held.short_tokens, short_price),
        idle=idle,
        long_leverage=(effective.long_gain, effective.long_loss),
        short_leverage=(effective.short_gain, effective.short_loss),
    )


def _usd(raw: int, decimals: int, price: UsdPrice | None) -> str:
    usd = None if price is None else exposure.usd_value(raw, decimals, price.price)
    if price is None or usd is None:
        return ""
    return f"≈ ${fmt.amount(usd, 18)} ({price.source} {fmt.price(fmt.wad(price.price))})"


def _net(amount: int, decimals: int, symbol: str) -> tuple[str, str]:
    if amount > 0:
        return f"Net long {fmt.amount(amount, decimals, symbol)}", "up"
    if amount < 0:
        return f"Net short {fmt.amount(-amount, decimals, symbol)}", "down"
    return "Flat", "flat"


def exposure_rows(info: MarketInfo, legs: exposure.MarketExposure) -> list[ExposureRow]:
    decimals, symbol = info.settlement_decimals, info.settlement_symbol
    return [
        ExposureRow(
            direction=f"{side.side.capitalize()} {info.underlying}",
            trend="up" if side.side == "long" else "down",
            value=fmt.amount(side.value, decimals, symbol),
            on_gains=fmt.amount(side.on_gains, decimals, symbol),
            on_losses=fmt.amount(side.on_losses, decimals, symbol),
            gain_leverage=fmt.leverage(side.gain_leverage),
            loss_leverage=fmt.leverage(side.loss_leverage),
        )
        for side in legs.sides
    ]


def exposure_note(info: MarketInfo, legs: exposure.MarketExposure) -> str:
    """The market's two legs in one sentence."""
    underlying, symbol = info.underlying, info.settlement_symbol
    held = {side.side for side in legs.sides}
    if held == {"long", "short"}:
        leg = f"the long gains if {underlying} rises, the short if it falls"
    elif held == {"long"}:
        leg = f"the long gains if {underlying} rises"
    elif held == {"short"}:
        leg = f"the short gains if {underlying} falls"
    else:
        return (f"No {underlying} exposure until your queued trades execute; what waits is "
                f"held in {symbol}.")
    return (f"Paid in {symbol}: {leg}, and as you hold {symbol} for the whole value, it "
            f"also gains if {symbol}'s own price rises.")


def position_row(state: MarketState, position: UserMarketPosition, result: pnl.Pnl | None,
                 clock_offset: int = 0, usd_price: UsdPrice | None = None) -> PositionRow:
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
    legs = market_exposure(state, position)
    row.exposure = exposure_rows(info, legs)
    row.collateral_exposure = f"Long {fmt.amount(legs.collateral, decimals, symbol)}"
    row.collateral_usd = _usd(legs.collateral, decimals, usd_price)
    row.exposure_note = exposure_note(info, legs)
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
    prices = usd_prices(snapshot)
    rows: list[PositionRow] = []
    groups: dict[str, _Group] = {}
    held: list[tuple[MarketInfo, exposure.MarketExposure]] = []
    for state in sorted(snapshot.markets, key=lambda m: (m.info.name, m.info.address)):
        info = state.info
        position = user.position(info.address)
        holds = position is not None and position.has_anything
        has_history = info.address.lower() in traded
        if not holds and not has_history:
            continue
        result = market_pnl(state, position, by_pool.get(info.address.lower(), ()))
        if position is not None and holds:
            token = info.settlement_token.lower()
            rows.append(position_row(state, position, result if has_history else None,
                                     clock_offset, prices.get(token)))
            held.append((info, market_exposure(state, position)))
        group = groups.setdefault(info.settlement_token.lower(), _Group(info))
        group.unclaimed += position.claimable.settlement_tokens if position else 0
        group.held_value += result.tokens_value
        if not has_history:
            group.without_history += 1
            continue
        group.results.append(result)
        group.closed += 0 if holds else 1
    totals = sorted((group.row() for group in groups.values()), key=lambda t: t.collateral)
    underlying, collateral = exposure_totals(held, prices)
    return PortfolioView(rows=rows, totals=totals, underlying_exposure=underlying,
                         collateral_exposure=collateral,
                         history_note=NO_INDEX if trades is None else "")


def exposure_totals(
    held: Sequence[tuple[MarketInfo, exposure.MarketExposure]], prices: dict[str, UsdPrice]
) -> tuple[list[UnderlyingExposureRow], list[CollateralExposureRow]]:
    """The account's exposure summed per underlying within one settlement token, and per
    settlement token; two tokens (even with one symbol) are never added together."""
    infos = {info.settlement_token.lower(): info for info, _ in held}
    underlying = []
    for total in exposure.underlying_totals(side for _, legs in held for side in legs.sides):
        info = infos[total.settlement]
        decimals, symbol = info.settlement_decimals, info.settlement_symbol
        if_rises, rises_trend = _net(total.net_if_rises, decimals, symbol)
        if_falls, falls_trend = _net(total.net_if_falls, decimals, symbol)
        underlying.append(UnderlyingExposureRow(
            underlying=total.underlying,
            collateral=symbol,
            if_rises=if_rises,
            rises_trend=rises_trend,
            if_falls=if_falls,
            falls_trend=falls_trend,
            held=(f"long {fmt.amount(total.long_value, decimals, symbol)} · short "
                  f"{fmt.amount(total.short_value, decimals, symbol)} held"),
        ))
    collateral = []
    for token, amount in exposure.collateral_totals(
            (info.settlement_token.lower(), legs.collateral) for info, legs in held).items():
        info = infos[token]
        decimals, symbol = info.settlement_decimals, info.settlement_symbol
        collateral.append(CollateralExposureRow(
            collateral=symbol,
            amount=f"Long {fmt.amount(amount, decimals, symbol)}",
            usd=_usd(amount, decimals, prices.get(token)),
        ))
    underlying.sort(key=lambda row: (row.underlying, row.collateral))
    collateral.sort(key=lambda row: row.collateral)
    return underlying, collateral
