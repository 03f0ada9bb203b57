// SPDX-License-Identifier: MIT
pragma solidity 0.8.7;

import "abdk-libraries-solidity/ABDKMathQuad.sol";

/// @title Pricing, value-transfer and fee maths of the pools, in ABDK binary128 quads.
/// @notice Deployed and linked: every function is public so that contracts call it externally
///         (keeping their own bytecode small) and so that it can be queried with eth_call.
/// @dev Each quantity follows the operation sequence of the protocol reference, section 3.8.3.
///      ABDK truncates every intermediate result, so reordering any step changes the last bits.
library PoolSwapLibrary {
    /// @notice quad(1)
    bytes16 public constant ONE = 0x3fff0000000000000000000000000000;
    /// @notice Largest settlement-token precision a pool supports.
    uint256 public constant MAX_DECIMALS = 18;
    /// @notice 1e18: fee rates and oracle prices are WAD values.
    uint256 public constant WAD_PRECISION = 10**18;

    bytes16 private constant NEGATIVE_ZERO = 0x80000000000000000000000000000000;

    /// @dev Input of getUpdatedAggregateBalance. The field order is part of the ABI (and of the
    ///      selector 0x9eb17fa3): note the two flip fields come in the opposite order to TotalCommitment.
    struct UpdateData {
        bytes16 longPrice;
        bytes16 shortPrice;
        bytes16 mintingFeeRate;
        uint256 currentUpdateIntervalId;
        uint256 updateIntervalId;
        uint256 longMintSettlement;
        uint256 longBurnPoolTokens;
        uint256 shortMintSettlement;
        uint256 shortBurnPoolTokens;
        uint256 longBurnShortMintPoolTokens;
        uint256 shortBurnLongMintPoolTokens;
        bytes16 burnFee;
    }

    /// @dev Output of getUpdatedAggregateBalance; the settlement amount comes last.
    struct UpdateResult {
        uint256 _newLongTokens;
        uint256 _newShortTokens;
        uint256 _longSettlementFee;
        uint256 _shortSettlementFee;
        uint256 _newSettlementTokens;
    }

    /// @notice Ratio numerator / denominator as a quad, or 0 when the denominator is 0.
    function getRatio(uint256 _numerator, uint256 _denominator) public pure returns (bytes16) {
        if (_denominator == 0) {
            return 0;
        }
        return ABDKMathQuad.div(ABDKMathQuad.fromUInt(_numerator), ABDKMathQuad.fromUInt(_denominator));
    }

    /// @notice Splits a keeper reward across the sides pro rata: returns (shortAfter, longAfter).
    function getBalancesAfterFees(
        uint256 reward,
        uint256 shortBalance,
        uint256 longBalance
    ) public pure returns (uint256, uint256) {
        bytes16 shortShare = getRatio(shortBalance, shortBalance + longBalance);
        uint256 shortPart = convertDecimalToUInt(multiplyDecimalByUInt(shortShare, reward));
        uint256 longPart = reward - shortPart;
        return (shortBalance - shortPart, longBalance - longPart);
    }

    /// @notice Loser's share lost in a move, tanh(L * (1 - ratio)) computed as 2 / (1 + e^(-2L(1-ratio))) - 1.
    function sigmoid(bytes16 leverage, bytes16 ratio) private pure returns (bytes16) {
        bytes16 a = ABDKMathQuad.mul(ABDKMathQuad.fromInt(-2), leverage);
        bytes16 b = ABDKMathQuad.mul(a, ABDKMathQuad.sub(ONE, ratio));
        bytes16 c = ABDKMathQuad.exp(b);
        bytes16 d = ABDKMathQuad.add(ONE, c);
        return ABDKMathQuad.sub(ABDKMathQuad.div(ABDKMathQuad.add(ONE, ONE), d), ONE);
    }

    /// @notice Management fee then sigmoid value transfer of one upkeep.
    /// @return (newLongBalance, newShortBalance, longFee, shortFee)
    function calculateValueTransfer(
        uint256 longBalance,
        uint256 shortBalance,
        bytes16 leverageAmount,
        int256 oldPrice,
        int256 newPrice,
        bytes16 fee
    ) public pure returns (uint256, uint256, uint256, uint256) {
        uint256 longFee = convertDecimalToUInt(multiplyDecimalByUInt(fee, longBalance)) / WAD_PRECISION;
        uint256 shortFee = convertDecimalToUInt(multiplyDecimalByUInt(fee, shortBalance)) / WAD_PRECISION;
        longBalance -= longFee;
        shortBalance -= shortFee;
        uint256 total = longBalance + shortBalance;

        if (newPrice >= oldPrice && shortBalance > 0) {
            bytes16 lost = sigmoid(leverageAmount, divInt(oldPrice, newPrice));
            bytes16 loserBalance = ABDKMathQuad.fromUInt(shortBalance);
            longBalance += ABDKMathQuad.toUInt(ABDKMathQuad.mul(loserBalance, lost));
            shortBalance = ABDKMathQuad.toUInt(ABDKMathQuad.mul(loserBalance, ABDKMathQuad.sub(ONE, lost)));
        } else if (newPrice < oldPrice && longBalance > 0) {
            bytes16 lost = sigmoid(leverageAmount, divInt(newPrice, oldPrice));
            bytes16 loserBalance = ABDKMathQuad.fromUInt(longBalance);
            shortBalance += ABDKMathQuad.toUInt(ABDKMathQuad.mul(loserBalance, lost));
            longBalance = ABDKMathQuad.toUInt(ABDKMathQuad.mul(loserBalance, ABDKMathQuad.sub(ONE, lost)));
        }

        // Truncation dust goes to the winning side.
        uint256 totalAfter = longBalance + shortBalance;
        if (total > totalAfter) {
            if (newPrice > oldPrice) {
                longBalance += total - totalAfter;
            } else {
                shortBalance += total - totalAfter;
            }
        }
        return (longBalance, shortBalance, longFee, shortFee);
    }

    /// @notice Token price sideBalance / tokenSupply, or ONE for an empty supply.
    function getPrice(uint256 sideBalance, uint256 tokenSupply) public pure returns (bytes16) {
        if (tokenSupply == 0) {
            return ONE;
        }
        return ABDKMathQuad.div(ABDKMathQuad.fromUInt(sideBalance), ABDKMathQuad.fromUInt(tokenSupply));
    }

    function requireNonZeroPrice(bytes16 price) private pure {
        require(price != 0, "price == 0");
        require(price != NEGATIVE_ZERO, "price == negative zero");
    }

    /// @notice Pool tokens bought by a settlement amount at a quad price.
    function getMint(bytes16 price, uint256 amount) public pure returns (uint256) {
        requireNonZeroPrice(price);
        return ABDKMathQuad.toUInt(ABDKMathQuad.div(ABDKMathQuad.fromUInt(amount), price));
    }

    /// @notice Settlement paid for a pool-token amount at a quad price.
    function getBurn(bytes16 price, uint256 amount) public pure returns (uint256) {
        requireNonZeroPrice(price);
        return ABDKMathQuad.toUInt(ABDKMathQuad.mul(ABDKMathQuad.fromUInt(amount), price));
    }

    /// @notice Pool-level mint amount: (supply + pending burns) * amountIn / balance, 1:1 in degenerate cases.
    function getMintAmount(
        uint256 tokenSupply,
        uint256 amountIn,
        uint256 balance,
        uint256 pendingBurnPoolTokens
    ) public pure returns (uint256) {
        uint256 shares = tokenSupply + pendingBurnPoolTokens;
        if (balance == 0 || shares == 0 || amountIn == 0) {
            return amountIn;
        }
        return (shares * amountIn) / balance;
    }

    /// @notice Pool-level burn proceeds: balance * amountIn / (supply + pending burns), 1:1 in degenerate cases.
    function getWithdrawAmountOnBurn(
        uint256 tokenSupply,
        uint256 amountIn,
        uint256 balance,
        uint256 pendingBurnPoolTokens
    ) public pure returns (uint256) {
        uint256 shares = tokenSupply + pendingBurnPoolTokens;
        if (balance == 0 || shares == 0 || amountIn == 0) {
            return amountIn;
        }
        return (balance * amountIn) / shares;
    }

    /// @notice floor(rate * amount) for a WAD rate held as a quad.
    function mintingOrBurningFee(bytes16 feeRate, uint256 amount) public pure returns (uint256) {
        return convertDecimalToUInt(multiplyDecimalByUInt(feeRate, amount)) / WAD_PRECISION;
    }

    /// @notice Settlement value of a flip: burn at burnPrice, then burning fee, then minting fee.
    /// @return (mintSettlement, burnFee, mintFee)
    function processBurnInstantMintCommit(
        uint256 amount,
        bytes16 burnPrice,
        bytes16 burningFee,
        bytes16 mintingFee
    ) public pure returns (uint256, uint256, uint256) {
        uint256 value = getBurn(burnPrice, amount);
        uint256 burnFee = mintingOrBurningFee(burningFee, value);
        value -= burnFee;
        uint256 mintFee = mintingOrBurningFee(mintingFee, value);
        value -= mintFee;
        return (value, burnFee, mintFee);
    }

    /// @notice What one executed interval credits to a user's aggregate balance, and the fees it adds to each side.
    function getUpdatedAggregateBalance(UpdateData memory data) public pure returns (UpdateResult memory) {
        UpdateResult memory result;
        if (data.updateIntervalId >= data.currentUpdateIntervalId) {
            return result;
        }
        uint256 shortToLongSettlement;
        uint256 longToShortSettlement;
        if (data.shortBurnLongMintPoolTokens > 0) {
            (uint256 settlement, uint256 burnFee, uint256 mintFee) = processBurnInstantMintCommit(
                data.shortBurnLongMintPoolTokens,
                data.shortPrice,
                data.burnFee,
                data.mintingFeeRate
            );
            shortToLongSettlement = settlement;
            result._shortSettlementFee += burnFee;
            result._longSettlementFee += mintFee;
        }
        if (data.longBurnShortMintPoolTokens > 0) {
            (uint256 settlement, uint256 burnFee, uint256 mintFee) = processBurnInstantMintCommit(
                data.longBurnShortMintPoolTokens,
                data.longPrice,
                data.burnFee,
                data.mintingFeeRate
            );
            longToShortSettlement = settlement;
            result._longSettlementFee += burnFee;
            result._shortSettlementFee += mintFee;
        }
        uint256 longMint = data.longMintSettlement + shortToLongSettlement;
        if (longMint > 0) {
            result._newLongTokens = getMint(data.longPrice, longMint);
        }
        uint256 shortMint = data.shortMintSettlement + longToShortSettlement;
        if (shortMint > 0) {
            result._newShortTokens = getMint(data.shortPrice, shortMint);
        }
        if (data.longBurnPoolTokens > 0) {
            uint256 gross = getBurn(data.longPrice, data.longBurnPoolTokens);
            uint256 fee = mintingOrBurningFee(data.burnFee, gross);
            result._longSettlementFee += fee;
            result._newSettlementTokens += gross - fee;
        }
        if (data.shortBurnPoolTokens > 0) {
            uint256 gross = getBurn(data.shortPrice, data.shortBurnPoolTokens);
            uint256 fee = mintingOrBurningFee(data.burnFee, gross);
            result._shortSettlementFee += fee;
            result._newSettlementTokens += gross - fee;
        }
        return result;
    }

    /// @notice Interval id that a commit made at `timestamp` lands in: I + floor((t + F - T0) / U).
    function appropriateUpdateIntervalId(
        uint256 timestamp,
        uint256 lastPriceTimestamp,
        uint256 frontRunningInterval,
        uint256 updateInterval,
        uint256 currentUpdateIntervalId
    ) public pure returns (uint256) {
        require(timestamp >= lastPriceTimestamp, "timestamp in the past");
        return currentUpdateIntervalId + (timestamp + frontRunningInterval - lastPriceTimestamp) / updateInterval;
    }

    /// @notice Whether subjectTime lies before the front-running window of the next upkeep.
    function isBeforeFrontRunningInterval(
        uint256 subjectTime,
        uint256 lastPriceTimestamp,
        uint256 updateInterval,
        uint256 frontRunningInterval
    ) public pure returns (bool) {
        return lastPriceTimestamp + updateInterval - frontRunningInterval > subjectTime;
    }

    /// @notice number * numerator / denominator computed in quads, or 0 when the denominator is 0.
    function mulFraction(
        uint256 number,
        uint256 numerator,
        uint256 denominator
    ) public pure returns (uint256) {
        if (denominator == 0) {
            return 0;
        }
        bytes16 product = ABDKMathQuad.mul(ABDKMathQuad.fromUInt(number), ABDKMathQuad.fromUInt(numerator));
        return ABDKMathQuad.toUInt(ABDKMathQuad.div(product, ABDKMathQuad.fromUInt(denominator)));
    }

    /// @notice Scales a WAD amount down to a token with `_decimals` decimals.
    function fromWad(uint256 _wadValue, uint256 _decimals) public pure returns (uint256) {
        return _wadValue / 10**(MAX_DECIMALS - _decimals);
    }

    function convertUIntToDecimal(uint256 amount) public pure returns (bytes16) {
        return ABDKMathQuad.fromUInt(amount);
    }

    function convertDecimalToUInt(bytes16 ratio) public pure returns (uint256) {
        return ABDKMathQuad.toUInt(ratio);
    }

    function multiplyDecimalByUInt(bytes16 a, uint256 b) public pure returns (bytes16) {
        return ABDKMathQuad.mul(a, ABDKMathQuad.fromUInt(b));
    }

    function addBytes(bytes16 x, bytes16 y) public pure returns (bytes16) {
        return ABDKMathQuad.add(x, y);
    }

    function subtractBytes(bytes16 x, bytes16 y) public pure returns (bytes16) {
        return ABDKMathQuad.sub(x, y);
    }

    function multiplyBytes(bytes16 x, bytes16 y) public pure returns (bytes16) {
        return ABDKMathQuad.mul(x, y);
    }

    function compareDecimals(bytes16 x, bytes16 y) public pure returns (int8) {
        return ABDKMathQuad.cmp(x, y);
    }

    function divInt(int256 a, int256 b) public pure returns (bytes16) {
        return ABDKMathQuad.div(ABDKMathQuad.fromInt(a), ABDKMathQuad.fromInt(b));
    }

    /// @notice Legacy (V1) power-leverage multiplier, (min/max)^leverage. Unused by V2.
    function getLossMultiplier(
        bytes16 ratio,
        int8 direction,
        bytes16 leverage
    ) public pure returns (bytes16) {
        bytes16 base = direction < 0 ? ratio : ABDKMathQuad.div(ONE, ratio);
        return ABDKMathQuad.pow_2(ABDKMathQuad.mul(leverage, ABDKMathQuad.log_2(base)));
    }

    /// @notice Legacy (V1) loss amount, balance * (1 - lossMultiplier). Unused by V2.
    function getLossAmount(bytes16 lossMultiplier, uint256 balance) public pure returns (uint256) {
        return ABDKMathQuad.toUInt(ABDKMathQuad.mul(ABDKMathQuad.sub(ONE, lossMultiplier), ABDKMathQuad.fromUInt(balance)));
    }
}
