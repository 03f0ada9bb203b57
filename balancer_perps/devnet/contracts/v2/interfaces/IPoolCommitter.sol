// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title Per-market entry point for commitments (mints, burns, flips) and claims.
interface IPoolCommitter {
    enum CommitType {
        ShortMint,
        ShortBurn,
        LongMint,
        LongBurn,
        LongBurnShortMint,
        ShortBurnLongMint
    }

    /// @notice A user's escrow ("aggregate balance") held by the pool.
    struct Balance {
        uint256 longTokens;
        uint256 shortTokens;
        uint256 settlementTokens;
    }

    /// @dev *MintSettlement fields are net of the minting fee; *PoolTokens fields are pool-token amounts.
    struct TotalCommitment {
        uint256 longMintSettlement;
        uint256 longBurnPoolTokens;
        uint256 shortMintSettlement;
        uint256 shortBurnPoolTokens;
        uint256 shortBurnLongMintPoolTokens;
        uint256 longBurnShortMintPoolTokens;
    }

    struct UserCommitment {
        uint256 longMintSettlement;
        uint256 longBurnPoolTokens;
        uint256 shortMintSettlement;
        uint256 shortBurnPoolTokens;
        uint256 shortBurnLongMintPoolTokens;
        uint256 longBurnShortMintPoolTokens;
        uint256 updateIntervalId;
    }

    struct Prices {
        bytes16 longPrice;
        bytes16 shortPrice;
    }

    event CreateCommit(
        address indexed user,
        uint256 indexed amount,
        CommitType indexed commitType,
        uint256 appropriateUpdateIntervalId,
        bool fromAggregateBalance,
        bool payForClaim,
        bytes16 mintingFee
    );
    event ExecutedCommitsForInterval(uint256 indexed updateIntervalId, bytes16 burningFee);
    event AggregateBalanceUpdated(address indexed user);
    event Claim(address indexed user);
    event PoolChanged(address indexed newPool);
    event BurningFeeSet(uint256 indexed _burningFee);
    event MintingFeeSet(uint256 indexed _mintingFee);
    event ChangeIntervalSet(uint256 indexed _changeInterval);
    event FeeControllerSet(address indexed _feeController);
    event Paused();
    event Unpaused();

    function initialize(
        address _factory,
        address _autoClaim,
        address _factoryOwner,
        address _feeController,
        address _invariantCheck,
        uint256 _mintingFee,
        uint256 _burningFee,
        uint256 _changeInterval
    ) external;

    function setPool(address _leveragedPool) external;

    function executeCommitments(
        uint256 lastPriceTimestamp,
        uint256 updateInterval,
        uint256 longBalance,
        uint256 shortBalance
    )
        external
        returns (
            uint256,
            uint256,
            uint256,
            uint256,
            uint256
        );

    function claim(address user) external;

    function pause() external;

    function updateIntervalId() external view returns (uint128);

    function getAppropriateUpdateIntervalId() external view returns (uint128);

    function pendingMintSettlementAmount() external view returns (uint256);
}
