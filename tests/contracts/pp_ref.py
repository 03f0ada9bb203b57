"""The reference ABI of Perpetual Pools V2.1, independent of the devnet artifacts.

The text below is the mechanical ABI listing of the project's protocol reference (Appendix A)
with the struct layouts of its §2.1. The contract tests encode calls and decode results,
events and revert data with it, so an ABI that drifts from the real build (a name, a type, an
indexed flag, a selector) shows up as a failing call or a mismatched event rather than being
silently followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

APPENDIX_A = """
#### PoolFactory
constructor(address _feeReceiver, address _governance)
function autoClaim() view returns (address)
function claimGovernance()
function deploymentFee() view returns (uint256)
function deploymentFeeReceiver() view returns (address)
function deploymentFeeToken() view returns (address)
function deployPool(PoolDeployment deploymentParameters) returns (address)
function fee() view returns (uint256)
function feeReceiver() view returns (address)
function getPoolKeeper() view returns (address)
function governance() view returns (address)
function governanceTransferInProgress() view returns (bool)
function invariantCheck() view returns (address)
function isValidPool(address) view returns (bool)
function isValidPoolCommitter(address) view returns (bool)
function numPools() view returns (uint256)
function pairTokenBaseAddress() view returns (address)
function poolBaseAddress() view returns (address)
function poolCommitterBaseAddress() view returns (address)
function poolKeeper() view returns (address)
function pools(uint256) view returns (address)
function provisionalGovernance() view returns (address)
function secondaryFeeSplitPercent() view returns (uint256)
function setAutoClaim(address _autoClaim)
function setDeploymentFee(address _token, uint256 _fee, address _receiver)
function setFee(uint256 _fee)
function setFeeReceiver(address _feeReceiver)
function setInvariantCheck(address _invariantCheck)
function setPoolKeeper(address _poolKeeper)
function setSecondaryFeeSplitPercent(uint256 newFeePercent)
function transferGovernance(address _governance)
event AutoClaimChanged(address indexed autoClaim)
event DeployCommitter(address poolCommitterAddress, address settlementToken, address pool,
    uint256 changeInterval, address feeController)
event DeploymentFeeChanged(address _token, uint256 fee, address _receiver)
event DeployPool(address indexed pool, address poolCommitter, string ticker)
event FeeChanged(uint256 indexed fee)
event FeeReceiverChanged(address indexed receiver)
event GovernanceAddressChanged(address indexed oldAddress, address indexed newAddress)
event InvariantCheckChanged(address indexed invariantCheck)
event MaxLeverageChanged(uint256 indexed leverage)
event MintAndBurnFeesChanged(uint256 indexed mint, uint256 indexed burn)
event PoolKeeperChanged(address _poolKeeper)
event ProvisionalGovernanceChanged(address indexed newAddress)
event SecondaryFeeSplitChanged(uint256 indexed fee)

#### LeveragedPool
function balances() view returns (uint256, uint256)
function burnTokens(uint256 tokenType, uint256 amount, address burner)
function claimGovernance()
function claimPrimaryFees()
function claimSecondaryFees()
function fee() view returns (bytes16)
function feeAddress() view returns (address)
function frontRunningInterval() view returns (uint32)
function getFee() view returns (uint256)
function getLeverage() view returns (uint256)
function getOraclePrice() view returns (int256)
function getUpkeepInformation() view returns (int256, bytes, uint256, uint256)
function governance() view returns (address)
function governanceTransferInProgress() view returns (bool)
function initialize(Initialization initialization)
function intervalPassed() view returns (bool)
function invariantCheck() view returns (address)
function keeper() view returns (address)
function lastPriceTimestamp() view returns (uint256)
function leverageAmount() view returns (bytes16)
function LONG_INDEX() view returns (uint256)
function longBalance() view returns (uint256)
function oracleWrapper() view returns (address)
function pause()
function paused() view returns (bool)
function payKeeperFromBalances(address to, uint256 amount) returns (bool)
function poolCommitter() view returns (address)
function poolName() view returns (string)
function poolTokens() view returns (address[2])
function poolTokenTransfer(bool isLongToken, address to, uint256 amount)
function poolUpkeep(int256 _oldPrice, int256 _newPrice)
function primaryFees() view returns (uint256)
function provisionalGovernance() view returns (address)
function secondaryFeeAddress() view returns (address)
function secondaryFees() view returns (uint256)
function secondaryFeeSplitPercent() view returns (uint256)
function setKeeper(address _keeper)
function setNewPoolBalances(uint256 _longBalance, uint256 _shortBalance)
function settlementEthOracle() view returns (address)
function settlementToken() view returns (address)
function settlementTokenTransfer(address to, uint256 amount)
function settlementTokenTransferFrom(address from, address to, uint256 amount)
function SHORT_INDEX() view returns (uint256)
function shortBalance() view returns (uint256)
function tokens(uint256) view returns (address)
function transferGovernance(address _governance)
function unpause()
function updateFeeAddress(address account)
function updateInterval() view returns (uint32)
function updateSecondaryFeeAddress(address account)
function withdrawSettlement()
event FeeAddressUpdated(address indexed oldAddress, address indexed newAddress)
event GovernanceAddressChanged(address indexed oldAddress, address indexed newAddress)
event KeeperAddressChanged(address indexed oldAddress, address indexed newAddress)
event Paused()
event PoolBalancesChanged(uint256 indexed long, uint256 indexed short)
event PoolInitialized(address indexed longToken, address indexed shortToken,
    address settlementToken, string poolName)
