"""History queries for the pages, read from the index (``models.py``).

Every function takes the chain id (``live.current().chain_id``) and a pool address and
returns a list of small frozen dataclasses, oldest first. Amounts are raw integers of the
market's settlement token (``MarketInfo.settlement_decimals`` says how to show them);
prices and ratios are ``Decimal``s. The queries are synchronous and quick (indexed);
call them from an async event handler with ``await asyncio.to_thread(...)``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache
from typing import Any

import sqlalchemy as sa
from eth_utils.address import to_checksum_address

from balancer_perps import live
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType, TotalCommitment
from balancer_perps.indexer import table_of
from balancer_perps.models import (
    CommitRecord,
    FeePaymentRecord,
    IntervalExecutionRecord,
    UpkeepRecord,
    engine_for,
)
from balancer_perps.settings import load_settings

WAD = 10**18
DAY = 86_400


@dataclass(frozen=True, slots=True)
class OraclePricePoint:
    """The oracle price an upkeep settled at (``UpkeepSuccessful.endPrice``)."""

    timestamp: int
    block_number: int
    price: Decimal  # underlying price in quote units (WAD / 1e18)
    raw_price: int  # WAD; may be <= 0 on a broken feed (reference §5.4)


@dataclass(frozen=True, slots=True)
class TokenPricePoint:
    """Long and short token prices at one executed interval (``priceHistory``)."""

    timestamp: int
    block_number: int
    update_interval_id: int
    long_price: Decimal  # settlement per pool token (both have the same decimals)
    short_price: Decimal


@dataclass(frozen=True, slots=True)
class TvlPoint:
    """Side balances right after an upkeep."""

    timestamp: int
    block_number: int
    long_balance: int
    short_balance: int
    tvl: int
    skew: Decimal | None  # long / short; None while the short side is empty


@dataclass(frozen=True, slots=True)
class FeePoint:
    """One upkeep's management fee and the running totals since the market started."""

    timestamp: int
    block_number: int
    fee: int  # long + short fee of this upkeep
    primary_fee: int  # to the fee address
    secondary_fee: int  # to the deployer: the Balancer DAO treasury's share
    cumulative_fee: int
    cumulative_primary: int
    cumulative_secondary: int


@dataclass(frozen=True, slots=True)
class FeeTotals:
    """Fees of one market: accrued at upkeeps, and paid out by the fee claims."""

    pool: str
    accrued: int
    accrued_primary: int
    accrued_secondary: int
    paid_primary: int
    paid_secondary: int

    @property
    def unclaimed_secondary(self) -> int:
        return self.accrued_secondary - self.paid_secondary


@dataclass(frozen=True, slots=True)
class PriceChange:
    """Token prices now and 24 hours earlier (``None`` without history that old)."""

    long_now: Decimal | None
    short_now: Decimal | None
    long_before: Decimal | None
    short_before: Decimal | None

    @property
    def long_change(self) -> Decimal | None:
        """Relative change, e.g. Decimal("0.05") for +5 %."""
        return _change(self.long_before, self.long_now)

    @property
    def short_change(self) -> Decimal | None:
        return _change(self.short_before, self.short_now)


@dataclass(frozen=True, slots=True)
class PendingInterval:
    """Commits queued for one interval that has not executed yet (gross amounts: mints
    before their fee, as ``CreateCommit`` logs them)."""

    update_interval_id: int
    totals: TotalCommitment
    commits: int


@dataclass(frozen=True, slots=True)
class CommitEntry:
    """One commit of one account (portfolio history)."""

    timestamp: int
    block_number: int
    tx_hash: str
    pool: str
    commit_type: CommitType
    amount: int  # gross: settlement for mints, pool tokens for burns and flips
    update_interval_id: int
    from_aggregate_balance: bool
    executed: bool
    long_price: Decimal | None  # the interval's prices once executed
    short_price: Decimal | None


# ---------------------------------------------------------------------- queries
def oracle_prices(
    chain_id: int, pool: str, *, since: int | None = None, db_url: str | None = None
) -> list[OraclePricePoint]:
    upkeeps = table_of(UpkeepRecord)
    query = (
        sa.select(upkeeps.c.block_timestamp, upkeeps.c.block_number, upkeeps.c.new_price)
        .where(*_pool_filter(upkeeps, chain_id, pool, since), upkeeps.c.succeeded.is_(True))
        .order_by(upkeeps.c.block_number, upkeeps.c.log_index)
    )
    return [
        OraclePricePoint(ts, block, _ratio(Fraction(price, WAD)), price)
        for ts, block, price in _rows(query, db_url)
        if price is not None
    ]


