"""Chapter 6 (TVL) says what defi_helpers computes: every computed number in its prose.

Each test rebuilds the numbers with the package (or the bundled snapshots) and checks the sentence
that quotes them with :func:`prose.says`. Worked derivations are in tests/test_tvl.py.
"""

from __future__ import annotations

import pandas as pd
import pytest
from prose import fmt_usd, says

from defi_helpers import data, tvl
from defi_helpers.explorers.tvl import flow_graph_explorer, seed_claim_table

DOC = "notebooks/06-tvl"


def _bn(x: float, decimals: int = 0) -> str:
    return f"${x:,.{decimals}f} billion"


def test_defillama_lending_example():
    """$500 supplied, $400 lent: DefiLlama default = 500 - 400 = 100 (DefiLlama-Adapters projects/helper/aave.js)."""
    says(DOC, f"A market with $500 supplied and $400 lent out shows {fmt_usd(tvl.defillama_tvl(500, 400))} of TVL")
    added = tvl.defillama_tvl(500, 400, include_borrowed=True) - tvl.defillama_tvl(500, 400)
    says(DOC, f'the "borrows" toggle adds the {fmt_usd(added)} back')


def test_history_figures_and_the_gap():
    """Dataset defi_tvl_history: 253.91 (2021-12-02, with double counting) and 178 (2021-11-08, default); gap 76."""
    df = data.load("defi_tvl_history")
    allc = df[df.scope == "all chains"]
    dc = allc[(allc.view == "incl_doublecount") & (allc.date == "2021-12-02")].iloc[0]
    default = allc[allc.view == "default"].nlargest(1, "value_usd_bn").iloc[0]
    says(DOC, f"The 2021 peak reads about {_bn(dc.value_usd_bn)} ({dc.date.date()}) as DefiLlama showed it in mid-2022")
    says(DOC, f"but about {_bn(default.value_usd_bn)} ({default.date.date()}) in the default view of later years")
    says(DOC, f"The {_bn(dc.value_usd_bn - default.value_usd_bn)} between them is not all double counting")
    says(DOC, f"The 2021 peak read about ${dc.value_usd_bn:.0f}B as DefiLlama showed it in 2022 and "
              f"${default.value_usd_bn:.0f}B in the later default view")
    sol = df[df.scope == "Solana"].set_index("view").value_usd_bn
    says(DOC, f"Solana's November 2021 peak dropped from {_bn(sol['incl_doublecount'])} to {_bn(sol['default'])}")
    eth = df[(df.scope == "Ethereum") & (df.date == "2022-08-04")].set_index("view").value_usd_bn
    says(DOC, f"from about {_bn(eth['incl_doublecount'], 1)} to {_bn(eth['default'], 1)}")
    gap = df[df.view == "tvl_minus_tvr"].iloc[0]
    says(DOC, f"TVL exceeded TVR by {_bn(gap.value_usd_bn, 2)}")
    says(DOC, f"TVL exceeded total value redeemable by ${gap.value_usd_bn:.2f}B on {gap.date.date()}")


def test_lending_leaders_figures():
    """Dataset lending_tvl_leaders: Aave 58 (reported, 2025-08-12), 41.8 (default, 2025-09-01), PTs 3.2."""
    df = data.load("lending_tvl_leaders").set_index(["protocol", "metric", "date"]).value_usd_bn
    says(DOC, f'On 2025-08-12 Aave was described as holding "over ${df["Aave", "reported_tvl", "2025-08-12"]:.0f}B in TVL"')
    says(DOC, f"showed about {_bn(df['Aave', 'tvl_default', '2025-09-01'], 1)} on 2025-09-01")
    says(DOC, f"reached about {_bn(df['Aave', 'pt_collateral', '2025-08-12'], 1)}")


def test_one_market_loop():
    """E = 100, L = 0.8: supplied 500, borrowed 400, DefiLlama 100, supplied + borrowed 900, 5 per dollar."""
    r = tvl.loop_tvl_breakdown(100, 0.8)
    says(DOC, f"The market shows {fmt_usd(r.supplied)} of deposits for {fmt_usd(r.independent_capital)} of money")
    says(DOC, f"supplied minus borrowed is exactly the {fmt_usd(r.defillama_default)} that came in")
    says(DOC, f'advertises "deposits" shows {fmt_usd(r.supplied)} ({fmt_usd(r.multiplier)} per dollar), '
              f"the borrows toggle shows the same {fmt_usd(r.defillama_with_borrows)}")
    says(DOC, f"supplied plus borrowed shows {fmt_usd(r.deposits_plus_borrows)}")


