"""Charts of the risk chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import PALETTE, SEMANTIC, finish, source_of
from ..i18n import tr

__all__ = ["liquidation_probability_chart", "cascade_chart", "gbm_paths_chart", "mc_check_chart",
           "hf_tradeoff_chart", "cascade_rounds_chart", "liquidation_events_chart", "oracle_chart",
           "stress_chart", "probability_series", "outcome_labels"]


def probability_series() -> list[str]:
    """Series of the probability charts, in legend order: first passage, then terminal
    (translated at call time; the explorer's tables write the same labels)."""
    return [tr("Touches 1 in horizon"), tr("Below 1 at horizon")]


def outcome_labels() -> dict[str, str]:
    """Reader-facing outcomes of a simulated health-factor path, by code, in legend (and colour) order."""
    return {"above": tr("Stays above HF 1"), "recovers": tr("Dips below 1, recovers"),
            "below": tr("Ends below HF 1")}


def liquidation_probability_chart(data):
    """Liquidation probability against the health factor, first-passage and terminal.

    ``data`` columns: ``health_factor``, ``probability`` (fraction), ``series``
    (one of :func:`probability_series`).
    """
    series = probability_series()
    return alt.Chart(data).mark_line(clip=True).encode(
        x=alt.X("health_factor:Q", title=tr("Health factor today (ratio)"), scale=alt.Scale(domain=[1, 3])),
        y=alt.Y("probability:Q", title=tr("Probability of liquidation (%)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=None, sort=series,
                        scale=alt.Scale(domain=series, range=[SEMANTIC["danger"], SEMANTIC["primary"]])),
        strokeDash=alt.StrokeDash("series:N", sort=series, legend=None,
                                  scale=alt.Scale(domain=series, range=[[1, 0], [6, 4]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Measure")),
                 alt.Tooltip("health_factor:Q", title=tr("Health factor"), format=".2f"),
                 alt.Tooltip("probability:Q", title=tr("Probability"), format=".2%")],
    )


def cascade_chart(data):
    """Total price fall after liquidations against the initial shock, with the no-cascade diagonal.

    ``data`` columns: ``shock`` (fraction), ``total_drop`` (fraction), ``amplification``
    (ratio), ``bad_debt_musd`` (USD million), ``liquidated_musd`` (USD million).
    """
    base = alt.Chart(data)
    x = alt.X("shock:Q", title=tr("Initial price shock (%)"), axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, 0.4]))
    tooltip = [alt.Tooltip("shock:Q", title=tr("Shock"), format=".0%"),
               alt.Tooltip("total_drop:Q", title=tr("Total fall"), format=".1%"),
               alt.Tooltip("amplification:Q", title=tr("Amplification (x)"), format=".2f"),
               alt.Tooltip("liquidated_musd:Q", title=tr("Debt repaid by liquidations (USD M)"), format=",.1f"),
               alt.Tooltip("bad_debt_musd:Q", title=tr("Bad debt (USD M)"), format=",.2f")]
    diagonal = base.mark_line(color=SEMANTIC["neutral"], strokeDash=[6, 4]).encode(
        x=x, y=alt.Y("shock:Q"))
    line = base.mark_line(point=True, color=SEMANTIC["danger"]).encode(
        x=x,
        y=alt.Y("total_drop:Q", title=tr("Price fall after the cascade (%)"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=tooltip)
    return alt.layer(diagonal, line)


def gbm_paths_chart(data):
    """Simulated health-factor paths, coloured by whether they touched HF = 1.

    ``data`` columns: ``day``, ``path`` (id), ``health_factor``, ``outcome`` (a value of
    :func:`outcome_labels`).
    """
    outcomes = list(outcome_labels().values())
    base = alt.Chart(data)
    lines = base.mark_line(strokeWidth=1.2, opacity=0.75).encode(
        x=alt.X("day:Q", title=tr("Day")),
        y=alt.Y("health_factor:Q", title=tr("Health factor (ratio)")),
        detail="path:N",
        color=alt.Color("outcome:N", title=None, sort=outcomes,
                        scale=alt.Scale(domain=outcomes, range=[SEMANTIC["primary"], SEMANTIC["secondary"],
                                                                SEMANTIC["danger"]])),
        tooltip=[alt.Tooltip("path:N", title=tr("Path")), alt.Tooltip("day:Q", title=tr("Day")),
                 alt.Tooltip("health_factor:Q", title=tr("HF"), format=".3f"),
                 alt.Tooltip("outcome:N", title=tr("Outcome"))],
    )
    one = base.mark_rule(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(y=alt.datum(1.0))
    return finish(
        alt.layer(lines, one),
        title=tr("Thirty possible months for one position"),
        subtitle=tr("HF 1.25 today, collateral volatility 80 %/yr, no drift, daily points"),
        description=(tr("Forty simulated health-factor paths over 30 days starting at 1.25, with a dashed red "
                     "line at HF = 1. Most stay above it (blue); some dip below and recover by day 30 "
                     "(orange), which the terminal probability misses; others end below 1 (red).")),
    )


def mc_check_chart(data):
    """Monte Carlo estimates (points, 95 % intervals) against the closed forms (ticks).

    ``data`` columns: ``days``, ``measure``, ``closed_form``, ``monte_carlo``, ``lo``, ``hi``.
    """
    base = alt.Chart(data)
    x = alt.X("days:O", title=tr("Horizon (days)"))
    series = probability_series()
    color = alt.Color("measure:N", title=None, sort=series,
                      scale=alt.Scale(domain=series, range=[SEMANTIC["danger"], SEMANTIC["primary"]]))
    tooltip = [alt.Tooltip("measure:N", title=tr("Measure")), alt.Tooltip("days:O", title=tr("Days")),
               alt.Tooltip("closed_form:Q", title=tr("Closed form"), format=".3%"),
               alt.Tooltip("monte_carlo:Q", title=tr("Monte Carlo"), format=".3%"),
               alt.Tooltip("lo:Q", title=tr("95 % interval, low"), format=".3%"),
               alt.Tooltip("hi:Q", title=tr("95 % interval, high"), format=".3%")]
    y = alt.Y("monte_carlo:Q", title=tr("Probability of liquidation (%)"), axis=alt.Axis(format="%"))
    points = base.mark_point(size=70).encode(x=x, xOffset="measure:N", y=y, color=color, tooltip=tooltip)
    bars = base.mark_rule(strokeWidth=2).encode(x=x, xOffset="measure:N", y="lo:Q", y2="hi:Q",
                                                color=color, tooltip=tooltip)
    ticks = base.mark_tick(thickness=2, size=22, color="#222").encode(
        x=x, xOffset="measure:N", y="closed_form:Q", tooltip=tooltip)
    return finish(
        alt.layer(bars, points, ticks),
        title=tr("The Monte Carlo lands on the formulas"),
        subtitle=tr("HF 1.25, volatility 80 %/yr; 20,000 seeded paths per horizon; black ticks: closed forms"),
        description=(tr("For horizons of 7 to 365 days, coloured points show the Monte Carlo estimates of the "
                     "terminal and first-passage liquidation probabilities with their 95 % intervals, and "
                     "black ticks the closed-form values; every tick falls inside its interval. Both "
                     "probabilities rise with the horizon, first passage always above terminal.")),
    )


def hf_tradeoff_chart(data, subtitle: str | None = None):
    """Net APY on equity and 30-day liquidation probability against the target HF.

    ``data`` columns: ``health_factor``, ``net_apy`` (fraction), ``prob_liquidation`` (fraction),
    ``leverage`` (x). ``subtitle`` states the assumptions (LT, rates, volatility).
    """
    base = alt.Chart(data)
    x = alt.X("health_factor:Q", title=tr("Health factor chosen at entry (ratio)"))
    tooltip = [alt.Tooltip("health_factor:Q", title=tr("HF"), format=".2f"),
               alt.Tooltip("leverage:Q", title=tr("Leverage (x)"), format=".2f"),
               alt.Tooltip("net_apy:Q", title=tr("Net APY on equity"), format=".2%"),
               alt.Tooltip("prob_liquidation:Q", title=tr("P(liquidated within 30 days)"), format=".2%")]
    apy = base.mark_line(color=SEMANTIC["safe"]).encode(
        x=x, y=alt.Y("net_apy:Q", title=tr("Net APY on equity (%, green)"), axis=alt.Axis(format="%")),
        tooltip=tooltip)
    prob = base.mark_line(color=SEMANTIC["danger"], strokeDash=[6, 4]).encode(
        x=x, y=alt.Y("prob_liquidation:Q", title=tr("Probability of liquidation in 30 days (%, red dashed)"),
                     axis=alt.Axis(format="%")),
        tooltip=tooltip)
    return finish(
        alt.layer(apy, prob).resolve_scale(y="independent"),
        title=tr("A bigger buffer buys safety with yield"),
        subtitle=subtitle,
        description=(tr("Two falling lines against the health factor chosen when entering a loop: the net APY "
                     "on equity (green, left axis) and the probability of being liquidated "
                     "within 30 days (red dashed, right axis). The probability collapses within the first "
                     "few tenths of buffer while the yield falls more slowly.")),
    )


def cascade_rounds_chart(rounds: pd.DataFrame):
    """Price after each round of a cascade, with the number of positions liquidated.

    ``rounds`` columns: ``round``, ``price`` (USD), ``n_liquidated``, ``debt_repaid_usd``.
    """
    base = alt.Chart(rounds)
    tooltip = [alt.Tooltip("round:O", title=tr("Round")), alt.Tooltip("price:Q", title=tr("Price (USD)"), format="$,.0f"),
               alt.Tooltip("n_liquidated:Q", title=tr("Positions liquidated")),
               alt.Tooltip("debt_repaid_usd:Q", title=tr("Debt repaid (USD)"), format="$,.0f")]
    bars = base.mark_bar(color=PALETTE[5], opacity=0.6).encode(
        x=alt.X("round:O", title=tr("Round (0 = the shock)")),
        y=alt.Y("n_liquidated:Q", title=tr("Positions liquidated in the round (count, bars)")),
        tooltip=tooltip)
    line = base.mark_line(point=True, color=SEMANTIC["danger"]).encode(
        x=alt.X("round:O"),
        y=alt.Y("price:Q", title=tr("ETH price after the round (USD, red)"), axis=alt.Axis(format="$,.0f"),
                scale=alt.Scale(zero=False)),
        tooltip=tooltip)
    return finish(
        alt.layer(bars, line).resolve_scale(y="independent"),
        title=tr("A cascade, round by round"),
        subtitle=tr("2,000 positions, $200M of debt, ETH from $2,000; liquidators sell into a $500M pool"),
        description=(tr("Bars show how many positions are liquidated in each round after an initial 20 % price "
                     "shock; a red line shows the ETH price after each round. Each round of sales pushes the "
                     "price lower and makes more positions liquidatable, until no position is left below HF 1.")),
    )


def liquidation_events_chart(events: pd.DataFrame):
    """Reported liquidation volumes of major events (dataset ``liquidation_events``).

    ``events`` columns: ``date``, ``event``, ``liquidated_usd_low``, ``liquidated_usd_high``,
    ``bad_debt_usd``, ``trigger``.
    """
    df = events.copy()
    df["label"] = df["date"].dt.strftime("%Y-%m-%d") + "  " + df["event"]
    base = alt.Chart(df)
    y = alt.Y("label:N", title=None, sort=list(df["label"]), axis=alt.Axis(labelLimit=320))
    tooltip = [alt.Tooltip("event:N", title=tr("Event")), alt.Tooltip("date:T", title=tr("Date"), format="%Y-%m-%d"),
               alt.Tooltip("liquidated_usd_low:Q", title=tr("Liquidated, low (USD)"), format="$,.0f"),
               alt.Tooltip("liquidated_usd_high:Q", title=tr("Liquidated, high (USD)"), format="$,.0f"),
               alt.Tooltip("bad_debt_usd:Q", title=tr("Bad debt (USD)"), format="$,.0f"),
               alt.Tooltip("trigger:N", title=tr("Trigger"))]
    bars = base.mark_bar(height=12, color=SEMANTIC["primary"]).encode(
        y=y, x=alt.X("liquidated_usd_low:Q", title=tr("Liquidated (USD, as reported)"),
                     axis=alt.Axis(format="$,.3~s")),
        tooltip=tooltip)
    spread = base.mark_rule(color="#222", strokeWidth=2).encode(
        y=y, x="liquidated_usd_low:Q", x2="liquidated_usd_high:Q", tooltip=tooltip)
    m = events.attrs.get("meta")
    return finish(
        alt.layer(bars, spread).properties(height=32 * len(df)),
        title=tr("The largest DeFi liquidation days"),
        subtitle=tr("Each source's own total (not comparable across rows); black line: range between "
                    "sources; up to {date}").format(date=m.as_of if m else ""),
        description=(tr("Horizontal bars of the value liquidated on six days from Black Thursday (March 2020) "
                     "to August 2024. May 19, 2021 ($377 million) and August 5, 2024 ($341 million) dominate; "
                     "the Compound DAI oracle event of November 2020 ($85-103 million) came from a price "
                     "feed, not a market crash.")),
        source=source_of(events),
    )


def oracle_chart(data: pd.DataFrame):
    """Market price against what a push oracle reports (step line).

    ``data`` columns: ``hour``, ``price`` (USD), ``reported`` (USD).
    """
    long = data[["hour", "price", "reported"]].melt("hour", var_name="series", value_name="usd")
    order = [tr("Market price"), tr("Oracle (on chain)")]
    long["series"] = long["series"].map(dict(zip(["price", "reported"], order)))
    chart = alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("hour:Q", title=tr("Time (hours)")),
        y=alt.Y("usd:Q", title=tr("ETH price (USD)"), scale=alt.Scale(zero=False), axis=alt.Axis(format="$,.0f")),
        color=alt.Color("series:N", title=None, sort=order,
                        scale=alt.Scale(range=[SEMANTIC["neutral"], SEMANTIC["primary"]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Series")), alt.Tooltip("hour:Q", title=tr("Hour"), format=".2f"),
                 alt.Tooltip("usd:Q", title=tr("Price (USD)"), format="$,.2f")],
    )
    return finish(
        chart,
        title=tr("An oracle reports in steps"),
        subtitle=tr("Simulated day of ETH minute prices (80 %/yr volatility); 0.5 % deviation threshold, 1 h heartbeat"),
        description=(tr("The market price (grey) wanders continuously over 24 hours; the oracle's on-chain price "
                     "(blue) moves in steps, only when the market has moved 0.5 % from the last report or an "
                     "hour has passed. Between steps a lender values collateral at a stale price.")),
    )


def stress_chart(data: pd.DataFrame):
    """Equity of a position after price shocks, with and without the liquidation penalty.

    ``data`` columns: ``shock`` (fraction), ``equity_before_usd`` (equity at the shocked price
    had nobody liquidated), ``equity_after_usd`` (after liquidations), ``liquidations``.
    """
    long = data[["shock", "equity_before_usd", "equity_after_usd"]].melt(
        "shock", var_name="series", value_name="usd")
    names = {"equity_before_usd": tr("Market move only"), "equity_after_usd": tr("After liquidations")}
    long["series"] = long["series"].map(names)
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("shock:Q", title=tr("Fall of the ETH price (%)"), axis=alt.Axis(format="%")),
        y=alt.Y("usd:Q", title=tr("Borrower's equity (USD)"), axis=alt.Axis(format="$,.0f")),
        color=alt.Color("series:N", title=None, sort=list(names.values()),
                        scale=alt.Scale(range=[SEMANTIC["neutral"], SEMANTIC["danger"]])),
        tooltip=[alt.Tooltip("series:N", title=tr("Series")), alt.Tooltip("shock:Q", title=tr("Shock"), format=".0%"),
                 alt.Tooltip("usd:Q", title=tr("Equity (USD)"), format="$,.0f")],
    )
    return finish(
        chart,
        title=tr("Stress test of a 3x ETH loop"),
        subtitle=tr("$10,000 of equity, 15 ETH against $20,000 of USDC debt, LT 0.83, bonus 5 %"),
        description=(tr("Two falling lines of the borrower's equity against the ETH price fall, from 0 to 50 %: "
                     "grey if only the market moved, red after the liquidations the fall triggers. They part "
                     "at the liquidation point, a 20 % fall: beyond it the liquidation bonus takes an extra "
                     "slice; from 30 % nothing is left, and beyond that the grey line goes negative - the "
                     "shortfall is bad debt left to the lenders.")),
    )
