// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Paid claims: a user escrows ETH with a commit, and anyone who claims for them after execution earns it.
interface IAutoClaim {
    struct ClaimRequest {
        uint128 updateIntervalId;
        uint256 reward;
    }

    event PaidClaimRequestUpdate(
        address indexed user,
        address indexed poolCommitter,
        uint256 indexed updateIntervalId,
        uint256 newReward
    );
    event PaidRequestExecution(address indexed user, address indexed poolCommitter, uint256 indexed reward);
    event RequestWithdrawn(address indexed user, address indexed poolCommitter);

    function makePaidClaimRequest(address user) external payable;

    function withdrawUserClaimRequest(address user) external;

    function checkUserClaim(address user, address poolCommitter) external view returns (bool);
}