def token_prices(
    chain_id: int, pool: str, *, since: int | None = None, db_url: str | None = None
) -> list[TokenPricePoint]:
    executions = table_of(IntervalExecutionRecord)
    query = (
        sa.select(
            executions.c.block_timestamp,
            executions.c.block_number,
            executions.c.update_interval_id,
            executions.c.long_price,
            executions.c.short_price,
        )
        .where(*_pool_filter(executions, chain_id, pool, since))
        .order_by(executions.c.update_interval_id)
    )
    return [
        TokenPricePoint(ts, block, interval_id, _quad(long_price), _quad(short_price))
        for ts, block, interval_id, long_price, short_price in _rows(query, db_url)
    ]


def tvl_history(
    chain_id: int, pool: str, *, since: int | None = None, db_url: str | None = None
) -> list[TvlPoint]:
    upkeeps = table_of(UpkeepRecord)
    query = (
        sa.select(
            upkeeps.c.block_timestamp,
            upkeeps.c.block_number,
            upkeeps.c.long_balance_after,
            upkeeps.c.short_balance_after,
        )
        .where(*_pool_filter(upkeeps, chain_id, pool, since))
        .order_by(upkeeps.c.block_number, upkeeps.c.log_index)
    )
    points = []
    for ts, block, long_balance, short_balance in _rows(query, db_url):
        if long_balance is None or short_balance is None:
            continue
        skew = _ratio(Fraction(long_balance, short_balance)) if short_balance else None
        points.append(
            TvlPoint(ts, block, long_balance, short_balance, long_balance + short_balance, skew)
        )
    return points


def fee_history(
    chain_id: int, pool: str, *, since: int | None = None, db_url: str | None = None
) -> list[FeePoint]:
    """Per upkeep with a fee, with cumulative totals counted from the market's start."""
    upkeeps = table_of(UpkeepRecord)
    query = (
        sa.select(
            upkeeps.c.block_timestamp,
            upkeeps.c.block_number,
            upkeeps.c.long_fee,
            upkeeps.c.short_fee,
            upkeeps.c.primary_fee,
            upkeeps.c.secondary_fee,
        )
        .where(*_pool_filter(upkeeps, chain_id, pool, None), upkeeps.c.value_transferred.is_(True))
        .order_by(upkeeps.c.block_number, upkeeps.c.log_index)
    )
    points = []
    total = primary_total = secondary_total = 0
    for ts, block, long_fee, short_fee, primary, secondary in _rows(query, db_url):
        total += long_fee + short_fee
        primary_total += primary
        secondary_total += secondary
        if since is None or ts >= since:
            points.append(
                FeePoint(
                    ts,
                    block,
                    long_fee + short_fee,
                    primary,
                    secondary,
                    total,
                    primary_total,
                    secondary_total,
                )
            )
    return points


def fee_totals(chain_id: int, *, db_url: str | None = None) -> list[FeeTotals]:
    """Every market's accrued and paid-out fees (the treasury dashboard)."""
    upkeeps = table_of(UpkeepRecord)
    payments = table_of(FeePaymentRecord)
    accrued: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    fee_rows = sa.select(
        upkeeps.c.pool,
        upkeeps.c.long_fee,
        upkeeps.c.short_fee,
        upkeeps.c.primary_fee,
        upkeeps.c.secondary_fee,
    ).where(upkeeps.c.chain_id == chain_id)
    for pool, long_fee, short_fee, primary, secondary in _rows(fee_rows, db_url):
        totals = accrued[pool]
        totals[0] += long_fee + short_fee
        totals[1] += primary
        totals[2] += secondary
    paid: dict[tuple[str, str], int] = defaultdict(int)
    payment_rows = sa.select(payments.c.pool, payments.c.kind, payments.c.amount).where(
        payments.c.chain_id == chain_id
    )
    for pool, kind, amount in _rows(payment_rows, db_url):
        paid[pool, kind] += amount
    pools = sorted(set(accrued) | {pool for pool, _ in paid})
    return [
        FeeTotals(
            pool=pool,
            accrued=accrued[pool][0],
            accrued_primary=accrued[pool][1],
            accrued_secondary=accrued[pool][2],
            paid_primary=paid[pool, "primary"],
            paid_secondary=paid[pool, "secondary"],
        )
        for pool in pools
    ]


