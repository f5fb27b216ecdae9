"""Charts of the flash-loan chapter."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import SEMANTIC, finish, source_of
from ..i18n import language, tr

__all__ = ["attack_profit_chart", "twap_cost_chart", "price_impact_chart", "incidents_chart", "lab_attack_chart",
           "pool_label", "incident_kinds", "lab_measures"]


def pool_label(depth_usd: float) -> str:
    """The legend name of a pool by its USDC depth: "$20M" (or "$1.5B" from a billion up).

    A reader in Taipei counts in 萬 (10^4) and 億 (10^8): the Chinese edition says
    "2,000 萬美元" and "2 億美元", so the number is scaled here and the unit is the
    template's translation.
    """
    big, small = (1e8, 1e4) if language() == "zh_TW" else (1e9, 1e6)
    if depth_usd >= big:
        return tr("${amount}B").format(amount=f"{depth_usd / big:,.2f}".rstrip("0").rstrip("."))
    amount = depth_usd / small
    return tr("${amount}M").format(amount=f"{amount:,.0f}" if amount >= 1 else f"{amount:.2g}")


def incident_kinds() -> dict[bool, str]:
    """Reader-facing kind of an incident, by its ``flash_loan`` flag, in legend order."""
    return {True: tr("Flash loan"), False: tr("No flash loan")}


def lab_measures() -> dict[str, str]:
    """Reader-facing measures of :func:`lab_attack_chart`, by column of the lab's table, in legend order."""
    return {"attacker_profit": tr("Attacker's profit"), "lender_loss": tr("Lender's loss")}


def attack_profit_chart(data):
    """Attacker profit (left axis) and the pool's price impact (right axis) against the pump.

    ``data`` columns: ``pump_usd`` (USD sold into the pool), ``profit_usd`` (USD),
    ``price_impact`` (fraction), ``borrowed_usd`` (USD).
    """
    base = alt.Chart(data)
    x = alt.X("pump_usd:Q", title=tr("Flash-loaned USDC sold into the pool (USD)"),
              axis=alt.Axis(format="$,.2s"))
    tooltip = [alt.Tooltip("pump_usd:Q", title=tr("Pump (USD)"), format="$,.0f"),
               alt.Tooltip("price_impact:Q", title=tr("Price impact"), format=".1%"),
               alt.Tooltip("borrowed_usd:Q", title=tr("Borrowed (USD)"), format="$,.0f"),
               alt.Tooltip("profit_usd:Q", title=tr("Attacker profit (USD)"), format="$,.0f")]
    profit = base.mark_line(color=SEMANTIC["danger"], clip=True).encode(
        x=x,
        y=alt.Y("profit_usd:Q", title=tr("Attacker profit (USD, red)"), axis=alt.Axis(format="$,.2s"),
                scale=alt.Scale(domain=[-2e6, 1e7])),
        tooltip=tooltip)
    zero = base.mark_rule(color=SEMANTIC["neutral"], strokeDash=[2, 3]).encode(y=alt.datum(0))
    impact = base.mark_line(color=SEMANTIC["primary"], strokeDash=[6, 4], clip=True).encode(
        x=x,
        y=alt.Y("price_impact:Q", title=tr("Price impact on the oracle pool (%, blue dashed)"),
                axis=alt.Axis(format="%")),
        tooltip=tooltip)
    return alt.layer(alt.layer(profit, zero), impact).resolve_scale(y="independent")


