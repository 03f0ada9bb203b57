// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Pauses a pool and its committer when the pool holds less settlement than it owes.
interface IInvariantCheck {
    event InvariantsHold();
    event InvariantsFail(string message);

    function checkInvariants(address poolToCheck) external;
}
