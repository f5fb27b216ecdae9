"""Charts of the USDe chapter.

Explorer charts (:func:`susde_apy_chart`, :func:`reserve_stress_chart`) take
``data`` and use field names only; the dataset charts take a registry
DataFrame and print its source line.
"""

from __future__ import annotations

import json

import altair as alt

from . import PALETTE, SEMANTIC, finish, source_of
from ..i18n import tr

_ONE = alt.Data(values=[{"k": 0}])  # constant annotations bring their own one-row data

__all__ = [
    "backing_value_chart",
    "susde_apy_chart",
    "vesting_chart",
    "funding_paths_chart",
    "reserve_stress_chart",
    "usde_supply_chart",
    "susde_apy_history_chart",
    "reserve_fund_chart",
    "backing_series",
]


def backing_series() -> dict[str, str]:
    """The three backings of :func:`backing_value_chart` in the reader's language, in legend order:
    ``{"unhedged": ..., "inverse": ..., "linear": ...}``, the labels
    :func:`defi_helpers.explorers.usde.backing_table` writes."""
    return {"unhedged": tr("Unhedged ETH"), "inverse": tr("ETH + short inverse perp"),
            "linear": tr("ETH + short linear perp")}


def backing_value_chart(data):
    """USD value of unhedged vs hedged collateral as the coin price moves (log x axis).

    ``data`` columns: ``price_multiple`` (price / entry price), ``series`` (a value of
    :func:`backing_series`), ``value_usd``.
    """
    series = list(backing_series().values())
    chart = alt.Chart(data).mark_line(clip=True).encode(
        x=alt.X("price_multiple:Q", title=tr("ETH price relative to the mint price (×, log scale)"),
                scale=alt.Scale(type="log", domain=[0.1, 10]), axis=alt.Axis(values=[0.1, 0.2, 0.5, 1, 2, 5, 10])),
        y=alt.Y("value_usd:Q", title=tr("Value of the backing of 1 USDe (USD)"), scale=alt.Scale(type="log"),
                axis=alt.Axis(format="$,.2f", values=[0.1, 0.2, 0.5, 1, 2, 5, 10])),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=series,
            range=[SEMANTIC["danger"], SEMANTIC["primary"], SEMANTIC["secondary"]])),
        strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(
            domain=series,
            range=[[1, 0], [1, 0], [6, 4]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Backing")),
                 alt.Tooltip("price_multiple:Q", title=tr("Price multiple"), format=".2f"),
                 alt.Tooltip("value_usd:Q", title=tr("Value (USD)"), format="$,.4f")],
    )
    return finish(
        chart,
        title=tr("A short perpetual keeps the backing at $1"),
        subtitle=tr("1 USDe minted against $1 of ETH; ETH then moves between ×0.1 and ×10"),
        description=(tr("Log-log line chart of the value of the backing of one USDe against the ETH price relative "
                     "to the mint price, from 0.1 to 10 times. Unhedged ETH rises and falls one-for-one with the "
                     "price; ETH hedged with a short inverse or linear perpetual stays flat at one dollar.")),
    )


def susde_apy_chart(data):
    """Protocol APR and sUSDe APY against the funding rate (explorer chart).

    ``data`` columns: ``funding_apr``, ``protocol_apr``, ``susde_apy`` (fractions).
    The data sits on the layer (so an explorer's slider filter reaches every
    data layer); constant annotations bring their own one-row data.
    """
    revenue, susde = tr("Protocol revenue (APR, all USDe)"), tr("sUSDe APY")
    lines = alt.Chart().transform_fold(["protocol_apr", "susde_apy"], as_=["series", "rate"]).transform_calculate(
        series=f"datum.series == 'protocol_apr' ? {json.dumps(revenue)} : {json.dumps(susde)}"
    ).mark_line(clip=True).encode(
        x=alt.X("funding_apr:Q", title=tr("Funding earned by the shorts (APR, %)"),
                axis=alt.Axis(format="%", values=[-0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3])),
        y=alt.Y("rate:Q", title=tr("Yearly rate (%)"), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[-0.1, 0.8])),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=[revenue, susde],
                                        range=[SEMANTIC["neutral"], SEMANTIC["primary"]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Series")),
                 alt.Tooltip("funding_apr:Q", title=tr("Funding APR"), format=".1%"),
                 alt.Tooltip("rate:Q", title=tr("Rate"), format=".2%")],
    )
    zero = alt.Chart(_ONE).mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.datum(0))
    band = alt.Chart(_ONE).mark_rect(opacity=0.12, color=SEMANTIC["safe"]).encode(
        x=alt.datum(0.078), x2=alt.datum(0.09))
    label = alt.Chart(_ONE).mark_text(align="left", dx=4, dy=8, color="#2f6b52").encode(
        x=alt.datum(0.09), y=alt.datum(0.78), text=alt.datum(tr("Ethena: 7.8–9 % 3-year average")))
    return alt.layer(band, lines, zero, label, data=data)


