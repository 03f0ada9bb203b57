// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

/// @title A market: holds the settlement tokens of both sides and moves value between them at each upkeep.
interface ILeveragedPool {
    /// @notice Parameters of initialize, set by the factory.
    struct Initialization {
        address _owner;
        address _keeper;
        address _oracleWrapper;
        address _settlementEthOracle;
        address _longToken;
        address _shortToken;
        address _poolCommitter;
        address _invariantCheck;
        string _poolName;
        uint32 _frontRunningInterval;
        uint32 _updateInterval;
        uint16 _leverageAmount;
        uint256 _fee;
        address _feeAddress;
        address _secondaryFeeAddress;
        address _settlementToken;
        uint256 _secondaryFeeSplitPercent;
    }

    event PoolInitialized(address indexed longToken, address indexed shortToken, address settlementToken, string poolName);
    event PoolRebalance(int256 shortBalanceChange, int256 longBalanceChange, uint256 shortFeeAmount, uint256 longFeeAmount);
    event PriceChangeError(int256 indexed startPrice, int256 indexed endPrice);
    event PoolBalancesChanged(uint256 indexed long, uint256 indexed short);
    event PrimaryFeesPaid(address indexed feeAddress, uint256 amount);
    event SecondaryFeesPaid(address indexed secondaryFeeAddress, uint256 amount);
    event FeeAddressUpdated(address indexed oldAddress, address indexed newAddress);
    event SecondaryFeeAddressUpdated(address indexed oldAddress, address indexed newAddress);
    event KeeperAddressChanged(address indexed oldAddress, address indexed newAddress);
    event SettlementWithdrawn(address indexed to, uint256 indexed quantity);
    event Paused();
    event Unpaused();

    function initialize(Initialization calldata initialization) external;

    function poolUpkeep(int256 _oldPrice, int256 _newPrice) external;

    function payKeeperFromBalances(address to, uint256 amount) external returns (bool);

    function settlementTokenTransfer(address to, uint256 amount) external;

    function settlementTokenTransferFrom(
        address from,
        address to,
        uint256 amount
    ) external;

    function poolTokenTransfer(
        bool isLongToken,
        address to,
        uint256 amount
    ) external;

    function burnTokens(
        uint256 tokenType,
        uint256 amount,
        address burner
    ) external;

    function setNewPoolBalances(uint256 _longBalance, uint256 _shortBalance) external;

    function pause() external;

    /// @notice (shortBalance, longBalance): short first.
    function balances() external view returns (uint256, uint256);

    function poolTokens() external view returns (address[2] memory);

    function settlementToken() external view returns (address);

    function poolCommitter() external view returns (address);

    function oracleWrapper() external view returns (address);

    function settlementEthOracle() external view returns (address);

    function lastPriceTimestamp() external view returns (uint256);

    function updateInterval() external view returns (uint32);

    function frontRunningInterval() external view returns (uint32);

    function intervalPassed() external view returns (bool);

    function getUpkeepInformation()
        external
        view
        returns (
            int256,
            bytes memory,
            uint256,
            uint256
        );
}
