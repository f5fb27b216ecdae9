"""Charts of the liquid staking (LST) chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import SEMANTIC, finish, source_of
from ..i18n import tr, tr_noop

__all__ = ["rebase_balances_chart", "lst_loop_hf_chart", "steth_discount_chart",
           "BALANCE_SERIES", "ORACLE_SERIES", "JUNE_2022_LOW_RANGE", "balance_labels", "oracle_labels"]

#: Series of the balances chart, in legend order (English keys; shown as :func:`balance_labels`).
BALANCE_SERIES = [tr_noop("stETH balance (rebases)"), tr_noop("wstETH balance (fixed)"),
                  tr_noop("wstETH value in stETH")]
#: Oracle types of the loop chart, in legend order (English keys; shown as :func:`oracle_labels`).
ORACLE_SERIES = [tr_noop("Exchange-rate oracle"), tr_noop("Market-price oracle")]
#: How the dated stETH/ETH figures of ``steth_eth_2022`` were obtained (its ``kind`` column).
KIND_LABELS = {"reported_level": tr_noop("reported level"), "approximate": tr_noop("approximate"),
               "intraday_low": tr_noop("intraday low"), "weekly_extreme": tr_noop("weekly extreme")}
#: Range of the reported June 2022 lows of stETH/ETH (dataset steth_eth_2022: 0.92 to 0.94).
JUNE_2022_LOW_RANGE = (0.92, 0.94)


def balance_labels() -> list[str]:
    """The balances chart's series in the reader's language, in legend order: the one source of the
    labels that :func:`defi_helpers.explorers.lst.rebase_balances_table` writes and the chart colours."""
    return [tr(s) for s in BALANCE_SERIES]


def oracle_labels() -> list[str]:
    """The loop chart's oracle types in the reader's language, in legend order: the one source of the
    labels that :func:`defi_helpers.explorers.lst.lst_loop_table` writes and the chart colours."""
    return [tr(s) for s in ORACLE_SERIES]


def rebase_balances_chart(data):
    """stETH and wstETH balances of one holder across daily rebases.

    ``data`` columns: ``day``, ``amount`` (tokens), ``series`` (one of
    :func:`balance_labels`), ``share_rate`` (stETH per share).
    """
    series = balance_labels()
    return alt.Chart(data).mark_line().encode(
        x=alt.X("day:Q", title=tr("Days since wrapping"), scale=alt.Scale(domain=[0, 365])),
        y=alt.Y("amount:Q", title=tr("Balance (tokens)"), scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, sort=None,
                        scale=alt.Scale(domain=series,
                                        range=[SEMANTIC["primary"], SEMANTIC["secondary"], SEMANTIC["safe"]])),
        strokeDash=alt.StrokeDash("series:N", title=None, sort=None,
                                  scale=alt.Scale(domain=series, range=[[1, 0], [1, 0], [6, 4]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Series")), alt.Tooltip("day:Q", title=tr("Day")),
                 alt.Tooltip("amount:Q", title=tr("Tokens"), format=",.4f"),
                 alt.Tooltip("share_rate:Q", title=tr("stETH per wstETH"), format=".5f")],
    )


def lst_loop_hf_chart(data):
    """Health factor of an LST/ETH loop against the LST's market ratio, per oracle type.

    ``data`` columns: ``market_ratio`` (LST price in ETH over its exchange rate),
    ``health_factor``, ``oracle`` (one of :func:`oracle_labels`),
    ``liquidation_ratio`` (market ratio at which the market-priced loop hits HF = 1).
    """
    base = alt.Chart(data)
    # Annotations are drawn from the same data, aggregated to one row, so that the
    # explorer's static filter (applied to the shared data) covers every layer.
    one_row = base.transform_aggregate(n="count()")
    lo, hi = JUNE_2022_LOW_RANGE
    xs = alt.Scale(domain=[0.8, 1.0])
    ys = alt.Scale(domain=[0.6, 2.0], clamp=True)
    june = one_row.mark_rect(color=SEMANTIC["neutral"], opacity=0.15).encode(
        x=alt.X(datum=lo, scale=xs), x2=alt.datum(hi))
    june_label = one_row.mark_text(align="right", dx=-4, color=SEMANTIC["neutral"]).encode(
        x=alt.X(datum=lo, scale=xs), y=alt.Y(datum=1.9, scale=ys), text=alt.datum(tr("June 2022 lows")))
    lines = base.mark_line(point=True).encode(
        x=alt.X("market_ratio:Q", title=tr("stETH market price (ETH per stETH)"), scale=xs),
        y=alt.Y("health_factor:Q", title=tr("Health factor (ratio)"), scale=ys),
        color=alt.Color("oracle:N", title=None, sort=None,
                        scale=alt.Scale(domain=oracle_labels(), range=[SEMANTIC["safe"], SEMANTIC["danger"]])),
        tooltip=[alt.Tooltip("oracle:N", title=tr("Oracle")),
                 alt.Tooltip("market_ratio:Q", title=tr("Market price (ETH)"), format=".2f"),
                 alt.Tooltip("health_factor:Q", title=tr("Health factor"), format=".3f")],
    )
    one = one_row.mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.Y(datum=1.0, scale=ys))
    liq = base.mark_rule(color=SEMANTIC["danger"], strokeDash=[2, 3]).encode(
        x=alt.X("mean(liquidation_ratio):Q", scale=xs),
        tooltip=[alt.Tooltip("mean(liquidation_ratio):Q", title=tr("Liquidated below (market oracle)"), format=".3f")])
    return alt.layer(june, june_label, lines, one, liq)


def steth_discount_chart(series, thresholds: dict | None = None):
    """The dated stETH/ETH reports of 2022, with optional liquidation ratios as dashed lines.

    ``series`` is the registry dataset ``steth_eth_2022``; ``thresholds`` maps a
    label to a market ratio (e.g. a loop's liquidation ratio under a market oracle).
    """
    df = series.copy()
    df["kind_label"] = [tr(KIND_LABELS[k]) if k in KIND_LABELS else k.replace("_", " ") for k in df["kind"]]
    base = alt.Chart(df)
    x = alt.X("date:T", title=tr("Date (2022)"), axis=alt.Axis(format=tr("%b %d")))
    y = alt.Y("steth_eth:Q", title=tr("stETH market price (ETH per stETH)"), scale=alt.Scale(domain=[0.8, 1.01]))
    line = base.mark_line(color=SEMANTIC["primary"], opacity=0.5).encode(x=x, y=y)
    points = base.mark_point(filled=True, size=90).encode(
        x=x, y=y,
        shape=alt.Shape("kind_label:N", title=tr("Kind of figure")),
        color=alt.Color("confidence:N", title=tr("Confidence"),
                        scale=alt.Scale(domain=["A", "B", "C"],
                                        range=[SEMANTIC["safe"], SEMANTIC["primary"], SEMANTIC["secondary"]])),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("steth_eth:Q", title=tr("stETH/ETH"), format=".3f"),
                 alt.Tooltip("kind_label:N", title=tr("Kind")), alt.Tooltip("confidence:N", title=tr("Confidence")),
                 alt.Tooltip("source:N", title=tr("Source")), alt.Tooltip("note:N", title=tr("Note"))],
    )
    layers = [line, points]
    if thresholds:
        th = pd.DataFrame({"label": list(thresholds), "ratio": list(thresholds.values())})
        rules = alt.Chart(th).mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(
            y="ratio:Q", tooltip=[alt.Tooltip("label:N", title=tr("Line")), alt.Tooltip("ratio:Q", format=".3f")])
        labels = alt.Chart(th).mark_text(align="left", x=4, dy=-6, color=SEMANTIC["danger"]).encode(
            y="ratio:Q", text="label:N")
        layers += [rules, labels]
    m = series.attrs.get("meta")
    return finish(
        alt.layer(*layers),
        title=tr("stETH/ETH in 2022: the discount, as reported"),
        subtitle=tr("Dated reports ({confidence} and C confidence), not a price feed; "
                    "red dashed: market ratios that liquidate example loops").format(
                        confidence=m.confidence[0] if m else "B"),
        description=(tr("Dated points of the stETH price in ETH from May to September 2022: at par before May 7, "
                     "0.955 on May 12 after the Terra collapse, 0.97 to 0.93 in the week of the Celsius "
                     "withdrawal freeze (with an 8 % intraday extreme), back to about 0.97 in July and 0.954 in "
                     "early September. Point shape gives the kind of figure and colour its confidence; dashed red "
                     "lines mark the market ratios at which example stETH loops priced by a market oracle are "
                     "liquidated.")),
        source=source_of(series),
    )
