"""Interest-rate models: Aave v3's kinked curve, and how interest accrues.

Rates are annual fractions (``0.05`` = 5 % a year); utilisation is a fraction
in [0, 1]. Functions accept scalars or numpy arrays.

References
----------
aave-dao/aave-v3-origin, ``src/contracts/misc/DefaultReserveInterestRateStrategyV2.sol``
(``_calculateInterestRates``; Aave v3.1+), and aave/aave-v3-core,
``contracts/protocol/pool/DefaultReserveInterestRateStrategy.sol`` (v3.0);
``contracts/protocol/libraries/math/MathUtils.sol`` (``calculateLinearInterest``,
``calculateCompoundedInterest``); aave-v3-origin tag ``v3.4.0`` for the
Taylor form of ``calculateCompoundedInterest``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_output, check_array, check_number

__all__ = [
    "SECONDS_PER_YEAR",
    "utilization",
    "borrow_rate",
    "supply_rate",
    "linear_interest",
    "compounded_interest_v30",
    "compounded_interest_v34",
    "apr_to_apy",
]

#: Aave's ``SECONDS_PER_YEAR = 365 days`` (MathUtils.sol); leap years ignored.
SECONDS_PER_YEAR = 365 * 24 * 3600


def _curve_params(optimal_usage, base, slope1, slope2):
    uopt = check_number("optimal_usage", optimal_usage, lo=0, hi=1, lo_open=True, hi_open=True)
    b = check_number("base", base, lo=0)
    s1 = check_number("slope1", slope1, lo=0)
    s2 = check_number("slope2", slope2, lo=0)
    return uopt, b, s1, s2


def utilization(total_debt, available_liquidity):
    """Borrow usage ratio ``U = debt / (available liquidity + debt)``; 0 with no debt.

    Parameters
    ----------
    total_debt, available_liquidity : float or array
        Amounts of the reserve's asset (>= 0).

    Examples
    --------
    >>> utilization(90, 10)
    0.9
    """
    d = check_array("total_debt", total_debt, lo=0)
    a = check_array("available_liquidity", available_liquidity, lo=0)
    total = d + a
    u = np.divide(d, total, out=np.zeros(np.broadcast(d, a).shape), where=total > 0)
    return float(u) if u.ndim == 0 else u


def borrow_rate(utilization, optimal_usage, base, slope1, slope2):
    """Variable borrow rate of Aave v3's kinked curve.

    ``U <= Uopt``: ``base + slope1 * U / Uopt``;
    ``U > Uopt``: ``base + slope1 + slope2 * (U - Uopt) / (1 - Uopt)``.

    Parameters
    ----------
    utilization : float or array
        Borrow usage ratio in [0, 1].
    optimal_usage : float
        The kink ``Uopt``, in (0, 1).
    base, slope1, slope2 : float
        Annual rates (fractions, >= 0).

    Returns
    -------
    float or numpy.ndarray
        Annual borrow rate (APR, fraction).

    Examples
    --------
    WETH on Aave v3 Ethereum, 2023-10-31 (Uopt 80 %, base 0, slope1 2.8 %,
    slope2 80 %):

    >>> round(borrow_rate(0.9, 0.8, 0.0, 0.028, 0.80), 6)
    0.428

    References
    ----------
    aave-dao/aave-v3-origin, src/contracts/misc/DefaultReserveInterestRateStrategyV2.sol
    """
    u = check_array("utilization", utilization, lo=0, hi=1)
    uopt, b, s1, s2 = _curve_params(optimal_usage, base, slope1, slope2)
    below = b + s1 * u / uopt
    above = b + s1 + s2 * (u - uopt) / (1.0 - uopt)
    return as_output(np.where(u <= uopt, below, above), utilization)


def supply_rate(utilization, optimal_usage, base, slope1, slope2, reserve_factor):
    """Supply (liquidity) rate: ``borrow_rate * U * (1 - reserve_factor)``.

    Suppliers share the interest borrowers pay, pro rata to what is lent
    out, minus the protocol's cut. (No unbacked supply assumed, so the
    supply usage ratio equals U.)

    Parameters
    ----------
    utilization : float or array
        In [0, 1].
    optimal_usage, base, slope1, slope2 : float
        As in :func:`borrow_rate`.
    reserve_factor : float
        Protocol's share of interest, in [0, 1].

    Examples
    --------
    >>> round(supply_rate(0.9, 0.8, 0.0, 0.028, 0.80, 0.15), 6)
    0.32742

    References
    ----------
    aave-dao/aave-v3-origin, src/contracts/misc/DefaultReserveInterestRateStrategyV2.sol
    (``currentLiquidityRate = borrowRate.rayMul(supplyUsageRatio).percentMul(100% - reserveFactor)``)
    """
    rf = check_number("reserve_factor", reserve_factor, lo=0, hi=1)
    u = check_array("utilization", utilization, lo=0, hi=1)
    r = borrow_rate(u, optimal_usage, base, slope1, slope2) * u * (1.0 - rf)
    return as_output(r, utilization)


def linear_interest(rate, seconds):
    """Supply-index growth factor between two updates: ``1 + rate * t / year``.

    Aave accrues supply interest linearly between interactions with a
    reserve; it compounds only when someone touches the reserve.

    Examples
    --------
    >>> linear_interest(0.04, SECONDS_PER_YEAR)
    1.04

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/MathUtils.sol (calculateLinearInterest)
    """
    r = check_array("rate", rate, lo=0)
    t = check_array("seconds", seconds, lo=0)
    return as_output(1.0 + r * t / SECONDS_PER_YEAR, rate if np.ndim(rate) else seconds)


def compounded_interest_v30(rate, seconds):
    """Borrow-index growth factor, Aave v3.0–v3.3 (binomial approximation).

    ``1 + n*x + n(n-1)/2 * x^2 + n(n-1)(n-2)/6 * x^3`` with ``x = rate/year``
    the per-second rate and ``n`` seconds: the first three terms of the
    binomial expansion of ``(1 + x)^n``. It slightly understates true
    compounding for high rates over long gaps.

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/MathUtils.sol
    (calculateCompoundedInterest)
    """
    r = check_array("rate", rate, lo=0)
    n = check_array("seconds", seconds, lo=0)
    x = r / SECONDS_PER_YEAR
    n1 = np.maximum(n - 1, 0)
    n2 = np.maximum(n - 2, 0)
    f = 1 + n * x + n * n1 / 2 * x**2 + n * n1 * n2 / 6 * x**3
    return as_output(f, rate if np.ndim(rate) else seconds)


def compounded_interest_v34(rate, seconds):
    """Borrow-index growth factor, Aave v3.4+ (third-order Taylor series of e^x).

    ``x = rate * n / year``; ``1 + x + x^2/2 + x^3/6``.

    References
    ----------
    aave-dao/aave-v3-origin tag v3.4.0,
    src/contracts/protocol/libraries/math/MathUtils.sol (calculateCompoundedInterest)
    """
    r = check_array("rate", rate, lo=0)
    n = check_array("seconds", seconds, lo=0)
    x = r * n / SECONDS_PER_YEAR
    return as_output(1 + x + x * (x / 2 + x * x / 6), rate if np.ndim(rate) else seconds)


def apr_to_apy(apr, periods_per_year=SECONDS_PER_YEAR):
    """APY from an APR compounded ``periods_per_year`` times: ``(1 + apr/m)^m - 1``.

    The one implementation in the package: chapters call it with their own
    compounding period (Aave: every second; stETH: daily rebases; sUSDe:
    weekly). Negative rates (e.g. negative funding) are allowed down to
    ``-m``, where the per-period rate would wipe out the balance. Computed as
    ``expm1(m * log1p(apr/m))`` to stay accurate for per-second compounding.

    Examples
    --------
    >>> round(apr_to_apy(0.05, 12), 6)
    0.051162
    """
    m = check_number("periods_per_year", periods_per_year, lo=1)
    a = check_array("apr", apr, lo=-m, lo_open=True, why="a yearly rate as a fraction: 0.10 means 10 %")
    return as_output(np.expm1(m * np.log1p(a / m)), apr)
