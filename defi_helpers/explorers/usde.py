"""Explorers and chart tables of the USDe chapter.

(a) sUSDe APY from the funding rate, the staking yield and the staked share;
(b) reserve-fund stress under a chosen funding regime (seeded Monte Carlo).

The ``*_table`` functions turn model output into the DataFrames the chart
functions of :mod:`defi_helpers.charts.usde` expect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import usde
from .._validate import Int, Opt, Real, contract
from ..charts.usde import backing_series, reserve_stress_chart, susde_apy_chart
from ..explore import Explorer, Param
from ..i18n import tr
from ..usde import _Regime
from ._domains import Grid

__all__ = [
    "susde_apy_explorer",
    "reserve_stress_explorer",
    "backing_table",
    "susde_apy_table",
    "vesting_table",
    "funding_paths_table",
    "reserve_stress_table",
    "FUNDING_GRID",
    "STABLE_APR",
    "SUPPLY_USD",
    "RESERVE_USD",
    "HEDGED_SHARE",
]

#: Funding rates on the x axis of explorer (a), APR.
FUNDING_GRID = np.round(np.arange(-0.10, 0.3001, 0.025), 4)
#: Yield assumed on the stablecoin part of the backing (T-bill-like), APR: an assumption.
STABLE_APR = 0.04
#: Ethena's May 2025 governance update: supply $5.22B, reserve fund $61.1M, 48 % in
#: liquid stables on 2025-05-28 (gov.ethenafoundation.com topic 587).
SUPPLY_USD = 5.22e9
RESERVE_USD = 61.1e6
HEDGED_SHARE = 0.52
#: Monte Carlo size of explorer (b): kept small so the static grid builds in seconds.
STRESS_PATHS = 400
STRESS_SEED = 2024

_APR_WHY = "a yearly rate as a fraction: 0.03 means 3 %"
#: Largest USDe amount the vesting table takes: far above the whole supply (USD 5.22e9, May 2025).
_MAX_USDE = 1e15
_SEED = Int(lo=0, hi=2**32 - 1, why="the seed of numpy.random.default_rng")


@contract(multiples=Opt(Grid(lo=1e-6, hi=1e6, why="the ETH price as a multiple of the entry price")))
def backing_table(multiples=None) -> pd.DataFrame:
    """Backing of 1 USDe, unhedged and hedged (inverse and linear), as ETH moves ×0.1 to ×10.

    The ``series`` labels are those of :func:`defi_helpers.charts.usde.backing_series`,
    in the reader's language.

    Parameters
    ----------
    multiples : sequence of float or None
        The ETH price as a multiple of the entry price; {domain:multiples}.
        None gives 41 multiples from 0.1 to 10, evenly spaced on a log scale.
    """
    m = np.geomspace(0.1, 10.0, 41) if multiples is None else np.asarray(multiples, dtype=float)
    label = backing_series()
    frames = [
        pd.DataFrame({"price_multiple": m, "series": label["unhedged"], "value_usd": m}),
        pd.DataFrame({"price_multiple": m, "series": label["inverse"],
                      "value_usd": usde.delta_neutral_backing_usd(m, 1.0, 1.0, contract="inverse")}),
        pd.DataFrame({"price_multiple": m, "series": label["linear"],
                      "value_usd": usde.delta_neutral_backing_usd(m, 1.0, 1.0, contract="linear")}),
    ]
    return pd.concat(frames, ignore_index=True)


@contract(staking_apr=Real(lo=-1, hi=1, scalar=True, example=0.03, why=_APR_WHY),
          staked_fraction=Real(lo=0.01, hi=1, scalar=True, example=0.4,
                               why="the share of USDe held as sUSDe; below 1 % the weekly-compounded APY "
                                   "of the funding grid's extremes is no longer a float"),
          hedged_share=Real(lo=0, hi=1, scalar=True, example=0.5, why="a share of the backing"),
          funding=Grid(lo=-10, hi=10, why=_APR_WHY),
          stable_apr=Real(lo=-1, hi=1, scalar=True, why=_APR_WHY))
def susde_apy_table(staking_apr: float, staked_fraction: float, hedged_share: float,
                    funding=FUNDING_GRID, stable_apr: float = STABLE_APR) -> pd.DataFrame:
    """Protocol APR and sUSDe APY over a funding grid.

    The hedged collateral is taken to be ETH liquid staking tokens (so it
    earns ``staking_apr``); the rest is stablecoins earning ``stable_apr``;
    all revenue goes to sUSDe (no reserve take).

    Parameters
    ----------
    staking_apr : float
        A yearly rate as a fraction: 0.03 means 3 %; {domain:staking_apr}.
    staked_fraction : float
        The share of USDe held as sUSDe; below 1 % the weekly-compounded APY of the funding grid's extremes
        is no longer a float; {domain:staked_fraction}.
    hedged_share : float
        A share of the backing; {domain:hedged_share}.
    funding : sequence of float
        A yearly rate as a fraction: 0.03 means 3 %; {domain:funding}.
    stable_apr : float
        A yearly rate as a fraction: 0.03 means 3 %; {domain:stable_apr}.
    """
    f = np.asarray(funding, dtype=float)
    p = usde.protocol_apr(f, staking_apr, hedged_share=hedged_share, lst_share=hedged_share,
                          stable_apr=stable_apr)
    return pd.DataFrame({
        "funding_apr": f,
        "protocol_apr": p,
        "susde_apy": usde.apr_to_apy(usde.susde_apr(p, staked_fraction)),
    })


@contract(returns=None)
def susde_apy_explorer() -> Explorer:
    """Explorer (a): what funding, staking yield and the staked share do to sUSDe's APY."""
    return Explorer(
        model=susde_apy_table,
        params=[
            Param("staking_apr", tr("LST staking yield"), 0.0, 0.05, 0.01, 0.03, "APR"),
            Param("staked_fraction", tr("Share of USDe staked"), 0.2, 1.0, 0.2, 0.4, "fraction"),
            Param("hedged_share", tr("Share of backing hedged with perps"), 0.25, 1.0, 0.25, 0.5, "fraction"),
        ],
        chart=susde_apy_chart,
        title=tr("sUSDe yield from funding, staking and the staked share"),
        subtitle=tr("Hedged part in ETH LSTs, the rest in stablecoins at 4 %; no reserve take; weekly compounding"),
        description=tr("Two lines against the funding rate earned by the shorts, from −10 % to +30 % a year: the "
                       "protocol's revenue on all USDe (grey) and the sUSDe APY (blue), which is higher because only "
                       "the staked share receives the revenue and is floored at zero because the reserve fund, not "
                       "sUSDe, pays for negative revenue. A green band marks Ethena's quoted 3-year funding average "
                       "of 7.8–9 %. A lower staked share steepens the sUSDe line; a higher hedged share makes both "
                       "lines more sensitive to funding; the staking yield lifts them."),
        source=tr("Defaults: Ethena's May 2025 governance update (gov.ethenafoundation.com topic 587); "
                  "funding band: docs.ethena.fi, Funding Risk."),
    )


