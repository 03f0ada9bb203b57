// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "../interfaces/IPoolFactory.sol";
import "../interfaces/IPoolKeeper.sol";

/// @title Gelato-style resolver: finds the first factory pool that needs an upkeep.
contract Resolver {
    address public immutable poolFactory;
    /// @notice Read from the factory once, at construction.
    address public immutable poolKeeper;

    constructor(address _poolFactory) {
        poolFactory = _poolFactory;
        poolKeeper = IPoolFactory(_poolFactory).getPoolKeeper();
    }

    /// @return canExec whether a pool needs an upkeep
    /// @return execPayLoad calldata of PoolKeeper.performUpkeepSinglePool for that pool
    function checker() external view returns (bool canExec, bytes memory execPayLoad) {
        IPoolFactory factory = IPoolFactory(poolFactory);
        IPoolKeeper keeper = IPoolKeeper(poolKeeper);
        uint256 count = factory.numPools();
        for (uint256 i = 0; i < count; i++) {
            address pool = factory.pools(i);
            if (keeper.isUpkeepRequiredSinglePool(pool)) {
                return (true, abi.encodeWithSelector(IPoolKeeper.performUpkeepSinglePool.selector, pool));
            }
        }
        return (false, "");
    }
}
