"""Charts of the real-world assets (tokenised Treasuries) chapter."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from . import PALETTE, SEMANTIC, finish, source_of
from ..i18n import tr

__all__ = ["tokenized_treasuries_chart", "yield_spread_chart", "token_design_chart",
           "days_to_exit_chart", "queue_timeline_chart", "collateral_drift_chart",
           "design_labels", "category_labels"]


def design_labels() -> dict[str, str]:
    """Reader-facing names of the yield designs of :func:`defi_helpers.rwa.token_design_paths`,
    by ``design`` code, in legend order (translated at call time)."""
    return {
        "accruing": tr("Value-accruing (price rises: OUSG, USDY)"),
        "rebasing": tr("Rebasing $1 (balance grows daily: rOUSG, rUSDY)"),
        "distributed": tr("$1, paid monthly in new tokens (BUIDL)"),
    }


def category_labels() -> dict[str, str]:
    """Reader-facing names of the ``category`` codes of the ``yield_spread`` dataset, in legend order."""
    return {
        "tbill_token": tr("Tokenised T-bills (APY)"),
        "synthetic_dollar": tr("sUSDe (APY)"),
        "lending_supply": tr("Aave USDC supply (APR)"),
        "lending_borrow": tr("Aave USDC borrow (APR)"),
    }


def tokenized_treasuries_chart(market: pd.DataFrame):
    """Tokenised US Treasuries outstanding over time, with BUIDL where stated (registry dataset)."""
    df = market.melt(id_vars=["date", "confidence", "note", "source_title"],
                     value_vars=["market_size_usd_bn", "buidl_usd_bn"], var_name="series",
                     value_name="usd_bn").dropna(subset=["usd_bn"])
    order = [tr("All tokenised Treasuries"), tr("of which BlackRock BUIDL")]
    df["series"] = df["series"].map(dict(zip(["market_size_usd_bn", "buidl_usd_bn"], order)))
    base = alt.Chart(df).encode(
        x=alt.X("date:T", title=tr("Date")),
        y=alt.Y("usd_bn:Q", title=tr("Outstanding (USD bn)")),
        color=alt.Color("series:N", title=None, sort=order, scale=alt.Scale(domain=order,
                                                                            range=[PALETTE[0], PALETTE[1]])),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("series:N", title=tr("Series")),
                 alt.Tooltip("usd_bn:Q", title=tr("USD bn"), format=",.2f"),
                 alt.Tooltip("confidence:N", title=tr("Confidence")), alt.Tooltip("source_title:N", title=tr("Source"))],
    )
    chart = alt.layer(base.mark_line(opacity=0.7), base.mark_point(size=70))
    m = market.attrs.get("meta")
    return finish(
        chart,
        title=tr("Tokenised US Treasuries grew from $0.1B to about $9B in three years"),
        subtitle=tr("Mostly rwa.xyz figures as reported by others, to {date}").format(
            date=m.as_of if m else tr("the snapshot date")),
        description=(tr("A rising line of tokenised US Treasury products outstanding, in billions of dollars: about "
                     "$0.1B in January 2023, $1B in March 2024 when BlackRock's BUIDL launched, $2B by August "
                     "2024, $4B in March 2025 and close to $9B by early 2026. Orange points show BUIDL alone: "
                     "$0.24B in March 2024, $0.5B in August 2024, $2.85B in October 2025.")),
        source=source_of(market),
    )


def yield_spread_chart(yields: pd.DataFrame):
    """Dated yields of T-bill tokens, sUSDe and Aave USDC on a log scale (registry dataset)."""
    df = yields.copy()
    labels = category_labels()
    df["series"] = df["category"].map(labels)
    order = list(labels.values())
    chart = alt.Chart(df).mark_point(filled=True, size=80).encode(
        x=alt.X("date:T", title=tr("Date"), axis=alt.Axis(format=tr("%b %Y"))),
        y=alt.Y("rate:Q", title=tr("Annual rate (%, log scale)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(type="log", domain=[0.015, 0.7])),
        color=alt.Color("series:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=[PALETTE[0], PALETTE[3], PALETTE[2], PALETTE[4]])),
        shape=alt.Shape("series:N", title=None, sort=order, scale=alt.Scale(domain=order)),
        tooltip=[alt.Tooltip("date:T", title=tr("Date")), alt.Tooltip("instrument:N", title=tr("Instrument")),
                 alt.Tooltip("rate:Q", title=tr("Rate"), format=".2%"), alt.Tooltip("rate_kind:N", title=tr("Kind")),
                 alt.Tooltip("confidence:N", title=tr("Confidence")), alt.Tooltip("note:N", title=tr("Note"))],
    )
    band = alt.Chart(pd.DataFrame({"lo": [0.05], "hi": [0.07]})).mark_rect(
        color=SEMANTIC["neutral"], opacity=0.12).encode(y="lo:Q", y2="hi:Q")
    band_label = alt.Chart(pd.DataFrame({"y": [0.07]})).mark_text(
        align="left", baseline="bottom", dx=4, color=SEMANTIC["neutral"]).encode(
        y="y:Q", x=alt.value(4), text=alt.value(tr("the '5-7 %' often quoted")))
    return finish(
        alt.layer(band, band_label, chart),
        title=tr("Tokenised T-bills pay the short rate; sUSDe swings; Aave USDC sits below"),
        subtitle=tr("Points at the dates the sources give; grey band: 5-7 %"),
        description=(tr("Dots of annual rates on a log scale from 2024 to 2026. Tokenised T-bills (OUSG, USDY, "
                     "BUIDL) cluster between 4.9 % and 5.4 % in 2024; sUSDe ranges from 4.3 % (August 2024) to "
                     "55.9 % (March 2024) and about 5 % in late 2025; the USDC supply rate on Aave V3 Ethereum "
                     "runs between 2.1 % and 4.2 % at the monthly snapshots of 2025-26, below its 5.3 % borrow rate. A grey band marks the "
                     "5-7 % range often quoted for 'real yield'.")),
        source=source_of(yields),
    )


def token_design_chart(data):
    """Tokens held and their value for the three yield designs.

    ``data`` columns: ``day``, ``design`` (key of :func:`design_labels`),
    ``tokens``, ``price_usd``, ``value_usd``. The grid keeps the short codes; the labels are
    put in by Vega, so translated labels add no bytes to an explorer's grid.
    """
    labels = design_labels()
    order = list(labels.values())
    expr = (f"datum.design == 'accruing' ? {json.dumps(labels['accruing'])} : datum.design == 'rebasing' ? "
            f"{json.dumps(labels['rebasing'])} : {json.dumps(labels['distributed'])}")
    panels = [tr("Tokens held"), tr("Value held (USD)")]
    return (
        alt.Chart(data)
        .transform_calculate(label=expr)
        .transform_fold(["tokens", "value_usd"], as_=["quantity", "amount"])
        .transform_calculate(panel=f"datum.quantity == 'tokens' ? {json.dumps(panels[0])} : {json.dumps(panels[1])}")
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("day:Q", title=tr("Days since investing $1,000")),
            y=alt.Y("amount:Q", title=tr("Tokens held, or value in USD"), scale=alt.Scale(zero=False)),
            color=alt.Color("label:N", title=None, sort=order,
                            scale=alt.Scale(domain=order, range=[PALETTE[0], PALETTE[1], PALETTE[2]]),
                            legend=alt.Legend(labelLimit=480, columns=1)),
            strokeDash=alt.StrokeDash("label:N", title=None, sort=order,
                                      scale=alt.Scale(domain=order, range=[[1, 0], [6, 3], [2, 2]])),
            column=alt.Column("panel:N", title=None, sort=panels),
            tooltip=[alt.Tooltip("label:N", title=tr("Design")), alt.Tooltip("day:Q", title=tr("Day")),
                     alt.Tooltip("tokens:Q", title=tr("Tokens"), format=",.2f"),
                     alt.Tooltip("price_usd:Q", title=tr("Price (USD)"), format=".5f"),
                     alt.Tooltip("value_usd:Q", title=tr("Value (USD)"), format=",.2f")],
        )
        .properties(width=270, height=260)
        .resolve_scale(y="independent")
    )


def days_to_exit_chart(data):
    """Days until the last redeemer is paid, against the share of the fund redeemed.

    ``data`` columns: ``withdrawal_share`` (fraction of AUM), ``days_to_exit``,
    ``buffer_share`` (constant).
    """
    base = alt.Chart(data)
    line = base.mark_line(interpolate="step-after", color=SEMANTIC["danger"], point=True).encode(
        x=alt.X("withdrawal_share:Q", title=tr("Redemptions requested on day 0 (% of fund)"),
                axis=alt.Axis(format="%")),
        y=alt.Y("days_to_exit:Q", title=tr("Days until the last redeemer is paid (days)"),
                scale=alt.Scale(domain=[0, 60])),
        tooltip=[alt.Tooltip("withdrawal_share:Q", title=tr("Redeemed"), format=".0%"),
                 alt.Tooltip("days_to_exit:Q", title=tr("Days to exit"), format=".0f")],
    )
    buffer_rule = base.mark_rule(color=SEMANTIC["safe"], strokeDash=[6, 4]).encode(
        x=alt.X("mean(buffer_share):Q"),
        tooltip=[alt.Tooltip("mean(buffer_share):Q", title=tr("Liquid buffer"), format=".0%")])
    label = base.mark_text(align="left", dx=4, color=SEMANTIC["safe"]).encode(
        x=alt.X("mean(buffer_share):Q"), y=alt.datum(55), text=alt.value(tr("liquid buffer")))
    return alt.layer(line, buffer_rule, label)


def queue_timeline_chart(queue: pd.DataFrame):
    """Paid and still-queued redemptions, day by day (output of ``rwa.redemption_queue``)."""
    long = queue.melt(id_vars=["day"], value_vars=["cumulative_paid_usd", "queue_usd", "in_settlement_usd"],
                      var_name="series", value_name="usd")
    names = {"cumulative_paid_usd": tr("Paid so far"), "queue_usd": tr("Waiting in the queue"),
             "in_settlement_usd": tr("Being redeemed off-chain (T+n)")}
    long["series"] = long["series"].map(names)
    order = list(names.values())
    chart = alt.Chart(long).mark_line(point=True, interpolate="step-after").encode(
        x=alt.X("day:Q", title=tr("Day of the run"), axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("usd:Q", title=tr("Amount (USD)"), axis=alt.Axis(format="$,.2s")),
        color=alt.Color("series:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=[SEMANTIC["safe"], SEMANTIC["danger"], PALETTE[1]]),
                        legend=alt.Legend(labelLimit=480)),
        tooltip=[alt.Tooltip("day:Q", title=tr("Day")), alt.Tooltip("series:N", title=tr("Series")),
                 alt.Tooltip("usd:Q", title=tr("USD"), format="$,.0f")],
    )
    return finish(
        chart,
        title=tr("A run on a tokenised fund: who waits, and for how long"),
        subtitle=tr("$50M requested on day 0 of a fund with a $10M cash buffer, $5M/day redeemable, T+1"),
        description=(tr("Step lines over nine days: the amount paid rises from $10M on day 0 by $5M a day to "
                     "$50M on day 8; the queue falls from $40M to zero; $5M is always in settlement. The last "
                     "redeemer waits eight days although the underlying T-bills never lost value.")),
    )


def collateral_drift_chart(data: pd.DataFrame):
    """Health factor of a loan against a T-bill token, over years, per rate scenario.

    ``data`` columns: ``years``, ``health_factor``, ``scenario``.
    """
    chart = alt.Chart(data).mark_line().encode(
        x=alt.X("years:Q", title=tr("Time (years)")),
        y=alt.Y("health_factor:Q", title=tr("Health factor (ratio)"), scale=alt.Scale(zero=False)),
        color=alt.Color("scenario:N", title=None),
        tooltip=[alt.Tooltip("scenario:N", title=tr("Scenario")), alt.Tooltip("years:Q", title=tr("Years"), format=".2f"),
                 alt.Tooltip("health_factor:Q", title=tr("Health factor"), format=".4f")],
    )
    one = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(
        y="y:Q")
    return finish(
        alt.layer(chart, one),
        title=tr("A T-bill token as collateral: the carry decides"),
        subtitle=tr("Aave Horizon phase-one RWA collateral borrowed to its 75 % LTV (HF 0.80/0.75); NAV grows at the yield"),
        description=(tr("Lines of the health factor over five years for a loan against a tokenised Treasury at the "
                     "75 % LTV of Aave Horizon, one per pair of collateral yield and borrow rate. When borrowing "
                     "costs more than the collateral yields, the health factor decays and crosses the dashed red "
                     "line HF = 1 after about 3.4 years at a 2-point negative carry; with a positive carry it "
                     "rises.")),
    )
