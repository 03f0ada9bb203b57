"""Devnet pieces that need no chain: the market table, the price model, argument parsing."""

from __future__ import annotations

import argparse
import math
import random
import statistics
from dataclasses import replace

import pytest

from balancer_perps.devnet.cli import duration, gwei
from balancer_perps.devnet.feed import SECONDS_PER_YEAR, PriceModel, feed_pairs, initial_answer
from balancer_perps.devnet.markets import BASE_FEEDS, MARKETS, TOKENS, BaseFeedSpec, validate


def test_market_table_matches_the_issue() -> None:
    rows = {
        (
            m.pool_name,
            m.update_interval,
            m.front_running_interval,
            m.oracle_label,
            m.minting_fee_wad,
            m.burning_fee_wad,
        )
        for m in MARKETS
    }
    assert rows == {
        ("3-ETH/USD+BAL", 120, 30, "spot", 3 * 10**15, 0),
        ("5-ETH/USD+BAL", 120, 30, "spot", 5 * 10**15, 10**15),
        ("3-BTC/USD+BAL", 120, 30, "spot", 3 * 10**15, 0),
        ("1-BAL/USD+BAL", 300, 60, "spot", 0, 0),
        ("3-EUR/USD+BAL", 600, 120, "spot", 0, 0),
        ("3-ETH/USD+B-80BAL-20WETH", 120, 30, "4-period SMA", 3 * 10**15, 0),
        ("3-ETH/USD+auraBAL", 120, 30, "spot", 3 * 10**15, 0),
        ("3-ETH/USD+USDC", 3600, 8 * 3600, "8-period SMA", 0, 0),
    }
    assert {t.symbol: t.decimals for t in TOKENS} == {
        "BAL": 18,
        "B-80BAL-20WETH": 18,
        "auraBAL": 18,
        "USDC": 6,
    }
    validate()


def test_validate_rejects_colliding_markets() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        validate((MARKETS[0], replace(MARKETS[0], update_interval=60)))
    with pytest.raises(KeyError):
        validate((replace(MARKETS[0], settlement="DAI"),))


def test_derived_feeds_are_consistent_with_the_base_answers() -> None:
    model = PriceModel.initial(random.Random(1))
    model.step(3600)
    answers = model.answers()
    assert list(answers) == feed_pairs()
    assert answers["ETH/BAL"] == answers["ETH/USD"] * 10**18 // answers["BAL/USD"]
    assert answers["ETH/USDC"] == answers["ETH/USD"] * 10**10
    # auraBAL trades below the 80/20 pool token, so 1 ETH buys more of it
    assert answers["ETH/auraBAL"] > answers["ETH/B-80BAL-20WETH"]
    resumed = PriceModel.from_answers(answers, random.Random(2))
    assert resumed.answers()["ETH/USD"] == answers["ETH/USD"]
    assert math.isclose(resumed.peg, model.peg, rel_tol=1e-6)


def test_initial_answers_are_the_table_prices() -> None:
    assert initial_answer("ETH/USD") == 3200 * 10**8
    assert initial_answer("EUR/USD") == 108_000_000
    assert initial_answer("ETH/USDC") == 3200 * 10**18


@pytest.mark.parametrize("spec", BASE_FEEDS, ids=lambda s: s.pair)
def test_random_walk_volatility_scales_with_time(spec: BaseFeedSpec) -> None:
    """Annualised volatility of 5-second steps matches the table (within sampling error)."""
    model = PriceModel.initial(random.Random(7))
    base, sigma = spec.base, spec.annual_volatility
    returns = []
    for _ in range(4000):
        before = model.usd[base]
        model.step(5)
        returns.append(math.log(model.usd[base] / before))
    annualised = statistics.stdev(returns) * math.sqrt(SECONDS_PER_YEAR / 5)
    assert annualised == pytest.approx(sigma, rel=0.06)


def test_price_model_is_reproducible_from_its_seed() -> None:
    a, b = PriceModel.initial(random.Random(6)), PriceModel.initial(random.Random(6))
    for _ in range(10):
        a.step(60)
        b.step(60)
    assert a.answers() == b.answers()


def test_cli_parses_durations_and_gas_prices() -> None:
    assert duration("8h") == 8 * 3600
    assert duration("30m") == 1800
    assert duration("90") == 90
    assert duration("1.5h") == 5400
    assert gwei("0.1") == 10**8
    assert gwei("0") == 0
    for bad in ("soon", "10s"):
        with pytest.raises(argparse.ArgumentTypeError):
            duration(bad)
    for bad in ("-1", "0.0000000001", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            gwei(bad)
