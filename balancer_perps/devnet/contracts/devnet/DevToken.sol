// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Open-mint ERC-20 for the devnet (BAL, B-80BAL-20WETH, auraBAL, USDC)
/// @notice OpenZeppelin 4.2.0 ERC20 with configurable decimals. Anyone may mint: the app shows
///         a faucet on the devnet only.
contract DevToken is ERC20 {
    uint8 private immutable _tokenDecimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _tokenDecimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _tokenDecimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
