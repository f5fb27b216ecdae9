"""Prose numbers of chapter 4 (Ethena USDe) asserted against :mod:`defi_helpers.usde`.

Each test recomputes what the chapter quotes and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import numpy as np
import pandas as pd
import pytest

from defi_helpers import usde
from defi_helpers.data import load
from prose import chapter, fmt_pct, reading_text, says

DOC = chapter(4)


def _on(df, day):
    return df[df["date"].dt.strftime("%Y-%m-%d") == day].iloc[0]


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    i = text.index("Prerequisites:")
    j = text.index("Protocol versions.")
    assert i < j
    body = text[j:].split("Protocol versions.")[1].split("Last checked against them on 2026-11-30.")[0]
    assert "StakedUSDeV2" in body and "sUSDe Rewards Mechanism" in body


def test_binance_funding_rule():
    """F = P + clamp(I - P, +-0.05 %): within 0.05 % of I the rate is exactly I = 0.01 %."""
    assert usde.binance_funding_rate(0.0) == pytest.approx(usde.BINANCE_BASELINE_FUNDING_RATE)
    assert usde.binance_funding_rate(0.0005) == pytest.approx(0.0001)
    says(DOC, f"the rate is exactly {fmt_pct(usde.binance_funding_rate(0.0004), 2)}, which shorts receive")
    assert "adds a fixed interest component" not in reading_text(DOC)


def test_staking_yield_is_dated():
    apr = load("lido_steth_apr")
    says(DOC, f"stETH's 7-day average was {fmt_pct(_on(apr, '2025-05-21')['user_apr_7d_ma'])} on 2025-05-21")


def test_first_distribution_is_not_rounding():
    """issue 11: 33.36 % vs the published 33.26 %; rounded inputs allow only 33.31-33.41 %."""
    apy = usde.weekly_yield_apy(2.415e6, 435e6)
    lo, hi = usde.weekly_yield_apy_bounds(2.415e6, 435e6, 500, 0.5e6)
    published = load("susde_apy")["apy"].iloc[0]
    assert published == pytest.approx(0.3326)
    assert not lo <= published <= hi
    says(DOC, f"The compounded figure is {fmt_pct(apy, 2)}, not the published {fmt_pct(published, 2)}")
    says(DOC, f"allow only {100 * lo:.2f}–{fmt_pct(hi, 2)}")
    # a backing ratio that alone closes the gap
    k = (2.415e6 / 435e6) / ((1 + published) ** (1 / 52) - 1)
    assert usde.weekly_yield_apy(2.415e6, 435e6 * k) == pytest.approx(published)
    says(DOC, f"a backing just {fmt_pct(k - 1, 2)} above supply would alone account for the "
              f"{100 * (round(apy, 4) - published):.2f}-point gap")
    says(DOC, f"to about {fmt_pct(usde.susde_apr(published, 0.44), 0)}")
    # the exercise solution says the same
    says(DOC, f"the rounding of the inputs does not explain it (they allow {100 * lo:.2f}–{fmt_pct(hi, 2)})")
    assert "from unrounded inputs" not in reading_text(DOC)


def test_daily_matching_can_differ_from_total_over_average():
    backing = np.linspace(405e6, 465e6, 7)
    flat = np.full(7, 2.415e6 / 7) * backing / backing.mean()         # same rate every day
    assert usde.daily_matched_apy(flat, backing) == pytest.approx(usde.weekly_yield_apy(flat.sum(), backing.mean()))
    rising = 2.415e6 * backing**2 / (backing**2).sum()                # rate rising with backing
    assert usde.daily_matched_apy(rising, backing) < usde.weekly_yield_apy(2.415e6, 435e6)


def test_read_backwards_may_2025():
    apr = usde.protocol_apr_from_susde_apy(0.071, 0.46)
    susde_apr = 52 * ((1.071) ** (1 / 52) - 1)
    says(DOC, f"an APY of 7.10 % compounded weekly is an APR of {fmt_pct(susde_apr, 2)}")
    says(DOC, f"{fmt_pct(susde_apr, 2)} × 0.46 = {fmt_pct(apr, 2)} on all USDe")
    assert usde.apr_to_apy(susde_apr) == pytest.approx(0.071)


def test_reserve_fund_share_of_supply():
    rf = _on(load("ethena_reserve_fund"), "2025-05-28")
    says(DOC, f"Is ${rf['reserve_fund_usd_m']:.1f}m — {fmt_pct(rf['reserve_fund_usd_m'] / (rf['usde_supply_usd_bn'] * 1e3))} "
              f"of the ${rf['usde_supply_usd_bn']:.2f}bn supply of May 2025 — enough?")


def test_monte_carlo_sentence():
    runs = {name: usde.simulate_reserve_fund(name, n_paths=2000, seed=42, progress=False).summary()
            for name in usde.FUNDING_REGIMES}
    df = pd.DataFrame(runs)
    base, bear, severe = df["base"], df["bear_2022"], df["severe"]
    assert base["P(fund drawn at least once)"] == 1.0
    says(DOC, f"pays something on every one of the 2,000 paths (in {fmt_pct(base['share of 8h periods with a draw'])} "
              f"of the 8-hour periods) but is exhausted within the year on only {fmt_pct(base['P(fund depleted)'])} of them; "
              f"in a 2022-like year on {fmt_pct(bear['P(fund depleted)'])}, and in the severe regime on "
              f"{fmt_pct(severe['P(fund depleted)'])}")


def test_exercise_solutions():
    says(DOC, f"= {usde.annualize_funding(0.000125):.6f}$, i.e. {fmt_pct(usde.annualize_funding(0.000125), 2)} a year")
    says(DOC, f"= {usde.susde_unvested(600_000, 5 * 3600):,.0f}$ USDe".replace(",", "{,}"))
    says(DOC, f"= {usde.susde_apr(0.06, 0.40, reserve_take=0.10):.3f}$, i.e. {fmt_pct(usde.susde_apr(0.06, 0.40, reserve_take=0.10))}")
    says(DOC, f"= {usde.weekly_yield_apy(2.415e6, 435e6):.4f}$: {fmt_pct(usde.weekly_yield_apy(2.415e6, 435e6), 2)}")
