"""Prose numbers of chapter 9 (risk) asserted against :mod:`defi_helpers.risk`.

Each test recomputes what the chapter quotes and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import json
import math
import re

import numpy as np
import pytest

from defi_helpers import risk
from helpers import ROOT
from prose import chapter, fmt_usd, reading_text, says

DOC = chapter(9)


def tex(x: float, decimals: int = 0) -> str:
    """``4399.1`` -> ``"4{,}399"``: a number as the chapter writes it inside $...$ maths."""
    return f"{x:,.{decimals}f}".replace(",", "{,}")


def ratio(hf, sigma, days, mu=0.0):
    return (risk.prob_liquidation_first_passage(hf, sigma, days, mu)
            / risk.prob_liquidation_terminal(hf, sigma, days, mu))


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    assert text.index("Prerequisites:") < text.index("Protocol versions.")
    says(DOC, "Protocol versions. Aave v3.0.2 (`@aave/core-v3` 1.19.3) for the liquidation rules of the cascade")
    says(DOC, "Last checked against them on 2026-11-30.")


def test_worked_example_first_passage_against_terminal():
    fp1 = risk.prob_liquidation_first_passage(1.25, 0.8, 1)
    says(DOC, f"a first-passage probability of {fp1 * 1e7:.1f} in ten million")
    t30 = risk.prob_liquidation_terminal(1.25, 0.8, 30)
    f30 = risk.prob_liquidation_first_passage(1.25, 0.8, 30)
    says(DOC, f"over a month the position has a {100 * f30:.0f} % chance of being liquidated, "
              f"{f30 / t30:.2f} times the {100 * t30:.0f} % chance that it ends the month below 1")
    r = [ratio(1.25, 0.8, d) for d in (1, 7, 30, 365)]
    says(DOC, f"the ratio is {r[0]:.2f} over a day, {r[1]:.2f} over a week and {r[2]:.2f} over a month, "
              f"but only {r[3]:.2f} over a year "
              f"({risk.prob_liquidation_first_passage(1.25, 0.8, 365):.3f} against "
              f"{risk.prob_liquidation_terminal(1.25, 0.8, 365):.3f})")
    says(DOC, f"({r[2]:.2f} over 30 days at 80 % volatility)")
    says(DOC, f"({r[3]:.2f} over a year)")
    text = reading_text(DOC)
    assert "almost twice" not in text and "close to twice the probability" not in text


@pytest.mark.parametrize("days", [1, 7, 30, 365, 3650])
def test_ratio_range_stated_in_the_chapter(days):
    """Exactly 2 with nu = 0; below 2 with nu < 0 (mu = 0); above 2 with nu > 0 (reflection principle)."""
    sigma = 0.8
    assert ratio(1.25, sigma, days, mu=sigma ** 2 / 2) == pytest.approx(2.0, rel=1e-9)
    assert 1.0 < ratio(1.25, sigma, days, mu=0.0) < 2.0
    assert ratio(1.25, sigma, days, mu=sigma ** 2 / 2 + 0.2) > 2.0
    says(DOC, "which is exactly 2 at every horizon only when the log-price has no drift")


def test_ratio_tends_to_two_for_short_horizons_and_falls_with_the_horizon():
    r = [ratio(1.25, 0.8, d) for d in (0.25, 1, 7, 30, 365, 3650)]
    assert r[0] == pytest.approx(2.0, abs=5e-3)
    assert all(a > b for a, b in zip(r, r[1:]))


def test_bridge_citation_and_benchmark_path():
    text = reading_text(DOC)
    assert "broadie1997continuity" not in "".join(
        "".join(c["source"]) for c in json.loads((ROOT / f"{DOC}.ipynb").read_text())["cells"])
    assert (ROOT / "tests/benchmarks/bench_risk.py").exists()
    says(DOC, "`tests/benchmarks/bench_risk.py` times it against a plain Python loop")
    assert "`benchmarks/bench_risk.py`" not in text.replace("`tests/benchmarks/bench_risk.py`", "")


def test_benchmark_figures_match_the_benchmarks_page():
    page = (ROOT / "book/benchmarks.md").read_text(encoding="utf-8")
    date = re.search(r"Measured by `make bench` on (\d{4}-\d{2}-\d{2})", page).group(1)
    block = page[page.index("### risk"):]
    figures = json.loads(block[block.index("{"):block.index("}") + 1])
    says(DOC, f"(measured {date}) the vectorised run took {figures['mc_numpy_s']:.1f} s and the loop "
              f"{figures['mc_speedup']:.1f} times as long")


def test_value_at_risk_example():
    one, ten = risk.var_gbm(10_000, 0.8, 1), risk.var_gbm(10_000, 0.8, 10)
    assert 0.2 < one / 4_000 < 0.25   # "almost a quarter"
    assert abs(ten / 4_000 - 2 / 3) < 0.02   # "two thirds"
    says(DOC, "One bad day in a hundred costs the owner almost a quarter of their equity; over ten days, two thirds.")
    says(DOC, f"by the exposure-to-equity ratio ({10_000 / 4_000:.1f} here)")


def test_buffer_tradeoff():
    b = risk.hf_buffer_tradeoff([1.01, 1.10], liquidation_threshold=0.93, supply_apy=0.03,
                                borrow_apy=0.02, sigma=0.10, days=30)
    drop = b["net_apy"].iloc[0] - b["net_apy"].iloc[1]
    says(DOC, f"Going from HF 1.01 to 1.10 costs {100 * drop:.0f} points of yield and removes almost all of a "
              f"{100 * b['prob_liquidation'].iloc[0]:.0f} % monthly chance of liquidation.")
    assert b["prob_liquidation"].iloc[1] < 0.001


def test_cascade_numbers():
    q, d = risk.sample_positions(2_000, 2e8, 2_000.0, liquidation_threshold=0.83, hf_median=1.6, seed=42)
    says(DOC, f"Here 2,000 borrowers owe {fmt_usd(d.sum() / 1e6)} million against about "
              f"{fmt_usd(round((q * 2_000).sum() / 1e8) * 100)} million of ETH")
    c20 = risk.simulate_cascade(q, d, 2_000.0, shock=0.20, pool_depth_usd=5e8)
    c18 = risk.simulate_cascade(q, d, 2_000.0, shock=0.18, pool_depth_usd=5e8)
    rounds = c20.to_frame().set_index("round")
    first_ten = rounds.loc[1:10, "n_liquidated"]
    says(DOC, f"For ten rounds the cascade creeps: each round's sales liquidate between {first_ten.min()} and "
              f"{first_ten.max()} more positions.")
    assert rounds.loc[11:, "n_liquidated"].max() > 3 * first_ten.max()   # then it collapses
    says(DOC, f"A shock of 18 % instead of 20 % stops at a {100 * c18.total_drop:.0f} % fall.")
    says(DOC, f"an 18 % shock becomes a {100 * c18.total_drop:.0f} % fall — enough to liquidate it — and a "
              f"20 % shock, a {100 * c20.total_drop:.0f} % fall")


def test_bad_debt_and_stress_test():
    assert risk.bad_debt_usd(10_400, 10_000, 0.05) > 0
    assert risk.bad_debt_usd(10_500, 10_000, 0.05) == pytest.approx(0.0, abs=1e-9)
    says(DOC, "with a 5 % bonus, $10,400 of collateral cannot fully back $10,000 of debt")
    q, d = risk.looped_position(10_000, leverage=3, price=2_000)
    says(DOC, f"({q:.0f} ETH, {fmt_usd(d)} of debt, ETH at $2,000")
    st = risk.stress_test_position(q, d, 2_000, np.round(np.arange(0.0, 0.51, 0.05), 2),
                                   liquidation_threshold=0.83, liquidation_bonus=0.05).set_index("shock")
    first = st.index[st["liquidations"] > 0][0]
    no_liquidation_equity = q * 2_000 * (1 - first) - d
    cost = no_liquidation_equity - st.loc[first, "equity_after_usd"]
    says(DOC, f"A {100 * first:.0f} % fall triggers the first liquidation and costs {fmt_usd(cost)} of bonus")
    assert st.loc[0.30, "equity_after_usd"] == pytest.approx(0, abs=1e-6)
    assert st.loc[0.30, "bad_debt_usd"] == pytest.approx(0, abs=1e-6) and st.loc[0.35, "bad_debt_usd"] > 0


def test_exercise_solutions():
    t = risk.prob_liquidation_terminal(1.5, 0.70, 30)
    f = risk.prob_liquidation_first_passage(1.5, 0.70, 30)
    says(DOC, f"= \\Phi(-1.920) = {t:.4f}$")
    says(DOC, f"= 1.5 \\times \\Phi(-2.121) = {f - t:.4f}$: the total is ${f:.4f}$, {f / t:.2f} times the "
              f"terminal probability")
    says(DOC, f"\\times 2.3263}}) = ${tex(risk.var_gbm(50_000, 0.75, 1))}$")
    lev = risk.hf_buffer_tradeoff(1.2, 0.83, 0.0, 0.0, 0.5, 1)["leverage"].iloc[0]
    says(DOC, f"= 1.2/0.37 = {lev:.3f}$")
    bd = risk.bad_debt_usd(9_000, 10_000, 0.05)
    # the solution writes the dollar sign inside the maths: "$\\$1{,}428.57$"
    says(DOC, f"9{{,}}000/1.05 = ${tex(9_000 / 1.05, 2)}$, so $${tex(bd, 2)}$ is bad debt")
    q6, d6 = risk.sample_positions(2_000, 2e8, 2_000, seed=42)
    r6 = risk.simulate_cascade(q6, d6, 2_000, shock=0.15, pool_depth_usd=5e8)
    says(DOC, f"liquidations take it to about {fmt_usd(r6.final_price)}, an amplification of about "
              f"{r6.amplification:.2f}")
    assert math.isclose(2_000 * 0.85, 1_700)
