"""Every golden vector (eth_call results of the real V2.1 contracts) reproduced exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from balancer_perps.domain import commit_encoding, fees, keeper, pool_math
from balancer_perps.domain.errors import ContractRevert
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import UpdateData
from tests.domain.fixtures import load_fixture

VECTORS: list[dict[str, Any]] = load_fixture("golden-vectors.json")["vectors"]
TOTAL_VECTORS = 246


def _arg(parameter: dict[str, Any]) -> Any:
    """A JSON input as the model takes it: bytes16 -> Quad, tuples -> UpdateData."""
    kind = parameter["type"]
    if kind == "bytes16":
        return Quad.from_bytes16(parameter["value"])
    if kind == "tuple":
        values = [_arg(component) for component in parameter["components"]]
        return UpdateData(*values)
    return parameter["value"]


def _out(value: Any) -> Any:
    """A model result in the fixture's JSON form: Quad -> 0x-hex, bytes -> 0x-hex."""
    if isinstance(value, Quad):
        return value.hex()
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def _expected(vector: dict[str, Any]) -> list[Any]:
    outputs = vector["outputs"]
    if len(outputs) == 1 and outputs[0]["type"] == "tuple":
        return [component["value"] for component in outputs[0]["components"]]
    return [output["value"] for output in outputs]


def _as_list(result: Any) -> list[Any]:
    if isinstance(result, Quad):
        return [result.hex()]
    if isinstance(result, tuple):
        return [_out(item) for item in result]
    if hasattr(result, "__dataclass_fields__"):
        return [_out(getattr(result, name)) for name in result.__dataclass_fields__]
    return [_out(result)]


# Contract function name -> model callable taking the vector's inputs in ABI order.
MODEL: dict[str, Callable[..., Any]] = {
    # PoolSwapLibrary
    "calculateValueTransfer": pool_math.calculate_value_transfer,
    "getMintAmount": pool_math.get_mint_amount,
    "getWithdrawAmountOnBurn": pool_math.get_withdraw_amount_on_burn,
    "getMint": pool_math.get_mint,
    "getBurn": pool_math.get_burn,
    "getPrice": pool_math.get_price,
    "getBalancesAfterFees": pool_math.get_balances_after_fees,
    "mulFraction": pool_math.mul_fraction,
    "convertUIntToDecimal": pool_math.convert_uint_to_decimal,
    "convertDecimalToUInt": pool_math.convert_decimal_to_uint,
    "multiplyDecimalByUInt": pool_math.multiply_decimal_by_uint,
    "appropriateUpdateIntervalId": pool_math.appropriate_update_interval_id,
    "isBeforeFrontRunningInterval": pool_math.is_before_front_running_interval,
    "processBurnInstantMintCommit": pool_math.process_burn_instant_mint_commit,
    "getRatio": pool_math.get_ratio,
    "getUpdatedAggregateBalance": pool_math.get_updated_aggregate_balance,
    "mintingOrBurningFee": pool_math.minting_or_burning_fee,
    "divInt": pool_math.div_int,
    "fromWad": pool_math.from_wad,
    "compareDecimals": pool_math.compare_decimals,
    "addBytes": pool_math.add_bytes,
    "subtractBytes": pool_math.subtract_bytes,
    "multiplyBytes": pool_math.multiply_bytes,
    "getLossMultiplier": pool_math.get_loss_multiplier,
    "getLossAmount": pool_math.get_loss_amount,
    # test-harness views of internal pieces
    "sigmoid": pool_math.sigmoid,
    "perIntervalFee": fees.per_interval_fee,
    "feeSplit": fees.fee_split,
    "keeperTipAt": keeper.keeper_tip,
    # KeeperRewards
    "keeperGas": keeper.keeper_gas,
    # L2Encoder
    "encodeCommitParams": commit_encoding.encode_commit_params,
    "encodeAddressArray": commit_encoding.encode_address_array,
}

# Nothing is skipped: the legacy getLossMultiplier/getLossAmount are modelled too.
SKIPPED: dict[str, str] = {}


def test_fixture_has_every_vector() -> None:
    assert len(VECTORS) == TOTAL_VECTORS
    covered = [vector for vector in VECTORS if vector["function"] in MODEL]
    assert len(covered) == TOTAL_VECTORS - sum(
        1 for vector in VECTORS if vector["function"] in SKIPPED
    )
    assert len(covered) == TOTAL_VECTORS


@pytest.mark.parametrize(
    "index",
    range(len(VECTORS)),
    ids=[f"{i:03d}-{vector['function']}" for i, vector in enumerate(VECTORS)],
)
def test_golden_vector(index: int) -> None:
    vector = VECTORS[index]
    if vector["function"] in SKIPPED:
        pytest.skip(SKIPPED[vector["function"]])
    model = MODEL[vector["function"]]
    args = [_arg(parameter) for parameter in vector["inputs"]]
    if vector["reverted"]:
        reason = vector["revert"].removeprefix("execution reverted: ")
        with pytest.raises(ContractRevert) as raised:
            model(*args)
        assert raised.value.reason == reason
        return
    assert _as_list(model(*args)) == _expected(vector)
