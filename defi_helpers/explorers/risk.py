"""Explorers and tables of the risk chapter.

(a) liquidation probability against the health factor, for a volatility and a horizon;
(b) the total price fall after a liquidation cascade against the initial shock,
    for a pool depth and a population's median health factor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import risk
from .._validate import Int, Real, contract
from ..charts.risk import cascade_chart, liquidation_probability_chart, outcome_labels, probability_series
from ..explore import Explorer, Param
from ..i18n import tr
from ._domains import Grid

__all__ = ["liquidation_probability_explorer", "cascade_explorer", "probability_table",
           "cascade_table", "paths_table", "mc_check_table", "oracle_table", "HF_GRID",
           "SHOCK_GRID", "CASCADE_POPULATION"]

#: x grid of explorer (a).
HF_GRID = np.round(np.arange(1.05, 3.001, 0.1), 2)
#: x grid of explorer (b): initial shocks.
SHOCK_GRID = np.round(np.arange(0.0, 0.401, 0.02), 2)
#: The borrower population of explorer (b): positions, total debt (USD), ETH price (USD), seed.
CASCADE_POPULATION = {"n_positions": 2_000, "total_debt_usd": 2e8, "price": 2_000.0, "seed": 42}
#: WETH on Aave v3 Ethereum, 2023-10-31 (dataset aave_v3_ethereum_reserves): LT and bonus.
WETH_LT, WETH_BONUS = 0.83, 0.05

_SIGMA_WHY = "annualised volatility as a fraction: 0.8 means 80 %"
_SIGMA = Real(lo=0, lo_open=True, scalar=True, example=0.8, why=_SIGMA_WHY)
_SEED = Int(lo=0, why="the seed of numpy.random.default_rng")


@contract(sigma=_SIGMA, days=Real(lo=0, lo_open=True, scalar=True, example=30.0, why="a horizon in days"),
          health_factors=Grid(lo=0, lo_open=True, allow_inf=True,
                              why="HF = collateral x LT / debt; inf when there is no debt"))
def probability_table(sigma: float, days: float, health_factors=HF_GRID) -> pd.DataFrame:
    """Terminal and first-passage liquidation probabilities over an HF grid (long format).

    Parameters
    ----------
    sigma : float
        Annualised volatility as a fraction: 0.8 means 80 %; {domain:sigma}.
    days : float
        A horizon in days; {domain:days}.
    health_factors : sequence of float
        HF = collateral x LT / debt; inf when there is no debt; {domain:health_factors}.
    """
    fp = risk.prob_liquidation_first_passage(health_factors, sigma, days)
    term = risk.prob_liquidation_terminal(health_factors, sigma, days)
    first_passage, terminal = probability_series()
    return pd.concat([
        pd.DataFrame({"health_factor": health_factors, "probability": fp, "series": first_passage}),
        pd.DataFrame({"health_factor": health_factors, "probability": term, "series": terminal}),
    ], ignore_index=True)


@contract(pool_depth_musd=Real(lo=1e-3, hi=1e6, scalar=True, example=500.0,
                               why="the pool's USD side in USD million, from USD 1,000 to USD 1e12"),
          hf_median=Real(lo=1, lo_open=True, scalar=True, example=1.6,
                         why="the median health factor of borrowers, above 1"),
          shocks=Grid(lo=0, hi=1, hi_open=True, max_points=1_000, why="an initial price fall as a fraction"))
def cascade_table(pool_depth_musd: float, hf_median: float, shocks=SHOCK_GRID) -> pd.DataFrame:
    """One cascade per initial shock, for a pool depth (USD million) and a median HF.

    Parameters
    ----------
    pool_depth_musd : float
        The pool's USD side in USD million, from USD 1,000 to USD 1e12; {domain:pool_depth_musd}.
    hf_median : float
        The median health factor of borrowers, above 1; {domain:hf_median}.
    shocks : sequence of float
        An initial price fall as a fraction; {domain:shocks}.
    """
    pop = CASCADE_POPULATION
    q, d = risk.sample_positions(pop["n_positions"], pop["total_debt_usd"], pop["price"],
                                 liquidation_threshold=WETH_LT, hf_median=hf_median, seed=pop["seed"])
    rows = []
    for s in shocks:
        r = risk.simulate_cascade(q, d, pop["price"], float(s), pool_depth_musd * 1e6,
                                  liquidation_threshold=WETH_LT, liquidation_bonus=WETH_BONUS)
        rows.append((s, r.total_drop, r.amplification, r.total_debt_repaid_usd / 1e6, r.bad_debt_usd / 1e6))
    return pd.DataFrame(rows, columns=["shock", "total_drop", "amplification", "liquidated_musd",
                                       "bad_debt_musd"])


@contract(health_factor=Real(lo=0, lo_open=True, hi=1e6, scalar=True, why="today's health factor"),
          sigma=_SIGMA, days=Real(lo=0, lo_open=True, hi=3_650, scalar=True, why="a horizon in days"),
          n_paths=Int(lo=1, hi=1_000, why="paths drawn on one chart"), seed=_SEED)
def paths_table(health_factor=1.25, sigma=0.8, days=30, n_paths=40, seed=3) -> pd.DataFrame:
    """Simulated HF paths (long format) with their outcome, for :func:`~defi_helpers.charts.risk.gbm_paths_chart`.

    Parameters
    ----------
    health_factor : float
        Today's health factor; {domain:health_factor}.
    sigma : float
        Annualised volatility as a fraction: 0.8 means 80 %; {domain:sigma}.
    days : float
        A horizon in days; {domain:days}.
    n_paths : int
        Paths drawn on one chart; {domain:n_paths}.
    seed : int
        The seed of numpy.random.default_rng; {domain:seed}.
    """
    paths = risk.simulate_gbm_paths(health_factor, sigma, days, n_paths, seed=seed)
    touched = paths.min(axis=1) < 1.0
    ended = paths[:, -1] < 1.0
    labels = outcome_labels()
    outcome = np.where(ended, labels["below"], np.where(touched, labels["recovers"], labels["above"]))
    n_steps = paths.shape[1]
    return pd.DataFrame({
        "day": np.tile(np.arange(n_steps), n_paths),
        "path": np.repeat(np.arange(n_paths), n_steps),
        "health_factor": paths.ravel(),
        "outcome": np.repeat(outcome, n_steps),
    })


@contract(health_factor=Real(lo=1, lo_open=True, scalar=True, why="today's health factor, above 1"),
          sigma=_SIGMA, horizons=Grid(lo=0, lo_open=True, hi=3_650, max_points=20, why="horizons in days"),
          n_paths=Int(lo=2, hi=100_000, why="paths per horizon"), seed=_SEED)
def mc_check_table(health_factor=1.25, sigma=0.8, horizons=(7, 30, 90, 180, 365), n_paths=20_000,
                   seed=2024) -> pd.DataFrame:
    """Monte Carlo against the closed forms for several horizons (95 % intervals).

    Parameters
    ----------
    health_factor : float
        Today's health factor, above 1; {domain:health_factor}.
    sigma : float
        Annualised volatility as a fraction: 0.8 means 80 %; {domain:sigma}.
    horizons : sequence of float
        Horizons in days; {domain:horizons}.
    n_paths : int
        Paths per horizon; {domain:n_paths}.
    seed : int
        The seed of numpy.random.default_rng; {domain:seed}.
    """
    first_passage, terminal = probability_series()
    rows = []
    for i, days in enumerate(horizons):
        r = risk.monte_carlo_liquidation(health_factor, sigma, days, n_paths=n_paths, seed=seed + i,
                                         progress=False)
        for name, cf, mc, se in (
            (first_passage, risk.prob_liquidation_first_passage(health_factor, sigma, days),
             r.prob_first_passage, r.se_first_passage),
            (terminal, risk.prob_liquidation_terminal(health_factor, sigma, days),
             r.prob_terminal, r.se_terminal),
        ):
            rows.append((days, name, cf, mc, se, mc - 1.96 * se, mc + 1.96 * se))
    return pd.DataFrame(rows, columns=["days", "measure", "closed_form", "monte_carlo", "se", "lo", "hi"])


@contract(deviation=Real(lo=0, hi=1, hi_open=True, scalar=True,
                         why="the price move that triggers an update, as a fraction"),
          heartbeat_s=Real(lo=0, lo_open=True, scalar=True, why="seconds between forced updates"),
          sigma=Real(lo=0, lo_open=True, hi=10, scalar=True,
                     why=_SIGMA_WHY + ", at most 1,000 %: far beyond, minute prices underflow to 0"),
          price=Real(lo=0, lo_open=True, scalar=True, why="a price in USD"), seed=_SEED)
def oracle_table(deviation=0.005, heartbeat_s=risk.CHAINLINK_ETH_USD_HEARTBEAT_S, sigma=0.8,
                 price=2_000.0, seed=11) -> pd.DataFrame:
    """One simulated day of minute prices and what a push oracle reports.

    Parameters
    ----------
    deviation : float
        The price move that triggers an update, as a fraction; {domain:deviation}.
    heartbeat_s : float
        Seconds between forced updates; {domain:heartbeat_s}.
    sigma : float
        Annualised volatility as a fraction: 0.8 means 80 %, at most 1,000 %: far beyond, minute prices
        underflow to 0; {domain:sigma}.
    price : float
        A price in USD; {domain:price}.
    seed : int
        The seed of numpy.random.default_rng; {domain:seed}.
    """
    prices = risk.simulate_gbm_paths(price, sigma, 1, n_paths=1, steps_per_day=1_440, seed=seed)[0]
    times = np.arange(prices.size) * 60.0
    t = risk.push_oracle(prices, times, deviation, heartbeat_s)
    t["hour"] = t["time_s"] / 3_600
    return t


@contract(returns=None)
def liquidation_probability_explorer() -> Explorer:
    """Explorer (a): probability of liquidation against the HF buffer, volatility and horizon."""
    return Explorer(
        model=probability_table,
        params=[
            Param("sigma", tr("Volatility of the collateral"), 0.2, 1.2, 0.2, 0.8, "per year"),
            Param("days", tr("Horizon"), 10, 90, 10, 30, "days"),
        ],
        chart=liquidation_probability_chart,
        title=tr("How likely is a liquidation?"),
        subtitle=tr("One volatile collateral, stable debt, geometric Brownian motion with no drift"),
        description=tr("Two falling curves of the probability of liquidation (y, 0 to 100 %) against today's "
                       "health factor (x, 1.05 to 3): the probability that HF touches 1 at any time within the "
                       "horizon (red, solid) and that it is below 1 at the horizon (blue, dashed), always lower. "
                       "Higher volatility or a longer horizon shifts both curves right: a bigger buffer is "
                       "needed for the same safety."),
    )


@contract(returns=None)
def cascade_explorer() -> Explorer:
    """Explorer (b): cascade size against the initial shock and pool depth."""
    return Explorer(
        model=cascade_table,
        params=[
            Param("pool_depth_musd", tr("Pool depth (USD side)"), 100, 1_000, 100, 500, "USD million"),
            Param("hf_median", tr("Median health factor of borrowers"), 1.2, 2.0, 0.2, 1.6, "ratio"),
        ],
        chart=cascade_chart,
        title=tr("When liquidations feed on themselves"),
        subtitle=tr("2,000 borrowers, $200M of debt against ETH (LT 0.83, bonus 5 %); seized ETH sold into one "
                    "pool"),
        description=tr("The price fall after the cascade (red points, y) against the initial shock (x, 0 to "
                       "40 %), with a grey dashed diagonal where liquidations would add nothing. Small shocks "
                       "stay on the diagonal; beyond a threshold the line jumps above it as liquidation sales "
                       "push the price down and trigger more liquidations. A deeper pool or healthier borrowers "
                       "push the threshold to larger shocks and shrink the jump."),
    )
