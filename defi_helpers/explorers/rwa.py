"""Explorers and tables of the real-world assets chapter.

(a) value-accruing, rebasing and paid-in-kind tokens: tokens held and value
    over a year, for a chosen yield;
(b) a run on a tokenised fund: days until the last redeemer is paid, against
    the share of the fund redeemed, for a liquid buffer, a daily redemption
    capacity and a settlement lag.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import looping, rwa
from .._validate import Int, Real, contract
from ..charts.rwa import days_to_exit_chart, token_design_chart
from ..explore import Explorer, Param
from ..i18n import tr
from ._domains import Grid, Scenarios

__all__ = ["token_design_explorer", "redemption_explorer", "token_design_table", "redemption_table",
           "collateral_drift_table", "DAY_GRID", "WITHDRAWAL_GRID", "INVESTED_USD"]

#: $1,000 invested on day 0 in each design.
INVESTED_USD = 1_000.0
#: Days shown (every 5 days, so every 30-day payout falls on the grid).
DAY_GRID = np.arange(0, 361, 5)
#: Share of the fund redeemed on day 0 (x axis of explorer b).
WITHDRAWAL_GRID = np.round(np.arange(0.0, 1.0001, 0.05), 2)

_FUND_SHARE = "a share of the fund"
#: Lowest APY whose continuously compounded rate log(1 + APY) is >= -1, the drift model's floor.
_MIN_APY = math.expm1(-1.0)


@contract(apy=Real(lo=0, scalar=True, example=0.05, why="an annual yield as a fraction"),
          days=Grid(whole=True, lo=0, hi=36_500, why="whole days since the purchase, at most 100 years"),
          amount_usd=Real(lo=0, scalar=True, why="an amount in USD"))
def token_design_table(apy: float, days=DAY_GRID, amount_usd: float = INVESTED_USD) -> pd.DataFrame:
    """Tokens, price and value of the three designs on the ``days`` grid.

    Parameters
    ----------
    apy : float
        An annual yield as a fraction; {domain:apy}.
    days : sequence of float
        Whole days since the purchase, at most 100 years; {domain:days}.
    amount_usd : float
        An amount in USD; {domain:amount_usd}.
    """
    full = rwa.token_design_paths(amount_usd, apy, int(np.max(days)))
    return full[full["day"].isin(np.asarray(days))].reset_index(drop=True)


@contract(buffer_share=Real(lo=0, hi=1, scalar=True, example=0.10, why=_FUND_SHARE),
          capacity_share=Real(lo=1e-4, hi=1, scalar=True, example=0.04,
                              why="redeemable per day as a share of the fund, at least 0.01 %"),
          settlement_days=Int(lo=1, hi=3_650, why="a settlement lag in whole days, at most 10 years"),
          withdrawal_share=Grid(lo=0, hi=1, why=_FUND_SHARE))
def redemption_table(buffer_share: float, capacity_share: float, settlement_days: float,
                     withdrawal_share=WITHDRAWAL_GRID) -> pd.DataFrame:
    """Days to exit for each redeemed share of a fund (all amounts as shares of the fund).

    Parameters
    ----------
    buffer_share : float
        A share of the fund; {domain:buffer_share}.
    capacity_share : float
        Redeemable per day as a share of the fund, at least 0.01 %; {domain:capacity_share}.
    settlement_days : int
        A settlement lag in whole days, at most 10 years; {domain:settlement_days}.
    withdrawal_share : sequence of float
        A share of the fund; {domain:withdrawal_share}.
    """
    days = rwa.days_to_exit(np.asarray(withdrawal_share, dtype=float), buffer_share, capacity_share,
                            int(round(settlement_days)))
    return pd.DataFrame({"withdrawal_share": withdrawal_share, "days_to_exit": days,
                         "buffer_share": buffer_share})


@contract(health_factor=Real(lo=0, lo_open=True, scalar=True, example=1.1, why="a health factor"),
          scenarios=Scenarios(Real(lo=_MIN_APY, hi=10, scalar=True,
                                   why="an APY as a fraction; log(1 + APY) must be at least -1"),
                              "(collateral_yield, borrow_rate)", {"4 % yield, 6 % borrow": (0.04, 0.06)}),
          years=Grid(lo=0, hi=100, why="a time from now, in years"))
def collateral_drift_table(health_factor: float, scenarios: dict,
                           years=np.linspace(0.0, 5.0, 51)) -> pd.DataFrame:
    """HF over time for each ``{label: (collateral_yield, borrow_rate)}`` scenario (long format).

    Yields and rates are APYs; :func:`defi_helpers.looping.health_factor_drift`
    takes continuously compounded rates, hence ``log1p``.

    Parameters
    ----------
    health_factor : float
        A health factor; {domain:health_factor}.
    scenarios : dict of str to (float, float)
        APYs as fractions, by scenario label; {domain:scenarios}.
    years : sequence of float
        A time from now, in years; {domain:years}.
    """
    yrs = np.asarray(years, dtype=float)
    frames = [pd.DataFrame({"years": yrs, "scenario": label,
                            "health_factor": looping.health_factor_drift(health_factor, np.log1p(y),
                                                                         np.log1p(r), yrs)})
              for label, (y, r) in scenarios.items()]
    return pd.concat(frames, ignore_index=True)


@contract(returns=None)
def token_design_explorer() -> Explorer:
    """Explorer (a): three ways to pay the same yield."""
    return Explorer(
        model=token_design_table,
        params=[Param("apy", tr("Yield"), 0.0, 0.10, 0.01, 0.05, "APY")],
        chart=token_design_chart,
        title=tr("Same yield, three token designs"),
        subtitle=tr("$1,000 invested at a $1 price; daily compounding on a 365-day year, BUIDL-style payouts every "
                    "30 days"),
        description=tr("Two panels over 360 days. Left, tokens held: flat at 1,000 for the value-accruing token, "
                       "rising smoothly for the rebasing token and in monthly steps for the token paid in kind. "
                       "Right, value in dollars: the accruing and rebasing lines coincide exactly, and the "
                       "paid-in-kind line sits a hair below because accruals compound only monthly. The slider sets "
                       "the yield."),
    )


@contract(returns=None)
def redemption_explorer() -> Explorer:
    """Explorer (b): liquidity mismatch as a queue."""
    return Explorer(
        model=redemption_table,
        params=[
            Param("buffer_share", tr("Liquid buffer"), 0.0, 0.30, 0.05, 0.10, "share of fund"),
            Param("capacity_share", tr("Redeemable per day"), 0.02, 0.10, 0.02, 0.04, "share of fund"),
            Param("settlement_days", tr("Settlement lag"), 1, 3, 1, 1, "days"),
        ],
        chart=days_to_exit_chart,
        title=tr("How long the last redeemer waits"),
        subtitle=tr("All requests arrive on day 0; the buffer pays at once, the rest is redeemed off-chain day by "
                    "day"),
        description=tr("A rising step line of the days until the last redeemer is paid (y, 0 to 60) against the "
                       "share of the fund redeemed on day 0 (x, 0 to 100 %). Up to the liquid buffer (green dashed "
                       "line) everyone exits the same day; beyond it the wait grows by one day for each further "
                       "day's redemption capacity, plus the settlement lag. At the defaults a 50 % run takes 10 "
                       "days to clear."),
    )
