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

from ._validate import Finite, Int, Real, check_same_length, contract

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

# Domains shared by several functions (declared once; see defi_helpers._validate).
_USD = Real(lo=0, why="an amount in USD")
_USD1 = Real(lo=0, scalar=True, why="an amount in USD")
_TOKENS = Real(lo=0, lo_open=True, scalar=True, why="an amount of collateral tokens")
_WEIGHT = Real(lo=0, hi=1, why="a fraction: 0.83 means 83 %")
_LT = Real(lo=0, hi=1, lo_open=True, scalar=True,
           why="a fraction: 0.83 means 83 %; with LT = 0 no price can liquidate")
_BONUS = Real(lo=0, hi=1, hi_open=True, scalar=True, why="the premium as a fraction: 0.05 means +5 % (Aave's 10500)")
_HF = Real(lo=0, allow_inf=True, scalar=True, why="a health factor; inf means no debt")


def _collateral_and_weight(coll, w, weight_name):
    """Sum of collateral values and their value-weighted ``w`` (LT or LTV), as numpy floats."""
    coll, w = np.asarray(coll), np.asarray(w)
    if coll.ndim > 1 or w.ndim > 1:
        raise ValueError(
            f"collateral_usd and {weight_name} must be numbers or 1-D sequences; "
            f"got shapes {coll.shape} and {w.shape}"
        )
    if coll.ndim == 1 or w.ndim == 1:
        check_same_length(collateral_usd=coll.reshape(-1), **{weight_name: w.reshape(-1)})
    return np.sum(coll), np.sum(coll * w)


@contract(collateral_usd=_USD, liquidation_threshold=_WEIGHT, debt_usd=_USD1, returns=Finite(allow_inf=True))
def health_factor(collateral_usd, liquidation_threshold, debt_usd) -> float:
    """Health factor of an Aave v3 position.

    ``HF = sum_i(collateral_i * LT_i) / debt``: the collateral-weighted average
    liquidation threshold times total collateral, over total debt, as in
    ``GenericLogic.calculateUserAccountData``. A position may be liquidated
    when ``HF < 1`` (strictly).

    Parameters
    ----------
    collateral_usd : float or sequence of float
        Value of each collateral in USD, {domain:collateral_usd}. A sequence
        means several collaterals.
    liquidation_threshold : float or sequence of float
        Liquidation threshold of each collateral, a fraction {domain:liquidation_threshold}
        (``0.83`` = 83 %). Same length as ``collateral_usd`` when a sequence.
    debt_usd : float
        Total debt in USD, {domain:debt_usd}.

    Returns
    -------
    float
        The health factor; ``math.inf`` when ``debt_usd`` is 0 (Aave returns
        ``type(uint256).max``). This is the only non-finite result.

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
    if debt_usd == 0:
        return math.inf
    return float(weighted / debt_usd)


@contract(collateral_amount=_TOKENS, price=Real(lo=0, why="a price in USD per token"),
          liquidation_threshold=_LT, debt_usd=Real(lo=0, lo_open=True, scalar=True,
                                                   why="with no debt the health factor is infinite"))
def health_factor_curve(collateral_amount, price, liquidation_threshold, debt_usd):
    """Health factor of one collateral at each price in ``price`` (vectorised).

    ``HF(P) = Q * P * LT / debt`` -- linear in the collateral price, for one
    volatile collateral and a stablecoin debt. Same formula as
    :func:`health_factor`; this form takes an array of prices for charts.

    Parameters
    ----------
    collateral_amount : float
        Collateral held, in tokens, {domain:collateral_amount}.
    price : float or array of float
        Collateral price(s) in USD per token, {domain:price}.
    liquidation_threshold : float
        A fraction {domain:liquidation_threshold}.
    debt_usd : float
        Debt in USD, {domain:debt_usd}.

    Returns
    -------
    float or numpy.ndarray
        HF at each price.

    Examples
    --------
    >>> health_factor_curve(10, [1_500.0, 2_000.0], 0.83, 10_000)
    array([1.245, 1.66 ])

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol
    """
    return collateral_amount * np.asarray(price) * liquidation_threshold / debt_usd


@contract(collateral_amount=_TOKENS, debt_usd=_USD1, liquidation_threshold=_LT)
def liquidation_price(collateral_amount, debt_usd, liquidation_threshold) -> float:
    """Collateral price (USD per token) at which the health factor equals 1.

    ``P_liq = debt / (Q * LT)`` for one collateral and a stable-valued debt.
    Below this price the position may be liquidated.

    Parameters
    ----------
    collateral_amount : float
        Collateral held, in tokens, {domain:collateral_amount}.
    debt_usd : float
        Debt in USD, {domain:debt_usd}. With no debt the position can never be
        liquidated and the function returns 0.0.
    liquidation_threshold : float
        A fraction {domain:liquidation_threshold}.

    Examples
    --------
    >>> round(liquidation_price(10, 16_000, 0.83), 2)
    1927.71

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol
    (HF is linear in the collateral price).
    """
    return debt_usd / (collateral_amount * liquidation_threshold)


@contract(collateral_usd=_USD, ltv=_WEIGHT, debt_usd=_USD1)
def max_borrow(collateral_usd, ltv, debt_usd=0.0) -> float:
    """Remaining borrowing power in USD, floored at 0.

    ``availableBorrows = max(0, sum_i(collateral_i * LTV_i) - debt)`` as in
    ``GenericLogic.calculateAvailableBorrows``.

    Parameters
    ----------
    collateral_usd : float or sequence of float
        Collateral value(s) in USD, {domain:collateral_usd}.
    ltv : float or sequence of float
        Loan-to-value of each collateral, a fraction {domain:ltv}. Same
        length as ``collateral_usd`` when a sequence.
    debt_usd : float, default 0
        Debt already owed, in USD, {domain:debt_usd}.

    Examples
    --------
    >>> round(max_borrow(20_000, 0.805), 2)
    16100.0
    >>> max_borrow(20_000, 0.805, debt_usd=20_000)
    0.0
    """
    _, weighted = _collateral_and_weight(collateral_usd, ltv, "ltv")
    return max(0.0, float(weighted - debt_usd))


@contract(health_factor=_HF)
def close_factor(health_factor) -> float:
    """Share of a debt that one liquidation may repay (Aave v3.0–v3.2 rule).

    ``0.5`` when ``0.95 < HF < 1``, ``1.0`` when ``HF <= 0.95``. A position
    with ``HF >= 1`` cannot be liquidated at all (``validateLiquidationCall``
    reverts), so the function returns ``0.0`` there.

    Parameters
    ----------
    health_factor : float
        The position's HF, {domain:health_factor} (``inf`` = no debt).

    Returns
    -------
    float
        The share of the debt, 0.0, 0.5 or 1.0.

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
    hf = health_factor
    if hf >= 1.0:
        return 0.0
    if hf > CLOSE_FACTOR_HF_THRESHOLD:
        return DEFAULT_LIQUIDATION_CLOSE_FACTOR
    return MAX_LIQUIDATION_CLOSE_FACTOR


