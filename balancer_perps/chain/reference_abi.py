"""The V2 ABI entries the adapter and the indexer use, as the protocol reference lists them
(Appendix A of the reference; struct outputs spelled out as tuples).

Two roles: the loader's fallback while ``abis/`` does not have a contract yet, and the
contract between the adapter and the devnet build — a test checks that every entry here
is present, unchanged, in the exported ABIs.
"""

from __future__ import annotations

from typing import Any

REFERENCE: dict[str, tuple[str, ...]] = {
    "PoolFactory": (
        "function numPools() view returns (uint256)",
        "function pools(uint256) view returns (address)",
        "function isValidPool(address) view returns (bool)",
        "function poolKeeper() view returns (address)",
        "event DeployPool(address indexed pool, address poolCommitter, string ticker)",
    ),
    "LeveragedPool": (
        "function balances() view returns (uint256, uint256)",
        "function fee() view returns (bytes16)",
        "function frontRunningInterval() view returns (uint32)",
        "function getLeverage() view returns (uint256)",
        "function getOraclePrice() view returns (int256)",
        "function keeper() view returns (address)",
        "function lastPriceTimestamp() view returns (uint256)",
        "function leverageAmount() view returns (bytes16)",
        "function oracleWrapper() view returns (address)",
        "function paused() view returns (bool)",
        "function poolCommitter() view returns (address)",
        "function poolName() view returns (string)",
        "function poolTokens() view returns (address[2])",
        "function primaryFees() view returns (uint256)",
        "function secondaryFeeAddress() view returns (address)",
        "function secondaryFees() view returns (uint256)",
        "function secondaryFeeSplitPercent() view returns (uint256)",
        "function settlementEthOracle() view returns (address)",
        "function settlementToken() view returns (address)",
        "function updateInterval() view returns (uint32)",
        "event Paused()",
        "event PoolInitialized(address indexed longToken, address indexed shortToken, "
        "address settlementToken, string poolName)",
        "event PoolRebalance(int256 shortBalanceChange, int256 longBalanceChange, "
        "uint256 shortFeeAmount, uint256 longFeeAmount)",
        "event PriceChangeError(int256 indexed startPrice, int256 indexed endPrice)",
        "event PrimaryFeesPaid(address indexed feeAddress, uint256 amount)",
        "event SecondaryFeesPaid(address indexed secondaryFeeAddress, uint256 amount)",
        "event Unpaused()",
    ),
    "PoolCommitter": (
        "function burnFeeHistory(uint256) view returns (bytes16)",
        "function burningFee() view returns (bytes16)",
        "function changeInterval() view returns (bytes16)",
        "function claim(address user)",
        "function commit(bytes32 args) payable",
        "function getAggregateBalance(address user) view returns "
        "((uint256 longTokens, uint256 shortTokens, uint256 settlementTokens))",
        "function getAppropriateUpdateIntervalId() view returns (uint128)",
        "function mintingFee() view returns (bytes16)",
        "function paused() view returns (bool)",
        "function pendingLongBurnPoolTokens() view returns (uint256)",
        "function pendingMintSettlementAmount() view returns (uint256)",
        "function pendingShortBurnPoolTokens() view returns (uint256)",
        "function priceHistory(uint256) view returns (bytes16 longPrice, bytes16 shortPrice)",
        "function totalPoolCommitments(uint256) view returns (uint256 longMintSettlement, "
        "uint256 longBurnPoolTokens, uint256 shortMintSettlement, uint256 shortBurnPoolTokens, "
        "uint256 shortBurnLongMintPoolTokens, uint256 longBurnShortMintPoolTokens)",
        "function unAggregatedCommitments(address, uint256) view returns (uint256)",
        "function updateAggregateBalance(address user)",
        "function updateIntervalId() view returns (uint128)",
        "function userCommitments(address, uint256) view returns (uint256 longMintSettlement, "
        "uint256 longBurnPoolTokens, uint256 shortMintSettlement, uint256 shortBurnPoolTokens, "
        "uint256 shortBurnLongMintPoolTokens, uint256 longBurnShortMintPoolTokens, "
        "uint256 updateIntervalId)",
        "event Claim(address indexed user)",
        "event CreateCommit(address indexed user, uint256 indexed amount, "
        "uint8 indexed commitType, uint256 appropriateUpdateIntervalId, "
        "bool fromAggregateBalance, bool payForClaim, bytes16 mintingFee)",
        "event ExecutedCommitsForInterval(uint256 indexed updateIntervalId, bytes16 burningFee)",
    ),
    "PoolKeeper": (
        "function executionPrice(address) view returns (int256)",
        "function gasPrice() view returns (uint256)",
        "function performUpkeepSinglePool(address _pool)",
        "event KeeperPaid(address indexed _pool, address indexed keeper, uint256 reward)",
        "event KeeperPaymentError(address indexed _pool, address indexed keeper, "
        "uint256 expectedReward)",
        "event PoolUpkeepError(address indexed pool, string reason)",
        "event UpkeepSuccessful(address indexed pool, bytes data, int256 indexed startPrice, "
        "int256 indexed endPrice)",
    ),
    "PoolToken": (
        "function allowance(address owner, address spender) view returns (uint256)",
        "function approve(address spender, uint256 amount) returns (bool)",
        "function balanceOf(address account) view returns (uint256)",
        "function decimals() view returns (uint8)",
        "function symbol() view returns (string)",
        "function totalSupply() view returns (uint256)",
        "event Transfer(address indexed from, address indexed to, uint256 value)",
    ),
    "ChainlinkOracleWrapper": ("function getPrice() view returns (int256)",),
    "SMAOracle": (
        "function getPrice() view returns (int256)",
        "function numPeriods() view returns (int256)",
        "function updateInterval() view returns (uint256)",
    ),
}


