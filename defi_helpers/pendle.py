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

from ._validate import Instance, Int, Opt, Real, check_array, check_number, contract

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


@dataclass(frozen=True, repr=False)
class _Real(Real):
    """A :class:`Real` whose :meth:`example` (one valid value, used by the API fuzzer) is ``ex``.

    For parameters tied to others (a trade must fit the pool, ``apy_min < apy_max``),
    where the midpoint of the range is not a valid call.
    """

    ex: float = 1.0

    def example(self):
        return self.ex


#: Longest horizon the functions accept: 100 years (Pendle maturities are months to a few
#: years); keeps ``(1 + apy)^t`` and its inverse finite floats.
MAX_DAYS = 36_500

_APY_WHY = "a yearly rate as a fraction: 0.10 means 10 %; Pendle has no negative rates"
_APY = Real(lo=0, hi=100, why=_APY_WHY)
_APY_1 = Real(lo=0, hi=100, scalar=True, why=_APY_WHY)
_DAYS_WHY = "calendar days to maturity, at most 100 years"
_DAYS = Real(lo=0, hi=MAX_DAYS, why=_DAYS_WHY)
_DAYS_POS = Real(lo=0, lo_open=True, hi=MAX_DAYS, why=_DAYS_WHY)
_DAYS_POS_1 = Real(lo=0, lo_open=True, hi=MAX_DAYS, scalar=True, why=_DAYS_WHY)
_REWARD = Real(lo=0, hi=100, scalar=True, why="non-compounding rewards per year, as a fraction")
_FEE = Real(lo=0, hi=1, hi_open=True, scalar=True, why="a share of the yield YT collects")
_YT_PRICE = Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True,
                 why="PT + YT = 1 unit of the asset, and each is worth something before maturity")


def _pt_price(a, d):
    return np.exp(-np.log1p(a) * _years(d))


@contract(implied_apy=_APY, days_to_maturity=_DAYS)
def pt_price(implied_apy, days_to_maturity):
    """Price of one PT in the accounting asset: ``(1 + implied_apy)^(-days/365)``.

    Equivalently ``1 / E`` with ``E = exp(ln(1 + apy) * t)``, the exchange
    rate of ``MarketMathCore._getExchangeRateFromImpliedRate``.

    Parameters
    ----------
    implied_apy : float or array of float
        Implied APY as a fraction, {domain:implied_apy} (Pendle markets reject
        negative rates: ``MarketExchangeRateBelowOne``).
    days_to_maturity : float or array of float
        Calendar days to maturity, {domain:days_to_maturity}. Broadcasts against ``implied_apy``.

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
    return _pt_price(implied_apy, days_to_maturity)


@contract(implied_apy=_APY, days_to_maturity=_DAYS)
def yt_price(implied_apy, days_to_maturity):
    """Price of one YT in the accounting asset: ``1 - pt_price``.

    PT + YT = one unit of the accounting asset (they can be minted together
    from, and redeemed together for, one unit), so arbitrage keeps
    ``P(PT) + P(YT) = 1``.

    Parameters
    ----------
    {domains}

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
    return 1.0 - _pt_price(implied_apy, days_to_maturity)


@contract(pt_price=Real(lo=0, hi=1, lo_open=True, why="a PT costs at most one unit of the asset it redeems for"),
          days_to_maturity=_DAYS_POS)
