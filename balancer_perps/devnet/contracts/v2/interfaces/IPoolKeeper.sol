// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Upkeep entry point of every pool.
interface IPoolKeeper {
    event PoolAdded(address indexed poolAddress, int256 indexed firstPrice);
    event UpkeepSuccessful(address indexed pool, bytes data, int256 indexed startPrice, int256 indexed endPrice);
    event KeeperPaid(address indexed _pool, address indexed keeper, uint256 reward);
    event KeeperPaymentError(address indexed _pool, address indexed keeper, uint256 expectedReward);
    event PoolUpkeepError(address indexed pool, string reason);
    event KeeperRewardsSet(address indexed oldKeeperRewards, address indexed newKeeperRewards);
    event GasPriceChanged(uint256 indexed price);
    /// @dev Declared for ABI compatibility; never emitted.
    event FactoryChanged(address indexed factory);

    function newPool(address _poolAddress) external;

    function keeperRewards() external view returns (address);

    function isUpkeepRequiredSinglePool(address _pool) external view returns (bool);

    function performUpkeepSinglePool(address _pool) external;
}
