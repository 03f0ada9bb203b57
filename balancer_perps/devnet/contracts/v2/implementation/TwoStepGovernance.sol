// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Governance with a two-step hand-over: the current governor proposes, the new one claims.
abstract contract TwoStepGovernance {
    address public governance;
    address public provisionalGovernance;
    bool public governanceTransferInProgress;

    event ProvisionalGovernanceChanged(address indexed newAddress);
    event GovernanceAddressChanged(address indexed oldAddress, address indexed newAddress);

    modifier onlyGov() {
        _checkGovernance();
        _;
    }

    function _checkGovernance() internal view {
        require(msg.sender == governance, "msg.sender not governance");
    }

    function transferGovernance(address _governance) external onlyGov {
        require(_governance != governance, "New governance address cannot be same as old governance address");
        require(_governance != address(0), "Governance cannot be null");
        provisionalGovernance = _governance;
        governanceTransferInProgress = true;
        emit ProvisionalGovernanceChanged(_governance);
    }

    function claimGovernance() external {
        require(governanceTransferInProgress, "No governance change active");
        address newGovernance = provisionalGovernance;
        require(msg.sender == newGovernance, "Not provisional governor");
        address oldGovernance = governance;
        governance = newGovernance;
        governanceTransferInProgress = false;
        emit GovernanceAddressChanged(oldGovernance, newGovernance);
    }
}
