"""Prose numbers of the closing chapter (``book/future.md``) and of the map (``book/map.md``),
asserted against ``defi_helpers`` and the bundled snapshots they quote.
"""

import math

import pandas as pd
import pytest

from defi_helpers import collateral, data, looping, pendle, risk, rwa
from prose import reading_text, says

DOC = "book/future"
MAP = "book/map"


def tex(x: float, decimals: int = 0) -> str:
    return f"{x:,.{decimals}f}".replace(",", "{,}")


def pct(x: float, decimals: int = 1) -> str:
    """``0.1566`` -> ``"15.66\\,\\%"``: a percentage as written inside $...$ maths."""
    return f"{100 * x:.{decimals}f}\\,\\%"


def _pt_category():
    em = data.load("aave_emode_categories")
    return em[em["label"].str.startswith("PT-sUSDe")].iloc[0]


def test_collateral_table_matches_the_snapshots():
    r = data.load("aave_v3_ethereum_reserves")
    weth = r[r["asset"] == "WETH"].iloc[0]
    says(DOC, f"| WETH, Aave v3 Ethereum Core | {100 * weth['ltv']:.1f} % | "
              f"{100 * weth['liquidation_threshold']:.0f} % | {100 * weth['liquidation_bonus']:.0f} % | 2023-10-31")
    says(DOC, f"| USTB, USCC, USYC, Aave Horizon | {100 * rwa.HORIZON_RWA_LTV:.0f} % | "
              f"{100 * rwa.HORIZON_RWA_LIQUIDATION_THRESHOLD:.0f} % | {100 * rwa.HORIZON_RWA_LIQUIDATION_BONUS:.0f} % |")
    pt = _pt_category()
    says(DOC, f"| PT-sUSDe (Jul 2025), Stablecoins E-Mode | {100 * pt['ltv']:.1f} % | "
              f"{100 * pt['liquidation_threshold']:.1f} % | {100 * pt['liquidation_bonus']:.1f} % | "
              f"{pt['date']:%Y-%m-%d} (resubmitted payload)")


def test_pt_listing_date_is_the_executed_payload():
    """The 2025-04-23 PT-sUSDe payload (proposal 299) was cancelled; the listing is the 2025-04-28 one."""
    pt = _pt_category()
    assert f"{pt['date']:%Y-%m-%d}" == "2025-04-28"
    assert "20250428_AaveV3Ethereum_OnboardPTSUSDeJulyOnCoreInstance" in pt["source_url"]
    for doc in (DOC, MAP):
        assert "2025-04-23" not in reading_text(doc)
    says(DOC, "PT-sUSDe E-Mode on Aave (payload of 2025-04-28)")
    says(MAP, "LTV 87.4 % and liquidation threshold 89.4 % at listing by the payload of 2025-04-28")


def test_mixed_collateral_example():
    hf = collateral.health_factor([60_000, 40_000], [0.80, 0.83], 70_000)
    says(DOC, f"= {hf:.2f} .")
    fall = 1 - (70_000 - 60_000 * 0.80) / (40_000 * 0.83)
    says(DOC, f"liquidated only when ETH falls by {100 * fall:.1f} %")
    hf_weth = collateral.health_factor(100_000, 0.83, 70_000)
    fall_weth = 1 - 70_000 / 83_000
    says(DOC, f"a higher health factor, {hf_weth:.3f}, but is liquidated after a fall of {100 * fall_weth:.1f} %")


def test_structured_yield_numbers():
    pt = _pt_category()
    x = looping.max_leverage(pt["ltv"])
    says(DOC, f"$1/(1 - {pt['ltv']:.3f}) = {x:.2f}$ times the equity, where its health factor is "
              f"${pt['liquidation_threshold']:.3f}/{pt['ltv']:.3f} = {pt['liquidation_threshold'] / pt['ltv']:.3f}$")
    says(DOC, f"{pct(pendle.pt_loop_net_apy(0.08, 0.06, 5), 0)}$ on equity")
    says(DOC, f"= {pct(looping.break_even_borrow_apy(5, 0.08), 0)}$")
    t = data.load("tokenized_treasuries").set_index("date")
    says(DOC, f"grew from about ${1000 * t.loc[pd.Timestamp('2023-01-01'), 'market_size_usd_bn']:.0f} million in "
              f"January 2023 to ${1000 * t.loc[pd.Timestamp('2023-12-31'), 'market_size_usd_bn']:.0f} million at the "
              f"end of 2023")
    p = data.load("rwa_products")
    b = p[(p["product"] == "BUIDL") & (p["date"] == pd.Timestamp("2024-12-12"))].iloc[0]
    says(DOC, f"held ${b['aum_usd_m']:.1f} million across chains on 2024-12-12")


