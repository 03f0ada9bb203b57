"""What the devnet deploys: tokens, price feeds and markets, as data.

Maintainers add a market by appending a ``MarketSpec`` to ``MARKETS`` (its feed and
settlement token must be listed below). A new settlement token also needs its USD price
model in ``feed.PriceModel``.
"""

from __future__ import annotations

from dataclasses import dataclass

WAD = 10**18
BPS = WAD // 10_000  # one basis point, 0.01 %

ANNUAL_FEE_WAD = 200 * BPS  # factory annual management fee, 2 %
DEFAULT_KEEPER_GAS_PRICE = 10**8  # 0.1 gwei, like Arbitrum
BASE_FEED_DECIMALS = 8  # Chainlink USD feeds
ETH_FEED_DECIMALS = 18  # the keeper-reward feeds: 1 ETH priced in a settlement token


@dataclass(frozen=True)
class TokenSpec:
    """An open-mint settlement token."""

    symbol: str
    name: str
    decimals: int
    typical_trade: int  # whole tokens: the median size of a seeded trader's mint

    @property
    def unit(self) -> int:
        return int(10**self.decimals)

    @property
    def eth_feed(self) -> str:
        """The derived feed pricing 1 ETH in this token (the pools' settlement/ETH oracle)."""
        return f"ETH/{self.symbol}"


@dataclass(frozen=True)
class BaseFeedSpec:
    """A Chainlink-style USD feed moved by a geometric random walk."""

    pair: str
    initial_price: str  # decimal string in USD, exact
    annual_volatility: float  # simulation parameter, not money

    @property
    def decimals(self) -> int:
        return BASE_FEED_DECIMALS

    @property
    def base(self) -> str:
        return self.pair.split("/")[0]


@dataclass(frozen=True)
class MarketSpec:
    """One pool: ``factory.deployPool`` parameters plus its oracle."""

    feed: str  # a BaseFeedSpec pair
    settlement: str  # a TokenSpec symbol
    leverage: int
    update_interval: int  # seconds
    front_running_interval: int  # seconds
    sma_periods: int = 0  # 0: spot Chainlink wrapper; n: n-period SMA over update_interval
    minting_fee_wad: int = 0
    burning_fee_wad: int = 0
    change_interval_wad: int = 0

    @property
    def deploy_name(self) -> str:
        """The name passed to deployPool; the pool prefixes the leverage."""
        return f"{self.feed}+{self.settlement}"

    @property
    def pool_name(self) -> str:
        """The pool's poolName(), e.g. ``3-ETH/USD+BAL``."""
        return f"{self.leverage}-{self.deploy_name}"

    @property
    def oracle_label(self) -> str:
        return f"{self.sma_periods}-period SMA" if self.sma_periods else "spot"


TOKENS: tuple[TokenSpec, ...] = (
    TokenSpec("BAL", "Balancer", 18, typical_trade=1_000),
    TokenSpec("B-80BAL-20WETH", "Balancer 80 BAL 20 WETH", 18, typical_trade=200),
    TokenSpec("auraBAL", "Aura BAL", 18, typical_trade=250),
    TokenSpec("USDC", "USD Coin", 6, typical_trade=2_500),
)

BASE_FEEDS: tuple[BaseFeedSpec, ...] = (
    BaseFeedSpec("ETH/USD", "3200", 0.70),
    BaseFeedSpec("BTC/USD", "90000", 0.60),
    BaseFeedSpec("BAL/USD", "2.4", 0.90),
    BaseFeedSpec("EUR/USD", "1.08", 0.08),
)

# fmt: off
MARKETS: tuple[MarketSpec, ...] = (
    #          feed       settlement        L  update front-running  oracle / fees
    MarketSpec("ETH/USD", "BAL",            3,   120,    30,         minting_fee_wad=30 * BPS),
    MarketSpec("ETH/USD", "BAL",            5,   120,    30,         minting_fee_wad=50 * BPS,
               burning_fee_wad=10 * BPS),
    MarketSpec("BTC/USD", "BAL",            3,   120,    30,         minting_fee_wad=30 * BPS),
    MarketSpec("BAL/USD", "BAL",            1,   300,    60),
    MarketSpec("EUR/USD", "BAL",            3,   600,   120),
    MarketSpec("ETH/USD", "B-80BAL-20WETH", 3,   120,    30,         sma_periods=4,
               minting_fee_wad=30 * BPS),
    MarketSpec("ETH/USD", "auraBAL",        3,   120,    30,         minting_fee_wad=30 * BPS),
    # the production parameters of Arbitrum's 3-ETH/USD+USDC, for comparison
    MarketSpec("ETH/USD", "USDC",           3,  3600,  8 * 3600,     sma_periods=8),
)
# fmt: on


def token(symbol: str) -> TokenSpec:
    for spec in TOKENS:
        if spec.symbol == symbol:
            return spec
    raise KeyError(f"no devnet token {symbol}")


def base_feed(pair: str) -> BaseFeedSpec:
    for spec in BASE_FEEDS:
        if spec.pair == pair:
            return spec
    raise KeyError(f"no devnet feed {pair}")


def validate(markets: tuple[MarketSpec, ...] = MARKETS) -> None:
    """Reject a table the factory would refuse or that the devnet cannot price."""
    names = [m.pool_name for m in markets]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"duplicate pool names {sorted(duplicates)}: pools would collide")
    for market in markets:
        token(market.settlement)
        base_feed(market.feed)
        if market.leverage < 1 or market.update_interval < 1:
            raise ValueError(f"{market.pool_name}: leverage and update interval must be >= 1")
        if not 0 <= market.sma_periods <= 24:
            raise ValueError(f"{market.pool_name}: an SMA has 1 to 24 periods")