def implied_apy(pt_price, days_to_maturity):
    """Implied APY of a PT price: ``pt_price^(-365/days) - 1``.

    The inverse of :func:`pt_price` (Pendle's "effective implied APY" with
    ``ptExchangeRate = 1 / pt_price``).

    Parameters
    ----------
    pt_price : float or array of float
        PT price in the accounting asset, {domain:pt_price}.
    days_to_maturity : float or array of float
        Days to maturity, {domain:days_to_maturity}.

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
    return np.expm1(-np.log(pt_price) / _years(days_to_maturity))


@contract(implied_apy=_APY)
def ln_implied_rate(implied_apy):
    """The market's state variable ``lnImpliedRate = ln(1 + implied_apy)``.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> round(ln_implied_rate(0.10), 6)
    0.09531
    """
    return np.log1p(implied_apy)


@contract(implied_apy=_APY, days_to_maturity=_DAYS)
def pt_exchange_rate(implied_apy, days_to_maturity):
    """Asset-to-PT exchange rate ``E = e^(r t)``: PT received per unit of asset.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> round(pt_exchange_rate(0.10, 90), 6)
    1.023779
    """
    return 1.0 / _pt_price(implied_apy, days_to_maturity)


@contract(amount_asset=Real(lo=0, why="an amount of the accounting asset"), implied_apy=_APY,
          days_to_maturity=_DAYS)
def fixed_yield_payoff(amount_asset, implied_apy, days_to_maturity):
    """Asset received at maturity for ``amount_asset`` spent on PT (fees aside).

    Buying PT fixes the yield: ``amount / pt_price = amount * (1 + apy)^t``.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> round(fixed_yield_payoff(10_000, 0.08, 182), 2)
    10391.21
    """
    return amount_asset / _pt_price(implied_apy, days_to_maturity)


@contract(implied_apy=Real(lo=0, hi=100, lo_open=True, why="at a 0 % implied rate YT costs nothing"),
          days_to_maturity=Real(lo=0, lo_open=True, hi=MAX_DAYS,
                                why="at maturity YT is worth 0 and leverage is undefined"))
def yt_leverage(implied_apy, days_to_maturity):
    """Units of yield exposure per unit of asset spent on YT: ``1 / yt_price``.

    One YT earns the yield of one unit of the asset until maturity, and costs
    ``yt_price``; spending 1 unit on YT therefore buys the yield of
    ``1 / yt_price`` units.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> round(yt_leverage(0.10, 90), 2)
    43.05
    """
    y = 1.0 - _pt_price(implied_apy, days_to_maturity)
    if np.any(y <= 0):
        raise ValueError(f"implied_apy * days_to_maturity must be large enough for YT to have a price "
                         f"(it rounds to 0); got implied_apy={implied_apy!r:.60}, "
                         f"days_to_maturity={days_to_maturity!r:.60}")
    return 1.0 / y


def _yt_returns(underlying_apy, days, reward_apr, yt_fee):
    t = _years(days)
    interest = np.expm1(np.log1p(underlying_apy) * t)
    return (interest + reward_apr * t) * (1.0 - yt_fee)


@contract(underlying_apy=Real(lo=-1, hi=100, lo_open=True, why="a yearly yield as a fraction"),
          yt_price=_YT_PRICE, days_to_maturity=_DAYS_POS_1, underlying_reward_apr=_REWARD, yt_fee=_FEE)
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
        Yield of the underlying, {domain:underlying_apy}.
    yt_price : float
        Price paid per YT in the asset, {domain:yt_price}.
    days_to_maturity : float
        Days to maturity, {domain:days_to_maturity}.
    underlying_reward_apr : float, default 0
        Non-compounding rewards (e.g. points valued in the asset) per year, {domain:underlying_reward_apr}.
    yt_fee : float, default YT_FEE
        Pendle's fee on YT yield, {domain:yt_fee}.

    Examples
    --------
    >>> round(yt_long_yield_apy(0.15, yt_price(0.10, 90), 90), 3)
    3.315

    References
    ----------
    pendle-finance/documentation, docs/ProtocolMechanics/PendleMarketAPYCalculation.md
    (longYieldApy; that page uses a 3 % fee, the current fee page says 5 %).
    """
    d = days_to_maturity
    ratio = _yt_returns(underlying_apy, d, underlying_reward_apr, yt_fee) / yt_price
    return np.where(ratio > 0, np.power(np.maximum(ratio, 1e-300), 1.0 / _years(d)) - 1.0, -1.0)


