"""The index: SQLModel tables the indexer writes and ``history.py`` reads.

Kept out of the app module on purpose (AppHarness re-imports the app module, and a table
defined twice breaks SQLAlchemy). The schema is managed by Alembic (``alembic/``):
change a table here, then ``reflex db makemigrations`` and ``reflex db migrate``.

Conventions: every event row is unique on ``(chain_id, tx_hash, log_index)`` of the log it
comes from, so re-indexing inserts nothing twice. Token amounts, balances and prices are
raw integers of any size, stored as decimal text (a uint256 does not fit SQL BIGINT);
ABDK quads are stored as their 0x-hex encoding, exactly. Addresses are checksummed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy
from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class WideInt(TypeDecorator[int]):
    """A Python int of any size, stored as decimal text."""

    impl = String(80)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Any) -> str | None:
        return None if value is None else str(int(value))

    def process_result_value(self, value: str | None, dialect: Any) -> int | None:
        return None if value is None else int(value)


def _event_table_args(table: str) -> tuple[Any, ...]:
    return (
        UniqueConstraint("chain_id", "tx_hash", "log_index", name=f"uq_{table}_log"),
        Index(f"ix_{table}_pool_block", "chain_id", "pool", "block_number"),
    )


class IndexerCursor(SQLModel, table=True):
    """The last block whose logs are in the index, per chain."""

    __tablename__ = "indexer_cursor"

    chain_id: int = Field(primary_key=True, sa_type=BigInteger)
    network: str
    block_number: int = Field(sa_type=BigInteger)
    block_hash: str
    updated_at: float  # unix time of the last write


class IndexedBlock(SQLModel, table=True):
    """Hashes of recently indexed blocks, to detect a reorganisation and find the fork."""

    __tablename__ = "indexed_block"

    chain_id: int = Field(primary_key=True, sa_type=BigInteger)
    number: int = Field(primary_key=True, sa_type=BigInteger)
    hash: str


class IndexerLease(SQLModel, table=True):
    """Which backend worker writes the index (used when Redis is not configured)."""

    __tablename__ = "indexer_lease"

    name: str = Field(primary_key=True)
    owner: str
    expires_at: float


class MarketRecord(SQLModel, table=True):
    """A market as deployed (from DeployPool and PoolInitialized)."""

    __tablename__ = "market"

    chain_id: int = Field(primary_key=True, sa_type=BigInteger)
    pool: str = Field(primary_key=True)
    committer: str
    long_token: str
    short_token: str
    settlement_token: str
    name: str  # poolName(), with the leverage prefix
    deploy_block: int = Field(sa_type=BigInteger)
    deploy_tx: str
    secondary_fee_split_percent: int


class UpkeepRecord(SQLModel, table=True):
    """One upkeep of one pool: ``UpkeepSuccessful`` or the keeper's ``PoolUpkeepError``,
    with the pool's ``PoolRebalance``/``PriceChangeError`` and the keeper payment.

    Balances "before" are read at the end of the previous block and "after" at the end of
    the upkeep's block.
    """

    __tablename__ = "upkeep"
    __table_args__ = _event_table_args("upkeep")

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_type=BigInteger)
    pool: str
    block_number: int = Field(sa_type=BigInteger)
    block_timestamp: int = Field(sa_type=BigInteger)
    tx_hash: str
    log_index: int
    succeeded: bool
    error: str | None = None  # PoolUpkeepError reason when the upkeep failed
    poll_error: str | None = None  # PoolUpkeepError from the oracle poll (upkeep went on)
    old_price: int | None = Field(default=None, sa_type=WideInt)
    new_price: int | None = Field(default=None, sa_type=WideInt)
    value_transferred: bool = False  # False: PriceChangeError (a price <= 0) or a failure
    long_balance_change: int = Field(default=0, sa_type=WideInt)  # PoolRebalance, incl. fee
    short_balance_change: int = Field(default=0, sa_type=WideInt)
    long_fee: int = Field(default=0, sa_type=WideInt)
    short_fee: int = Field(default=0, sa_type=WideInt)
    primary_fee: int = Field(default=0, sa_type=WideInt)
    secondary_fee: int = Field(default=0, sa_type=WideInt)  # the deployer's (treasury) share
    long_balance_before: int | None = Field(default=None, sa_type=WideInt)
    short_balance_before: int | None = Field(default=None, sa_type=WideInt)
    long_balance_after: int | None = Field(default=None, sa_type=WideInt)
    short_balance_after: int | None = Field(default=None, sa_type=WideInt)
    long_supply_after: int | None = Field(default=None, sa_type=WideInt)
    short_supply_after: int | None = Field(default=None, sa_type=WideInt)
    keeper: str | None = None
    keeper_reward: int = Field(default=0, sa_type=WideInt)


class IntervalExecutionRecord(SQLModel, table=True):
    """``ExecutedCommitsForInterval`` with the interval's ``priceHistory`` token prices."""

    __tablename__ = "interval_execution"
    __table_args__ = (
        *_event_table_args("interval_execution"),
        Index("ix_interval_execution_pool_id", "chain_id", "pool", "update_interval_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_type=BigInteger)
    pool: str
    committer: str
    update_interval_id: int = Field(sa_type=BigInteger)
    burning_fee: str  # quad hex
    long_price: str  # quad hex: settlement raw per long-token raw
    short_price: str
    block_number: int = Field(sa_type=BigInteger)
    block_timestamp: int = Field(sa_type=BigInteger)
    tx_hash: str
    log_index: int


class CommitRecord(SQLModel, table=True):
    """``CreateCommit``: ``amount`` is gross (before the mint fee)."""

    __tablename__ = "commit_event"
    __table_args__ = (
        *_event_table_args("commit_event"),
        Index("ix_commit_event_account", "chain_id", "account"),
        Index("ix_commit_event_pool_id", "chain_id", "pool", "update_interval_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_type=BigInteger)
    pool: str
    committer: str
    account: str
    commit_type: int  # CommitType
    amount: int = Field(sa_type=WideInt)
    update_interval_id: int = Field(sa_type=BigInteger)
    from_aggregate_balance: bool
    pay_for_claim: bool
    minting_fee: str  # quad hex at commit time
    block_number: int = Field(sa_type=BigInteger)
    block_timestamp: int = Field(sa_type=BigInteger)
    tx_hash: str
    log_index: int


class ClaimRecord(SQLModel, table=True):
    __tablename__ = "claim_event"
    __table_args__ = (
        *_event_table_args("claim_event"),
        Index("ix_claim_event_account", "chain_id", "account"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_type=BigInteger)
    pool: str
    committer: str
    account: str
    block_number: int = Field(sa_type=BigInteger)
    block_timestamp: int = Field(sa_type=BigInteger)
    tx_hash: str
    log_index: int


class TokenTransferRecord(SQLModel, table=True):
    """Transfers of pool tokens (all), and of settlement tokens to or from a pool."""

    __tablename__ = "token_transfer"
    __table_args__ = (
        *_event_table_args("token_transfer"),
        Index("ix_token_transfer_sender", "chain_id", "sender"),
        Index("ix_token_transfer_recipient", "chain_id", "recipient"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_type=BigInteger)
    pool: str
    token: str
    kind: str  # "long", "short" or "settlement"
    sender: str
    recipient: str
    amount: int = Field(sa_type=WideInt)
    block_number: int = Field(sa_type=BigInteger)
    block_timestamp: int = Field(sa_type=BigInteger)
    tx_hash: str
    log_index: int


class FeePaymentRecord(SQLModel, table=True):
    """``PrimaryFeesPaid`` / ``SecondaryFeesPaid``: accrued fees sent out of a pool."""

    __tablename__ = "fee_payment"
    __table_args__ = _event_table_args("fee_payment")

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_type=BigInteger)
    pool: str
    kind: str  # "primary" or "secondary"
    receiver: str
    amount: int = Field(sa_type=WideInt)
    block_number: int = Field(sa_type=BigInteger)
    block_timestamp: int = Field(sa_type=BigInteger)
    tx_hash: str
    log_index: int


# Tables that hold rows derived from blocks: a reorg deletes them above the fork point.
BLOCK_TABLES: tuple[type[SQLModel], ...] = (
    UpkeepRecord,
    IntervalExecutionRecord,
    CommitRecord,
    ClaimRecord,
    TokenTransferRecord,
    FeePaymentRecord,
)


@cache
def engine_for(db_url: str) -> sqlalchemy.engine.Engine:
    """One engine per database URL for the watcher, the indexer and the history queries."""
    connect_args = {"check_same_thread": False} if db_url.startswith("sqlite") else {}
    engine = sqlalchemy.create_engine(db_url, connect_args=connect_args, pool_pre_ping=True)
    if db_url.startswith("sqlite"):
        sqlalchemy.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets the pages read while the indexer writes; wait instead of failing on a lock.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