def price_change_24h(
    chain_id: int, pool: str, *, now: int, db_url: str | None = None
) -> PriceChange:
    """Long and short token prices at the last executed interval, and 24 h before ``now``
    (pass the snapshot's ``block_timestamp``)."""
    executions = table_of(IntervalExecutionRecord)
    base = (
        sa.select(executions.c.long_price, executions.c.short_price)
        .where(*_pool_filter(executions, chain_id, pool, None))
        .order_by(executions.c.update_interval_id.desc())
        .limit(1)
    )
    latest = _rows(base, db_url)
    earlier = _rows(base.where(executions.c.block_timestamp <= now - DAY), db_url)
    long_now, short_now = _prices(latest[0] if latest else None)
    long_before, short_before = _prices(earlier[0] if earlier else None)
    return PriceChange(long_now, short_now, long_before, short_before)


def _prices(row: Any) -> tuple[Decimal | None, Decimal | None]:
    return (None, None) if row is None else (_quad(row[0]), _quad(row[1]))


def pending_commit_totals(
    chain_id: int, pool: str, *, from_interval_id: int, db_url: str | None = None
) -> list[PendingInterval]:
    """Commits for intervals ``>= from_interval_id`` (pass the snapshot's
    ``pool.update_interval_id``: the next one to execute), per interval."""
    commits = table_of(CommitRecord)
    query = (
        sa.select(commits.c.update_interval_id, commits.c.commit_type, commits.c.amount)
        .where(
            *_pool_filter(commits, chain_id, pool, None),
            commits.c.update_interval_id >= from_interval_id,
        )
        .order_by(commits.c.update_interval_id)
    )
    totals: dict[int, TotalCommitment] = {}
    counts: dict[int, int] = defaultdict(int)
    for interval_id, commit_type, amount in _rows(query, db_url):
        totals[interval_id] = totals.get(interval_id, TotalCommitment()).plus(
            CommitType(commit_type), amount
        )
        counts[interval_id] += 1
    return [PendingInterval(i, totals[i], counts[i]) for i in sorted(totals)]


def account_commits(
    chain_id: int, account: str, *, limit: int = 200, db_url: str | None = None
) -> list[CommitEntry]:
    """An account's commits in every market, newest first, with execution prices."""
    commits = table_of(CommitRecord)
    executions = table_of(IntervalExecutionRecord)
    joined = commits.outerjoin(
        executions,
        sa.and_(
            executions.c.chain_id == commits.c.chain_id,
            executions.c.pool == commits.c.pool,
            executions.c.update_interval_id == commits.c.update_interval_id,
        ),
    )
    query = (
        sa.select(
            commits.c.block_timestamp,
            commits.c.block_number,
            commits.c.tx_hash,
            commits.c.pool,
            commits.c.commit_type,
            commits.c.amount,
            commits.c.update_interval_id,
            commits.c.from_aggregate_balance,
            executions.c.long_price,
            executions.c.short_price,
        )
        .select_from(joined)
        .where(commits.c.chain_id == chain_id, commits.c.account == _checksummed(account))
        .order_by(commits.c.block_number.desc(), commits.c.log_index.desc())
        .limit(limit)
    )
    return [
        CommitEntry(
            ts,
            block,
            tx,
            pool,
            CommitType(kind),
            amount,
            interval_id,
            from_aggregate,
            long_price is not None,
            _quad(long_price) if long_price else None,
            _quad(short_price) if short_price else None,
        )
        for (
            ts,
            block,
            tx,
            pool,
            kind,
            amount,
            interval_id,
            from_aggregate,
            long_price,
            short_price,
        ) in _rows(query, db_url)
    ]


# ---------------------------------------------------------------------- page bundles
@dataclass(frozen=True, slots=True)
class MarketHistory:
    """Everything a market page charts, oldest first."""

    oracle_prices: tuple[OraclePricePoint, ...]
    token_prices: tuple[TokenPricePoint, ...]
    tvl: tuple[TvlPoint, ...]
    fees: tuple[FeePoint, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.oracle_prices or self.token_prices or self.tvl or self.fees)


