"""Prose numbers of chapter 2 (looping) asserted against :mod:`defi_helpers.looping` and the data.

Each test recomputes what the chapter quotes with :mod:`defi_helpers` (or reads it
from the bundled snapshot the chapter cites) and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import math

import numpy as np
import pytest

from defi_helpers import data
from defi_helpers import looping as lp
from defi_helpers import rates
from defi_helpers.explorers.looping import WSTETH_LTV_2023, loop_cost_table
from prose import chapter, reading_text, says

DOC = chapter(2)


def pct(x: float) -> str:
    """``0.874`` -> ``"87.4 %"``, ``0.93`` -> ``"93 %"``: a parameter as the chapter writes it."""
    return f"{round(100 * x, 4):g} %"


@pytest.fixture(scope="module")
def emodes():
    return data.load("aave_emode_categories")


@pytest.fixture(scope="module")
def reserves():
    return data.load("aave_v3_ethereum_reserves").set_index("asset")


@pytest.fixture(scope="module")
def staking():
    """Lido's 7-day average user APR on 2025-05-21 (dataset lido_steth_apr)."""
    return data.load("lido_steth_apr").set_index("date")["user_apr_7d_ma"].loc["2025-05-21"]


@pytest.fixture(scope="module")
def weth_borrow(reserves):
    w = reserves.loc["WETH"]
    return rates.borrow_rate(0.80, w.optimal_usage, w.base_rate, w.slope1, w.slope2)


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    i, j = text.index("Prerequisites:"), text.index("Protocol versions.")
    assert i < j < text.index("Last checked against them on 2026-11-30.")
    assert lp.AAVE_V3_FLASH_LOAN_PREMIUM == 0.0005
    says(DOC, "the default 5 bp flash-loan premium of the v3.1 deployment inputs")
    says(DOC, "reserve parameters of Aave v3 Ethereum as configured on 2023-10-31 and E-Mode categories from "
              "governance payloads of 2023-10-31 to 2025-05-19; Lido's stETH APR of 2025-05-21.")
    assert data.load("aave_emode_categories").attrs["meta"].as_of == "2025-05-19"


def test_emode_ltv_range_in_the_introduction(emodes):
    says(DOC, f"with loan-to-values of {pct(emodes['ltv'].min())} to {pct(emodes['ltv'].max())} in the dated "
              f"categories of this chapter")


def test_five_loops_at_80():
    x5 = lp.leverage_after_loops(0.8, 5)
    says(DOC, f"After five loops the $1M of equity carries ${x5:.2f}M of collateral: its exposure has been "
              f"multiplied by {x5:.2f}.")


def test_ltv_needed_in_the_limit_and_after_a_few_loops():
    says(DOC, f"{pct(round(lp.ltv_for_leverage(3), 3))} for 3x and {pct(lp.ltv_for_leverage(5))} for 5x — but only "
              f"in the limit.")
    a5, b5 = (lp.ltv_for_leverage_after_loops(x, 5) for x in (3, 5))
    a10, b10 = (lp.ltv_for_leverage_after_loops(x, 10) for x in (3, 5))
    says(DOC, f"With five loops, 3x needs an LTV of {100 * a5:.1f} % and 5x one of {100 * b5:.1f} %, an E-Mode value; "
              f"ten loops bring these down to {100 * a10:.1f} % and {100 * b10:.1f} %")
    assert lp.leverage_after_loops(a5, 5) == pytest.approx(3) and lp.leverage_after_loops(b10, 10) == pytest.approx(5)


def test_wsteth_ltv_caps_the_loop_outside_emode(reserves):
    """Erratum (issue 11): the collateral's LTV (wstETH 78.5 %) caps a wstETH/WETH loop: 4.65x, not 5.13x."""
    ws, w = reserves.loc["wstETH", "ltv"], reserves.loc["WETH", "ltv"]
    assert ws == WSTETH_LTV_2023
    says(DOC, f"in a wstETH/WETH loop that is wstETH's, {pct(ws)} on Aave v3 Ethereum on 2023-10-31, so the loop "
              f"tops out at {lp.max_leverage(ws):.2f}x (WETH's own {pct(w)} and {lp.max_leverage(w):.2f}x would apply "
              f"only to WETH collateral). The ETH-correlated E-Mode at {pct(lp.ETH_CORRELATED_EMODE_LTV)} allows "
              f"{lp.max_leverage(lp.ETH_CORRELATED_EMODE_LTV):.1f}x.")


