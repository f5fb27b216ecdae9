"""Pendle V2: PT and YT prices, implied APY, and the PT/asset AMM of ``MarketMathCore``.

Every function here is pure: numbers in, numbers out, no I/O and no plotting.
Rates are fractions (``0.10`` = 10 % a year); time is in calendar days with
365 days a year (Pendle's ``IMPLIED_RATE_TIME = 365 days``). Prices are in
units of the *accounting asset* (1 PT redeems for 1 unit of it at maturity).

The AMM is a float re-implementation of ``MarketMathCore.sol``; the contract
works in 18-decimal fixed point with ``LogExpMath``, so on-chain numbers
agree to about 1e-9 relative, not to the wei. The SY index is taken as 1:
amounts are in the accounting asset (``totalAsset = syToAsset(totalSy)``).

References
----------
pendle-finance/pendle-core-v2-public, ``contracts/core/Market/MarketMathCore.sol``
(read at commit 6573ff85) and ``contracts/core/Market/PendleMarketFactoryV7Upg.sol``
(``maxLnFeeRateRoot = ln(1.05)``, ``minInitialAnchor = 1``).
pendle-finance/documentation: ``docs/ProtocolMechanics/YieldTokenization/PT.md``,
``YT.md``, ``PendleMarketAPYCalculation.md``, ``LiquidityEngines/AMM.md``,
``Mechanisms/Fees.md``.
Pendle-Finance-Periphery/market-deployment, ``scripts/param-helper.ts``
(``calculateParameters``: scalar root and anchor from a yield range).
bgd-labs/aave-proposals-v3 (PendlePriceCapAdapter: Aave's linear-discount PT
oracle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ._validate import as_output, check_array, check_int, check_number

__all__ = [
    "DAYS_PER_YEAR",
    "MAX_MARKET_PROPORTION",
    "MAX_LN_FEE_RATE_ROOT",
    "YT_FEE",
    "pt_price",
    "yt_price",
    "implied_apy",
    "ln_implied_rate",
    "pt_exchange_rate",
    "fixed_yield_payoff",
    "yt_leverage",
    "yt_long_yield_apy",
    "yt_breakeven_apy",
    "linear_discount_pt_price",
    "max_loop_leverage",
    "pt_loop_net_apy",
    "pt_loop_equity_apy",
    "scalar_root_for_range",
    "PendleMarket",
    "PendleTrade",
]

#: ``IMPLIED_RATE_TIME = 365 * DAY`` in MarketMathCore.sol.
DAYS_PER_YEAR = 365
#: ``MAX_MARKET_PROPORTION = (1e18 * 96) / 100`` in MarketMathCore.sol: after a
#: trade PT may be at most 96 % of the pool (PT + asset).
MAX_MARKET_PROPORTION = 0.96
#: ``maxLnFeeRateRoot = ln(1.05)`` in PendleMarketFactoryV7Upg.sol.
MAX_LN_FEE_RATE_ROOT = math.log(1.05)
#: Pendle's fee on all yield (and points) accrued by YT: 5 % per the current
#: docs (pendle-finance/documentation, docs/pendle-docs/ProtocolMechanics/
#: Mechanisms/Fees.md on master, read 2025); earlier versions of the same page
#: and of PendleMarketAPYCalculation.md said 3 %.
YT_FEE = 0.05


def _years(days):
    return days / DAYS_PER_YEAR


def pt_price(implied_apy, days_to_maturity):
    """Price of one PT in the accounting asset: ``(1 + implied_apy)^(-days/365)``.

    Equivalently ``1 / E`` with ``E = exp(ln(1 + apy) * t)``, the exchange
    rate of ``MarketMathCore._getExchangeRateFromImpliedRate``.

    Parameters
    ----------
    implied_apy : float or array of float
        Implied APY as a fraction (>= 0; Pendle markets reject negative
        rates: ``MarketExchangeRateBelowOne``).
    days_to_maturity : float or array of float
        Calendar days to maturity (>= 0). Broadcasts against ``implied_apy``.

    Returns
    -------
    float or numpy.ndarray
        PT price in units of the accounting asset, in (0, 1].

    Examples
    --------
    Pendle's docs example: PT-aUSDC bought one year from maturity at 5 %
    implied yield returns 1.05 USDC per USDC spent.

    >>> round(1 / pt_price(0.05, 365), 10)
    1.05
    >>> round(pt_price(0.10, 90), 6)
    0.976773
    >>> pt_price(0.10, 0)
    1.0

    References
    ----------
    pendle-finance/pendle-core-v2-public, contracts/core/Market/MarketMathCore.sol;
    pendle-finance/documentation, docs/AppGuide (Using Pendle: "Buying PT").
    """
    a = check_array("implied_apy", implied_apy, lo=0, hi=100,
                    why="a yearly rate as a fraction: 0.10 means 10 %; Pendle has no negative rates")
    d = check_array("days_to_maturity", days_to_maturity, lo=0)
    out = np.exp(-np.log1p(a) * _years(d))
    scalar = np.ndim(implied_apy) == 0 and np.ndim(days_to_maturity) == 0
    return float(out) if scalar else out


def yt_price(implied_apy, days_to_maturity):
    """Price of one YT in the accounting asset: ``1 - pt_price``.

    PT + YT = one unit of the accounting asset (they can be minted together
    from, and redeemed together for, one unit), so arbitrage keeps
    ``P(PT) + P(YT) = 1``.

    Examples
    --------
    >>> round(yt_price(0.10, 90), 6)
    0.023227
    >>> yt_price(0.20, 0)
    0.0

    References
    ----------
    pendle-finance/documentation, docs/ProtocolMechanics/LiquidityEngines/AMM.md
    ("P(PT) + P(YT) = P(Underlying)").
    """
    p = pt_price(implied_apy, days_to_maturity)
    return 1.0 - p


def implied_apy(pt_price, days_to_maturity):
    """Implied APY of a PT price: ``pt_price^(-365/days) - 1``.

    The inverse of :func:`pt_price` (Pendle's "effective implied APY" with
    ``ptExchangeRate = 1 / pt_price``).

    Parameters
    ----------
    pt_price : float or array of float
        PT price in the accounting asset, in (0, 1].
    days_to_maturity : float or array of float
        Days to maturity (> 0).

    Examples
    --------
    >>> round(implied_apy(1 / 1.05, 365), 12)
    0.05
    >>> round(implied_apy(0.98, 30), 4)
    0.2786

    References
    ----------
    pendle-finance/documentation, docs/ProtocolMechanics/PendleMarketAPYCalculation.md
    (effectiveImpliedApy = ptExchangeRate^(365/daysToExpiry) - 1).
    """
    p = check_array("pt_price", pt_price, lo=0, hi=1, lo_open=True,
                    why="a PT costs at most one unit of the asset it redeems for")
    d = check_array("days_to_maturity", days_to_maturity, lo=0, lo_open=True)
    out = np.expm1(-np.log(p) / _years(d))
    scalar = np.ndim(pt_price) == 0 and np.ndim(days_to_maturity) == 0
    return float(out) if scalar else out


def ln_implied_rate(implied_apy):
    """The market's state variable ``lnImpliedRate = ln(1 + implied_apy)``.

    Examples
    --------
    >>> round(ln_implied_rate(0.10), 6)
    0.09531
    """
    a = check_array("implied_apy", implied_apy, lo=0, hi=100)
    return as_output(np.log1p(a), implied_apy)


def pt_exchange_rate(implied_apy, days_to_maturity):
    """Asset-to-PT exchange rate ``E = e^(r t)``: PT received per unit of asset.

    Examples
    --------
    >>> round(pt_exchange_rate(0.10, 90), 6)
    1.023779
    """
    return 1.0 / pt_price(implied_apy, days_to_maturity)


def fixed_yield_payoff(amount_asset, implied_apy, days_to_maturity):
    """Asset received at maturity for ``amount_asset`` spent on PT (fees aside).

    Buying PT fixes the yield: ``amount / pt_price = amount * (1 + apy)^t``.

    Examples
    --------
    >>> round(fixed_yield_payoff(10_000, 0.08, 182), 2)
    10391.21
    """
    x = check_array("amount_asset", amount_asset, lo=0)
    return as_output(x / pt_price(implied_apy, days_to_maturity), amount_asset)


def yt_leverage(implied_apy, days_to_maturity):
    """Units of yield exposure per unit of asset spent on YT: ``1 / yt_price``.

    One YT earns the yield of one unit of the asset until maturity, and costs
    ``yt_price``; spending 1 unit on YT therefore buys the yield of
    ``1 / yt_price`` units.

    Examples
    --------
    >>> round(yt_leverage(0.10, 90), 2)
    43.05
    """
    d = check_array("days_to_maturity", days_to_maturity, lo=0, lo_open=True,
                    why="at maturity YT is worth 0 and leverage is undefined")
    y = yt_price(implied_apy, d)
    if np.any(y <= 0):
        raise ValueError(f"implied_apy must be > 0 for YT to have a price; got {implied_apy!r}")
    out = 1.0 / y
    scalar = np.ndim(implied_apy) == 0 and np.ndim(days_to_maturity) == 0
    return float(out) if scalar else out


def _yt_returns(underlying_apy, days, reward_apr, yt_fee):
    t = _years(days)
    interest = np.expm1(np.log1p(underlying_apy) * t)
    return (interest + reward_apr * t) * (1.0 - yt_fee)


def yt_long_yield_apy(underlying_apy, yt_price, days_to_maturity, *, underlying_reward_apr=0.0, yt_fee=YT_FEE):
    """Annualised return of buying YT and holding it to maturity.

    Pendle's ``longYieldApy``: one YT collects, until maturity, the interest
    ``(1 + u)^t - 1`` plus rewards ``reward_apr * t`` on one unit of the
    asset, less the YT fee; the return is annualised against the price paid::

        longYieldApy = (ytReturnsAfterFee / ytPrice)^(1/t) - 1

    Assumes the underlying APY stays constant; can be negative (down to -1).

    Parameters
    ----------
    underlying_apy : float or array of float
        Yield of the underlying (> -1).
    yt_price : float
        Price paid per YT in the asset, in (0, 1).
    days_to_maturity : float
        Days to maturity (> 0).
    underlying_reward_apr : float, default 0
        Non-compounding rewards (e.g. points valued in the asset) per year.
    yt_fee : float, default YT_FEE
        Pendle's fee on YT yield, in [0, 1).

    Examples
    --------
    >>> round(yt_long_yield_apy(0.15, yt_price(0.10, 90), 90), 3)
    3.315

    References
    ----------
    pendle-finance/documentation, docs/ProtocolMechanics/PendleMarketAPYCalculation.md
    (longYieldApy; that page uses a 3 % fee, the current fee page says 5 %).
    """
    u = check_array("underlying_apy", underlying_apy, lo=-1, hi=100, lo_open=True)
    p = check_number("yt_price", yt_price, lo=0, hi=1, lo_open=True, hi_open=True)
    d = check_number("days_to_maturity", days_to_maturity, lo=0, lo_open=True)
    r = check_number("underlying_reward_apr", underlying_reward_apr, lo=0, hi=100)
    fee = check_number("yt_fee", yt_fee, lo=0, hi=1, hi_open=True)
    ratio = _yt_returns(u, d, r, fee) / p
    out = np.where(ratio > 0, np.power(np.maximum(ratio, 1e-300), 1.0 / _years(d)) - 1.0, -1.0)
    return as_output(out, underlying_apy)


def yt_breakeven_apy(yt_price, days_to_maturity, *, underlying_reward_apr=0.0, yt_fee=YT_FEE):
    """Underlying APY at which buying YT exactly returns its price.

    Solves ``(1 - fee) * ((1 + u)^t - 1 + reward_apr * t) = yt_price`` for ``u``.

    Why, without fee or rewards, it sits below the implied APY ``a``: break-even
    means a *zero* return. If the underlying pays exactly ``u = a``, one YT
    collects ``(1 + a)^t - 1``, which is ``(1 + a)^t`` times its price
    ``1 - (1 + a)^(-t)``: the buyer earns exactly ``a`` a year, like a PT
    holder. Zero return needs less, ``(1 + u*)^t = 2 - (1 + a)^(-t)``, which is
    below ``(1 + a)^t`` for every ``a > 0``. The fee raises ``u*`` to
    ``(1 + P_YT / (1 - fee))^(1/t) - 1``, above ``a`` for Pendle's 5 % fee in
    this example. (Reinvesting the yield as it arrives is not modelled.)

    Examples
    --------
    >>> y = yt_price(0.10, 90)
    >>> round(yt_breakeven_apy(y, 90, yt_fee=0.0), 4)
    0.0976
    >>> round(yt_breakeven_apy(y, 90), 4)
    0.1029
    """
    p = check_number("yt_price", yt_price, lo=0, hi=1, lo_open=True, hi_open=True)
    d = check_number("days_to_maturity", days_to_maturity, lo=0, lo_open=True)
    r = check_number("underlying_reward_apr", underlying_reward_apr, lo=0, hi=100)
    fee = check_number("yt_fee", yt_fee, lo=0, hi=1, hi_open=True)
    t = _years(d)
    interest_needed = p / (1.0 - fee) - r * t
    if interest_needed <= -1.0:
        return -1.0
    return math.expm1(math.log1p(interest_needed) / t)


def linear_discount_pt_price(discount_rate_per_year, days_to_maturity, asset_price=1.0):
    """Aave's PT oracle: ``asset_price * (1 - discount_rate_per_year * days/365)``.

    Aave does not price PT from Pendle's pool. BGD Labs' ``PendlePriceCapAdapter``
    discounts the underlying's price linearly to maturity, with a
    ``discountRatePerYear`` set by governance and risk stewards.

    Parameters
    ----------
    discount_rate_per_year : float
        Linear discount per year (>= 0), e.g. ``0.075124``.
    days_to_maturity : float or array of float
        Days to maturity (>= 0; after maturity the discount is 0).
    asset_price : float, default 1.0
        Price of the accounting asset (e.g. the capped USDT/USD feed for
        PT-sUSDe).

    Examples
    --------
    PT-sUSDe-31JUL2025 listed on Aave with 7.5124 % a year, 94 days out:

    >>> round(linear_discount_pt_price(0.075124, 94), 6)
    0.980653

    References
    ----------
    bgd-labs/aave-proposals-v3,
    src/20250428_AaveV3Ethereum_OnboardPTSUSDeJulyOnCoreInstance/OnboardPTSUSDeJulyOnCoreInstance.md
    (discountRatePerYear 7.5124 %, max 21.22 %, answer $0.98089311 on 28 April 2025);
    PendlePriceCapAdapter (``PT_price = price * (1 - discount * t / 365 days)``).
    """
    rate = check_number("discount_rate_per_year", discount_rate_per_year, lo=0, hi=10)
    d = np.maximum(check_array("days_to_maturity", days_to_maturity), 0.0)
    price = check_number("asset_price", asset_price, lo=0, lo_open=True)
    discount = rate * _years(d)
    if np.any(discount >= 1):
        raise ValueError(
            f"discount_rate_per_year * days_to_maturity/365 must be < 1; got {discount_rate_per_year!r} "
            f"over {days_to_maturity!r} days"
        )
    return as_output(price * (1.0 - discount), days_to_maturity)


def max_loop_leverage(ltv, loops=None):
    """Exposure per unit of equity from looping a collateral at loan-to-value ``ltv``.

    Re-depositing what one borrows ``loops`` times gives
    ``1 + ltv + ... + ltv^loops``; unlimited loops give ``1 / (1 - ltv)``.

    Parameters
    ----------
    ltv : float
        Loan-to-value, in [0, 1). At 1 the series diverges: raises.
    loops : int or None, default None

    Examples
    --------
    Aave's PT-sUSDe Stablecoins E-Mode at listing (LTV 87.4 %, April 2025):

    >>> round(max_loop_leverage(0.874), 3)
    7.937
    >>> round(max_loop_leverage(0.874, loops=3), 4)
    3.3055
    """
    l = check_number("ltv", ltv, lo=0, hi=1, hi_open=True,
                     why="at LTV 1 every loop borrows the whole deposit again and leverage diverges")
    if loops is None:
        return 1.0 / (1.0 - l)
    n = check_int("loops", loops, lo=0)
    return (1.0 - l ** (n + 1)) / (1.0 - l)


def pt_loop_net_apy(pt_fixed_apy, borrow_apr, leverage):
    """Yearly return on equity of a PT loop: ``L * pt_apy - (L - 1) * borrow_apr``.

    The PT leg earns its fixed implied APY on ``L`` units; the debt costs the
    (variable) borrow rate on ``L - 1``. This is exact for a position held one
    year with ``borrow_apr`` read as the borrow *APY* (the compounded rate);
    for a holding period of ``t`` years it is the first-order (in the rates)
    form of :func:`pt_loop_equity_apy`. No price moves before maturity, no
    entry costs.

    Examples
    --------
    >>> round(pt_loop_net_apy(0.10, 0.06, 5), 4)
    0.26
    >>> round(pt_loop_net_apy(0.10, 0.12, 5), 4)
    0.02
    """
    a = check_array("pt_fixed_apy", pt_fixed_apy, lo=0, hi=100)
    b = check_array("borrow_apr", borrow_apr, lo=0, hi=100)
    lev = check_number("leverage", leverage, lo=1)
    out = lev * a - (lev - 1.0) * b
    scalar = np.ndim(pt_fixed_apy) == 0 and np.ndim(borrow_apr) == 0
    return float(out) if scalar else out


def pt_loop_equity_apy(pt_fixed_apy, borrow_apy, leverage, days_held):
    """Exact annualised return on equity of a PT loop held ``days_held`` days.

    ``L`` units of PT bought at implied APY ``a`` grow to ``L (1 + a)^t``; the
    ``L - 1`` borrowed grow at the borrow APY ``b`` (held constant) to
    ``(L - 1)(1 + b)^t``. Equity ends at the difference, so::

        APY_equity = (L (1 + a)^t - (L - 1)(1 + b)^t)^(1/t) - 1

    At ``t = 1`` this is exactly :func:`pt_loop_net_apy` (with ``b`` an APY);
    for other horizons the linear form is its first-order approximation, the
    gap growing with leverage and with the spread ``a - b``. Returns -1 if the
    debt outgrows the PT.

    Examples
    --------
    >>> round(pt_loop_equity_apy(0.09, 0.06, 5, 365), 6)
    0.21
    >>> round(pt_loop_equity_apy(0.09, 0.06, 5, 94), 4)
    0.2163
    """
    a = check_number("pt_fixed_apy", pt_fixed_apy, lo=0, hi=100)
    b = check_number("borrow_apy", borrow_apy, lo=0, hi=100)
    lev = check_number("leverage", leverage, lo=1)
    d = check_number("days_held", days_held, lo=0, lo_open=True)
    t = _years(d)
    end = lev * (1 + a) ** t - (lev - 1.0) * (1 + b) ** t
    if end <= 0:
        return -1.0
    return end ** (1.0 / t) - 1.0


def scalar_root_for_range(apy_min, apy_max, days_to_expiry):
    """Scalar root and initial anchor that put a yield range in the pool's sweet spot.

    Pendle's deployment helper chooses ``initialAnchor`` as the midpoint of the
    exchange rates of the two APYs and ``scalarRoot = ln(9) * t / halfWidth``,
    so that pool proportions between 10 % and 90 % PT span the range at launch::

        E_min = (1+apy_min)^t,  E_max = (1+apy_max)^t,  anchor = (E_min+E_max)/2
        scalarRoot = ln(9) * t / max(E_max - anchor, anchor - E_min)

    Parameters
    ----------
    apy_min, apy_max : float
        Expected yield range, ``0 <= apy_min < apy_max``.
    days_to_expiry : float
        Market life at launch, in days (> 0).

    Returns
    -------
    (float, float)
        ``(scalar_root, initial_anchor)`` as floats (on-chain both are x 1e18).

    Examples
    --------
    >>> root, anchor = scalar_root_for_range(0.01, 0.05, 365)
    >>> round(root, 3), round(anchor, 4)
    (109.861, 1.03)

    References
    ----------
    Pendle-Finance-Periphery/market-deployment, scripts/param-helper.ts
    (``calculateParameters``).
    """
    lo = check_number("apy_min", apy_min, lo=0, hi=100)
    hi = check_number("apy_max", apy_max, lo=lo, hi=100, lo_open=True, why="apy_max must exceed apy_min")
    d = check_number("days_to_expiry", days_to_expiry, lo=0, lo_open=True)
    t = _years(d)
    e_min, e_max = (1 + lo) ** t, (1 + hi) ** t
    anchor = (e_min + e_max) / 2
    half = max(e_max - anchor, anchor - e_min)
    return math.log(9) * t / half, anchor


# --------------------------------------------------------------------------
# The AMM
# --------------------------------------------------------------------------

def _logit(p):
    return np.log(p / (1.0 - p))


@dataclass(frozen=True)
class PendleTrade:
    """What one swap on a :class:`PendleMarket` moves (amounts in the asset)."""

    net_pt_to_account: float
    """PT received by the trader (negative when selling PT)."""
    net_asset_to_account: float
    """Asset received by the trader (negative when paying), fee included."""
    fee_asset: float
    """Total swap fee, in the asset (LP share plus treasury share)."""
    reserve_fee_asset: float
    """Part of the fee sent to Pendle's treasury (leaves the pool)."""
    exchange_rate: float
    """Pre-fee PT per asset of the trade, ``E_trade`` of ``_getExchangeRate``."""
    effective_implied_apy: float
    """APY implied by the PT/asset actually swapped, fee included."""
    market_after: "PendleMarket"
    """The pool after the trade (new reserves and new implied rate)."""

    @property
    def average_pt_price(self) -> float:
        """Asset paid (or received) per PT, fee included."""
        return abs(self.net_asset_to_account / self.net_pt_to_account)


