"""Charts of the looping (recursive leverage) chapter."""

from __future__ import annotations

import altair as alt

from ..looping import ETH_CORRELATED_EMODE_LTV, max_leverage
from . import PALETTE, SEMANTIC, finish, source_of
from ..i18n import tr, tr_noop

#: Loop limit in the ETH-correlated E-Mode (LTV 93 %), marked on the APY chart.
EMODE_LIMIT = max_leverage(ETH_CORRELATED_EMODE_LTV)

__all__ = ["leverage_loops_chart", "net_apy_chart", "liquidation_distance_chart",
           "hf_drift_chart", "emode_categories_chart", "series_labels"]


#: Series of the leverage chart, in legend order (English keys; shown as :func:`series_labels`).
SERIES = [tr_noop("Chosen LTV"), tr_noop("wstETH collateral, no E-Mode (78.5 %)"),
          tr_noop("ETH-correlated E-Mode (93 %)")]

#: stETH/ETH intraday low reported for 2022-06-13 ("just above 93 cents", CoinDesk via the
#: dataset ``steth_eth_2022``): the market discount marked on the liquidation-distance chart.
STETH_ETH_LOW_2022 = 0.93


def series_labels() -> list[str]:
    """The leverage chart's series in the reader's language, in legend order: the one source of
    the labels that :func:`defi_helpers.explorers.looping.leverage_table` writes and the chart colours."""
    return [tr(s) for s in SERIES]


