// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Open-mint OpenZeppelin 4.2.0 ERC20 for local deployments: anyone may mint, burn and set decimals.
contract TestToken is ERC20 {
    uint8 private _decimals = 18;

    constructor(string memory name, string memory symbol) ERC20(name, symbol) {}

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function setDecimals(uint8 newDecimals) external {
        _decimals = newDecimals;
    }

    function mint(address account, uint256 amount) external {
        _mint(account, amount);
    }

    function burn(address account, uint256 amount) external {
        _burn(account, amount);
    }
}
