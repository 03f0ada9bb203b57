// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@chainlink/contracts/src/v0.8/interfaces/AggregatorV2V3Interface.sol";

/// @title Settable Chainlink-style price feed for the devnet
/// @notice Implements AggregatorV2V3Interface. Anyone may call updateAnswer, which opens a new
///         round (round ids count up from 1, as in Chainlink's own mock aggregator) stamped with
///         the block time. The last ROUNDS_KEPT rounds stay readable through getRoundData,
///         getAnswer and getTimestamp; older rounds revert "No data present", and their
///         answers remain in the AnswerUpdated events. (Keeping every round would grow the
///         devnet's state by three slots per update, which slows anvil down block by block.)
contract DevFeed is AggregatorV2V3Interface {
    uint256 public constant override version = 0;
    uint256 public constant ROUNDS_KEPT = 64;

    struct Round {
        int256 answer;
        uint80 roundId;
        uint64 startedAt;
        uint64 updatedAt;
    }

    uint8 public immutable override decimals;
    string public override description;
    uint256 public override latestRound;

    Round[ROUNDS_KEPT] private _rounds;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        updateAnswer(initialAnswer);
    }

    /// @notice Opens the next round with `answer`, started and updated now.
    function updateAnswer(int256 answer) public {
        _setRound(latestRound + 1, answer, block.timestamp, block.timestamp);
    }

    /// @notice Writes round `roundId` with explicit times and makes it the latest round
    ///         (for tests of stale or incomplete rounds: an updatedAt of 0 is "incomplete").
    function updateRoundData(uint80 roundId, int256 answer, uint256 updatedAt, uint256 startedAt)
        external
    {
        _setRound(roundId, answer, updatedAt, startedAt);
    }

    function latestAnswer() external view override returns (int256) {
        return _round(latestRound).answer;
    }

    function latestTimestamp() external view override returns (uint256) {
        return _round(latestRound).updatedAt;
    }

    function getAnswer(uint256 roundId) external view override returns (int256) {
        return _round(roundId).answer;
    }

    function getTimestamp(uint256 roundId) external view override returns (uint256) {
        return _round(roundId).updatedAt;
    }

    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        Round memory round = _round(roundId);
        return (roundId, round.answer, round.startedAt, round.updatedAt, roundId);
    }

    function latestRoundData()
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        Round memory round = _round(latestRound);
        return (round.roundId, round.answer, round.startedAt, round.updatedAt, round.roundId);
    }

    function _round(uint256 roundId) private view returns (Round storage round) {
        round = _rounds[roundId % ROUNDS_KEPT];
        require(roundId != 0 && round.roundId == roundId, "No data present");
    }

    function _setRound(uint256 roundId, int256 answer, uint256 updatedAt, uint256 startedAt)
        private
    {
        latestRound = roundId;
        _rounds[roundId % ROUNDS_KEPT] = Round(
            answer,
            uint80(roundId),
            uint64(startedAt),
            uint64(updatedAt)
        );
        emit NewRound(roundId, msg.sender, startedAt);
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
