"""Prose numbers of chapter 7 (real-world assets) asserted against :mod:`defi_helpers.rwa`
and the bundled snapshots it quotes (``rwa_products``, ``tokenized_treasuries``, ``yield_spread``).
"""

import math

import pandas as pd
import pytest

from defi_helpers import data, rwa
from prose import chapter, reading_text, says

DOC = chapter(7)


def tex(x: float, decimals: int = 0) -> str:
    return f"{x:,.{decimals}f}".replace(",", "{,}")


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    assert text.index("Prerequisites:") < text.index("Protocol versions.")
    says(DOC, "Protocol versions. The issuers' terms as published on the dates given")
    says(DOC, "Last checked against them on 2026-11-30.")


def test_ondo_worked_example():
    d = rwa.daily_rate_from_apy(0.04)
    p = rwa.accruing_price(100.0, 0.04, 2, decimals=8)
    says(DOC, f"Ondo's documentation gives {100 * d:.8f} % and ${p:.8f}: the model reproduces both.")
    says(DOC, f"Daily rate $d = 1.04^{{1/365}} - 1 = {d:.10f}$; two days: $100\\,(1+d)^2 = ${p:.8f}$")


def test_thirty_day_apy_and_exercises():
    apy = rwa.annualized_yield_from_prices(100.0, 100.40, rwa.ONDO_APY_WINDOW_DAYS)
    apr = 0.004 * 365 / 30
    says(DOC, f"- 1 = {apy:.5f}$, i.e. {100 * apy:.2f} %. The simple annualisation "
              f"$0.004 \\times 365/30 = {100 * apr:.2f}\\,\\%$ is an APR.")
    gained = rwa.rebasing_balance(10_000, 0.0535, 90) - 10_000
    says(DOC, f"(1.0535^{{90/365}} - 1) = {gained:.2f}$ tokens")


def test_redemption_queue():
    days = rwa.days_to_exit(50e6, 10e6, 5e6, settlement_days=1)
    assert days == 8 == math.ceil((50 - 10) / 5) - 1 + 1
    says(DOC, "Eight days, though the bills never lost a cent.")
    says(DOC, f"the last settles on day {days:.0f}.")
    q = rwa.redemption_queue(50e6, 10e6, 5e6, settlement_days=1)
    assert q is not None


def test_horizon_carry():
    hf0 = rwa.HORIZON_RWA_LIQUIDATION_THRESHOLD / rwa.HORIZON_RWA_LTV
    years = rwa.years_until_liquidation(hf0, 0.04, 0.06)
    says(DOC, f"a slow bleed: {years:.1f} years from maximum LTV to liquidation")
    says(DOC, f"= 0.80/0.75 = {hf0:.4f}$; $t = \\ln {hf0:.4f} / \\ln(1.06/1.04) = "
              f"{math.log(hf0):.5f}/{math.log(1.06 / 1.04):.5f} = {years:.2f}$ years")
    ltv, lt, bonus = rwa.HORIZON_RWA_LTV, rwa.HORIZON_RWA_LIQUIDATION_THRESHOLD, rwa.HORIZON_RWA_LIQUIDATION_BONUS
    says(DOC, f"an LTV of {100 * ltv:.0f} %, a liquidation threshold of {100 * lt:.0f} % and a "
              f"{100 * bonus:.0f} % liquidation bonus")
    says(DOC, f"a {100 * (1 - ltv):.0f} % haircut")


def test_product_figures_match_the_snapshot():
    p = data.load("rwa_products")
    buidl = p[(p["product"] == "BUIDL")].set_index("date")
    b0 = buidl.loc[pd.Timestamp("2024-07-18")]
    says(DOC, f"Minimum first subscription ${b0['min_subscription_usd'] / 1e6:.0f} million, fee "
              f"{100 * b0['fee_rate']:.2f} %, yield about {100 * b0['apy']:.2f} % net on 2024-07-18")
    b1 = buidl.loc[pd.Timestamp("2024-12-12")]
    says(DOC, f"${b1['aum_usd_m']:.1f} million outstanding on 2024-12-12")
    for product, pct in (("OUSG", 2), ("USDY", 2)):
        row = p[(p["product"] == product) & (p["date"] == pd.Timestamp("2024-08-12"))].iloc[0]
        says(DOC, f"APY {100 * row['apy']:.{pct}f} %, ${row['aum_usd_m']:.0f} million on 2024-08-12")
    usdy = p[p["product"] == "USDY"].iloc[-1]
    says(DOC, f"Minimum ${usdy['min_subscription_usd']:.0f}; no management fee")
    maker = p[p["product"].str.startswith("MakerDAO")].iloc[0]
    says(DOC, f"up to {maker['aum_usd_m'] / 1e3:.2f} billion DAI laddered over 0–6-month bills")
    says(DOC, f"a {100 * maker['fee_rate']:.2f} % arranger fee")


def test_market_size_figures_match_the_snapshot():
    t = data.load("tokenized_treasuries").set_index("date")
    start, end23, jun24 = (t.loc[pd.Timestamp(d), "market_size_usd_bn"] for d in
                           ("2023-01-01", "2023-12-31", "2024-06-04"))
    last = t.iloc[-1]
    says(DOC, f"grew from about ${start:.1f} billion at the start of 2023 to ${1000 * end23:.0f} million at the end of "
              f"2023 and ${jun24:.1f} billion on 2024-06-04")
    says(DOC, f"and to ${last['market_size_usd_bn']:.2f} billion on {t.index[-1]:%Y-%m-%d}")
    assert last["confidence"] == "C"
    aug = t.loc[pd.Timestamp("2024-08-01"), "buidl_usd_bn"]
    says(DOC, f"BUIDL alone held ${aug:.2f} billion in August 2024")
    h = t.loc[pd.Timestamp("2025-03-13")]
    says(DOC, f"up 408 % in a year to ${h['market_size_usd_bn']:.0f} billion")


def test_yield_spread_ranges_match_the_snapshot():
    y = data.load("yield_spread")
    tb = y[y["category"] == "tbill_token"]["rate"]
    says(DOC, f"{100 * tb.min():.1f}–{100 * tb.max():.2f} % in mid-2024")
    s24 = y[(y["category"] == "synthetic_dollar") & (y["date"].dt.year == 2024)]["rate"]
    says(DOC, f"{100 * s24.max():.1f} % on its best day of 2024 and {100 * s24.min():.1f} % on its worst")
    aave = y[y["category"] == "lending_supply"]["rate"]
    says(DOC, f"earned {100 * aave.min():.1f}–{100 * aave.max():.1f} % APR at the monthly snapshots of 2025–26")
    says(DOC, f"Aave's USDC supply rate {100 * aave.min():.1f}–{100 * aave.max():.1f} % in 2025–26")
    assert aave.max() < tb.min()
