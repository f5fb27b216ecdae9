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

from ._validate import Int, Real, check_array, contract

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


#: Domains shared by the curve functions (the parameters of one reserve's strategy).
_CURVE = dict(
    utilization=Real(lo=0, hi=1, why="a share of the reserve lent out"),
    optimal_usage=Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True,
                       why="the kink lies strictly between 0 and 1; the curve divides by Uopt and 1 - Uopt"),
    base=Real(lo=0, scalar=True),
    slope1=Real(lo=0, scalar=True),
    slope2=Real(lo=0, scalar=True),
)
_RATE = Real(lo=0, why="an annual rate as a fraction: 0.05 means 5 %")
_SECONDS = Real(lo=0, why="a time in seconds")


@contract(total_debt=Real(lo=0), available_liquidity=Real(lo=0))
def utilization(total_debt, available_liquidity):
    """Borrow usage ratio ``U = debt / (available liquidity + debt)``; 0 with no debt.

    Parameters
    ----------
    total_debt : float or array of float
        Debt of the reserve, in its asset; {domain:total_debt}.
    available_liquidity : float or array of float
        Liquidity not lent out, in the same asset; {domain:available_liquidity}.

    Examples
    --------
    >>> utilization(90, 10)
    0.9
    """
    total = total_debt + available_liquidity
    return np.divide(total_debt, total, out=np.zeros(np.shape(total)), where=total > 0)


@contract(**_CURVE)
def borrow_rate(utilization, optimal_usage, base, slope1, slope2):
    """Variable borrow rate of Aave v3's kinked curve.

    ``U <= Uopt``: ``base + slope1 * U / Uopt``;
    ``U > Uopt``: ``base + slope1 + slope2 * (U - Uopt) / (1 - Uopt)``.
    Floats, where the contracts use ray (1e27) fixed point with half-up
    rounding; the difference is below 1e-26 per year.

    Parameters
    ----------
    utilization : float or array of float
        Borrow usage ratio, {domain:utilization}.
    optimal_usage : float
        The kink ``Uopt``, {domain:optimal_usage}.
    base : float
        Rate at zero utilisation, an annual fraction, {domain:base}.
    slope1 : float
        Rise from 0 to ``Uopt``, an annual fraction, {domain:slope1}.
    slope2 : float
        Rise from ``Uopt`` to 1, an annual fraction, {domain:slope2}.

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
    return _borrow_rate(utilization, optimal_usage, base, slope1, slope2)


def _borrow_rate(u, uopt, b, s1, s2):
    below = b + s1 * u / uopt
    above = b + s1 + s2 * (u - uopt) / (1.0 - uopt)
    return np.where(u <= uopt, below, above)


@contract(**_CURVE, reserve_factor=Real(lo=0, hi=1, scalar=True))
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
    utilization : float or array of float
        Borrow usage ratio, {domain:utilization}.
    optimal_usage : float
        The kink, {domain:optimal_usage}; as in :func:`borrow_rate`.
    base, slope1, slope2 : float
        As in :func:`borrow_rate`; each {domain:base}.
    reserve_factor : float
        Protocol's share of interest, {domain:reserve_factor}.

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
    u = utilization
    return _borrow_rate(u, optimal_usage, base, slope1, slope2) * u * (1.0 - reserve_factor)


@contract(rate=_RATE, seconds=_SECONDS)
def linear_interest(rate, seconds):
    """Supply-index growth factor between two updates: ``1 + rate * t / year``.

    Aave accrues supply interest linearly between interactions with a
    reserve; it compounds only when someone touches the reserve.

    Parameters
    ----------
    rate : float or array of float
        Supply rate (APR, a fraction), {domain:rate}.
    seconds : float or array of float
        Time since the last update, {domain:seconds}.

    Returns
    -------
    float or numpy.ndarray
        The growth factor (1 = no growth); arrays broadcast against each other.

    Examples
    --------
    >>> linear_interest(0.04, SECONDS_PER_YEAR)
    1.04

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/MathUtils.sol (calculateLinearInterest)
    """
    return 1.0 + rate * seconds / SECONDS_PER_YEAR


@contract(rate=_RATE, seconds=_SECONDS)
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

    Parameters
    ----------
    rate : float or array of float
        Variable borrow rate (APR, a fraction), {domain:rate}.
    seconds : float or array of float
        Time since the last update, {domain:seconds}.

    Returns
    -------
    float or numpy.ndarray
        The growth factor (1 = no growth); arrays broadcast against each other.

    Examples
    --------
    >>> round(compounded_interest_v30(0.05, SECONDS_PER_YEAR), 7)
    1.0512708

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/MathUtils.sol
    (calculateCompoundedInterest)
    """
    x = np.divide(rate, SECONDS_PER_YEAR)
    n = np.asarray(seconds, dtype=float)
    n1 = np.maximum(n - 1, 0)
    n2 = np.maximum(n - 2, 0)
    return 1 + n * x + n * n1 / 2 * x**2 + n * n1 * n2 / 6 * x**3


