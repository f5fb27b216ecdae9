"""Explorers and tables of the TVL and double-counting chapter.

(a) a lending market where a share of depositors loop at an LTV: what each
    way of counting reports per $100 of independent capital;
(b) the staking -> lending -> Pendle -> lending loop with its four flow
    fractions as sliders: naive and DefiLlama-style TVL, by protocol, against
    the independent capital (stakers and the lenders who fund the borrows);
(c) a table of the mechanisms that can, and cannot, make counted TVL twice
    the independent capital.
"""

from __future__ import annotations

import pandas as pd

from .. import tvl
from .._validate import Real, contract
from ..charts.tvl import flow_graph_chart, flow_measures, flow_protocols, loop_measures, loop_tvl_chart
from ..explore import Explorer, Param
from ..i18n import tr

__all__ = ["loop_tvl_explorer", "flow_graph_explorer", "loop_tvl_table", "flow_graph_table",
           "seed_claim_table", "INDEPENDENT_USD"]

#: Both explorers count per $100 of capital that came from outside.
INDEPENDENT_USD = 100.0

_LTV_WHY = "at LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges"
_SHARE_WHY = "a share of a reserve's moving capital"
#: Capital from outside, in USD: positive (the tables divide by it), at most USD 1e15, far above all
#: of DeFi, so that a loop's geometric total stays a float.
_INDEPENDENT = Real(lo=0, lo_open=True, hi=1e15, scalar=True, why="capital from outside, in USD")


@contract(loop_share=Real(lo=0, hi=1, scalar=True, example=0.5, why="a share of the independent capital"),
          ltv=Real(lo=0, hi=1, hi_open=True, scalar=True, example=0.8, why=_LTV_WHY),
          independent_usd=_INDEPENDENT)
def loop_tvl_table(loop_share: float, ltv: float, independent_usd: float = INDEPENDENT_USD) -> pd.DataFrame:
    """Counted value of a market where ``loop_share`` of the capital loops at ``ltv`` to the limit.

    One row per measure of :func:`defi_helpers.charts.tvl.loop_measures` (labels in the reader's
    language).

    Parameters
    ----------
    loop_share : float
        A share of the independent capital; {domain:loop_share}.
    ltv : float
        At LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges; {domain:ltv}.
    independent_usd : float
        Capital from outside, in USD; {domain:independent_usd}.
    """
    looped_equity = independent_usd * loop_share
    s_loop, b_loop = tvl.looped_deposits(looped_equity, ltv)
    supplied = independent_usd - looped_equity + s_loop
    borrowed = b_loop
    values = [independent_usd, tvl.defillama_tvl(supplied, borrowed),
              tvl.defillama_tvl(supplied, borrowed, include_borrowed=True), supplied + borrowed]
    return pd.DataFrame({"measure": loop_measures(), "usd": values,
                         "multiplier": supplied / independent_usd})


@contract(stake_to_lending=Real(lo=0, hi=1, scalar=True, example=0.75, why=_SHARE_WHY),
          lending_to_pendle=Real(lo=0, hi=1, hi_open=True, scalar=True, example=0.5, why=_LTV_WHY),
          pendle_to_lending=Real(lo=0, hi=1, scalar=True, example=0.75, why=_SHARE_WHY),
          lending_to_staking=Real(lo=0, hi=1, hi_open=True, scalar=True, example=0.5, why=_LTV_WHY),
          independent_usd=_INDEPENDENT)
