"""PnL arithmetic (balancer_perps.pnl) on numbers worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from balancer_perps import pnl
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import Balance, CommitType, TotalCommitment

E18 = 10**18
ZERO_FEE = Quad.from_uint(0)


def _price(numerator: int, denominator: int) -> Quad:
    return Quad.from_uint(numerator).div(Quad.from_uint(denominator))


def _trade(kind: CommitType, amount: int, interval: int = 5, *, long_price: Quad | None = None,
           short_price: Quad | None = None, burning_fee: Quad = ZERO_FEE) -> pnl.ExecutedTrade:
    return pnl.ExecutedTrade(kind, amount, interval, long_price or _price(5, 4),
                             short_price or _price(15, 16), burning_fee)


def test_paid_in_counts_the_gross_amount_of_mints_only() -> None:
    trades = [
        _trade(CommitType.LONG_MINT, 100 * E18),
        _trade(CommitType.SHORT_MINT, 7 * E18),
        _trade(CommitType.LONG_BURN, 3 * E18),
        _trade(CommitType.LONG_BURN_SHORT_MINT, 10 * E18),  # a flip pays nothing in
    ]
    assert pnl.paid_in(trades) == 107 * E18


def test_burns_pay_out_at_the_interval_price_after_the_burn_fee() -> None:
    # 40 short tokens at 0.9375 = 37.5; a 0.2 % burn fee keeps 0.075: 37.425 paid out.
    fee = Quad.from_uint(2 * 10**15)  # 0.2 % as the contract's WAD rate
    burn = _trade(CommitType.SHORT_BURN, 40 * E18, burning_fee=fee)
    assert pnl.paid_out([burn]) == 37_425 * 10**15
    # 8 long tokens at 1.5, no fee: 12.
    long_burn = _trade(CommitType.LONG_BURN, 8 * E18, 6, long_price=_price(3, 2))
    assert pnl.paid_out([burn, long_burn]) == 49_425 * 10**15
    # mints and flips pay nothing out
    assert pnl.paid_out([_trade(CommitType.LONG_MINT, E18),
                         _trade(CommitType.SHORT_BURN_LONG_MINT, E18)]) == 0


def test_burns_of_one_side_in_one_interval_are_converted_together() -> None:
    # 1 raw long token at 1.5 rounds down to 1 raw settlement; two burns of 1 in one
    # interval are one commitment of 2 tokens, 2 × 1.5 = 3, as the contract sums them.
    one = _trade(CommitType.LONG_BURN, 1, 9, long_price=_price(3, 2))
    assert pnl.paid_out([one]) == 1
    assert pnl.paid_out([one, one]) == 3
    # in two intervals they are converted apart: 1 + 1
    assert pnl.paid_out([one, _trade(CommitType.LONG_BURN, 1, 10, long_price=_price(3, 2))]) == 2


def test_a_zero_price_pays_nothing() -> None:
    frozen = _trade(CommitType.LONG_BURN, 5 * E18, long_price=Quad.from_uint(0))
    assert pnl.paid_out([frozen]) == 0


def test_holdings_count_wallet_unclaimed_and_queued_burns() -> None:
    held = pnl.holdings(
        50 * E18, 0, Balance(20 * E18, 0, 5 * E18),
        [TotalCommitment(long_burn_pool_tokens=2 * E18, long_mint_settlement=9 * E18),
         TotalCommitment(short_burn_long_mint_pool_tokens=3 * E18,
                         long_burn_short_mint_pool_tokens=E18)],
    )
    # long: 50 wallet + 20 unclaimed + 2 queued burn + 1 queued flip; short: 3 queued flip.
    # Queued mints and unclaimed settlement are not tokens.
    assert held == pnl.Holdings(73 * E18, 3 * E18)


def test_value_of_rounds_down() -> None:
    assert pnl.value_of(10, Fraction(1, 3)) == 3
    assert pnl.value_of(72 * E18, Fraction(3, 2)) == 108 * E18
    assert pnl.value_of(0, Fraction(2)) == 0
    assert pnl.value_of(5, Fraction(0)) == 0


def test_market_pnl_worked_example() -> None:
    fee = Quad.from_uint(2 * 10**15)
    trades = [
        _trade(CommitType.LONG_MINT, 100 * E18),  # paid in 100
        _trade(CommitType.SHORT_BURN, 40 * E18, burning_fee=fee),  # paid out 37.425
        _trade(CommitType.LONG_BURN, 8 * E18, 6, long_price=_price(3, 2)),  # paid out 12
        _trade(CommitType.LONG_BURN_SHORT_MINT, 10 * E18, 6),  # neutral
    ]
    held = pnl.Holdings(72 * E18, 3 * E18)
    # tokens now: 72 × 1.5 + 3 × 0.8 = 108 + 2.4 = 110.4
    result = pnl.market_pnl(trades, held, Fraction(3, 2), Fraction(4, 5))
    assert result == pnl.Pnl(paid_in=100 * E18, paid_out=49_425 * 10**15,
                             tokens_value=1104 * 10**17)
    # 110.4 + 49.425 − 100 = 59.825, i.e. +59.825 %
    assert result.amount == 59_825 * 10**15
    assert result.ratio == Decimal("0.59825")


def test_a_loss_and_no_ratio_without_money_in() -> None:
    loss = pnl.market_pnl([_trade(CommitType.SHORT_MINT, 10 * E18)], pnl.Holdings(0, 8 * E18),
                          Fraction(1), Fraction(1, 2))
    assert (loss.amount, loss.ratio) == (-6 * E18, Decimal("-0.6"))
    nothing_in = pnl.Pnl(paid_in=0, paid_out=0, tokens_value=5)
    assert nothing_in.amount == 5 and nothing_in.ratio is None


def test_totals_add_markets_of_one_token() -> None:
    first = pnl.Pnl(100, 10, 95)  # +5
    second = pnl.Pnl(100, 0, 90)  # -10
    summed = pnl.total([first, second])
    assert summed == pnl.Pnl(200, 10, 185)
    assert (summed.amount, summed.ratio) == (-5, Decimal("-0.025"))
    assert pnl.total([]) == pnl.Pnl()
