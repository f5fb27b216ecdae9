"""Explorers and tables of the liquid staking chapter.

(a) a holder's stETH and wstETH balances across daily rebases (and one loss);
(b) the health factor of a looped stETH position under a market discount,
    with an exchange-rate oracle and with a market-price oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import lst
from .._validate import Real, contract
from ..charts.lst import balance_labels, lst_loop_hf_chart, oracle_labels, rebase_balances_chart
from ..explore import Explorer, Param
from ..i18n import tr
from ._domains import Grid

__all__ = ["rebase_balances_explorer", "lst_loop_explorer", "rebase_balances_table", "lst_loop_table",
           "tvl_layers_table", "START_STETH", "START_SHARE_RATE", "DAYS_GRID", "MARKET_RATIO_GRID"]

#: The holder starts with 100 stETH and wraps it on day 0.
START_STETH = 100.0
#: Illustrative stETH per share at the start (wstETH traded near 1.15 stETH in 2023-2024;
#: check ``stEthPerToken()`` for a current value).
START_SHARE_RATE = 1.15
#: Days shown (every two weeks for a year).
DAYS_GRID = np.arange(0, 365, 14)
#: Day of the one-off loss in the balances explorer.
LOSS_DAY = 182
#: Market ratios on the x axis of the loop explorer.
MARKET_RATIO_GRID = np.round(np.arange(0.80, 1.0001, 0.02), 2)

_LEVERAGE = Real(lo=1, lo_open=True, hi=1_000, scalar=True, example=3.0,
                 why="exposure over equity; above 1, or there is no debt and the HF is infinite")
_LT = Real(lo=0, lo_open=True, hi=1, scalar=True, example=0.81, why="a fraction of the collateral value")


@contract(apr=Real(lo=0, hi=1, scalar=True, example=0.03,
                   why="holders' yearly rewards as a fraction; losses are the loss parameter"),
          loss=Real(lo=0, hi=1, hi_open=True, scalar=True, why="a share of the pooled ether; 1 would leave none"),
          days=Grid(lo=0, hi=36_500, why="days since the holder wrapped, at most 100 years"))
def rebase_balances_table(apr: float, loss: float, days=DAYS_GRID) -> pd.DataFrame:
    """Balances of a holder who wraps 100 stETH on day 0, under daily rebases.

    The protocol's pooled ether grows by ``apr / 365`` a day (holders' APR, net
    of the fee); on :data:`LOSS_DAY` a one-off ``loss`` (a slashing) lowers it.
    Total shares stay fixed (no deposits or withdrawals), so the share rate is
    ``START_SHARE_RATE`` times the growth factor.

    Parameters
    ----------
    apr : float
        Holders' yearly rewards as a fraction; losses are the loss parameter; {domain:apr}.
    loss : float
        A share of the pooled ether; 1 would leave none; {domain:loss}.
    days : sequence of float
        Days since the holder wrapped, at most 100 years; {domain:days}.
    """
    days = np.asarray(days, dtype=float)
    total_shares = 1_000_000.0
    growth = (1.0 + apr / 365.0) ** days * np.where(days >= LOSS_DAY, 1.0 - loss, 1.0)
    pooled = START_SHARE_RATE * total_shares * growth
    shares = lst.shares_by_pooled_eth(START_STETH, START_SHARE_RATE * total_shares, total_shares)
    steth = lst.pooled_eth_by_shares(shares, pooled, total_shares)
    rate = pooled / total_shares
    frames = [pd.DataFrame({"day": days, "amount": values, "series": name, "share_rate": rate})
              for name, values in zip(balance_labels(), (steth, np.full_like(days, shares),
                                                       lst.unwrap_wsteth(shares, pooled, total_shares)))]
    return pd.concat(frames, ignore_index=True)


@contract(leverage=_LEVERAGE, liquidation_threshold=_LT,
          market_ratio=Grid(lo=0, lo_open=True, hi=10, why="the stETH market price in ETH"))
def lst_loop_table(leverage: float, liquidation_threshold: float, market_ratio=MARKET_RATIO_GRID) -> pd.DataFrame:
    """HF of an stETH/ETH loop over market ratios, for both oracle types.

    Parameters
    ----------
    leverage : float
        Exposure over equity; above 1, or there is no debt and the HF is infinite; {domain:leverage}.
    liquidation_threshold : float
        A fraction of the collateral value; {domain:liquidation_threshold}.
    market_ratio : sequence of float
        The stETH market price in ETH; {domain:market_ratio}.
    """
    frames = [pd.DataFrame({
        "market_ratio": market_ratio,
        "health_factor": lst.looped_lst_health_factor(leverage, liquidation_threshold, market_ratio, oracle=kind),
        "oracle": label,
    }) for kind, label in zip(("exchange_rate", "market"), oracle_labels())]
    out = pd.concat(frames, ignore_index=True)
    out["liquidation_ratio"] = lst.market_ratio_at_liquidation(leverage, liquidation_threshold)
    return out


@contract(equity_eth=Real(lo=0, scalar=True, example=10.0, why="the holder's own ETH"),
          leverage=Real(lo=1, hi=1_000, scalar=True, example=3.0, why="exposure over equity; 1 is no loop"))
def tvl_layers_table(equity_eth: float, leverage: float) -> pd.DataFrame:
    """What each protocol reports when ``equity_eth`` is staked and looped to ``leverage``.

    The loop borrows ``(x - 1) E`` of ETH. A lending market never lends its
    collateral: that ETH is the WETH reserve, supplied by *lenders*, whose
    capital is as independent as the holder's. So the independent capital is
    ``E + (x - 1) E = x E``, all of it staked in Lido. Reported deposits:

    * Lido: ``x E`` staked;
    * the lending market: ``x E`` of stETH collateral plus the lenders' ``(x - 1) E``
      of WETH (here all borrowed).

    A naive sum of deposits is ``(3x - 1) E``; netting each reserve's borrows
    on its own asset, as DefiLlama does (DefiLlama-Adapters
    ``projects/helper/aave.js``), leaves ``2 x E``: the stETH, counted once by
    Lido and once as collateral.

    Parameters
    ----------
    equity_eth : float
        The holder's own ETH; {domain:equity_eth}.
    leverage : float
        Exposure over equity; 1 is no loop; {domain:leverage}.
    """
    e = float(equity_eth)
    x = float(leverage)
    staked = e * x
    borrowed = e * (x - 1.0)
    return pd.DataFrame({
        "ETH": {
            tr("holder's own ETH (equity)"): e,
            tr("lenders' ETH (WETH reserve, lent to the loop)"): borrowed,
            tr("independent capital: holder + lenders"): e + borrowed,
            tr("staked in Lido (stETH minted)"): staked,
            tr("stETH supplied to the lending market (collateral)"): staked,
            tr("WETH supplied by lenders"): borrowed,
            tr("naive sum: Lido + all lending deposits"): staked + staked + borrowed,
            tr("netted per reserve (WETH supplied − borrowed = 0)"): staked + staked,
        }
    })


@contract(returns=None)
def rebase_balances_explorer() -> Explorer:
    """Explorer (a): stETH rebases, wstETH does not."""
    return Explorer(
        model=rebase_balances_table,
        params=[
            Param("apr", tr("Holders' staking APR"), 0.02, 0.06, 0.01, 0.03, "fraction"),
            Param("loss", tr("One-off loss on day 182"), 0.0, 0.02, 0.01, 0.0, "fraction of pooled ETH"),
        ],
        chart=rebase_balances_chart,
        title=tr("stETH rebases, wstETH does not"),
        subtitle=tr("100 stETH wrapped on day 0 at 1.15 stETH per wstETH (illustrative); balances every two weeks"),
        description=tr("Three lines over one year: the holder's stETH balance had they kept stETH (rising with "
                       "the daily rebases from 100 stETH), their wstETH balance (flat at 86.96 tokens) and that "
                       "wstETH's value in stETH (dashed, exactly on the stETH line). A higher APR steepens the "
                       "rising lines; a loss on day 182 makes them step down together, while the wstETH balance "
                       "never moves."),
    )


@contract(returns=None)
def lst_loop_explorer() -> Explorer:
    """Explorer (b): a looped stETH position under a market discount, per oracle type."""
    return Explorer(
        model=lst_loop_table,
        params=[
            Param("leverage", tr("Leverage"), 1.5, 6.0, 0.5, 3.0, "x"),
            Param("liquidation_threshold", tr("Liquidation threshold"), 0.75, 0.95, 0.02, 0.81, "fraction"),
        ],
        chart=lst_loop_hf_chart,
        title=tr("A stETH loop under a market discount: which oracle?"),
        subtitle=tr("Defaults: 3x on Aave v2 (stETH LT 81 % from 2022-05-19); grey band: reported June 2022 lows"),
        description=tr("Two lines of the health factor (y) against the stETH market price in ETH (x, 0.80 to "
                       "1.00). With an exchange-rate oracle (green) the line is flat: a market discount does not "
                       "move the HF. With a market-price oracle (red) the HF falls in proportion to the discount "
                       "and crosses the dashed HF = 1 line at the dotted liquidation ratio; more leverage or a "
                       "lower threshold moves that point towards 1.0, into the grey band of the June 2022 lows."),
    )
