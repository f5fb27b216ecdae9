"""Explorers and tables of the looping chapter.

(a) leverage against the number of loops for a chosen LTV and two real ones;
(b) APY on equity against leverage, for a supply (staking) yield and a borrow rate;
(c) the price fall that liquidates a loop, against leverage, for a liquidation threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import looping
from .._validate import Finite, Real, contract
from ..charts.looping import leverage_loops_chart, liquidation_distance_chart, net_apy_chart, series_labels
from ..explore import Explorer, Param
from ..i18n import tr
from ._domains import Grid, Scenarios

__all__ = ["leverage_loops_explorer", "net_apy_explorer", "liquidation_distance_explorer",
           "leverage_table", "net_apy_table", "liquidation_distance_table", "hf_drift_table",
           "loop_cost_table", "WSTETH_LTV_2023", "LOOPS_GRID", "LEVERAGE_GRID"]

#: wstETH's LTV outside E-Mode on Aave v3 Ethereum, 2023-10-31 (dataset aave_v3_ethereum_reserves;
#: BGD Labs report AaveV3Ethereum_UpgradeAaveV3ETHPooolWETHParameters_20231031_after.json, ltv 7850).
#: A wstETH/WETH loop is capped by the *collateral's* LTV, so this, not WETH's 80.5 %, is its limit.
WSTETH_LTV_2023 = 0.785
#: Loops shown on the x axis.
LOOPS_GRID = np.arange(0, 21)
#: Leverage grid of the APY explorer (x).
LEVERAGE_GRID = np.arange(1.0, 16.0, 1.0)
#: Leverage grid of the liquidation-distance explorer (x).
DISTANCE_GRID = np.round(np.arange(1.25, 25.01, 0.25), 2)

#: Highest leverage a table accepts: far beyond any market's 1 / (1 - LTV).
_MAX_LEVERAGE = 1_000.0
_APY_WHY = "a yearly rate as a fraction: 0.05 means 5 %"


@contract(ltv=Real(lo=0, hi=1, hi_open=True, scalar=True, example=0.75,
                   why="at LTV 1 the loop has no limit"),
          loops=Grid(whole=True, lo=0, hi=looping.MAX_LOOPS, why="borrow-and-supply rounds"))
def leverage_table(ltv: float, loops=LOOPS_GRID) -> pd.DataFrame:
    """Leverage after each loop for ``ltv`` and for two reference LTVs (long format).

    Parameters
    ----------
    ltv : float
        At LTV 1 the loop has no limit; {domain:ltv}.
    loops : sequence of float
        Borrow-and-supply rounds; {domain:loops}.
    """
    frames = []
    for label, value in zip(series_labels(), (ltv, WSTETH_LTV_2023, looping.ETH_CORRELATED_EMODE_LTV)):
        frames.append(pd.DataFrame({"loops": loops, "leverage": looping.leverage_after_loops(value, loops),
                                    "series": label, "ltv": value}))
    out = pd.concat(frames, ignore_index=True)
    out["limit"] = looping.max_leverage(ltv)
    return out


@contract(returns=Finite(allow_nan=True),
          supply_apy=Real(lo=-1, hi=10, scalar=True, example=0.03, why=_APY_WHY),
          borrow_apy=Real(lo=-1, hi=10, scalar=True, example=0.025, why=_APY_WHY),
          leverage=Grid(lo=1, hi=_MAX_LEVERAGE, why="exposure over equity"))
def net_apy_table(supply_apy: float, borrow_apy: float, leverage=LEVERAGE_GRID) -> pd.DataFrame:
    """APY on equity over a leverage grid, with the zero-return borrow rate at each leverage.

    ``break_even_borrow_apy`` is NaN at leverage 1: with nothing borrowed
    there is no break-even borrow rate (the chart leaves that point out).

    Parameters
    ----------
    supply_apy : float
        A yearly rate as a fraction: 0.05 means 5 %; {domain:supply_apy}.
    borrow_apy : float
        A yearly rate as a fraction: 0.05 means 5 %; {domain:borrow_apy}.
    leverage : sequence of float
        Exposure over equity; {domain:leverage}.
    """
    lev = np.asarray(leverage, dtype=float)
    levered = lev > 1.0
    be = np.full(lev.shape, np.nan)
    be[levered] = looping.break_even_borrow_apy(lev[levered], supply_apy)
    return pd.DataFrame({
        "leverage": lev,
        "net_apy": looping.net_apy(lev, supply_apy, borrow_apy),
        "supply_apy": supply_apy,
        "break_even_borrow_apy": be,
    })


@contract(liquidation_threshold=Real(lo=0, lo_open=True, hi=1, scalar=True, example=0.95,
                                     why="a fraction of the collateral value"),
          leverage=Grid(lo=1, lo_open=True, hi=_MAX_LEVERAGE,
                        why="exposure over equity; at 1 there is no debt and the HF is infinite"))
def liquidation_distance_table(liquidation_threshold: float, leverage=DISTANCE_GRID) -> pd.DataFrame:
    """HF at entry and the price fall that liquidates, over a leverage grid.

    Parameters
    ----------
    liquidation_threshold : float
        A fraction of the collateral value; {domain:liquidation_threshold}.
    leverage : sequence of float
        Exposure over equity; at 1 there is no debt and the HF is infinite; {domain:leverage}.
    """
    return pd.DataFrame({
        "leverage": leverage,
        "health_factor": looping.looped_health_factor(leverage, liquidation_threshold),
        "price_drop": looping.price_drop_to_liquidation(leverage, liquidation_threshold),
    })


@contract(initial_health_factor=Real(lo=0, lo_open=True, scalar=True, example=1.25, why="a health factor"),
          scenarios=Scenarios(Real(lo=-1, hi=10, scalar=True, why="a continuously compounded yearly rate"),
                              "(staking_rate, borrow_rate)", {"carry 0": (0.03, 0.03)}),
          years=Grid(lo=0, hi=100, why="a time from now, in years"))
def hf_drift_table(initial_health_factor: float, scenarios: dict, years=np.linspace(0, 3, 61)) -> pd.DataFrame:
    """HF over time for each ``{label: (staking_rate, borrow_rate)}`` scenario.

    Parameters
    ----------
    initial_health_factor : float
        A health factor; {domain:initial_health_factor}.
    scenarios : dict of str to (float, float)
        Yearly rates, continuously compounded, by scenario label; {domain:scenarios}.
    years : sequence of float
        A time from now, in years; {domain:years}.
    """
    frames = [pd.DataFrame({"years": years, "scenario": label,
                            "health_factor": looping.health_factor_drift(initial_health_factor, y, rb, years)})
              for label, (y, rb) in scenarios.items()]
    return pd.concat(frames, ignore_index=True)


@contract(equity=Real(lo=0, lo_open=True, scalar=True, example=10.0, why="own funds, in the looped asset"),
          ltv=Real(lo=0, hi=1, hi_open=True, scalar=True, example=0.93, why="a share of each deposit"),
          target_leverage=Real(lo=1, scalar=True, example=10.0,
                               why="exposure over equity, below the limit 1 / (1 - ltv)"),
          gas_cost_per_tx=Real(lo=0, scalar=True, example=0.003, why="an amount of the looped asset"),
          flash_premium=Real(lo=0, hi=0.1, scalar=True, why="a fraction of the amount: 0.0005 means 5 bps"))
def loop_cost_table(equity: float, ltv: float, target_leverage: float, gas_cost_per_tx: float,
                    flash_premium: float = looping.AAVE_V3_FLASH_LOAN_PREMIUM) -> pd.DataFrame:
    """Building ``target_leverage`` by hand (many transactions) vs with one flash loan.

    ``target_leverage`` must be below ``1 / (1 - ltv)`` and reachable within
    :data:`defi_helpers.looping.MAX_LOOPS` loops.

    Parameters
    ----------
    equity : float
        Own funds, in the looped asset; {domain:equity}.
    ltv : float
        A share of each deposit; {domain:ltv}.
    target_leverage : float
        Exposure over equity, below the limit 1 / (1 - ltv); {domain:target_leverage}.
    gas_cost_per_tx : float
        An amount of the looped asset; {domain:gas_cost_per_tx}.
    flash_premium : float
        A fraction of the amount: 0.0005 means 5 bps; {domain:flash_premium}.
    """
    n = looping.loops_to_reach(ltv, target_leverage)
    if n > looping.MAX_LOOPS:
        raise ValueError(f"target_leverage {target_leverage!r} needs {n:,} loops at ltv {ltv!r}, more than "
                         f"{looping.MAX_LOOPS:,}; choose a target further below 1 / (1 - ltv)")
    slow = looping.iterative_loop(equity, ltv, n, gas_cost_per_tx=gas_cost_per_tx)
    fast = looping.flash_loan_loop(equity, slow.leverage, flash_premium, max_ltv=ltv, gas_cost=gas_cost_per_tx)
    free = looping.flash_loan_loop(equity, slow.leverage, 0.0, max_ltv=ltv, gas_cost=gas_cost_per_tx)
    rows = {tr("loops by hand"): slow, tr("flash loan, repaid (premium)"): fast,
            tr("flash loan turned into debt"): free}
    return pd.DataFrame({
        name: {tr("transactions"): p.transactions, tr("leverage (x)"): p.leverage, tr("collateral"): p.collateral,
               tr("debt"): p.debt, tr("fees and gas"): p.fees, tr("fees / equity"): p.fees / p.equity}
        for name, p in rows.items()
    }).T


@contract(returns=None)
def leverage_loops_explorer() -> Explorer:
    """Explorer (a): leverage against the number of loops."""
    return Explorer(
        model=leverage_table,
        params=[Param("ltv", tr("Chosen LTV"), 0.50, 0.95, 0.01, 0.75, "fraction")],
        chart=leverage_loops_chart,
        title=tr("Leverage after n loops"),
        subtitle=tr("Chosen LTV against wstETH collateral (78.5 %, 2023-10-31) and the ETH-correlated E-Mode "
                    "(93 %); dashed: the chosen LTV's limit"),
        description=tr("Three lines of leverage (exposure over equity, y, 0 to 20x) against the number of "
                       "borrow-and-redeposit loops (x, 0 to 20): for the chosen LTV, for wstETH collateral outside "
                       "E-Mode (78.5 %, limit 4.65x) and for the ETH-correlated E-Mode (93 %). Each line rises "
                       "quickly and flattens towards its limit 1/(1 - LTV); the dashed line marks the chosen LTV's limit. At 93 % the "
                       "limit is 14.3x and ten loops reach only 7.9x."),
    )


@contract(returns=None)
def net_apy_explorer() -> Explorer:
    """Explorer (b): APY on equity against leverage and the borrow rate."""
    return Explorer(
        model=net_apy_table,
        params=[
            Param("supply_apy", tr("Collateral yield"), 0.0, 0.06, 0.005, 0.03, "APY"),
            Param("borrow_apy", tr("Borrow rate"), 0.0, 0.08, 0.005, 0.025, "APY"),
        ],
        chart=net_apy_chart,
        title=tr("APY on equity against leverage"),
        subtitle=tr("x · yield − (x − 1) · borrow rate; grey dashed: unlevered yield; orange: E-Mode loop limit"),
        description=tr("A straight line of the APY on equity (y, -40 % to +40 %) against leverage (x, 1 to 15x). "
                       "Its slope is the spread between the collateral yield and the borrow rate: positive spreads "
                       "make the line rise above the grey dashed unlevered yield, negative spreads make it fall "
                       "below zero (red line). A vertical orange line marks the E-Mode limit of 14.3x."),
    )


@contract(returns=None)
def liquidation_distance_explorer() -> Explorer:
    """Explorer (c): how far the price may fall before a loop is liquidated."""
    return Explorer(
        model=liquidation_distance_table,
        params=[Param("liquidation_threshold", tr("Liquidation threshold"), 0.80, 0.97, 0.005, 0.95, "fraction")],
        chart=liquidation_distance_chart,
        title=tr("Distance to liquidation against leverage"),
        subtitle=tr("Collateral and debt are one asset up to a price ratio; "
                    "fall = 1 − 1/HF = 1 − (x − 1)/(x · LT), not 1/x"),
        description=tr("A falling curve of the collateral/debt price fall that brings the health factor to 1 (y, "
                       "0 to 60 %) against leverage (x, 1.25 to 25x), for the chosen liquidation threshold. The "
                       "distance is 1 − 1/HF, well below the 1/x that would wipe out the equity, and reaches zero at "
                       "x = 1/(1 − LT): at LT 95 % a 10x loop survives a 5.3 % fall (not 10 %), the E-Mode limit of "
                       "14.3x only 2.1 %, and 20x none. A dashed line marks the stETH/ETH intraday low of 0.93 "
                       "reported for 2022-06-13 (a 7 % market discount)."),
    )