@contract(health_factor=_HF, reserve_collateral_usd=_USD1, reserve_debt_usd=_USD1, total_debt_usd=_USD1)
def close_factor_v33(health_factor, reserve_collateral_usd, reserve_debt_usd, total_debt_usd) -> float:
    """Maximum debt (USD) of one reserve that one liquidation may repay, Aave v3.3.

    By default the whole reserve debt. The cap of 50 % of the user's *total*
    debt applies only when the liquidated collateral reserve and the debt
    reserve are both worth at least $2,000 and ``HF > 0.95``.

    Parameters
    ----------
    health_factor : float
        Current HF, {domain:health_factor}; 0.0 is returned when ``HF >= 1``
        (not liquidatable).
    reserve_collateral_usd : float
        Value of the collateral reserve being seized, in USD, {domain:reserve_collateral_usd}.
    reserve_debt_usd : float
        Value of the debt reserve being repaid, in USD, {domain:reserve_debt_usd}.
    total_debt_usd : float
        The user's total debt across reserves, in USD, {domain:total_debt_usd}
        and at least ``reserve_debt_usd``.

    Returns
    -------
    float
        The most debt (USD) one liquidation may repay.

    Examples
    --------
    A $8,000 debt reserve out of $10,000 of total debt, with $5,000 of
    collateral in the seized reserve: at HF 0.98 the cap is 50 % of the total
    debt; at HF 0.90, or with only $1,500 of collateral, the whole reserve debt.

    >>> close_factor_v33(0.98, 5_000, 8_000, 10_000), close_factor_v33(0.90, 5_000, 8_000, 10_000)
    (5000.0, 8000.0)
    >>> close_factor_v33(0.98, 1_500, 8_000, 10_000)
    8000.0

    References
    ----------
    aave-dao/aave-v3-origin tag v3.3.0,
    src/contracts/protocol/libraries/logic/LiquidationLogic.sol.
    """
    hf, coll, debt, total = health_factor, reserve_collateral_usd, reserve_debt_usd, total_debt_usd
    if total < debt:
        raise ValueError(f"total_debt_usd must be >= reserve_debt_usd = {debt:g}; got {total:g} "
                         "(the total debt includes the reserve's debt)")
    if hf >= 1.0:
        return 0.0
    threshold = MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD_USD
    if coll >= threshold and debt >= threshold and hf > CLOSE_FACTOR_HF_THRESHOLD:
        return min(debt, DEFAULT_LIQUIDATION_CLOSE_FACTOR * total)
    return debt