def test_worked_example_with_dated_numbers(staking, weth_borrow):
    says(DOC, f"Lido's holders earned a 7-day average APR of {100 * staking:.2f} % on 2025-05-21")
    says(DOC, f"Take a WETH borrow rate of {100 * weth_borrow:.1f} % — what WETH's 2023-10-31 curve charged at its "
              f"80 % kink")
    net = lp.net_apy(10, staking, weth_borrow)
    be = lp.break_even_borrow_apy(10, staking)
    says(DOC, f"Ten times the exposure earns {100 * net:.2f} % instead of {100 * staking:.2f} %: with a spread of "
              f"{100 * (staking - weth_borrow):.2f} points, leverage adds little — and a borrow rate "
              f"{100 * (be - weth_borrow):.2f} points higher, at {100 * be:.2f} %, wipes out the whole return.")
    assert lp.net_apy(8, 0.09, 0.01) == pytest.approx(0.65)
    says(DOC, "$8 \\times 9\\,\\% - 7 \\times 1\\,\\% = 65\\,\\%$ on equity")


def test_apr_versus_apy(staking, weth_borrow):
    s_apy, b_apy = rates.apr_to_apy(staking, 365), rates.apr_to_apy(weth_borrow)
    gain = lp.net_apy(10, s_apy, b_apy) - lp.net_apy(10, staking, weth_borrow)
    says(DOC, f"they become {100 * s_apy:.2f} % and {100 * b_apy:.2f} %, and the APY on equity at 10x rises by "
              f"{100 * gain:.2f} points")


def test_liquidating_fall_and_not_one_over_x():
    """Erratum (issue 11): the fall that liquidates is 1 - 1/HF (5.26 % at 10x), not about 1/x (10 %)."""
    at10 = lp.price_drop_to_liquidation(10, 0.95)
    limit = lp.max_leverage(0.93)
    at_limit = lp.price_drop_to_liquidation(limit, 0.95)
    says(DOC, f"At 10x a {100 * at10:.1f} % fall of the collateral against the debt liquidates; at the {limit:.1f}x "
              f"limit, {100 * at_limit:.1f} %.")
    assert at10 == pytest.approx(1 - 1 / lp.looped_health_factor(10, 0.95))
    assert at10 == pytest.approx(1 / (10 * 0.95) - 0.05 / 0.95)
    says(DOC, "$$ 1 - \\frac{1}{\\mathrm{HF}} \\;=\\; \\frac{1}{x\\,\\mathrm{LT}} - \\frac{1-\\mathrm{LT}}{\\mathrm{LT}} . $$")
    wipe = lp.equity_wipeout_drop(10)
    says(DOC, f"It is not $1/x$: that is the fall that wipes out the equity ({100 * wipe:.0f} % at 10x")
    assert 0.45 < at10 / wipe < 0.55  # "about half of it at 10x"
    says(DOC, "at about half of it at 10x")
    zero_at = lp.leverage_for_health_factor(1.0, 0.95)
    assert lp.price_drop_to_liquidation(zero_at, 0.95) == pytest.approx(0.0, abs=1e-12)
    says(DOC, f"The distance reaches zero at $x = 1/(1-\\mathrm{{LT}})$, {zero_at:.0f}x for an LT of 95 %")
    says(DOC, f"— {100 * at10:.1f} % at 10x, {100 * at_limit:.1f} % at the E-Mode limit — well short of the $1/x$ "
              f"({100 * wipe:.0f} % at 10x) that would wipe out the equity.")
    says(DOC, f"$1 - 9/(10 \\times 0.95) = {at10:.4f}$: a {100 * at10:.2f} % fall. (A {100 * wipe:.0f} % fall would "
              f"wipe out the equity")
    says(DOC, f"a market discount of {100 * at10:.1f} % ($1 - 1/\\mathrm{{HF}}$ at 10x and LT 95 %) liquidates the owner")
    assert "about $1/x$" not in reading_text(DOC) and "roughly like $1/x$" not in reading_text(DOC)


