// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Computes and pays the reward of the keeper that ran an upkeep.
interface IKeeperRewards {
    event PoolUpkeepError(address indexed pool, string reason);

    function payKeeper(
        address _keeper,
        address _pool,
        uint256 _gasPrice,
        uint256 _gasSpent,
        uint256 _savedPreviousUpdatedTimestamp,
        uint256 _updateInterval
    ) external returns (uint256);
}
