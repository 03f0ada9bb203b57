// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Price source of a pool: prices are WAD (18-decimal) int256 values.
interface IOracleWrapper {
    function oracle() external view returns (address);

    function decimals() external view returns (uint8);

    /// @notice The only address that may deploy a pool using this wrapper.
    function deployer() external view returns (address);

    function getPrice() external view returns (int256);

    function getPriceAndMetadata() external view returns (int256, bytes memory);

    function fromWad(int256 wad) external view returns (int256);

    /// @notice Lets a stateful oracle (an SMA) record an observation; returns its price.
    function poll() external returns (int256);
}