def market_history(
    pool: str,
    *,
    chain_id: int | None = None,
    since: int | None = None,
    db_url: str | None = None,
) -> MarketHistory:
    """The four chart series of one market (``chain_id`` defaults to the live snapshot's)."""
    chain_id = live.current().chain_id if chain_id is None else chain_id
    return MarketHistory(
        oracle_prices=tuple(oracle_prices(chain_id, pool, since=since, db_url=db_url)),
        token_prices=tuple(token_prices(chain_id, pool, since=since, db_url=db_url)),
        tvl=tuple(tvl_history(chain_id, pool, since=since, db_url=db_url)),
        fees=tuple(fee_history(chain_id, pool, since=since, db_url=db_url)),
    )


def day_changes(*, db_url: str | None = None) -> dict[str, PriceChange]:
    """24 h token price change of every market of the live snapshot, by pool address."""
    snapshot = live.current()
    return {
        market.info.address: price_change_24h(
            snapshot.chain_id, market.info.address, now=snapshot.block_timestamp, db_url=db_url
        )
        for market in snapshot.markets
    }


# ---------------------------------------------------------------------- helpers
@cache
def _default_db_url() -> str:
    return load_settings().db_url


def _rows(query: sa.Select[Any], db_url: str | None) -> list[Any]:
    with engine_for(db_url or _default_db_url()).connect() as connection:
        return list(connection.execute(query))


def _checksummed(address: str) -> str:
    return str(to_checksum_address(address))


def _pool_filter(table: sa.Table, chain_id: int, pool: str, since: int | None) -> list[Any]:
    conditions = [table.c.chain_id == chain_id, table.c.pool == _checksummed(pool)]
    if since is not None:
        conditions.append(table.c.block_timestamp >= since)
    return conditions