@contract(collateral_seized=Real(lo=0, scalar=True), liquidator_collateral=Real(lo=0, scalar=True),
          protocol_collateral=Real(lo=0, scalar=True), debt_repaid_usd=Real(lo=0, scalar=True),
          bonus_collateral=Real(lo=0, scalar=True), collateral_price=Real(lo=0, lo_open=True, scalar=True))
@dataclass(frozen=True)
class LiquidationResult:
    """What one liquidation call moves (amounts in collateral tokens / USD).

    Validated on construction; the profit it reports is finite.

    Parameters
    ----------
    {domains}
    """

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

    def __post_init__(self):
        if not math.isfinite(self.liquidator_profit_usd):
            raise ValueError(
                f"liquidator_collateral * collateral_price - debt_repaid_usd must be finite; got "
                f"liquidator_collateral={self.liquidator_collateral:g}, collateral_price="
                f"{self.collateral_price:g}, debt_repaid_usd={self.debt_repaid_usd:g}")

    @property
    def liquidator_profit_usd(self) -> float:
        """Value received minus debt repaid, before gas, in USD."""
        return self.liquidator_collateral * self.collateral_price - self.debt_repaid_usd


@contract(collateral_amount=Real(lo=0, scalar=True, why="an amount of collateral tokens"),
          collateral_price=Real(lo=0, lo_open=True, scalar=True, why="a price in USD per token"),
          debt_to_cover_usd=_USD1, liquidation_bonus=_BONUS,
          protocol_fee=Real(lo=0, hi=1, scalar=True, why="a share of the bonus: 0.10 means Aave's 1000"))
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
        The borrower's collateral in tokens, {domain:collateral_amount}.
    collateral_price : float
        Oracle price in USD per token, {domain:collateral_price}.
    debt_to_cover_usd : float
        Debt the liquidator offers to repay, in USD, {domain:debt_to_cover_usd}.
    liquidation_bonus : float
        The premium as a fraction, {domain:liquidation_bonus}: ``0.05`` for Aave's ``10500``.
    protocol_fee : float, default 0
        Liquidation protocol fee as a fraction of the bonus, {domain:protocol_fee}
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
    q, price, debt = collateral_amount, collateral_price, debt_to_cover_usd
    bonus, fee = liquidation_bonus, protocol_fee
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
    moved = dict(collateral_seized=seized, liquidator_collateral=seized - protocol, protocol_collateral=protocol,
                 debt_repaid_usd=repaid, bonus_collateral=bonus_collateral, collateral_price=price)
    if not all(math.isfinite(v) for v in (*moved.values(), (seized - protocol) * price - repaid)):
        # Python floats overflow to inf silently; the contract reports it with every argument
        raise OverflowError("an amount of the liquidation is not finite in float64")
    return LiquidationResult(**moved)


@contract(liquidation_threshold=_LT, liquidation_bonus=_BONUS)
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
        LT of the collateral, a fraction {domain:liquidation_threshold}.
    liquidation_bonus : float
        The liquidator's premium as a fraction, {domain:liquidation_bonus} (``0.05`` = Aave's ``10500``).

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
    return liquidation_threshold * (1.0 + liquidation_bonus)


# --- Aave's integer rounding (PercentageMath / WadRayMath), for exact checks ---

WAD = 10**18
PERCENTAGE_FACTOR = 10**4
#: ``type(uint256).max``: the EVM word; Aave's math reverts rather than exceed it.
UINT256_MAX = 2**256 - 1
_UINT = Int(lo=0, hi=UINT256_MAX, why="a uint256")
_UINT_POS = Int(lo=1, hi=UINT256_MAX, why="a uint256 divisor; Aave reverts on 0")


