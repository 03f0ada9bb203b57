"""The trade panel's view model: amounts typed by the user, the commit they make, what they
need, the preview in words, the step tracker, and the wallet's reports checked."""

from __future__ import annotations

import pytest

from balancer_perps.chain.positions import UserMarketPosition
from balancer_perps.components.wallet import checked_address, checked_chain_id
from balancer_perps.domain.preview import preview_commit
from balancer_perps.domain.types import Balance, CommitType
from balancer_perps.pages.trade_view import (
    MAX_COMMIT_AMOUNT,
    UNLIMITED_APPROVAL,
    Steps,
    amount_unit,
    approval_amount,
    available_amount,
    commit_type_of,
    needs_approval,
    parse_amount,
    trade_quote,
)
from tests.app.factories import WAD, market

CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


@pytest.mark.parametrize(
    ("text", "decimals", "raw"),
    [
        ("1", 18, WAD),
        ("12.5", 18, 125 * 10**17),
        (" 0.000000000000000001 ", 18, 1),
        (".5", 6, 500_000),
        ("5.", 6, 5_000_000),
        ("1,000.25", 6, 1_000_250_000),
        ("1.500000", 6, 1_500_000),  # trailing zeros are not extra precision
        ("2.000000000000000000000", 18, 2 * WAD),
        ("7", 0, 7),
    ],
)
def test_parse_amount_exact(text: str, decimals: int, raw: int) -> None:
    parsed = parse_amount(text, decimals)
    assert parsed.ok
    assert parsed.raw == raw


@pytest.mark.parametrize(
    ("text", "decimals", "problem"),
    [
        ("1.0000001", 6, "Too many decimals: BAL has at most 6 decimals."),
        ("1.5", 0, "Too many decimals: BAL has no decimals."),
        ("0", 18, "The amount must be more than zero."),
        ("0.000", 18, "The amount must be more than zero."),
        ("-1", 18, "The amount cannot be negative."),
        (" -0.5", 18, "The amount cannot be negative."),
        ("abc", 18, "“abc” is not a number."),
        ("1.2.3", 18, "“1.2.3” is not a number."),
        ("1e18", 18, "“1e18” is not a number."),
        ("NaN", 18, "“NaN” is not a number."),
        ("Infinity", 18, "“Infinity” is not a number."),
        ("+1", 18, "“+1” is not a number."),
        (".", 18, "“.” is not a number."),
        ("١٢", 18, "“١٢” is not a number."),  # non-ASCII digits
        ("9" * 81, 0, "That number is too long."),
        (str(2**128), 0, "That is more than a trade can carry (2^128 − 1 base units)."),
        ("340282366920938463463.374607431768211456", 18,
         "That is more than a trade can carry (2^128 − 1 base units)."),
    ],
)
def test_parse_amount_refuses(text: str, decimals: int, problem: str) -> None:
    parsed = parse_amount(text, decimals, unit="BAL")
    assert not parsed.ok
    assert parsed.raw == 0
    assert parsed.problem == problem


def test_parse_amount_bounds_and_balance() -> None:
    assert parse_amount(str(MAX_COMMIT_AMOUNT), 0).raw == MAX_COMMIT_AMOUNT
    exactly = parse_amount("2.5", 18, available=25 * 10**17, unit="BAL")
    assert exactly.ok
    over = parse_amount("2.500000000000000001", 18, available=25 * 10**17, unit="BAL")
    assert over.problem == "More than you have: 2.5 BAL available."
    assert parse_amount("1", 18, available=0, unit="long tokens").problem == (
        "More than you have: 0 long tokens available.")


def test_parse_amount_nothing_typed_or_not_text() -> None:
    empty = parse_amount("   ", 18)
    assert (empty.raw, empty.problem, empty.ok) == (0, "", False)
    assert parse_amount(None, 18).problem == "Enter the amount as a number."
    assert parse_amount(12, 18).problem == "Enter the amount as a number."  # type: ignore[arg-type]


def test_commit_types_from_fixed_choices() -> None:
    assert commit_type_of("mint", "long") is CommitType.LONG_MINT
    assert commit_type_of("mint", "short") is CommitType.SHORT_MINT
    assert commit_type_of("burn", "long") is CommitType.LONG_BURN
    assert commit_type_of("burn", "short") is CommitType.SHORT_BURN
    assert commit_type_of("flip", "long") is CommitType.LONG_BURN_SHORT_MINT
    assert commit_type_of("flip", "short") is CommitType.SHORT_BURN_LONG_MINT
    for action, side in (("mint", "up"), ("swap", "long"), ("Mint", "long"), ("", "")):
        with pytest.raises(ValueError, match="not a trade"):
            commit_type_of(action, side)


def _position(**fields: object) -> UserMarketPosition:
    values: dict[str, object] = {
        "market": CHECKSUMMED, "settlement_balance": 100, "settlement_allowance": 40,
        "long_balance": 7, "short_balance": 8, "claimable": Balance(1, 2, 3), "pending": (),
        "unaggregated_ids": (),
    }
    values.update(fields)
    return UserMarketPosition(**values)  # type: ignore[arg-type]


