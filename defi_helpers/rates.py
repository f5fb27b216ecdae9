"""Interest-rate models: Aave v3's kinked curve, and how interest accrues.

Rates are annual fractions (``0.05`` = 5 % a year); utilisation is a fraction
in [0, 1]. Functions accept scalars or numpy arrays.

The curve is the one of Aave v3.0's ``DefaultReserveInterestRateStrategy``
(aave/aave-v3-core), which priced the 2023-10-31 parameters the handbook
uses (one strategy contract per reserve, parameters in ray). Aave v3.1
replaced it with ``DefaultReserveInterestRateStrategyV2`` (one contract for
all reserves, parameters in bps per reserve, stable-rate parameters
dropped); the variable-rate curve has the same shape in both.

References
----------
aave/aave-v3-core (v3.0.x, commit 782f5191),
``contracts/protocol/pool/DefaultReserveInterestRateStrategy.sol``
(``calculateInterestRates``); aave-dao/aave-v3-origin tag ``v3.1.0`` and later,
``DefaultReserveInterestRateStrategyV2.sol`` (``_calculateInterestRates``);
``contracts/protocol/libraries/math/MathUtils.sol`` (``calculateLinearInterest``,
``calculateCompoundedInterest``); aave-v3-origin tag ``v3.4.0`` for the
Taylor form of ``calculateCompoundedInterest``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_output, check_array, check_int, check_number

__all__ = [
    "SECONDS_PER_YEAR",
    "utilization",
    "borrow_rate",
    "supply_rate",
    "linear_interest",
    "compounded_interest_v30",
    "compounded_interest_v30_ray",
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
    Floats, where the contracts use ray (1e27) fixed point with half-up
    rounding; the difference is below 1e-26 per year.

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
    aave/aave-v3-core, contracts/protocol/pool/DefaultReserveInterestRateStrategy.sol
    (v3.0, ``calculateInterestRates``; the 2023-10-31 curves); same variable-rate
    curve in aave-dao/aave-v3-origin ``DefaultReserveInterestRateStrategyV2.sol``
    (v3.1 and later).
    """
    u = check_array("utilization", utilization, lo=0, hi=1)
    uopt, b, s1, s2 = _curve_params(optimal_usage, base, slope1, slope2)
    below = b + s1 * u / uopt
    above = b + s1 + s2 * (u - uopt) / (1.0 - uopt)
    return as_output(np.where(u <= uopt, below, above), utilization)


def supply_rate(utilization, optimal_usage, base, slope1, slope2, reserve_factor):
    """Supply (liquidity) rate: ``borrow_rate * U * (1 - reserve_factor)``.

    Suppliers share the interest borrowers pay, pro rata to what is lent
    out, minus the protocol's cut. The contract computes
    ``overallBorrowRate * supplyUsageRatio * (1 - RF)``, with
    ``supplyUsageRatio = debt / (available + debt + unbacked)`` and, in v3.0,
    ``overallBorrowRate`` the debt-weighted average of the variable rate and
    the average stable rate. This function is exact when there is no stable
    debt (v3.2 removed it; on Aave v3 Ethereum stable borrowing was disabled
    for the reserves of the 2023-10-31 snapshot) and no unbacked supply
    (portal mints), so that ``supplyUsageRatio = U``.

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
    aave/aave-v3-core, contracts/protocol/pool/DefaultReserveInterestRateStrategy.sol
    (v3.0: ``currentLiquidityRate = _getOverallBorrowRate(...).rayMul(supplyUsageRatio)
    .percentMul(PERCENTAGE_FACTOR - reserveFactor)``); aave-dao/aave-v3-origin
    ``DefaultReserveInterestRateStrategyV2.sol`` (v3.1+: the variable rate in place of
    the overall rate).
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
    the per-second rate and ``n`` seconds: the binomial expansion of
    ``(1 + x)^n`` truncated after the cubic term. It understates per-second
    compounding by the omitted terms, about ``(r t)^4 / 24`` for ``r t = rate *
    n / year`` small (2.6e-7 for 5 % over a whole year without an update).
    Floats; the contract works in integer ray units and truncates the
    per-second powers of the rate before multiplying them by ``n``: no
    difference at float precision for a one-hour gap, about 1e-13 for a day,
    5e-6 of the index for 5 % over a whole year without an update.

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


RAY = 10**27


def compounded_interest_v30_ray(rate_ray: int, seconds: int) -> int:
    """Borrow-index growth factor in ray, as Aave v3.0's integer code computes it.

    The binomial approximation of :func:`compounded_interest_v30` with the
    contract's integer steps: the squared and cubed per-second rates are
    truncated (``rayMul`` rounds half up, the divisions by the seconds of a
    year round down) before they are multiplied by ``n``. Over long gaps the
    truncated cubic term makes the result visibly smaller than the float form.

    Parameters
    ----------
    rate_ray : int
        Annual rate in ray (``5 * 10**25`` = 5 %), >= 0.
    seconds : int
        Seconds since the last update, >= 0.

    Returns
    -------
    int
        The factor in ray (``10**27`` = 1).

    Examples
    --------
    5 % over a year without an update: 1.0512657 in the contract's integer
    arithmetic, against 1.0512708 from the float form.

    >>> compounded_interest_v30_ray(5 * 10**25, SECONDS_PER_YEAR) / RAY
    1.0512656815390637

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/MathUtils.sol
    (``calculateCompoundedInterest``) and WadRayMath.sol (``rayMul``).
    """
    r = check_int("rate_ray", rate_ray, lo=0)
    n = check_int("seconds", seconds, lo=0)
    if n == 0:
        return RAY
    n1 = n - 1
    n2 = n - 2 if n > 2 else 0
    power2 = ((r * r + RAY // 2) // RAY) // (SECONDS_PER_YEAR * SECONDS_PER_YEAR)
    power3 = ((power2 * r + RAY // 2) // RAY) // SECONDS_PER_YEAR
    return RAY + r * n // SECONDS_PER_YEAR + n * n1 * power2 // 2 + n * n1 * n2 * power3 // 6


def compounded_interest_v34(rate, seconds):
    """Borrow-index growth factor, Aave v3.4+ (third-order Taylor series of e^x).

    ``x = rate * n / year``; ``1 + x + x^2/2 + x^3/6``. Its error against
    ``e^x`` is about ``x^4 / 24`` for small ``x``.

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