def test_multiplier_convexity_and_the_seed_algebra():
    """1/(1-0.6) - 1/(1-0.5) = 0.5; 1/(1-0.9) - 1/(1-0.8) = 5; f = 0.5-0.6 gives 2-2.5 and $5-4B behind $10B."""
    assert tvl.tvl_multiplier(0.6) - tvl.tvl_multiplier(0.5) == pytest.approx(0.5)
    says(DOC, "going from $f = 0.5$ to $0.6$ adds half a dollar of counted value per dollar")
    says(DOC, f"going from $0.8$ to $0.9$ adds {['five'][round(tvl.tvl_multiplier(0.9) - tvl.tvl_multiplier(0.8)) - 5]}")
    lo, hi = tvl.tvl_multiplier(0.5), tvl.tvl_multiplier(0.6)
    says(DOC, f"50–60 % of the counted value is recycled — a multiplier of {lo:g} to {hi:g}")
    e_lo, e_hi = tvl.independent_capital(10.0, 0.6), tvl.independent_capital(10.0, 0.5)
    says(DOC, f"may hold only ${e_lo:g}–{e_hi:g} billion of independent capital")


def test_staking_route():
    """staking_loop_graph(100, .75, .5, .75, .5): lenders 43.64 + 16.36 = 60, independent 160, naive 340,
    DefiLlama-style 163.64 (staking 116.36 left out; stETH 87.27, PTs 32.73), 280 with the toggle."""
    g = tvl.staking_loop_graph(100, 0.75, 0.5, 0.75, 0.5)
    bd = g.breakdown().set_index("reserve")
    says(DOC, f"$100 of ETH is staked, and lenders supply {fmt_usd(g.lenders().sum())} more: "
              f"{fmt_usd(bd.lenders_usd['lending 1:USDC'])} of USDC in lending market 1 and "
              f"{fmt_usd(bd.lenders_usd['lending 2:ETH'])} of ETH in lending market 2")
    says(DOC, f"Independent capital is {fmt_usd(g.independent_capital())}. "
              f"The reserves hold {fmt_usd(g.naive_tvl())} between them (naive TVL)")
    says(DOC, f"The DefiLlama-style total is {fmt_usd(g.defillama_tvl())}: it leaves out the staking node "
              f"({fmt_usd(bd.supplied_usd['staking:ETH'])}, liquid staking is off by default)")
    says(DOC, f"counts the stETH in lending market 1 ({fmt_usd(bd.defillama_usd['lending 1:stETH'])}) "
              f"and the PTs in lending market 2 ({fmt_usd(bd.defillama_usd['lending 2:PT-sUSDe'])})")
    says(DOC, f"With the liquid-staking toggle on it reads {fmt_usd(g.defillama_tvl(include_liquid_staking=True))}")


def test_flow_graph_explorer_description_matches_its_defaults():
    """The explorer's alt text quotes the model at the sliders' defaults (0.75, 0.5, 0.75, 0.5)."""
    g = tvl.staking_loop_graph(100, 0.75, 0.5, 0.75, 0.5)
    text = flow_graph_explorer().description
    assert (f"At the defaults naive TVL is {fmt_usd(g.naive_tvl())}, the DefiLlama-style figure about "
            f"{fmt_usd(g.defillama_tvl())} and independent capital {fmt_usd(g.independent_capital())}") in text


def test_pt_loop():
    """pt_loop_graph(100, .9, .85): Pendle 425.53 = 100 + 325.53 lenders; PTs 382.98; default 808.51; ratio 1.9."""
    g = tvl.pt_loop_graph(100, 0.90, 0.85)
    bd = g.breakdown().set_index("reserve")
    pendle, pts = bd.supplied_usd["pendle:sUSDe"], bd.supplied_usd["aave:PT-sUSDe"]
    lenders = g.lenders().sum()
    says(DOC, f"Pendle ends up holding {fmt_usd(pendle)} of sUSDe: the $100 from outside plus "
              f"{fmt_usd(lenders)} of lenders' USDC")
    says(DOC, f"Independent capital is therefore {fmt_usd(g.independent_capital())}, not $100")
    says(DOC, f"The default view counts {fmt_usd(g.defillama_tvl())}: Pendle's {fmt_usd(pendle)}, the "
              f"{fmt_usd(pts)} of PTs on Aave, and Aave's USDC reserve net of its loans, "
              f"{fmt_usd(bd.defillama_usd['aave:USDC'])}")
    says(DOC, f"the ratio is {g.defillama_tvl() / g.independent_capital():.1f} — one plus the share")
    says(DOC, f"the default shows {fmt_usd(g.defillama_tvl())} against {fmt_usd(g.independent_capital())} of "
              f"independent capital (the $100 of sUSDe and the lenders' {fmt_usd(lenders)})")
    says(DOC, f"the sUSDe Pendle holds, {fmt_usd(pendle)}, remains")


