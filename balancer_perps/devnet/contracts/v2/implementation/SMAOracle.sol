// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "../interfaces/IOracleWrapper.sol";

/// @title Simple moving average of another oracle wrapper's price.
/// @notice Only the PoolKeeper polls it; each poll records at most one observation, and only once
///         the SMA's own update interval has elapsed since the last one.
contract SMAOracle is IOracleWrapper {
    int8 public constant MAX_PERIODS = 24;
    uint8 public constant override decimals = 18;

    /// @notice Observations by sequence number; only the last numPeriods are kept.
    mapping(int256 => int256) public prices;
    int256 public periodCount;
    int256 public immutable numPeriods;
    uint256 public immutable updateInterval;
    uint256 public lastUpdate;
    /// @notice 10^(18 - input decimals)
    int256 public immutable scaler;
    address public immutable override oracle;
    address public immutable override deployer;
    address public poolKeeper;
    address public governance;

    modifier onlyGov() {
        require(msg.sender == governance, "SMA: Only callable by governance");
        _;
    }

    constructor(
        address _inputOracle,
        int256 _numPeriods,
        uint256 _updateInterval,
        address _deployer,
        address _poolKeeper,
        address _gov
    ) {
        require(
            _inputOracle != address(0) && _deployer != address(0) && _poolKeeper != address(0) && _gov != address(0),
            "SMA: Null address forbidden"
        );
        require(_numPeriods > 0 && _numPeriods <= MAX_PERIODS, "SMA: Out of bounds");
        require(_updateInterval != 0, "SMA: Update interval cannot be 0");
        oracle = _inputOracle;
        numPeriods = _numPeriods;
        updateInterval = _updateInterval;
        deployer = _deployer;
        poolKeeper = _poolKeeper;
        governance = _gov;
        scaler = int256(10**(uint256(decimals) - IOracleWrapper(_inputOracle).decimals()));
    }

    function setPoolKeeper(address _poolKeeper) external onlyGov {
        require(_poolKeeper != address(0), "SMA: Null address forbidden");
        poolKeeper = _poolKeeper;
    }

    function setGovernance(address _governance) external onlyGov {
        require(_governance != address(0), "SMA: Null address forbidden");
        governance = _governance;
    }

    /// @notice Mean of the last min(periodCount, numPeriods) observations; 0 if there are none.
    function getPrice() public view override returns (int256) {
        int256 count = periodCount < numPeriods ? periodCount : numPeriods;
        if (count == 0) {
            return 0;
        }
        int256 sum = 0;
        for (int256 i = periodCount - count; i < periodCount; i++) {
            sum += prices[i];
        }
        return sum / count;
    }

    /// @notice (SMA price, empty metadata)
    function getPriceAndMetadata() external view override returns (int256 _price, bytes memory _data) {
        _price = getPrice();
        _data = "";
    }

    function fromWad(int256 wad) external view override returns (int256) {
        return wad / scaler;
    }

    /// @notice Records an observation if the SMA's update interval has elapsed; returns the SMA.
    function poll() external override returns (int256) {
        require(msg.sender == poolKeeper, "SMA: Only callable by PoolKeeper");
        if (block.timestamp >= lastUpdate + updateInterval) {
            int256 count = periodCount;
            prices[count] = IOracleWrapper(oracle).getPrice() * scaler;
            delete prices[count - numPeriods];
            periodCount = count + 1;
            lastUpdate = block.timestamp;
        }
        return getPrice();
    }
}
