"""Charts of the collateral & interest-rate chapter."""

from __future__ import annotations

import json

import altair as alt

from . import SEMANTIC, finish, source_of
from ..i18n import tr

__all__ = ["health_factor_chart", "pool_health_factor_chart", "rate_curve_chart", "reserve_thresholds_chart"]

HF_MAX_SHOWN = 4.0


def health_factor_chart(data):
    """Health factor against the collateral price, with HF = 1 and the liquidation price.

    ``data`` columns: ``price`` (USD), ``health_factor``, ``liquidation_price`` (USD).
    """
    base = alt.Chart(data)
    x = alt.X("price:Q", title=tr("Collateral price (USD per ETH)"), axis=alt.Axis(format="$,.0f"))
    line = base.mark_line(clip=True, color=SEMANTIC["primary"]).encode(
        x=x,
        y=alt.Y("health_factor:Q", title=tr("Health factor (ratio)"),
                scale=alt.Scale(domain=[0, HF_MAX_SHOWN])),
        tooltip=[alt.Tooltip("price:Q", title=tr("Price (USD)"), format="$,.0f"),
                 alt.Tooltip("health_factor:Q", title=tr("Health factor"), format=".3f")],
    )
    threshold = base.mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.datum(1.0))
    liq = base.mark_rule(color=SEMANTIC["danger"]).encode(x=alt.X("mean(liquidation_price):Q"))
    label = base.mark_text(align="left", dx=6, dy=-6, color=SEMANTIC["danger"]).encode(
        x=alt.X("mean(liquidation_price):Q"),
        y=alt.datum(HF_MAX_SHOWN * 0.92),
        text=alt.Text("mean(liquidation_price):Q", format="$,.0f"),
    )
    return alt.layer(line, threshold, liq, label)


def pool_health_factor_chart(data):
    """The lab page's chart: the health factor as Aave's Pool computes it, against the WETH price.

    ``data`` as for :func:`health_factor_chart` (from
    :func:`defi_helpers.lab.differential.pool_health_factor_curve`).
    """
    return finish(
        health_factor_chart(data),
        title=tr("Health factor computed by Aave's Pool"),
        subtitle=tr("Each point is a getUserAccountData call after a new WETH oracle price"),
        description=tr("Line of the health factor that Aave v3.0.2's Pool returns as the WETH oracle price "
                       "moves; a dashed line marks a health factor of 1, below which the position can be "
                       "liquidated, and a vertical line the price where the curve crosses it."),
    )


def rate_curve_chart(data):
    """Borrow and supply rates against utilisation.

    ``data`` columns: ``utilization``, ``borrow_rate``, ``supply_rate`` (fractions).
    """
    BORROW, SUPPLY = tr("Borrow rate"), tr("Supply rate")
    return (
        alt.Chart(data)
        .transform_fold(["borrow_rate", "supply_rate"], as_=["series", "rate"])
        .transform_calculate(series=f"datum.series == 'borrow_rate' ? {json.dumps(BORROW)} : {json.dumps(SUPPLY)}")
        .mark_line(clip=True)
        .encode(
            x=alt.X("utilization:Q", title=tr("Utilisation (% of supply borrowed)"), axis=alt.Axis(format="%")),
            y=alt.Y("rate:Q", title=tr("Annual rate (APR, %)"), axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1.2])),
            color=alt.Color("series:N", title=None,
                            scale=alt.Scale(domain=[BORROW, SUPPLY],
                                            range=[SEMANTIC["danger"], SEMANTIC["primary"]])),
            tooltip=[alt.Tooltip("series:N", title=tr("Series")),
                     alt.Tooltip("utilization:Q", title=tr("Utilisation"), format=".0%"),
                     alt.Tooltip("rate:Q", title=tr("Rate (APR)"), format=".2%")],
        )
    )


def reserve_thresholds_chart(reserves):
    """LTV and liquidation threshold of each reserve (a registry dataset).

    ``reserves`` columns: ``asset``, ``ltv``, ``liquidation_threshold``.
    """
    long = reserves[["asset", "ltv", "liquidation_threshold"]].melt(
        "asset", var_name="parameter", value_name="fraction")
    names = [tr("Max LTV"), tr("Liquidation threshold")]
    long["parameter"] = long["parameter"].map(dict(zip(["ltv", "liquidation_threshold"], names)))
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("asset:N", title=None, sort=list(reserves["asset"])),
        yOffset=alt.YOffset("parameter:N", sort=names),
        x=alt.X("fraction:Q", title=tr("Share of collateral value (%)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("parameter:N", title=None, sort=names),
        tooltip=[alt.Tooltip("asset:N", title=tr("Asset")), alt.Tooltip("parameter:N", title=tr("Parameter")),
                 alt.Tooltip("fraction:Q", title=tr("Value"), format=".1%")],
    ).properties(height=260)
    m = reserves.attrs.get("meta")
    return finish(
        chart,
        title=tr("Borrowing power and liquidation threshold per asset"),
        subtitle=tr("Aave v3 Ethereum, as configured on {date}").format(
            date=m.as_of if m else tr("the snapshot date")),
        description=(tr("Horizontal bars for WETH, wstETH, WBTC, USDC, USDT and DAI showing each asset's maximum "
                     "loan-to-value and its higher liquidation threshold; the gap between the two bars is the "
                     "buffer a borrower at maximum LTV has before liquidation.")),
        source=source_of(reserves),
    )
