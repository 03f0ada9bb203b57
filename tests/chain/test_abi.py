"""The ABI loader and codec: the adapter's entries match the built ABIs and the reference's
selectors and topics (§2.10)."""

from __future__ import annotations

import json

import pytest
from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address

from balancer_perps.chain.abi import ABIS_DIR, ContractAbi, decode_values, load_abi
from balancer_perps.chain.multicall import decode_aggregate3_results
from balancer_perps.chain.reference_abi import REFERENCE, parse_entry, reference_entries

# Reference §2.10.
SELECTORS = {
    ("PoolCommitter", "commit"): "f14fcbc8",
    ("PoolCommitter", "claim"): "1e83409a",
    ("PoolCommitter", "getAggregateBalance"): "54da4992",
    ("PoolKeeper", "performUpkeepSinglePool"): "91a60782",
}
TOPICS = {
    ("PoolCommitter", "CreateCommit"): (
        "04f9dae5361dfaa5b3f324fc0af5e71bcb4d76e8324ad9ce78d70496c548d503"
    ),
    ("PoolCommitter", "ExecutedCommitsForInterval"): (
        "260463f9bbb6d40c58e9fc4e09a71c3f80fc18d818d6d9d5df86b2443722a59f"
    ),
    ("PoolCommitter", "Claim"): "0c7ef932d3b91976772937f18d5ef9b39a9930bef486b576c374f047c4b512dc",
    ("LeveragedPool", "PoolRebalance"): (
        "f1e6677cbfc1dcb704bc91fc51ba87e318c4ed18c6a5571907e52a09a2c0f9aa"
    ),
    ("PoolFactory", "DeployPool"): (
        "82f5ba2b59209e8b2008e0addf2c8502bf23175cfee67125b2562302ce9823b9"
    ),
    ("PoolKeeper", "UpkeepSuccessful"): (
        "0aa8d2838ad6d4e2a5d7ca0826dfdbc36d922adf8fe5c6d25aee2724b07de074"
    ),
    ("PoolKeeper", "KeeperPaid"): (
        "f03012dd4aab142682aa01439f94e975e2ec77ef558352323bc05f382f74b082"
    ),
}


@pytest.mark.parametrize(("contract", "function"), sorted(SELECTORS))
def test_function_selectors_match_the_reference(contract: str, function: str) -> None:
    assert load_abi(contract).fn(function).selector.hex() == SELECTORS[contract, function]


@pytest.mark.parametrize(("contract", "event"), sorted(TOPICS))
def test_event_topics_match_the_reference(contract: str, event: str) -> None:
    assert load_abi(contract).event(event).topic0.hex() == TOPICS[contract, event]


@pytest.mark.parametrize("contract", sorted(REFERENCE))
def test_the_built_abis_contain_every_entry_the_adapter_uses(contract: str) -> None:
    path = ABIS_DIR / f"{contract}.json"
    if not path.exists():
        pytest.skip(f"abis/{contract}.json is not built")
    built = ContractAbi(contract, json.loads(path.read_text()), "abis")
    reference = ContractAbi(contract, reference_entries(contract) or [], "reference")
    for name, function in reference.functions.items():
        assert built.functions.get(name) == function, f"{contract}.{name}"
    for name, event in reference.events.items():
        assert built.events.get(name) == event, f"{contract}.{name}"


def test_the_reference_parser_reads_tuples_and_indexed_parameters() -> None:
    entry = parse_entry(
        "function getAggregateBalance(address user) view returns "
        "((uint256 longTokens, uint256 shortTokens, uint256 settlementTokens))"
    )
    assert entry["stateMutability"] == "view"
    assert entry["outputs"][0]["type"] == "tuple"
    assert [c["name"] for c in entry["outputs"][0]["components"]] == [
        "longTokens",
        "shortTokens",
        "settlementTokens",
    ]
    event = parse_entry("event Transfer(address indexed from, address indexed to, uint256 value)")
    assert [p["indexed"] for p in event["inputs"]] == [True, True, False]


def test_decoding_checksums_addresses_inside_arrays_and_tuples() -> None:
    pool_tokens = load_abi("LeveragedPool").fn("poolTokens")
    lower = ["0x" + "ab" * 20, "0x" + "cd" * 20]
    (tokens,) = pool_tokens.decode(encode(["address[2]"], [lower]))
    assert tokens == tuple(to_checksum_address(a) for a in lower)
    assert all(t != t.lower() for t in tokens)


def test_a_struct_output_decodes_to_a_nested_tuple() -> None:
    function = load_abi("PoolCommitter").fn("getAggregateBalance")
    assert function.decode(encode(["(uint256,uint256,uint256)"], [(1, 2, 3)])) == ((1, 2, 3),)


def test_a_missing_entry_names_the_rebuild_command() -> None:
    with pytest.raises(Exception, match=r"balancer_perps\.devnet\.build"):
        load_abi("PoolCommitter").fn("noSuchFunction")


def test_the_aggregate3_fast_path_decodes_like_eth_abi() -> None:
    results = [(True, b""), (False, b"\x08\xc3\x79\xa0" + bytes(70)), (True, bytes(range(33)))]
    data = encode(["(bool,bytes)[]"], [results])
    assert decode_aggregate3_results(data) == results
    with pytest.raises(DecodingError):
        decode_aggregate3_results(data[:-40])


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("uint256", 2**256 - 1),
        ("uint128", 7),
        ("int256", -(10**30)),
        ("bool", True),
        ("bool", False),
        ("bytes16", bytes(range(16))),
        ("address", "0x" + "ab" * 20),
    ],
)
def test_one_word_outputs_decode_like_eth_abi(kind: str, value: object) -> None:
    data = encode([kind], [value])
    (fast,) = decode_values([kind], data)
    (slow,) = decode([kind], data)
    assert fast == (to_checksum_address(slow) if kind == "address" else slow)
    with pytest.raises(DecodingError):
        decode_values([kind], b"")  # a call to an address without code returns nothing
