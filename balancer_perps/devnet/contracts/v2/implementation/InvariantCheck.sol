// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import "../interfaces/IInvariantCheck.sol";
import "../interfaces/IPoolFactory.sol";
import "../interfaces/ILeveragedPool.sol";
import "../interfaces/IPoolCommitter.sol";

/// @title Pauses a pool and its committer when the pool holds less settlement than
///        pending mints + long balance + short balance.
contract InvariantCheck is IInvariantCheck {
    IPoolFactory public immutable poolFactory;

    constructor(address _factory) {
        require(_factory != address(0), "Factory cannot be null");
        poolFactory = IPoolFactory(_factory);
    }

    function checkInvariants(address poolToCheck) external override {
        require(poolFactory.isValidPool(poolToCheck), "Pool is invalid");
        ILeveragedPool pool = ILeveragedPool(poolToCheck);
        IPoolCommitter poolCommitter = IPoolCommitter(pool.poolCommitter());
        uint256 poolBalance = IERC20(pool.settlementToken()).balanceOf(poolToCheck);
        (uint256 shortBalance, uint256 longBalance) = pool.balances();
        uint256 owed = poolCommitter.pendingMintSettlementAmount() + longBalance + shortBalance;
        if (poolBalance < owed) {
            pool.pause();
            poolCommitter.pause();
            emit InvariantsFail("Balance invariant fails");
        } else {
            emit InvariantsHold();
        }
    }
}