event PoolRebalance(int256 shortBalanceChange, int256 longBalanceChange,
    uint256 shortFeeAmount, uint256 longFeeAmount)
event PriceChangeError(int256 indexed startPrice, int256 indexed endPrice)
event PrimaryFeesPaid(address indexed feeAddress, uint256 amount)
event ProvisionalGovernanceChanged(address indexed newAddress)
event SecondaryFeeAddressUpdated(address indexed oldAddress, address indexed newAddress)
event SecondaryFeesPaid(address indexed secondaryFeeAddress, uint256 amount)
event SettlementWithdrawn(address indexed to, uint256 indexed quantity)
event Unpaused()

#### PoolCommitter
function autoClaim() view returns (address)
function burnFeeHistory(uint256) view returns (bytes16)
function burningFee() view returns (bytes16)
function changeInterval() view returns (bytes16)
function claim(address user)
function commit(bytes32 args) payable
function executeCommitments(uint256 lastPriceTimestamp, uint256 updateInterval,
    uint256 longBalance, uint256 shortBalance) returns (uint256, uint256, uint256, uint256,
    uint256)
function factory() view returns (address)
function feeController() view returns (address)
function getAggregateBalance(address user) view returns (Balance)
function getAppropriateUpdateIntervalId() view returns (uint128)
function getBurningFee() view returns (uint256)
function getMintingFee() view returns (uint256)
function governance() view returns (address)
function initialize(address _factory, address _autoClaim, address _factoryOwner,
    address _feeController, address _invariantCheck, uint256 _mintingFee, uint256 _burningFee,
    uint256 _changeInterval)
function invariantCheck() view returns (address)
function isBurn(uint8 t) pure returns (bool)
function isLong(uint8 t) pure returns (bool)
function isMint(uint8 t) pure returns (bool)
function isShort(uint8 t) pure returns (bool)
function lastUpdatedIntervalId(address) view returns (uint256)
function leveragedPool() view returns (address)
function LONG_INDEX() view returns (uint128)
function MAX_BURNING_FEE() view returns (bytes16)
function MAX_CHANGE_INTERVAL() view returns (bytes16)
function MAX_ITERATIONS() view returns (uint8)
function MAX_MINTING_FEE() view returns (bytes16)
function mintingFee() view returns (bytes16)
function pause()
function paused() view returns (bool)
function pendingLongBurnPoolTokens() view returns (uint256)
function pendingMintSettlementAmount() view returns (uint256)
function pendingShortBurnPoolTokens() view returns (uint256)
function priceHistory(uint256) view returns (bytes16 longPrice, bytes16 shortPrice)
function setBurningFee(uint256 _burningFee)
function setChangeInterval(uint256 _changeInterval)
function setFeeController(address _feeController)
function setMintingFee(uint256 _mintingFee)
function setPool(address _leveragedPool)
function SHORT_INDEX() view returns (uint128)
function tokens(uint256) view returns (address)
function totalPoolCommitments(uint256) view returns (uint256 longMintSettlement,
    uint256 longBurnPoolTokens, uint256 shortMintSettlement, uint256 shortBurnPoolTokens,
    uint256 shortBurnLongMintPoolTokens, uint256 longBurnShortMintPoolTokens)
