"""The trade panel as display values: what the user typed, checked; which commit it is;
what it needs (an approval); the exact preview in words; the step tracker. Pure functions,
no Reflex and no network: the state in `trade.py` feeds them chain data.

Money stays in raw integers; `Decimal` only parses the user's text and formats output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

from balancer_perps import format as fmt
from balancer_perps.chain.positions import UserMarketPosition
from balancer_perps.chain.snapshot import MarketInfo
from balancer_perps.domain.timing import expected_execution_timestamp
from balancer_perps.domain.types import Balance, CommitType, TradePreview

ACTIONS = ("mint", "burn", "flip")
SIDES = ("long", "short")
SOURCES = ("wallet", "escrow")
APPROVALS = ("exact", "unlimited")
MAX_COMMIT_AMOUNT = 2**128 - 1  # the commit packs the amount into 128 bits (reference §2.9)
UNLIMITED_APPROVAL = 2**256 - 1
MAX_AMOUNT_TEXT = 80  # characters; longer input is not a number anyone means

_COMMIT_TYPES = {
    ("mint", "long"): CommitType.LONG_MINT,
    ("mint", "short"): CommitType.SHORT_MINT,
    ("burn", "long"): CommitType.LONG_BURN,
    ("burn", "short"): CommitType.SHORT_BURN,
    ("flip", "long"): CommitType.LONG_BURN_SHORT_MINT,  # long tokens become short ones
    ("flip", "short"): CommitType.SHORT_BURN_LONG_MINT,
}


@dataclass(frozen=True, slots=True)
class ParsedAmount:
    raw: int = 0
    problem: str = ""  # a sentence for the user; "" with raw 0 means "nothing typed"

    @property
    def ok(self) -> bool:
        return self.raw > 0 and not self.problem


def parse_amount(text: object, decimals: int, *, available: int | None = None,
                 unit: str = "") -> ParsedAmount:
    """The user's amount in raw base units, or why it cannot be sent.

    Accepts plain decimal notation only ("12", "0.5", ".5", "1,000.25"); exponents, signs
    other than a leading minus (rejected as negative), and more fractional digits than the
    token has are refused, never rounded.
    """
    if not isinstance(text, str):
        return ParsedAmount(problem="Enter the amount as a number.")
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        return ParsedAmount()
    if len(cleaned) > MAX_AMOUNT_TEXT:
        return ParsedAmount(problem="That number is too long.")
    if cleaned.startswith("-"):
        return ParsedAmount(problem="The amount cannot be negative.")
    if not all((c.isdigit() and c.isascii()) or c == "." for c in cleaned) or cleaned == ".":
        return ParsedAmount(problem=f"“{text.strip()[:24]}” is not a number.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return ParsedAmount(problem=f"“{text.strip()[:24]}” is not a number.")
    with localcontext() as context:
        context.prec = 2 * MAX_AMOUNT_TEXT + 100  # exact: no rounding of what was typed
        scaled = value.scaleb(decimals)
        if scaled != scaled.to_integral_value():
            places = "no decimals" if decimals == 0 else f"at most {decimals} decimals"
            return ParsedAmount(problem=f"Too many decimals: {unit or 'this token'} has "
                                        f"{places}.")
        raw = int(scaled)
    if raw == 0:
        return ParsedAmount(problem="The amount must be more than zero.")
    if raw > MAX_COMMIT_AMOUNT:
        return ParsedAmount(problem="That is more than a trade can carry (2^128 − 1 base units).")
    if available is not None and raw > available:
        return ParsedAmount(
            problem=f"More than you have: {fmt.to_decimal(available, decimals).normalize():f}"
                    f" {unit} available.".replace("  ", " ")
        )
    return ParsedAmount(raw=raw)


def commit_type_of(action: str, side: str) -> CommitType:
    """Mint/burn/flip on the long/short side as the commit type; ValueError otherwise."""
    try:
        return _COMMIT_TYPES[(action, side)]
    except KeyError:
        raise ValueError(f"not a trade: {action!r} {side!r}") from None


def amount_unit(info: MarketInfo, action: str, side: str) -> str:
    """What the amount is counted in: settlement for mints, the side's tokens otherwise."""
    if action == "mint":
        return info.settlement_symbol
    return f"{side} tokens"


def available_amount(position: UserMarketPosition | None, action: str, side: str,
                     source: str) -> int:
    """What the user can commit from the chosen source (raw)."""
    if position is None:
        return 0
    escrow = position.claimable
    if action == "mint":
        return escrow.settlement_tokens if source == "escrow" else position.settlement_balance
    if side == "long":
        return escrow.long_tokens if source == "escrow" else position.long_balance
    return escrow.short_tokens if source == "escrow" else position.short_balance