def test_exercise_1():
    hf = collateral.health_factor([50_000, 50_000], [0.80, 0.83], 75_000)
    says(DOC, f"= 81{{,}}500/75{{,}}000 = {hf:.4f}$")
    hf40 = collateral.health_factor([50_000, 30_000], [0.80, 0.83], 75_000)
    says(DOC, f"= 64{{,}}900/75{{,}}000 = {hf40:.4f}$: liquidatable")
    d = 1 - (75_000 - 50_000 * 0.80) / (50_000 * 0.83)
    says(DOC, f"= 1 - 35{{,}}000/41{{,}}500 = {pct(d, 2)}$")
    says(DOC, f"the health factor is higher, {collateral.health_factor(100_000, 0.83, 75_000):.4f}, but the "
              f"position is liquidated after a fall of $1 - 75{{,}}000/83{{,}}000 = {pct(1 - 75 / 83, 2)}$")


def test_exercise_2():
    pt = _pt_category()
    says(DOC, f"= {pct(pendle.pt_loop_net_apy(0.09, 0.07, 6), 0)}$")
    says(DOC, f"$9\\,\\% \\times 6/5 = {pct(looping.break_even_borrow_apy(6, 0.09))}$")
    says(DOC, f"= 0.894 \\times 6/5 = {looping.looped_health_factor(6, pt['liquidation_threshold']):.4f}$")
    says(DOC, f"$1 - 1/6 = {pct(1 - 1 / 6)}$, within the category's {100 * pt['ltv']:.1f} %")
    says(DOC, f"= {pendle.linear_discount_pt_price(0.075124, 60):.5f}$")


def test_exercises_3_and_4():
    says(DOC, f"= {collateral.health_factor(100_000, 0.90, 80_000):.3f}$")
    says(DOC, f"= {collateral.health_factor(65_000, 0.90, 80_000):.3f}$: liquidatable")
    says(DOC, f"= ${80_000 / (0.90 * 100_000):.4f}$")
    bd = risk.bad_debt_usd(9_500, 10_000, 0.05)
    says(DOC, f"$9{{,}}500/1.05 = {tex(9_500 / 1.05, 2)}$ dollars of debt. The remaining ${bd:.2f} is bad debt.")


def test_exercise_6():
    em = data.load("aave_emode_categories")
    core = em[(em["market"] == "Aave v3 Ethereum Core") & (em["date"] == pd.Timestamp("2025-05-19"))].iloc[0]
    lt = core["liquidation_threshold"]
    says(DOC, f"(liquidation threshold {100 * lt:.0f} %, 2025-05-19)")
    hf = looping.looped_health_factor(10, lt)
    says(DOC, f"Health factor $0.95 \\times 10/9 = {hf:.4f}$; a fall of $1 - 9/(10 \\times 0.95) = "
              f"{pct(looping.price_drop_to_liquidation(10, lt), 2)}$")
    says(DOC, f"= {pct(looping.net_apy(10, 0.03, 0.025))}$; break-even borrow rate $3\\,\\% \\times 10/9 = "
              f"{pct(looping.break_even_borrow_apy(10, 0.03), 2)}$")
    years = looping.years_to_liquidation(hf, 0.03, 0.035)
    assert years == pytest.approx(math.log(hf) / 0.005, rel=1e-3)
    says(DOC, f"$\\ln(1.0556)/0.005 = {years:.1f}$ years")
    assert looping.net_apy(10, 0.03, 0.035) < 0   # "loses money every year"


def test_map_numbers():
    em = data.load("aave_emode_categories")
    core = em[(em["market"] == "Aave v3 Ethereum Core") & (em["emode_id"] == 1)].sort_values("date").iloc[-1]
    assert math.floor(looping.max_leverage(core["ltv"])) == 14
    says(MAP, "make it 14x for ETH against its staking tokens")
    pt = _pt_category()
    says(MAP, f"up to $1/(1-{pt['ltv']:.3f}) \\approx {looping.max_leverage(pt['ltv']):.1f}$ times the equity")
