"""Deploy the whole devnet from the market table: Multicall3, tokens, feeds, the V2 core and
every market, and describe it as a ``Manifest``.

Roles are anvil's dev accounts, by index (``manifest.ROLES``). The core comes from
``deploy.deploy_core`` (governance and PoolKeeper owner: ``deployer``; factory fee receiver:
``primary_fee_receiver``). Every market is deployed by ``treasury`` with an oracle wrapper of
its own, so the 10 % secondary fee lands in the treasury. SMA markets wrap that spot wrapper
in an ``SMAOracle`` polled by the PoolKeeper (reference §5.3 step 7). The settlement/ETH
oracles are one spot wrapper per settlement token over its ETH/<token> feed.
"""

from __future__ import annotations

from web3 import Web3

from balancer_perps.devnet.anvil import CHAIN_ID, DEFAULT_MNEMONIC
from balancer_perps.devnet.deploy import deploy_core, deploy_market
from balancer_perps.devnet.evm import deploy, load_artifact
from balancer_perps.devnet.feed import feed_decimals, feed_pairs, initial_answer
from balancer_perps.devnet.manifest import (
    MULTICALL3_ADDRESS,
    ROLES,
    Account,
    Feed,
    Manifest,
    PoolEntry,
    Token,
)
from balancer_perps.devnet.markets import ANNUAL_FEE_WAD, MARKETS, TOKENS, MarketSpec, validate


def install_multicall3(w3: Web3) -> None:
    """Place our Multicall3's runtime code at the canonical address."""
    code = load_artifact("Multicall3")["deployedBytecode"]
    w3.provider.make_request("anvil_setCode", [MULTICALL3_ADDRESS, code])  # type: ignore[arg-type]
    installed = w3.eth.get_code(Web3.to_checksum_address(MULTICALL3_ADDRESS)).hex()
    if installed.removeprefix("0x") != code.removeprefix("0x"):
        raise RuntimeError("anvil_setCode did not install Multicall3")


def deploy_stack(
    w3: Web3,
    *,
    rpc_url: str,
    ws_url: str,
    keeper_gas_price: int,
    markets: tuple[MarketSpec, ...] = MARKETS,
) -> Manifest:
    """Deploy everything on a fresh chain; the manifest's history fields are left at 0."""
    validate(markets)
    dev_accounts = w3.eth.accounts
    if len(dev_accounts) < len(ROLES):
        raise RuntimeError(f"anvil unlocks {len(dev_accounts)} accounts, {len(ROLES)} needed")
    accounts = {role: Account(str(dev_accounts[i]), i) for i, role in enumerate(ROLES)}
    deployer = accounts["deployer"].address
    treasury = accounts["treasury"].address
    deploy_block = w3.eth.block_number + 1

    install_multicall3(w3)
    tokens = {
        spec.symbol: deploy(
            w3, "DevToken", spec.name, spec.symbol, spec.decimals, sender=deployer
        ).address
        for spec in TOKENS
    }
    feeds = {
        pair: deploy(
            w3, "DevFeed", feed_decimals(pair), pair, initial_answer(pair), sender=deployer
        ).address
        for pair in feed_pairs()
    }
    settlement_eth_oracles = {
        spec.symbol: deploy(
            w3, "ChainlinkOracleWrapper", feeds[spec.eth_feed], deployer, sender=deployer
        ).address
        for spec in TOKENS
    }
    core = deploy_core(
        w3,
        governance=deployer,
        fee_receiver=accounts["primary_fee_receiver"].address,
        keeper_gas_price=keeper_gas_price,
        annual_fee_wad=ANNUAL_FEE_WAD,
    )

    pools = []
    for spec in markets:
        wrapper = deploy(
            w3, "ChainlinkOracleWrapper", feeds[spec.feed], treasury, sender=treasury
        ).address
        if spec.sma_periods:
            wrapper = deploy(
                w3,
                "SMAOracle",
                wrapper,
                spec.sma_periods,
                spec.update_interval,
                treasury,
                core.pool_keeper.address,
                deployer,
                sender=treasury,
            ).address
        market = deploy_market(
            w3,
            core,
            deployer=treasury,
            pool_name=spec.deploy_name,
            oracle_wrapper=wrapper,
            settlement_eth_oracle=settlement_eth_oracles[spec.settlement],
            settlement_token=tokens[spec.settlement],
            leverage=spec.leverage,
            update_interval=spec.update_interval,
            front_running_interval=spec.front_running_interval,
            minting_fee_wad=spec.minting_fee_wad,
            burning_fee_wad=spec.burning_fee_wad,
            change_interval_wad=spec.change_interval_wad,
        )
        pools.append(
            PoolEntry(
                name=market.pool.functions.poolName().call(),
                address=market.pool.address,
                committer=market.committer.address,
                long_token=market.long_token.address,
                short_token=market.short_token.address,
                leverage=spec.leverage,
                settlement_token=tokens[spec.settlement],
                settlement_symbol=spec.settlement,
                feed=spec.feed,
                oracle=spec.oracle_label,
                oracle_wrapper=market.pool.functions.oracleWrapper().call(),
                settlement_eth_oracle=market.settlement_eth_oracle,
                update_interval=spec.update_interval,
                front_running_interval=spec.front_running_interval,
                minting_fee_wad=spec.minting_fee_wad,
                burning_fee_wad=spec.burning_fee_wad,
                deploy_block=market.deploy_block,
            )
        )

    contracts = {**core.addresses(), "Multicall3": MULTICALL3_ADDRESS}
    return Manifest(
        chain_id=CHAIN_ID,
        rpc_url=rpc_url,
        ws_url=ws_url,
        deploy_block=deploy_block,
        accounts=accounts,
        contracts=contracts,
        tokens={
            spec.symbol: Token(tokens[spec.symbol], spec.decimals, spec.name) for spec in TOKENS
        },
        feeds={pair: Feed(address, feed_decimals(pair)) for pair, address in feeds.items()},
        pools=pools,
        mnemonic=DEFAULT_MNEMONIC,
        keeper_gas_price=keeper_gas_price,
        genesis_timestamp=int(w3.eth.get_block(0)["timestamp"]),
        seeded_until=0,
        seed=0,
    )
