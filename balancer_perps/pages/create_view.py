"""The "Create a market" form as values: what the user typed, checked field by field; the
market it describes; the summary and the steps shown before anything is sent. Pure
functions, no Reflex and no network: `create.py` feeds them the network and the feed.

Fees are WAD integers (1 % = 1e16, reference §2.1); `Decimal` only parses what was typed
and formats output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

from eth_utils.address import is_checksum_address, to_checksum_address

from balancer_perps import format as fmt
from balancer_perps.chain.deployment import (
    MAX_BURNING_FEE_WAD,
    MAX_SETTLEMENT_DECIMALS,
    FeedReading,
    MarketParams,
)
from balancer_perps.networks import Network, TokenInfo

WAD = 10**18
PERCENT_WAD = WAD // 100  # 1 % as a WAD fraction

# V2 has no upper bound on leverage (reference §3.3): the UI keeps it to 1-10, because a
# move of about 1/L against a side empties it, and a side at zero balance with tokens
# outstanding makes every upkeep revert "price == 0" until the price comes back (§5.4).
MIN_LEVERAGE = 1
MAX_LEVERAGE = 10
# The UI's cap on the minting fee (the contract allows up to 100 %): a higher fee makes the
# market useless. The burning fee's cap is the contract's own, 10 %.
MAX_MINTING_FEE_WAD = 10 * PERCENT_WAD
MAX_INTERVAL = 7 * 86_400  # seconds; longer rebalance periods are not a perpetual market
MAX_TEXT = 100  # characters kept of any field

# Balancer's own collateral first; other tokens of the network follow (decimals <= 18).
BALANCER_COLLATERAL = ("BAL", "B-80BAL-20WETH", "auraBAL")

UPDATE_INTERVALS: tuple[tuple[str, str], ...] = (
    ("60", "1 minute"),
    ("120", "2 minutes"),
    ("300", "5 minutes"),
    ("900", "15 minutes"),
    ("3600", "1 hour"),
    ("14400", "4 hours"),
    ("28800", "8 hours"),
    ("86400", "1 day"),
)
FRONT_RUNNING_INTERVALS: tuple[tuple[str, str], ...] = (
    ("15", "15 seconds"),
    ("30", "30 seconds"),
    ("60", "1 minute"),
    ("300", "5 minutes"),
    ("900", "15 minutes"),
    ("1800", "30 minutes"),
    ("3600", "1 hour"),
    ("14400", "4 hours"),
)
DEFAULT_UPDATE_INTERVAL = "3600"
DEFAULT_FRONT_RUNNING_INTERVAL = "300"
ORACLES = ("spot",)

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_SYMBOL = r"[A-Za-z0-9][A-Za-z0-9._]{0,15}"
_PAIR = re.compile(rf"({_SYMBOL})\s*/\s*({_SYMBOL})")


def clip(value: object) -> str:
    """A text field's value as typed (at most MAX_TEXT characters); "" for non-strings."""
    return value[:MAX_TEXT] if isinstance(value, str) else ""


# ----------------------------------------------------------------------------- fields


def parse_address(text: str) -> tuple[str, str]:
    """(checksummed address, "") or ("", why not). Mixed case must match EIP-55."""
    text = text.strip()
    if not text:
        return "", "Enter the feed's contract address."
    if not _HEX_ADDRESS.fullmatch(text):
        return "", "An address is 0x followed by 40 hexadecimal digits."
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(text):
        return "", ("Its capitalisation does not match the EIP-55 checksum; check for a "
                    "typo.")
    return to_checksum_address(text), ""


def underlying_from_description(description: str) -> str:
    """A feed description such as "ETH / USD" as a market's underlying, "ETH/USD"; "" when
    it does not read as a pair."""
    match = _PAIR.fullmatch(description.strip())
    return f"{match.group(1)}/{match.group(2)}" if match else ""


