"""Explorers and tables of the TVL and double-counting chapter.

(a) a lending market where a share of depositors loop at an LTV: what each
    way of counting reports per $100 of independent capital;
(b) the staking -> lending -> Pendle -> lending loop with its four re-deposit
    fractions as sliders: naive and DefiLlama-style TVL, by protocol.
"""

from __future__ import annotations

import pandas as pd

from .. import tvl
from ..charts.tvl import MEASURE_ORDER, flow_graph_chart, loop_tvl_chart
from ..explore import Explorer, Param

__all__ = ["loop_tvl_explorer", "flow_graph_explorer", "loop_tvl_table", "flow_graph_table",
           "INDEPENDENT_USD"]

#: Both explorers count per $100 of capital that came from outside.
INDEPENDENT_USD = 100.0


def loop_tvl_table(loop_share: float, ltv: float, independent_usd: float = INDEPENDENT_USD) -> pd.DataFrame:
    """Counted value of a market where ``loop_share`` of the capital loops at ``ltv`` to the limit."""
    looped_equity = independent_usd * loop_share
    s_loop, b_loop = tvl.looped_deposits(looped_equity, ltv)
    supplied = independent_usd - looped_equity + s_loop
    borrowed = b_loop
    values = [independent_usd, tvl.defillama_tvl(supplied, borrowed),
              tvl.defillama_tvl(supplied, borrowed, include_borrowed=True), supplied + borrowed]
    return pd.DataFrame({"measure": MEASURE_ORDER, "usd": values,
                         "multiplier": supplied / independent_usd})


def flow_graph_table(stake_to_lending: float, lending_to_pendle: float, pendle_to_lending: float,
                     lending_to_staking: float, independent_usd: float = INDEPENDENT_USD) -> pd.DataFrame:
    """Naive and DefiLlama-style TVL of :func:`defi_helpers.tvl.staking_loop_graph`, by protocol (long)."""
    g = tvl.staking_loop_graph(independent_usd, stake_to_lending, lending_to_pendle, pendle_to_lending,
                               lending_to_staking)
    bd = g.breakdown()
    naive = pd.DataFrame({"measure": "Naive TVL", "protocol": bd["protocol"], "usd": bd["deposits_usd"]})
    dl = pd.DataFrame({"measure": "DefiLlama-style TVL", "protocol": bd["protocol"], "usd": bd["defillama_usd"]})
    out = pd.concat([naive, dl], ignore_index=True)
    out["independent"] = g.independent_capital()
    return out


def loop_tvl_explorer() -> Explorer:
    """Explorer (a): looping inflates deposits, not DefiLlama's default figure."""
    return Explorer(
        model=loop_tvl_table,
        params=[
            Param("loop_share", "Share of capital that loops", 0.0, 1.0, 0.1, 0.5, "fraction"),
            Param("ltv", "LTV used in each loop", 0.0, 0.9, 0.05, 0.8, "fraction"),
        ],
        chart=loop_tvl_chart,
        title="One market, four TVLs",
        subtitle="Per $100 of independent capital; the looping share re-supplies what it borrows until the loop converges",
        description=("Four horizontal bars for one lending market holding $100 of independent capital: the capital "
                     "itself (green), DefiLlama's default TVL, supplied minus borrowed (blue), the supplied total "
                     "shown with the borrows toggle on (orange) and supplied plus borrowed (red). DefiLlama's "
                     "default stays at $100 whatever the sliders do; the other two grow like 1/(1 - LTV) with the "
                     "share that loops: half the capital looping at 80 % LTV shows $300 supplied and $500 in total."),
    )


def flow_graph_explorer() -> Explorer:
    """Explorer (b): a four-protocol capital-flow graph with its fractions as sliders."""
    return Explorer(
        model=flow_graph_table,
        params=[
            Param("stake_to_lending", "Staking token supplied to lending 1", 0.0, 1.0, 0.25, 0.75, "fraction"),
            Param("lending_to_pendle", "Lending 1 lends out, into Pendle", 0.0, 0.75, 0.25, 0.5, "fraction"),
            Param("pendle_to_lending", "Pendle PTs supplied to lending 2", 0.0, 1.0, 0.25, 0.75, "fraction"),
            Param("lending_to_staking", "Lending 2 lends out, staked again", 0.0, 0.75, 0.25, 0.5, "fraction"),
        ],
        chart=flow_graph_chart,
        title="The same $100 counted by four protocols",
        subtitle="$100 staked from outside; staking -> lending 1 -> Pendle -> lending 2 -> staking",
        description=("Two horizontal stacked bars of the dollars counted per $100 of outside capital: naive TVL "
                     "(every protocol's deposits) and a DefiLlama-style total (liquid staking left out, lending "
                     "markets counted net of what they lend), each split by the protocol where the dollars are "
                     "counted, with a dashed black line at the $100 of independent capital. Raising any fraction adds "
                     "counted dollars; the loop back into staking multiplies everything by 1/(1 - cycle gain). At "
                     "the defaults naive TVL is $280 and the DefiLlama-style figure about $104."),
    )
