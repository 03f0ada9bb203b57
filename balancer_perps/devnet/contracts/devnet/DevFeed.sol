// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@chainlink/contracts/src/v0.8/interfaces/AggregatorV2V3Interface.sol";

/// @title Settable Chainlink-style price feed for the devnet
/// @notice Implements AggregatorV2V3Interface. Anyone may call updateAnswer, which opens a new
///         round (round ids count up from 1, as in Chainlink's own mock aggregator) stamped with
///         the block time. Past rounds stay readable through getRoundData.
contract DevFeed is AggregatorV2V3Interface {
    uint256 public constant override version = 0;

    uint8 public immutable override decimals;
    string public override description;

    int256 public override latestAnswer;
    uint256 public override latestTimestamp;
    uint256 public override latestRound;

    mapping(uint256 => int256) public override getAnswer;
    mapping(uint256 => uint256) public override getTimestamp;
    mapping(uint256 => uint256) private _startedAt;

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

    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        return (roundId, getAnswer[roundId], _startedAt[roundId], getTimestamp[roundId], roundId);
    }

    function latestRoundData()
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        uint80 roundId = uint80(latestRound);
        return (roundId, latestAnswer, _startedAt[roundId], latestTimestamp, roundId);
    }

    function _setRound(uint256 roundId, int256 answer, uint256 updatedAt, uint256 startedAt)
        private
    {
        latestRound = roundId;
        latestAnswer = answer;
        latestTimestamp = updatedAt;
        getAnswer[roundId] = answer;
        getTimestamp[roundId] = updatedAt;
        _startedAt[roundId] = startedAt;
        emit NewRound(roundId, msg.sender, startedAt);
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
