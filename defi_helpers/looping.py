"""Looping (recursive leverage) on a lending market, with Aave v3 semantics.

Looping means: supply collateral, borrow against it, turn the borrowed asset
into more collateral, supply that too, and repeat. Each round borrows a share
``ltv`` of the last deposit, so the exposure after ``n`` rounds is a geometric
series with the limit ``1 / (1 - ltv)``.

Every function is pure (numbers in, numbers out). Rates, thresholds, LTVs and
fees are fractions (``0.93`` means 93 %). *Leverage* ``x`` is exposure per unit
of equity: collateral value over (collateral - debt) at entry prices. The
looped asset and the debt asset are taken to be the same asset (WETH looped
into wstETH, USDC into a USD stablecoin token) up to a price ratio, which is
what makes the algebra this small.

References
----------
Aave v3 core, ``aave/aave-v3-core``:
``contracts/protocol/libraries/logic/GenericLogic.sol`` (health factor),
``.../logic/FlashLoanLogic.sol`` (flash-loan premium; no premium when the flash
loan is turned into debt, ``interestRateMode != NONE``).
Aave v3.1 default flash-loan premium ``flashLoanPremiumTotal = 0.0005e4``
(5 bps): ``aave-dao/aave-v3-origin`` tag ``v3.1.0``,
``src/deployments/inputs/DefaultMarketInput.sol``.
E-Mode parameters: ``bgd-labs/aave-proposals-v3`` (``diffs/`` and ``src/``),
bundled as the dataset ``aave_emode_categories``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import Finite, Int, Opt, Real, contract

__all__ = [
    "leverage_after_loops",
    "max_leverage",
    "ltv_for_leverage",
    "ltv_for_leverage_after_loops",
    "loops_to_reach",
    "net_apy",
    "break_even_borrow_apy",
    "looped_health_factor",
    "leverage_for_health_factor",
    "liquidation_price_ratio",
    "price_drop_to_liquidation",
    "equity_wipeout_drop",
    "health_factor_drift",
    "years_to_liquidation",
    "flash_loan_loop",
    "iterative_loop",
    "unwind_equity",
    "LoopPosition",
    "AAVE_V3_FLASH_LOAN_PREMIUM",
    "ETH_CORRELATED_EMODE_LTV",
    "ETH_CORRELATED_EMODE_LT",
]

#: Aave v3 flash-loan premium, 5 bps: ``flashLoanPremiumTotal = 0.0005e4`` in the
#: default deployment input, aave-dao/aave-v3-origin src/deployments/inputs/
#: DefaultMarketInput.sol (read 2025); Aave v2 charged 9 bps. The date the Ethereum
#: market moved from 9 to 5 bps is not verified: check the live market.
AAVE_V3_FLASH_LOAN_PREMIUM = 0.0005
#: Aave v3 Ethereum Core, E-Mode 1 "ETH correlated", LTV 93 % (AIP of 2024-01-21,
#: bgd-labs/aave-proposals-v3 src/20240121_Multi_UpdateStETHAndWETHRiskParams...;
#: unchanged in the 2025-05-19 diff AaveV3Ethereum_ConfigurationMaintenance_20250519).
ETH_CORRELATED_EMODE_LTV = 0.93
#: Same category, liquidation threshold 95 % (same sources and dates).
ETH_CORRELATED_EMODE_LT = 0.95


#: Most borrow-and-supply rounds a function accepts: far beyond any real loop
#: (each round is two transactions), and the series has converged long before.
MAX_LOOPS = 10_000

# Domains shared by several functions (declared once; see defi_helpers._validate).
_LEVERAGE = Real(lo=1, why="exposure over equity is at least 1 (no loop)")
_LEVERAGE1 = Real(lo=1, scalar=True, why="exposure over equity is at least 1 (no loop)")
_LT = Real(lo=0, hi=1, lo_open=True, why="a fraction: 0.95 means 95 %")
_APY = Real(lo=-1, hi=10, why="a yearly rate as a fraction: 0.05 means 5 %")
_INCENTIVE = Real(lo=0, hi=10, why="a yearly reward rate as a fraction")
_RATE1 = Real(lo=-1, hi=10, scalar=True, why="a continuously compounded yearly rate: 0.05 means 5 %")
_HF0 = Real(lo=0, lo_open=True, scalar=True, why="a health factor")
_EQUITY = Real(lo=0, lo_open=True, scalar=True, why="own funds, in the looped asset")
_GAS = Real(lo=0, scalar=True, why="an amount of the looped asset")
_PREMIUM = Real(lo=0, hi=0.1, scalar=True, why="a fraction of the amount: 0.0005 means 5 bps")


class _Target(Real):
    """``Real(lo=1)`` whose example lies below the loop limit at the example LTV (0.5, so 2x)."""

    def example(self):
        return 1.5


def _whole_loops(loops) -> None:
    """Refuse fractional loops (the domain is a whole number, or an array of them)."""
    if np.any(np.asarray(loops) != np.floor(loops)):
        raise ValueError(f"loops must be whole numbers in [0, {MAX_LOOPS}]; got {loops!r}")


def _series(ltv, loops):
    """``(1 - L**(n+1)) / (1 - L)`` (``n + 1`` at ``L = 1``), broadcast; inputs already valid."""
    lt_b, n_b = np.broadcast_arrays(np.asarray(ltv, dtype=float), np.asarray(loops, dtype=float))
    below = lt_b < 1.0
    safe = np.where(below, lt_b, 0.0)
    return np.where(below, (1.0 - safe ** (n_b + 1.0)) / (1.0 - safe), n_b + 1.0)


@contract(ltv=Real(lo=0, hi=1, why="a share of each deposit"),
          loops=Real(lo=0, hi=MAX_LOOPS, why="a whole number of borrow-and-supply rounds"))
def leverage_after_loops(ltv, loops):
    """Exposure per unit of equity after ``loops`` borrow-and-redeposit rounds.

    Each round borrows ``ltv`` times the last deposit and supplies it again, so
    the collateral after ``n`` rounds is ``E * (1 + L + L**2 + ... + L**n)``::

        x_n = (1 - L**(n+1)) / (1 - L)      (and x_n = n + 1 when L = 1)

    Parameters
    ----------
    ltv : float or array of float
        Share of each deposit that is borrowed, a fraction {domain:ltv}. Using the
        full maximum LTV puts the position at HF = LT / LTV, barely above 1.
    loops : int or array of int
        Number of borrow-and-redeposit rounds, whole numbers {domain:loops};
        ``0`` means no loop.

    Returns
    -------
    float or numpy.ndarray
        Leverage ``x_n`` (>= 1); arrays broadcast against each other.

    Examples
    --------
    >>> leverage_after_loops(0.8, 0)
    1.0
    >>> round(leverage_after_loops(0.8, 3), 4)
    2.952
    >>> round(leverage_after_loops(0.93, 10), 4)
    7.8557

    References
    ----------
    Geometric series; Aave v3 borrowing power ``availableBorrows = C * LTV - D``
    (aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol).
    """
    _whole_loops(loops)
    return _series(ltv, loops)


@contract(ltv=Real(lo=0, hi=1, hi_open=True, why="at LTV = 1 looping diverges to infinite leverage"))
def max_leverage(ltv):
    """The limit of looping forever: ``1 / (1 - ltv)``.

    Parameters
    ----------
    ltv : float or array of float
        Maximum loan-to-value, a fraction {domain:ltv}. At ``ltv = 1`` the series
        diverges: infinite leverage, which no market allows, so it is rejected.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(max_leverage(0.8), 10)
    5.0
    >>> round(max_leverage(0.93), 4)
    14.2857

    References
    ----------
    Sum of the geometric series of :func:`leverage_after_loops`.
    """
    return 1.0 / (1.0 - ltv)


@contract(leverage=_LEVERAGE)
def ltv_for_leverage(leverage):
    """The smallest LTV whose loop limit reaches ``leverage``: ``1 - 1/x``.

    Answers "what LTV turns $1M of equity into $3M-$5M of exposure?" (66.7 %
    and 80 %). Only the limit of infinitely many loops reaches it exactly.

    Parameters
    ----------
    leverage : float or array of float
        Target exposure over equity, {domain:leverage}.

    Returns
    -------
    float or numpy.ndarray
        The LTV, a fraction in [0, 1).

    Examples
    --------
    >>> round(ltv_for_leverage(3), 4), ltv_for_leverage(5)
    (0.6667, 0.8)

    References
    ----------
    Inverse of :func:`max_leverage`.
    """
    return 1.0 - 1.0 / leverage


@contract(leverage=_LEVERAGE1, loops=Int(lo=1, hi=MAX_LOOPS, why="borrow-and-supply rounds"))
def ltv_for_leverage_after_loops(leverage, loops) -> float:
    """The LTV at which ``loops`` rounds reach exactly ``leverage``.

    Solves ``(1 - L**(n+1)) / (1 - L) = x`` for ``L`` in [0, 1) by bisection
    (the left side increases with ``L``), to 1e-12. With ``n`` loops the
    leverage cannot exceed ``n + 1`` (reached only at ``L = 1``), so targets
    at or above it are refused. :func:`ltv_for_leverage` is the limit
    ``n -> infinity``.

    Parameters
    ----------
    leverage : float
        Target exposure over equity, {domain:leverage} and below ``loops + 1``.
    loops : int
        Number of borrow-and-redeposit rounds, {domain:loops}.

    Returns
    -------
    float
        The LTV, a fraction in [0, 1).

    Examples
    --------
    >>> round(ltv_for_leverage_after_loops(3, 5), 4), round(ltv_for_leverage_after_loops(5, 5), 4)
    (0.709, 0.9265)

    References
    ----------
    Inverse in ``L`` of :func:`leverage_after_loops`.
    """
    n, x = loops, leverage
    if x >= n + 1:
        raise ValueError(f"leverage must be in [1, {n + 1}) for loops = {n}; got {x:g} "
                         f"({n} loops reach at most {n + 1}x, and only at LTV = 1)")
    lo, hi = 0.0, 1.0
    while hi - lo > 1e-12:
        mid = 0.5 * (lo + hi)
        if _series(mid, n) < x:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@contract(ltv=Real(lo=0, hi=1, hi_open=True, scalar=True, why="at LTV = 1 looping diverges to infinite leverage"),
          target_leverage=_Target(lo=1, scalar=True, why="exposure over equity is at least 1 (no loop)"))
def loops_to_reach(ltv, target_leverage) -> int:
    """Fewest loops for which :func:`leverage_after_loops` reaches a target.

    Solves ``(1 - L**(n+1)) / (1 - L) >= x`` for the smallest whole ``n``:
    ``n = ceil(log(1 - x(1-L)) / log(L)) - 1``.

    Raises
    ------
    ValueError
        If ``target_leverage`` is not below :func:`max_leverage` (never reached).

    Parameters
    ----------
    ltv : float
        Share of each deposit borrowed, {domain:ltv}.
    target_leverage : float
        Leverage to reach, {domain:target_leverage} and below ``max_leverage(ltv)``.

    Returns
    -------
    int
        The number of loops.

    Examples
    --------
    >>> loops_to_reach(0.8, 4.5)
    10
    >>> loops_to_reach(0.93, 10)
    16
    >>> loops_to_reach(0.0, 1.0)
    0

    References
    ----------
    Geometric series of :func:`leverage_after_loops`.
    """
    lt, x = ltv, target_leverage
    if x == 1.0:  # no loop needed, whatever the LTV (also at LTV 0, whose limit is 1)
        return 0
    limit = 1.0 / (1.0 - lt)
    if x >= limit * (1.0 - 1e-9):  # within float noise of the limit counts as the limit
        raise ValueError(
            f"target_leverage must be < max_leverage(ltv) = {limit:.6g} for ltv = {lt:g}; "
            f"got {x!r} (the loop only approaches its limit)"
        )
    n = math.ceil(math.log(1.0 - x * (1.0 - lt)) / math.log(lt) - 1.0 - 1e-12)
    n = max(n, 0)
    # guard against floating-point edge cases on either side
    while _series(lt, n) < x - 1e-12:
        n += 1
    while n > 0 and _series(lt, n - 1) >= x - 1e-12:
        n -= 1
    return n


@contract(leverage=_LEVERAGE, supply_apy=_APY, borrow_apy=_APY, supply_incentive_apy=_INCENTIVE,
          borrow_incentive_apy=_INCENTIVE)
def net_apy(leverage, supply_apy, borrow_apy, *, supply_incentive_apy=0.0, borrow_incentive_apy=0.0):
    """APY on equity of a looped position.

    ``r_E = x * (r_s + i_s) - (x - 1) * (r_b - i_b)``: every unit of equity
    earns the supply rate on ``x`` units of collateral and pays the borrow rate
    on ``x - 1`` units of debt. Incentives (reward tokens) are quoted per unit
    supplied (``i_s``) or borrowed (``i_b``). Linear in leverage.

    Exact when the rates are the returns over the period (APYs, for a year)
    and the position is not rebalanced in between: equity grows from 1 to
    ``x (1 + r_s) - (x - 1)(1 + r_b)``. Fed with APRs it is an approximation
    that ignores compounding (convert with :func:`defi_helpers.rates.apr_to_apy`).

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage}.
    supply_apy : float or array of float
        What the collateral earns, as a fraction per year, {domain:supply_apy}
        (for an LST: the staking yield plus the lending supply APY).
    borrow_apy : float or array of float
        What the debt costs, as a fraction per year, {domain:borrow_apy}.
    supply_incentive_apy, borrow_incentive_apy : float or array of float, default 0
        Extra rewards per unit supplied / borrowed, as fractions per year,
        {domain:supply_incentive_apy}.

    Returns
    -------
    float or numpy.ndarray
        APY on equity; negative when borrowing costs more than the collateral earns.

    Examples
    --------
    >>> round(net_apy(10, 0.03, 0.02), 6)
    0.12
    >>> round(net_apy(3, 0.04, 0.06), 6)
    0.0

    References
    ----------
    Aave v3 accrues supply and borrow interest per second on the same asset
    (aave/aave-v3-core, contracts/protocol/libraries/logic/ReserveLogic.sol);
    the equity return is their difference weighted by exposure and debt.
    """
    x = leverage
    return x * (supply_apy + supply_incentive_apy) - (x - 1.0) * (borrow_apy - borrow_incentive_apy)


@contract(leverage=Real(lo=1, lo_open=True,
                        why="with leverage 1 there is no debt, so no borrow rate breaks even"),
          supply_apy=_APY)
def break_even_borrow_apy(leverage, supply_apy):
    """Borrow rate at which a loop's equity earns nothing: ``r_s * x / (x - 1)``.

    Setting :func:`net_apy` to zero, ``x r_s - (x-1) r_b = 0``, gives
    ``r_b = r_s x / (x - 1)``. Below that rate the looped equity earns a
    positive return. Note the other comparison: the loop beats simply holding
    the collateral (which earns ``r_s``) exactly when ``r_b < r_s``, whatever
    the leverage, because ``x r_s - (x-1) r_b - r_s = (x-1)(r_s - r_b)``.

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage} (with no debt no borrow rate matters).
    supply_apy : float or array of float
        What the collateral earns per year (fraction), {domain:supply_apy}.

    Returns
    -------
    float or numpy.ndarray
        The borrow APY (fraction per year) at which :func:`net_apy` is zero.

    Examples
    --------
    >>> round(break_even_borrow_apy(10, 0.03), 6)
    0.033333
    >>> round(break_even_borrow_apy(3, 0.04), 6)
    0.06

    References
    ----------
    Setting :func:`net_apy` to zero; cf. Xiong et al., arXiv:2401.08610.
    """
    x = leverage
    return supply_apy * x / (x - 1.0)


@contract(leverage=_LEVERAGE, liquidation_threshold=_LT,
          price_ratio=Real(lo=0, lo_open=True, why="a price ratio relative to entry"),
          returns=Finite(allow_inf=True))
def looped_health_factor(leverage, liquidation_threshold, price_ratio=1.0):
    """Health factor of a loop whose collateral and debt are one asset up to a price.

    With equity ``E``, collateral ``xE`` and debt ``(x-1)E`` at entry, and the
    collateral's price relative to the debt's moved by ``price_ratio``::

        HF = LT * x * price_ratio / (x - 1)

    It does not depend on the equity or on the common (e.g. USD) price level.

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage}. ``1`` means no debt (HF is infinite).
    liquidation_threshold : float or array of float
        LT of the collateral (E-Mode LT when in E-Mode), a fraction {domain:liquidation_threshold}.
    price_ratio : float or array of float, default 1
        (collateral price / debt price) now, over the same at entry, {domain:price_ratio}.
        ``0.95`` means the collateral lost 5 % against the debt asset.

    Returns
    -------
    float or numpy.ndarray
        HF; ``math.inf`` where leverage is 1 (the only non-finite result).
        Liquidation is possible when HF < 1.

    Examples
    --------
    >>> round(looped_health_factor(10, 0.95), 6)
    1.055556
    >>> round(looped_health_factor(1 / (1 - 0.93), 0.95), 6)
    1.021505
    >>> looped_health_factor(1, 0.95)
    inf

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol
    (``HF = sum(collateral_i * LT_i) / debt``).
    """
    x = np.asarray(leverage)
    levered = x > 1.0
    return np.where(levered, liquidation_threshold * x * price_ratio / np.where(levered, x - 1.0, 1.0), np.inf)


@contract(health_factor=Real(lo=0, lo_open=True, why="a health factor"), liquidation_threshold=_LT)
def leverage_for_health_factor(health_factor, liquidation_threshold):
    """Leverage at which a same-asset loop sits at a given health factor.

    Inverting :func:`looped_health_factor` at ``price_ratio = 1``:
    ``x = HF / (HF - LT)``. Needs ``HF > LT``.

    Parameters
    ----------
    health_factor : float or array of float
        Target health factor at entry, {domain:health_factor} and above
        ``liquidation_threshold``.
    liquidation_threshold : float or array of float
        LT of the collateral, {domain:liquidation_threshold}.

    Returns
    -------
    float or numpy.ndarray
        Leverage (exposure over equity).

    Examples
    --------
    TokenLogic's 2025 ARFC "LRT and wstETH Unification" states that at HF 1.01
    an LT of 96.5 % supports 22.44x and an LT of 95 % 16.83x:

    >>> round(leverage_for_health_factor(1.01, 0.965), 2)
    22.44
    >>> round(leverage_for_health_factor(1.01, 0.95), 2)
    16.83

    References
    ----------
    TokenLogic, ARFC "LRT and wstETH Unification" (2025),
    https://governance.aave.com/t/arfc-lrt-and-wsteth-unification/21739 ;
    bgd-labs/aave-proposals-v3 src/20250430_Multi_LRTAndWstETHUnification.
    """
    lt, hf = liquidation_threshold, health_factor
    if np.any(hf <= lt):
        raise ValueError(
            f"health_factor must be > liquidation_threshold; got {health_factor!r} and "
            f"{liquidation_threshold!r} (a loop's HF tends to LT as leverage grows, never below)"
        )
    return hf / (hf - lt)


def _price_ratio(x, lt):
    return (x - 1.0) / (x * lt)


@contract(leverage=_LEVERAGE, liquidation_threshold=_LT)
def liquidation_price_ratio(leverage, liquidation_threshold):
    """Collateral/debt price ratio (relative to entry) at which HF reaches 1.

    ``p_liq = (x - 1) / (x * LT)``. For a stETH loop priced at the *market*
    stETH/ETH rate, this is the market rate that makes it liquidatable.

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage}.
    liquidation_threshold : float or array of float
        LT of the collateral, {domain:liquidation_threshold}.

    Returns
    -------
    float or numpy.ndarray
        The price ratio ``p_liq`` (relative to entry prices).

    Examples
    --------
    >>> round(liquidation_price_ratio(2, 0.75), 6)
    0.666667
    >>> round(liquidation_price_ratio(10, 0.95), 6)
    0.947368

    References
    ----------
    Solving :func:`looped_health_factor` = 1 for the price ratio
    (aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol).
    """
    return _price_ratio(leverage, liquidation_threshold)


@contract(leverage=_LEVERAGE, liquidation_threshold=_LT)
def price_drop_to_liquidation(leverage, liquidation_threshold):
    """Relative fall of the collateral/debt price that brings HF to 1.

    Exact form, with ``HF`` the health factor at entry
    (:func:`looped_health_factor`)::

        d = 1 - 1/HF = 1 - (x - 1) / (x * LT) = 1/(x * LT) - (1 - LT) / LT

    It is *not* ``1/x``: ``1/x`` is the fall that wipes out the equity
    (:func:`equity_wipeout_drop`, collateral value equal to the debt), and the
    two agree only at ``LT = 1``. For ``LT < 1`` the liquidating fall is
    ``1/x`` scaled by ``1/LT`` and shifted down by ``(1 - LT)/LT``; it reaches
    zero at ``x = 1/(1 - LT)`` (20x at LT 95 %), where HF = 1 at entry. At 10x
    and LT 95 % it is 5.26 %, against 1/x = 10 %.

    A value <= 0 means the position is already liquidatable at entry prices
    (HF <= 1); the function returns it unclipped so that you can see by how much.

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage}.
    liquidation_threshold : float or array of float
        LT of the collateral, {domain:liquidation_threshold}.

    Returns
    -------
    float or numpy.ndarray
        The relative fall, a fraction (``0.05`` = 5 %).

    Examples
    --------
    >>> round(price_drop_to_liquidation(10, 0.95), 6)
    0.052632
    >>> round(price_drop_to_liquidation(1 / (1 - 0.93), 0.95), 6)
    0.021053
    >>> round(price_drop_to_liquidation(20, 0.95), 12)
    0.0

    References
    ----------
    Inverse of :func:`looped_health_factor` in ``price_ratio``
    (aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol:
    ``HF = sum(collateral_i * LT_i) / debt``; liquidatable when HF < 1,
    ``HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18`` in ValidationLogic.sol).
    """
    return 1.0 - _price_ratio(leverage, liquidation_threshold)


@contract(leverage=_LEVERAGE)
def equity_wipeout_drop(leverage):
    """Relative fall of the collateral/debt price at which the equity is gone: ``1/x``.

    Collateral ``x * p`` equals debt ``x - 1`` at ``p = (x - 1)/x``, a fall of
    ``1/x``. Liquidation comes earlier, at :func:`price_drop_to_liquidation`
    (``1 - 1/HF``), because the liquidation threshold counts only ``LT`` of
    the collateral; this is the fall a loop could survive with ``LT = 1``.

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage}.

    Returns
    -------
    float or numpy.ndarray
        The relative fall, a fraction (``0.1`` = 10 %).

    Examples
    --------
    >>> equity_wipeout_drop(10)
    0.1

    References
    ----------
    Balance-sheet identity of the loop: collateral ``xE``, debt ``(x - 1)E``.
    """
    return 1.0 / leverage


@contract(initial_health_factor=_HF0, staking_rate=_RATE1, borrow_rate=_RATE1,
          years=Real(lo=0, why="a time from now, in years"))
def health_factor_drift(initial_health_factor, staking_rate, borrow_rate, years):
    """Health factor over time when the collateral and the debt accrue at different rates.

    With the collateral priced at its exchange rate (wstETH at
    ``stEthPerToken`` ETH, as Aave v3 does) it grows at the staking rate
    ``y`` while the debt grows at the borrow rate ``r_b``::

        HF(t) = HF0 * exp((y - r_b) * t)

    Rates are continuously compounded annual rates (an APR accrued per second
    is close to this; convert an APY ``a`` with ``log(1 + a)``).

    Parameters
    ----------
    initial_health_factor : float
        HF now, {domain:initial_health_factor}.
    staking_rate, borrow_rate : float
        Continuously compounded annual rates (fractions), {domain:staking_rate}.
    years : float or array of float
        Time from now, in years, {domain:years}.

    Returns
    -------
    float or numpy.ndarray
        HF at each time in ``years``.

    Examples
    --------
    >>> round(health_factor_drift(1.2, 0.03, 0.05, 1.0), 6)
    1.176238

    References
    ----------
    Derived from ``HF = C * LT / D`` (aave/aave-v3-core, GenericLogic.sol) with
    C and D compounding at their own rates; cf. Xiong et al., *Leverage Staking
    with Liquid Staking Derivatives (LSDs): Opportunities and Risks*,
    arXiv:2401.08610.
    """
    return initial_health_factor * np.exp(np.multiply(staking_rate - borrow_rate, years))


@contract(initial_health_factor=_HF0, staking_rate=_RATE1, borrow_rate=_RATE1, returns=Finite(allow_inf=True))
def years_to_liquidation(initial_health_factor, staking_rate, borrow_rate) -> float:
    """Years until :func:`health_factor_drift` brings HF down to 1.

    ``t = log(HF0) / (r_b - y)``; ``math.inf`` when the collateral grows at
    least as fast as the debt (``y >= r_b``); ``0.0`` when HF0 <= 1 already.

    Parameters
    ----------
    initial_health_factor : float
        HF now, {domain:initial_health_factor}.
    staking_rate, borrow_rate : float
        Continuously compounded annual rates of the collateral and the debt,
        {domain:staking_rate}.

    Returns
    -------
    float
        Years (``math.inf`` if never -- the only non-finite result -- and
        ``0.0`` if already liquidatable).

    Examples
    --------
    An E-Mode loop at maximum LTV (HF0 = 0.95/0.93) with a carry of -2 %/yr:

    >>> round(years_to_liquidation(0.95 / 0.93, 0.03, 0.05), 3)
    1.064

    References
    ----------
    Inverse of :func:`health_factor_drift` at HF = 1.
    """
    hf0, y, rb = initial_health_factor, staking_rate, borrow_rate
    if hf0 <= 1.0:
        return 0.0
    if y >= rb:
        return math.inf
    return math.log(hf0) / (rb - y)


@contract(equity=_EQUITY, collateral=Real(lo=0, lo_open=True, scalar=True), debt=Real(lo=0, scalar=True),
          fees=Real(lo=0, scalar=True), transactions=Int(lo=1, hi=2 * MAX_LOOPS + 1))
@dataclass(frozen=True)
class LoopPosition:
    """A looped position: what was built and what building it cost.

    Amounts are in units of the looped asset (e.g. ETH), at entry prices.
    Validated on construction, so that :attr:`leverage` and :attr:`ltv` are
    finite.

    Parameters
    ----------
    {domains}
    """

    equity: float
    """Own funds put in."""
    collateral: float
    """Collateral supplied."""
    debt: float
    """Debt owed right after the build (flash-loan premium included)."""
    fees: float
    """Flash-loan premium plus gas, in the same unit."""
    transactions: int
    """Number of transactions sent."""

    def __post_init__(self):
        for name, (num, den) in {"leverage": ("collateral", "equity"), "ltv": ("debt", "collateral")}.items():
            if not math.isfinite(getattr(self, num) / getattr(self, den)):
                raise ValueError(f"{num} / {den} ({name}) must be finite; got {num}={getattr(self, num):g}, "
                                 f"{den}={getattr(self, den):g}")

    @property
    def leverage(self) -> float:
        """Exposure over the equity put in: ``collateral / equity``."""
        return self.collateral / self.equity

    @property
    def ltv(self) -> float:
        """Debt over collateral, the position's current loan-to-value."""
        return self.debt / self.collateral

    @contract(liquidation_threshold=Real(lo=0, hi=1, lo_open=True, scalar=True), returns=Finite(allow_inf=True))
    def health_factor(self, liquidation_threshold) -> float:
        """HF at entry prices: ``collateral * LT / debt`` (inf with no debt, the only non-finite result).

        Parameters
        ----------
        liquidation_threshold : float
            LT of the collateral, {domain:liquidation_threshold}.
        """
        if self.debt == 0:
            return math.inf
        return float(np.float64(self.collateral) * liquidation_threshold / self.debt)


