"""Explorers of the collateral & interest-rate chapter.

(a) health factor and liquidation price as the collateral price falls;
(b) Aave's kinked borrow/supply rate curves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import collateral, rates
from ..charts.collateral import health_factor_chart, rate_curve_chart
from ..explore import Explorer, Param

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


def hf_table(debt_usd: float, liquidation_threshold: float, collateral_eth: float = COLLATERAL_ETH,
             prices=PRICE_GRID_USD) -> pd.DataFrame:
    """Health factor over a price grid, and the liquidation price, for one position."""
    return pd.DataFrame({
        "price": prices,
        "health_factor": collateral.health_factor_curve(collateral_eth, prices, liquidation_threshold, debt_usd),
        "liquidation_price": collateral.liquidation_price(collateral_eth, debt_usd, liquidation_threshold),
    })


def rate_table(optimal_usage: float, slope1: float, slope2: float, base: float = 0.0,
               reserve_factor: float = WETH_RESERVE_FACTOR, utilization=UTILIZATION_GRID) -> pd.DataFrame:
    """Borrow and supply rate over a utilisation grid, for one curve."""
    return pd.DataFrame({
        "utilization": utilization,
        "borrow_rate": rates.borrow_rate(utilization, optimal_usage, base, slope1, slope2),
        "supply_rate": rates.supply_rate(utilization, optimal_usage, base, slope1, slope2, reserve_factor),
    })


def health_factor_explorer() -> Explorer:
    """Explorer (a): 10 ETH of collateral, a USD debt, and the price falling."""
    return Explorer(
        model=hf_table,
        params=[
            Param("debt_usd", "Debt", 4_000, 24_000, 2_000, 16_000, "USD"),
            Param("liquidation_threshold", "Liquidation threshold", 0.60, 0.95, 0.05, 0.85, "fraction"),
        ],
        chart=health_factor_chart,
        title="Health factor as the ETH price falls",
        subtitle="10 ETH of collateral against a stablecoin debt; red: HF = 1 and the liquidation price",
        description=("Line chart of the health factor (y, 0 to 4) against the ETH price (x, $500 to $4,000) "
                     "for 10 ETH of collateral. The health factor falls in a straight line towards zero as the "
                     "price falls; a dashed red line marks HF = 1 and a solid red line marks the liquidation "
                     "price, labelled in dollars. More debt or a lower threshold moves the liquidation price up."),
    )


def rate_curve_explorer() -> Explorer:
    """Explorer (b): Aave v3's kinked rate curve."""
    return Explorer(
        model=rate_table,
        params=[
            Param("optimal_usage", "Optimal usage (kink)", 0.5, 0.9, 0.1, 0.8, "fraction"),
            Param("slope1", "Slope 1", 0.0, 0.10, 0.01, 0.03, "APR"),
            Param("slope2", "Slope 2", 0.2, 1.0, 0.2, 0.8, "APR"),
        ],
        chart=rate_curve_chart,
        title="Borrow and supply rates against utilisation",
        subtitle="Base rate 0, reserve factor 15 %; defaults near WETH on Aave v3 Ethereum, 2023-10-31",
        description=("Two lines against utilisation from 0 to 100 %: the borrow rate rises gently up to the "
                     "optimal usage and then steeply; the supply rate stays below it because suppliers earn the "
                     "borrow rate only on the share lent out, minus the 15 % reserve factor."),
        source="Parameters: Aave v3 Ethereum configuration of 2023-10-31 (BGD Labs report), rounded to slider steps.",
    )
