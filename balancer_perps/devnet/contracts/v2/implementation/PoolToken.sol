// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "../vendors/CloneableERC20.sol";
import "../interfaces/IPoolToken.sol";

/// @title Long or short token of a pool, deployed as an EIP-1167 clone of a template.
/// @notice The owner is the pool: only it mints, burns and hands over ownership.
contract PoolToken is CloneableERC20, IPoolToken {
    address public owner;

    modifier onlyOwner() {
        require(msg.sender == owner, "msg.sender not owner");
        _;
    }

    /// @dev Used only for the factory's template; clones get their metadata from initialize.
    constructor(uint8 _decimals) {
        _setMetadata("", "", _decimals);
    }

    function initialize(
        address _pool,
        string memory name_,
        string memory symbol_,
        uint8 decimals_
    ) external override initializer {
        owner = _pool;
        _setMetadata(name_, symbol_, decimals_);
    }

    function mint(address account, uint256 amount) external override onlyOwner {
        _mint(account, amount);
    }

    function burn(address account, uint256 amount) external override onlyOwner {
        _burn(account, amount);
    }

    /// @notice Hands the token over to a new owner. Emits no event.
    function transferOwnership(address _owner) external onlyOwner {
        require(_owner != address(0), "Owner: setting to 0 address");
        owner = _owner;
    }
}
