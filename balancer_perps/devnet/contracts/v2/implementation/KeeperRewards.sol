// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import "../interfaces/IKeeperRewards.sol";
import "../interfaces/ILeveragedPool.sol";
import "../interfaces/IOracleWrapper.sol";
import "../libraries/PoolSwapLibrary.sol";

/// @title Keeper reward: the upkeep's gas cost in settlement tokens plus a tip that grows with lateness.
contract KeeperRewards is IKeeperRewards {
    /// @notice The PoolKeeper, the only caller of payKeeper.
    address public immutable keeper;

    uint256 public constant BASE_TIP = 5;
    uint256 public constant TIP_DELTA_PER_BLOCK = 5;
    uint256 public constant BLOCK_TIME = 13;
    uint256 public constant MAX_TIP = 100;
    /// @notice Gas not measured by the PoolKeeper (calibrated on the original bytecode).
    uint256 public constant FIXED_GAS_OVERHEAD = 80195;
    /// @notice quad(1e18)
    bytes16 public constant FIXED_POINT = 0x403abc16d674ec800000000000000000;

    constructor(address _keeper) {
        require(_keeper != address(0), "PoolKeeper cannot be 0 address");
        keeper = _keeper;
    }

    /// @notice Pays the keeper out of the pool's sides. Returns the amount paid, or 0 if the pool
    ///         could not pay it.
    function payKeeper(
        address _keeper,
        address _pool,
        uint256 _gasPrice,
        uint256 _gasSpent,
        uint256 _savedPreviousUpdatedTimestamp,
        uint256 _updateInterval
    ) external override returns (uint256) {
        require(msg.sender == keeper, "msg.sender not keeper");
        ILeveragedPool pool = ILeveragedPool(_pool);
        IOracleWrapper settlementEthOracle = IOracleWrapper(pool.settlementEthOracle());
        try settlementEthOracle.poll() {} catch Error(string memory reason) {
            emit PoolUpkeepError(_pool, reason);
        }
        int256 settlementTokenPrice = settlementEthOracle.getPrice();
        require(settlementTokenPrice >= 0, "settlement price must be >= 0");

        uint256 reward = keeperReward(
            _pool,
            _gasPrice,
            _gasSpent,
            _savedPreviousUpdatedTimestamp,
            _updateInterval,
            uint256(settlementTokenPrice)
        );
        if (pool.payKeeperFromBalances(_keeper, reward)) {
            return reward;
        }
        return 0;
    }

    /// @notice Reward in settlement-token units: gas cost plus tip, scaled from WAD to the token's decimals.
    function keeperReward(
        address _pool,
        uint256 _gasPrice,
        uint256 _gasSpent,
        uint256 _savedPreviousUpdatedTimestamp,
        uint256 _poolInterval,
        uint256 _settlementTokenPrice
    ) public view returns (uint256) {
        uint256 gasCost = keeperGas(_gasPrice, _gasSpent, _settlementTokenPrice);
        uint256 tip = keeperTip(_savedPreviousUpdatedTimestamp, _poolInterval);
        uint256 rewardWad = gasCost + (gasCost * tip) / 100;
        uint256 decimals = IERC20Metadata(ILeveragedPool(_pool).settlementToken()).decimals();
        return PoolSwapLibrary.fromWad(rewardWad, decimals);
    }

    /// @notice Gas cost in settlement WAD: gasPrice * (gasSpent + overhead) * settlementPerEth / 1e18, in quads.
    function keeperGas(
        uint256 _gasPrice,
        uint256 _gasSpent,
        uint256 _settlementTokenPrice
    ) public pure returns (uint256) {
        if (_settlementTokenPrice == 0) {
            return 0;
        }
        bytes16 weiSpent = PoolSwapLibrary.convertUIntToDecimal(_gasPrice * (_gasSpent + FIXED_GAS_OVERHEAD));
        bytes16 price = PoolSwapLibrary.convertUIntToDecimal(_settlementTokenPrice);
        return
            PoolSwapLibrary.convertDecimalToUInt(
                ABDKMathQuad.div(PoolSwapLibrary.multiplyBytes(weiSpent, price), FIXED_POINT)
            );
    }

    /// @notice Tip in percent: 5 plus 5 per 13 s of lateness, at most 100.
    function keeperTip(uint256 _savedPreviousUpdatedTimestamp, uint256 _poolInterval) public view returns (uint256) {
        uint256 lateness = block.timestamp - (_savedPreviousUpdatedTimestamp + _poolInterval);
        uint256 tip = BASE_TIP + (TIP_DELTA_PER_BLOCK * lateness) / BLOCK_TIME;
        return tip < MAX_TIP ? tip : MAX_TIP;
    }
}
