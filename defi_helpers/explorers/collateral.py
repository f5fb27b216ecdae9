"""Explorers of the collateral & interest-rate chapter.

(a) health factor and liquidation price as the collateral price falls;
(b) Aave's kinked borrow/supply rate curves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import collateral, rates
from .._validate import Real, contract
from ..charts.collateral import health_factor_chart, rate_curve_chart
from ..explore import Explorer, Param
from ..i18n import tr
from ._domains import Grid

__all__ = ["health_factor_explorer", "rate_curve_explorer", "hf_table", "rate_table",
           "COLLATERAL_ETH", "PRICE_GRID_USD", "UTILIZATION_GRID"]

#: The example position: 10 ETH of collateral.
COLLATERAL_ETH = 10.0
#: Prices on the x axis (USD per ETH).
PRICE_GRID_USD = np.arange(500.0, 4001.0, 100.0)
#: Utilisation grid; a multiple of the optimal-usage slider step, so the kink is on it.
UTILIZATION_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)
#: WETH reserve factor on Aave v3 Ethereum, 2023-10-31 (dataset ``aave_v3_ethereum_reserves``).
WETH_RESERVE_FACTOR = 0.15

#: Caps that keep ``Q * P * LT / debt`` and ``debt / (Q * LT)`` finite: more ETH than exists
#: (about 1.2e8), prices far above any seen; one wei is the smallest amount of ETH.
_MAX_ETH = 1e9
_MAX_PRICE_USD = 1e9
_MAX_DEBT_USD = 1e12


@contract(debt_usd=Real(lo=0, lo_open=True, hi=_MAX_DEBT_USD, scalar=True, example=16_000.0,
                        why="a stablecoin debt in USD; with none the health factor is infinite"),
          liquidation_threshold=Real(lo=0, lo_open=True, hi=1, scalar=True, example=0.85,
                                     why="a fraction of the collateral value"),
          collateral_eth=Real(lo=1e-18, hi=_MAX_ETH, scalar=True, why="ETH, from one wei up"),
          prices=Grid(lo=0, hi=_MAX_PRICE_USD, why="USD per ETH"))
def hf_table(debt_usd: float, liquidation_threshold: float, collateral_eth: float = COLLATERAL_ETH,
             prices=PRICE_GRID_USD) -> pd.DataFrame:
    """Health factor over a price grid, and the liquidation price, for one position.

    Parameters
    ----------
    debt_usd : float
        A stablecoin debt in USD; with none the health factor is infinite; {domain:debt_usd}.
    liquidation_threshold : float
        A fraction of the collateral value; {domain:liquidation_threshold}.
    collateral_eth : float
        ETH, from one wei up; {domain:collateral_eth}.
    prices : sequence of float
        USD per ETH; {domain:prices}.
    """
    return pd.DataFrame({
        "price": prices,
        "health_factor": collateral.health_factor_curve(collateral_eth, prices, liquidation_threshold, debt_usd),
        "liquidation_price": collateral.liquidation_price(collateral_eth, debt_usd, liquidation_threshold),
    })


@contract(optimal_usage=Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True, example=0.8,
                             why="the kink lies strictly between 0 and 1"),
          slope1=Real(lo=0, scalar=True, example=0.03, why="an APR as a fraction"),
          slope2=Real(lo=0, scalar=True, example=0.8, why="an APR as a fraction"),
          base=Real(lo=0, scalar=True, why="an APR as a fraction"),
          reserve_factor=Real(lo=0, hi=1, scalar=True, why="the protocol's share of interest"),
          utilization=Grid(lo=0, hi=1, why="a share of the reserve lent out"))
def rate_table(optimal_usage: float, slope1: float, slope2: float, base: float = 0.0,
               reserve_factor: float = WETH_RESERVE_FACTOR, utilization=UTILIZATION_GRID) -> pd.DataFrame:
    """Borrow and supply rate over a utilisation grid, for one curve.

    Parameters
    ----------
    optimal_usage : float
        The kink lies strictly between 0 and 1; {domain:optimal_usage}.
    slope1 : float
        An APR as a fraction; {domain:slope1}.
    slope2 : float
        An APR as a fraction; {domain:slope2}.
    base : float
        An APR as a fraction; {domain:base}.
    reserve_factor : float
        The protocol's share of interest; {domain:reserve_factor}.
    utilization : sequence of float
        A share of the reserve lent out; {domain:utilization}.
    """
    return pd.DataFrame({
        "utilization": utilization,
        "borrow_rate": rates.borrow_rate(utilization, optimal_usage, base, slope1, slope2),
        "supply_rate": rates.supply_rate(utilization, optimal_usage, base, slope1, slope2, reserve_factor),
    })


@contract(returns=None)
def health_factor_explorer() -> Explorer:
    """Explorer (a): 10 ETH of collateral, a USD debt, and the price falling."""
    return Explorer(
        model=hf_table,
        params=[
            Param("debt_usd", tr("Debt"), 4_000, 24_000, 2_000, 16_000, "USD"),
            Param("liquidation_threshold", tr("Liquidation threshold"), 0.60, 0.95, 0.05, 0.85, "fraction"),
        ],
        chart=health_factor_chart,
        title=tr("Health factor as the ETH price falls"),
        subtitle=tr("10 ETH of collateral against a stablecoin debt; red: HF = 1 and the liquidation price"),
        description=tr("Line chart of the health factor (y, 0 to 4) against the ETH price (x, $500 to $4,000) "
                       "for 10 ETH of collateral. The health factor falls in a straight line towards zero as the "
                       "price falls; a dashed red line marks HF = 1 and a solid red line marks the liquidation "
                       "price, labelled in dollars. More debt or a lower threshold moves the liquidation price up."),
    )


@contract(returns=None)
def rate_curve_explorer() -> Explorer:
    """Explorer (b): Aave v3's kinked rate curve."""
    return Explorer(
        model=rate_table,
        params=[
            Param("optimal_usage", tr("Optimal usage (kink)"), 0.5, 0.9, 0.1, 0.8, "fraction"),
            Param("slope1", tr("Slope 1"), 0.0, 0.10, 0.01, 0.03, "APR"),
            Param("slope2", tr("Slope 2"), 0.2, 1.0, 0.2, 0.8, "APR"),
        ],
        chart=rate_curve_chart,
        title=tr("Borrow and supply rates against utilisation"),
        subtitle=tr("Base rate 0, reserve factor 15 %; defaults near WETH on Aave v3 Ethereum, 2023-10-31"),
        description=tr("Two lines against utilisation from 0 to 100 %: the borrow rate rises gently up to the "
                       "optimal usage and then steeply; the supply rate stays below it because suppliers earn the "
                       "borrow rate only on the share lent out, minus the 15 % reserve factor."),
        source=tr("Parameters: Aave v3 Ethereum configuration of 2023-10-31 (BGD Labs report), "
                  "rounded to slider steps."),
    )
