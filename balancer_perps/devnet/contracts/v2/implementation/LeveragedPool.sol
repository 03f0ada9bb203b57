// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import "../interfaces/ILeveragedPool.sol";
import "../interfaces/IPoolCommitter.sol";
import "../interfaces/IPoolKeeper.sol";
import "../interfaces/IPoolToken.sol";
import "../interfaces/IOracleWrapper.sol";
import "../libraries/PoolSwapLibrary.sol";
import "./TwoStepGovernance.sol";

/// @title One market: holds all settlement tokens and unclaimed pool tokens, and moves value
///        between the long and short sides at each upkeep.
/// @dev Deployed as an EIP-1167 clone by the PoolFactory and set up once through initialize.
contract LeveragedPool is ILeveragedPool, Initializable, TwoStepGovernance {
    using SafeERC20 for IERC20;

    uint256 public constant LONG_INDEX = 0;
    uint256 public constant SHORT_INDEX = 1;

    uint256 public longBalance;
    uint256 public shortBalance;
    /// @notice Fees accrued for the primary / secondary fee address, not yet claimed.
    uint256 public primaryFees;
    uint256 public secondaryFees;
    uint256 public override lastPriceTimestamp;
    uint256 public secondaryFeeSplitPercent;

    address[2] public tokens;
    address public override settlementToken;
    address public override poolCommitter;
    address public override oracleWrapper;
    address public override settlementEthOracle;
    address public keeper;
    address public invariantCheck;
    address public feeAddress;
    address public secondaryFeeAddress;

    uint32 public override updateInterval;
    uint32 public override frontRunningInterval;
    bool public paused;
    /// @notice Leverage as a quad integer.
    bytes16 public leverageAmount;
    /// @notice Management fee charged per upkeep: a WAD fraction held as a quad.
    bytes16 public fee;
    string public poolName;

    modifier onlyKeeper() {
        require(msg.sender == keeper, "msg.sender not keeper");
        _;
    }

    modifier onlyKeeperRewards() {
        require(msg.sender == IPoolKeeper(keeper).keeperRewards(), "msg.sender not keeperRewards");
        _;
    }

    modifier onlyPoolCommitter() {
        _checkPoolCommitter();
        _;
    }

    modifier onlyUnpaused() {
        _checkUnpaused();
        _;
    }

    function _checkPoolCommitter() private view {
        require(msg.sender == poolCommitter, "msg.sender not poolCommitter");
    }

    function _checkUnpaused() private view {
        require(!paused, "Pool is paused");
    }

    function initialize(ILeveragedPool.Initialization calldata initialization) external override initializer {
        require(initialization._feeAddress != address(0), "Fee cannot be null");
        require(initialization._settlementToken != address(0), "Settlement token cannot be null");
        require(initialization._oracleWrapper != address(0), "Oracle wrapper cannot be null");
        require(initialization._settlementEthOracle != address(0), "Keeper oracle cannot be null");
        require(initialization._owner != address(0), "Owner cannot be null");
        require(initialization._keeper != address(0), "Keeper cannot be null");
        require(initialization._longToken != address(0), "Long token cannot be null");
        require(initialization._shortToken != address(0), "Short token cannot be null");
        require(initialization._poolCommitter != address(0), "PoolCommitter cannot be null");
        require(initialization._invariantCheck != address(0), "InvariantCheck cannot be null");
        require(initialization._fee < PoolSwapLibrary.WAD_PRECISION, "Fee >= 100%");
        require(initialization._secondaryFeeSplitPercent <= 100, "Secondary fee split cannot exceed 100%");
        require(initialization._updateInterval != 0, "Update interval cannot be 0");

        settlementToken = initialization._settlementToken;
        oracleWrapper = initialization._oracleWrapper;
        settlementEthOracle = initialization._settlementEthOracle;
        governance = initialization._owner;
        keeper = initialization._keeper;
        tokens[LONG_INDEX] = initialization._longToken;
        tokens[SHORT_INDEX] = initialization._shortToken;
        poolCommitter = initialization._poolCommitter;
        invariantCheck = initialization._invariantCheck;
        poolName = initialization._poolName;
        frontRunningInterval = initialization._frontRunningInterval;
        updateInterval = initialization._updateInterval;
        leverageAmount = PoolSwapLibrary.convertUIntToDecimal(initialization._leverageAmount);
        fee = PoolSwapLibrary.convertUIntToDecimal(initialization._fee);
        feeAddress = initialization._feeAddress;
        secondaryFeeAddress = initialization._secondaryFeeAddress;
        secondaryFeeSplitPercent = initialization._secondaryFeeSplitPercent;
        lastPriceTimestamp = block.timestamp;

        emit PoolInitialized(
            initialization._longToken,
            initialization._shortToken,
            initialization._settlementToken,
            initialization._poolName
        );
    }

    /// @notice Value transfer and management fee for the move from _oldPrice to _newPrice, then
    ///         execution of every due interval (at most 15) and the mint of the net new pool tokens.
    function poolUpkeep(int256 _oldPrice, int256 _newPrice) external override onlyKeeper onlyUnpaused {
        require(intervalPassed(), "Update interval hasn't passed");
        uint256 savedPreviousUpdatedTimestamp = lastPriceTimestamp;
        // Moved ahead now so that nothing can upkeep this pool again within the call.
        lastPriceTimestamp = block.timestamp;

        _executePriceChange(_oldPrice, _newPrice);

        (
            uint256 longMintAmount,
            uint256 shortMintAmount,
            uint256 newLongBalance,
            uint256 newShortBalance,
            uint256 newLastPriceTimestamp
        ) = IPoolCommitter(poolCommitter).executeCommitments(
                savedPreviousUpdatedTimestamp,
                updateInterval,
                longBalance,
                shortBalance
            );
        lastPriceTimestamp = newLastPriceTimestamp;
        longBalance = newLongBalance;
        shortBalance = newShortBalance;

        if (longMintAmount > 0) {
            IPoolToken(tokens[LONG_INDEX]).mint(address(this), longMintAmount);
        }
        if (shortMintAmount > 0) {
            IPoolToken(tokens[SHORT_INDEX]).mint(address(this), shortMintAmount);
        }
    }

    /// @dev A price <= 0 on either end suppresses the transfer and the fee (PriceChangeError).
    function _executePriceChange(int256 _oldPrice, int256 _newPrice) private {
        if (_oldPrice <= 0 || _newPrice <= 0) {
            emit PriceChangeError(_oldPrice, _newPrice);
            return;
        }
        uint256 _longBalance = longBalance;
        uint256 _shortBalance = shortBalance;
        (uint256 newLongBalance, uint256 newShortBalance, uint256 longFee, uint256 shortFee) = PoolSwapLibrary
            .calculateValueTransfer(_longBalance, _shortBalance, leverageAmount, _oldPrice, _newPrice, fee);
        emit PoolRebalance(
            int256(newShortBalance) - int256(_shortBalance),
            int256(newLongBalance) - int256(_longBalance),
            shortFee,
            longFee
        );
        longBalance = newLongBalance;
        shortBalance = newShortBalance;
        _feeTransfer(longFee + shortFee);
    }

    /// @dev Splits the management fee between the primary and the secondary fee address.
    function _feeTransfer(uint256 totalFeeAmount) private {
        if (secondaryFeeAddress == address(0)) {
            primaryFees += totalFeeAmount;
        } else {
            uint256 secondaryFee = PoolSwapLibrary.mulFraction(totalFeeAmount, secondaryFeeSplitPercent, 100);
            secondaryFees += secondaryFee;
            primaryFees += totalFeeAmount - secondaryFee;
        }
    }

    /// @notice Pays a keeper reward out of both sides, pro rata. Returns false (and pays nothing)
    ///         when the reward is not below the pool's total side balance.
    function payKeeperFromBalances(address to, uint256 amount)
        external
        override
        onlyKeeperRewards
        onlyUnpaused
        returns (bool)
    {
        uint256 _shortBalance = shortBalance;
        uint256 _longBalance = longBalance;
        if (amount >= _shortBalance + _longBalance) {
            return false;
        }
        (shortBalance, longBalance) = PoolSwapLibrary.getBalancesAfterFees(amount, _shortBalance, _longBalance);
        IERC20(settlementToken).safeTransfer(to, amount);
        return true;
    }

    function settlementTokenTransfer(address to, uint256 amount) external override onlyPoolCommitter onlyUnpaused {
        IERC20(settlementToken).safeTransfer(to, amount);
    }

    function settlementTokenTransferFrom(
        address from,
        address to,
        uint256 amount
    ) external override onlyPoolCommitter onlyUnpaused {
        IERC20(settlementToken).safeTransferFrom(from, to, amount);
    }

    function poolTokenTransfer(
        bool isLongToken,
        address to,
        uint256 amount
    ) external override onlyPoolCommitter onlyUnpaused {
        IPoolToken(tokens[isLongToken ? LONG_INDEX : SHORT_INDEX]).transfer(to, amount);
    }

    function burnTokens(
        uint256 tokenType,
        uint256 amount,
        address burner
    ) external override onlyPoolCommitter onlyUnpaused {
        IPoolToken(tokens[tokenType]).burn(burner, amount);
    }

    /// @notice Long balance first (balances() returns short first).
    function setNewPoolBalances(uint256 _longBalance, uint256 _shortBalance)
        external
        override
        onlyPoolCommitter
        onlyUnpaused
    {
        longBalance = _longBalance;
        shortBalance = _shortBalance;
        emit PoolBalancesChanged(_longBalance, _shortBalance);
    }

    function claimPrimaryFees() external {
        uint256 amount = primaryFees;
        primaryFees = 0;
        address to = feeAddress;
        IERC20(settlementToken).safeTransfer(to, amount);
        emit PrimaryFeesPaid(to, amount);
    }

    function claimSecondaryFees() external {
        uint256 amount = secondaryFees;
        secondaryFees = 0;
        address to = secondaryFeeAddress;
        IERC20(settlementToken).safeTransfer(to, amount);
        emit SecondaryFeesPaid(to, amount);
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

    function setKeeper(address _keeper) external onlyGov {
        require(_keeper != address(0), "Keeper cannot be null");
        emit KeeperAddressChanged(keeper, _keeper);
        keeper = _keeper;
    }

    function updateFeeAddress(address account) external onlyGov onlyUnpaused {
        require(account != address(0), "Account cannot be null");
        emit FeeAddressUpdated(feeAddress, account);
        feeAddress = account;
    }

    /// @notice Only the current secondary fee address may change it (to anything, 0 included).
    function updateSecondaryFeeAddress(address account) external {
        address oldAddress = secondaryFeeAddress;
        require(msg.sender == oldAddress);
        secondaryFeeAddress = account;
        emit SecondaryFeeAddressUpdated(oldAddress, account);
    }

    /// @notice Sends the pool's whole settlement balance to governance; only while paused.
    function withdrawSettlement() external onlyGov {
        require(paused, "Pool is live");
        IERC20 token = IERC20(settlementToken);
        uint256 amount = token.balanceOf(address(this));
        token.safeTransfer(governance, amount);
        emit SettlementWithdrawn(governance, amount);
    }

    /// @notice (shortBalance, longBalance): short first.
    function balances() external view override returns (uint256, uint256) {
        return (shortBalance, longBalance);
    }

    /// @notice [long token, short token]
    function poolTokens() external view override returns (address[2] memory) {
        return tokens;
    }

    function intervalPassed() public view override returns (bool) {
        return block.timestamp >= lastPriceTimestamp + updateInterval;
    }

    function getOraclePrice() external view returns (int256) {
        return IOracleWrapper(oracleWrapper).getPrice();
    }

    /// @notice (oracle price, oracle metadata, lastPriceTimestamp, updateInterval)
    function getUpkeepInformation()
        external
        view
        override
        returns (
            int256,
            bytes memory,
            uint256,
            uint256
        )
    {
        (int256 price, bytes memory data) = IOracleWrapper(oracleWrapper).getPriceAndMetadata();
        return (price, data, lastPriceTimestamp, updateInterval);
    }

    function getFee() external view returns (uint256) {
        return PoolSwapLibrary.convertDecimalToUInt(fee);
    }

    function getLeverage() external view returns (uint256) {
        return PoolSwapLibrary.convertDecimalToUInt(leverageAmount);
    }
}