@dataclass(frozen=True)
class PendleMarket:
    """A Pendle V2 PT/SY pool, in floats, following ``MarketMathCore.sol``.

    The state is the reserves (``total_pt`` and ``total_asset`` -- the SY
    reserve converted to the accounting asset), the last implied rate and the
    time to expiry. Every trade re-derives the *rate anchor* so that the
    pre-trade price matches the last implied rate, prices the trade on the
    logit curve of the post-trade PT proportion, charges the fee as a rate
    ``feeRate = exp(lnFeeRateRoot * t)``, and stores the new implied rate.

    Parameters
    ----------
    total_pt : float
        PT in the pool (> 0).
    total_asset : float
        SY in the pool, in units of the accounting asset (> 0).
    scalar_root : float
        Curve steepness (> 0; the on-chain value divided by 1e18).
    implied_apy : float
        Last traded implied APY (the state ``lastLnImpliedRate = ln(1 + apy)``),
        >= 0.
    days_to_expiry : float
        Days to maturity (> 0).
    ln_fee_rate_root : float, default 0
        Fee parameter, in [0, ln(1.05)]; ``ln(1.003)`` is a 0.3 %-a-year tier.
    reserve_fee_share : float, default 0
        Share of each fee sent to the treasury (``reserveFeePercent / 100``),
        in [0, 1]; the rest stays in the pool for LPs.

    Raises
    ------
    ValueError
        For out-of-range inputs, a PT proportion above
        ``MAX_MARKET_PROPORTION`` (96 %), or a trade the contract would revert.

    Examples
    --------
    >>> m = PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90, ln_fee_rate_root=math.log(1.003))
    >>> round(m.pt_price, 6)
    0.976773
    >>> cost = m.buy_pt(10_000)
    >>> round(cost, 2), round(m.sell_pt(10_000), 2)
    (9775.89, 9759.58)
    >>> m.trade(10_000).market_after.implied_apy < m.implied_apy
    True

    References
    ----------
    pendle-finance/pendle-core-v2-public, contracts/core/Market/MarketMathCore.sol
    (``getMarketPreCompute``, ``calcTrade``, ``_getRateAnchor``,
    ``_getExchangeRate``, ``_setNewMarketStateTrade``).
    """

    total_pt: float
    total_asset: float
    scalar_root: float
    implied_apy: float
    days_to_expiry: float
    ln_fee_rate_root: float = 0.0
    reserve_fee_share: float = 0.0

    def __post_init__(self):
        pt = check_number("total_pt", self.total_pt, lo=0, lo_open=True)
        asset = check_number("total_asset", self.total_asset, lo=0, lo_open=True)
        check_number("scalar_root", self.scalar_root, lo=0, lo_open=True)
        check_number("implied_apy", self.implied_apy, lo=0, hi=100,
                     why="a yearly rate as a fraction; Pendle rejects negative rates")
        check_number("days_to_expiry", self.days_to_expiry, lo=0, lo_open=True,
                     why="an expired market cannot trade (MarketExpired)")
        check_number("ln_fee_rate_root", self.ln_fee_rate_root, lo=0, hi=MAX_LN_FEE_RATE_ROOT,
                     why="the factory caps it at ln(1.05)")
        check_number("reserve_fee_share", self.reserve_fee_share, lo=0, hi=1)
        p = pt / (pt + asset)
        if p > MAX_MARKET_PROPORTION:
            raise ValueError(
                f"total_pt / (total_pt + total_asset) must be <= MAX_MARKET_PROPORTION = 0.96; got {p:.4f} "
                f"(MarketProportionTooHigh)"
            )

    # -- precomputed quantities (getMarketPreCompute) ------------------------
    @property
    def years_to_expiry(self) -> float:
        return self.days_to_expiry / DAYS_PER_YEAR

    @property
    def ln_implied_rate(self) -> float:
        """``lastLnImpliedRate`` as a float."""
        return math.log1p(self.implied_apy)

    @property
    def rate_scalar(self) -> float:
        """``scalarRoot * 365 days / timeToExpiry``: grows as expiry nears."""
        return self.scalar_root / self.years_to_expiry

    @property
    def proportion(self) -> float:
        """Share of PT in the pool, ``totalPt / (totalPt + totalAsset)``."""
        return self.total_pt / (self.total_pt + self.total_asset)

    @property
    def exchange_rate(self) -> float:
        """Pre-trade PT per asset, ``exp(lnImpliedRate * t)`` (>= 1)."""
        return math.exp(self.ln_implied_rate * self.years_to_expiry)

    @property
    def rate_anchor(self) -> float:
        """``E - ln(p / (1 - p)) / rateScalar``: sets the curve through the last rate."""
        return self.exchange_rate - float(_logit(self.proportion)) / self.rate_scalar

    @property
    def fee_rate(self) -> float:
        """``exp(lnFeeRateRoot * t)``: the fee, as an exchange-rate multiplier."""
        return math.exp(self.ln_fee_rate_root * self.years_to_expiry)

    @property
    def pt_price(self) -> float:
        """Spot PT price in the asset, ``1 / exchange_rate``."""
        return 1.0 / self.exchange_rate

    @property
    def yt_price(self) -> float:
        """Spot YT price in the asset, ``1 - pt_price``."""
        return 1.0 - self.pt_price

    # -- the curve -------------------------------------------------------------
    def exchange_rate_after(self, net_pt_to_account):
        """Pre-fee exchange rate of a trade (``_getExchangeRate``), vectorised.

        ``E = ln(p' / (1 - p')) / rateScalar + rateAnchor`` with
        ``p' = (totalPt - netPt) / (totalPt + totalAsset)``.

        Parameters
        ----------
        net_pt_to_account : float or array of float
            PT the trader receives (negative when selling PT to the pool).

        Raises
        ------
        ValueError
            If the pool lacks the PT, ``p'`` exceeds 96 %, or ``E < 1``
            (the trade would push the implied rate below zero).
        """
        x = check_array("net_pt_to_account", net_pt_to_account)
        shown = float(x) if np.ndim(x) == 0 else x
        if np.any(x >= self.total_pt):
            raise ValueError(
                f"net_pt_to_account must be < total_pt = {self.total_pt:g}; got {shown!r} "
                f"(MarketInsufficientPtForTrade)"
            )
        p_new = (self.total_pt - x) / (self.total_pt + self.total_asset)
        if np.any(p_new > MAX_MARKET_PROPORTION):
            raise ValueError(
                f"net_pt_to_account would make the PT proportion {np.max(p_new):.4f} > "
                f"MAX_MARKET_PROPORTION = 0.96 (MarketProportionTooHigh); got {shown!r}"
            )
        with np.errstate(divide="ignore"):
            e = _logit(p_new) / self.rate_scalar + self.rate_anchor
        if np.any(e < 1.0):
            raise ValueError(
                f"net_pt_to_account = {shown!r} is too large a purchase: the exchange rate "
                f"would fall below 1, i.e. a negative implied rate (MarketExchangeRateBelowOne)"
            )
        return as_output(e, net_pt_to_account)

    def _asset_to_account(self, x, e):
        """(net asset to trader, fee) for a trade of ``x`` PT at pre-fee rate ``e``."""
        pre_fee = -x / e
        fee_rate = self.fee_rate
        if np.ndim(x) == 0:
            if x > 0 and e / fee_rate < 1.0:
                raise ValueError(
                    f"net_pt_to_account = {x!r}: after the fee the exchange rate {e / fee_rate:.6f} is below 1 "
                    f"(MarketExchangeRateBelowOne)"
                )
        elif np.any((x > 0) & (e / fee_rate < 1.0)):
            raise ValueError("a purchase's post-fee exchange rate is below 1 (MarketExchangeRateBelowOne)")
        fee = np.where(x > 0, pre_fee * (1.0 - fee_rate), -(pre_fee * (1.0 - fee_rate)) / fee_rate)
        return pre_fee - fee, fee

    # -- trades ------------------------------------------------------------------
    def trade(self, net_pt_to_account) -> PendleTrade:
        """Execute one swap (``executeTradeCore``) and return it with the new pool.

        Parameters
        ----------
        net_pt_to_account : float
            PT bought by the trader (> 0) or sold to the pool (< 0); not 0.
        """
        x = check_number("net_pt_to_account", net_pt_to_account)
        if x == 0:
            raise ValueError("net_pt_to_account must be non-zero; got 0")
        e = float(self.exchange_rate_after(x))
        asset_to_account, fee = self._asset_to_account(x, e)
        asset_to_account, fee = float(asset_to_account), float(fee)
        reserve = fee * self.reserve_fee_share
        new_pt = self.total_pt - x
        new_asset = self.total_asset - asset_to_account - reserve
        if new_asset <= 0:
            raise ValueError(f"net_pt_to_account = {x!r} would drain the asset reserve")
        # _setNewMarketStateTrade: new implied rate from the new reserves, same scalar and anchor
        p_after = new_pt / (new_pt + new_asset)
        if p_after > MAX_MARKET_PROPORTION:
            raise ValueError(f"the trade leaves a PT proportion {p_after:.4f} > 0.96 (MarketProportionTooHigh)")
        e_after = float(_logit(p_after)) / self.rate_scalar + self.rate_anchor
        if e_after <= 1.0:
            raise ValueError(
                f"net_pt_to_account = {x!r} would leave the implied rate at or below zero "
                f"(MarketExchangeRateBelowOne / MarketZeroLnImpliedRate)"
            )
        apy_after = math.expm1(math.log(e_after) / self.years_to_expiry)
        after = replace(self, total_pt=new_pt, total_asset=new_asset, implied_apy=apy_after)
        pt_per_asset = abs(x / asset_to_account)
        effective = math.expm1(math.log(pt_per_asset) / self.years_to_expiry) if pt_per_asset > 0 else math.nan
        return PendleTrade(
            net_pt_to_account=x,
            net_asset_to_account=asset_to_account,
            fee_asset=fee,
            reserve_fee_asset=reserve,
            exchange_rate=e,
            effective_implied_apy=effective,
            market_after=after,
        )

    def buy_pt(self, pt_amount):
        """Asset the trader pays for ``pt_amount`` PT, fee included (vectorised).

        ``netPt * feeRate / E_trade`` (``swapSyForExactPt``). Does not change
        this pool; use :meth:`trade` for the pool after the trade.

        Examples
        --------
        >>> m = PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
        >>> round(m.buy_pt(10_000), 2)
        9768.67
        """
        x = check_array("pt_amount", pt_amount, lo=0, lo_open=True)
        e = self.exchange_rate_after(x)
        asset, _ = self._asset_to_account(x, e)
        return as_output(-asset, pt_amount)

    def sell_pt(self, pt_amount):
        """Asset the trader receives for ``pt_amount`` PT, fee included (vectorised).

        ``netPt / (E_trade * feeRate)`` (``swapExactPtForSy``).

        Examples
        --------
        >>> m = PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
        >>> round(m.sell_pt(10_000), 2)
        9766.79
        """
        x = check_array("pt_amount", pt_amount, lo=0, lo_open=True)
        e = self.exchange_rate_after(-x)
        asset, _ = self._asset_to_account(-x, e)
        return as_output(asset, pt_amount)

    def with_days_to_expiry(self, days_to_expiry) -> "PendleMarket":
        """The same pool later (or earlier): same reserves and implied rate.

        Time passing changes the rate scalar, the anchor and the fee, not the
        stored implied rate -- this is how the curve tightens towards expiry.
        """
        return replace(self, days_to_expiry=days_to_expiry)

    @property
    def min_proportion(self) -> float:
        """Lowest PT proportion the current curve can price (where ``E = 1``, a 0 % rate).

        Buying PT lowers the proportion; below this the implied rate would be
        negative and the contract reverts.
        """
        z = (1.0 - self.rate_anchor) * self.rate_scalar
        return 1.0 / (1.0 + math.exp(-z))

    def implied_apy_at_proportion(self, proportion):
        """Implied APY the current curve assigns to a PT proportion (vectorised).

        ``E(p) = ln(p/(1-p)) / rateScalar + rateAnchor``; ``apy = E^(1/t) - 1``.

        Parameters
        ----------
        proportion : float or array of float
            PT share of the pool, in [``min_proportion``, 0.96].

        Examples
        --------
        >>> m = PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
        >>> round(m.implied_apy_at_proportion(0.5), 10)
        0.1
        """
        p = check_array("proportion", proportion, lo=self.min_proportion * (1 - 1e-12),
                        hi=MAX_MARKET_PROPORTION,
                        why="outside the curve's range: below min_proportion the rate is negative")
        e = np.maximum(_logit(p) / self.rate_scalar + self.rate_anchor, 1.0)
        return as_output(np.expm1(np.log(e) / self.years_to_expiry), proportion)
