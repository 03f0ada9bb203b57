// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/utils/math/SafeCast.sol";

import "../interfaces/IPoolCommitter.sol";

/// @title Packs calldata for PoolCommitter.commit and the packed upkeep/claim functions.
contract L2Encoder {
    /// @notice amount (bits 0-127) | commitType << 128 | fromAggregateBalance << 136 | payForClaim << 144
    function encodeCommitParams(
        uint256 amount,
        IPoolCommitter.CommitType commitType,
        bool fromAggregateBalance,
        bool payForClaim
    ) external pure returns (bytes32) {
        uint256 packed = SafeCast.toUint128(amount);
        packed |= uint256(commitType) << 128;
        if (fromAggregateBalance) {
            packed |= 1 << 136;
        }
        if (payForClaim) {
            packed |= 1 << 144;
        }
        return bytes32(packed);
    }

    /// @notice Concatenates the addresses, 20 bytes each.
    function encodeAddressArray(address[] calldata args) external pure returns (bytes memory) {
        bytes memory packed;
        for (uint256 i = 0; i < args.length; i++) {
            packed = abi.encodePacked(packed, args[i]);
        }
        return packed;
    }
}
