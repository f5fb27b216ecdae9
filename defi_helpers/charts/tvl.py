"""Charts of the TVL and double-counting chapter."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from . import PALETTE, SEMANTIC, finish, source_of
from ..i18n import tr, tr_noop

__all__ = ["tvl_history_chart", "doublecount_switch_chart", "loop_tvl_chart", "flow_graph_chart",
           "lending_leaders_chart", "VIEW_LABELS", "MEASURE_ORDER", "view_labels", "loop_measures",
           "flow_measures", "flow_protocols"]

#: Reader-facing names of the ``view`` codes of the ``defi_tvl_history`` dataset (English keys:
#: :func:`view_labels` gives them in the reader's language).
VIEW_LABELS = {
    "default": tr_noop("DefiLlama default (no double counting)"),
    "incl_doublecount": tr_noop("DefiLlama before 2022-08-04 (double counting included)"),
    "defipulse": tr_noop("DeFi Pulse (Ethereum only)"),
    "tvl_minus_tvr": tr_noop("TVL minus TVR (Luo et al.)"),
}
#: Bar order of the loop explorer, from what came in to what is counted most generously (English
#: keys: :func:`loop_measures` gives them in the reader's language).
MEASURE_ORDER = [tr_noop("Independent capital"), tr_noop("DefiLlama default"), tr_noop("Supplied (borrows toggle on)"),
                 tr_noop("Supplied + borrowed")]
#: Protocols of :func:`defi_helpers.tvl.staking_loop_graph`, in stacking order.
_FLOW_PROTOCOLS = ("staking", "lending 1", "pendle", "lending 2")


def view_labels() -> dict[str, str]:
    """``view`` code of the ``defi_tvl_history`` dataset -> its name in the reader's language."""
    return {view: tr(label) for view, label in VIEW_LABELS.items()}


def loop_measures() -> list[str]:
    """The four measures of the loop explorer (:data:`MEASURE_ORDER`) in the reader's language,
    in bar order: the labels :func:`defi_helpers.explorers.tvl.loop_tvl_table` writes."""
    return [tr(m) for m in MEASURE_ORDER]


def flow_measures() -> dict[str, str]:
    """The two measures of the flow-graph explorer in the reader's language, in bar order:
    ``{"naive": ..., "defillama": ...}``, the labels :func:`defi_helpers.explorers.tvl.flow_graph_table`
    writes."""
    return {"naive": tr("Naive TVL"), "defillama": tr("DefiLlama-style TVL")}


def flow_protocols() -> dict[str, str]:
    """Protocol names of :func:`defi_helpers.tvl.staking_loop_graph` -> their label in the reader's
    language, in stacking order."""
    names = {"staking": tr("staking"), "lending 1": tr("lending 1"), "pendle": tr("pendle"),
             "lending 2": tr("lending 2")}
    return {p: names[p] for p in _FLOW_PROTOCOLS}


def tvl_history_chart(history: pd.DataFrame):
    """DeFi TVL over time, all chains, one colour per way of counting (registry dataset).

    ``history`` is ``data.load("defi_tvl_history")``.
    """
    df = history[(history["scope"] != "Solana") & (history["view"] != "tvl_minus_tvr")
                 & ~((history["scope"] == "Ethereum") & (history["view"] != "defipulse"))].copy()
    labels = view_labels()
    df["counting"] = df["view"].map(labels)
    order = [labels[v] for v in ("default", "incl_doublecount", "defipulse")]
    base = alt.Chart(df).encode(
        x=alt.X("date:T", title=tr("Date")),
        y=alt.Y("value_usd_bn:Q", title=tr("Total value locked (USD bn)"), scale=alt.Scale(domain=[0, 280])),
        color=alt.Color("counting:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=[PALETTE[0], PALETTE[3], PALETTE[7]]),
                        legend=alt.Legend(labelLimit=480, columns=1)),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("counting:N", title=tr("Counted as")),
                 alt.Tooltip("value_usd_bn:Q", title=tr("TVL (USD bn)"), format=",.1f"),
                 alt.Tooltip("confidence:N", title=tr("Confidence")), alt.Tooltip("note:N", title=tr("Note"))],
    )
    chart = alt.layer(base.mark_line(strokeDash=[4, 3], opacity=0.6), base.mark_point(size=80))
    m = history.attrs.get("meta")
    return finish(
        chart,
        title=tr("DeFi TVL, counted with and without double counting"),
        subtitle=tr("Curated dated points (not a continuous series), to {date}").format(
            date=m.as_of if m else tr("the snapshot date")),
        description=(tr("Points of total DeFi TVL in billions of dollars from 2020 to 2025, coloured by how they were "
                     "counted. The December 2021 peak reads about $254B with double counting (red, as DefiLlama "
                     "showed it before August 2022) but about $178B (2021-11-08) in the later default view, which "
                     "also leaves out liquid staking (blue); by late 2022 "
                     "TVL had fallen below $40B and it recovered to about $100-128B in 2025.")),
        source=source_of(history),
    )