def parse_underlying(text: str) -> tuple[str, str]:
    """The pair the market tracks, "BASE/QUOTE" (letters, digits, "." and "_")."""
    if not text.strip():
        return "", "Name the pair the feed prices, e.g. ETH/USD."
    pair = underlying_from_description(text)
    if not pair:
        return "", "Write the pair as BASE/QUOTE, e.g. ETH/USD (letters and digits)."
    return pair, ""


def parse_leverage(text: str) -> tuple[int, str]:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        return 0, f"Leverage is a whole number from {MIN_LEVERAGE} to {MAX_LEVERAGE}."
    value = int(text)
    if not MIN_LEVERAGE <= value <= MAX_LEVERAGE:
        return 0, f"Leverage is a whole number from {MIN_LEVERAGE} to {MAX_LEVERAGE}."
    return value, ""


def parse_seconds(text: str, what: str) -> tuple[int, str]:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return 0, f"Choose the {what}."
    value = int(text)
    if not 0 < value <= MAX_INTERVAL:
        return 0, f"The {what} must be more than 0 and at most {fmt.duration(MAX_INTERVAL)}."
    return value, ""


def parse_fee(text: str, what: str, maximum_wad: int) -> tuple[int, str]:
    """A fee typed in percent ("0.3") as a WAD fraction (3e15); exact, never rounded."""
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned:
        return 0, ""  # no fee
    if len(cleaned) > 40 or not all((c.isascii() and c.isdigit()) or c == "." for c in cleaned):
        return 0, f"Enter the {what} in percent, e.g. 0.3."
    try:
        percent = Decimal(cleaned)
    except InvalidOperation:
        return 0, f"Enter the {what} in percent, e.g. 0.3."
    with localcontext() as context:
        context.prec = 100
        scaled = percent * PERCENT_WAD
        if scaled != scaled.to_integral_value():
            return 0, f"The {what} has too many decimals (at most 16 after the point)."
    raw = int(scaled)
    if raw > maximum_wad:
        return 0, f"The {what} can be at most {fee_text(maximum_wad)}."
    return raw, ""


def fee_text(wad: int) -> str:
    """A WAD fee as a percentage: 3e15 -> "0.3%"."""
    value = fmt.to_decimal(wad, 16).normalize()
    return f"{value:f}%"


def collateral_choices(network: Network) -> list[TokenInfo]:
    """Settlement tokens a new market can use on this network: decimals <= 18 (the factory
    refuses more) and a settlement/ETH feed for the keeper reward; Balancer's first."""
    usable = [t for t in network.tokens
              if t.decimals <= MAX_SETTLEMENT_DECIMALS and t.symbol in network.settlement_eth_feeds]
    order = {symbol: i for i, symbol in enumerate(BALANCER_COLLATERAL)}
    return sorted(usable, key=lambda t: (order.get(t.symbol, len(order)), t.symbol))


# ----------------------------------------------------------------------------- the form


@dataclass(frozen=True, slots=True)
class CreateForm:
    """What the user typed, as typed."""

    feed: str = ""
    underlying: str = ""
    leverage: str = "3"
    collateral: str = "BAL"
    update_interval: str = DEFAULT_UPDATE_INTERVAL
    front_running_interval: str = DEFAULT_FRONT_RUNNING_INTERVAL
    minting_fee: str = "0.3"
    burning_fee: str = "0"
    oracle: str = "spot"


@dataclass(slots=True)
class FormCheck:
    """Per-field problems ("" when fine) and, when every field is fine, the market."""

    problems: dict[str, str] = field(default_factory=dict)
    feed: str = ""  # checksummed
    params: MarketParams | None = None

    @property
    def ok(self) -> bool:
        return self.params is not None