def needs_approval(action: str, source: str, allowance: int, amount: int) -> bool:
    """Only a mint paid from the wallet moves settlement with `transferFrom` (by the
    LeveragedPool, reference §1.2); burns, flips and escrow payments need no approval."""
    return action == "mint" and source == "wallet" and allowance < amount


def approval_amount(choice: str, amount: int) -> int:
    return UNLIMITED_APPROVAL if choice == "unlimited" else amount


@dataclass(slots=True)
class TradeQuote:
    """The preview in words; `ready` is False until an amount and a market are known."""

    ready: bool = False
    fee: str = ""
    net: str = ""
    receive: str = ""
    price: str = ""
    executes_at: int = 0  # unix time (browser clock) of the nominal execution
    executes_label: str = ""
    lock_warning: str = ""
    blocked: str = ""


def trade_quote(preview: TradePreview, info: MarketInfo, action: str, side: str, *,
                clock_offset: int = 0) -> TradeQuote:
    decimals, symbol = info.settlement_decimals, info.settlement_symbol
    other = "short" if side == "long" else "long"
    if action == "mint":
        receive = fmt.amount(preview.expected_tokens_out, decimals, f"{side} tokens", digits=4)
        fee = fmt.amount(preview.fee_at_commit, decimals, symbol, digits=4) + " mint fee"
    elif action == "burn":
        receive = fmt.amount(preview.expected_settlement_out, decimals, symbol, digits=4)
        fee = fmt.amount(preview.expected_burn_fee, decimals, symbol, digits=4) + " burn fee"
    else:
        receive = fmt.amount(preview.expected_tokens_out, decimals, f"{other} tokens", digits=4)
        fee = (fmt.amount(preview.expected_burn_fee, decimals, symbol, digits=4) + " burn fee, "
               + fmt.amount(preview.expected_flip_mint_fee, decimals, symbol, digits=4)
               + " mint fee")
    unit = symbol if action == "mint" else f"{side} tokens"
    executes_at = preview.expected_execution_timestamp - clock_offset
    lock = ""
    if preview.in_front_running_window:
        lock = ("The next rebalance is inside its front-running lock: this trade waits for "
                "the one after it.")
    return TradeQuote(
        ready=True,
        fee=fee,
        net=fmt.amount(preview.net_amount, decimals, unit, digits=4),
        receive="—" if preview.blocked_reason else "≈ " + receive,
        price=fmt.price(preview.projected_price.as_fraction()) + f" {symbol} per {side} token",
        executes_at=executes_at,
        executes_label=fmt.utc_time(executes_at),
        lock_warning=lock,
        blocked=preview.blocked_reason or "",
    )


# ----------------------------------------------------------------- the step tracker

STEP_STATUSES = ("waiting", "preparing", "wallet", "confirming", "confirmed", "failed",
                 "rejected")
_STATUS_TEXT = {
    "waiting": "",
    "preparing": "Preparing…",
    "wallet": "Confirm in your wallet",
    "confirming": "Confirming…",
    "confirmed": "Confirmed",
    "failed": "Failed",
    "rejected": "Rejected in wallet",
}


@dataclass(slots=True)
class StepView:
    number: int = 0
    label: str = ""
    status: str = "waiting"
    status_text: str = ""
    tx_hash: str = ""


@dataclass(slots=True)
class Steps:
    """The numbered steps of one trade: [approve,] commit."""

    steps: list[StepView] = field(default_factory=list)

    @classmethod
    def plan(cls, action: str, side: str, unit: str, with_approval: bool) -> Steps:
        labels = [f"Approve {unit}"] if with_approval else []
        labels.append(f"{action.capitalize()} {side}")
        return cls([StepView(i + 1, label) for i, label in enumerate(labels)])

    @classmethod
    def single(cls, label: str) -> Steps:
        return cls([StepView(1, label)])

    def set(self, index: int, status: str, tx_hash: str = "") -> None:
        if status not in STEP_STATUSES or not 0 <= index < len(self.steps):
            return
        step = self.steps[index]
        step.status = status
        step.status_text = _STATUS_TEXT[status]
        if tx_hash:
            step.tx_hash = tx_hash

    def current(self) -> int:
        """The first step not confirmed yet (len(steps) when all are)."""
        return next((i for i, s in enumerate(self.steps) if s.status != "confirmed"),
                    len(self.steps))


# ----------------------------------------------------------------- the user's position

