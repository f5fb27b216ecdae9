"""Charts of the Pendle chapter.

Explorer charts (:func:`pt_yt_price_chart`, :func:`trade_impact_chart`) take
``data`` and use field names only; the dataset chart takes a registry
DataFrame and prints its source line.
"""

from __future__ import annotations

import altair as alt

from . import SEMANTIC, finish, source_of
from ..i18n import tr

__all__ = [
    "pt_yt_price_chart",
    "trade_impact_chart",
    "amm_curve_chart",
    "yt_return_chart",
    "pt_oracle_chart",
    "pendle_tvl_chart",
    "trade_series",
]

_ONE = alt.Data(values=[{"k": 0}])  # constant annotations bring their own one-row data


def trade_series() -> dict[str, str]:
    """The two series of the trade-impact explorer in the reader's language, in legend order:
    ``{"trade": ..., "pool": ...}``, the labels :func:`defi_helpers.explorers.pendle.trade_impact_table`
    writes."""
    return {"trade": tr("Rate of the trade (fee included)"), "pool": tr("Pool's implied APY after the trade")}


def pt_yt_price_chart(data):
    """PT and YT prices against days to maturity (explorer chart).

    ``data`` columns: ``days_to_maturity``, ``pt_price``, ``yt_price`` (asset units).
    """
    lines = alt.Chart().transform_fold(["pt_price", "yt_price"], as_=["token", "price"]).transform_calculate(
        token="datum.token == 'pt_price' ? 'PT' : 'YT'"
    ).mark_line(clip=True).encode(
        x=alt.X("days_to_maturity:Q", title=tr("Days to maturity"), scale=alt.Scale(reverse=True, domain=[0, 360])),
        y=alt.Y("price:Q", title=tr("Price (units of the accounting asset)"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("token:N", title=None, scale=alt.Scale(domain=["PT", "YT"],
                        range=[SEMANTIC["primary"], SEMANTIC["secondary"]])),
        tooltip=[alt.Tooltip("token:N", title=tr("Token")),
                 alt.Tooltip("days_to_maturity:Q", title=tr("Days to maturity")),
                 alt.Tooltip("price:Q", title=tr("Price (asset)"), format=".4f")],
    )
    par = alt.Chart(_ONE).mark_rule(color=SEMANTIC["neutral"], strokeDash=[6, 4]).encode(y=alt.datum(1))
    return alt.layer(lines, par, data=data)


def trade_impact_chart(data):
    """Implied APY of PT trades of increasing size (explorer chart).

    ``data`` columns: ``trade_share`` (PT bought, + , or sold, −, as a share of
    the pool's PT), ``series`` (a value of :func:`trade_series`), ``implied_apy``,
    ``spot_apy``, ``avg_price``, ``impact_bp``.
    """
    series = list(trade_series().values())
    lines = alt.Chart().mark_line(point=True, clip=True).encode(
        x=alt.X("trade_share:Q", title=tr("PT sold (−) or bought (+), share of the pool's PT"), axis=alt.Axis(format="%")),
        y=alt.Y("implied_apy:Q", title=tr("Implied APY (%)"), axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=series,
            range=[SEMANTIC["danger"], SEMANTIC["primary"]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Series")),
                 alt.Tooltip("trade_share:Q", title=tr("Trade (share of pool PT)"), format="+.0%"),
                 alt.Tooltip("implied_apy:Q", title=tr("Implied APY"), format=".3%"),
                 alt.Tooltip("avg_price:Q", title=tr("Average price per PT (asset)"), format=".5f"),
                 alt.Tooltip("impact_bp:Q", title=tr("Price impact (bp)"), format=",.1f")],
    )
    spot = alt.Chart().mark_rule(color=SEMANTIC["neutral"], strokeDash=[6, 4]).encode(y="mean(spot_apy):Q")
    return alt.layer(lines, spot, data=data)


def amm_curve_chart(data):
    """PT price against the pool's PT share, one line per time to expiry.

    ``data`` columns: ``proportion``, ``pt_price``, ``days`` (label).
    """
    chart = alt.Chart(data).mark_line(clip=True).encode(
        x=alt.X("proportion:Q", title=tr("PT share of the pool (%)"), axis=alt.Axis(format="%")),
        y=alt.Y("pt_price:Q", title=tr("PT price (units of the asset)"), scale=alt.Scale(zero=False)),
        color=alt.Color("days:N", title=tr("Days to expiry"), sort=None),
        tooltip=[alt.Tooltip("days:N", title=tr("Days to expiry")),
                 alt.Tooltip("proportion:Q", title=tr("PT share"), format=".0%"),
                 alt.Tooltip("pt_price:Q", title=tr("PT price"), format=".4f"),
                 alt.Tooltip("implied_apy:Q", title=tr("Implied APY"), format=".2%")],
    )
    return finish(
        chart,
        title=tr("The AMM curve tightens towards 1 as expiry nears"),
        subtitle=tr("Same pool and stored implied rate (10 %), scalar root 50: only the time to expiry changes"),
        description=(tr("Lines of PT price against the share of PT in the pool, one per time to expiry from 360 to "
                     "7 days. Far from expiry the price moves over a wide range as the pool's PT share changes; "
                     "close to expiry every line is squeezed towards a price of 1, so the same trade moves the "
                     "price less.")),
    )


def yt_return_chart(data):
    """Annualised YT return against the realised underlying APY, with the break-even.

    ``data`` columns: ``underlying_apy``, ``yt_return``, ``breakeven``, ``implied``.
    """
    base = alt.Chart(data)
    line = base.mark_line(color=SEMANTIC["secondary"], clip=True).encode(
        x=alt.X("underlying_apy:Q", title=tr("Underlying APY realised until maturity (%)"), axis=alt.Axis(format="%")),
        y=alt.Y("yt_return:Q", title=tr("Return on the YT bought, annualised (%)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[-1, 6])),
        tooltip=[alt.Tooltip("underlying_apy:Q", title=tr("Underlying APY"), format=".1%"),
                 alt.Tooltip("yt_return:Q", title=tr("YT return (annualised)"), format=".0%")])
    zero = alt.Chart(_ONE).mark_rule(color=SEMANTIC["neutral"]).encode(y=alt.datum(0))
    be = base.mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(x="mean(breakeven):Q")
    be_text = base.mark_text(align="left", dx=5, y=10, color=SEMANTIC["danger"]).encode(
        x="mean(breakeven):Q", text=alt.Text("mean(breakeven):Q", format=".2%"))
    return finish(
        alt.layer(line, zero, be, be_text),
        title=tr("YT: leveraged exposure to the yield"),
        subtitle=tr("YT bought at a 10 % implied APY, 90 days to maturity, 5 % fee on YT yield; red: break-even"),
        description=(tr("Line of the annualised return on a YT held to maturity against the underlying APY realised "
                     "meanwhile, from 0 to 30 %. The return is −100 % if the asset yields nothing, crosses zero at "
                     "the break-even just above the 10 % implied APY, and rises steeply beyond it: a few points of "
                     "extra yield multiply the money spent on YT.")),
    )


def pt_oracle_chart(data):
    """PT price to maturity: Pendle's market formula vs Aave's linear-discount oracle.

    ``data`` columns: ``days_to_maturity``, ``series``, ``price``.
    """
    chart = alt.Chart(data).mark_line(clip=True).encode(
        x=alt.X("days_to_maturity:Q", title=tr("Days to maturity"), scale=alt.Scale(reverse=True)),
        y=alt.Y("price:Q", title=tr("PT price (USD per PT)"), scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, sort=None, legend=alt.Legend(columns=1, labelLimit=420)),
        strokeDash=alt.StrokeDash("series:N", title=None, sort=None, legend=alt.Legend(columns=1, labelLimit=420)),
        tooltip=[alt.Tooltip("series:N", title=tr("Price")), alt.Tooltip("days_to_maturity:Q", title=tr("Days to maturity")),
                 alt.Tooltip("price:Q", title=tr("Price"), format=".5f")],
    )
    return finish(
        chart,
        title=tr("Aave prices PT-sUSDe on a straight line, not at the market"),
        subtitle=tr("PT-sUSDe-31JUL2025 on Aave from 2025-04-28: 7.5124 %/yr linear discount vs the market"),
        description=(tr("Three lines of PT price against days to maturity, from 94 days to 0. Aave's oracle falls "
                     "in a straight line from 0.98 to 1; the market price at the same 7.5 % implied yield almost "
                     "coincides with it; if the implied yield jumps to 15 %, the market price drops about 1.6 % "
                     "below the oracle, which does not move — a gap that looped positions must survive.")),
    )


def pendle_tvl_chart(df):
    """Pendle TVL milestones (rows of dataset ``pendle_markets`` with metric ``tvl``)."""
    tvl = df[df["metric"] == "tvl"]
    chart = alt.Chart(tvl).mark_line(point=alt.OverlayMarkDef(size=80), color=SEMANTIC["primary"]).encode(
        x=alt.X("date:T", title=tr("Date"), axis=alt.Axis(format=tr("%b %Y"))),
        y=alt.Y("value:Q", title=tr("Pendle TVL (USD billions)")),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("value:Q", title=tr("TVL ($bn)"), format=".2f"),
                 alt.Tooltip("source:N", title=tr("Source")), alt.Tooltip("note:N", title=tr("Note"))],
    )
    return finish(
        chart,
        title=tr("Pendle's TVL: points farming in, maturities out"),
        subtitle=tr("From $0.23B (Jan 2024) to $6.2B, then −45 % in the week restaking-token markets matured"),
        description=(tr("Line with points of Pendle's total value locked: $0.23 billion on 1 January 2024, $5.78 "
                     "billion on 22 May 2024, $6.2 billion in late June, $3.5 billion a week later after about $4 "
                     "billion of restaking-token markets matured on 27 June 2024, and about $4.5 billion in April "
                     "2025.")),
        source=source_of(df),
    )