function unAggregatedCommitments(address, uint256) view returns (uint256)
function unpause()
function updateAggregateBalance(address user)
function updateIntervalId() view returns (uint128)
function userAggregateBalance(address) view returns (uint256 longTokens, uint256 shortTokens,
    uint256 settlementTokens)
function userCommitments(address, uint256) view returns (uint256 longMintSettlement,
    uint256 longBurnPoolTokens, uint256 shortMintSettlement, uint256 shortBurnPoolTokens,
    uint256 shortBurnLongMintPoolTokens, uint256 longBurnShortMintPoolTokens,
    uint256 updateIntervalId)
event AggregateBalanceUpdated(address indexed user)
event BurningFeeSet(uint256 indexed _burningFee)
event ChangeIntervalSet(uint256 indexed _changeInterval)
event Claim(address indexed user)
event CreateCommit(address indexed user, uint256 indexed amount, uint8 indexed commitType,
    uint256 appropriateUpdateIntervalId, bool fromAggregateBalance, bool payForClaim,
    bytes16 mintingFee)
event ExecutedCommitsForInterval(uint256 indexed updateIntervalId, bytes16 burningFee)
event FeeControllerSet(address indexed _feeController)
event MintingFeeSet(uint256 indexed _mintingFee)
event Paused()
event PoolChanged(address indexed newPool)
event Unpaused()

#### PoolKeeper
constructor(address _factory)
function checkUpkeepMultiplePools(address[] _pools) view returns (bool)
function executionPrice(address) view returns (int256)
function factory() view returns (address)
function gasPrice() view returns (uint256)
function isUpkeepRequiredSinglePool(address _pool) view returns (bool)
function keeperRewards() view returns (address)
function newPool(address _poolAddress)
function owner() view returns (address)
function performUpkeepMultiplePools(address[] pools)
function performUpkeepMultiplePoolsPacked(bytes pools)
function performUpkeepSinglePool(address _pool)
function renounceOwnership()
function setGasPrice(uint256 _price)
function setKeeperRewards(address _keeperRewards)
function transferOwnership(address newOwner)
event FactoryChanged(address indexed factory)
event GasPriceChanged(uint256 indexed price)
event KeeperPaid(address indexed _pool, address indexed keeper, uint256 reward)
event KeeperPaymentError(address indexed _pool, address indexed keeper, uint256 expectedReward)
event KeeperRewardsSet(address indexed oldKeeperRewards, address indexed newKeeperRewards)
event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)
event PoolAdded(address indexed poolAddress, int256 indexed firstPrice)
event PoolUpkeepError(address indexed pool, string reason)
event UpkeepSuccessful(address indexed pool, bytes data, int256 indexed startPrice,
    int256 indexed endPrice)

#### KeeperRewards
constructor(address _keeper)
function BASE_TIP() view returns (uint256)
function BLOCK_TIME() view returns (uint256)
function FIXED_GAS_OVERHEAD() view returns (uint256)
function FIXED_POINT() view returns (bytes16)
function keeper() view returns (address)
function keeperGas(uint256 _gasPrice, uint256 _gasSpent,
    uint256 _settlementTokenPrice) pure returns (uint256)
function keeperReward(address _pool, uint256 _gasPrice, uint256 _gasSpent,
    uint256 _savedPreviousUpdatedTimestamp, uint256 _poolInterval,
    uint256 _settlementTokenPrice) view returns (uint256)
function keeperTip(uint256 _savedPreviousUpdatedTimestamp,
    uint256 _poolInterval) view returns (uint256)
function MAX_TIP() view returns (uint256)
function payKeeper(address _keeper, address _pool, uint256 _gasPrice, uint256 _gasSpent,
    uint256 _savedPreviousUpdatedTimestamp, uint256 _updateInterval) returns (uint256)
function TIP_DELTA_PER_BLOCK() view returns (uint256)
event PoolUpkeepError(address indexed pool, string reason)