def test_available_by_action_side_and_source() -> None:
    position = _position()
    assert available_amount(position, "mint", "long", "wallet") == 100
    assert available_amount(position, "mint", "short", "escrow") == 3
    assert available_amount(position, "burn", "long", "wallet") == 7
    assert available_amount(position, "burn", "short", "wallet") == 8
    assert available_amount(position, "flip", "long", "escrow") == 1
    assert available_amount(position, "flip", "short", "escrow") == 2
    assert available_amount(None, "mint", "long", "wallet") == 0


def test_approval_only_for_wallet_mints_short_of_allowance() -> None:
    assert needs_approval("mint", "wallet", allowance=40, amount=41)
    assert not needs_approval("mint", "wallet", allowance=40, amount=40)
    assert not needs_approval("mint", "escrow", allowance=0, amount=41)
    assert not needs_approval("burn", "wallet", allowance=0, amount=41)
    assert not needs_approval("flip", "wallet", allowance=0, amount=41)
    assert approval_amount("exact", 41) == 41
    assert approval_amount("unlimited", 41) == UNLIMITED_APPROVAL == 2**256 - 1


def test_units() -> None:
    info = market(1).info
    assert amount_unit(info, "mint", "long") == "BAL"
    assert amount_unit(info, "burn", "short") == "short tokens"
    assert amount_unit(info, "flip", "long") == "long tokens"


def test_quote_of_a_long_mint_matches_the_exact_preview() -> None:
    state = market(1)
    now = state.pool.last_price_timestamp + 10  # well before the front-running lock
    preview = preview_commit(state.pool, {}, CommitType.LONG_MINT, 100 * WAD, now)
    quote = trade_quote(preview, state.info, "mint", "long")
    assert quote.ready
    assert preview.fee_at_commit == 3 * 10**17  # 0.3% of 100
    assert quote.fee == "0.3 BAL mint fee"
    assert quote.net == "99.7 BAL"
    assert quote.receive.startswith("≈ ") and quote.receive.endswith(" long tokens")
    assert quote.price.endswith("BAL per long token")
    assert quote.executes_at == preview.expected_execution_timestamp
    assert quote.lock_warning == ""
    shifted = trade_quote(preview, state.info, "mint", "long", clock_offset=30)
    assert shifted.executes_at == preview.expected_execution_timestamp - 30


def test_quote_warns_inside_the_front_running_lock() -> None:
    state = market(1)
    pool = state.pool
    now = pool.last_price_timestamp + pool.update_interval - 5  # inside the 30 s lock
    preview = preview_commit(pool, {}, CommitType.SHORT_BURN, 10 * WAD, now)
    quote = trade_quote(preview, state.info, "burn", "short")
    assert preview.in_front_running_window
    assert "front-running lock" in quote.lock_warning
    assert quote.fee.endswith("BAL burn fee")
    assert quote.net == "10 short tokens"


def test_quote_of_a_flip_names_the_other_side() -> None:
    state = market(1)
    preview = preview_commit(state.pool, {}, CommitType.LONG_BURN_SHORT_MINT, 10 * WAD,
                             state.pool.last_price_timestamp + 10)
    quote = trade_quote(preview, state.info, "flip", "long")
    assert quote.receive.endswith("short tokens")
    assert "burn fee" in quote.fee and "mint fee" in quote.fee


def test_step_tracker() -> None:
    steps = Steps.plan("mint", "long", "BAL", with_approval=True)
    assert [(s.number, s.label, s.status) for s in steps.steps] == [
        (1, "Approve BAL", "waiting"), (2, "Mint long", "waiting")]
    steps.set(0, "preparing")
    assert steps.steps[0].status_text == "Preparing…"
    steps.set(0, "wallet")
    assert steps.steps[0].status_text == "Confirm in your wallet"
    steps.set(0, "confirming", "0xabc")
    assert (steps.steps[0].status_text, steps.steps[0].tx_hash) == ("Confirming…", "0xabc")
    steps.set(0, "confirmed")
    assert steps.current() == 1
    steps.set(1, "nonsense")
    steps.set(5, "confirmed")
    assert steps.steps[1].status == "waiting"
    assert [s.label for s in Steps.plan("burn", "short", "short tokens", False).steps] == [
        "Burn short"]


def test_wallet_reports_are_checked() -> None:
    assert checked_address(CHECKSUMMED.lower()) == CHECKSUMMED
    not_hex = "0xZZ" + CHECKSUMMED[4:]
    for bad in ("", "0x123", CHECKSUMMED + "00", None, 5, not_hex):
        assert checked_address(bad) == ""
    assert checked_chain_id(31337) == 31337
    for bad_id in (0, -1, 2**64, True, "31337", None, 1.5):
        assert checked_chain_id(bad_id) == 0