def doublecount_switch_chart(history: pd.DataFrame):
    """The same quantity counted two ways: with and without double counting (registry dataset)."""
    pairs = [("all chains", tr("2021 peak, all chains")), ("Solana", tr("Solana, Nov 2021 peak")),
             ("Ethereum", tr("Ethereum, 2022-08-04"))]
    labels = view_labels()
    rows = []
    for scope, label in pairs:
        sub = history[(history["scope"] == scope) & history["view"].isin(["default", "incl_doublecount"])]
        if scope == "all chains":
            sub = pd.concat([sub[sub["view"] == "incl_doublecount"].nlargest(1, "value_usd_bn"),
                             sub[sub["view"] == "default"].nlargest(1, "value_usd_bn")])
        for _, r in sub.iterrows():
            rows.append({"case": label, "counting": labels[r["view"]], "value_usd_bn": r["value_usd_bn"],
                         "date": r["date"], "source": r["source_title"]})
    df = pd.DataFrame(rows)
    order = [labels["incl_doublecount"], labels["default"]]
    chart = alt.Chart(df).mark_bar().encode(
        y=alt.Y("case:N", title=None, sort=[p[1] for p in pairs]),
        yOffset=alt.YOffset("counting:N", sort=order),
        x=alt.X("value_usd_bn:Q", title=tr("Total value locked (USD bn)")),
        color=alt.Color("counting:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=[PALETTE[3], PALETTE[0]]),
                        legend=alt.Legend(labelLimit=480, columns=1)),
        tooltip=[alt.Tooltip("case:N", title=tr("Case")), alt.Tooltip("counting:N", title=tr("Counted as")),
                 alt.Tooltip("value_usd_bn:Q", title=tr("TVL (USD bn)"), format=",.2f"),
                 alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("source:N", title=tr("Source"))],
    ).properties(height=220)
    return finish(
        chart,
        title=tr("Without double counting, TVL read 20-31 % lower"),
        subtitle=(tr("DefiLlama set its double-count toggle to off by default on 2022-08-04; the all-chain pair "
                  "also differs by liquid staking and date")),
        description=(tr("Paired horizontal bars, red with double counting and blue without, for three cases: the "
                     "all-chain 2021 peak ($254B on 2021-12-02 against $178B on 2021-11-08, a gap that also "
                     "includes liquid staking, left out of today's default), Solana's November 2021 peak "
                     "($15B against $12B) "
                     "and Ethereum on the day of the switch ($58.9B against $40.7B, 31 % less).")),
        source=source_of(history),
    )


def loop_tvl_chart(data):
    """What each way of counting reports for a market where some depositors loop.

    ``data`` columns: ``measure`` (one of :func:`loop_measures`), ``usd`` (USD per
    $100 of independent capital), ``multiplier`` (supplied / independent, constant).
    """
    order = loop_measures()
    base = alt.Chart(data)
    bars = base.mark_bar().encode(
        y=alt.Y("measure:N", title=None, sort=order, axis=alt.Axis(labelLimit=240)),
        x=alt.X("usd:Q", title=tr("USD counted per $100 of independent capital"),
                scale=alt.Scale(domain=[0, 2000], clamp=True)),
        color=alt.Color("measure:N", legend=None, sort=order,
                        scale=alt.Scale(domain=order,
                                        range=[SEMANTIC["safe"], PALETTE[0], PALETTE[1], SEMANTIC["danger"]])),
        tooltip=[alt.Tooltip("measure:N", title=tr("Measure")), alt.Tooltip("usd:Q", title=tr("USD"), format=",.1f"),
                 alt.Tooltip("multiplier:Q", title=tr("Supplied / independent (x)"), format=".2f")],
    )
    labels = base.mark_text(align="left", dx=4).encode(
        y=alt.Y("measure:N", sort=order), x=alt.X("usd:Q", scale=alt.Scale(domain=[0, 2000], clamp=True)),
        text=alt.Text("usd:Q", format=",.0f"))
    return alt.layer(bars, labels).properties(height=200)