def test_pt_loop_ltv_is_below_the_emode():
    """aave_emode_categories, 2025-04-28, PT-sUSDe Stablecoins (Jul 2025): LTV 87.4 % > the 85 % used."""
    df = data.load("aave_emode_categories")
    row = df[df.collateral_assets.str.contains("PT-sUSDe")].iloc[0]
    assert row.ltv > 0.85
    says(DOC, f"a little below the {100 * row.ltv:.1f} % of Aave's E-Mode for PT-sUSDe July 2025, "
              f"set on {pd.Timestamp(row.date).date()}")


def test_seed_claim_table():
    """What $10B counted holds, per mechanism (seed_claim_table): 10, 10, 5.3, 5.7, 4.7, 5, 4."""
    t = seed_claim_table().set_index("mechanism").independent_behind_10bn
    assert t.iloc[0] == pytest.approx(10.0) and t.iloc[1] == pytest.approx(10.0)
    says(DOC, f"under DefiLlama's default: $10 billion counted is {_bn(t.iloc[0])} of independent capital")
    says(DOC, f"are independent capital — {_bn(t.iloc[1])} again")
    says(DOC, f"the PT loop shows $10 billion holding {_bn(t.iloc[2], 1)}")
    says(DOC, f"the staking route holds {_bn(t.iloc[3], 1)} per $10 billion")
    says(DOC, f"Adding up every protocol's deposits: {_bn(t.iloc[4], 1)}")
    says(DOC, f"a loop at LTV 50–60 % turns ${t.iloc[6]:.0f}–{t.iloc[5]:.0f} billion into $10 billion")


def test_exercise_solutions():
    """Solutions quote 500, 100, 4.5 and 2.22, 119.05 / 3.08 / 366.67 and 300 without lenders, 155."""
    s, b = tvl.looped_deposits(100, 0.8)
    says(DOC, f"$\\text{{supplied}} = E/(1-L) = 100/0.2 = {fmt_usd(s)}$")
    says(DOC, f"Supplied minus borrowed: $500 - 400 = {fmt_usd(tvl.defillama_tvl(s, b))}$")
    says(DOC, f"= 10 \\times 0.45 = {tvl.independent_capital(10.0, 0.55):g}$ billion; the multiplier is "
              f"$1/0.45 = {tvl.tvl_multiplier(0.55):.2f}$")
    g = tvl.staking_loop_graph(100, 0.8, 0.5, 0.8, 0.5)
    xs = g.supplied()[0]
    says(DOC, f"the staking reserve holds $100/(1-0.16) = {xs:.2f}$")
    says(DOC, f"= {xs:.2f} \\times {g.naive_tvl() / xs:.2f} = {fmt_usd(g.naive_tvl(), 2)}$. "
              f"Leaving the lenders out gives ${g.naive_tvl() - g.lenders().sum():.0f}$")
    chain = {"Ethereum": 100, "Ethereum-borrowed": 30, "Arbitrum": 20, "Arbitrum-borrowed": 5, "staking": 40}
    says(DOC, f"plus the borrowed buckets $30 + 5$: {tvl.sum_chain_tvls(chain, include=['borrowed']):.0f}")


def test_chart_and_explorer_texts_quote_the_model_and_data():
    """Loop explorer alt text: half the capital looping at 80 % -> 300 supplied, 500 supplied + borrowed.
    Switch chart title: 1 - default / with double counting is 20 % (Solana) to 31 % (Ethereum)."""
    from defi_helpers.charts.tvl import doublecount_switch_chart
    from defi_helpers.explorers.tvl import loop_tvl_explorer, loop_tvl_table

    t = loop_tvl_table(0.5, 0.8).set_index("measure").usd
    assert (f"half the capital looping at 80 % LTV shows {fmt_usd(t['Supplied (borrows toggle on)'])} supplied "
            f"and {fmt_usd(t['Supplied + borrowed'])} in total") in loop_tvl_explorer().description
    df = data.load("defi_tvl_history")
    cuts = []
    for scope in ("Solana", "Ethereum"):
        v = df[(df.scope == scope) & df.view.isin(["default", "incl_doublecount"])].set_index("view").value_usd_bn
        cuts.append(1 - v["default"] / v["incl_doublecount"])
    title = doublecount_switch_chart(df).to_dict()["title"]["text"]
    assert f"{100 * min(cuts):.0f}-{100 * max(cuts):.0f} %" in title
