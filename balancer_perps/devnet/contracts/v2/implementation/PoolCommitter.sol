// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import "../interfaces/IPoolCommitter.sol";
import "../interfaces/ILeveragedPool.sol";
import "../interfaces/IAutoClaim.sol";
import "../libraries/PoolSwapLibrary.sol";
import "../libraries/CalldataLogic.sol";

/// @title Per-market queue of commitments (mints, burns, flips), their execution at upkeep, and
///        the users' lazily updated aggregate balances ("escrow").
/// @dev Deployed as an EIP-1167 clone by the PoolFactory and set up once through initialize.
contract PoolCommitter is IPoolCommitter, Initializable {
    uint128 public constant LONG_INDEX = 0;
    uint128 public constant SHORT_INDEX = 1;
    /// @notice quad(1e18) = 100 %
    bytes16 public constant MAX_MINTING_FEE = 0x403abc16d674ec800000000000000000;
    /// @notice quad(1e17) = 10 %
    bytes16 public constant MAX_BURNING_FEE = 0x40376345785d8a000000000000000000;
    bytes16 public constant MAX_CHANGE_INTERVAL = MAX_MINTING_FEE;
    /// @notice Most intervals executed per upkeep, and most interval ids aggregated per update.
    uint8 public constant MAX_ITERATIONS = 15;

    /// @notice Id of the next interval to execute; starts at 1.
    uint128 public override updateIntervalId;
    bytes16 public mintingFee;
    bytes16 public burningFee;
    bytes16 public changeInterval;
    uint256 public override pendingMintSettlementAmount;
    uint256 public pendingLongBurnPoolTokens;
    uint256 public pendingShortBurnPoolTokens;

    IAutoClaim public autoClaim;
    address[2] public tokens;
    address public leveragedPool;
    address public factory;
    address public governance;
    address public feeController;
    address public invariantCheck;
    bool public paused;

    mapping(uint256 => Prices) public priceHistory;
    mapping(uint256 => bytes16) public burnFeeHistory;
    mapping(uint256 => TotalCommitment) public totalPoolCommitments;
    mapping(address => mapping(uint256 => UserCommitment)) public userCommitments;
    /// @notice Interval ids a user has commitments in that are not yet aggregated (no length getter).
    mapping(address => uint256[]) public unAggregatedCommitments;
    mapping(address => Balance) public userAggregateBalance;
    /// @dev Declared for ABI compatibility; never written.
    mapping(address => uint256) public lastUpdatedIntervalId;

    /// @dev Running state of one executeCommitments call.
    struct Execution {
        uint256 longBalance;
        uint256 shortBalance;
        uint256 longSupply;
        uint256 shortSupply;
        uint256 longMinted;
        uint256 shortMinted;
    }

    modifier onlyFeeController() {
        require(msg.sender == feeController, "msg.sender not fee controller");
        _;
    }

    modifier onlyGov() {
        require(msg.sender == governance, "msg.sender not governance");
        _;
    }

    function initialize(
        address _factory,
        address _autoClaim,
        address _factoryOwner,
        address _feeController,
        address _invariantCheck,
        uint256 _mintingFee,
        uint256 _burningFee,
        uint256 _changeInterval
    ) external override initializer {
        require(_factory != address(0), "Factory cannot be null");
        require(_autoClaim != address(0), "AutoClaim cannot be null");
        require(_feeController != address(0), "fee controller cannot be null");
        require(_invariantCheck != address(0), "invariantCheck cannot be null");
        updateIntervalId = 1;
        factory = _factory;
        mintingFee = PoolSwapLibrary.convertUIntToDecimal(_mintingFee);
        burningFee = PoolSwapLibrary.convertUIntToDecimal(_burningFee);
        changeInterval = PoolSwapLibrary.convertUIntToDecimal(_changeInterval);
        require(mintingFee <= MAX_MINTING_FEE, "Minting fee exceeds limit");
        require(burningFee <= MAX_BURNING_FEE, "Burning fee exceeds limit");
        require(changeInterval <= MAX_CHANGE_INTERVAL, "Change Interval exceeds limit");
        feeController = _feeController;
        autoClaim = IAutoClaim(_autoClaim);
        governance = _factoryOwner;
        invariantCheck = _invariantCheck;
    }

    function setPool(address _leveragedPool) external override {
        require(msg.sender == factory, "Committer: not factory");
        require(_leveragedPool != address(0), "Leveraged pool cannot be null");
        leveragedPool = _leveragedPool;
        tokens = ILeveragedPool(_leveragedPool).poolTokens();
        emit PoolChanged(_leveragedPool);
    }

    /// @notice Queues a mint, burn or flip. `args` packs amount, type and flags (see CalldataLogic).
    function commit(bytes32 args) external payable {
        (uint256 amount, uint8 rawCommitType, bool fromAggregateBalance, bool payForClaim) = CalldataLogic
            .decodeCommitParams(args);
        require(amount > 0, "Amount must not be zero");
        updateAggregateBalance(msg.sender);
        uint256 appropriateIntervalId = getAppropriateUpdateIntervalId();
        // Reverts with Panic(0x21) for a type byte above 5.
        CommitType commitType = CommitType(rawCommitType);

        _applyCommitment(amount, commitType, fromAggregateBalance, appropriateIntervalId);

        if (payForClaim) {
            require(msg.value != 0, "Must pay for claim");
            autoClaim.makePaidClaimRequest{value: msg.value}(msg.sender);
        } else {
            require(msg.value == 0, "msg.value must be zero");
        }

        emit CreateCommit(
            msg.sender,
            amount,
            commitType,
            appropriateIntervalId,
            fromAggregateBalance,
            payForClaim,
            mintingFee
        );
    }

    function _applyCommitment(
        uint256 amount,
        CommitType commitType,
        bool fromAggregateBalance,
        uint256 id
    ) private {
        userCommitments[msg.sender][id].updateIntervalId = id;

        // Only the last element is compared, so ids can repeat after a reordering (harmless).
        uint256[] storage ids = unAggregatedCommitments[msg.sender];
        uint256 idCount = ids.length;
        if (idCount == 0 || ids[idCount - 1] < id) {
            ids.push(id);
        }

        if (commitType == CommitType.LongMint || commitType == CommitType.ShortMint) {
            _applyMint(amount, commitType == CommitType.LongMint, fromAggregateBalance, id);
        } else {
            _applyBurn(amount, commitType, fromAggregateBalance, id);
        }
    }

    function _applyMint(
        uint256 amount,
        bool isLongMint,
        bool fromAggregateBalance,
        uint256 id
    ) private {
        if (fromAggregateBalance) {
            Balance storage escrow = userAggregateBalance[msg.sender];
            require(escrow.settlementTokens >= amount, "Insufficient settlement tokens");
            escrow.settlementTokens -= amount;
        }
        uint256 fee = PoolSwapLibrary.mintingOrBurningFee(mintingFee, amount);
        uint256 amountAfterFee = amount - fee;
        pendingMintSettlementAmount += amountAfterFee;

        ILeveragedPool pool = ILeveragedPool(leveragedPool);
        // The fee goes to the side at once, to the benefit of its current holders.
        (uint256 shortBalance, uint256 longBalance) = pool.balances();
        if (isLongMint) {
            userCommitments[msg.sender][id].longMintSettlement += amountAfterFee;
            totalPoolCommitments[id].longMintSettlement += amountAfterFee;
            pool.setNewPoolBalances(longBalance + fee, shortBalance);
        } else {
            userCommitments[msg.sender][id].shortMintSettlement += amountAfterFee;
            totalPoolCommitments[id].shortMintSettlement += amountAfterFee;
            pool.setNewPoolBalances(longBalance, shortBalance + fee);
        }
        if (!fromAggregateBalance) {
            pool.settlementTokenTransferFrom(msg.sender, address(pool), amount);
        }
    }

    function _applyBurn(
        uint256 amount,
        CommitType commitType,
        bool fromAggregateBalance,
        uint256 id
    ) private {
        bool burnsLong = commitType == CommitType.LongBurn || commitType == CommitType.LongBurnShortMint;
        address burner = msg.sender;
        if (fromAggregateBalance) {
            Balance storage escrow = userAggregateBalance[msg.sender];
            if (burnsLong) {
                require(escrow.longTokens >= amount, "Insufficient pool tokens");
                escrow.longTokens -= amount;
            } else {
                require(escrow.shortTokens >= amount, "Insufficient pool tokens");
                escrow.shortTokens -= amount;
            }
            // Escrowed tokens are held by the pool.
            burner = leveragedPool;
        }
        ILeveragedPool(leveragedPool).burnTokens(burnsLong ? LONG_INDEX : SHORT_INDEX, amount, burner);

        UserCommitment storage userCommit = userCommitments[msg.sender][id];
        TotalCommitment storage totalCommit = totalPoolCommitments[id];
        if (commitType == CommitType.LongBurn) {
            userCommit.longBurnPoolTokens += amount;
            totalCommit.longBurnPoolTokens += amount;
        } else if (commitType == CommitType.ShortBurn) {
            userCommit.shortBurnPoolTokens += amount;
            totalCommit.shortBurnPoolTokens += amount;
        } else if (commitType == CommitType.LongBurnShortMint) {
            userCommit.longBurnShortMintPoolTokens += amount;
            totalCommit.longBurnShortMintPoolTokens += amount;
        } else {
            userCommit.shortBurnLongMintPoolTokens += amount;
            totalCommit.shortBurnLongMintPoolTokens += amount;
        }
        if (burnsLong) {
            pendingLongBurnPoolTokens += amount;
        } else {
            pendingShortBurnPoolTokens += amount;
        }
    }

    /// @notice Aggregates the user's executed commitments, then sends the whole escrow to the user.
    function claim(address user) external override {
        require(msg.sender == user || msg.sender == address(autoClaim), "msg.sender not committer or AutoClaim");
        require(!paused, "Pool is paused");
        updateAggregateBalance(user);
        Balance memory balance = userAggregateBalance[user];
        delete userAggregateBalance[user];
        emit Claim(user);

        // A self-claim makes a claimable paid request pointless: refund it.
        if (msg.sender == user && autoClaim.checkUserClaim(user, address(this))) {
            autoClaim.withdrawUserClaimRequest(user);
        }

        ILeveragedPool pool = ILeveragedPool(leveragedPool);
        if (balance.settlementTokens > 0) {
            pool.settlementTokenTransfer(user, balance.settlementTokens);
        }
        if (balance.longTokens > 0) {
            pool.poolTokenTransfer(true, user, balance.longTokens);
        }
        if (balance.shortTokens > 0) {
            pool.poolTokenTransfer(false, user, balance.shortTokens);
        }
    }

    /// @notice Executes every due interval (at most 15), carrying balances and token supplies from
    ///         one interval to the next, then updates the minting fee once.
    /// @return (longMinted, shortMinted, newLongBalance, newShortBalance, newLastPriceTimestamp)
    function executeCommitments(
        uint256 lastPriceTimestamp,
        uint256 updateInterval,
        uint256 longBalance,
        uint256 shortBalance
    )
        external
        override
        returns (
            uint256,
            uint256,
            uint256,
            uint256,
            uint256
        )
    {
        require(msg.sender == leveragedPool, "msg.sender not leveragedPool");
        Execution memory state = Execution({
            longBalance: longBalance,
            shortBalance: shortBalance,
            longSupply: IERC20(tokens[LONG_INDEX]).totalSupply(),
            shortSupply: IERC20(tokens[SHORT_INDEX]).totalSupply(),
            longMinted: 0,
            shortMinted: 0
        });

        uint256 executed = 0;
        while (
            executed < MAX_ITERATIONS && block.timestamp >= lastPriceTimestamp + updateInterval * (executed + 1)
        ) {
            _executeInterval(state);
            executed++;
        }
        _updateMintingFee(state);

        uint256 newLastPriceTimestamp = block.timestamp;
        if (
            executed == MAX_ITERATIONS &&
            block.timestamp >= lastPriceTimestamp + updateInterval * (uint256(MAX_ITERATIONS) + 1)
        ) {
            // A backlog remains: let the next upkeep continue from the last executed interval.
            newLastPriceTimestamp = lastPriceTimestamp + updateInterval * MAX_ITERATIONS;
        }
        return (state.longMinted, state.shortMinted, state.longBalance, state.shortBalance, newLastPriceTimestamp);
    }

    function _executeInterval(Execution memory state) private {
        uint256 id = updateIntervalId;
        TotalCommitment memory commitment = totalPoolCommitments[id];
        bytes16 _burningFee = burningFee;
        burnFeeHistory[id] = _burningFee;
        pendingMintSettlementAmount -= commitment.longMintSettlement + commitment.shortMintSettlement;

        uint256 pendingLongBurns = pendingLongBurnPoolTokens;
        uint256 pendingShortBurns = pendingShortBurnPoolTokens;
        uint256 longToShortSettlement;
        uint256 shortToLongSettlement;
        {
            // Prices count every pending burn, including those committed for later intervals.
            bytes16 longPrice = PoolSwapLibrary.getPrice(state.longBalance, state.longSupply + pendingLongBurns);
            bytes16 shortPrice = PoolSwapLibrary.getPrice(state.shortBalance, state.shortSupply + pendingShortBurns);
            priceHistory[id] = Prices(longPrice, shortPrice);

            // Computed even without flips: a zero price reverts here ("price == 0") and freezes the pool.
            bytes16 _mintingFee = mintingFee;
            (longToShortSettlement, , ) = PoolSwapLibrary.processBurnInstantMintCommit(
                commitment.longBurnShortMintPoolTokens,
                longPrice,
                _burningFee,
                _mintingFee
            );
            (shortToLongSettlement, , ) = PoolSwapLibrary.processBurnInstantMintCommit(
                commitment.shortBurnLongMintPoolTokens,
                shortPrice,
                _burningFee,
                _mintingFee
            );
        }

        uint256 longBurnTokens = commitment.longBurnPoolTokens + commitment.longBurnShortMintPoolTokens;
        uint256 shortBurnTokens = commitment.shortBurnPoolTokens + commitment.shortBurnLongMintPoolTokens;
        uint256 longMinted;
        uint256 shortMinted;
        (state.longBalance, longMinted) = _executeSide(
            state.longBalance,
            state.longSupply,
            pendingLongBurns,
            commitment.longMintSettlement + shortToLongSettlement,
            longBurnTokens
        );
        (state.shortBalance, shortMinted) = _executeSide(
            state.shortBalance,
            state.shortSupply,
            pendingShortBurns,
            commitment.shortMintSettlement + longToShortSettlement,
            shortBurnTokens
        );
        pendingLongBurnPoolTokens = pendingLongBurns - longBurnTokens;
        pendingShortBurnPoolTokens = pendingShortBurns - shortBurnTokens;
        state.longSupply += longMinted;
        state.shortSupply += shortMinted;
        state.longMinted += longMinted;
        state.shortMinted += shortMinted;

        emit ExecutedCommitsForInterval(id, _burningFee);
        delete totalPoolCommitments[id];
        updateIntervalId = uint128(id + 1);
    }

    /// @dev Pool-level mint and burn of one side in one interval, in plain integers.
    /// @return (new side balance, pool tokens minted)
    function _executeSide(
        uint256 balance,
        uint256 supply,
        uint256 pendingBurns,
        uint256 mintSettlement,
        uint256 burnTokens
    ) private pure returns (uint256, uint256) {
        uint256 minted = PoolSwapLibrary.getMintAmount(supply, mintSettlement, balance, pendingBurns);
        uint256 withdrawn = PoolSwapLibrary.getWithdrawAmountOnBurn(supply, burnTokens, balance, pendingBurns);
        return (balance + mintSettlement - withdrawn, minted);
    }

    /// @dev Lowers the minting fee by changeInterval when longPrice * shortPrice > 1, raises it otherwise.
    function _updateMintingFee(Execution memory state) private {
        bytes16 product = PoolSwapLibrary.multiplyBytes(
            PoolSwapLibrary.getPrice(state.longBalance, state.longSupply),
            PoolSwapLibrary.getPrice(state.shortBalance, state.shortSupply)
        );
        bytes16 fee = mintingFee;
        bytes16 step = changeInterval;
        if (PoolSwapLibrary.compareDecimals(PoolSwapLibrary.ONE, product) == -1) {
            if (PoolSwapLibrary.compareDecimals(fee, step) == -1) {
                fee = 0;
            } else {
                fee = PoolSwapLibrary.subtractBytes(fee, step);
            }
        } else {
            fee = PoolSwapLibrary.addBytes(fee, step);
            if (PoolSwapLibrary.compareDecimals(fee, MAX_MINTING_FEE) == 1) {
                fee = MAX_MINTING_FEE;
            }
        }
        mintingFee = fee;
    }

    /// @notice Folds the user's executed commitments (at most 15 interval ids) into their escrow and
    ///         credits the burn and flip fees they owe to the pool's sides.
    function updateAggregateBalance(address user) public {
        uint256[] storage ids = unAggregatedCommitments[user];
        uint256 length = ids.length;
        uint256 limit = length < MAX_ITERATIONS ? length : MAX_ITERATIONS;
        uint256 currentIntervalId = updateIntervalId;
        bytes16 currentMintingFee = mintingFee;

        PoolSwapLibrary.UpdateResult memory sum;
        uint256[] memory stillPending = new uint256[](limit);
        uint256 pendingCount = 0;
        for (uint256 i = 0; i < limit; i++) {
            uint256 id = ids[i];
            if (id == 0) {
                continue;
            }
            if (id >= currentIntervalId) {
                stillPending[pendingCount++] = id;
                continue;
            }
            PoolSwapLibrary.UpdateResult memory result = PoolSwapLibrary.getUpdatedAggregateBalance(
                _updateData(user, id, currentMintingFee, currentIntervalId)
            );
            sum._newLongTokens += result._newLongTokens;
            sum._newShortTokens += result._newShortTokens;
            sum._longSettlementFee += result._longSettlementFee;
            sum._shortSettlementFee += result._shortSettlementFee;
            sum._newSettlementTokens += result._newSettlementTokens;
            delete userCommitments[user][id];
            if (length > MAX_ITERATIONS) {
                ids[i] = 0;
            }
        }

        if (length > MAX_ITERATIONS) {
            // Swap-and-pop every aggregated slot; this reorders the array.
            uint256 i = 0;
            while (i < ids.length) {
                if (ids[i] == 0) {
                    ids[i] = ids[ids.length - 1];
                    ids.pop();
                } else {
                    i++;
                }
            }
        } else {
            // Keep just the pending ids, in order.
            for (uint256 j = 0; j < pendingCount; j++) {
                ids[j] = stillPending[j];
            }
            while (ids.length > pendingCount) {
                ids.pop();
            }
        }

        Balance storage balance = userAggregateBalance[user];
        balance.longTokens += sum._newLongTokens;
        balance.shortTokens += sum._newShortTokens;
        balance.settlementTokens += sum._newSettlementTokens;

        ILeveragedPool pool = ILeveragedPool(leveragedPool);
        (uint256 shortBalance, uint256 longBalance) = pool.balances();
        pool.setNewPoolBalances(longBalance + sum._longSettlementFee, shortBalance + sum._shortSettlementFee);
        emit AggregateBalanceUpdated(user);
    }

    function _updateData(
        address user,
        uint256 id,
        bytes16 currentMintingFee,
        uint256 currentIntervalId
    ) private view returns (PoolSwapLibrary.UpdateData memory) {
        UserCommitment storage commitment = userCommitments[user][id];
        Prices storage prices = priceHistory[id];
        return
            PoolSwapLibrary.UpdateData({
                longPrice: prices.longPrice,
                shortPrice: prices.shortPrice,
                mintingFeeRate: currentMintingFee,
                currentUpdateIntervalId: currentIntervalId,
                updateIntervalId: commitment.updateIntervalId,
                longMintSettlement: commitment.longMintSettlement,
                longBurnPoolTokens: commitment.longBurnPoolTokens,
                shortMintSettlement: commitment.shortMintSettlement,
                shortBurnPoolTokens: commitment.shortBurnPoolTokens,
                longBurnShortMintPoolTokens: commitment.longBurnShortMintPoolTokens,
                shortBurnLongMintPoolTokens: commitment.shortBurnLongMintPoolTokens,
                burnFee: burnFeeHistory[id]
            });
    }

    /// @notice The user's escrow including executed but not yet aggregated commitments (at most 15 ids).
    function getAggregateBalance(address user) external view returns (Balance memory) {
        Balance memory balance = userAggregateBalance[user];
        uint256[] storage ids = unAggregatedCommitments[user];
        uint256 length = ids.length;
        uint256 limit = length < MAX_ITERATIONS ? length : MAX_ITERATIONS;
        uint256 currentIntervalId = updateIntervalId;
        bytes16 currentMintingFee = mintingFee;
        for (uint256 i = 0; i < limit; i++) {
            uint256 id = ids[i];
            if (id == 0 || id >= currentIntervalId) {
                continue;
            }
            PoolSwapLibrary.UpdateResult memory result = PoolSwapLibrary.getUpdatedAggregateBalance(
                _updateData(user, id, currentMintingFee, currentIntervalId)
            );
            balance.longTokens += result._newLongTokens;
            balance.shortTokens += result._newShortTokens;
            balance.settlementTokens += result._newSettlementTokens;
        }
        return balance;
    }

    /// @notice The interval a commit made now would be queued in.
    function getAppropriateUpdateIntervalId() public view override returns (uint128) {
        ILeveragedPool pool = ILeveragedPool(leveragedPool);
        return
            uint128(
                PoolSwapLibrary.appropriateUpdateIntervalId(
                    block.timestamp,
                    pool.lastPriceTimestamp(),
                    pool.frontRunningInterval(),
                    pool.updateInterval(),
                    updateIntervalId
                )
            );
    }

    function setMintingFee(uint256 _mintingFee) external onlyFeeController {
        mintingFee = PoolSwapLibrary.convertUIntToDecimal(_mintingFee);
        require(mintingFee <= MAX_MINTING_FEE, "Minting fee > 100%");
        emit MintingFeeSet(_mintingFee);
    }

    function setBurningFee(uint256 _burningFee) external onlyFeeController {
        burningFee = PoolSwapLibrary.convertUIntToDecimal(_burningFee);
        require(burningFee < MAX_BURNING_FEE, "Burning fee >= 10%");
        emit BurningFeeSet(_burningFee);
    }

    function setChangeInterval(uint256 _changeInterval) external onlyFeeController {
        changeInterval = PoolSwapLibrary.convertUIntToDecimal(_changeInterval);
        require(changeInterval <= MAX_CHANGE_INTERVAL, "Change Interval exceeds limit");
        emit ChangeIntervalSet(_changeInterval);
    }

    function setFeeController(address _feeController) external {
        require(msg.sender == governance || msg.sender == feeController, "Cannot set feeController");
        feeController = _feeController;
        emit FeeControllerSet(_feeController);
    }

    function pause() external override {
        require(msg.sender == invariantCheck, "msg.sender not invariantCheck");
        paused = true;
        emit Paused();
    }

    function unpause() external onlyGov {
        paused = false;
        emit Unpaused();
    }

    function getMintingFee() external view returns (uint256) {
        return PoolSwapLibrary.convertDecimalToUInt(mintingFee);
    }

    function getBurningFee() external view returns (uint256) {
        return PoolSwapLibrary.convertDecimalToUInt(burningFee);
    }

    function isMint(CommitType t) external pure returns (bool) {
        return t == CommitType.ShortMint || t == CommitType.LongMint;
    }

    function isBurn(CommitType t) external pure returns (bool) {
        return t == CommitType.ShortBurn || t == CommitType.LongBurn;
    }

    function isLong(CommitType t) external pure returns (bool) {
        return t == CommitType.LongMint || t == CommitType.LongBurn;
    }

    function isShort(CommitType t) external pure returns (bool) {
        return t == CommitType.ShortMint || t == CommitType.ShortBurn;
    }
}