#: One in ray (27 decimals), Aave's unit for rates and indexes (WadRayMath.sol).
RAY = 10**27
#: Largest rate the reserve stores: ``currentVariableBorrowRate`` is a ``uint128``
#: (DataTypes.ReserveData, aave/aave-v3-core).
_MAX_RATE_RAY = 2**128 - 1
#: Largest gap between two updates: ``lastUpdateTimestamp`` is a ``uint40`` (same struct).
_MAX_SECONDS = 2**40 - 1


@contract(rate_ray=Int(lo=0, hi=_MAX_RATE_RAY, why="the reserve stores the rate as a uint128"),
          seconds=Int(lo=0, hi=_MAX_SECONDS, why="timestamps are stored as uint40"))
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
        Annual rate in ray (``5 * 10**25`` = 5 %), {domain:rate_ray}
        (``currentVariableBorrowRate`` is a ``uint128``).
    seconds : int
        Seconds since the last update, {domain:seconds}
        (``lastUpdateTimestamp`` is a ``uint40``).

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
    (``calculateCompoundedInterest``) and WadRayMath.sol (``rayMul``);
    contracts/protocol/libraries/types/DataTypes.sol (``ReserveData``: the
    rate a ``uint128``, ``lastUpdateTimestamp`` a ``uint40``).
    """
    r, n = rate_ray, seconds
    if n == 0:
        return RAY
    n1 = n - 1
    n2 = n - 2 if n > 2 else 0
    power2 = ((r * r + RAY // 2) // RAY) // (SECONDS_PER_YEAR * SECONDS_PER_YEAR)
    power3 = ((power2 * r + RAY // 2) // RAY) // SECONDS_PER_YEAR
    return RAY + r * n // SECONDS_PER_YEAR + n * n1 * power2 // 2 + n * n1 * n2 * power3 // 6


@contract(rate=_RATE, seconds=_SECONDS)
def compounded_interest_v34(rate, seconds):
    """Borrow-index growth factor, Aave v3.4+ (third-order Taylor series of e^x).

    ``x = rate * n / year``; ``1 + x + x^2/2 + x^3/6``. Its error against
    ``e^x`` is about ``x^4 / 24`` for small ``x``.

    Parameters
    ----------
    rate : float or array of float
        Variable borrow rate (APR, a fraction), {domain:rate}.
    seconds : float or array of float
        Time since the last update, {domain:seconds}.

    Returns
    -------
    float or numpy.ndarray
        The growth factor (1 = no growth); arrays broadcast against each other.

    Examples
    --------
    >>> round(compounded_interest_v34(0.05, SECONDS_PER_YEAR), 7)
    1.0512708

    References
    ----------
    aave-dao/aave-v3-origin tag v3.4.0,
    src/contracts/protocol/libraries/math/MathUtils.sol (calculateCompoundedInterest)
    """
    x = np.multiply(rate, seconds) / SECONDS_PER_YEAR
    return 1 + x + x * (x / 2 + x * x / 6)


@contract(apr=Real(why="a yearly rate as a fraction: 0.10 means 10 %"),
          periods_per_year=Real(lo=1, scalar=True, why="compounding periods in a year"))
def apr_to_apy(apr, periods_per_year=SECONDS_PER_YEAR):
    """APY from an APR compounded ``periods_per_year`` times: ``(1 + apr/m)^m - 1``.

    The one implementation in the package: chapters call it with their own
    compounding period (Aave: every second; stETH: daily rebases; sUSDe:
    weekly). Negative rates (e.g. negative funding) are allowed down to
    ``-m``, where the per-period rate would wipe out the balance. Computed as
    ``expm1(m * log1p(apr/m))`` to stay accurate for per-second compounding.

    Parameters
    ----------
    apr : float or array of float
        The yearly rate as a fraction, {domain:apr}, and above ``-periods_per_year``.
    periods_per_year : float, default SECONDS_PER_YEAR
        Compounding periods in a year ``m``, {domain:periods_per_year}.

    Returns
    -------
    float or numpy.ndarray
        The APY, a fraction.

    Examples
    --------
    >>> round(apr_to_apy(0.05, 12), 6)
    0.051162
    """
    m = periods_per_year
    check_array("apr", apr, lo=-m, lo_open=True,
                why=f"a yearly rate as a fraction: 0.10 means 10 %; below -periods_per_year = {-m:g} "
                    "one period would wipe out the balance")
    return np.expm1(m * np.log1p(apr / m))