@contract(equity=_EQUITY, leverage=_LEVERAGE1, flash_premium=_PREMIUM,
          max_ltv=Opt(Real(lo=0, hi=1, hi_open=True, scalar=True, why="a loan-to-value")), gas_cost=_GAS)
def flash_loan_loop(equity, leverage, flash_premium=AAVE_V3_FLASH_LOAN_PREMIUM, *, max_ltv=None,
                    gas_cost=0.0) -> LoopPosition:
    """Build a loop in one transaction with a flash loan.

    Flash-borrow ``(x-1)E``, supply ``xE``, borrow ``(x-1)E(1+p)`` against it
    and repay the flash loan with its premium ``p``. Result: collateral ``xE``,
    debt ``(x-1)E(1+p)``. With Aave's ``flashLoan`` in debt mode
    (``interestRateMode = 2``) the flash loan becomes the debt and no premium
    is charged: pass ``flash_premium=0``.

    Parameters
    ----------
    equity : float
        Own funds, in the looped asset, {domain:equity}.
    leverage : float
        Target exposure over equity, {domain:leverage}.
    flash_premium : float, default 0.0005
        Flash-loan premium as a fraction of the amount (Aave v3: 5 bps), {domain:flash_premium}.
    max_ltv : float, optional
        If given ({domain:max_ltv}), raise when the resulting debt/collateral
        exceeds it (the borrow would revert).
    gas_cost : float, default 0
        Gas for the one transaction, in the looped asset, {domain:gas_cost}.

    Returns
    -------
    LoopPosition
        Collateral, debt, fees (premium plus gas) and one transaction.

    Examples
    --------
    >>> p = flash_loan_loop(10, 10, 0.0005)
    >>> round(p.debt, 6), round(p.ltv, 6), round(p.health_factor(0.95), 6)
    (90.045, 0.90045, 1.055028)

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/FlashLoanLogic.sol.
    """
    # numpy floats, so that an overflow raises (and the contract names the arguments)
    e, x, p, gas = np.float64(equity), np.float64(leverage), np.float64(flash_premium), np.float64(gas_cost)
    flash = (x - 1.0) * e
    fee = flash * p
    debt = flash + fee
    collateral = x * e
    if max_ltv is not None:
        m = max_ltv
        if debt > m * collateral * (1 + 1e-12):
            raise ValueError(
                f"leverage {x:g} with flash_premium {p:g} needs an LTV of {debt / collateral:.6g}, "
                f"above max_ltv = {m:g}; the largest leverage is about {1 / (1 - m / (1 + p)):.6g}"
            )
    return LoopPosition(equity=e, collateral=collateral, debt=debt, fees=fee + gas,
                        transactions=1)