#### AutoClaim
constructor(address _poolFactoryAddress)
fallback() payable
receive() payable
function checkClaim(ClaimRequest request, uint256 currentUpdateIntervalId) pure returns (bool)
function checkUserClaim(address user, address poolCommitter) view returns (bool)
function claimRequests(address, address) view returns (uint128 updateIntervalId, uint256 reward)
function makePaidClaimRequest(address user) payable
function multiPaidClaimMultiplePoolCommitters(bytes args1, bytes args2)
function multiPaidClaimSinglePoolCommitter(bytes args, address poolCommitterAddress)
function paidClaim(address user, address poolCommitterAddress)
function withdrawClaimRequest(address poolCommitter)
function withdrawUserClaimRequest(address user)
event PaidClaimRequestUpdate(address indexed user, address indexed poolCommitter,
    uint256 indexed updateIntervalId, uint256 newReward)
event PaidRequestExecution(address indexed user, address indexed poolCommitter,
    uint256 indexed reward)
event RequestWithdrawn(address indexed user, address indexed poolCommitter)

#### InvariantCheck
constructor(address _factory)
function checkInvariants(address poolToCheck)
function poolFactory() view returns (address)
event InvariantsFail(string message)
event InvariantsHold()

#### PoolToken
constructor(uint8 _decimals)
function allowance(address owner, address spender) view returns (uint256)
function approve(address spender, uint256 amount) returns (bool)
function balanceOf(address account) view returns (uint256)
function burn(address account, uint256 amount)
function decimals() view returns (uint8)
function decreaseAllowance(address spender, uint256 subtractedValue) returns (bool)
function increaseAllowance(address spender, uint256 addedValue) returns (bool)
function initialize(address _pool, string name_, string symbol_, uint8 decimals_)
function mint(address account, uint256 amount)
function name() view returns (string)
function owner() view returns (address)
function symbol() view returns (string)
function totalSupply() view returns (uint256)
function transfer(address recipient, uint256 amount) returns (bool)
function transferFrom(address sender, address recipient, uint256 amount) returns (bool)
function transferOwnership(address _owner)
event Approval(address indexed owner, address indexed spender, uint256 value)
event Transfer(address indexed from, address indexed to, uint256 value)

#### ChainlinkOracleWrapper
constructor(address _oracle, address _deployer)
function decimals() pure returns (uint8)
function deployer() view returns (address)
function fromWad(int256 wad) view returns (int256)
function getPrice() view returns (int256)
function getPriceAndMetadata() view returns (int256, bytes)
function oracle() view returns (address)
function poll() pure returns (int256)
function scaler() view returns (int256)

#### SMAOracle
constructor(address _inputOracle, int256 _numPeriods, uint256 _updateInterval,
    address _deployer, address _poolKeeper, address _gov)
function decimals() view returns (uint8)
function deployer() view returns (address)
function fromWad(int256 wad) view returns (int256)
function getPrice() view returns (int256)
function getPriceAndMetadata() view returns (int256 _price, bytes _data)
function governance() view returns (address)
function lastUpdate() view returns (uint256)
function MAX_PERIODS() view returns (int8)
function numPeriods() view returns (int256)
function oracle() view returns (address)
function periodCount() view returns (int256)
function poll() returns (int256)
function poolKeeper() view returns (address)
function prices(int256) view returns (int256)
function scaler() view returns (int256)
function setGovernance(address _governance)
function setPoolKeeper(address _poolKeeper)
function updateInterval() view returns (uint256)

#### PoolSwapLibrary
function addBytes(bytes16 x, bytes16 y) pure returns (bytes16)
function appropriateUpdateIntervalId(uint256 timestamp, uint256 lastPriceTimestamp,
    uint256 frontRunningInterval, uint256 updateInterval,
    uint256 currentUpdateIntervalId) pure returns (uint256)
function calculateValueTransfer(uint256 longBalance, uint256 shortBalance,
    bytes16 leverageAmount, int256 oldPrice, int256 newPrice,
    bytes16 fee) pure returns (uint256, uint256, uint256, uint256)
function compareDecimals(bytes16 x, bytes16 y) pure returns (int8)
function convertDecimalToUInt(bytes16 ratio) pure returns (uint256)
function convertUIntToDecimal(uint256 amount) pure returns (bytes16)
function divInt(int256 a, int256 b) pure returns (bytes16)
function fromWad(uint256 _wadValue, uint256 _decimals) pure returns (uint256)
function getBalancesAfterFees(uint256 reward, uint256 shortBalance,
    uint256 longBalance) pure returns (uint256, uint256)
