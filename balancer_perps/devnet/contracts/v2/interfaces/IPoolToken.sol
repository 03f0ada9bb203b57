// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title The long or short token of a pool; only the pool (its owner) mints and burns.
interface IPoolToken is IERC20 {
    function initialize(
        address _pool,
        string memory name_,
        string memory symbol_,
        uint8 decimals_
    ) external;

    function mint(address account, uint256 amount) external;

    function burn(address account, uint256 amount) external;
}
