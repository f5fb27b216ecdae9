"""Prose numbers of chapter 3 (liquid staking) asserted against :mod:`defi_helpers.lst`.

Each test recomputes what the chapter quotes and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import pytest

from defi_helpers import looping, lst
from defi_helpers.data import load
from defi_helpers.explorers.lst import tvl_layers_table
from prose import chapter, fmt_pct, reading_text, says

DOC = chapter(3)


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    i = text.index("Prerequisites:")
    j = text.index("Protocol versions.")
    assert i < j
    body = text[j:].split("Protocol versions.")[1].split("Last checked against them on 2026-11-30.")[0]
    assert "OracleReportSanityChecker.sol" in body and "v3.0.2" in body


def test_fee_worked_example():
    """822 ETH of rewards on 9,000,000 ETH in a day: 3.33 % without the fee, 90 % of it with."""
    no_fee = lst.rebase_apr(9_000_000, 7_500_000, 9_000_822, 7_500_000, 86_400)
    post_e, post_s, _ = lst.rebase_with_fee(9_000_000, 7_500_000, rewards_eth=822)
    with_fee = lst.rebase_apr(9_000_000, 7_500_000, post_e, post_s, 86_400)
    assert with_fee == pytest.approx(0.9 * no_fee)
    says(DOC, f"822 / 9,000,000 × 365 = {fmt_pct(no_fee, 2)}")
    says(DOC, f"exactly 90 % of that, {fmt_pct(with_fee, 2)}")


def test_the_derived_column_is_not_presented_as_evidence():
    """issue 11: protocol APR = user APR / 0.9 in the snapshot, so the ratio is 0.9 by construction."""
    apr = load("lido_steth_apr")
    assert (apr["user_apr_instant"] / apr["protocol_apr_instant"]).round(5).eq(0.9).all()
    text = reading_text(DOC)
    assert "seen in the data" not in text
    says(DOC, "derived from the first as user APR / 0.9")
    spike = apr.set_index(apr["date"].dt.strftime("%Y-%m-%d")).loc["2025-04-07", "user_apr_instant"]
    says(DOC, f"The one-day spike of 2025-04-07 ({fmt_pct(spike)} for one report)")


def test_oracle_limits_are_v2_v3_not_v1():
    """OracleReportSanityChecker mainnet limits (deployed-mainnet.json): 0.075 % per report, 10 % a year."""
    text = reading_text(DOC)
    assert "refuses reports implying more than 27 % APR" not in text
    says(DOC, f"i.e. {fmt_pct(lst.LIDO_MAX_POSITIVE_TOKEN_REBASE, 3)}, on mainnet from May 2023 through V3")
    says(DOC, f"the limit allows at most {fmt_pct(lst.LIDO_MAX_POSITIVE_TOKEN_REBASE * 365)} a year")
    says(DOC, f"`annualBalanceIncreaseBPLimit`, {fmt_pct(lst.LIDO_ANNUAL_CL_BALANCE_INCREASE_LIMIT, 0)} a year")
    room = 9_000_000 * lst.LIDO_MAX_POSITIVE_TOKEN_REBASE
    applied, withheld = lst.smoothen_rebase(9_000_000, 600, 10_000)
    says(DOC, f"one report may add at most {room:,.0f} ETH")
    says(DOC, f"applies {applied:,.0f} ETH of the windfall and keeps {withheld:,.0f} ETH for the next report")


def test_june_2022_liquidation_ratios():
    x = looping.max_leverage(0.73)
    says(DOC, f"LTV 73 %: {x:.2f}x) with the old LT of 75 %")
    says(DOC, f"liquidated at a ratio of {lst.market_ratio_at_liquidation(x, 0.75):.3f}")
    says(DOC, f"survived down to {lst.market_ratio_at_liquidation(x, 0.81):.3f}")
    prices = load("steth_eth_2022").set_index("date")["steth_eth"]
    low = prices.min()
    assert low > lst.market_ratio_at_liquidation(x, 0.81)          # "below every reported low"
    may12 = prices[prices.index.strftime("%Y-%m-%d") == "2022-05-12"].iloc[0]
    assert may12 < lst.market_ratio_at_liquidation(x, 0.75)        # broken on May 12
    says(DOC, f"the market broke on May 12 ({may12:.3f})")
    says(DOC, f"below every reported low ({low:.3f})")


def test_tvl_layers():
    t = tvl_layers_table(10, 3)["ETH"]
    lenders = t["lenders' ETH (WETH reserve, lent to the loop)"]
    says(DOC, f"The {lenders:.0f} ETH borrowed is not the holder's")
    says(DOC, f"Adding up the protocols' deposits gives {t['naive sum: Lido + all lending deposits']:.0f} ETH "
              f"for {t['independent capital: holder + lenders']:.0f} ETH of capital")
    says(DOC, f"still leaves {t['netted per reserve (WETH supplied − borrowed = 0)']:.0f} ETH")
    assert t["lenders' ETH (WETH reserve, lent to the loop)"] == pytest.approx(20)


def test_exercise_solutions():
    says(DOC, f"= {lst.pooled_eth_by_shares(50, 9_300_000, 7_800_000):.3f}$ stETH")
    w = lst.wrap_steth(100, 9_300_000, 7_800_000)
    says(DOC, f"= {w:.3f}$ wstETH")
    says(DOC, f"= {lst.unwrap_wsteth(w, 9_300_000 * 1.03, 7_800_000):.0f}$ stETH")
    post_e, post_s, _ = lst.rebase_with_fee(9_300_000, 7_800_000, 700)
    says(DOC, f"that is {fmt_pct(lst.rebase_apr(9_300_000, 7_800_000, post_e, post_s, 86_400), 2)}")
    says(DOC, f"Comparing total ether alone ({fmt_pct(700 / 9_300_000 * 365, 2)})")
    says(DOC, f"= {lst.reth_eth_value(10, 600_000, 540_000):.3f}$ ETH")
    says(DOC, f"= {lst.looped_lst_health_factor(3, 0.81, 0.93, oracle='market'):.3f}$")
    says(DOC, f"= {lst.looped_lst_health_factor(3, 0.81):.3f}$")
    p = lst.market_ratio_at_liquidation(3.5, 0.81)
    says(DOC, f"= {p:.4f}$ ETH per stETH: a discount of {fmt_pct(1 - p)}")