def twap_cost_chart(data):
    """Cost of moving a geometric TWAP against the number of blocks the attacker holds.

    ``data`` columns: ``blocks`` (count), ``cost_usd`` (USD, total over the blocks),
    ``per_block_usd`` (USD), ``spot_multiple`` (manipulated spot / honest spot).
    """
    base = alt.Chart(data)
    x = alt.X("blocks:Q", title=tr("Blocks the attacker holds the price (count, log scale)"),
              scale=alt.Scale(type="log"))
    tooltip = [alt.Tooltip("blocks:Q", title=tr("Blocks held")),
               alt.Tooltip("spot_multiple:Q", title=tr("Spot needed (x honest price)"), format=".3~g"),
               alt.Tooltip("per_block_usd:Q", title=tr("Cost per block (USD)"), format="$,.3~s"),
               alt.Tooltip("cost_usd:Q", title=tr("Total cost (USD)"), format="$,.3~s")]
    cost = base.mark_line(point=True, color=SEMANTIC["danger"], clip=True).encode(
        x=x,
        y=alt.Y("cost_usd:Q", title=tr("Upper-bound cost of the attack (USD, log scale)"),
                scale=alt.Scale(type="log", domain=[1e4, 1e20]), axis=alt.Axis(format="$,.0s")),
        tooltip=tooltip)
    multiple = base.mark_line(color=SEMANTIC["primary"], strokeDash=[6, 4], clip=True).encode(
        x=x,
        y=alt.Y("spot_multiple:Q", title=tr("Spot price needed (x honest price, blue dashed)"),
                scale=alt.Scale(type="log")),
        tooltip=tooltip)
    return alt.layer(cost, multiple).resolve_scale(y="independent")


def price_impact_chart(data):
    """Price impact of a USDC purchase in constant-product pools of several depths.

    ``data`` columns: ``trade_usd`` (USD), ``price_impact`` (fraction), ``pool`` (label).
    """
    return finish(
        alt.Chart(data).mark_line().encode(
            x=alt.X("trade_usd:Q", title=tr("USDC sold into the pool (USD)"), axis=alt.Axis(format="$,.2s")),
            y=alt.Y("price_impact:Q", title=tr("Rise of the pool's ETH price (%)"), axis=alt.Axis(format="%")),
            color=alt.Color("pool:N", title=tr("Pool depth (USDC side)"), sort=None),
            tooltip=[alt.Tooltip("pool:N", title=tr("Pool")),
                     alt.Tooltip("trade_usd:Q", title=tr("Trade (USD)"), format="$,.0f"),
                     alt.Tooltip("price_impact:Q", title=tr("Price impact"), format=".2%")],
        ),
        title=tr("The same trade moves a shallow pool far more"),
        subtitle=tr("Uniswap v2 constant product, 0.3 % fee, ETH at $2,000 before the trade"),
        description=tr("Three rising curves of the price impact (y, %) of buying ETH with up to $2 million "
                       "of USDC (x) in constant-product pools holding $2 million, $20 million and $200 million "
                       "of USDC. A trade that is a share s of the pool's USDC raises the price by exactly "
                       "(1 + s)(1 + 0.997 s) - 1, close to the square of (1 + s): about 300 % for a trade the "
                       "size of the shallow pool, about 2 % in the deep one."),
    )


def incidents_chart(incidents: pd.DataFrame):
    """Reported losses of the incidents in the ``flash_loan_incidents`` dataset.

    ``incidents`` columns: ``date``, ``protocol``, ``loss_usd_low``, ``loss_usd_high``,
    ``flash_loan`` (bool), ``mechanism``.
    """
    df = incidents.copy()
    df["label"] = df["date"].dt.strftime("%Y-%m-%d") + "  " + df["protocol"]
    kinds = incident_kinds()
    df["kind"] = df["flash_loan"].map(kinds)
    order = list(df["label"])
    base = alt.Chart(df)
    y = alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    tooltip = [alt.Tooltip("protocol:N", title=tr("Protocol")),
               alt.Tooltip("date:T", title=tr("Date"), format="%Y-%m-%d"),
               alt.Tooltip("loss_usd_low:Q", title=tr("Loss, low (USD)"), format="$,.0f"),
               alt.Tooltip("loss_usd_high:Q", title=tr("Loss, high (USD)"), format="$,.0f"),
               alt.Tooltip("mechanism:N", title=tr("Mechanism"))]
    bars = base.mark_bar(height=12).encode(
        y=y,
        x=alt.X("loss_usd_low:Q", title=tr("Reported loss (USD, log scale)"),
                scale=alt.Scale(type="log", domain=[1e5, 3e8]), axis=alt.Axis(format="$,.3~s")),
        x2=alt.datum(1e5),             # log scale: bars start at the axis minimum, not at 0
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(domain=list(kinds.values()),
                                        range=[SEMANTIC["danger"], SEMANTIC["neutral"]])),
        tooltip=tooltip)
    spread = base.mark_rule(color="#222", strokeWidth=2).encode(
        y=y, x="loss_usd_low:Q", x2="loss_usd_high:Q", tooltip=tooltip)
    m = incidents.attrs.get("meta")
    return finish(
        alt.layer(bars, spread).properties(height=28 * len(df)),
        title=tr("Major flash-loan and oracle-manipulation incidents"),
        subtitle=tr("Losses as reported; a black line spans the low-high range. Compiled up to {date}").format(
            date=m.as_of if m else tr("the snapshot date")),
        description=tr("Horizontal bars, one per incident from bZx in February 2020 to Euler in March 2023, "
                       "showing the reported loss on a logarithmic dollar axis from $100,000 to $300 million. "
                       "Most used a flash loan (red); the largest, Euler ($197 million) and Beanstalk "
                       "($182 million), dwarf the first bZx attacks (under $1 million)."),
        source=source_of(incidents),
    )


