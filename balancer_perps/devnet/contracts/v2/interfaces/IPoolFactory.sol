// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Deployer and registry of pools and their committers.
interface IPoolFactory {
    /// @notice Parameters of deployPool. Fee fields are WAD fractions (1% = 1e16).
    /// @dev changeInterval precedes burningFee here (the reverse of PoolCommitter.initialize).
    struct PoolDeployment {
        string poolName;
        uint32 frontRunningInterval;
        uint32 updateInterval;
        uint16 leverageAmount;
        address settlementToken;
        address oracleWrapper;
        address settlementEthOracle;
        address feeController;
        uint256 mintingFee;
        uint256 changeInterval;
        uint256 burningFee;
    }

    event DeployPool(address indexed pool, address poolCommitter, string ticker);
    event DeployCommitter(
        address poolCommitterAddress,
        address settlementToken,
        address pool,
        uint256 changeInterval,
        address feeController
    );
    event PoolKeeperChanged(address _poolKeeper);
    event AutoClaimChanged(address indexed autoClaim);
    event InvariantCheckChanged(address indexed invariantCheck);
    event FeeReceiverChanged(address indexed receiver);
    event FeeChanged(uint256 indexed fee);
    event SecondaryFeeSplitChanged(uint256 indexed fee);
    event DeploymentFeeChanged(address _token, uint256 fee, address _receiver);
    /// @dev Declared for ABI compatibility; never emitted.
    event MaxLeverageChanged(uint256 indexed leverage);
    /// @dev Declared for ABI compatibility; never emitted.
    event MintAndBurnFeesChanged(uint256 indexed mint, uint256 indexed burn);

    function deployPool(PoolDeployment calldata deploymentParameters) external returns (address);

    function pools(uint256) external view returns (address);

    function numPools() external view returns (uint256);

    function isValidPool(address) external view returns (bool);

    function isValidPoolCommitter(address) external view returns (bool);

    function getPoolKeeper() external view returns (address);

    function autoClaim() external view returns (address);

    function invariantCheck() external view returns (address);

}