@contract(stake_usde=Real(lo=0, hi=_MAX_USDE, scalar=True, why="USDe staked before the first reward"),
          reward_usde=Real(lo=0, hi=_MAX_USDE, scalar=True, why="USDe transferred every 8 hours"),
          hours=Real(lo=0, lo_open=True, hi=24 * 31, scalar=True, why="hours shown, at most a month"))
def vesting_table(stake_usde: float = 100e6, reward_usde: float = 10_000.0, hours: float = 24.0) -> pd.DataFrame:
    """USDe held by the vault vs ``totalAssets`` with a reward transfer every 8 hours.

    Parameters
    ----------
    stake_usde : float
        USDe staked before the first reward; {domain:stake_usde}.
    reward_usde : float
        USDe transferred every 8 hours; {domain:reward_usde}.
    hours : float
        Hours shown, at most a month; {domain:hours}.
    """
    t_s = np.linspace(0.0, hours * 3600, int(hours * 4) + 1)
    times = np.arange(0.0, hours * 3600, usde.SUSDE_VESTING_PERIOD_S)
    rewards = np.full(times.size, reward_usde)
    held = stake_usde + np.array([rewards[times <= t].sum() for t in t_s])
    vested = stake_usde + usde.susde_vested_rewards(t_s, rewards, times)
    h = t_s / 3600
    return pd.concat([
        pd.DataFrame({"hours": h, "series": tr("USDe held by the vault"), "usde": held}),
        pd.DataFrame({"hours": h, "series": tr("totalAssets (sets the share price)"), "usde": vested}),
    ], ignore_index=True)


@contract(regime=_Regime(), n_paths=Int(lo=1, hi=100, why="a chart of a few paths"),
          days=Int(lo=1, hi=3_650, why="at most 10 years"), seed=_SEED)