def vesting_chart(data):
    """USDe held by the sUSDe vault vs ``totalAssets`` over time.

    ``data`` columns: ``hours``, ``series``, ``usde`` (USDe).
    """
    chart = alt.Chart(data).mark_line(interpolate="linear").encode(
        x=alt.X("hours:Q", title=tr("Hours since the first reward transfer")),
        y=alt.Y("usde:Q", title=tr("Vault balance (USDe)"), scale=alt.Scale(zero=False), axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(range=[SEMANTIC["secondary"], SEMANTIC["primary"]])),
        strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=[alt.Tooltip("series:N", title=tr("Series")), alt.Tooltip("hours:Q", title=tr("Hours"), format=".1f"),
                 alt.Tooltip("usde:Q", title=tr("USDe"), format=",.0f")],
    )
    return finish(
        chart,
        title=tr("Rewards arrive in steps, the share price rises smoothly"),
        subtitle=tr("100M USDe staked; 10,000 USDe of rewards every 8 hours, each vesting linearly over 8 hours"),
        description=(tr("Two lines over 24 hours: the USDe held by the sUSDe vault jumps by 10,000 at each reward "
                     "transfer (hours 0, 8 and 16), while totalAssets, which sets the share price, rises in a "
                     "straight line because each transfer vests linearly over the following 8 hours.")),
    )


def funding_paths_chart(data):
    """A few simulated funding paths (daily averages).

    ``data`` columns: ``day``, ``path`` (label), ``funding_apr``.
    """
    lines = alt.Chart(data).mark_line(strokeWidth=1.5, opacity=0.85).encode(
        x=alt.X("day:Q", title=tr("Day")),
        y=alt.Y("funding_apr:Q", title=tr("Funding, daily average (APR, %)"), axis=alt.Axis(format="%")),
        color=alt.Color("path:N", title=None),
        tooltip=[alt.Tooltip("path:N", title=tr("Path")), alt.Tooltip("day:Q", title=tr("Day")),
                 alt.Tooltip("funding_apr:Q", title=tr("Funding APR"), format=".1%")],
    )
    zero = alt.Chart(_ONE).mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.datum(0))
    return finish(
        alt.layer(lines, zero),
        title=tr("Simulated funding: long positive stretches, short negative episodes"),
        subtitle=tr("Three seeded paths of the 'base' regime (an assumption, not data); dashed: zero"),
        description=(tr("Three lines of simulated daily-average funding over one year. Funding mostly stays between "
                     "zero and twenty per cent a year, and dips below zero in short episodes of a few days when "
                     "the model switches to its stress state.")),
    )


def reserve_stress_chart(data):
    """Fan of reserve-fund balances over a year (explorer chart).

    ``data`` columns: ``day``, ``p05``, ``median``, ``p95`` (USD millions),
    ``p_depleted`` and ``p_drawn`` (fractions, constant per run).
    """
    x = alt.X("day:Q", title=tr("Day"), scale=alt.Scale(domain=[0, 365]))
    band = alt.Chart().mark_area(opacity=0.25, color=SEMANTIC["primary"]).encode(
        x=x, y=alt.Y("p05:Q", title=tr("Reserve fund (USD millions)")), y2="p95:Q",
        tooltip=[alt.Tooltip("day:Q", title=tr("Day")), alt.Tooltip("p05:Q", title=tr("5th percentile ($M)"), format=",.1f"),
                 alt.Tooltip("median:Q", title=tr("Median ($M)"), format=",.1f"),
                 alt.Tooltip("p95:Q", title=tr("95th percentile ($M)"), format=",.1f")])
    mid = alt.Chart().mark_line(color=SEMANTIC["primary"]).encode(x=x, y="median:Q")
    zero = alt.Chart(_ONE).mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.datum(0))
    # Translated outside the f-string: pybabel (Python 3.11) does not see tr() inside one.
    depleted, drawn = json.dumps(tr("P(depleted within a year) = ")), json.dumps(tr("P(drawn at least once) = "))
    text = alt.Chart().transform_aggregate(
        pd="mean(p_depleted)", pw="mean(p_drawn)"
    ).transform_calculate(
        label=f"{depleted} + format(datum.pd, '.1%') + '   ' + {drawn} + format(datum.pw, '.0%')"
    ).mark_text(align="left", x=8, y=12, color=SEMANTIC["danger"], fontWeight=600).encode(text="label:N")
    return alt.layer(band, mid, zero, text, data=data)