@contract(yt_price=_YT_PRICE, days_to_maturity=_DAYS_POS_1, underlying_reward_apr=_REWARD, yt_fee=_FEE)
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

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> y = yt_price(0.10, 90)
    >>> round(yt_breakeven_apy(y, 90, yt_fee=0.0), 4)
    0.0976
    >>> round(yt_breakeven_apy(y, 90), 4)
    0.1029
    """
    t = _years(days_to_maturity)
    interest_needed = yt_price / (1.0 - yt_fee) - underlying_reward_apr * t
    if interest_needed <= -1.0:
        return -1.0
    return math.expm1(math.log1p(interest_needed) / t)


@contract(discount_rate_per_year=Real(lo=0, hi=10, scalar=True, why="a linear discount per year, as a fraction"),
          days_to_maturity=Real(why="days to maturity; negative (after maturity) means no discount"),
          asset_price=Real(lo=0, lo_open=True, scalar=True))
def linear_discount_pt_price(discount_rate_per_year, days_to_maturity, asset_price=1.0):
    """Aave's PT oracle: ``asset_price * (1 - discount_rate_per_year * days/365)``.

    Aave does not price PT from Pendle's pool. BGD Labs' ``PendlePriceCapAdapter``
    discounts the underlying's price linearly to maturity, with a
    ``discountRatePerYear`` set by governance and risk stewards.

    Parameters
    ----------
    discount_rate_per_year : float
        Linear discount per year, {domain:discount_rate_per_year}, e.g. ``0.075124``; with
        ``discount_rate_per_year * days_to_maturity / 365 < 1``.
    days_to_maturity : float or array of float
        Days to maturity, {domain:days_to_maturity} (after maturity the discount is 0).
    asset_price : float, default 1.0
        Price of the accounting asset (e.g. the capped USDT/USD feed for
        PT-sUSDe), {domain:asset_price}.

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
    d = np.maximum(days_to_maturity, 0.0)
    discount = discount_rate_per_year * _years(d)
    if np.any(discount >= 1):
        raise ValueError(
            f"discount_rate_per_year * days_to_maturity/365 must be < 1; got {discount_rate_per_year!r} "
            f"over {days_to_maturity!r:.60} days"
        )
    out = asset_price * (1.0 - discount)
    return float(out) if np.ndim(out) == 0 else out


@contract(ltv=Real(lo=0, hi=1, hi_open=True, scalar=True,
                   why="at LTV 1 every loop borrows the whole deposit again and leverage diverges"),
          loops=Opt(Int(lo=0, hi=10_000)))
def max_loop_leverage(ltv, loops=None):
    """Exposure per unit of equity from looping a collateral at loan-to-value ``ltv``.

    Re-depositing what one borrows ``loops`` times gives
    ``1 + ltv + ... + ltv^loops``; unlimited loops give ``1 / (1 - ltv)``.

    Parameters
    ----------
    ltv : float
        Loan-to-value, {domain:ltv}. At 1 the series diverges: raises.
    loops : int or None, default None
        Number of re-deposits, {domain:loops}; None means unlimited.

    Examples
    --------
    Aave's PT-sUSDe Stablecoins E-Mode at listing (LTV 87.4 %, April 2025):

    >>> round(max_loop_leverage(0.874), 3)
    7.937
    >>> round(max_loop_leverage(0.874, loops=3), 4)
    3.3055
    """
    if loops is None:
        return 1.0 / (1.0 - ltv)
    return (1.0 - ltv ** (loops + 1)) / (1.0 - ltv)


@contract(pt_fixed_apy=_APY, borrow_apr=Real(lo=0, hi=100, why="a yearly rate as a fraction"),
          leverage=Real(lo=1, scalar=True, why="exposure over equity: 1 is no loop"))
def pt_loop_net_apy(pt_fixed_apy, borrow_apr, leverage):
    """Yearly return on equity of a PT loop: ``L * pt_apy - (L - 1) * borrow_apr``.

    The PT leg earns its fixed implied APY on ``L`` units; the debt costs the
    (variable) borrow rate on ``L - 1``. This is exact for a position held one
    year with ``borrow_apr`` read as the borrow *APY* (the compounded rate);
    for a holding period of ``t`` years it is the first-order (in the rates)
    form of :func:`pt_loop_equity_apy`. No price moves before maturity, no
    entry costs.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> round(pt_loop_net_apy(0.10, 0.06, 5), 4)
    0.26
    >>> round(pt_loop_net_apy(0.10, 0.12, 5), 4)
    0.02
    """
    return leverage * pt_fixed_apy - (leverage - 1.0) * borrow_apr


