"""Collateral, health factor and liquidation, with Aave v3 semantics.

Every function here is pure: numbers in, numbers out, no I/O and no plotting.
Amounts are floats in USD (or tokens where the name says so); thresholds,
LTVs, bonuses and fees are fractions (``0.83`` means 83 %).

Floats are used throughout, as the chapter compares positions rather than
reproducing wei-exact balances. :func:`percent_mul` and :func:`wad_div`
reproduce Aave's integer rounding for readers who want to check a number
against the chain.

References
----------
Aave v3.0 core, ``aave/aave-v3-core``:
``contracts/protocol/libraries/logic/GenericLogic.sol`` (health factor,
``calculateUserAccountData``), ``.../logic/LiquidationLogic.sol``
(``_calculateAvailableCollateralToLiquidate``, close factor constants),
``.../logic/ValidationLogic.sol`` (``HEALTH_FACTOR_LIQUIDATION_THRESHOLD``),
``.../libraries/math/PercentageMath.sol`` and ``WadRayMath.sol``.
Aave v3.3 close-factor rule: ``aave-dao/aave-v3-origin`` tag ``v3.3.0``,
``src/contracts/protocol/libraries/logic/LiquidationLogic.sol`` and
``docs/3.3/Aave-v3.3-features.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import check_array, check_number, check_same_length

__all__ = [
    "health_factor",
    "health_factor_curve",
    "liquidation_price",
    "max_borrow",
    "close_factor",
    "close_factor_v33",
    "liquidate",
    "LiquidationResult",
    "liquidation_worsens_below",
    "percent_mul",
    "percent_div",
    "wad_div",
    "CLOSE_FACTOR_HF_THRESHOLD",
    "DEFAULT_LIQUIDATION_CLOSE_FACTOR",
    "MAX_LIQUIDATION_CLOSE_FACTOR",
    "MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD_USD",
]

#: HF at or below which the whole debt may be liquidated at once (v3.0–v3.3).
CLOSE_FACTOR_HF_THRESHOLD = 0.95
#: Share of a debt reserve that one liquidation may repay when HF > 0.95 (v3.0–v3.2).
DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5
#: Share repayable when HF <= 0.95.
MAX_LIQUIDATION_CLOSE_FACTOR = 1.0
#: v3.3: the 50 % cap applies only when collateral and debt are both >= $2,000
#: (``MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8`` at tag v3.3.0; the v3.3
#: features document's example assumes $1,000, the code says $2,000).
MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD_USD = 2000.0


def _collateral_and_weight(collateral_usd, weight, weight_name):
    """Sum of collateral values and their value-weighted `weight` (LT or LTV)."""
    coll = check_array("collateral_usd", collateral_usd, lo=0)
    w = check_array(weight_name, weight, lo=0, hi=1)
    if coll.ndim > 1 or w.ndim > 1:
        raise ValueError(
            f"collateral_usd and {weight_name} must be numbers or 1-D sequences; "
            f"got shapes {coll.shape} and {w.shape}"
        )
    if coll.ndim == 1 or w.ndim == 1:
        check_same_length(collateral_usd=coll.reshape(-1), **{weight_name: w.reshape(-1)})
    return float(np.sum(coll)), float(np.sum(coll * w))


def health_factor(collateral_usd, liquidation_threshold, debt_usd) -> float:
    """Health factor of an Aave v3 position.

    ``HF = sum_i(collateral_i * LT_i) / debt``: the collateral-weighted average
    liquidation threshold times total collateral, over total debt, as in
    ``GenericLogic.calculateUserAccountData``. A position may be liquidated
    when ``HF < 1`` (strictly).

    Parameters
    ----------
    collateral_usd : float or sequence of float
        Value of each collateral in USD (>= 0). A sequence means several
        collaterals.
    liquidation_threshold : float or sequence of float
        Liquidation threshold of each collateral, a fraction in [0, 1]
        (``0.83`` = 83 %). Same length as ``collateral_usd`` when a sequence.
    debt_usd : float
        Total debt in USD (>= 0).

    Returns
    -------
    float
        The health factor; ``math.inf`` when ``debt_usd`` is 0 (Aave returns
        ``type(uint256).max``).

    Examples
    --------
    >>> health_factor(20_000, 0.83, 16_000)
    1.0375
    >>> round(health_factor([20_000, 12_000], [0.83, 0.81], 20_000), 4)
    1.316

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol
    """
    _, weighted = _collateral_and_weight(collateral_usd, liquidation_threshold, "liquidation_threshold")
    debt = check_number("debt_usd", debt_usd, lo=0)
    if debt == 0:
        return math.inf
    return weighted / debt


def health_factor_curve(collateral_amount, price, liquidation_threshold, debt_usd):
    """Health factor of one collateral at each price in ``price`` (vectorised).

    ``HF(P) = Q * P * LT / debt`` -- linear in the collateral price, for one
    volatile collateral and a stablecoin debt. Same formula as
    :func:`health_factor`; this form takes an array of prices for charts.

    Parameters
    ----------
    collateral_amount : float
        Collateral held, in tokens (> 0).
    price : float or array of float
        Collateral price(s) in USD per token (>= 0).
    liquidation_threshold : float
        Fraction in (0, 1].
    debt_usd : float
        Debt in USD (> 0).

    Returns
    -------
    float or numpy.ndarray
        HF at each price.
    """
    q = check_number("collateral_amount", collateral_amount, lo=0, lo_open=True)
    p = check_array("price", price, lo=0)
    lt = check_number("liquidation_threshold", liquidation_threshold, lo=0, hi=1, lo_open=True)
    debt = check_number("debt_usd", debt_usd, lo=0, lo_open=True)
    hf = q * p * lt / debt
    return float(hf) if np.ndim(price) == 0 else hf


def liquidation_price(collateral_amount, debt_usd, liquidation_threshold) -> float:
    """Collateral price (USD per token) at which the health factor equals 1.

    ``P_liq = debt / (Q * LT)`` for one collateral and a stable-valued debt.
    Below this price the position may be liquidated.

    Parameters
    ----------
    collateral_amount : float
        Collateral held, in tokens (> 0).
    debt_usd : float
        Debt in USD (>= 0). With no debt the position can never be
        liquidated and the function returns 0.0.
    liquidation_threshold : float
        Fraction in (0, 1].

    Examples
    --------
    >>> round(liquidation_price(10, 16_000, 0.83), 2)
    1927.71

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol
    (HF is linear in the collateral price).
    """
    q = check_number("collateral_amount", collateral_amount, lo=0, lo_open=True)
    debt = check_number("debt_usd", debt_usd, lo=0)
    lt = check_number("liquidation_threshold", liquidation_threshold, lo=0, hi=1, lo_open=True)
    return debt / (q * lt)


def max_borrow(collateral_usd, ltv, debt_usd=0.0) -> float:
    """Remaining borrowing power in USD, floored at 0.

    ``availableBorrows = max(0, sum_i(collateral_i * LTV_i) - debt)`` as in
    ``GenericLogic.calculateAvailableBorrows``.

    Parameters
    ----------
    collateral_usd : float or sequence of float
        Collateral value(s) in USD (>= 0).
    ltv : float or sequence of float
        Loan-to-value of each collateral, a fraction in [0, 1].
    debt_usd : float, default 0
        Debt already owed, in USD (>= 0).

    Examples
    --------
    >>> round(max_borrow(20_000, 0.805), 2)
    16100.0
    >>> max_borrow(20_000, 0.805, debt_usd=20_000)
    0.0
    """
    _, weighted = _collateral_and_weight(collateral_usd, ltv, "ltv")
    debt = check_number("debt_usd", debt_usd, lo=0)
    return max(0.0, weighted - debt)


def close_factor(health_factor) -> float:
    """Share of a debt that one liquidation may repay (Aave v3.0–v3.2 rule).

    ``0.5`` when ``0.95 < HF < 1``, ``1.0`` when ``HF <= 0.95``. A position
    with ``HF >= 1`` cannot be liquidated at all (``validateLiquidationCall``
    reverts), so the function returns ``0.0`` there.

    Examples
    --------
    >>> close_factor(0.97), close_factor(0.95), close_factor(1.2)
    (0.5, 1.0, 0.0)

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/LiquidationLogic.sol
    (``DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5e4``, ``MAX_LIQUIDATION_CLOSE_FACTOR
    = 1e4``, ``CLOSE_FACTOR_HF_THRESHOLD = 0.95e18``); ValidationLogic.sol
    (``HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18``).
    """
    hf = check_number("health_factor", health_factor, lo=0, allow_inf=True)
    if hf >= 1.0:
        return 0.0
    if hf > CLOSE_FACTOR_HF_THRESHOLD:
        return DEFAULT_LIQUIDATION_CLOSE_FACTOR
    return MAX_LIQUIDATION_CLOSE_FACTOR


def close_factor_v33(health_factor, reserve_collateral_usd, reserve_debt_usd, total_debt_usd) -> float:
    """Maximum debt (USD) of one reserve that one liquidation may repay, Aave v3.3.

    By default the whole reserve debt. The cap of 50 % of the user's *total*
    debt applies only when the liquidated collateral reserve and the debt
    reserve are both worth at least $2,000 and ``HF > 0.95``.

    Parameters
    ----------
    health_factor : float
        Current HF; 0.0 is returned when ``HF >= 1`` (not liquidatable).
    reserve_collateral_usd, reserve_debt_usd : float
        Value of the collateral reserve being seized and of the debt reserve
        being repaid, in USD.
    total_debt_usd : float
        The user's total debt across reserves, in USD (>= reserve_debt_usd).

    References
    ----------
    aave-dao/aave-v3-origin tag v3.3.0,
    src/contracts/protocol/libraries/logic/LiquidationLogic.sol.
    """
    hf = check_number("health_factor", health_factor, lo=0, allow_inf=True)
    coll = check_number("reserve_collateral_usd", reserve_collateral_usd, lo=0)
    debt = check_number("reserve_debt_usd", reserve_debt_usd, lo=0)
    total = check_number("total_debt_usd", total_debt_usd, lo=debt,
                         why="total debt includes the reserve's debt")
    if hf >= 1.0:
        return 0.0
    threshold = MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD_USD
    if coll >= threshold and debt >= threshold and hf > CLOSE_FACTOR_HF_THRESHOLD:
        return min(debt, DEFAULT_LIQUIDATION_CLOSE_FACTOR * total)
    return debt


@dataclass(frozen=True)
class LiquidationResult:
    """What one liquidation call moves (amounts in collateral tokens / USD)."""

    collateral_seized: float
    """Collateral taken from the borrower (tokens), bonus included."""
    liquidator_collateral: float
    """Collateral the liquidator receives (tokens): seized minus protocol fee."""
    protocol_collateral: float
    """Collateral sent to the Aave treasury (tokens): fee share of the bonus."""
    debt_repaid_usd: float
    """Debt the liquidator repays (USD); below the request if collateral ran out."""
    bonus_collateral: float
    """The bonus part of the seized collateral (tokens)."""
    collateral_price: float
    """Oracle price used (USD per collateral token)."""

    @property
    def liquidator_profit_usd(self) -> float:
        """Value received minus debt repaid, before gas, in USD."""
        return self.liquidator_collateral * self.collateral_price - self.debt_repaid_usd


def liquidate(collateral_amount, collateral_price, debt_to_cover_usd, liquidation_bonus,
              protocol_fee=0.0) -> LiquidationResult:
    """Collateral seized when a liquidator repays ``debt_to_cover_usd``.

    Follows ``LiquidationLogic._calculateAvailableCollateralToLiquidate``::

        base       = debt_to_cover / collateral_price
        max        = base * (1 + bonus)
        if max > collateral:  seized = collateral;  repaid = collateral * price / (1 + bonus)
        else:                 seized = max;         repaid = debt_to_cover
        bonus_coll = seized - seized / (1 + bonus)
        fee        = bonus_coll * protocol_fee         # the fee is a share of the bonus
        liquidator = seized - fee

    The debt is priced at $1 per unit (a USD stablecoin). The caller applies
    the close factor (:func:`close_factor`) to ``debt_to_cover_usd`` first.

    Parameters
    ----------
    collateral_amount : float
        The borrower's collateral in tokens (>= 0).
    collateral_price : float
        Oracle price in USD per token (> 0).
    debt_to_cover_usd : float
        Debt the liquidator offers to repay, in USD (>= 0).
    liquidation_bonus : float
        The premium as a fraction, in [0, 1): ``0.05`` for Aave's ``10500``.
    protocol_fee : float, default 0
        Liquidation protocol fee as a fraction of the bonus, in [0, 1]
        (``0.10`` for Aave's ``1000``).

    Returns
    -------
    LiquidationResult

    Examples
    --------
    >>> r = liquidate(10, 1_900, 8_000, 0.05, protocol_fee=0.10)
    >>> round(r.collateral_seized, 6), round(r.protocol_collateral, 6)
    (4.421053, 0.021053)

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/LiquidationLogic.sol
    """
    q = check_number("collateral_amount", collateral_amount, lo=0)
    price = check_number("collateral_price", collateral_price, lo=0, lo_open=True)
    debt = check_number("debt_to_cover_usd", debt_to_cover_usd, lo=0)
    bonus = check_number("liquidation_bonus", liquidation_bonus, lo=0, hi=1, hi_open=True,
                         why="the premium as a fraction: 0.05 means +5 % (Aave's 10500)")
    fee = check_number("protocol_fee", protocol_fee, lo=0, hi=1)
    factor = 1.0 + bonus
    max_collateral = debt / price * factor
    if max_collateral > q:
        seized = q
        repaid = q * price / factor
    else:
        seized = max_collateral
        repaid = debt
    bonus_collateral = seized - seized / factor
    protocol = bonus_collateral * fee
    return LiquidationResult(
        collateral_seized=seized,
        liquidator_collateral=seized - protocol,
        protocol_collateral=protocol,
        debt_repaid_usd=repaid,
        bonus_collateral=bonus_collateral,
        collateral_price=price,
    )


def liquidation_worsens_below(liquidation_threshold, liquidation_bonus) -> float:
    """Health factor below which a partial liquidation *lowers* the borrower's HF.

    One collateral (threshold ``LT``) and one debt. Repaying ``d`` of debt
    removes ``d * (1 + bonus)`` of collateral value (the protocol's fee is
    part of that seized collateral, so it does not change the borrower's
    side). With collateral ``C`` and debt ``D``::

        HF' = LT * (C - d(1 + bonus)) / (D - d)  <  HF = LT * C / D
        <=>  D * (1 + bonus) > C  <=>  HF < LT * (1 + bonus)

    Exact for any ``0 < d < D`` under those assumptions: below this HF each
    partial liquidation leaves the position less healthy than before; at it,
    HF is unchanged; above it, HF rises.

    Parameters
    ----------
    liquidation_threshold : float
        LT of the collateral, a fraction in (0, 1].
    liquidation_bonus : float
        The liquidator's premium as a fraction, in [0, 1) (``0.05`` = Aave's ``10500``).

    Returns
    -------
    float
        ``LT * (1 + bonus)``.

    Examples
    --------
    WETH on Aave v3 Ethereum, 2023-10-31 (LT 83 %, bonus 5 %):

    >>> round(liquidation_worsens_below(0.83, 0.05), 4)
    0.8715

    References
    ----------
    Derived from the seizure rule of ``LiquidationLogic._calculateAvailableCollateralToLiquidate``
    and the health factor of ``GenericLogic.calculateUserAccountData``
    (aave/aave-v3-core, contracts/protocol/libraries/logic/).
    """
    lt = check_number("liquidation_threshold", liquidation_threshold, lo=0, hi=1, lo_open=True)
    bonus = check_number("liquidation_bonus", liquidation_bonus, lo=0, hi=1, hi_open=True,
                         why="the premium as a fraction: 0.05 means +5 % (Aave's 10500)")
    return lt * (1.0 + bonus)


# --- Aave's integer rounding (PercentageMath / WadRayMath), for exact checks ---

WAD = 10**18
PERCENTAGE_FACTOR = 10**4


def percent_mul(value: int, percentage_bps: int) -> int:
    """``(value * bps + 5000) // 10000``: half-up, as Aave's ``PercentageMath.percentMul``."""
    return (int(value) * int(percentage_bps) + PERCENTAGE_FACTOR // 2) // PERCENTAGE_FACTOR


def percent_div(value: int, percentage_bps: int) -> int:
    """``(value * 10000 + bps // 2) // bps``: half-up, as ``PercentageMath.percentDiv``."""
    bps = int(percentage_bps)
    if bps <= 0:
        raise ValueError(f"percentage_bps must be > 0; got {percentage_bps!r}")
    return (int(value) * PERCENTAGE_FACTOR + bps // 2) // bps


def wad_div(a: int, b: int) -> int:
    """``(a * 1e18 + b // 2) // b``: half-up, as ``WadRayMath.wadDiv``."""
    if int(b) <= 0:
        raise ValueError(f"b must be > 0; got {b!r}")
    return (int(a) * WAD + int(b) // 2) // int(b)
