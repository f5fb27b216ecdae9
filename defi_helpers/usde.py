"""Ethena USDe and sUSDe: delta-neutral backing, funding, vault accounting, reserve fund.

Every function here is pure: numbers in, numbers out, no I/O and no plotting.
Rates are fractions (``0.08`` = 8 % a year); amounts are floats in USD, USDe
or coin units where the name says so. Floats are used throughout: the chapter
compares positions and yields, it does not reproduce wei-exact balances.

Four ideas, in the order of the chapter:

1. **Delta-neutral backing** -- spot collateral plus an equal short perpetual
   keeps its dollar value whatever the coin price does
   (:func:`delta_neutral_backing_usd`, :func:`delta_neutral_table`).
2. **Funding** -- perpetuals pay funding every 8 hours; shorts receive it when
   the rate is positive (:func:`funding_payment`, :func:`annualize_funding`).
3. **Yield to sUSDe** -- protocol revenue (funding + staking + stablecoin
   yield) is paid into an ERC-4626 vault and vests linearly over 8 hours
   (:func:`protocol_apr`, :func:`susde_apy`, :func:`susde_unvested`).
4. **The reserve fund** -- absorbs negative revenue; a seeded Monte Carlo of
   funding regimes estimates how often and how deeply it is drawn
   (:class:`FundingRegime`, :func:`simulate_reserve_fund`).

References
----------
Ethena contracts, audit snapshot ``code-423n4/2023-10-ethena`` (Oct 2023):
``contracts/StakedUSDe.sol`` (``VESTING_PERIOD = 8 hours``,
``getUnvestedAmount``, ``totalAssets``, ``MIN_SHARES = 1 ether``) and
``contracts/StakedUSDeV2.sol`` (cooldown, ``MAX_COOLDOWN_DURATION = 90 days``).
Ethena docs: "Delta-Neutral Examples", "sUSDe Rewards Mechanism", "Funding
Risk", "Reserve Fund" (docs.ethena.fi). Binance, "Introduction to Binance
Futures Funding Rates" (support article 360033525031, 2020-06-09).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import rates
from ._validate import (
    Bool, Choice, Domain, Instance, Int, Opt, Real, check_choice, check_number, check_size, contract,
)

__all__ = [
    "SUSDE_VESTING_PERIOD_S",
    "SUSDE_MAX_COOLDOWN_S",
    "SUSDE_COOLDOWN_DAYS",
    "SUSDE_MIN_SHARES",
    "FUNDING_PERIODS_PER_DAY",
    "BINANCE_BASELINE_FUNDING_RATE",
    "DAYS_PER_YEAR",
    "short_inverse_perp_pnl_coin",
    "short_linear_perp_pnl_usd",
    "delta_neutral_backing_usd",
    "delta_neutral_table",
    "binance_funding_rate",
    "funding_payment",
    "annualize_funding",
    "apr_to_apy",
    "weekly_yield_apy",
    "weekly_yield_apy_bounds",
    "daily_matched_apy",
    "protocol_apr_from_susde_apy",
    "protocol_apr",
    "susde_apr",
    "susde_apy",
    "susde_unvested",
    "susde_total_assets",
    "susde_share_price",
    "susde_vested_rewards",
    "FundingRegime",
    "FUNDING_REGIMES",
    "simulate_funding_paths",
    "reserve_fund_paths",
    "ReserveStressResult",
    "simulate_reserve_fund",
]

DAYS_PER_YEAR = 365

#: sUSDe rewards vest linearly over 8 hours (``VESTING_PERIOD = 8 hours`` in
#: StakedUSDe.sol, code-423n4/2023-10-ethena, Oct 2023).
SUSDE_VESTING_PERIOD_S = 8 * 3600
#: Upper bound on the unstaking cooldown (``MAX_COOLDOWN_DURATION = 90 days``
#: in StakedUSDeV2.sol, same snapshot).
SUSDE_MAX_COOLDOWN_S = 90 * 86400
#: The cooldown actually used: a fixed 7 days until March 2026, when Ethena
#: governance adopted a dynamic 1-7 day cooldown
#: (gov.ethenafoundation.com topic 759; LlamaRisk on Aave governance, 2026-03-13).
SUSDE_COOLDOWN_DAYS = 7
#: Minimum non-zero sUSDe supply, against donation attacks (``MIN_SHARES = 1 ether``).
SUSDE_MIN_SHARES = 1.0
#: Binance USDⓈ-M perpetuals settle funding every 8 hours, i.e. 3 times a day
#: (Binance support article 360033525031, 2020-06-09; some contracts differ).
FUNDING_PERIODS_PER_DAY = 3
#: Binance's fixed interest component: 0.01 % per 8-hour interval (0.03 % a
#: day). With a zero premium the funding rate equals it, so shorts earn
#: 0.0001 * 3 * 365 = 10.95 % a year (same source).
BINANCE_BASELINE_FUNDING_RATE = 0.0001

_PERIODS_PER_YEAR = FUNDING_PERIODS_PER_DAY * DAYS_PER_YEAR

# rates.apr_to_apy without its own argument checks: callers here declare theirs, so an
# overflow is reported against *their* parameters (issue 14).
_compound = inspect.unwrap(rates.apr_to_apy)


@dataclass(frozen=True, repr=False)
class _Real(Real):
    """A :class:`Real` whose :meth:`example` (one valid value, used by the API fuzzer) is ``ex``.

    For parameters tied to others (a rounding step below the amount it rounds),
    where the midpoint of the range is not a valid call.
    """

    ex: float = 1.0

    def example(self):
        return self.ex


class _Sequence(Domain):
    """A non-empty 1-D array of reals with its own length (not broadcast against the other arrays)."""

    type_text = "sequence of float"

    def __init__(self, **bounds):
        self.real = Real(**bounds)

    def check(self, name, value):
        arr = np.atleast_1d(self.real.check(name, value))
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sequence of numbers; got shape {arr.shape}")
        return arr

    def describe(self):
        return f"a non-empty 1-D sequence of numbers, each {self.real.describe()}"

    def example(self):
        return [self.real.example()]


class _Regime(Domain):
    """A :class:`FundingRegime` or the name of one in :data:`FUNDING_REGIMES` (converted to it)."""

    type_text = "FundingRegime or str"

    def check(self, name, value):
        if isinstance(value, FundingRegime):
            return value
        return FUNDING_REGIMES[check_choice(name, value, tuple(FUNDING_REGIMES))]

    def describe(self):
        return "a FundingRegime or one of " + ", ".join(repr(k) for k in FUNDING_REGIMES)

    def example(self):
        return "base"


_PRICE = Real(lo=0, lo_open=True, why="USD per coin")
_PRICE_1 = Real(lo=0, lo_open=True, scalar=True, why="USD per coin")
_PER_PERIOD = Real(lo=-1, hi=1, lo_open=True, hi_open=True,
                   why="a per-period rate as a fraction: 0.0001 means 0.01 %")
_SHARE = Real(lo=0, hi=1, scalar=True, why="a share of the backing")
_STAKED = Real(lo=0, hi=1, lo_open=True, scalar=True, why="the share of USDe held as sUSDe")
_TAKE = Real(lo=0, hi=1, scalar=True, why="the reserve fund's share of positive revenue")
_YEARLY = Real(lo=-1, hi=1, scalar=True, why="a yearly rate as a fraction: 0.03 means 3 %")
_FUNDING_APR = Real(lo=-10, hi=10, why="a yearly rate as a fraction: 0.08 means 8 %")
_WEEKS = Int(lo=1, hi=53)
#: At most once a second (rates.SECONDS_PER_YEAR periods).
_PERIODS = Int(lo=1, hi=365 * 24 * 3600)
_VESTING = Real(lo=0, lo_open=True, scalar=True, why="seconds; 8 hours in the contract")
#: Monte Carlo sizes. Ten years of 8-hour periods; the contract's ``size`` caps
#: ``days * n_paths`` at MAX_ELEMENTS (the arrays hold 3 * days * n_paths floats).
_DAYS = Int(lo=1, hi=3_650)
_N_PATHS = Int(lo=1, hi=10_000_000)
_SEED = Int(lo=0, hi=2**32 - 1)


# --------------------------------------------------------------------------
# 1. Delta-neutral backing
# --------------------------------------------------------------------------

def _inverse_pnl(n, p0, p):
    return n / p - n / p0


def _linear_pnl(q, p0, p):
    return q * (p0 - p)


@contract(notional_usd=_PRICE_1, entry_price=_PRICE_1, price=_PRICE)
def short_inverse_perp_pnl_coin(notional_usd, entry_price, price):
    """Profit, in coins, of a short inverse (coin-margined) perpetual.

    An inverse perpetual with a notional of ``N`` dollars is worth ``N / P``
    coins at price ``P``. A short position gains when that coin value rises,
    i.e. when the price falls::

        PnL_coin = N / P - N / P0

    Parameters
    ----------
    notional_usd : float
        Contract notional in USD, {domain:notional_usd}, e.g. ``1.0`` for "short 1 ETHUSD".
    entry_price : float
        Price when the short was opened, USD per coin, {domain:entry_price}.
    price : float or array of float
        Current price(s), USD per coin, {domain:price}.

    Returns
    -------
    float or numpy.ndarray
        PnL in coins (positive = gain).

    Examples
    --------
    Ethena's worked example: short 1 ETHUSD at $1; ETH falls to $0.10.

    >>> round(short_inverse_perp_pnl_coin(1.0, 1.0, 0.1), 10)
    9.0
    >>> round(short_inverse_perp_pnl_coin(1.0, 1.0, 100.0), 10)
    -0.99

    References
    ----------
    docs.ethena.fi, "Delta-Neutral Examples" (after A. Hayes, *Dust on Crust*).
    """
    return _inverse_pnl(notional_usd, entry_price, price)


@contract(quantity_coin=Real(lo=0, lo_open=True, scalar=True, why="coins"), entry_price=_PRICE_1,
          price=_PRICE)
def short_linear_perp_pnl_usd(quantity_coin, entry_price, price):
    """Profit, in USD, of a short linear (USDT-margined) perpetual.

    ``PnL_usd = q * (P0 - P)``: linear in the price.

    Parameters
    ----------
    quantity_coin : float
        Position size in coins, {domain:quantity_coin}.
    entry_price : float
        Entry price, USD per coin, {domain:entry_price}.
    price : float or array of float
        Current price(s), USD per coin, {domain:price}.

    Examples
    --------
    >>> short_linear_perp_pnl_usd(1.0, 3_000, 2_400)
    600.0
    """
    return _linear_pnl(quantity_coin, entry_price, price)


_KIND = Choice("inverse", "linear")


@contract(price=_PRICE, entry_price=_PRICE_1, collateral_coin=Real(lo=0, lo_open=True, scalar=True, why="coins"),
          contract=_KIND)
def delta_neutral_backing_usd(price, entry_price, collateral_coin=1.0, contract="inverse"):
    """USD value of spot collateral hedged by an equal short perpetual.

    The backing of one USDe: ``collateral_coin`` coins bought at
    ``entry_price`` plus a short perpetual of the same notional
    ``N = collateral_coin * entry_price``.

    * inverse: coins held = ``collateral + N/P - N/P0`` = ``N/P``, worth ``N``.
    * linear: ``collateral * P + collateral * (P0 - P)`` = ``N``.

    Either way the value is ``N`` at every price: the position has no delta.
    Funding and fees are left out (they are the yield, not the hedge).

    Parameters
    ----------
    price : float or array of float
        Current price(s), USD per coin, {domain:price}.
    entry_price : float
        Price at mint, USD per coin, {domain:entry_price}.
    collateral_coin : float, default 1.0
        Coins posted as backing, {domain:collateral_coin}.
    contract : str, default "inverse"
        The perpetual's kind, {domain:contract}.

    Returns
    -------
    float or numpy.ndarray
        Value of the backing in USD at each price.

    Examples
    --------
    >>> delta_neutral_backing_usd([0.1, 1.0, 100.0], entry_price=1.0).round(12).tolist()
    [1.0, 1.0, 1.0]
    >>> delta_neutral_backing_usd(1_500.0, 3_000.0, contract="linear")
    3000.0

    References
    ----------
    docs.ethena.fi, "Delta-Neutral Stability" and "Delta-Neutral Examples".
    """
    q, p0, p = collateral_coin, entry_price, price
    notional = q * p0
    if contract == "inverse":
        return (q + _inverse_pnl(notional, p0, p)) * p
    return q * p + _linear_pnl(q, p0, p)


@contract(price=_PRICE, entry_price=_PRICE_1, collateral_coin=Real(lo=0, lo_open=True, scalar=True, why="coins"),
          contract=_KIND)
def delta_neutral_table(price, entry_price=1.0, collateral_coin=1.0, contract="inverse") -> pd.DataFrame:
    """Step-by-step table of the hedged backing at each price.

    One row per price with the columns of Ethena's worked example: for an
    inverse contract, the perpetual's value in coins, its PnL in coins, the
    coins held in total and their USD value; for a linear contract, the
    collateral's USD value, the short's USD PnL and the total.

    Parameters
    ----------
    price : float or sequence of float
        Prices to tabulate, USD per coin, {domain:price}.
    entry_price, collateral_coin, contract
        As in :func:`delta_neutral_backing_usd`.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> t = delta_neutral_table([0.1, 100.0])
    >>> t[["price", "perp_pnl_coin", "total_coin", "total_usd"]].round(6).values.tolist()
    [[0.1, 9.0, 10.0, 1.0], [100.0, -0.99, 0.01, 1.0]]
    """
    q, p0 = collateral_coin, entry_price
    p = np.atleast_1d(price).astype(float)
    notional = q * p0
    if contract == "inverse":
        perp_value = notional / p
        pnl = _inverse_pnl(notional, p0, p)
        total_coin = q + pnl
        return pd.DataFrame({
            "price": p,
            "perp_value_coin": perp_value,
            "perp_pnl_coin": pnl,
            "total_coin": total_coin,
            "total_usd": total_coin * p,
        })
    pnl_usd = _linear_pnl(q, p0, p)
    return pd.DataFrame({
        "price": p,
        "collateral_usd": q * p,
        "perp_pnl_usd": pnl_usd,
        "total_usd": q * p + pnl_usd,
    })


# --------------------------------------------------------------------------
# 2. Funding
# --------------------------------------------------------------------------

@contract(premium_index=Real(lo=-1, hi=1, lo_open=True, hi_open=True, why="a per-interval premium as a fraction"),
          interest_rate=Real(lo=-1, hi=1, lo_open=True, hi_open=True, scalar=True,
                             why="a per-interval rate as a fraction"),
          clamp=Real(lo=0, hi=1, scalar=True, why="a per-interval rate as a fraction"))
def binance_funding_rate(premium_index, interest_rate=BINANCE_BASELINE_FUNDING_RATE, clamp=0.0005):
    """Binance's funding rate for one 8-hour interval from the premium index.

    ``F = P + clamp(I - P, -0.05 %, +0.05 %)``: whenever the premium index
    ``P`` is within 0.05 % of the interest rate ``I`` (0.01 % per interval on
    most USDS-M contracts), the rate is exactly ``I``; further out it follows
    the premium, offset by 0.05 %. (The exchange also caps the result by the
    maintenance margin ratio, not modelled.)

    Parameters
    ----------
    premium_index : float or array of float
        Time-weighted premium of the perpetual over the index, per interval (fraction),
        {domain:premium_index}.
    interest_rate : float, default 0.0001
        Interest component per interval (fraction), {domain:interest_rate}.
    clamp : float, default 0.0005
        Half-width of the clamp (fraction), {domain:clamp}.

    Examples
    --------
    >>> round(binance_funding_rate(0.0), 6), round(binance_funding_rate(0.0004), 6)
    (0.0001, 0.0001)
    >>> round(binance_funding_rate(0.002), 6), round(binance_funding_rate(-0.001), 6)
    (0.0015, -0.0005)

    References
    ----------
    Binance, "Introduction to Binance Futures Funding Rates", support article
    360033525031 (2020-06-09).
    """
    p, c = premium_index, clamp
    return p + np.clip(interest_rate - p, -c, c)


@contract(notional_usd=Real(lo=0, why="USD"), funding_rate=_PER_PERIOD, side=Choice("short", "long"))
def funding_payment(notional_usd, funding_rate, side="short"):
    """Funding received (positive) or paid (negative) in one funding period.

    Funding = position notional x funding rate. A positive rate means longs
    pay shorts; a negative rate means shorts pay longs.

    Parameters
    ----------
    notional_usd : float or array of float
        Position notional in USD, {domain:notional_usd}.
    funding_rate : float or array of float
        Rate for the period as a fraction (``0.0001`` = 0.01 %), any sign,
        {domain:funding_rate}.
    side : str, default "short"
        Which side of the perpetual, {domain:side}.

    Examples
    --------
    A $1m short when the 8-hour rate is the Binance baseline 0.01 %:

    >>> round(funding_payment(1_000_000, 0.0001), 6)
    100.0
    >>> round(funding_payment(1_000_000, -0.0003), 6)
    -300.0

    References
    ----------
    Binance support article 360033525031 (funding rate definition).
    """
    sign = 1.0 if side == "short" else -1.0
    return sign * notional_usd * funding_rate


@contract(rate_per_period=_PER_PERIOD, periods_per_day=Int(lo=1, hi=24 * 60), compound=Bool())
def annualize_funding(rate_per_period, periods_per_day=FUNDING_PERIODS_PER_DAY, compound=False):
    """Annualise a per-period funding rate.

    ``APR = rate * periods_per_day * 365`` (how exchanges and Ethena quote it),
    or with ``compound=True`` ``APY = (1 + rate)^(periods_per_day*365) - 1``.

    Parameters
    ----------
    rate_per_period : float or array of float
        Funding rate per period as a fraction, {domain:rate_per_period}.
    periods_per_day : int, default 3
        Funding payments a day (3 for 8-hour funding), {domain:periods_per_day}.
    compound : bool, default False
        Compound the periods (APY) instead of adding them (APR); {domain:compound}.

    Examples
    --------
    The Binance baseline 0.01 % per 8 hours:

    >>> round(annualize_funding(0.0001), 6)
    0.1095
    >>> round(annualize_funding(0.0001, compound=True), 6)
    0.115714
    """
    r = rate_per_period
    periods = periods_per_day * DAYS_PER_YEAR
    return np.expm1(periods * np.log1p(r)) if compound else r * periods


@contract(apr=Real(why="a yearly rate as a fraction: 0.10 means 10 %"), periods_per_year=_PERIODS)
def apr_to_apy(apr, periods_per_year=52):
    """Compound a simple annual rate: ``(1 + apr/n)^n - 1``.

    Ethena annualises the sUSDe rate "with weekly compounding", hence the
    default ``n = 52``.

    Parameters
    ----------
    apr : float or array of float
        Simple annual rate, {domain:apr}, and above ``-periods_per_year``.
    periods_per_year : int, default 52
        Compounding periods a year, {domain:periods_per_year}.

    Examples
    --------
    >>> round(apr_to_apy(0.10), 6)
    0.105065

    References
    ----------
    docs.ethena.fi, "sUSDe Rewards Mechanism".
    """
    return rates.apr_to_apy(apr, periods_per_year)


def _weekly_apy(y, s, n):
    if y / s <= -1:
        raise ValueError(f"weekly_yield_usd must be > -average_supply_usd; got {y!r} on {s!r}")
    return math.expm1(n * math.log1p(y / s))


@contract(weekly_yield_usd=Real(scalar=True, why="USD, any sign"),
          average_supply_usd=Real(lo=0, lo_open=True, scalar=True, why="USD"), weeks_per_year=_WEEKS)
def weekly_yield_apy(weekly_yield_usd, average_supply_usd, weeks_per_year=52):
    """APY implied by one week's yield on an average balance, compounded weekly.

    ``APY = (1 + yield / supply)^52 - 1``.

    Parameters
    ----------
    weekly_yield_usd : float
        The week's yield in USD, {domain:weekly_yield_usd}, and > ``-average_supply_usd``.
    average_supply_usd : float
        Average supply over the week in USD, {domain:average_supply_usd}.
    weeks_per_year : int, default 52
        Compounding periods a year, {domain:weeks_per_year}.

    Examples
    --------
    Ethena's first sUSDe distribution (early 2024): $2.415m of protocol yield
    on an average USDe supply of $435m gives 33.36 %; Ethena quoted 33.26 %.
    The gap is not rounding (:func:`weekly_yield_apy_bounds` allows only
    33.31-33.41 %): Ethena matches each day's earnings to that day's backing
    (:func:`daily_matched_apy`).

    >>> round(weekly_yield_apy(2.415e6, 435e6), 4)
    0.3336

    References
    ----------
    Ethena Labs, "Reserve Fund & sUSDe Distribution Update" (mirror.xyz, 2024).
    """
    return _weekly_apy(weekly_yield_usd, average_supply_usd, weeks_per_year)


@contract(weekly_yield_usd=_Real(scalar=True, why="USD, any sign", ex=2.415e6),
          average_supply_usd=_Real(lo=0, lo_open=True, scalar=True, why="USD", ex=435e6),
          yield_half_step=_Real(lo=0, scalar=True, why="half the rounding step of the yield, USD", ex=500.0),
          supply_half_step=_Real(lo=0, scalar=True, why="half the rounding step of the supply, USD", ex=0.5e6),
          weeks_per_year=_WEEKS)
def weekly_yield_apy_bounds(weekly_yield_usd, average_supply_usd, yield_half_step, supply_half_step,
                            weeks_per_year=52):
    """Range of :func:`weekly_yield_apy` over inputs known only to their rounding.

    A published ``$2.415m`` is any value in ``[2.4145m, 2.4155m)``; the APY is
    increasing in the yield and decreasing in the supply, so its range is
    ``(APY(y - dy, s + ds), APY(y + dy, s - ds))``.

    Parameters
    ----------
    weekly_yield_usd, average_supply_usd, weeks_per_year
        As in :func:`weekly_yield_apy`, as published (rounded).
    yield_half_step : float
        Half the rounding step of ``weekly_yield_usd``, {domain:yield_half_step}.
    supply_half_step : float
        Half the rounding step of ``average_supply_usd``, {domain:supply_half_step},
        and below ``average_supply_usd``.

    Examples
    --------
    Ethena's first distribution, $2.415m (to $1,000) on $435m (to $1m):

    >>> lo, hi = weekly_yield_apy_bounds(2.415e6, 435e6, 500, 0.5e6)
    >>> round(lo, 4), round(hi, 4)
    (0.3331, 0.3341)
    """
    dy, ds, y, s = yield_half_step, supply_half_step, weekly_yield_usd, average_supply_usd
    if s <= ds:
        raise ValueError(f"average_supply_usd must be > supply_half_step = {ds:g}; got {s:g} "
                         f"(the supply must stay positive across its rounding interval)")
    if (y - dy) / (s + ds) <= -1:
        raise ValueError(f"weekly_yield_usd - yield_half_step must be > -(average_supply_usd + supply_half_step); "
                         f"got {y - dy:g} on {s + ds:g}")
    return (_weekly_apy(y - dy, s + ds, weeks_per_year),
            _weekly_apy(y + dy, s - ds, weeks_per_year))


@contract(daily_earnings_usd=_Real(lo=-1e15, hi=1e15, why="USD a day, any sign", ex=(345e3,) * 7),
          daily_backing_usd=_Real(lo=0, lo_open=True, why="USD", ex=(435e6,) * 7), weeks_per_year=_WEEKS)
def daily_matched_apy(daily_earnings_usd, daily_backing_usd, weeks_per_year=52):
    """sUSDe APY as Ethena computes it: each day's earnings over that day's backing.

    Ethena "matches funding and rewards earned from backing assets on a given
    day to the backing assets on that day", sums the week's daily rates and
    annualises with weekly compounding::

        weekly = sum_d earnings_d / backing_d,   APY = (1 + weekly)^52 - 1

    This equals :func:`weekly_yield_apy` of the week's total earnings on the
    average backing only when the daily rates are uncorrelated with the daily
    backing. When the backing grows during the week (early 2024), days with
    more backing weigh more in the total-over-average figure. And the
    denominator is the *backing*, slightly larger than the USDe supply.

    Parameters
    ----------
    daily_earnings_usd : array of float
        Earnings of each day of the week, {domain:daily_earnings_usd}.
    daily_backing_usd : array of float
        Backing assets on each day, {domain:daily_backing_usd}; same length.
    weeks_per_year : int, default 52
        Compounding periods a year, {domain:weeks_per_year}.

    Examples
    --------
    The same $2.415m earned over a week whose backing grew from $405m to $465m
    (mean $435m), with a daily rate rising with the backing:

    >>> import numpy as np
    >>> backing = np.linspace(405e6, 465e6, 7)
    >>> earnings = 2.415e6 * backing**2 / (backing**2).sum()
    >>> round(daily_matched_apy(earnings, backing), 4), round(weekly_yield_apy(2.415e6, 435e6), 4)
    (0.3328, 0.3336)

    References
    ----------
    docs.ethena.fi, "sUSDe Rewards Mechanism" (read 2026).
    """
    e, b = np.asarray(daily_earnings_usd), np.asarray(daily_backing_usd)
    if e.shape != b.shape or e.ndim != 1:
        raise ValueError(f"daily_earnings_usd and daily_backing_usd must be 1-d arrays of the same length; "
                         f"got shapes {e.shape} and {b.shape}")
    weekly = float(np.sum(e / b))
    if weekly <= -1:
        raise ValueError(f"the week's summed daily rates daily_earnings_usd / daily_backing_usd must be > -1; "
                         f"got {weekly!r}")
    return math.expm1(weeks_per_year * math.log1p(weekly))


@contract(susde_apy=Real(lo=-1, hi=100, lo_open=True, why="a yearly yield as a fraction"), staked_fraction=_STAKED,
          reserve_take=Real(lo=0, hi=1, hi_open=True, scalar=True,
                            why="the reserve fund's share of positive revenue; at 1 sUSDe earns nothing"),
          weeks_per_year=_WEEKS)
def protocol_apr_from_susde_apy(susde_apy, staked_fraction, reserve_take=0.0, weeks_per_year=52):
    """Revenue rate on all USDe implied by a published sUSDe APY (inverse of :func:`susde_apr`).

    Undo the weekly compounding, then the division by the staked share::

        APR_sUSDe = 52 * ((1 + APY)^(1/52) - 1)
        APR_protocol = APR_sUSDe * staked_fraction / (1 - reserve_take)

    Parameters
    ----------
    {domains}

    Examples
    --------
    May 2025: sUSDe at 7.10 % with 46 % staked, nothing to the reserve:

    >>> round(protocol_apr_from_susde_apy(0.071, 0.46), 4)
    0.0316
    """
    n = weeks_per_year
    apr = n * np.expm1(np.log1p(susde_apy) / n)
    return apr * staked_fraction / (1.0 - reserve_take)


# --------------------------------------------------------------------------
# 3. Protocol revenue and sUSDe
# --------------------------------------------------------------------------

def _protocol_apr(f, s, h, lst, st):
    lst = check_number("lst_share", lst, lo=0, hi=h,
                       why="LSTs are part of the hedged backing, so lst_share <= hedged_share")
    return h * f + lst * s + (1.0 - h) * st


def _susde_apr(p, k, take):
    return np.maximum(p, 0.0) * (1.0 - take) / k


_APR_DOMAINS = dict(funding_apr=_FUNDING_APR, staking_apr=_YEARLY, hedged_share=_SHARE,
                    lst_share=_SHARE, stable_apr=_YEARLY)


@contract(**_APR_DOMAINS)
def protocol_apr(funding_apr, staking_apr=0.0, *, hedged_share=1.0, lst_share=0.0, stable_apr=0.0):
    """Yearly revenue of the backing, as a fraction of the USDe supply.

    The backing is split into a hedged part (spot coins or LSTs with a short
    perpetual, a share ``hedged_share`` of the backing, earning the funding
    rate) and liquid stablecoins (the rest, earning ``stable_apr``). Of the
    hedged part, a share ``lst_share`` of the whole backing is held in liquid
    staking tokens that also earn ``staking_apr``::

        APR = hedged_share * funding_apr + lst_share * staking_apr
              + (1 - hedged_share) * stable_apr

    Parameters
    ----------
    funding_apr : float or array of float
        Annualised funding rate earned by the shorts (any sign), e.g. 0.08; {domain:funding_apr}.
    staking_apr : float, default 0
        Staking yield of the LST collateral, e.g. 0.03; {domain:staking_apr}.
    hedged_share : float, default 1
        Share of the backing in hedged crypto, {domain:hedged_share}.
    lst_share : float, default 0
        Share of the backing in LSTs, {domain:lst_share}, and at most ``hedged_share``.
    stable_apr : float, default 0
        Yield of the stablecoin part (e.g. T-bill backed stables), {domain:stable_apr}.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(protocol_apr(0.08, 0.03, hedged_share=0.5, lst_share=0.1, stable_apr=0.04), 6)
    0.063

    References
    ----------
    docs.ethena.fi, "Protocol Revenue Explanation" (three revenue sources).
    """
    return _protocol_apr(funding_apr, staking_apr, hedged_share, lst_share, stable_apr)


@contract(protocol_apr=_FUNDING_APR, staked_fraction=_STAKED, reserve_take=_TAKE)
def susde_apr(protocol_apr, staked_fraction, reserve_take=0.0):
    """Yearly rate paid to sUSDe holders from the protocol's revenue.

    Revenue is earned on the whole USDe supply but paid only to the staked
    part, after the reserve fund's share: ``protocol_apr * (1 - reserve_take)
    / staked_fraction``. Negative revenue is never passed to sUSDe (the
    reserve fund pays it), so the result is floored at 0.

    With ``reserve_take = 1 - staked_fraction`` -- the arrangement of Ethena's
    first distribution, when the yield of the *unstaked* backing went to the
    reserve fund -- sUSDe earns exactly the protocol rate.

    Parameters
    ----------
    protocol_apr : float or array of float
        From :func:`protocol_apr`, {domain:protocol_apr}.
    staked_fraction : float
        Share of USDe staked as sUSDe, {domain:staked_fraction}.
    reserve_take : float, default 0
        Share of positive revenue kept by the reserve fund, {domain:reserve_take}.

    Examples
    --------
    >>> round(susde_apr(0.05, 0.5), 6)
    0.1
    >>> susde_apr(-0.02, 0.5)
    0.0
    >>> round(susde_apr(0.3326, 0.44, reserve_take=0.56), 6)
    0.3326

    References
    ----------
    docs.ethena.fi, "Rewards Mechanism Explanation" (negative revenue is not
    passed on to sUSDe); Ethena Labs, "Reserve Fund & sUSDe Distribution
    Update" (mirror.xyz, 2024).
    """
    return _susde_apr(protocol_apr, staked_fraction, reserve_take)


@contract(funding_apr=_FUNDING_APR, staking_apr=_YEARLY, staked_fraction=_STAKED, hedged_share=_SHARE,
          lst_share=Opt(_SHARE), stable_apr=_YEARLY, reserve_take=_TAKE, periods_per_year=_PERIODS)
def susde_apy(funding_apr, staking_apr, staked_fraction, *, hedged_share=1.0, lst_share=None,
              stable_apr=0.0, reserve_take=0.0, periods_per_year=52):
    """sUSDe APY from the funding rate, the staking yield and the staked share.

    Chains :func:`protocol_apr`, :func:`susde_apr` and :func:`apr_to_apy`
    (weekly compounding, as Ethena quotes it). The explorer of the chapter
    calls this.

    Parameters
    ----------
    funding_apr : float or array of float
        Annualised funding earned by the shorts, {domain:funding_apr}.
    staking_apr : float
        LST staking yield, {domain:staking_apr}.
    staked_fraction : float
        Share of USDe staked, {domain:staked_fraction}.
    hedged_share : float, default 1
        Share of the backing in hedged crypto, {domain:hedged_share}.
    lst_share : float or None, default None
        Share of the backing in LSTs, {domain:lst_share}, at most ``hedged_share``; None means "all hedged
        collateral is LSTs" (``lst_share = hedged_share``).
    stable_apr : float, default 0
        Yield of the stablecoin part, {domain:stable_apr}.
    reserve_take : float, default 0
        Share of positive revenue kept by the reserve fund, {domain:reserve_take}.
    periods_per_year : int, default 52
        Compounding periods a year, {domain:periods_per_year}.

    Examples
    --------
    >>> round(susde_apy(0.08, 0.03, 0.5, hedged_share=0.6, lst_share=0.1, stable_apr=0.04), 4)
    0.1432
    """
    lst = hedged_share if lst_share is None else lst_share
    p = _protocol_apr(funding_apr, staking_apr, hedged_share, lst, stable_apr)
    return _compound(_susde_apr(p, staked_fraction, reserve_take), periods_per_year)


def _unvested(amount, dt, v):
    # amount * (share still vesting): the same number as the contract's
    # (V - dt) * amount / V, without overflowing for huge amounts
    return np.where(dt >= v, 0.0, amount * ((v - np.minimum(dt, v)) / v))


@contract(vesting_amount=Real(lo=0, why="USDe"), seconds_since_distribution=Real(lo=0, why="seconds"),
          vesting_period_s=_VESTING)
def susde_unvested(vesting_amount, seconds_since_distribution, vesting_period_s=SUSDE_VESTING_PERIOD_S):
    """USDe of the last reward transfer that has not vested yet.

    ``unvested = (V - dt) * vestingAmount / V`` while ``dt < V``, else 0,
    as ``StakedUSDe.getUnvestedAmount`` (floats here; the contract rounds
    down to the wei).

    Parameters
    ----------
    vesting_amount : float or array of float
        USDe transferred in by the last ``transferInRewards``, {domain:vesting_amount}.
    seconds_since_distribution : float or array of float
        Seconds since that transfer, {domain:seconds_since_distribution}.
    vesting_period_s : float, default 28800
        The vesting period in seconds, {domain:vesting_period_s}; 8 hours in the contract.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    1,000,000 USDe of rewards, two hours after the transfer:

    >>> susde_unvested(1_000_000, 2 * 3600)
    750000.0
    >>> susde_unvested(1_000_000, 8 * 3600)
    0.0

    References
    ----------
    code-423n4/2023-10-ethena, contracts/StakedUSDe.sol (``getUnvestedAmount``),
    inherited by contracts/StakedUSDeV2.sol.
    """
    return _unvested(vesting_amount, seconds_since_distribution, vesting_period_s)


@contract(usde_balance=Real(lo=0, why="USDe"), vesting_amount=Real(lo=0, why="USDe"),
          seconds_since_distribution=Real(lo=0, why="seconds"), vesting_period_s=_VESTING)
def susde_total_assets(usde_balance, vesting_amount, seconds_since_distribution,
                       vesting_period_s=SUSDE_VESTING_PERIOD_S):
    """``totalAssets()`` of the sUSDe vault: USDe held minus unvested rewards.

    Parameters
    ----------
    usde_balance : float or array of float
        USDe held by the vault, including the last reward transfer, {domain:usde_balance}.
    vesting_amount, seconds_since_distribution, vesting_period_s
        As in :func:`susde_unvested`.

    Raises
    ------
    ValueError
        If the balance is below the unvested amount (the contract would
        revert on underflow).

    Examples
    --------
    >>> susde_total_assets(101_000_000, 1_000_000, 2 * 3600)
    100250000.0
    """
    bal = usde_balance
    unvested = _unvested(vesting_amount, seconds_since_distribution, vesting_period_s)
    if np.any(bal < unvested):
        raise ValueError(
            f"usde_balance must be >= the part of vesting_amount still unvested after "
            f"seconds_since_distribution; got {usde_balance!r:.60} with {unvested!r:.60} unvested"
        )
    return bal - unvested


@contract(total_assets=Real(lo=0, why="USDe"),
          total_supply=Real(lo=SUSDE_MIN_SHARES,
                            why="StakedUSDe keeps a non-zero supply of at least MIN_SHARES = 1 sUSDe"))
def susde_share_price(total_assets, total_supply):
    """USDe per sUSDe: ``totalAssets / totalSupply``.

    The ERC-4626 conversion ``convertToAssets(1e18)`` up to OpenZeppelin's
    +1 virtual share/asset and wei rounding, which do not matter at real
    balances.

    Parameters
    ----------
    total_assets : float or array of float
        From :func:`susde_total_assets`, {domain:total_assets}.
    total_supply : float or array of float
        sUSDe in existence, {domain:total_supply} (``SUSDE_MIN_SHARES``: the contract keeps at
        least 1 sUSDe once any exists).

    Examples
    --------
    >>> susde_share_price(100_250_000, 90_000_000) > 1
    True
    """
    return total_assets / total_supply


@contract(seconds=Real(why="seconds, any time"), reward_amounts=_Sequence(lo=0, why="USDe"),
          distribution_times_s=_Sequence(why="seconds"), vesting_period_s=_VESTING)
def susde_vested_rewards(seconds, reward_amounts, distribution_times_s,
                         vesting_period_s=SUSDE_VESTING_PERIOD_S):
    """Cumulative vested rewards at each time, for a schedule of reward transfers.

    Each transfer ``a_i`` at ``t_i`` vests linearly:
    ``a_i * clip((t - t_i) / V, 0, 1)``. The contract refuses a new transfer
    while the previous one is still vesting (``StillVesting``), so transfers
    must be at least ``V`` apart.

    Parameters
    ----------
    seconds : float or array of float
        Times at which to evaluate, {domain:seconds}.
    reward_amounts : sequence of float
        USDe per transfer, {domain:reward_amounts}.
    distribution_times_s : sequence of float
        Time of each transfer, {domain:distribution_times_s}; increasing, at least
        ``vesting_period_s`` apart, as many as ``reward_amounts``.
    vesting_period_s : float, default 28800
        The vesting period in seconds, {domain:vesting_period_s}.

    Returns
    -------
    float or numpy.ndarray
        USDe vested (counted in ``totalAssets``) at each time.

    Examples
    --------
    >>> susde_vested_rewards([0, 4 * 3600, 8 * 3600, 12 * 3600], [100, 100], [0, 8 * 3600]).tolist()
    [0.0, 50.0, 100.0, 150.0]
    """
    t, a, ti, v = seconds, reward_amounts, distribution_times_s, vesting_period_s
    if a.size != ti.size:
        raise ValueError(
            f"reward_amounts and distribution_times_s must be 1-D of equal length; "
            f"got {a.size} and {ti.size}"
        )
    gaps = np.diff(ti)
    if np.any(gaps < v):
        raise ValueError(
            f"distribution_times_s must be at least vesting_period_s = {v:g} s apart "
            f"(StakedUSDe reverts with StillVesting); got gaps {gaps.tolist()}"
        )
    check_size(seconds=np.size(t), distribution_times_s=ti.size)
    frac = np.clip((np.atleast_1d(t)[:, None] - ti[None, :]) / v, 0.0, 1.0)
    out = frac @ a
    return float(out[0]) if np.ndim(seconds) == 0 else out


# --------------------------------------------------------------------------
# 4. Reserve fund under funding regimes (seeded Monte Carlo)
# --------------------------------------------------------------------------

_APR_10 = Real(lo=-10, hi=10, scalar=True, why="a yearly rate as a fraction: 0.10 means 10 %")
_STATE_DAYS = Real(lo=1.0 / FUNDING_PERIODS_PER_DAY, scalar=True, why="a state lasts at least one 8-hour period")


@contract(normal_mean_apr=_APR_10, stress_mean_apr=_APR_10, mean_normal_days=_STATE_DAYS,
          mean_stress_days=_STATE_DAYS, noise_apr=Real(lo=0, hi=10, scalar=True, why="a yearly rate as a fraction"),
          persistence=Real(lo=0, hi=1, hi_open=True, scalar=True,
                           why="an AR(1) coefficient per 8 hours, 1 would never revert"))
@dataclass(frozen=True)
class FundingRegime:
    """A two-state model of annualised perpetual funding, step 8 hours.

    The market alternates between a *normal* state (mean ``normal_mean_apr``)
    and a *stress* state (mean ``stress_mean_apr``, usually negative). Time in
    each state is geometric with the given mean durations (a Markov chain).
    Around the state mean, funding follows an AR(1) with per-period
    persistence ``persistence`` and stationary standard deviation
    ``noise_apr``.

    The presets in :data:`FUNDING_REGIMES` are illustrative assumptions for
    teaching, loosely matched to the averages Ethena publishes (7.8-9 % a year
    for BTC and ETH over three years; ~0 % in 2022). They are **not**
    estimated from a funding-rate series.

    Parameters
    ----------
    {domains}
    """

    normal_mean_apr: float = 0.095
    stress_mean_apr: float = -0.12
    mean_normal_days: float = 60.0
    mean_stress_days: float = 5.0
    noise_apr: float = 0.10
    persistence: float = 0.9

    @property
    def stress_share(self) -> float:
        """Long-run share of time spent in the stress state."""
        return self.mean_stress_days / (self.mean_normal_days + self.mean_stress_days)

    @property
    def long_run_mean_apr(self) -> float:
        """Long-run average funding (APR) implied by the two states."""
        s = self.stress_share
        return (1 - s) * self.normal_mean_apr + s * self.stress_mean_apr


#: Illustrative regimes (assumptions, see :class:`FundingRegime`).
FUNDING_REGIMES = {
    # long-run mean ~7.8 %: Ethena's "7.8-9 % over the last 3 years" (docs.ethena.fi, Funding Risk)
    "base": FundingRegime(0.095, -0.12, 60.0, 5.0, 0.10, 0.9),
    # long-run mean ~1 %: a 2022-like bear market (Ethena: ETH funding ~0.6 % in 2022)
    "bear_2022": FundingRegime(0.04, -0.08, 25.0, 8.0, 0.08, 0.9),
    # rare but deep and long negative episodes
    "severe": FundingRegime(0.08, -0.30, 45.0, 14.0, 0.15, 0.9),
}


def _progress_iter(n, enabled, desc):
    if not enabled:
        return range(n)
    from tqdm.auto import tqdm  # only when asked: keeps the model import light
    return tqdm(range(n), desc=desc, leave=False)


@contract(regime=Instance(FundingRegime, example=lambda: FUNDING_REGIMES["base"]), days=_DAYS, n_paths=_N_PATHS,
          seed=_SEED, progress=Opt(Bool()), size=("days", "n_paths"))
def simulate_funding_paths(regime, days=365, n_paths=1000, seed=0, progress=None):
    """Simulate annualised funding (APR) every 8 hours, many paths at once.

    Vectorised over paths; the loop runs over the ``3 * days`` periods
    because the Markov state and the AR(1) depend on the previous period.

    Parameters
    ----------
    regime : FundingRegime
        The funding model, {domain:regime}.
    days : int, default 365
        Days simulated, {domain:days}; ``days * n_paths`` at most 50,000,000.
    n_paths : int, default 1000
        Paths simulated, {domain:n_paths}.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``: same seed, same paths; {domain:seed}.
    progress : bool or None, default None
        Show a tqdm progress bar; None shows it only for long runs
        (more than 20 million path-periods). {domain:progress}.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_paths, 3 * days)``: funding APR per path and period.

    Examples
    --------
    >>> f = simulate_funding_paths(FUNDING_REGIMES["base"], days=30, n_paths=4, seed=1)
    >>> f.shape
    (4, 90)
    >>> bool((f == simulate_funding_paths(FUNDING_REGIMES["base"], days=30, n_paths=4, seed=1)).all())
    True
    """
    d, n, s = days, n_paths, seed
    periods = d * FUNDING_PERIODS_PER_DAY
    show = (n * periods > 20_000_000) if progress is None else bool(progress)

    rng = np.random.default_rng(s)
    p_leave_normal = 1.0 / (regime.mean_normal_days * FUNDING_PERIODS_PER_DAY)
    p_leave_stress = 1.0 / (regime.mean_stress_days * FUNDING_PERIODS_PER_DAY)
    phi = regime.persistence
    shock_sd = regime.noise_apr * math.sqrt(1.0 - phi * phi)

    stressed = rng.random(n) < regime.stress_share          # start in the stationary mix
    noise = rng.standard_normal(n) * regime.noise_apr      # and the stationary AR(1)
    out = np.empty((periods, n))  # one contiguous row per period (fast writes); transposed at the end
    for t in _progress_iter(periods, show, "funding paths"):
        u = rng.random(n)
        stressed = np.where(stressed, u >= p_leave_stress, u < p_leave_normal)
        noise = phi * noise + shock_sd * rng.standard_normal(n)
        out[t] = np.where(stressed, regime.stress_mean_apr, regime.normal_mean_apr) + noise
    return np.ascontiguousarray(out.T)


@contract(funding_apr_paths=_FUNDING_APR, supply_usd=Real(lo=0, lo_open=True, scalar=True, why="USD"),
          reserve_usd=Real(lo=0, scalar=True, why="USD"),
          **{k: v for k, v in _APR_DOMAINS.items() if k != "funding_apr"}, reserve_take=_TAKE)
def reserve_fund_paths(funding_apr_paths, *, supply_usd, reserve_usd, hedged_share=1.0,
                       staking_apr=0.0, lst_share=0.0, stable_apr=0.0, reserve_take=0.0):
    """Reserve-fund balance along funding paths (USD), period by period.

    Each 8-hour period the backing earns ``protocol_apr(...) / 1095`` of the
    supply. Positive revenue adds ``reserve_take`` of itself to the fund (the
    rest goes to sUSDe); negative revenue is paid in full by the fund. The
    balance may go below zero: that is the shortfall the backing would bear.

    Parameters
    ----------
    funding_apr_paths : array of float
        Shape ``(n_paths, n_periods)`` (or 1-D for one path), e.g. from
        :func:`simulate_funding_paths`; {domain:funding_apr_paths}.
    supply_usd : float
        USDe supply, held constant, {domain:supply_usd}.
    reserve_usd : float
        Starting reserve fund, {domain:reserve_usd}.
    hedged_share, staking_apr, lst_share, stable_apr
        As in :func:`protocol_apr`.
    reserve_take : float, default 0
        Share of positive revenue paid into the fund, {domain:reserve_take}.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_paths, n_periods + 1)``: the balance, starting with
        ``reserve_usd``.

    Examples
    --------
    Funding at -10 % a year for one day on a $1bn fully hedged supply:

    >>> r = reserve_fund_paths([[-0.10] * 3], supply_usd=1e9, reserve_usd=10e6)
    >>> round(float(r[0, -1]))
    9726027
    """
    f = np.atleast_2d(funding_apr_paths)
    if f.ndim != 2:
        raise ValueError(f"funding_apr_paths must be 1-D or 2-D; got shape {f.shape}")
    supply, r0, take = supply_usd, reserve_usd, reserve_take
    apr = _protocol_apr(f, staking_apr, hedged_share, lst_share, stable_apr)
    revenue = supply * apr / _PERIODS_PER_YEAR
    flow = np.where(revenue >= 0, take * revenue, revenue)
    out = np.empty((f.shape[0], f.shape[1] + 1))
    out[:, 0] = r0
    np.cumsum(flow, axis=1, out=out[:, 1:])
    out[:, 1:] += r0
    return out


_PROB = Real(lo=0, hi=1, scalar=True, why="a share of paths or periods")


@contract(reserve_usd=Real(lo=0, scalar=True), days=_DAYS, n_paths=_N_PATHS, p_any_draw=_PROB,
          draw_period_share=_PROB, p_depleted=_PROB, max_drawdown_usd=Real(lo=0), total_draws_usd=Real(lo=0),
          min_reserve_usd=Real(), final_reserve_usd=Real(), daily_paths_usd=Real())
@dataclass(frozen=True)
class ReserveStressResult:
    """Outcome of :func:`simulate_reserve_fund` (amounts in USD).

    Parameters
    ----------
    {domains}

    Raises
    ------
    ValueError
        If a field is outside its domain, or ``p_depleted > p_any_draw`` (a fund
        that ran out was drawn).
    """

    reserve_usd: float
    """Starting reserve."""
    days: int
    n_paths: int
    p_any_draw: float
    """Share of paths on which the fund paid for negative revenue at least once."""
    draw_period_share: float
    """Share of all 8-hour periods with negative revenue (the fund pays)."""
    p_depleted: float
    """Share of paths on which the fund ran out (balance < 0) at some point."""
    max_drawdown_usd: np.ndarray = field(repr=False)
    """Per path: largest fall of the balance from a previous peak."""
    total_draws_usd: np.ndarray = field(repr=False)
    """Per path: sum of all payments out of the fund."""
    min_reserve_usd: np.ndarray = field(repr=False)
    """Per path: lowest balance (negative = shortfall borne by the backing)."""
    final_reserve_usd: np.ndarray = field(repr=False)
    daily_paths_usd: np.ndarray = field(repr=False)
    """The first ``keep_paths`` paths sampled once a day, shape (k, days + 1)."""

    def __post_init__(self):
        if self.p_depleted > self.p_any_draw:
            raise ValueError(f"p_depleted must be <= p_any_draw = {self.p_any_draw:g} (a depleted fund was "
                             f"drawn); got {self.p_depleted:g}")

    def summary(self) -> pd.Series:
        """Headline numbers, drawdowns as fractions of the starting reserve."""
        base = self.reserve_usd if self.reserve_usd > 0 else 1.0
        dd = self.max_drawdown_usd / base
        return pd.Series({
            "P(fund drawn at least once)": self.p_any_draw,
            "share of 8h periods with a draw": self.draw_period_share,
            "P(fund depleted)": self.p_depleted,
            "median max drawdown / reserve": float(np.median(dd)),
            "95th pct max drawdown / reserve": float(np.quantile(dd, 0.95)),
            "99th pct max drawdown / reserve": float(np.quantile(dd, 0.99)),
        })


@contract(regime=Opt(_Regime()), supply_usd=Real(lo=0, lo_open=True, scalar=True, why="USD"),
          reserve_usd=Real(lo=0, scalar=True, why="USD"), days=_DAYS, n_paths=_N_PATHS, seed=_SEED,
          **{k: v for k, v in _APR_DOMAINS.items() if k != "funding_apr"}, reserve_take=_TAKE,
          progress=Opt(Bool()), keep_paths=Int(lo=1, hi=10_000_000), size=("days", "n_paths"))
def simulate_reserve_fund(regime=None, *, supply_usd=5.22e9, reserve_usd=61.1e6, days=365,
                          n_paths=2000, seed=0, hedged_share=0.52, staking_apr=0.03,
                          lst_share=0.0, stable_apr=0.04, reserve_take=0.0, progress=None, keep_paths=200):
    """Monte Carlo of the reserve fund under a funding regime.

    Simulates funding paths (:func:`simulate_funding_paths`), turns them into
    reserve balances (:func:`reserve_fund_paths`) and measures how often and
    how deeply the fund is drawn.

    Parameters
    ----------
    regime : FundingRegime or str or None
        A regime, a key of :data:`FUNDING_REGIMES`, or None for ``"base"``: {domain:regime}.
    supply_usd : float, default 5.22e9
        USDe supply; default from Ethena's May 2025 governance update. {domain:supply_usd}.
    reserve_usd : float, default 61.1e6
        Starting reserve fund; same source ($61.1M). {domain:reserve_usd}.
    days, n_paths, seed, progress
        As in :func:`simulate_funding_paths`.
    hedged_share : float, default 0.52
        Share of backing hedged with perps; 1 - 48 % liquid stables on
        2025-05-28 (same source). {domain:hedged_share}.
    staking_apr, lst_share, stable_apr, reserve_take
        As in :func:`reserve_fund_paths`. Defaults are assumptions.
    keep_paths : int, default 200
        How many paths to keep (sampled daily) in ``daily_paths_usd`` for charts, {domain:keep_paths}.

    Returns
    -------
    ReserveStressResult

    Examples
    --------
    >>> r = simulate_reserve_fund("base", days=60, n_paths=200, seed=7)
    >>> 0.0 <= r.p_depleted <= r.p_any_draw <= 1.0
    True
    >>> r.p_any_draw == simulate_reserve_fund("base", days=60, n_paths=200, seed=7).p_any_draw
    True

    References
    ----------
    gov.ethenafoundation.com, "Ethena's May 2025 Governance Update" (topic 587);
    docs.ethena.fi, "Reserve Fund" and "Funding Risk".
    """
    if regime is None:
        regime = FUNDING_REGIMES["base"]
    funding = simulate_funding_paths(regime, days=days, n_paths=n_paths, seed=seed, progress=progress)
    balance = reserve_fund_paths(funding, supply_usd=supply_usd, reserve_usd=reserve_usd,
                                 hedged_share=hedged_share, staking_apr=staking_apr, lst_share=lst_share,
                                 stable_apr=stable_apr, reserve_take=reserve_take)
    flows = np.diff(balance, axis=1)
    draws = flows < 0
    peak = np.maximum.accumulate(balance, axis=1)
    keep = keep_paths
    return ReserveStressResult(
        reserve_usd=float(reserve_usd),
        days=days,
        n_paths=balance.shape[0],
        p_any_draw=float(np.mean(draws.any(axis=1))),
        draw_period_share=float(np.mean(draws)),
        p_depleted=float(np.mean(balance.min(axis=1) < 0)),
        max_drawdown_usd=(peak - balance).max(axis=1),
        total_draws_usd=-np.where(draws, flows, 0.0).sum(axis=1),
        min_reserve_usd=balance.min(axis=1),
        final_reserve_usd=balance[:, -1],
        daily_paths_usd=balance[:keep, ::FUNDING_PERIODS_PER_DAY],
    )