@contract(equity=_EQUITY, ltv=Real(lo=0, hi=1, scalar=True, why="a share of each deposit"),
          loops=Int(lo=0, hi=MAX_LOOPS, why="borrow-and-supply rounds"), gas_cost_per_tx=_GAS)
def iterative_loop(equity, ltv, loops, *, gas_cost_per_tx=0.0) -> LoopPosition:
    """Build a loop the slow way: one supply, then ``loops`` borrow+supply pairs.

    Each round borrows ``ltv`` times the last deposit and supplies it, so the
    collateral is ``E * leverage_after_loops(ltv, loops)`` and the debt is the
    collateral minus the equity. It takes ``1 + 2 * loops`` transactions; swap
    transactions (e.g. WETH to wstETH) are not counted separately.

    Parameters
    ----------
    equity : float
        Own funds, in the looped asset, {domain:equity}.
    ltv : float
        Share of each deposit borrowed, {domain:ltv}.
    loops : int
        Borrow-and-supply rounds, {domain:loops}.
    gas_cost_per_tx : float, default 0
        Gas per transaction, in the looped asset, {domain:gas_cost_per_tx}.

    Returns
    -------
    LoopPosition
        Collateral, debt, gas and the ``1 + 2 * loops`` transactions.

    Examples
    --------
    >>> p = iterative_loop(10, 0.9, 5, gas_cost_per_tx=0.002)
    >>> round(p.collateral, 6), p.transactions, round(p.fees, 6)
    (46.8559, 11, 0.022)

    References
    ----------
    Aave v3 ``supply`` and ``borrow`` are separate calls of the Pool
    (aave/aave-v3-core, contracts/protocol/pool/Pool.sol).
    """
    e = np.float64(equity)  # numpy floats: an overflow raises and the contract names the arguments
    collateral = e * _series(ltv, loops)[()]
    tx = 1 + 2 * loops
    return LoopPosition(equity=e, collateral=collateral, debt=collateral - e, fees=np.float64(gas_cost_per_tx) * tx,
                        transactions=tx)


