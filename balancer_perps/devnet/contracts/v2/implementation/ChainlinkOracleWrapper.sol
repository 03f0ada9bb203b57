// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@chainlink/contracts/src/v0.8/interfaces/AggregatorV2V3Interface.sol";

import "../interfaces/IOracleWrapper.sol";

/// @title Spot price of a Chainlink aggregator, scaled to 18 decimals.
/// @notice No time-based staleness check; zero and negative answers pass through.
contract ChainlinkOracleWrapper is IOracleWrapper {
    address public immutable override oracle;
    address public immutable override deployer;
    /// @notice 10^(18 - aggregator decimals)
    int256 public immutable scaler;

    uint8 private constant MAX_DECIMALS = 18;

    constructor(address _oracle, address _deployer) {
        require(_oracle != address(0), "Oracle cannot be null");
        require(_deployer != address(0), "Deployer cannot be null");
        oracle = _oracle;
        deployer = _deployer;
        uint8 oracleDecimals = AggregatorV2V3Interface(_oracle).decimals();
        require(oracleDecimals <= MAX_DECIMALS, "COA: too many decimals");
        scaler = int256(10**uint256(MAX_DECIMALS - oracleDecimals));
    }

    function decimals() external pure override returns (uint8) {
        return MAX_DECIMALS;
    }

    function getPrice() external view override returns (int256) {
        (int256 price, ) = _latestRoundData();
        return price;
    }

    /// @notice (price, abi.encodePacked(uint80 roundId))
    function getPriceAndMetadata() external view override returns (int256, bytes memory) {
        (int256 price, uint80 roundId) = _latestRoundData();
        return (price, abi.encodePacked(roundId));
    }

    function _latestRoundData() private view returns (int256, uint80) {
        (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredInRound) = AggregatorV2V3Interface(oracle)
            .latestRoundData();
        require(answeredInRound >= roundId, "COA: Stale answer");
        require(updatedAt != 0, "COA: Round incomplete");
        return (answer * scaler, roundId);
    }

    /// @notice Converts a WAD value back to the aggregator's decimals (truncating toward zero).
    function fromWad(int256 wad) external view override returns (int256) {
        return wad / scaler;
    }

    /// @notice A spot price has nothing to record.
    function poll() external pure override returns (int256) {
        return 0;
    }
}