function getBurn(bytes16 price, uint256 amount) pure returns (uint256)
function getLossAmount(bytes16 lossMultiplier, uint256 balance) pure returns (uint256)
function getLossMultiplier(bytes16 ratio, int8 direction,
    bytes16 leverage) pure returns (bytes16)
function getMint(bytes16 price, uint256 amount) pure returns (uint256)
function getMintAmount(uint256 tokenSupply, uint256 amountIn, uint256 balance,
    uint256 pendingBurnPoolTokens) pure returns (uint256)
function getPrice(uint256 sideBalance, uint256 tokenSupply) pure returns (bytes16)
function getRatio(uint256 _numerator, uint256 _denominator) pure returns (bytes16)
function getUpdatedAggregateBalance(UpdateData data) pure returns (UpdateResult)
function getWithdrawAmountOnBurn(uint256 tokenSupply, uint256 amountIn, uint256 balance,
    uint256 pendingBurnPoolTokens) pure returns (uint256)
function isBeforeFrontRunningInterval(uint256 subjectTime, uint256 lastPriceTimestamp,
    uint256 updateInterval, uint256 frontRunningInterval) pure returns (bool)
function MAX_DECIMALS() view returns (uint256)
function mintingOrBurningFee(bytes16 feeRate, uint256 amount) pure returns (uint256)
function mulFraction(uint256 number, uint256 numerator,
    uint256 denominator) pure returns (uint256)
function multiplyBytes(bytes16 x, bytes16 y) pure returns (bytes16)
function multiplyDecimalByUInt(bytes16 a, uint256 b) pure returns (bytes16)
function ONE() view returns (bytes16)
function processBurnInstantMintCommit(uint256 amount, bytes16 burnPrice, bytes16 burningFee,
    bytes16 mintingFee) pure returns (uint256, uint256, uint256)
function subtractBytes(bytes16 x, bytes16 y) pure returns (bytes16)
function WAD_PRECISION() view returns (uint256)

#### L2Encoder
function encodeAddressArray(address[] args) pure returns (bytes)
function encodeCommitParams(uint256 amount, uint8 commitType, bool fromAggregateBalance,
    bool payForClaim) pure returns (bytes32)

#### Resolver
constructor(address _poolFactory)
function checker() view returns (bool canExec, bytes execPayLoad)
function poolFactory() view returns (address)
function poolKeeper() view returns (address)

#### TestToken
constructor(string name, string symbol)
function allowance(address owner, address spender) view returns (uint256)
function approve(address spender, uint256 amount) returns (bool)
function balanceOf(address account) view returns (uint256)
function burn(address account, uint256 amount)
function decimals() view returns (uint8)
function decreaseAllowance(address spender, uint256 subtractedValue) returns (bool)
function increaseAllowance(address spender, uint256 addedValue) returns (bool)
function mint(address account, uint256 amount)
function name() view returns (string)
function setDecimals(uint8 newDecimals)
function symbol() view returns (string)
function totalSupply() view returns (uint256)
function transfer(address recipient, uint256 amount) returns (bool)
function transferFrom(address sender, address recipient, uint256 amount) returns (bool)
event Approval(address indexed owner, address indexed spender, uint256 value)
event Transfer(address indexed from, address indexed to, uint256 value)