def usde_supply_chart(df):
    """USDe supply milestones (dataset ``usde_supply``)."""
    base = alt.Chart(df)
    x = alt.X("date:T", title=tr("Date"), axis=alt.Axis(format=tr("%b %Y")))
    line = base.mark_line(color=SEMANTIC["neutral"], strokeDash=[3, 3], strokeWidth=1.5).encode(
        x=x, y=alt.Y("supply_usd_bn:Q", title=tr("USDe supply (USD billions)")))
    points = base.mark_point(size=80).encode(
        x=x, y="supply_usd_bn:Q",
        color=alt.Color("confidence:N", title=tr("Confidence"), scale=alt.Scale(domain=["A", "B", "C"],
                        range=[SEMANTIC["safe"], SEMANTIC["primary"], SEMANTIC["secondary"]])),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("supply_usd_bn:Q", title=tr("Supply ($bn)"), format=".2f"),
                 alt.Tooltip("staked_fraction:Q", title=tr("Staked"), format=".0%"),
                 alt.Tooltip("event:N", title=tr("Event")), alt.Tooltip("source:N", title=tr("Source")),
                 alt.Tooltip("note:N", title=tr("Note"))])
    return finish(
        alt.layer(line, points),
        title=tr("USDe supply: two booms, two contractions"),
        subtitle=tr("Milestones, not a daily series; dashed line joins them; colour = source confidence"),
        description=(tr("Dot chart of USDe supply milestones from April 2024 to March 2026: about $2–3 billion in "
                     "2024, $5–6 billion in 2025, a peak of $14.8 billion on 10 October 2025, then a fall to "
                     "about $6–9 billion after the crash of 10 October and the unwinding of leveraged loops.")),
        source=source_of(df),
    )


def susde_apy_history_chart(df):
    """sUSDe APY observations (dataset ``susde_apy``)."""
    chart = alt.Chart(df).mark_point(size=90, filled=True).encode(
        x=alt.X("date:T", title=tr("Date"), axis=alt.Axis(format=tr("%b %Y"))),
        y=alt.Y("apy:Q", title=tr("sUSDe yield (APY, %)"), axis=alt.Axis(format="%")),
        shape=alt.Shape("kind:N", title=None, legend=alt.Legend(orient="bottom", columns=3, labelLimit=240)),
        color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom", columns=3, labelLimit=240)),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("apy:Q", title=tr("APY"), format=".1%"),
                 alt.Tooltip("measure:N", title=tr("Measure")), alt.Tooltip("source:N", title=tr("Source")),
                 alt.Tooltip("note:N", title=tr("Note"))])
    return finish(
        chart,
        title=tr("sUSDe yield: from 56 % to 4 % and back, then 5 %"),
        subtitle=tr("Different measures as reported (hover for each one); compare like with like"),
        description=(tr("Scatter of reported sUSDe yields from March 2024 to November 2025: a 55.9 % daily peak in "
                     "March 2024 and 33 % weekly APYs in spring 2024, a 4.3 % low in August 2024, 24–29 % in late "
                     "2024, then 5–7 % in 2025.")),
        source=source_of(df),
    )


def reserve_fund_chart(df):
    """Reserve fund size and its ratio to the USDe supply (dataset ``ethena_reserve_fund``)."""
    base = alt.Chart(df).transform_calculate(
        ratio="datum.reserve_fund_usd_m / (datum.usde_supply_usd_bn * 1000)")
    bars = base.mark_bar(color=SEMANTIC["primary"], size=14).encode(
        x=alt.X("date:T", title=tr("Date"), axis=alt.Axis(format=tr("%b %Y"))),
        y=alt.Y("reserve_fund_usd_m:Q", title=tr("Reserve fund (USD millions)")),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")),
                 alt.Tooltip("reserve_fund_usd_m:Q", title=tr("Reserve fund ($M)"), format=",.1f"),
                 alt.Tooltip("usde_supply_usd_bn:Q", title=tr("USDe supply ($bn)"), format=",.2f"),
                 alt.Tooltip("ratio:Q", title=tr("Reserve / supply"), format=".2%"),
                 alt.Tooltip("note:N", title=tr("Note"))])
    labels = base.mark_text(dy=-8, color=PALETTE[7]).encode(
        x="date:T", y="reserve_fund_usd_m:Q", text=alt.Text("ratio:Q", format=".1%"))
    return finish(
        alt.layer(bars, labels),
        title=tr("The reserve fund grew to about $62M — around 1 % of supply"),
        subtitle=tr("Bars: balance; labels: balance as a share of the USDe supply at the same date"),
        description=(tr("Bar chart of Ethena's reserve fund from $11.8 million in early 2024 to about $62 million "
                     "from mid-2025 on; labels give it as a share of the USDe supply, between about 0.7 % and "
                     "2.7 % (highest at launch, lowest in November 2025, after the October peak in supply).")),
        source=source_of(df),
    )