def flow_graph_chart(data):
    """Naive and DefiLlama-style TVL of the staking loop, stacked by protocol.

    ``data`` columns: ``measure`` (a value of :func:`flow_measures`),
    ``protocol`` (a value of :func:`flow_protocols`), ``usd`` (USD counted when
    $100 is staked from outside), ``independent`` (the $100 plus the lenders who
    fund the borrows; one value per slider state).
    """
    order = list(flow_protocols().values())
    measures = list(flow_measures().values())
    base = alt.Chart(data)
    bars = base.mark_bar().encode(
        y=alt.Y("measure:N", title=None, sort=measures),
        x=alt.X("sum(usd):Q", title=tr("USD counted when $100 is staked from outside"),
                scale=alt.Scale(domain=[0, 1200])),
        color=alt.Color("protocol:N", title=tr("Counted at"), sort=order,
                        scale=alt.Scale(domain=order, range=[PALETTE[1], PALETTE[0], PALETTE[4], PALETTE[5]])),
        order=alt.Order("protocol_rank:Q"),
        tooltip=[alt.Tooltip("measure:N", title=tr("Measure")), alt.Tooltip("protocol:N", title=tr("Protocol")),
                 alt.Tooltip("sum(usd):Q", title=tr("USD"), format=",.1f")],
    ).transform_calculate(
        protocol_rank=f"indexof({json.dumps(order, ensure_ascii=False)}, datum.protocol)")
    totals = base.transform_aggregate(total="sum(usd)", groupby=["measure"]).mark_text(
        align="left", dx=4).encode(
        y=alt.Y("measure:N", sort=measures), x=alt.X("total:Q"),
        text=alt.Text("total:Q", format=",.0f"))
    independent = base.mark_rule(color=PALETTE[7], strokeWidth=2, strokeDash=[6, 3]).encode(
        x=alt.X("mean(independent):Q"),
        tooltip=[alt.Tooltip("mean(independent):Q", title=tr("Independent capital (USD)"), format=",.0f")])
    label = base.mark_text(align="left", dx=4, baseline="bottom", color=PALETTE[7]).encode(
        x=alt.X("mean(independent):Q"), y=alt.value(-2), text=alt.value(tr("independent capital (stakers + lenders)")))
    return alt.layer(bars, totals, independent, label).properties(height=180)


#: The ``metric`` values of dataset ``lending_tvl_leaders`` (code filters on them: the chart, not
#: ``data.load``, shows them translated).
METRIC_NAMES = (tr_noop("tvl_default"), tr_noop("reported_tvl"), tr_noop("pt_collateral"), tr_noop("borrowed"),
                tr_noop("active_loans"), tr_noop("deposits"))


def lending_leaders_chart(leaders: pd.DataFrame):
    """Lending protocols' headline figures, coloured by what they measure (registry dataset)."""
    df = leaders.copy()
    df["label"] = df["protocol"] + " · " + df["date"].dt.strftime("%Y-%m")
    df["metric"] = [tr(m) if m in METRIC_NAMES else m for m in df["metric"]]
    chart = alt.Chart(df).mark_point(filled=True, size=90).encode(
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("value_usd_bn", order="descending")),
        x=alt.X("value_usd_bn:Q", title=tr("Reported figure (USD bn)")),
        color=alt.Color("metric:N", title=tr("What is measured")),
        shape=alt.Shape("confidence:N", title=tr("Confidence")),
        tooltip=[alt.Tooltip("protocol:N", title=tr("Protocol")), alt.Tooltip("date:T", title=tr("Date")),
                 alt.Tooltip("metric:N", title=tr("Metric")),
                 alt.Tooltip("value_usd_bn:Q", title=tr("USD bn"), format=",.2f"),
                 alt.Tooltip("confidence:N", title=tr("Confidence")), alt.Tooltip("note:N", title=tr("Note"))],
    ).properties(height=300)
    return finish(
        chart,
        title=tr("Lending protocols: which 'TVL' is that?"),
        subtitle=tr("The same protocol reads $20B, $42B or $58B depending on date and toggles"),
        description=(tr("Dots of reported figures in billions of dollars for Aave, SparkLend, Morpho and Compound "
                     "between 2025 and early 2026, coloured by what each measures: DefiLlama default TVL, a 'TVL' "
                     "with unstated toggles, deposits, loans, or Pendle PTs held as collateral. Aave's figures "
                     "range from $19.8B (default TVL, April 2025) to $58B (August 2025, borrows likely included).")),
        source=source_of(leaders),
    )