def flow_graph_table(stake_to_lending: float, lending_to_pendle: float, pendle_to_lending: float,
                     lending_to_staking: float, independent_usd: float = INDEPENDENT_USD) -> pd.DataFrame:
    """Naive and DefiLlama-style TVL of :func:`defi_helpers.tvl.staking_loop_graph`, by protocol (long).

    ``independent_usd`` is staked from outside; the lenders who fund the two
    borrows (at 100 % utilisation) are outside capital too, so the
    ``independent`` column is ``independent_usd`` plus them. The ``measure`` and
    ``protocol`` labels are those of :func:`defi_helpers.charts.tvl.flow_measures` and
    :func:`~defi_helpers.charts.tvl.flow_protocols`, in the reader's language.

    Parameters
    ----------
    stake_to_lending : float
        A share of a reserve's moving capital; {domain:stake_to_lending}.
    lending_to_pendle : float
        At LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges;
        {domain:lending_to_pendle}.
    pendle_to_lending : float
        A share of a reserve's moving capital; {domain:pendle_to_lending}.
    lending_to_staking : float
        At LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges;
        {domain:lending_to_staking}.
    independent_usd : float
        Capital from outside, in USD; {domain:independent_usd}.
    """
    g = tvl.staking_loop_graph(independent_usd, stake_to_lending, lending_to_pendle, pendle_to_lending,
                               lending_to_staking)
    by_protocol = g.breakdown().groupby("protocol", sort=False)[["supplied_usd", "defillama_usd"]].sum()
    measures, names = flow_measures(), flow_protocols()
    protocols = [names.get(p, p) for p in by_protocol.index]
    naive = pd.DataFrame({"measure": measures["naive"], "protocol": protocols,
                          "usd": by_protocol["supplied_usd"].to_numpy()})
    dl = pd.DataFrame({"measure": measures["defillama"], "protocol": protocols,
                       "usd": by_protocol["defillama_usd"].to_numpy()})
    out = pd.concat([naive, dl], ignore_index=True)
    out["independent"] = g.independent_capital()
    return out


@contract(ltv_low=Real(lo=0, hi=1, hi_open=True, scalar=True, why=_LTV_WHY),
          ltv_high=Real(lo=0, hi=1, hi_open=True, scalar=True, why=_LTV_WHY))
def seed_claim_table(ltv_low: float = 0.5, ltv_high: float = 0.6) -> pd.DataFrame:
    """Which ways of counting can make $10B of TVL hold only $4-5B of independent capital.

    One row per mechanism, each computed with :mod:`defi_helpers.tvl` on a
    small example: ``counted_usd`` and ``independent_usd`` of the example,
    ``independent_share`` (independent / counted) and
    ``independent_behind_10bn`` (USD bn of independent capital behind $10B
    counted that way). The examples are the chapter's: a loop at LTV 80 %,
    borrowed cash deposited in another protocol, the PT loop
    (:func:`~defi_helpers.tvl.pt_loop_graph`), the staking route
    (:func:`~defi_helpers.tvl.staking_loop_graph` at 0.75, 0.5, 0.75, 0.5),
    and same-market loops at ``ltv_low`` and ``ltv_high`` counted as
    supplied (a protocol's "deposits", or the borrows toggle).

    The table is shown to the reader as it is: its mechanism labels are in the
    reader's language (``tr``); its column names stay the identifiers a reader types.

    Parameters
    ----------
    ltv_low : float
        At LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges;
        {domain:ltv_low}.
    ltv_high : float
        At LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges;
        {domain:ltv_high}.
    """
    loop = tvl.same_market_loop_graph(100, 0.8)
    lend = tvl.CapitalFlowGraph(
        protocols=(tvl.Protocol("aave", "lending"), tvl.Protocol("dex", "dex")),
        reserves=(tvl.Reserve("aave", "ETH", external_usd=100), tvl.Reserve("aave", "USDC"),
                  tvl.Reserve("dex", "USDC")),
        flows=(tvl.Flow("aave:ETH", "dex:USDC", 0.7, "borrow", asset="USDC"),))
    pt = tvl.pt_loop_graph()
    staking = tvl.staking_loop_graph(100, 0.75, 0.5, 0.75, 0.5)
    lo, hi = tvl.same_market_loop_graph(100, ltv_low), tvl.same_market_loop_graph(100, ltv_high)
    supplied_at = tr("Loop on one market, LTV {ltv:.0f} %, counted as supplied")
    rows = [
        (tr("Loop on one market, LTV 80 %, DefiLlama default"), loop.defillama_tvl(), loop, False),
        (tr("Borrowed cash deposited in another protocol, DefiLlama default"), lend.defillama_tvl(), lend, False),
        (tr("PT loop between Pendle and a lending market, DefiLlama default"), pt.defillama_tvl(), pt, True),
        (tr("Staking route, liquid-staking toggle on"), staking.defillama_tvl(include_liquid_staking=True),
         staking, True),
        (tr("Staking route, naive sum of deposits"), staking.naive_tvl(), staking, True),
        (supplied_at.format(ltv=100 * ltv_low), lo.naive_tvl(), lo, True),
        (supplied_at.format(ltv=100 * ltv_high), hi.naive_tvl(), hi, True),
    ]
    out = pd.DataFrame({
        "mechanism": [r[0] for r in rows],
        "counted_usd": [r[1] for r in rows],
        "independent_usd": [r[2].independent_capital() for r in rows],
        "inflates": [r[3] for r in rows],
    })
    out["independent_share"] = out["independent_usd"] / out["counted_usd"]
    out["independent_behind_10bn"] = 10.0 * out["independent_share"]
    return out