def _ratio(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = 34
        return Decimal(value.numerator) / Decimal(value.denominator)


def _quad(encoded: str) -> Decimal:
    return _ratio(Quad.from_bytes16(encoded).as_fraction())


def _change(before: Decimal | None, now: Decimal | None) -> Decimal | None:
    if before is None or now is None or before == 0:
        return None
    with localcontext() as context:
        context.prec = 34
        return now / before - 1


# ---------------------------------------------------------------------- portfolio PnL
@dataclass(frozen=True, slots=True)
class AccountTrade:
    """One commit of one account with its interval's stored prices and burn fee, exactly
    as the contracts hold them (the PnL of ``balancer_perps.pnl``); ``None`` until the
    interval executes."""

    pool: str
    commit_type: CommitType
    amount: int  # gross: settlement for mints, pool tokens for burns and flips
    update_interval_id: int
    from_aggregate_balance: bool
    long_price: Quad | None
    short_price: Quad | None
    burning_fee: Quad | None

    @property
    def executed(self) -> bool:
        return self.long_price is not None


def account_trades(
    chain_id: int, account: str, *, db_url: str | None = None
) -> list[AccountTrade]:
    """Every commit of an account in every market, oldest first, with the exact prices and
    burn fee of the interval it executed in."""
    commits = table_of(CommitRecord)
    executions = table_of(IntervalExecutionRecord)
    joined = commits.outerjoin(
        executions,
        sa.and_(
            executions.c.chain_id == commits.c.chain_id,
            executions.c.pool == commits.c.pool,
            executions.c.update_interval_id == commits.c.update_interval_id,
        ),
    )
    query = (
        sa.select(
            commits.c.pool,
            commits.c.commit_type,
            commits.c.amount,
            commits.c.update_interval_id,
            commits.c.from_aggregate_balance,
            executions.c.long_price,
            executions.c.short_price,
            executions.c.burning_fee,
        )
        .select_from(joined)
        .where(commits.c.chain_id == chain_id, commits.c.account == _checksummed(account))
        .order_by(commits.c.block_number, commits.c.log_index)
    )
    return [
        AccountTrade(
            pool,
            CommitType(kind),
            amount,
            interval_id,
            bool(from_aggregate),
            Quad.from_bytes16(long_price) if long_price else None,
            Quad.from_bytes16(short_price) if long_price else None,
            Quad.from_bytes16(burning_fee) if long_price else None,
        )
        for (
            pool,
            kind,
            amount,
            interval_id,
            from_aggregate,
            long_price,
            short_price,
            burning_fee,
        ) in _rows(query, db_url)
    ]


# ---------------------------------------------------------------------- portfolio history
@dataclass(frozen=True, slots=True)
class AccountCommit:
    """One commit of one account for the trade history: where and when it was made, the
    mint fee rate it paid at commit time, and, once its interval executed, the exact prices
    and burn fee the contracts stored for that interval (``None`` until then)."""

    timestamp: int  # of the commit's block
    block_number: int
    tx_hash: str
    log_index: int
    pool: str
    commit_type: CommitType
    amount: int  # gross: settlement for mints, pool tokens for burns and flips
    update_interval_id: int
    from_aggregate_balance: bool
    minting_fee: Quad  # the committer's mint fee rate when the commit was made (WAD quad)
    long_price: Quad | None
    short_price: Quad | None
    burning_fee: Quad | None
    executed_at: int | None  # timestamp of the block that executed the interval

    @property
    def executed(self) -> bool:
        return self.long_price is not None


def _account_commit_filter(
    commits: sa.Table,
    chain_id: int,
    account: str,
    pool: str | None,
    commit_types: frozenset[CommitType] | None,
) -> list[Any]:
    conditions = [commits.c.chain_id == chain_id, commits.c.account == _checksummed(account)]
    if pool is not None:
        conditions.append(commits.c.pool == _checksummed(pool))
    if commit_types is not None:
        conditions.append(commits.c.commit_type.in_(sorted(int(t) for t in commit_types)))
    return conditions


def account_commit_history(
    chain_id: int,
    account: str,
    *,
    pool: str | None = None,
    commit_types: frozenset[CommitType] | None = None,
    limit: int | None = None,
    db_url: str | None = None,
) -> list[AccountCommit]:
    """An account's commits, newest first, optionally in one market (``pool``) and of some
    types only, at most ``limit`` of them (all when None)."""
    commits = table_of(CommitRecord)
    executions = table_of(IntervalExecutionRecord)
    joined = commits.outerjoin(
        executions,
        sa.and_(
            executions.c.chain_id == commits.c.chain_id,
            executions.c.pool == commits.c.pool,
            executions.c.update_interval_id == commits.c.update_interval_id,
        ),
    )
    query = (
        sa.select(
            commits.c.block_timestamp,
            commits.c.block_number,
            commits.c.tx_hash,
            commits.c.log_index,
            commits.c.pool,
            commits.c.commit_type,
            commits.c.amount,
            commits.c.update_interval_id,
            commits.c.from_aggregate_balance,
            commits.c.minting_fee,
            executions.c.long_price,
            executions.c.short_price,
            executions.c.burning_fee,
            executions.c.block_timestamp,
        )
        .select_from(joined)
        .where(*_account_commit_filter(commits, chain_id, account, pool, commit_types))
        .order_by(commits.c.block_number.desc(), commits.c.log_index.desc())
    )
    if limit is not None:
        query = query.limit(max(limit, 0))
    return [
        AccountCommit(
            timestamp=ts,
            block_number=block,
            tx_hash=tx,
            log_index=log_index,
            pool=pool_address,
            commit_type=CommitType(kind),
            amount=amount,
            update_interval_id=interval_id,
            from_aggregate_balance=bool(from_aggregate),
            minting_fee=Quad.from_bytes16(minting_fee),
            long_price=Quad.from_bytes16(long_price) if long_price else None,
            short_price=Quad.from_bytes16(short_price) if long_price else None,
            burning_fee=Quad.from_bytes16(burning_fee) if long_price else None,
            executed_at=executed_at if long_price else None,
        )
        for (
            ts,
            block,
            tx,
            log_index,
            pool_address,
            kind,
            amount,
            interval_id,
            from_aggregate,
            minting_fee,
            long_price,
            short_price,
            burning_fee,
            executed_at,
        ) in _rows(query, db_url)
    ]


def count_account_commits(
    chain_id: int,
    account: str,
    *,
    pool: str | None = None,
    commit_types: frozenset[CommitType] | None = None,
    db_url: str | None = None,
) -> int:
    """How many commits ``account_commit_history`` would return without a limit."""
    commits = table_of(CommitRecord)
    query = sa.select(sa.func.count()).select_from(commits).where(
        *_account_commit_filter(commits, chain_id, account, pool, commit_types)
    )
    rows = _rows(query, db_url)
    return int(rows[0][0]) if rows else 0