def funding_paths_table(regime="base", n_paths: int = 3, days: int = 365, seed: int = 7) -> pd.DataFrame:
    """Daily averages of a few simulated funding paths, long format.

    Parameters
    ----------
    regime : FundingRegime or str
        {domain:regime}.
    n_paths : int
        A chart of a few paths; {domain:n_paths}.
    days : int
        At most 10 years; {domain:days}.
    seed : int
        The seed of numpy.random.default_rng; {domain:seed}.
    """
    reg = usde.FUNDING_REGIMES[regime] if isinstance(regime, str) else regime
    f = usde.simulate_funding_paths(reg, days=days, n_paths=n_paths, seed=seed)
    daily = f.reshape(n_paths, days, usde.FUNDING_PERIODS_PER_DAY).mean(axis=2)
    path = tr("path {n}")
    return pd.concat([pd.DataFrame({"day": np.arange(days), "path": path.format(n=i + 1), "funding_apr": daily[i]})
                      for i in range(n_paths)], ignore_index=True)


@contract(stress_mean_apr=Real(lo=-5, hi=5, scalar=True, example=-0.10,
                               why=_APR_WHY + "; the simulated paths add noise and must stay within ±10"),
          mean_stress_days=Real(lo=1.0 / usde.FUNDING_PERIODS_PER_DAY, hi=3_650, scalar=True, example=5.0,
                                why="a stress episode lasts at least one 8-hour period"),
          reserve_take=Real(lo=0, hi=1, scalar=True, example=0.0, why="the fund's share of positive revenue"),
          n_paths=Int(lo=1, hi=2_000, why="simulated years; the explorer uses 400"),
          seed=_SEED, every_days=Int(lo=1, hi=365, why="days between the table's rows"))
def reserve_stress_table(stress_mean_apr: float, mean_stress_days: float, reserve_take: float,
                         n_paths: int = STRESS_PATHS, seed: int = STRESS_SEED, every_days: int = 14) -> pd.DataFrame:
    """Percentiles of the reserve-fund balance (USD millions) every ``every_days`` days.

    The regime keeps the 'base' normal state (9.5 % APR, 60-day spells, noise
    10 %) and takes the stress mean and duration from the sliders.

    Parameters
    ----------
    stress_mean_apr : float
        A yearly rate as a fraction: 0.03 means 3 %; the simulated paths add noise and must stay within ±10;
        {domain:stress_mean_apr}.
    mean_stress_days : float
        A stress episode lasts at least one 8-hour period; {domain:mean_stress_days}.
    reserve_take : float
        The fund's share of positive revenue; {domain:reserve_take}.
    n_paths : int
        Simulated years; the explorer uses 400; {domain:n_paths}.
    seed : int
        The seed of numpy.random.default_rng; {domain:seed}.
    every_days : int
        Days between the table's rows; {domain:every_days}.
    """
    base = usde.FUNDING_REGIMES["base"]
    reg = usde.FundingRegime(base.normal_mean_apr, stress_mean_apr, base.mean_normal_days, mean_stress_days,
                             base.noise_apr, base.persistence)
    res = usde.simulate_reserve_fund(reg, supply_usd=SUPPLY_USD, reserve_usd=RESERVE_USD, days=365,
                                     n_paths=n_paths, seed=seed, hedged_share=HEDGED_SHARE,
                                     stable_apr=STABLE_APR, reserve_take=reserve_take, keep_paths=n_paths)
    daily = res.daily_paths_usd[:, ::every_days] / 1e6
    q = np.quantile(daily, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame({
        "day": np.arange(0, 366, every_days)[: daily.shape[1]],
        "p05": q[0], "median": q[1], "p95": q[2],
        "p_depleted": res.p_depleted, "p_drawn": res.p_any_draw,
    })


@contract(returns=None)
def reserve_stress_explorer() -> Explorer:
    """Explorer (b): the reserve fund over a year of simulated funding."""
    return Explorer(
        model=reserve_stress_table,
        params=[
            Param("stress_mean_apr", tr("Funding in stress episodes"), -0.40, -0.10, 0.10, -0.10, "APR"),
            Param("mean_stress_days", tr("Average stress episode"), 5, 25, 5, 5, "days"),
            Param("reserve_take", tr("Share of revenue paid into the fund"), 0.0, 0.2, 0.1, 0.0, "fraction"),
        ],
        chart=reserve_stress_chart,
        title=tr("How far could a year of funding draw the reserve fund down?"),
        subtitle=tr("400 seeded paths from May 2025's backing and fund; funding regimes are assumptions, not a "
                    "forecast"),
        description=tr("Fan chart of the reserve fund over one year: the shaded band spans the 5th to 95th "
                       "percentile of simulated balances in millions of dollars, the line is the median, and a dashed "
                       "red line marks zero, where the fund would be exhausted; the text gives the share of paths "
                       "that deplete it and that draw on it at all. Deeper or longer negative-funding episodes widen "
                       "the band downwards; paying a share of revenue into the fund lifts it."),
        source=tr("Starting point: Ethena's May 2025 governance update (gov.ethenafoundation.com topic 587)."),
    )
