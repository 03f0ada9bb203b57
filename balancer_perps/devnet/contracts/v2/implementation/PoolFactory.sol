// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/proxy/Clones.sol";
import "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import "@openzeppelin/contracts/utils/Strings.sol";

import "../interfaces/IPoolFactory.sol";
import "../interfaces/ILeveragedPool.sol";
import "../interfaces/IPoolCommitter.sol";
import "../interfaces/IPoolKeeper.sol";
import "../interfaces/IPoolToken.sol";
import "../interfaces/IOracleWrapper.sol";
import "./LeveragedPool.sol";
import "./PoolCommitter.sol";
import "./PoolToken.sol";
import "./TwoStepGovernance.sol";

/// @title Permissionless deployer of markets: one pool, one committer and two pool tokens per market,
///        all EIP-1167 clones created with CREATE2 from templates this factory deploys itself.
contract PoolFactory is IPoolFactory, TwoStepGovernance {
    /// @dev 365.2425 days: the management fee is annual and charged per update interval.
    uint256 private constant SECONDS_PER_LEAP_YEAR = 31556952;
    uint256 private constant MAX_FEE = 0.1e18;
    uint256 private constant MAX_DECIMALS = 18;

    address public immutable pairTokenBaseAddress;
    address public immutable poolBaseAddress;
    address public immutable poolCommitterBaseAddress;

    IPoolKeeper public poolKeeper;
    address public override autoClaim;
    address public override invariantCheck;
    address[] public override pools;
    uint256 public override numPools;
    mapping(address => bool) public override isValidPool;
    mapping(address => bool) public override isValidPoolCommitter;

    /// @notice Annual management fee (WAD) given to pools deployed from now on.
    uint256 public fee;
    address public feeReceiver;
    uint256 public secondaryFeeSplitPercent = 10;
    uint256 public deploymentFee;
    address public deploymentFeeToken;
    address public deploymentFeeReceiver;

    constructor(address _feeReceiver, address _governance) {
        require(_feeReceiver != address(0), "Fee receiver cannot be null");
        require(_governance != address(0), "Governance cannot be null");
        feeReceiver = _feeReceiver;
        governance = _governance;

        // Templates, initialised with placeholders so that they can never be initialised again.
        PoolToken pairTokenBase = new PoolToken(18);
        pairTokenBase.initialize(address(this), "BASE_TOKEN", "BASE", 18);
        pairTokenBaseAddress = address(pairTokenBase);

        LeveragedPool poolBase = new LeveragedPool();
        poolBase.initialize(
            ILeveragedPool.Initialization({
                _owner: address(this),
                _keeper: address(this),
                _oracleWrapper: address(this),
                _settlementEthOracle: address(this),
                _longToken: address(pairTokenBase),
                _shortToken: address(pairTokenBase),
                _poolCommitter: address(this),
                _invariantCheck: address(this),
                _poolName: "base",
                _frontRunningInterval: 0,
                _updateInterval: 1,
                _leverageAmount: 1,
                _fee: 0,
                _feeAddress: address(this),
                _secondaryFeeAddress: address(this),
                _settlementToken: address(this),
                _secondaryFeeSplitPercent: 0
            })
        );
        poolBaseAddress = address(poolBase);

        PoolCommitter poolCommitterBase = new PoolCommitter();
        poolCommitterBase.initialize(
            address(this),
            address(this),
            address(this),
            address(this),
            address(this),
            0,
            0,
            0
        );
        poolCommitterBaseAddress = address(poolCommitterBase);
    }

    /// @notice Deploys a market. The caller must be the oracle wrapper's deployer; it becomes the
    ///         pool's secondary fee address.
    function deployPool(PoolDeployment calldata deploymentParameters) external override returns (address) {
        address _poolKeeper = address(poolKeeper);
        require(_poolKeeper != address(0), "PoolKeeper not set");
        require(autoClaim != address(0), "AutoClaim not set");
        require(invariantCheck != address(0), "InvariantCheck not set");
        require(
            IOracleWrapper(deploymentParameters.oracleWrapper).deployer() == msg.sender,
            "Deployer must be oracle wrapper owner"
        );
        require(deploymentParameters.leverageAmount != 0, "Leveraged amount cannot equal 0");
        uint8 settlementDecimals = IERC20Metadata(deploymentParameters.settlementToken).decimals();
        require(settlementDecimals <= MAX_DECIMALS, "Decimal precision too high");

        if (deploymentFee > 0) {
            // The return value is deliberately not checked.
            IERC20(deploymentFeeToken).transferFrom(msg.sender, deploymentFeeReceiver, deploymentFee);
        }

        bytes32 uniquePoolHash = keccak256(
            abi.encode(
                deploymentParameters.frontRunningInterval,
                deploymentParameters.updateInterval,
                deploymentParameters.leverageAmount,
                deploymentParameters.settlementToken,
                deploymentParameters.oracleWrapper
            )
        );

        IPoolCommitter poolCommitter = IPoolCommitter(Clones.cloneDeterministic(poolCommitterBaseAddress, uniquePoolHash));
        poolCommitter.initialize(
            address(this),
            autoClaim,
            governance,
            deploymentParameters.feeController,
            invariantCheck,
            deploymentParameters.mintingFee,
            deploymentParameters.burningFee,
            deploymentParameters.changeInterval
        );

        address pool = Clones.cloneDeterministic(poolBaseAddress, uniquePoolHash);
        emit DeployPool(pool, address(poolCommitter), deploymentParameters.poolName);

        _initializePool(pool, address(poolCommitter), settlementDecimals, deploymentParameters);

        poolCommitter.setPool(pool);
        emit DeployCommitter(
            address(poolCommitter),
            deploymentParameters.settlementToken,
            pool,
            deploymentParameters.changeInterval,
            deploymentParameters.feeController
        );
        IPoolKeeper(_poolKeeper).newPool(pool);

        pools.push(pool);
        numPools += 1;
        isValidPool[pool] = true;
        isValidPoolCommitter[address(poolCommitter)] = true;
        return pool;
    }

    function _initializePool(
        address pool,
        address poolCommitter,
        uint8 settlementDecimals,
        PoolDeployment calldata deploymentParameters
    ) private {
        string memory leverage = Strings.toString(deploymentParameters.leverageAmount);
        address longToken = _deployPairToken(pool, leverage, settlementDecimals, deploymentParameters, "L-");
        address shortToken = _deployPairToken(pool, leverage, settlementDecimals, deploymentParameters, "S-");

        ILeveragedPool(pool).initialize(
            ILeveragedPool.Initialization({
                _owner: governance,
                _keeper: address(poolKeeper),
                _oracleWrapper: deploymentParameters.oracleWrapper,
                _settlementEthOracle: deploymentParameters.settlementEthOracle,
                _longToken: longToken,
                _shortToken: shortToken,
                _poolCommitter: poolCommitter,
                _invariantCheck: invariantCheck,
                _poolName: string(abi.encodePacked(leverage, "-", deploymentParameters.poolName)),
                _frontRunningInterval: deploymentParameters.frontRunningInterval,
                _updateInterval: deploymentParameters.updateInterval,
                _leverageAmount: deploymentParameters.leverageAmount,
                _fee: (fee * deploymentParameters.updateInterval) / SECONDS_PER_LEAP_YEAR,
                _feeAddress: feeReceiver,
                _secondaryFeeAddress: msg.sender,
                _settlementToken: deploymentParameters.settlementToken,
                _secondaryFeeSplitPercent: secondaryFeeSplitPercent
            })
        );
    }

    /// @dev The token salt leaves out the intervals: a second market with the same leverage,
    ///      settlement token and oracle wrapper collides here ("ERC1167: create2 failed").
    function _deployPairToken(
        address pool,
        string memory leverage,
        uint8 settlementDecimals,
        PoolDeployment calldata deploymentParameters,
        string memory direction
    ) private returns (address) {
        bytes32 uniqueTokenHash = keccak256(
            abi.encode(
                deploymentParameters.leverageAmount,
                deploymentParameters.settlementToken,
                deploymentParameters.oracleWrapper,
                direction
            )
        );
        string memory tokenName = string(abi.encodePacked(leverage, direction, deploymentParameters.poolName));
        address token = Clones.cloneDeterministic(pairTokenBaseAddress, uniqueTokenHash);
        IPoolToken(token).initialize(pool, tokenName, tokenName, settlementDecimals);
        return token;
    }

    function getPoolKeeper() external view override returns (address) {
        return address(poolKeeper);
    }

    function setPoolKeeper(address _poolKeeper) external onlyGov {
        require(_poolKeeper != address(0), "cannot be null");
        poolKeeper = IPoolKeeper(_poolKeeper);
        emit PoolKeeperChanged(_poolKeeper);
    }

    function setAutoClaim(address _autoClaim) external onlyGov {
        require(_autoClaim != address(0), "cannot be null");
        autoClaim = _autoClaim;
        emit AutoClaimChanged(_autoClaim);
    }

    function setInvariantCheck(address _invariantCheck) external onlyGov {
        require(_invariantCheck != address(0), "cannot be null");
        invariantCheck = _invariantCheck;
        emit InvariantCheckChanged(_invariantCheck);
    }

    function setFeeReceiver(address _feeReceiver) external onlyGov {
        require(_feeReceiver != address(0), "Fee receiver cannot be null");
        feeReceiver = _feeReceiver;
        emit FeeReceiverChanged(_feeReceiver);
    }

    /// @notice Annual management fee (WAD) for future deployments; at most 10 %.
    function setFee(uint256 _fee) external onlyGov {
        require(_fee <= MAX_FEE, "Fee cannot be > 10%");
        fee = _fee;
        emit FeeChanged(_fee);
    }

    function setDeploymentFee(
        address _token,
        uint256 _fee,
        address _receiver
    ) external onlyGov {
        require(_token != address(0), "Token cannot be null");
        deploymentFeeToken = _token;
        deploymentFee = _fee;
        deploymentFeeReceiver = _receiver;
        emit DeploymentFeeChanged(_token, _fee, _receiver);
    }

    function setSecondaryFeeSplitPercent(uint256 newFeePercent) external onlyGov {
        require(newFeePercent <= 100, "Secondary fee split cannot exceed 100%");
        secondaryFeeSplitPercent = newFeePercent;
        emit SecondaryFeeSplitChanged(newFeePercent);
    }
}