#### TestChainlinkOracle
function decimals() view returns (uint8)
function description() view returns (string)
function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)
function price() view returns (int256)
function setDecimals(uint8 _decimals)
function setPrice(int256 _price)
function version() view returns (uint256)
"""

# §2.1: struct components in ABI order.
STRUCTS: dict[str, str] = {
    "PoolDeployment": "(string,uint32,uint32,uint16,address,address,address,address,"
    "uint256,uint256,uint256)",
    "Initialization": "(address,address,address,address,address,address,address,address,string,"
    "uint32,uint32,uint16,uint256,address,address,address,uint256)",
    "Balance": "(uint256,uint256,uint256)",
    "ClaimRequest": "(uint128,uint256)",
    "UpdateData": "(bytes16,bytes16,bytes16,uint256,uint256,uint256,uint256,uint256,uint256,"
    "uint256,uint256,bytes16)",
    "UpdateResult": "(uint256,uint256,uint256,uint256,uint256)",
}
# A library's public function names a struct by its qualified name in the selector (preamble).
LIBRARY_STRUCT_NAMES = {"UpdateData": "PoolSwapLibrary.UpdateData"}
LIBRARIES = {"PoolSwapLibrary"}

REVERT_ERROR = bytes.fromhex("08c379a0")
REVERT_PANIC = bytes.fromhex("4e487b71")


@dataclass(frozen=True)
class Param:
    type: str  # canonical ABI type, structs expanded to tuples
    name: str
    indexed: bool = False
    struct: str | None = None


@dataclass(frozen=True)
class Function:
    contract: str
    name: str
    inputs: tuple[Param, ...]
    outputs: tuple[Param, ...]
    mutability: str

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(p.type for p in self.inputs)})"

    @property
    def selector(self) -> bytes:
        types = [
            LIBRARY_STRUCT_NAMES.get(p.struct, p.type)
            if p.struct and self.contract in LIBRARIES
            else p.type
            for p in self.inputs
        ]
        return keccak(text=f"{self.name}({','.join(types)})")[:4]

    @property
    def input_types(self) -> list[str]:
        return [p.type for p in self.inputs]

    @property
    def output_types(self) -> list[str]:
        return [p.type for p in self.outputs]


@dataclass(frozen=True)
class Event:
    contract: str
    name: str
    params: tuple[Param, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(p.type for p in self.params)})"

    @property
    def topic0(self) -> bytes:
        return keccak(text=self.signature)


@dataclass
class ContractAbi:
    name: str
    constructor: tuple[Param, ...] = ()
    functions: dict[str, Function] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)

    def fn(self, name: str) -> Function:
        try:
            return self.functions[name.split("(")[0]]
        except KeyError:
            raise KeyError(f"{self.name} has no function {name} in the reference ABI") from None


def _split_params(text: str) -> list[str]:
    text = text.strip()
    return [part.strip() for part in text.split(",")] if text else []


def _param(text: str) -> Param:
    words = text.split()
    indexed = "indexed" in words
    words = [w for w in words if w != "indexed"]
    type_, name = words[0], (words[1] if len(words) > 1 else "")
    if type_ in STRUCTS:
        return Param(STRUCTS[type_], name, indexed, struct=type_)
    return Param(type_, name, indexed)


_FUNCTION = re.compile(r"^function (\w+)\((.*?)\)\s*(view|pure|payable)?\s*(?:returns \((.*)\))?$")
_EVENT = re.compile(r"^event (\w+)\((.*)\)$")
_CONSTRUCTOR = re.compile(r"^constructor\((.*)\)$")


@cache
def reference() -> dict[str, ContractAbi]:
    contracts: dict[str, ContractAbi] = {}
    current: ContractAbi | None = None
    lines: list[str] = []
    for raw in APPENDIX_A.strip("\n").split("\n"):
        if raw.startswith("    ") and lines:
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw.strip())
    for line in lines:
        if not line:
            continue
        if line.startswith("#### "):
            current = contracts.setdefault(line[5:].strip(), ContractAbi(line[5:].strip()))
            continue
        assert current is not None, line
        if match := _CONSTRUCTOR.match(line):
            current.constructor = tuple(_param(p) for p in _split_params(match[1]))
        elif match := _FUNCTION.match(line):
            name, args, mutability, returns = match.groups()
            current.functions[name] = Function(
                current.name,
                name,
                tuple(_param(p) for p in _split_params(args)),
                tuple(_param(p) for p in _split_params(returns or "")),
                mutability or "nonpayable",
            )
        elif match := _EVENT.match(line):
            current.events[match[1]] = Event(
                current.name, match[1], tuple(_param(p) for p in _split_params(match[2]))
            )
        elif line.startswith(("fallback()", "receive()")):
            continue
        else:
            raise ValueError(f"cannot parse reference ABI line: {line}")
    return contracts


def abi(contract: str) -> ContractAbi:
    return reference()[contract]


@cache
def events_by_topic() -> dict[bytes, list[Event]]:
    table: dict[bytes, list[Event]] = {}
    for contract in reference().values():
        for event in contract.events.values():
            table.setdefault(event.topic0, []).append(event)
    return table


# ---------------------------------------------------------------------------- values


def _tuple_components(type_: str) -> list[str]:
    inner, depth, parts, current = type_[1:-1], 0, [], ""
    for char in inner:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    if current:
        parts.append(current)
    return parts


def to_abi_value(type_: str, value: Any) -> Any:
    """Convert a JSON-style value (hex strings for bytes, lists for tuples) for eth_abi."""
    if type_.endswith("]"):
        base = type_[: type_.rindex("[")]
        return [to_abi_value(base, v) for v in value]
    if type_.startswith("("):
        return tuple(
            to_abi_value(t, v) for t, v in zip(_tuple_components(type_), value, strict=True)
        )
    if type_.startswith("bytes"):
        return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else value
    if type_ == "address":
        return to_checksum_address(value)
    if type_.startswith(("uint", "int")):
        return int(value)
    return value


def from_abi_value(type_: str, value: Any) -> Any:
    """eth_abi output to a JSON-style value: bytes as 0x-hex, addresses lower-case, lists."""
    if type_.endswith("]"):
        base = type_[: type_.rindex("[")]
        return [from_abi_value(base, v) for v in value]
    if type_.startswith("("):
        return [from_abi_value(t, v) for t, v in zip(_tuple_components(type_), value, strict=True)]
    if type_.startswith("bytes"):
        return "0x" + bytes(value).hex()
    if type_ == "address":
        return str(value).lower()
    return value


def encode_args(types: list[str], args: list[Any]) -> bytes:
    return abi_encode(types, [to_abi_value(t, a) for t, a in zip(types, args, strict=True)])


def encode_call(function: Function, args: list[Any]) -> bytes:
    return function.selector + encode_args(function.input_types, list(args))


def decode_values(types: list[str], data: bytes) -> list[Any]:
    return [from_abi_value(t, v) for t, v in zip(types, abi_decode(types, data), strict=True)]


def decode_output(function: Function, data: bytes) -> Any:
    """A single output as a value, several outputs as a list (the scenario files' rule)."""
    values = decode_values(function.output_types, data)
    if len(values) == 1:
        return values[0]
    return values


def decode_revert(data: bytes) -> str:
    """Error(string) as its message, Panic(uint256) as 'Panic(0x..)', no data as ''."""
    if not data:
        return ""
    if data[:4] == REVERT_ERROR:
        return str(abi_decode(["string"], data[4:])[0])
    if data[:4] == REVERT_PANIC:
        return f"Panic(0x{abi_decode(['uint256'], data[4:])[0]:02x})"
    return "custom error 0x" + data.hex()


def decode_log(
    topics: list[bytes], data: bytes, contract: str | None = None
) -> tuple[str, dict[str, Any]]:
    """Decode one log with the reference event table; unknown events come back as
    ('<unknown topic0>', {...}) so the comparison reports them instead of crashing."""
    candidates = events_by_topic().get(topics[0], []) if topics else []
    if contract is not None:
        own = [e for e in candidates if e.contract == contract]
        candidates = own or candidates
    for event in candidates:
        indexed = [p for p in event.params if p.indexed]
        if len(indexed) != len(topics) - 1:
            continue
        plain = [p for p in event.params if not p.indexed]
        try:
            values = dict(
                zip(
                    (p.name for p in plain),
                    decode_values([p.type for p in plain], data),
                    strict=True,
                )
            )
            for param, topic in zip(indexed, topics[1:], strict=True):
                values[param.name] = decode_values([param.type], topic)[0]
        except Exception:  # data that does not fit this event's layout
            continue
        return event.name, {p.name: values[p.name] for p in event.params}
    return f"<unknown topic {topics[0].hex() if topics else 'none'}>", {
        "topics": ["0x" + t.hex() for t in topics],
        "data": "0x" + data.hex(),
    }


def encode_commit(
    amount: int, commit_type: int, from_aggregate: bool = False, pay_for_claim: bool = False
) -> str:
    """§2.9 packing of commit(bytes32) as 0x-hex."""
    word = amount | commit_type << 128 | int(from_aggregate) << 136 | int(pay_for_claim) << 144
    return "0x" + word.to_bytes(32, "big").hex()


SHORT_MINT, SHORT_BURN, LONG_MINT, LONG_BURN, LONG_BURN_SHORT_MINT, SHORT_BURN_LONG_MINT = range(6)
