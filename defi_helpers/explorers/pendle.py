"""Explorers and chart tables of the Pendle chapter.

(a) PT and YT prices across time to maturity for a chosen implied APY;
(b) a PT trade's price impact and resulting implied APY for a chosen pool
    state and trade size (Pendle V2 AMM, ``MarketMathCore``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import pendle
from .._validate import Int, Real, contract
from ..charts.pendle import pt_yt_price_chart, trade_impact_chart, trade_series
from ..explore import Explorer, Param
from ..i18n import tr
from ._domains import Grid

__all__ = [
    "pt_yt_explorer",
    "trade_impact_explorer",
    "pt_yt_table",
    "trade_impact_table",
    "amm_curve_table",
    "yt_return_table",
    "pt_oracle_table",
    "POOL_PT",
    "POOL_ASSET",
    "LN_FEE_RATE_ROOT",
    "TRADE_SHARES",
]

DAYS_GRID = np.arange(0, 361, 10)
#: Example pool: 1,000,000 PT and 1,000,000 units of the asset.
POOL_PT = 1_000_000.0
POOL_ASSET = 1_000_000.0
#: A 0.3 %-a-year fee tier (``lnFeeRateRoot = ln(1.003)``): an example value.
LN_FEE_RATE_ROOT = math.log(1.003)
#: Trade sizes of explorer (b), as a share of the pool's PT (negative = sell PT).
TRADE_SHARES = np.array([-0.4, -0.3, -0.2, -0.1, 0.1, 0.2, 0.3, 0.4])
#: Aave's PT-sUSDe-31JUL2025 listing (bgd-labs/aave-proposals-v3, 2025-04-28).
AAVE_PT_SUSDE_DISCOUNT = 0.075124
AAVE_PT_SUSDE_DAYS = 94

_APY_WHY = "a yearly rate as a fraction: 0.10 means 10 %; Pendle has no negative rates"
_DAYS_WHY = "calendar days to maturity, at most 100 years"


@contract(implied_apy=Real(lo=0, hi=100, scalar=True, example=0.10, why=_APY_WHY),
          days=Grid(lo=0, hi=pendle.MAX_DAYS, why=_DAYS_WHY))
def pt_yt_table(implied_apy: float, days=DAYS_GRID) -> pd.DataFrame:
    """PT and YT prices (asset units) over days to maturity at one implied APY.

    Parameters
    ----------
    implied_apy : float
        A yearly rate as a fraction: 0.10 means 10 %; Pendle has no negative rates; {domain:implied_apy}.
    days : sequence of float
        Calendar days to maturity, at most 100 years; {domain:days}.
    """
    d = np.asarray(days, dtype=float)
    pt = pendle.pt_price(implied_apy, d)
    return pd.DataFrame({"days_to_maturity": d, "pt_price": pt, "yt_price": 1.0 - pt})


@contract(returns=None)
def pt_yt_explorer() -> Explorer:
    """Explorer (a): PT pulls to par, YT decays to zero."""
    return Explorer(
        model=pt_yt_table,
        params=[Param("implied_apy", tr("Implied APY"), 0.02, 0.40, 0.02, 0.10, "fraction")],
        chart=pt_yt_price_chart,
        title=tr("PT rises to 1 and YT decays to 0 as maturity nears"),
        subtitle=tr("PT = (1 + implied APY)^(−days/365) and YT = 1 − PT, at a constant implied APY"),
        description=tr("Two lines against days to maturity, from 360 days on the left to maturity on the right: "
                       "the PT price rises to 1 and the YT price falls to 0, and the two always add up to 1. A higher "
                       "implied APY lowers the PT and raises the YT far from maturity; at maturity nothing depends on "
                       "it."),
    )


@contract(days_to_expiry=Real(lo=0, lo_open=True, hi=pendle.MAX_DAYS, scalar=True, example=90.0, why=_DAYS_WHY),
          implied_apy=Real(lo=0, hi=100, scalar=True, example=0.12, why=_APY_WHY),
          scalar_root=Real(lo=0, lo_open=True, scalar=True, example=50.0,
                           why="the curve's steepness parameter, positive"),
          shares=Grid(lo=-1, hi=1, why="a share of the pool's PT; negative sells PT"),
          ln_fee_rate_root=Real(lo=0, hi=pendle.MAX_LN_FEE_RATE_ROOT, scalar=True,
                                why="ln(1 + yearly fee rate); the market factory caps it at ln(1.05) "
                                    "(PendleMarketFactoryV7Upg.sol)"))
def trade_impact_table(days_to_expiry: float, implied_apy: float, scalar_root: float,
                       shares=TRADE_SHARES, ln_fee_rate_root: float = LN_FEE_RATE_ROOT) -> pd.DataFrame:
    """Effective and post-trade implied APY of PT trades of several sizes.

    Trades the contract would refuse (a negative rate, or PT above 96 % of
    the pool) are left out of the table. The ``series`` labels are those of
    :func:`defi_helpers.charts.pendle.trade_series`, in the reader's language.

    Parameters
    ----------
    days_to_expiry : float
        Calendar days to maturity, at most 100 years; {domain:days_to_expiry}.
    implied_apy : float
        A yearly rate as a fraction: 0.10 means 10 %; Pendle has no negative rates; {domain:implied_apy}.
    scalar_root : float
        The curve's steepness parameter, positive; {domain:scalar_root}.
    shares : sequence of float
        A share of the pool's PT; negative sells PT; {domain:shares}.
    ln_fee_rate_root : float
        Ln(1 + yearly fee rate); the market factory caps it at ln(1.05) (PendleMarketFactoryV7Upg.sol);
        {domain:ln_fee_rate_root}.
    """
    m = pendle.PendleMarket(POOL_PT, POOL_ASSET, scalar_root, implied_apy, days_to_expiry,
                            ln_fee_rate_root=ln_fee_rate_root)
    labels = trade_series()
    rows = []
    for s in np.asarray(shares, dtype=float):
        try:
            t = m.trade(s * POOL_PT)
        except ValueError:
            continue
        avg = t.average_pt_price
        common = {"trade_share": s, "spot_apy": m.implied_apy, "avg_price": avg,
                  "impact_bp": abs(avg / m.pt_price - 1) * 1e4}
        rows.append({**common, "series": labels["trade"],
                     "implied_apy": t.effective_implied_apy})
        rows.append({**common, "series": labels["pool"],
                     "implied_apy": t.market_after.implied_apy})
    return pd.DataFrame(rows)


@contract(returns=None)
def trade_impact_explorer() -> Explorer:
    """Explorer (b): price impact of PT trades on a Pendle V2 pool."""
    return Explorer(
        model=trade_impact_table,
        params=[
            Param("days_to_expiry", tr("Days to expiry"), 30, 330, 60, 90, "days"),
            Param("implied_apy", tr("Implied APY before the trade"), 0.04, 0.20, 0.04, 0.12, "fraction"),
            Param("scalar_root", tr("Scalar root (curve steepness)"), 10, 90, 20, 50, ""),
        ],
        chart=trade_impact_chart,
        title=tr("Price impact of a PT trade on a Pendle pool"),
        subtitle=tr("Pool of 1M PT and 1M asset, fee ln(1.003); dashed: implied APY before the trade"),
        description=tr("Two lines against the trade size, from selling 40 % to buying 40 % of the pool's PT: the "
                       "implied APY of the trade itself, fee included (red), and the pool's implied APY after the "
                       "trade (blue); a dashed line marks the rate before the trade. Buying PT locks in a lower rate "
                       "than the quoted one and pushes the pool's rate down; selling does the opposite; the fee "
                       "widens the gap. A larger scalar root flattens the lines (deeper liquidity near the current "
                       "rate); trades the contract would refuse are left out."),
    )


@contract(days_list=Grid(lo=0, lo_open=True, hi=3_650, max_points=20, why="days to maturity, at most 10 years"),
          implied_apy=Real(lo=0, hi=100, scalar=True, why=_APY_WHY),
          scalar_root=Real(lo=1, hi=10_000, scalar=True,
                           why="the curve's steepness; below 1 the ends of the curve imply rates "
                               "beyond any float"))
def amm_curve_table(days_list=(360, 180, 90, 30, 7), implied_apy: float = 0.10,
                    scalar_root: float = 50.0) -> pd.DataFrame:
    """PT price along the AMM curve (pool PT share) for several times to expiry.

    Parameters
    ----------
    days_list : sequence of float
        Days to maturity, at most 10 years; {domain:days_list}.
    implied_apy : float
        A yearly rate as a fraction: 0.10 means 10 %; Pendle has no negative rates; {domain:implied_apy}.
    scalar_root : float
        The curve's steepness; below 1 the ends of the curve imply rates beyond any float;
        {domain:scalar_root}.
    """
    days_label = tr("{d} days")
    frames = []
    for d in days_list:
        m = pendle.PendleMarket(POOL_PT, POOL_ASSET, scalar_root, implied_apy, d)
        p = np.linspace(max(0.05, m.min_proportion * 1.001), 0.95, 46)
        apy = m.implied_apy_at_proportion(p)
        frames.append(pd.DataFrame({"proportion": p, "implied_apy": apy,
                                    "pt_price": pendle.pt_price(apy, d), "days": days_label.format(d=d)}))
    return pd.concat(frames, ignore_index=True)


@contract(implied_apy=Real(lo=0.01, hi=1, scalar=True,
                           why="the YT's implied APY, 1 % to 100 %: near zero the YT costs nearly "
                               "nothing and its annualised return is no longer a float"),
          days=Real(lo=7, hi=3_650, scalar=True, why="days to maturity, a week to 10 years"),
          yt_fee=Real(lo=0, hi=1, hi_open=True, scalar=True, why="a share of the yield YT collects"))
def yt_return_table(implied_apy: float = 0.10, days: float = 90, yt_fee: float = pendle.YT_FEE) -> pd.DataFrame:
    """Annualised return of a YT held to maturity over a grid of realised underlying APYs.

    Parameters
    ----------
    implied_apy : float
        The YT's implied APY, 1 % to 100 %: near zero the YT costs nearly nothing and its annualised return
        is no longer a float; {domain:implied_apy}.
    days : float
        Days to maturity, a week to 10 years; {domain:days}.
    yt_fee : float
        A share of the yield YT collects; {domain:yt_fee}.
    """
    y = pendle.yt_price(implied_apy, days)
    u = np.round(np.arange(0.0, 0.3001, 0.005), 4)
    return pd.DataFrame({
        "underlying_apy": u,
        "yt_return": pendle.yt_long_yield_apy(u, y, days, yt_fee=yt_fee),
        "breakeven": pendle.yt_breakeven_apy(y, days, yt_fee=yt_fee),
        "implied": implied_apy,
    })


@contract(discount_rate=Real(lo=0, hi=10, scalar=True, why="a linear discount per year, as a fraction"),
          days=Int(lo=0, hi=3_650, why="whole days to maturity, at most 10 years"),
          shocked_apy=Real(lo=0, hi=100, scalar=True, why=_APY_WHY))
def pt_oracle_table(discount_rate: float = AAVE_PT_SUSDE_DISCOUNT, days: int = AAVE_PT_SUSDE_DAYS,
                    shocked_apy: float = 0.15) -> pd.DataFrame:
    """Aave's linear-discount PT price vs Pendle's market price, to maturity.

    The linear discount must stay below 1 over the whole horizon:
    ``discount_rate * days / 365 < 1``.

    Parameters
    ----------
    discount_rate : float
        A linear discount per year, as a fraction; {domain:discount_rate}.
    days : int
        Whole days to maturity, at most 10 years; {domain:days}.
    shocked_apy : float
        A yearly rate as a fraction: 0.10 means 10 %; Pendle has no negative rates; {domain:shocked_apy}.
    """
    if discount_rate * days / pendle.DAYS_PER_YEAR >= 1:
        raise ValueError(f"discount_rate * days / 365 must be < 1 (a positive PT price); got discount_rate "
                         f"{discount_rate!r} over days {days!r}")
    d = np.arange(days, -1, -1, dtype=float)
    rate, shocked = f"{100 * discount_rate:.4f}", f"{100 * shocked_apy:.0f}"
    return pd.concat([
        pd.DataFrame({"days_to_maturity": d, "series": tr("Aave oracle (linear, {rate}%/yr)").format(rate=rate),
                      "price": pendle.linear_discount_pt_price(discount_rate, d)}),
        pd.DataFrame({"days_to_maturity": d, "series": tr("Market at {rate}% implied").format(rate=rate),
                      "price": pendle.pt_price(discount_rate, d)}),
        pd.DataFrame({"days_to_maturity": d,
                      "series": tr("Market after a jump to {rate}% implied").format(rate=shocked),
                      "price": pendle.pt_price(shocked_apy, d)}),
    ], ignore_index=True)