def reference_entries(contract: str) -> list[dict[str, Any]] | None:
    """The reference entries of ``contract`` as ABI JSON, or None for an unknown contract."""
    lines = REFERENCE.get(contract)
    if lines is None:
        return None
    return [parse_entry(line) for line in lines]


def parse_entry(line: str) -> dict[str, Any]:
    """One human-readable ABI line (``function ...`` / ``event ...``) as ABI JSON."""
    kind, rest = line.split(" ", 1)
    name, rest = rest.split("(", 1)
    params_text, rest = _take_group("(" + rest)
    if kind == "event":
        return {
            "type": "event",
            "name": name,
            "anonymous": False,
            "inputs": [_param(p, event=True) for p in _split_params(params_text)],
        }
    words = rest.split("returns", 1)
    modifiers = words[0].split()
    outputs: list[dict[str, Any]] = []
    if len(words) == 2:
        outputs_text, _ = _take_group(words[1].strip())
        outputs = [_param(p) for p in _split_params(outputs_text)]
    mutability = next((m for m in modifiers if m in ("view", "pure", "payable")), "nonpayable")
    return {
        "type": "function",
        "name": name,
        "inputs": [_param(p) for p in _split_params(params_text)],
        "outputs": outputs,
        "stateMutability": mutability,
    }


def _take_group(text: str) -> tuple[str, str]:
    """Split ``(inner) rest`` at the parenthesis that closes the first one."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:index], text[index + 1 :]
    raise ValueError(f"unbalanced parentheses in {text!r}")


def _split_params(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _param(text: str, event: bool = False) -> dict[str, Any]:
    param: dict[str, Any]
    if text.startswith("("):
        inner, rest = _take_group(text)
        words = rest.split()
        suffix = words[0] if words and words[0].startswith("[") else ""
        words = words[1:] if suffix else words
        param = {
            "type": "tuple" + suffix,
            "components": [_param(p) for p in _split_params(inner)],
        }
    else:
        kind, *words = text.split()
        param = {"type": kind}
    indexed = "indexed" in words
    names = [w for w in words if w != "indexed"]
    param["name"] = names[0] if names else ""
    if event:
        param["indexed"] = indexed
    return param
