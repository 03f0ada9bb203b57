"""Protocol activity on the fake node, as the V2 contracts log it (reference §2.12)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command
from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.contracts import v2_abis
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType
from tests.chain.fake_markets import FakeDeployment, FakeMarket, address, deploy
from tests.chain.fake_node import FakeBlock, FakeChain, fake_rpc

REPO_ROOT = Path(__file__).resolve().parents[2]
ZERO = "0x0000000000000000000000000000000000000000"
KEEPER_BOT = address("keeper bot")
FEE_RECEIVER = address("fee receiver")


def migrated_database(path: Path) -> str:
    """A fresh SQLite database with the schema from the Alembic migrations."""
    return migrate(f"sqlite:///{path}")


def migrate(url: str, *, from_scratch: bool = False) -> str:
    """Apply the Alembic migrations to ``url`` (after removing every table if asked)."""
    config = Config()
    config.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    if from_scratch:
        command.downgrade(config, "base")
    command.upgrade(config, "head")
    return url


def quad_bytes(value: int) -> bytes:
    return Quad.from_uint(value).to_bytes16()


class Scenario:
    """A fake deployment whose markets are announced by DeployPool logs."""

    def __init__(self) -> None:
        self.chain = FakeChain()
        self.deployment: FakeDeployment = deploy(self.chain, 0)
        self.abi = v2_abis()

    def adapter(self) -> ChainAdapter:
        return ChainAdapter(self.deployment.network, fake_rpc(self.chain))

    def log(self, emitter: str, contract: str, name: str, **args: object) -> dict[str, object]:
        return self.chain.log(emitter, getattr(self.abi, contract).event(name), **args)

    # ------------------------------------------------------------------ actions
    def deploy_market(self) -> FakeMarket:
        market = self.deployment.add_market()
        self.chain.mine(
            [
                self.log(
                    self.deployment.factory,
                    "factory",
                    "DeployPool",
                    pool=market.pool,
                    poolCommitter=market.committer,
                    ticker=market.name[2:],
                ),
            ]
        )
        return market

    def commit(
        self, market: FakeMarket, user: str, commit_type: CommitType, amount: int, interval: int
    ) -> FakeBlock:
        logs = []
        if commit_type.is_mint:
            logs.append(
                self.log(
                    market.settlement,
                    "token",
                    "Transfer",
                    **{"from": user, "to": market.pool, "value": amount},
                )
            )
        else:
            token = market.long_token if commit_type.burns_long_tokens else market.short_token
            logs.append(
                self.log(token, "token", "Transfer", **{"from": user, "to": ZERO, "value": amount})
            )
        logs.append(
            self.log(
                market.committer,
                "committer",
                "CreateCommit",
                user=user,
                amount=amount,
                commitType=int(commit_type),
                appropriateUpdateIntervalId=interval,
                fromAggregateBalance=False,
                payForClaim=False,
                mintingFee=quad_bytes(market.minting_fee),
            )
        )
        return self.chain.mine(logs)

    def upkeep(
        self,
        market: FakeMarket,
        *,
        old_price: int,
        new_price: int,
        long_fee: int,
        short_fee: int,
        long_change: int,
        short_change: int,
        executed: dict[int, tuple[Quad, Quad]],  # interval id -> (long price, short price)
        reward: int,
        balances_after: tuple[int, int],
        long_minted: int = 0,
    ) -> FakeBlock:
        logs = [
            self.log(
                market.pool,
                "pool",
                "PoolRebalance",
                shortBalanceChange=short_change,
                longBalanceChange=long_change,
                shortFeeAmount=short_fee,
                longFeeAmount=long_fee,
            ),
        ]
        for interval_id, (long_price, short_price) in executed.items():
            market.price_history[interval_id] = (long_price.to_bytes16(), short_price.to_bytes16())
            logs.append(
                self.log(
                    market.committer,
                    "committer",
                    "ExecutedCommitsForInterval",
                    updateIntervalId=interval_id,
                    burningFee=quad_bytes(0),
                )
            )
        if long_minted:
            logs.append(
                self.log(
                    market.long_token,
                    "token",
                    "Transfer",
                    **{"from": ZERO, "to": market.pool, "value": long_minted},
                )
            )
        logs += [
            self.log(
                self.deployment.keeper,
                "keeper",
                "UpkeepSuccessful",
                pool=market.pool,
                data=b"\x00" * 9 + b"\x01",
                startPrice=old_price,
                endPrice=new_price,
            ),
            self.log(
                market.settlement,
                "token",
                "Transfer",
                **{"from": market.pool, "to": KEEPER_BOT, "value": reward},
            ),
            self.log(
                self.deployment.keeper,
                "keeper",
                "KeeperPaid",
                _pool=market.pool,
                keeper=KEEPER_BOT,
                reward=reward,
            ),
        ]
        block = self.chain.mine(logs)
        market.set_state(block.number, *balances_after)
        market.update_interval_id = max(executed, default=market.update_interval_id - 1) + 1
        return block

    def failed_upkeep(self, market: FakeMarket, reason: str) -> FakeBlock:
        return self.chain.mine(
            [
                self.log(
                    self.deployment.keeper,
                    "keeper",
                    "PoolUpkeepError",
                    pool=market.pool,
                    reason=reason,
                ),
                self.log(
                    market.settlement,
                    "token",
                    "Transfer",
                    **{"from": market.pool, "to": KEEPER_BOT, "value": 0},
                ),
                self.log(
                    self.deployment.keeper,
                    "keeper",
                    "KeeperPaymentError",
                    _pool=market.pool,
                    keeper=KEEPER_BOT,
                    expectedReward=0,
                ),
            ]
        )

    def claim(self, market: FakeMarket, user: str, long_tokens: int) -> FakeBlock:
        return self.chain.mine(
            [
                self.log(market.committer, "committer", "Claim", user=user),
                self.log(
                    market.long_token,
                    "token",
                    "Transfer",
                    **{"from": market.pool, "to": user, "value": long_tokens},
                ),
            ]
        )

    def claim_fees(self, market: FakeMarket, primary: int, secondary: int) -> FakeBlock:
        treasury = market.secondary_fee_address
        return self.chain.mine(
            [
                self.log(
                    market.settlement,
                    "token",
                    "Transfer",
                    **{"from": market.pool, "to": FEE_RECEIVER, "value": primary},
                ),
                self.log(
                    market.pool, "pool", "PrimaryFeesPaid", feeAddress=FEE_RECEIVER, amount=primary
                ),
            ],
            [
                self.log(
                    market.settlement,
                    "token",
                    "Transfer",
                    **{"from": market.pool, "to": treasury, "value": secondary},
                ),
                self.log(
                    market.pool,
                    "pool",
                    "SecondaryFeesPaid",
                    secondaryFeeAddress=treasury,
                    amount=secondary,
                ),
            ],
        )

    def unrelated_settlement_transfer(self, market: FakeMarket) -> FakeBlock:
        return self.chain.mine(
            [
                self.log(
                    market.settlement,
                    "token",
                    "Transfer",
                    **{"from": address("a"), "to": address("b"), "value": 5},
                )
            ]
        )