@contract(returns=None)
def loop_tvl_explorer() -> Explorer:
    """Explorer (a): looping inflates deposits, not DefiLlama's default figure."""
    return Explorer(
        model=loop_tvl_table,
        params=[
            Param("loop_share", tr("Share of capital that loops"), 0.0, 1.0, 0.1, 0.5, "fraction"),
            Param("ltv", tr("LTV used in each loop"), 0.0, 0.9, 0.05, 0.8, "fraction"),
        ],
        chart=loop_tvl_chart,
        title=tr("One market, four TVLs"),
        subtitle=tr("Per $100 of independent capital; the looping share re-supplies what it borrows until the loop "
                    "converges"),
        description=tr("Four horizontal bars for one lending market holding $100 of independent capital: the capital "
                       "itself (green), DefiLlama's default TVL, supplied minus borrowed (blue), the supplied total "
                       "shown with the borrows toggle on (orange) and supplied plus borrowed (red). DefiLlama's "
                       "default stays at $100 whatever the sliders do; the other two grow like 1/(1 - LTV) with the "
                       "share that loops: half the capital looping at 80 % LTV shows $300 supplied and $500 in total."),
    )


@contract(returns=None)
def flow_graph_explorer() -> Explorer:
    """Explorer (b): a four-protocol capital-flow graph with its fractions as sliders."""
    return Explorer(
        model=flow_graph_table,
        params=[
            Param("stake_to_lending", tr("Staking token supplied to lending 1"), 0.0, 1.0, 0.25, 0.75, "fraction"),
            Param("lending_to_pendle", tr("LTV borrowed in lending 1, into Pendle"), 0.0, 0.75, 0.25, 0.5,
                  "fraction"),
            Param("pendle_to_lending", tr("Pendle PTs supplied to lending 2"), 0.0, 1.0, 0.25, 0.75, "fraction"),
            Param("lending_to_staking", tr("LTV borrowed in lending 2, staked again"), 0.0, 0.75, 0.25, 0.5,
                  "fraction"),
        ],
        chart=flow_graph_chart,
        title=tr("$100 staked, counted by four protocols"),
        subtitle=tr("staking -> lending 1 -> Pendle -> lending 2 -> staking; each loan is drawn from lenders' "
                    "cash in that market, supplied at 100 % utilisation"),
        description=tr("Two horizontal stacked bars of the dollars counted when $100 is staked from outside: naive "
                       "TVL (every reserve's deposits, lenders' included) and a DefiLlama-style total (liquid "
                       "staking left out, each reserve counted net of what is borrowed from it), split by the "
                       "protocol where the dollars are counted, with a dashed black line at the independent "
                       "capital: the $100 staked plus the lenders who fund the two loans. The DefiLlama-style "
                       "total exceeds independent capital only by the receipt tokens (stETH, PTs) deposited again "
                       "in lending markets, minus the staking node it leaves out. At the defaults naive TVL is "
                       "$340, the DefiLlama-style figure about $164 and independent capital $160."),
    )