@contract(pt_fixed_apy=_APY_1, borrow_apy=Real(lo=0, hi=100, scalar=True, why="a yearly rate as a fraction"),
          leverage=Real(lo=1, scalar=True, why="exposure over equity: 1 is no loop"),
          days_held=_DAYS_POS_1)
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

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> round(pt_loop_equity_apy(0.09, 0.06, 5, 365), 6)
    0.21
    >>> round(pt_loop_equity_apy(0.09, 0.06, 5, 94), 4)
    0.2163
    """
    a, b, lev = pt_fixed_apy, borrow_apy, leverage
    t = _years(days_held)
    end = lev * (1 + a) ** t - (lev - 1.0) * (1 + b) ** t
    if end <= 0:
        return -1.0
    return end ** (1.0 / t) - 1.0


@contract(apy_min=_Real(lo=0, hi=100, scalar=True, why=_APY_WHY, ex=0.01),
          apy_max=_Real(lo=0, hi=100, scalar=True, why=_APY_WHY, ex=0.05),
          days_to_expiry=_Real(lo=0, lo_open=True, hi=MAX_DAYS, scalar=True, why=_DAYS_WHY, ex=365.0))
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
        Expected yield range, each {domain:apy_min}, with ``apy_min < apy_max``.
    days_to_expiry : float
        Market life at launch, in days, {domain:days_to_expiry}.

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
    lo = apy_min
    hi = check_number("apy_max", apy_max, lo=lo, hi=100, lo_open=True, why="apy_max must exceed apy_min")
    t = _years(days_to_expiry)
    e_min, e_max = (1 + lo) ** t, (1 + hi) ** t
    anchor = (e_min + e_max) / 2
    half = max(e_max - anchor, anchor - e_min)
    return math.log(9) * t / half, anchor


# --------------------------------------------------------------------------
# The AMM
# --------------------------------------------------------------------------

def _logit(p):
    return np.log(p / (1.0 - p))


@contract(total_pt=_Real(lo=0, lo_open=True, scalar=True, ex=1_000_000.0),
          total_asset=_Real(lo=0, lo_open=True, scalar=True, ex=1_000_000.0),
          scalar_root=_Real(lo=0, lo_open=True, scalar=True, why="the curve's steepness", ex=50.0),
          implied_apy=_Real(lo=0, hi=100, scalar=True, why=_APY_WHY, ex=0.10),
          days_to_expiry=_Real(lo=0, lo_open=True, hi=MAX_DAYS, scalar=True,
                               why="an expired market cannot trade (MarketExpired); at most 100 years", ex=90.0),
          ln_fee_rate_root=Real(lo=0, hi=MAX_LN_FEE_RATE_ROOT, scalar=True, why="the factory caps it at ln(1.05)"),
          reserve_fee_share=Real(lo=0, hi=1, scalar=True, why="the treasury's share of each fee"))
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
        PT in the pool, {domain:total_pt}.
    total_asset : float
        SY in the pool, in units of the accounting asset, {domain:total_asset}.
    scalar_root : float
        Curve steepness (the on-chain value divided by 1e18), {domain:scalar_root}.
    implied_apy : float
        Last traded implied APY (the state ``lastLnImpliedRate = ln(1 + apy)``),
        {domain:implied_apy}.
    days_to_expiry : float
        Days to maturity, {domain:days_to_expiry}.
    ln_fee_rate_root : float, default 0
        Fee parameter, {domain:ln_fee_rate_root}; ``ln(1.003)`` is a 0.3 %-a-year tier.
    reserve_fee_share : float, default 0
        Share of each fee sent to the treasury (``reserveFeePercent / 100``),
        {domain:reserve_fee_share}; the rest stays in the pool for LPs.

    Raises
    ------
    ValueError
        For out-of-range inputs, a PT proportion above
        ``MAX_MARKET_PROPORTION`` (96 %), a ``scalar_root`` so large for the time
        left that the rate scalar is not a finite float, or a trade the contract
        would revert.

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
        # field domains are checked (and converted to float) by @contract before this runs
        pt, asset = self.total_pt, self.total_asset
        if not math.isfinite(self.scalar_root / self.years_to_expiry):
            raise ValueError(f"scalar_root / (days_to_expiry / 365) must be a finite rate scalar; got "
                             f"scalar_root={self.scalar_root:g} over days_to_expiry={self.days_to_expiry:g}")
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
    @contract(net_pt_to_account=_Real(why="PT to the trader: > 0 buys, < 0 sells", ex=10_000.0))
    def exchange_rate_after(self, net_pt_to_account):
        """Pre-fee exchange rate of a trade (``_getExchangeRate``), vectorised.

        ``E = ln(p' / (1 - p')) / rateScalar + rateAnchor`` with
        ``p' = (totalPt - netPt) / (totalPt + totalAsset)``.

        Parameters
        ----------
        net_pt_to_account : float or array of float
            PT the trader receives (negative when selling PT to the pool), {domain:net_pt_to_account}.

        Raises
        ------
        ValueError
            If the pool lacks the PT, ``p'`` exceeds 96 %, or ``E < 1``
            (the trade would push the implied rate below zero).
        """
        return self._rate_after(net_pt_to_account, "net_pt_to_account", net_pt_to_account)

    def _rate_after(self, x, name, shown):
        """``_getExchangeRate`` for ``x`` PT to the trader; errors name the caller's ``name``."""
        shown = f"{shown!r:.80}"
        if np.any(x >= self.total_pt):
            raise ValueError(
                f"{name} must leave PT in the pool: net PT to the trader < total_pt = {self.total_pt:g}; "
                f"got {shown} (MarketInsufficientPtForTrade)"
            )
        p_new = (self.total_pt - x) / (self.total_pt + self.total_asset)
        if np.any(p_new > MAX_MARKET_PROPORTION):
            raise ValueError(
                f"{name} would make the PT proportion {np.max(p_new):.4g} > "
                f"MAX_MARKET_PROPORTION = 0.96 (MarketProportionTooHigh); got {shown}"
            )
        with np.errstate(divide="ignore"):
            e = _logit(p_new) / self.rate_scalar + self.rate_anchor
        if np.any(e < 1.0):
            raise ValueError(
                f"{name} = {shown} is too large a purchase: the exchange rate "
                f"would fall below 1, i.e. a negative implied rate (MarketExchangeRateBelowOne)"
            )
        return float(e) if np.ndim(e) == 0 else e

    def _asset_to_account(self, x, e, name="net_pt_to_account"):
        """(net asset to trader, fee) for a trade of ``x`` PT at pre-fee rate ``e``."""
        pre_fee = -x / e
        fee_rate = self.fee_rate
        if np.ndim(x) == 0:
            if x > 0 and e / fee_rate < 1.0:
                raise ValueError(
                    f"{name} = {abs(x)!r}: after the fee the exchange rate {e / fee_rate:.6f} is below 1 "
                    f"(MarketExchangeRateBelowOne)"
                )
        elif np.any((x > 0) & (e / fee_rate < 1.0)):
            raise ValueError(f"{name}: a purchase's post-fee exchange rate is below 1 (MarketExchangeRateBelowOne)")
        fee = np.where(x > 0, pre_fee * (1.0 - fee_rate), -(pre_fee * (1.0 - fee_rate)) / fee_rate)
        return pre_fee - fee, fee

    # -- trades ------------------------------------------------------------------
    @contract(net_pt_to_account=_Real(scalar=True, why="PT to the trader: > 0 buys, < 0 sells; not 0",
                                      ex=10_000.0))
    def trade(self, net_pt_to_account) -> PendleTrade:
        """Execute one swap (``executeTradeCore``) and return it with the new pool.

        Parameters
        ----------
        net_pt_to_account : float
            PT bought by the trader (> 0) or sold to the pool (< 0), {domain:net_pt_to_account}; not 0.
        """
        x = net_pt_to_account
        if x == 0:
            raise ValueError("net_pt_to_account must be non-zero; got 0")
        e = self._rate_after(x, "net_pt_to_account", x)
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
            raise ValueError(f"net_pt_to_account = {x!r} leaves a PT proportion {p_after:.4f} > 0.96 "
                             f"(MarketProportionTooHigh)")
        e_after = float(_logit(p_after)) / self.rate_scalar + self.rate_anchor
        if e_after <= 1.0:
            raise ValueError(
                f"net_pt_to_account = {x!r} would leave the implied rate at or below zero "
                f"(MarketExchangeRateBelowOne / MarketZeroLnImpliedRate)"
            )
        apy_after = math.expm1(math.log(e_after) / self.years_to_expiry)
        after = replace(self, total_pt=new_pt, total_asset=new_asset, implied_apy=apy_after)
        pt_per_asset = abs(x / asset_to_account)
        effective = math.expm1(math.log(pt_per_asset) / self.years_to_expiry)
        return PendleTrade(
            net_pt_to_account=x,
            net_asset_to_account=asset_to_account,
            fee_asset=fee,
            reserve_fee_asset=reserve,
            exchange_rate=e,
            effective_implied_apy=effective,
            market_after=after,
        )

    @contract(pt_amount=_Real(lo=0, lo_open=True, why="PT to buy", ex=10_000.0))
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
        e = self._rate_after(pt_amount, "pt_amount", pt_amount)
        asset, _ = self._asset_to_account(pt_amount, e, "pt_amount")
        return -asset

    @contract(pt_amount=_Real(lo=0, lo_open=True, why="PT to sell", ex=10_000.0))
    def sell_pt(self, pt_amount):
        """Asset the trader receives for ``pt_amount`` PT, fee included (vectorised).

        ``netPt / (E_trade * feeRate)`` (``swapExactPtForSy``).

        Examples
        --------
        >>> m = PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
        >>> round(m.sell_pt(10_000), 2)
        9766.79
        """
        e = self._rate_after(-pt_amount, "pt_amount", pt_amount)
        asset, _ = self._asset_to_account(-pt_amount, e, "pt_amount")
        return asset

    @contract(days_to_expiry=_Real(lo=0, lo_open=True, hi=MAX_DAYS, scalar=True,
                                   why="an expired market cannot trade (MarketExpired); at most 100 years", ex=30.0))
    def with_days_to_expiry(self, days_to_expiry) -> "PendleMarket":
        """The same pool later (or earlier): same reserves and implied rate.

        Time passing changes the rate scalar, the anchor and the fee, not the
        stored implied rate -- this is how the curve tightens towards expiry.

        Parameters
        ----------
        {domains}
        """
        return replace(self, days_to_expiry=days_to_expiry)

    @property
    def min_proportion(self) -> float:
        """Lowest PT proportion the current curve can price (where ``E = 1``, a 0 % rate).

        Buying PT lowers the proportion; below this the implied rate would be
        negative and the contract reverts.
        """
        z = (1.0 - self.rate_anchor) * self.rate_scalar
        # the logistic function 1 / (1 + e^-z), in the form that cannot overflow for large |z|
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    @contract(proportion=Real(lo=0, hi=MAX_MARKET_PROPORTION, lo_open=True,
                              why="a PT share of the pool; the contract caps it at 96 %"))
    def implied_apy_at_proportion(self, proportion):
        """Implied APY the current curve assigns to a PT proportion (vectorised).

        ``E(p) = ln(p/(1-p)) / rateScalar + rateAnchor``; ``apy = E^(1/t) - 1``.

        Parameters
        ----------
        proportion : float or array of float
            PT share of the pool, {domain:proportion}, and >= ``min_proportion``.

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
        return np.expm1(np.log(e) / self.years_to_expiry)


@contract(net_pt_to_account=Real(scalar=True, why="PT received by the trader; not 0"),
          net_asset_to_account=Real(scalar=True),
          fee_asset=Real(lo=0, scalar=True), reserve_fee_asset=Real(lo=0, scalar=True),
          exchange_rate=Real(lo=1, scalar=True, why="PT per asset; below 1 the implied rate is negative"),
          effective_implied_apy=Real(lo=-1, scalar=True),
          market_after=Instance(PendleMarket, example=lambda: PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)))
@dataclass(frozen=True)
class PendleTrade:
    """What one swap on a :class:`PendleMarket` moves (amounts in the asset).

    Parameters
    ----------
    {domains}

    Raises
    ------
    ValueError
        If ``net_pt_to_account`` is 0, the treasury's share exceeds the fee, or
        the average price would not be a finite number.
    """

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

    def __post_init__(self):
        if self.net_pt_to_account == 0:
            raise ValueError("net_pt_to_account must be non-zero (a trade moves PT); got 0")
        if self.reserve_fee_asset > self.fee_asset:
            raise ValueError(f"reserve_fee_asset must be <= fee_asset = {self.fee_asset:g}; "
                             f"got {self.reserve_fee_asset:g}")
        if not math.isfinite(self.net_asset_to_account / self.net_pt_to_account):
            raise ValueError(f"net_asset_to_account / net_pt_to_account must be a finite price; got "
                             f"{self.net_asset_to_account:g} / {self.net_pt_to_account:g}")

    @property
    def average_pt_price(self) -> float:
        """Asset paid (or received) per PT, fee included."""
        return abs(self.net_asset_to_account / self.net_pt_to_account)
