// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/utils/Address.sol";

import "../interfaces/IAutoClaim.sol";
import "../interfaces/IPoolCommitter.sol";
import "../interfaces/IPoolFactory.sol";
import "../libraries/CalldataLogic.sol";

/// @title Paid claims: ETH escrowed with a commit goes to whoever claims for the user once the
///        commitment's interval has executed.
/// @notice One request per (user, committer). A further paid commit while the request is pending
///         adds to its reward and keeps its interval id.
contract AutoClaim is IAutoClaim {
    using Address for address payable;

    mapping(address => mapping(address => ClaimRequest)) public claimRequests;
    IPoolFactory internal immutable poolFactory;

    modifier onlyPoolCommitter() {
        require(poolFactory.isValidPoolCommitter(msg.sender), "msg.sender not valid PoolCommitter");
        _;
    }

    modifier validPoolCommitter(address poolCommitter) {
        _checkPoolCommitter(poolCommitter);
        _;
    }

    constructor(address _poolFactoryAddress) {
        require(_poolFactoryAddress != address(0), "PoolFactory cannot be null");
        poolFactory = IPoolFactory(_poolFactoryAddress);
    }

    function _checkPoolCommitter(address poolCommitter) private view {
        require(poolFactory.isValidPoolCommitter(poolCommitter), "Invalid pool committer contract");
    }

    /// @notice Called by a committer during a paid commit, with the ETH attached.
    function makePaidClaimRequest(address user) external payable override onlyPoolCommitter {
        ClaimRequest storage request = claimRequests[user][msg.sender];
        IPoolCommitter poolCommitter = IPoolCommitter(msg.sender);
        uint256 requestIntervalId = request.updateIntervalId;

        if (checkClaim(request, poolCommitter.updateIntervalId())) {
            // The previous request is claimable: claim it for the user and give the user its ETH back.
            uint256 oldReward = request.reward;
            delete claimRequests[user][msg.sender];
            poolCommitter.claim(user);
            payable(user).sendValue(oldReward);
            emit PaidRequestExecution(user, msg.sender, oldReward);
            requestIntervalId = 0;
        }

        if (requestIntervalId == 0) {
            uint128 appropriateIntervalId = poolCommitter.getAppropriateUpdateIntervalId();
            request.updateIntervalId = appropriateIntervalId;
            request.reward = msg.value;
            emit PaidClaimRequestUpdate(user, msg.sender, appropriateIntervalId, msg.value);
        } else {
            request.reward += msg.value;
            emit PaidClaimRequestUpdate(user, msg.sender, requestIntervalId, request.reward);
        }
    }

    /// @notice Claims for `user` if their request is claimable and pays its reward to the caller.
    ///         Does nothing when there is no claimable request.
    function paidClaim(address user, address poolCommitterAddress) external validPoolCommitter(poolCommitterAddress) {
        uint256 reward = _paidClaim(
            user,
            poolCommitterAddress,
            IPoolCommitter(poolCommitterAddress).updateIntervalId()
        );
        if (reward > 0) {
            payable(msg.sender).sendValue(reward);
        }
    }

    /// @param args users' 20-byte addresses, concatenated
    function multiPaidClaimSinglePoolCommitter(bytes calldata args, address poolCommitterAddress) external {
        require(args.length % 20 == 0, "args must only include addresses");
        _checkPoolCommitter(poolCommitterAddress);
        address[] memory users = CalldataLogic.decodeAddressArray(args);
        uint256 currentIntervalId = IPoolCommitter(poolCommitterAddress).updateIntervalId();
        uint256 reward = 0;
        for (uint256 i = 0; i < users.length; i++) {
            reward += _paidClaim(users[i], poolCommitterAddress, currentIntervalId);
        }
        if (reward > 0) {
            payable(msg.sender).sendValue(reward);
        }
    }

    /// @param args1 users' 20-byte addresses, concatenated
    /// @param args2 the matching committers' 20-byte addresses, concatenated
    function multiPaidClaimMultiplePoolCommitters(bytes calldata args1, bytes calldata args2) external {
        require(args1.length % 20 == 0 && args2.length % 20 == 0, "args must only include addresses");
        require(args1.length == args2.length, "args must be same length");
        address[] memory users = CalldataLogic.decodeAddressArray(args1);
        address[] memory poolCommitters = CalldataLogic.decodeAddressArray(args2);
        uint256 reward = 0;
        for (uint256 i = 0; i < users.length; i++) {
            address poolCommitter = poolCommitters[i];
            _checkPoolCommitter(poolCommitter);
            reward += _paidClaim(users[i], poolCommitter, IPoolCommitter(poolCommitter).updateIntervalId());
        }
        if (reward > 0) {
            payable(msg.sender).sendValue(reward);
        }
    }

    /// @dev Returns the reward earned, 0 when the request is missing or not yet claimable.
    function _paidClaim(
        address user,
        address poolCommitterAddress,
        uint256 currentUpdateIntervalId
    ) private returns (uint256) {
        ClaimRequest memory request = claimRequests[user][poolCommitterAddress];
        if (!checkClaim(request, currentUpdateIntervalId)) {
            return 0;
        }
        delete claimRequests[user][poolCommitterAddress];
        IPoolCommitter(poolCommitterAddress).claim(user);
        emit PaidRequestExecution(user, poolCommitterAddress, request.reward);
        return request.reward;
    }

    /// @notice Cancels the caller's request on a committer and refunds its ETH.
    function withdrawClaimRequest(address poolCommitter) external validPoolCommitter(poolCommitter) {
        uint256 reward = claimRequests[msg.sender][poolCommitter].reward;
        if (claimRequests[msg.sender][poolCommitter].updateIntervalId != 0) {
            delete claimRequests[msg.sender][poolCommitter];
            payable(msg.sender).sendValue(reward);
            emit RequestWithdrawn(msg.sender, poolCommitter);
        }
    }

    /// @notice Called by a committer when a user claims themself: refunds the request's ETH, without event.
    function withdrawUserClaimRequest(address user) external override onlyPoolCommitter {
        uint256 reward = claimRequests[user][msg.sender].reward;
        delete claimRequests[user][msg.sender];
        payable(user).sendValue(reward);
    }

    function checkUserClaim(address user, address poolCommitter) external view override returns (bool) {
        return checkClaim(claimRequests[user][poolCommitter], IPoolCommitter(poolCommitter).updateIntervalId());
    }

    /// @notice A request is claimable once its interval has executed.
    function checkClaim(ClaimRequest memory request, uint256 currentUpdateIntervalId) public pure returns (bool) {
        return request.updateIntervalId != 0 && request.updateIntervalId < currentUpdateIntervalId;
    }

    receive() external payable {
        revert();
    }

    fallback() external payable {
        revert();
    }
}