def _overflow(expr: str, bound: int, names: dict) -> ValueError:
    got = ", ".join(f"{k}={v}" for k, v in names.items())
    return ValueError(f"{expr} must fit in a uint256 (Aave's code reverts): {next(iter(names))} must be "
                      f"<= {bound}; got {got}")


@contract(value=_UINT, percentage_bps=_UINT)
def percent_mul(value: int, percentage_bps: int) -> int:
    """``(value * bps + 5000) // 10000``: half-up, as Aave's ``PercentageMath.percentMul``.

    Parameters
    ----------
    value : int
        The amount, in integer units (wei, token units), {domain:value} (``2**256 - 1``, a uint256).
    percentage_bps : int
        The percentage in basis points (``8250`` = 82.5 %), {domain:percentage_bps}.

    Returns
    -------
    int
        The product rounded half up. Aave reverts when ``value * bps + 5000``
        would exceed ``2**256 - 1``; so does this function (a ``ValueError``).

    Examples
    --------
    >>> percent_mul(10_000, 8_250), percent_mul(1, 5_000), percent_mul(1, 4_999)
    (8250, 1, 0)

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/PercentageMath.sol (``percentMul``:
    reverts unless ``percentage == 0`` or ``value <= (type(uint256).max - HALF_PERCENTAGE_FACTOR)
    / percentage``).
    """
    if percentage_bps and value > (UINT256_MAX - PERCENTAGE_FACTOR // 2) // percentage_bps:
        raise _overflow("value * percentage_bps + 5000", (UINT256_MAX - PERCENTAGE_FACTOR // 2) // percentage_bps,
                        {"value": value, "percentage_bps": percentage_bps})
    return (value * percentage_bps + PERCENTAGE_FACTOR // 2) // PERCENTAGE_FACTOR


@contract(value=_UINT, percentage_bps=_UINT_POS)
def percent_div(value: int, percentage_bps: int) -> int:
    """``(value * 10000 + bps // 2) // bps``: half-up, as ``PercentageMath.percentDiv``.

    Parameters
    ----------
    value : int
        The amount, in integer units, {domain:value} (``2**256 - 1``, a uint256).
    percentage_bps : int
        The divisor in basis points, {domain:percentage_bps}.

    Returns
    -------
    int
        The quotient rounded half up. Aave reverts when ``value * 10000 + bps // 2``
        would exceed ``2**256 - 1``; so does this function (a ``ValueError``).

    Examples
    --------
    >>> percent_div(8_250, 8_250), percent_div(10_000, 3)
    (10000, 33333333)

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/PercentageMath.sol (``percentDiv``:
    reverts if ``percentage == 0`` or ``value > (type(uint256).max - percentage / 2) /
    PERCENTAGE_FACTOR``).
    """
    bound = (UINT256_MAX - percentage_bps // 2) // PERCENTAGE_FACTOR
    if value > bound:
        raise _overflow("value * 10000 + percentage_bps // 2", bound,
                        {"value": value, "percentage_bps": percentage_bps})
    return (value * PERCENTAGE_FACTOR + percentage_bps // 2) // percentage_bps


@contract(a=_UINT, b=_UINT_POS)
def wad_div(a: int, b: int) -> int:
    """``(a * 1e18 + b // 2) // b``: half-up, as ``WadRayMath.wadDiv``.

    Parameters
    ----------
    a : int
        Dividend in wad (``10**18`` = 1), {domain:a} (``2**256 - 1``, a uint256).
    b : int
        Divisor in wad, {domain:b}.

    Returns
    -------
    int
        ``a / b`` in wad, rounded half up. Aave reverts when ``a * 10**18 + b // 2``
        would exceed ``2**256 - 1``; so does this function (a ``ValueError``).

    Examples
    --------
    >>> wad_div(10**18, 2 * 10**18), wad_div(2, 3 * 10**18)
    (500000000000000000, 1)

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/WadRayMath.sol (``wadDiv``:
    reverts if ``b == 0`` or ``a > (type(uint256).max - b / 2) / WAD``).
    """
    bound = (UINT256_MAX - b // 2) // WAD
    if a > bound:
        raise _overflow("a * 10**18 + b // 2", bound, {"a": a, "b": b})
    return (a * WAD + b // 2) // b