def lab_attack_chart(table: pd.DataFrame):
    """The spot-oracle attack run on real contracts: attacker's profit and lender's loss per oracle.

    ``table`` is :meth:`defi_helpers.lab.oracle_attack.OracleAttackLab.table`: one row per
    oracle (``oracle``, ``reverted``, ``attacker_profit``, ``lender_loss`` in USD at the fair
    price, and the model's ``model_attacker_profit``, ``model_lender_loss``, nan where the
    model has no counterpart). Bars are the contracts' numbers; black ticks the model's.
    """
    measures = lab_measures()
    oracles = {"spot": tr("spot oracle"), "TWAP": tr("TWAP oracle")}     # by the lab's lender names
    rows = []
    for r in table.itertuples(index=False):
        label = oracles.get(r.oracle) or tr("{oracle} oracle").format(oracle=r.oracle)
        label = tr("{oracle} (reverted)").format(oracle=label) if r.reverted else label
        for col, name in measures.items():
            rows.append({"oracle": label, "measure": name, "usd": float(getattr(r, col)),
                         "model_usd": float(getattr(r, "model_" + col))})
    df = pd.DataFrame(rows)
    y = alt.Y("oracle:N", title=None, sort=None)
    y_off = alt.YOffset("measure:N", sort=list(measures.values()))
    x = alt.X("usd:Q", title=tr("US dollars at the fair price of $1 per TKN"), axis=alt.Axis(format="$,.2s"))
    tooltip = [alt.Tooltip("oracle:N", title=tr("Lender")), alt.Tooltip("measure:N", title=tr("Measure")),
               alt.Tooltip("usd:Q", title=tr("On the contracts (USD)"), format="$,.2f"),
               alt.Tooltip("model_usd:Q", title=tr("Model (USD)"), format="$,.2f")]
    bars = alt.Chart(df).mark_bar().encode(
        y=y, yOffset=y_off, x=x, tooltip=tooltip,
        color=alt.Color("measure:N", title=None, sort=list(measures.values()),
                        scale=alt.Scale(range=[SEMANTIC["danger"], SEMANTIC["neutral"]])))
    ticks = alt.Chart(df).transform_filter("isValid(datum.model_usd)").mark_tick(
        color="#000", thickness=2, size=18).encode(y=y, yOffset=y_off, x=alt.X("model_usd:Q"), tooltip=tooltip)
    return finish(
        alt.layer(bars, ticks).properties(height=160),
        title=tr("One flash-loan transaction drains a spot-priced lender; a TWAP stops it"),
        subtitle=tr("Aave v3.0.2 flash loan, Uniswap v2 pair, the handbook's Vyper lender; "
                    "black ticks: the model spot_oracle_attack"),
        description=tr("Horizontal bars for two lenders that are the same contract over different oracles. "
                       "Against the spot-price oracle, the attacker's profit and the lender's loss are both "
                       "in the millions of dollars, and black ticks showing the closed-form model sit at the "
                       "ends of the bars. Against the time-weighted oracle the transaction reverts: both bars "
                       "are zero."),
    )
