"""Charts of the collateral & interest-rate chapter."""

from __future__ import annotations

import altair as alt

from . import SEMANTIC, finish, source_of

__all__ = ["health_factor_chart", "rate_curve_chart", "reserve_thresholds_chart"]

HF_MAX_SHOWN = 4.0


def health_factor_chart(data):
    """Health factor against the collateral price, with HF = 1 and the liquidation price.

    ``data`` columns: ``price`` (USD), ``health_factor``, ``liquidation_price`` (USD).
    """
    base = alt.Chart(data)
    x = alt.X("price:Q", title="Collateral price (USD per ETH)", axis=alt.Axis(format="$,.0f"))
    line = base.mark_line(clip=True, color=SEMANTIC["primary"]).encode(
        x=x,
        y=alt.Y("health_factor:Q", title="Health factor (ratio)",
                scale=alt.Scale(domain=[0, HF_MAX_SHOWN])),
        tooltip=[alt.Tooltip("price:Q", title="Price (USD)", format="$,.0f"),
                 alt.Tooltip("health_factor:Q", title="Health factor", format=".3f")],
    )
    threshold = base.mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.datum(1.0))
    liq = base.mark_rule(color=SEMANTIC["danger"]).encode(x=alt.X("mean(liquidation_price):Q"))
    label = base.mark_text(align="left", dx=6, dy=-6, color=SEMANTIC["danger"]).encode(
        x=alt.X("mean(liquidation_price):Q"),
        y=alt.datum(HF_MAX_SHOWN * 0.92),
        text=alt.Text("mean(liquidation_price):Q", format="$,.0f"),
    )
    return alt.layer(line, threshold, liq, label)


def rate_curve_chart(data):
    """Borrow and supply rates against utilisation.

    ``data`` columns: ``utilization``, ``borrow_rate``, ``supply_rate`` (fractions).
    """
    return (
        alt.Chart(data)
        .transform_fold(["borrow_rate", "supply_rate"], as_=["series", "rate"])
        .transform_calculate(series="datum.series == 'borrow_rate' ? 'Borrow rate' : 'Supply rate'")
        .mark_line(clip=True)
        .encode(
            x=alt.X("utilization:Q", title="Utilisation (% of supply borrowed)", axis=alt.Axis(format="%")),
            y=alt.Y("rate:Q", title="Annual rate (APR, %)", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1.2])),
            color=alt.Color("series:N", title=None,
                            scale=alt.Scale(domain=["Borrow rate", "Supply rate"],
                                            range=[SEMANTIC["danger"], SEMANTIC["primary"]])),
            tooltip=[alt.Tooltip("series:N", title="Series"),
                     alt.Tooltip("utilization:Q", title="Utilisation", format=".0%"),
                     alt.Tooltip("rate:Q", title="Rate (APR)", format=".2%")],
        )
    )


def reserve_thresholds_chart(reserves):
    """LTV and liquidation threshold of each reserve (a registry dataset).

    ``reserves`` columns: ``asset``, ``ltv``, ``liquidation_threshold``.
    """
    long = reserves[["asset", "ltv", "liquidation_threshold"]].melt(
        "asset", var_name="parameter", value_name="fraction")
    long["parameter"] = long["parameter"].map({"ltv": "Max LTV", "liquidation_threshold": "Liquidation threshold"})
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("asset:N", title=None, sort=list(reserves["asset"])),
        yOffset=alt.YOffset("parameter:N", sort=["Max LTV", "Liquidation threshold"]),
        x=alt.X("fraction:Q", title="Share of collateral value (%)", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("parameter:N", title=None, sort=["Max LTV", "Liquidation threshold"]),
        tooltip=[alt.Tooltip("asset:N", title="Asset"), alt.Tooltip("parameter:N", title="Parameter"),
                 alt.Tooltip("fraction:Q", title="Value", format=".1%")],
    ).properties(height=260)
    m = reserves.attrs.get("meta")
    return finish(
        chart,
        title="Borrowing power and liquidation threshold per asset",
        subtitle=f"Aave v3 Ethereum, as configured on {m.as_of if m else 'the snapshot date'}",
        description=("Horizontal bars for WETH, wstETH, WBTC, USDC, USDT and DAI showing each asset's maximum "
                     "loan-to-value and its higher liquidation threshold; the gap between the two bars is the "
                     "buffer a borrower at maximum LTV has before liquidation."),
        source=source_of(reserves),
    )