def leverage_loops_chart(data):
    """Leverage after each loop for a few LTVs, with the chosen LTV's limit 1/(1-LTV).

    ``data`` columns: ``loops`` (count), ``leverage`` (x), ``series`` (one of
    :func:`series_labels`), ``ltv`` (fraction), ``limit`` (the chosen LTV's 1/(1-LTV), constant).
    """
    series = series_labels()
    base = alt.Chart(data)
    lines = base.mark_line(point=True).encode(
        x=alt.X("loops:Q", title=tr("Borrow-and-redeposit loops (count)"), axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("leverage:Q", title=tr("Exposure / equity (x)"), scale=alt.Scale(domain=[0, 20])),
        color=alt.Color("series:N", title=None, sort=None, legend=alt.Legend(labelLimit=280),
                        scale=alt.Scale(domain=series,
                                        range=[SEMANTIC["primary"], SEMANTIC["safe"], SEMANTIC["secondary"]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Series")), alt.Tooltip("ltv:Q", title=tr("LTV"), format=".1%"),
                 alt.Tooltip("loops:Q", title=tr("Loops")),
                 alt.Tooltip("leverage:Q", title=tr("Leverage (x)"), format=".2f")],
    )
    limit = base.mark_rule(color=SEMANTIC["primary"], strokeDash=[6, 4]).encode(
        y=alt.Y("mean(limit):Q"),
        tooltip=[alt.Tooltip("mean(limit):Q", title=tr("Limit 1/(1 − LTV) (x)"), format=".2f")])
    label = base.mark_text(align="right", dy=-6, color=SEMANTIC["primary"]).encode(
        x=alt.X("max(loops):Q"), y=alt.Y("mean(limit):Q"),
        text=alt.Text("mean(limit):Q", format=".2f"))
    return alt.layer(lines, limit, label)


def net_apy_chart(data):
    """APY on equity against leverage, with the unlevered yield and the zero line.

    ``data`` columns: ``leverage`` (x), ``net_apy`` (fraction), ``supply_apy``
    (fraction, constant), ``break_even_borrow_apy`` (fraction, constant).
    """
    base = alt.Chart(data)
    line = base.mark_line(color=SEMANTIC["primary"], clip=True).encode(
        x=alt.X("leverage:Q", title=tr("Leverage (exposure / equity, x)")),
        y=alt.Y("net_apy:Q", title=tr("APY on equity (%)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[-0.4, 0.4])),
        tooltip=[alt.Tooltip("leverage:Q", title=tr("Leverage (x)"), format=".1f"),
                 alt.Tooltip("net_apy:Q", title=tr("APY on equity"), format=".2%"),
                 alt.Tooltip("break_even_borrow_apy:Q", title=tr("Zero-return borrow APY"), format=".2%")],
    )
    unlevered = base.mark_rule(color=SEMANTIC["neutral"], strokeDash=[6, 4]).encode(
        y=alt.Y("mean(supply_apy):Q"),
        tooltip=[alt.Tooltip("mean(supply_apy):Q", title=tr("Unlevered yield"), format=".2%")])
    zero = base.mark_rule(color=SEMANTIC["danger"]).encode(y=alt.datum(0))
    emode = base.mark_rule(color=SEMANTIC["secondary"], strokeDash=[2, 3]).encode(x=alt.datum(EMODE_LIMIT))
    emode_label = base.mark_text(align="right", dx=-4, color=SEMANTIC["secondary"]).encode(
        x=alt.datum(EMODE_LIMIT), y=alt.datum(0.35), text=alt.datum(tr("E-Mode limit {x}x").format(x=f"{EMODE_LIMIT:.1f}")))
    return alt.layer(line, unlevered, zero, emode, emode_label)


def liquidation_distance_chart(data):
    """Price drop that liquidates a same-asset loop, against leverage.

    ``data`` columns: ``leverage`` (x), ``price_drop`` (fraction; the fall of the
    collateral/debt price ratio that brings HF to 1), ``health_factor``.
    """
    base = alt.Chart(data)
    line = base.mark_line(color=SEMANTIC["danger"], clip=True).encode(
        x=alt.X("leverage:Q", title=tr("Leverage (exposure / equity, x)")),
        y=alt.Y("price_drop:Q", title=tr("Price fall that liquidates (%)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 0.6])),
        tooltip=[alt.Tooltip("leverage:Q", title=tr("Leverage (x)"), format=".2f"),
                 alt.Tooltip("health_factor:Q", title=tr("Health factor at entry"), format=".3f"),
                 alt.Tooltip("price_drop:Q", title=tr("Fall that liquidates"), format=".2%")],
    ).transform_filter("datum.price_drop >= 0")
    fall = round(1 - STETH_ETH_LOW_2022, 4)
    june = base.mark_rule(color=SEMANTIC["neutral"], strokeDash=[6, 4]).encode(y=alt.datum(fall))
    june_label = base.mark_text(align="left", dx=4, dy=-6, color=SEMANTIC["neutral"]).encode(
        x=alt.datum(11), y=alt.datum(fall),
        text=alt.datum(tr("stETH/ETH intraday low {low}, 2022-06-13 (−{fall})").format(
            low=f"{STETH_ETH_LOW_2022:.2f}", fall=f"{fall:.0%}")))
    return alt.layer(line, june, june_label)


def hf_drift_chart(data):
    """Health factor over time for carry scenarios (staking yield minus borrow rate).

    ``data`` columns: ``years``, ``health_factor``, ``scenario`` (label).
    """
    base = alt.Chart(data)
    lines = base.mark_line().encode(
        x=alt.X("years:Q", title=tr("Time (years)")),
        y=alt.Y("health_factor:Q", title=tr("Health factor (ratio)"), scale=alt.Scale(zero=False)),
        color=alt.Color("scenario:N", title=None),
        tooltip=[alt.Tooltip("scenario:N", title=tr("Scenario")), alt.Tooltip("years:Q", title=tr("Years"), format=".2f"),
                 alt.Tooltip("health_factor:Q", title=tr("Health factor"), format=".4f")],
    )
    one = base.mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.datum(1.0))
    return finish(
        alt.layer(lines, one),
        title=tr("A loop's health factor drifts with the carry"),
        subtitle=tr("E-Mode loop opened at HF = 0.95/0.93; exchange-rate pricing, no price move"),
        description=(tr("Lines of the health factor over three years for an E-Mode wstETH/WETH loop opened at "
                     "maximum LTV, one per carry scenario. When the staking yield exceeds the borrow rate the HF "
                     "rises; when it is below, the HF decays exponentially and crosses the dashed red line "
                     "HF = 1, after which the position can be liquidated without any price move.")),
    )


#: Aave v3 Ethereum's markets (instances) as the E-Mode chart names them.
MARKET_NAMES = {"Aave v3 Ethereum Core": tr_noop("Core"), "Aave v3 Ethereum Lido instance": tr_noop("Lido instance"),
                "Aave v3 Ethereum Prime (formerly Lido)": tr_noop("Prime (formerly Lido)")}


def emode_categories_chart(emodes):
    """LTV, liquidation threshold and the implied loop limit of dated E-Mode categories.

    ``emodes`` is the registry dataset ``aave_emode_categories``.
    """
    df = emodes.copy()
    df["category"] = (df["market"].map(lambda m: tr(MARKET_NAMES.get(m, m.replace("Aave v3 Ethereum ", "")))) + " · "
                      + df["label"] + " · " + df["date"].dt.strftime("%Y-%m-%d"))
    df = df[["category", "ltv", "liquidation_threshold", "liquidation_bonus"]]
    order = list(df["category"])
    long = df.melt(["category", "liquidation_bonus"], var_name="parameter", value_name="fraction")
    names = [tr("Max LTV"), tr("Liquidation threshold")]
    long["parameter"] = long["parameter"].map(dict(zip(["ltv", "liquidation_threshold"], names)))
    chart = alt.Chart(long).transform_calculate(
        loop_limit="1 / (1 - datum.fraction)"
    ).mark_bar().encode(
        y=alt.Y("category:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        yOffset=alt.YOffset("parameter:N", sort=names),
        x=alt.X("fraction:Q", title=tr("Share of collateral value (%)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0.8, 1.0], clamp=True)),
        color=alt.Color("parameter:N", title=None, sort=names,
                        scale=alt.Scale(range=[PALETTE[0], PALETTE[1]])),
        tooltip=[alt.Tooltip("category:N", title=tr("Category")), alt.Tooltip("parameter:N", title=tr("Parameter")),
                 alt.Tooltip("fraction:Q", title=tr("Value"), format=".1%"),
                 alt.Tooltip("loop_limit:Q", title=tr("1/(1 − value) (x)"), format=".1f"),
                 alt.Tooltip("liquidation_bonus:Q", title=tr("Liquidation bonus"), format=".1%")],
    ).properties(height=320)
    m = emodes.attrs.get("meta")
    return finish(
        chart,
        title=tr("E-Mode categories used for looping on Aave v3 Ethereum"),
        subtitle=tr("Dated governance payloads, {n} entries up to {date}; x axis starts at 80 %").format(
            n=df.shape[0], date=m.as_of if m else tr("the snapshot date")),
        description=(tr("Horizontal bars, two per E-Mode category and date, for the maximum LTV and the liquidation "
                     "threshold: the ETH-correlated category rose from 90/93 % (2023) to 93/95 % (2024-2025), the "
                     "Prime wstETH/WETH category reached 95/96.5 %, and the PT-sUSDe stablecoin category sits at "
                     "87.4/89.4 %. The tooltip gives the loop limit 1/(1 - LTV).")),
        source=source_of(emodes),
    )
