// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Decoders for the packed calldata formats (commit arguments and 20-byte address lists).
/// @dev Internal: inlined into its callers.
library CalldataLogic {
    /// @notice Splits a packed commit argument. Bits 0-127: amount; 128-135: commit type;
    ///         136-143: fromAggregateBalance; 144-151: payForClaim; 152-255: ignored.
    /// @dev Lenient on purpose: any non-zero flag byte means true, and the commit type is returned
    ///      as the raw byte so that an out-of-range value only fails (Panic 0x21) where the caller
    ///      first converts it to the enum.
    function decodeCommitParams(bytes32 args)
        internal
        pure
        returns (
            uint256 amount,
            uint8 commitType,
            bool fromAggregateBalance,
            bool payForClaim
        )
    {
        uint256 packed = uint256(args);
        amount = uint128(packed);
        commitType = uint8(packed >> 128);
        fromAggregateBalance = uint8(packed >> 136) != 0;
        payForClaim = uint8(packed >> 144) != 0;
    }

    /// @notice Splits concatenated 20-byte addresses. The caller checks that the length is a multiple of 20.
    function decodeAddressArray(bytes calldata packed) internal pure returns (address[] memory addresses) {
        uint256 count = packed.length / 20;
        addresses = new address[](count);
        for (uint256 i = 0; i < count; i++) {
            addresses[i] = address(bytes20(packed[i * 20:i * 20 + 20]));
        }
    }
}
