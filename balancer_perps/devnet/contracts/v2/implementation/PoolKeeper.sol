// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/access/Ownable.sol";

import "../interfaces/IPoolKeeper.sol";
import "../interfaces/IPoolFactory.sol";
import "../interfaces/ILeveragedPool.sol";
import "../interfaces/IOracleWrapper.sol";
import "../interfaces/IKeeperRewards.sol";
import "../libraries/CalldataLogic.sol";

/// @title Upkeep entry point: polls a due pool's oracle, runs its upkeep and pays the caller.
/// @notice The caller is paid even when the pool's upkeep fails with a reason string.
contract PoolKeeper is IPoolKeeper, Ownable {
    /// @notice Last price each pool was upkept at (WAD; may be <= 0).
    mapping(address => int256) public executionPrice;
    IPoolFactory public immutable factory;
    address public override keeperRewards;
    /// @notice Gas price used for keeper rewards (not tx.gasprice).
    uint256 public gasPrice = 10 gwei;

    constructor(address _factory) {
        require(_factory != address(0), "Factory cannot be null");
        factory = IPoolFactory(_factory);
    }

    /// @notice Registers a new pool and records its first price (which must be positive).
    function newPool(address _poolAddress) external override {
        require(msg.sender == address(factory), "Caller not factory");
        IOracleWrapper oracleWrapper = IOracleWrapper(ILeveragedPool(_poolAddress).oracleWrapper());
        oracleWrapper.poll();
        int256 firstPrice = oracleWrapper.getPrice();
        require(firstPrice > 0, "First price is non-positive");
        emit PoolAdded(_poolAddress, firstPrice);
        executionPrice[_poolAddress] = firstPrice;
    }

    /// @notice True for a factory pool whose update interval has passed, paused or not.
    function isUpkeepRequiredSinglePool(address _pool) public view override returns (bool) {
        if (!factory.isValidPool(_pool)) {
            return false;
        }
        return ILeveragedPool(_pool).intervalPassed();
    }

    function checkUpkeepMultiplePools(address[] calldata _pools) external view returns (bool) {
        for (uint256 i = 0; i < _pools.length; i++) {
            if (isUpkeepRequiredSinglePool(_pools[i])) {
                return true;
            }
        }
        return false;
    }

    function performUpkeepSinglePool(address _pool) public override {
        uint256 startGas = gasleft();
        if (!isUpkeepRequiredSinglePool(_pool)) {
            return;
        }
        ILeveragedPool pool = ILeveragedPool(_pool);

        // Only Error(string) reverts are caught; a Panic or an empty revert ends the transaction.
        try IOracleWrapper(pool.oracleWrapper()).poll() {} catch Error(string memory reason) {
            emit PoolUpkeepError(_pool, reason);
        }

        (int256 latestPrice, bytes memory data, uint256 savedPreviousUpdatedTimestamp, uint256 updateInterval) = pool
            .getUpkeepInformation();
        int256 lastExecutionPrice = executionPrice[_pool];

        try pool.poolUpkeep(lastExecutionPrice, latestPrice) {
            executionPrice[_pool] = latestPrice;
            emit UpkeepSuccessful(_pool, data, lastExecutionPrice, latestPrice);
        } catch Error(string memory reason) {
            emit PoolUpkeepError(_pool, reason);
        }

        // Paid whatever the outcome above; not caught.
        uint256 gasSpent = startGas - gasleft();
        uint256 reward = IKeeperRewards(keeperRewards).payKeeper(
            msg.sender,
            _pool,
            gasPrice,
            gasSpent,
            savedPreviousUpdatedTimestamp,
            updateInterval
        );
        if (reward > 0) {
            emit KeeperPaid(_pool, msg.sender, reward);
        } else {
            emit KeeperPaymentError(_pool, msg.sender, reward);
        }
    }

    function performUpkeepMultiplePools(address[] calldata pools) external {
        for (uint256 i = 0; i < pools.length; i++) {
            performUpkeepSinglePool(pools[i]);
        }
    }

    /// @param pools 20-byte addresses, concatenated (L2Encoder.encodeAddressArray)
    function performUpkeepMultiplePoolsPacked(bytes calldata pools) external {
        require(pools.length % 20 == 0, "Data must only include addresses");
        address[] memory poolAddresses = CalldataLogic.decodeAddressArray(pools);
        for (uint256 i = 0; i < poolAddresses.length; i++) {
            performUpkeepSinglePool(poolAddresses[i]);
        }
    }

    function setKeeperRewards(address _keeperRewards) external onlyOwner {
        require(_keeperRewards != address(0), "KeeperRewards cannot be 0 address");
        emit KeeperRewardsSet(keeperRewards, _keeperRewards);
        keeperRewards = _keeperRewards;
    }

    function setGasPrice(uint256 _price) external onlyOwner {
        gasPrice = _price;
        emit GasPriceChanged(_price);
    }
}
