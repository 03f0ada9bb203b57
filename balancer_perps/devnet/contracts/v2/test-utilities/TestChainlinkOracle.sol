// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Settable Chainlink-style feed for local deployments (8 decimals, price 1e8 at start).
/// @notice latestRoundData always reports round 1, updated at the current block's timestamp.
contract TestChainlinkOracle {
    int256 public price = 1e8;
    uint8 public decimals = 8;

    function setPrice(int256 _price) external {
        price = _price;
    }

    function setDecimals(uint8 _decimals) external {
        decimals = _decimals;
    }

    function latestRoundData()
        external
        view
        returns (
            uint80,
            int256,
            uint256,
            uint256,
            uint80
        )
    {
        return (1, price, 0, block.timestamp, 1);
    }

    string public constant description = "Test Chainlink oracle";
    uint256 public constant version = 1;
}