# The six commitment fields (ABI order), as what the user did and what the amount counts.
_PENDING_KINDS = (
    ("long_mint_settlement", "Mint long", "settlement"),
    ("long_burn_pool_tokens", "Burn long", "long tokens"),
    ("short_mint_settlement", "Mint short", "settlement"),
    ("short_burn_pool_tokens", "Burn short", "short tokens"),
    ("short_burn_long_mint_pool_tokens", "Flip short → long", "short tokens"),
    ("long_burn_short_mint_pool_tokens", "Flip long → short", "long tokens"),
)


@dataclass(slots=True)
class PendingRow:
    """One queued trade of the user: what, how much, which rebalance, when."""

    kind: str = ""
    amount: str = ""
    interval: str = ""  # "Rebalance #12"
    executes_at: int = 0  # unix time on the browser's clock
    executes_label: str = ""


@dataclass(slots=True)
class PositionView:
    """The connected wallet in this market (`ready` False until it has been read)."""

    ready: bool = False
    long_balance: str = ""
    short_balance: str = ""
    claimable: str = ""  # "12.5 long tokens, 3 BAL" or "Nothing to claim"
    can_claim: bool = False
    pending: list[PendingRow] = field(default_factory=list)
    has_pending: bool = False


def pending_rows(position: UserMarketPosition, info: MarketInfo, *, update_interval_id: int,
                 last_price_timestamp: int, clock_offset: int = 0) -> list[PendingRow]:
    """Every non-zero commitment of every pending interval, oldest first. Mint amounts are
    net of the mint fee (what the commit queued)."""
    decimals, symbol = info.settlement_decimals, info.settlement_symbol
    rows = []
    for user_commitment in sorted(position.pending, key=lambda c: c.update_interval_id):
        interval_id = user_commitment.update_interval_id
        nominal = expected_execution_timestamp(interval_id, update_interval_id,
                                               last_price_timestamp, info.update_interval)
        executes_at = nominal - clock_offset
        for name, kind, unit in _PENDING_KINDS:
            raw = getattr(user_commitment.commitment, name)
            if not raw:
                continue
            rows.append(PendingRow(
                kind=kind,
                amount=fmt.amount(raw, decimals, symbol if unit == "settlement" else unit,
                                  digits=4),
                interval=f"Rebalance #{interval_id}",
                executes_at=executes_at,
                executes_label=fmt.utc_time(executes_at),
            ))
    return rows


def claimable_summary(claimable: Balance, info: MarketInfo) -> str:
    decimals = info.settlement_decimals
    parts = []
    if claimable.long_tokens:
        parts.append(fmt.amount(claimable.long_tokens, decimals, "long tokens", digits=4))
    if claimable.short_tokens:
        parts.append(fmt.amount(claimable.short_tokens, decimals, "short tokens", digits=4))
    if claimable.settlement_tokens:
        parts.append(fmt.amount(claimable.settlement_tokens, decimals, info.settlement_symbol,
                                digits=4))
    return ", ".join(parts) if parts else "Nothing to claim"


def position_view(position: UserMarketPosition | None, info: MarketInfo, *,
                  update_interval_id: int, last_price_timestamp: int,
                  clock_offset: int = 0) -> PositionView:
    if position is None:
        return PositionView()
    decimals = info.settlement_decimals
    rows = pending_rows(position, info, update_interval_id=update_interval_id,
                        last_price_timestamp=last_price_timestamp, clock_offset=clock_offset)
    return PositionView(
        ready=True,
        long_balance=fmt.amount(position.long_balance, decimals, "long tokens", digits=4),
        short_balance=fmt.amount(position.short_balance, decimals, "short tokens", digits=4),
        claimable=claimable_summary(position.claimable, info),
        can_claim=any(position.claimable.as_tuple()),
        pending=rows,
        has_pending=bool(rows),
    )


def queued_notice(action: str, side: str, info: MarketInfo, interval_id: int | None,
                  executes_at: int) -> str:
    """What a confirmed commit means for the user: when it executes and what to do then."""
    other = "short" if side == "long" else "long"
    if action == "mint":
        result = f"your {side} tokens"
    elif action == "burn":
        result = f"your {info.settlement_symbol}"
    else:
        result = f"your {other} tokens"
    if interval_id is None:
        return (f"Trade queued: it executes at the next rebalance it can join, and {result} "
                "then become claimable here.")
    return (f"Trade queued for rebalance #{interval_id}, expected around "
            f"{fmt.utc_time(executes_at)} (a keeper runs it, so it can be a little later). "
            f"Then {result} become claimable here: use Claim, or trade straight from the "
            "unclaimed balance.")