def check_form(form: CreateForm, collaterals: Sequence[TokenInfo]) -> FormCheck:
    """Every field checked; on-chain checks of the feed come on top (``read_feed``)."""
    problems: dict[str, str] = {}
    feed, problems["feed"] = parse_address(form.feed)
    underlying, problems["underlying"] = parse_underlying(form.underlying)
    leverage, problems["leverage"] = parse_leverage(form.leverage)
    token = next((t for t in collaterals if t.symbol == form.collateral), None)
    problems["collateral"] = "" if token else "Choose a collateral this network offers."
    update, problems["update_interval"] = parse_seconds(form.update_interval,
                                                        "update interval")
    front, problems["front_running_interval"] = parse_seconds(form.front_running_interval,
                                                              "front-running interval")
    if update and front and front >= update:
        problems["front_running_interval"] = (
            "The front-running interval must be shorter than the update interval, or no "
            "trade could ever join the next rebalance.")
    minting, problems["minting_fee"] = parse_fee(form.minting_fee, "minting fee",
                                                 MAX_MINTING_FEE_WAD)
    burning, problems["burning_fee"] = parse_fee(form.burning_fee, "burning fee",
                                                 MAX_BURNING_FEE_WAD)
    problems["oracle"] = "" if form.oracle in ORACLES else "Choose the oracle type."
    check = FormCheck(problems={k: v for k, v in problems.items() if v}, feed=feed)
    if check.problems or token is None:
        return check
    check.params = MarketParams(
        underlying=underlying,
        settlement_symbol=token.symbol,
        settlement_token=token.address,
        leverage=leverage,
        update_interval=update,
        front_running_interval=front,
        minting_fee_wad=minting,
        burning_fee_wad=burning,
    )
    return check


# ----------------------------------------------------------------------------- display


def feed_price(reading: FeedReading) -> str:
    return fmt.price(fmt.to_decimal(reading.answer, reading.decimals))


def feed_summary(reading: FeedReading, now: int) -> str:
    """"ETH / USD: 3,201.55 (updated 12s ago)"."""
    name = reading.description or "No description"
    age = max(now - reading.updated_at, 0)
    updated = f"updated {fmt.duration(age)} ago" if age else "updated just now"
    return f"{name}: {feed_price(reading)} ({updated})"


@dataclass(slots=True)
class SummaryRow:
    label: str = ""
    value: str = ""


def summary_rows(params: MarketParams, reading: FeedReading, *, sender: str, treasury: str
                 ) -> list[SummaryRow]:
    you = fmt.short_address(sender) if sender else "your wallet"
    rows = [
        ("Market", params.pool_name),
        ("Price feed", f"{reading.description or reading.address} · {feed_price(reading)}"),
        ("Oracle", "Spot Chainlink price at each rebalance"),
        ("Leverage", f"{params.leverage}×"),
        ("Collateral", params.settlement_symbol),
        ("Rebalances every", fmt.duration(params.update_interval)),
        ("Front-running lock", fmt.duration(params.front_running_interval)
         + " before each rebalance"),
        ("Minting fee", fee_text(params.minting_fee_wad)),
        ("Burning fee", fee_text(params.burning_fee_wad)),
        ("Fee controller", f"{you} (may change the minting and burning fees later)"),
        ("10% fee share", f"Balancer DAO treasury {fmt.short_address(treasury)}"),
    ]
    return [SummaryRow(label, value) for label, value in rows]


def step_labels(params: MarketParams) -> list[str]:
    return [
        f"Deploy the {params.underlying} price oracle",
        f"Deploy the {params.settlement_symbol}/ETH keeper-reward oracle",
        f"Create the market {params.pool_name}",
        "Send the 10% fee share to the Balancer DAO treasury",
    ]


def step_explanations(params: MarketParams, treasury: str) -> list[str]:
    return [
        "A ChainlinkOracleWrapper over the feed, with your address as its deployer: only "
        "its deployer may create a market with it.",
        f"A ChainlinkOracleWrapper over the ETH/{params.settlement_symbol} feed; the keeper "
        f"prices its reward in {params.settlement_symbol} with it.",
        "PoolFactory.deployPool: the pool, its committer and its long and short tokens. The "
        "factory makes you the pool's secondary fee address.",
        f"updateSecondaryFeeAddress({fmt.short_address(treasury)}) on the new pool, which "
        f"only you can send: from then on the 10% share goes to the treasury.",
    ]
