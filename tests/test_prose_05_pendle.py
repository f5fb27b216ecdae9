"""Prose numbers of chapter 5 (Pendle) asserted against :mod:`defi_helpers.pendle`.

Each test recomputes what the chapter quotes and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import math

import pytest

from defi_helpers import pendle
from defi_helpers.data import load
from prose import chapter, fmt_pct, reading_text, says

DOC = chapter(5)
MARKET = pendle.PendleMarket(1_000_000, 1_000_000, scalar_root=50, implied_apy=0.10, days_to_expiry=90,
                             ln_fee_rate_root=math.log(1.003))


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    i = text.index("Prerequisites:")
    j = text.index("Protocol versions.")
    assert i < j
    body = text[j:].split("Protocol versions.")[1].split("Last checked against them on 2026-11-30.")[0]
    assert "MarketMathCore.sol" in body and "e8c2cca4" in body


def test_yt_leverage_and_breakeven():
    """issue 11: at u = a the YT buyer earns exactly a; break-even (zero return) is below a."""
    y = pendle.yt_price(0.10, 90)
    says(DOC, f"about **{pendle.yt_leverage(0.10, 90):.0f} times** the exposure".replace("**", ""))
    t = 90 / 365
    # at u = a: YT collects (1+a)^t - 1 = (1+a)^t x price, i.e. an annualised return of exactly a
    assert pendle.yt_long_yield_apy(0.10, y, 90, yt_fee=0.0) == pytest.approx(0.10)
    u0 = pendle.yt_breakeven_apy(y, 90, yt_fee=0.0)
    assert (1 + u0) ** t == pytest.approx(2 - 1.1 ** -t)
    assert u0 < 0.10 < pendle.yt_breakeven_apy(y, 90)
    says(DOC, f"here {fmt_pct(u0, 2)} against 10 %. The 5 % fee lifts it to {fmt_pct(pendle.yt_breakeven_apy(y, 90), 2)}")
    assert "the yield arrives before maturity" not in reading_text(DOC)
    assert "yield arrives before maturity" not in pendle.yt_breakeven_apy.__doc__


def test_amm_worked_example():
    buy = MARKET.trade(10_000)
    paid = -buy.net_asset_to_account
    spot = 10_000 * MARKET.pt_price
    says(DOC, f"The buyer pays {paid:,.2f} for PT that the spot price values at {spot:,.2f}: "
              f"{buy.fee_asset:.2f} of the difference is the fee and {paid - spot - buy.fee_asset:.2f} price impact")
    pre_fee = buy.exchange_rate ** (365 / 90) - 1
    says(DOC, f"The rate they lock is {fmt_pct(buy.effective_implied_apy, 2)} after the fee "
              f"({fmt_pct(pre_fee, 2)} before it), and the pool now quotes {fmt_pct(buy.market_after.implied_apy, 2)}")
    says(DOC, f"The same 10,000 PT sold would fetch {MARKET.sell_pt(10_000):,.2f}")


def test_post_fee_guard():
    """calcTrade: a purchase also needs E / feeRate >= 1 (MarketExchangeRateBelowOne)."""
    thin = pendle.PendleMarket(1_000_000, 1_000_000, 50, 0.002, 90, ln_fee_rate_root=math.log(1.05))
    assert float(thin.exchange_rate_after(1_000)) >= 1
    with pytest.raises(ValueError, match="after the fee"):
        thin.buy_pt(1_000)
    says(DOC, "a PT purchase also needs $E/\\text{feeRate} \\ge 1$")


def test_maturities_and_oracle():
    m = load("pendle_markets")
    matured = m[(m["metric"] == "matured_usd_bn") & (m["date"].dt.strftime("%Y-%m-%d") == "2025-05-29")]["value"].sum()
    says(DOC, f"on 29 May 2025 ${matured:.1f}bn of sUSDe and eUSDe PTs matured")
    answer = m[m["metric"] == "aave_oracle_price"]["value"].iloc[0]
    linear = pendle.linear_discount_pt_price(0.075124, 94)
    says(DOC, f"= {linear:.6f}$. The listing payload's answer, ${answer:.8f}")
    says(DOC, f"which it implies was {answer / linear:.5f} at that moment")


def test_loop_numbers():
    lmax = pendle.max_loop_leverage(0.874)
    says(DOC, f"= {lmax:.1f}× exposure, the limit of endless loops")
    says(DOC, f"With PT at 9 %, borrowing at 6 % makes a 5× loop earn {fmt_pct(pendle.pt_loop_net_apy(0.09, 0.06, 5), 0)}")
    says(DOC, f"the same loop earns {fmt_pct(pendle.pt_loop_net_apy(0.09, 0.10, 5), 0)}")
    exact = pendle.pt_loop_equity_apy(0.09, 0.06, 5, 94)
    linear = pendle.pt_loop_net_apy(0.09, 0.06, 5)
    assert pendle.pt_loop_equity_apy(0.09, 0.06, 5, 365) == pytest.approx(linear)
    says(DOC, f"held for 94 days earns {fmt_pct(exact)} a year, not {fmt_pct(linear)}")


def test_exercise_solutions():
    says(DOC, f"= {pendle.pt_price(0.12, 120):.5f}$")
    a = pendle.implied_apy(0.97, 60)
    says(DOC, f"= {a:.4f}$, i.e. {fmt_pct(a, 2)} a year (simple annualisation would give {fmt_pct((1 / 0.97 - 1) * 365 / 60)})")
    y = pendle.yt_price(0.10, 90)
    says(DOC, f"= {y:.6f}$")
    says(DOC, f"= {pendle.yt_breakeven_apy(y, 90):.4f}$")
    says(DOC, f"= {MARKET.buy_pt(10_000):,.2f}$".replace(",", "{,}"))
    says(DOC, f"fee rate $1.003^{{90/365}} = {MARKET.fee_rate:.6f}$")
    says(DOC, f"= {pendle.linear_discount_pt_price(0.075124, 94):.6f}$")