def test_emode_categories(emodes):
    def row(label, date):
        r = emodes[(emodes["label"].str.startswith(label)) & (emodes["date"] == date)]
        assert len(r) == 1, (label, date)
        return r.iloc[0]
    eth23, eth24 = row("ETH correlated", "2023-10-31"), row("ETH correlated", "2024-01-21")
    says(DOC, f"went from {eth23.ltv * 100:g}/{eth23.liquidation_threshold * 100:g} % in 2023 to "
              f"{eth24.ltv * 100:g}/{eth24.liquidation_threshold * 100:g} % with the AIP of January 2024")
    prime = row("wstETH/WETH", "2025-04-30")
    says(DOC, f"wstETH/WETH category reached {prime.ltv * 100:g}/{prime.liquidation_threshold * 100:g} % in April 2025")
    pt = emodes[emodes["label"].str.startswith("PT-sUSDe")].iloc[0]
    assert pt["date"].strftime("%Y-%m") == "2025-04"
    says(DOC, f"allows {pt.ltv * 100:g}/{pt.liquidation_threshold * 100:g} % against USDC, USDT and USDS")
    says(DOC, f"is {lp.max_leverage(eth24.ltv):.1f}x in the ETH-correlated category, {lp.max_leverage(prime.ltv):.0f}x "
              f"on Prime and {lp.max_leverage(pt.ltv):.1f}x for PT-sUSDe.")
    says(DOC, f"up to {lp.max_leverage(pt.ltv):.1f} times")
    hi, lo = lp.leverage_for_health_factor(1.01, np.array([prime.liquidation_threshold, eth24.liquidation_threshold]))
    says(DOC, f"{hi:.2f}x at an LT of {prime.liquidation_threshold * 100:g} % against {lo:.2f}x at "
              f"{eth24.liquidation_threshold * 100:g} %")
    says(DOC, f"(LTV {pct(eth24.ltv)}, LT {pct(eth24.liquidation_threshold)}, 2024-01-21 to 2025-05-19) and PT-sUSDe "
              f"Stablecoins E-Mode (LTV {pct(pt.ltv)}, LT {pct(pt.liquidation_threshold)}, April 2025)")


def test_flash_loan_and_costs(staking, weth_borrow):
    n = lp.loops_to_reach(0.93, 10)
    t = loop_cost_table(equity=10, ltv=0.93, target_leverage=10, gas_cost_per_tx=0.003)
    tx = int(t.loc["loops by hand", "transactions"])
    says(DOC, f"Building 10x at an LTV of 93 % by hand takes {n} loops — {tx} transactions")
    assert 150_000 * 20e-9 == pytest.approx(0.003)
    says(DOC, "an illustrative 0.003 ETH of gas per transaction (150,000 gas at 20 gwei)")
    share = t.loc["loops by hand", "fees / equity"]
    extra = lp.net_apy(10, staking, weth_borrow) - staking
    assert round(100 * share) == 1 and 3 < share / extra < 4
    says(DOC, "By hand, gas eats about 1 % of the equity — more than three years of the extra yield")


def test_carry(staking):
    hf0 = 0.95 / 0.93
    says(DOC, f"$\\mathrm{{HF}}_0 = 0.95/0.93 = {hf0:.4f}$) with a carry of −2 %/yr lasts "
              f"{lp.years_to_liquidation(hf0, 0.03, 0.05):.2f} years.")
    spike = rates.borrow_rate(0.90, 0.80, 0.0, 0.028, 0.80)
    days = lp.years_to_liquidation(hf0, staking, spike) * 365
    says(DOC, f"— {100 * spike:.1f} % at 90 % utilisation on the 2023 WETH curve — the same loop has {days:.0f} days.")


def test_unwind(reserves):
    d = data.load("steth_eth_2022").set_index("date")
    assert d.loc["2022-06-11", "steth_eth"] == 0.94 and d.loc["2022-06-13", "steth_eth"] == 0.93
    out = lp.unwind_equity(collateral=100, debt=90, exit_price_ratio=0.94, flash_premium=0.0005)
    says(DOC, f"the Curve pool's low of 2022-06-11, with intraday lows near 0.93 two days later (dataset "
              f"`steth_eth_2022`) — gets back {out:.3f} ETH of its 10")


def test_takeaways_and_exercise_solutions():
    says(DOC, f"5x at 80 %, {lp.max_leverage(0.93):.1f}x at E-Mode's 93 %")
    says(DOC, f"(1 - 0.8^5)/0.2 = {lp.leverage_after_loops(0.8, 4):.4f}$")
    says(DOC, f"0.95 \\times 10 / 9 = {lp.looped_health_factor(10, 0.95):.4f}$")
    says(DOC, f"= {lp.net_apy(8, 0.030, 0.025):.3f}$, i.e. {100 * lp.net_apy(8, 0.030, 0.025):.1f} %")
    be = lp.break_even_borrow_apy(8, 0.030)
    says(DOC, f"$r_b = 0.03 \\times 8/7 = {be:.5f}$: {100 * be:.2f} %")
    p = lp.flash_loan_loop(5, 12, 0.0005)
    says(DOC, f"the debt is $55 \\times 1.0005 = {p.debt:.4f}$ ETH against {p.collateral:.0f} ETH of collateral")
    t = lp.years_to_liquidation(1.05, 0.028, 0.038)
    says(DOC, f"$t = \\ln(1.05)/(0.038 - 0.028) = {math.log(1.05):.5f}/0.01 = {t:.2f}$ years")
    says(DOC, f"$1/(1 - 0.874) = {lp.max_leverage(0.874):.2f}$x")