@contract(collateral=Real(lo=0, why="an amount in the debt asset"), debt=Real(lo=0, why="an amount owed"),
          exit_price_ratio=Real(lo=0, why="a price ratio relative to entry"), flash_premium=_PREMIUM)
def unwind_equity(collateral, debt, exit_price_ratio=1.0, flash_premium=AAVE_V3_FLASH_LOAN_PREMIUM):
    """Equity left after closing a loop at once with a flash loan.

    Flash-borrow the debt asset, repay all debt, withdraw all collateral, sell
    it at ``exit_price_ratio`` (the price you actually get, relative to entry;
    below 1 in a depeg or with slippage) and repay the flash loan::

        equity_out = collateral * exit_price_ratio - debt * (1 + p)

    A negative result means the collateral no longer covers the debt at that
    exit price: the loop cannot be closed without adding funds.

    Parameters
    ----------
    collateral : float or array of float
        Collateral held, in the debt asset's units at entry prices, {domain:collateral}.
    debt : float or array of float
        Debt owed, {domain:debt}.
    exit_price_ratio : float or array of float, default 1
        Price obtained for the collateral relative to entry, {domain:exit_price_ratio}.
    flash_premium : float, default 0.0005
        Premium of the flash loan used to repay the debt, {domain:flash_premium}.

    Returns
    -------
    float or numpy.ndarray
        Equity recovered, in the debt asset.

    Examples
    --------
    A 10x stETH loop (100 collateral, 90 debt) sold at the June 2022 Curve rate
    of about 0.94 loses 60 % of its equity:

    >>> round(unwind_equity(100, 90, 0.94, 0.0), 6)
    4.0

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/FlashLoanLogic.sol
    (premium on a repaid flash loan).
    """
    return np.multiply(collateral, exit_price_ratio) - np.multiply(debt, 1.0 + flash_premium)
