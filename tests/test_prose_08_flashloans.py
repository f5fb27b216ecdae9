"""Prose numbers of chapter 8 (flash loans) asserted against :mod:`defi_helpers.flashloans`.

Each test recomputes what the chapter quotes and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import math

import pytest

from defi_helpers import flashloans as fl
from defi_helpers.flashloans import Pool, example_state, execute
from prose import chapter, fmt_usd, reading_text, says

DOC = chapter(8)


def tex(x: float, decimals: int = 0) -> str:
    """``1171171.9`` -> ``"1{,}171{,}172"``: a number as the chapter writes it inside $...$ maths."""
    return f"{x:,.{decimals}f}".replace(",", "{,}")


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    i = text.index("Prerequisites:")
    j = text.index("Protocol versions.")
    assert i < j
    assert text[j:].split("Protocol versions.")[1].split("Last checked against them on 2026-11-30.")[0]
    says(DOC, "Aave v3.0.2 (`@aave/core-v3` 1.19.3) `FlashLoanLogic` for the premium rules")


def test_fee_table_and_rounding():
    # 3/997 as a percentage, the effective Uniswap v2 flash-swap fee
    rate = fl.uniswap_v2_flash_repayment(1.0) - 1.0
    says(DOC, f"an effective {100 * rate:.4f} %")
    assert fl.AAVE_V3_FLASH_PREMIUM_BPS == 5 and fl.AAVE_V2_FLASH_PREMIUM_BPS == 9
    says(DOC, "premium of 5 bps (0.05 %)")
    # percentMul rounds half up: 999 units at 5 bps pay nothing; the ceiling variant pays one unit
    assert fl.flash_loan_fee_exact(999, 5) == 0
    assert fl.flash_loan_fee_exact(999, 5, rounding="up") == 1
    says(DOC, "a loan of 999 units at 5 bps pays nothing")


def test_price_impact_worked_example():
    small, large = fl.cpmm_price_impact([20_000, 200_000], 2_000_000, 1_000)
    says(DOC, f"Spending 1 % of the pool's USDC moves the price {100 * small:.0f} %; "
              f"spending 10 % moves it {100 * large:.0f} %.")
    # the exact form quoted in the takeaways
    s = 0.01
    assert small == pytest.approx((1 + s) * (1 + (1 - fl.UNISWAP_V2_FEE) * s) - 1, rel=1e-12)
    says(DOC, r"multiplies the price by exactly $(1 + \Delta x/x)\,(1 + (1-f)\,\Delta x/x)$ — the square of "
              r"$(1 + \Delta x/x)$ without the fee")


def test_cost_of_doubling_and_quadrupling():
    t = fl.cpmm_input_to_reach_price(1_000, 2_000_000, [4_000, 8_000])
    says(DOC, f"Doubling the pool's price costs {fmt_usd(t['quote_in'][0])} of USDC for "
              f"{t['base_out'][0]:.1f} ETH, of which {fmt_usd(t['slippage_cost'][0])} is lost")
    assert t["quote_in"][1] == pytest.approx(2e6)
    assert t["slippage_cost"][1] / t["quote_in"][1] == pytest.approx(0.5)
    says(DOC, "quadrupling it costs $2 million and loses half of it")


def test_one_per_cent_move_is_a_trade_size_not_a_cost():
    """The defences list: a 1 % move of the $2M pool takes a $9,975 trade but loses only ~$50."""
    t = fl.cpmm_input_to_reach_price(1_000, 2_000_000, 2_000 * 1.01)
    assert round(t["quote_in"]) == 9_975
    assert 49 < t["slippage_cost"] < 51
    says(DOC, f"takes a trade of only {fmt_usd(t['quote_in'])} of USDC, and that trade is not what it "
              f"costs: it buys {t['base_out']:.3f} ETH, and only about {fmt_usd(round(t['slippage_cost'], -1))} "
              f"is lost to slippage")
    assert "costs only about $10,000" not in reading_text(DOC)


def test_collateral_swap_and_liquidation_examples():
    world = example_state()
    says(DOC, f"Aave still has its {world.balance('aave', 'USDC') / 1e6:.0f} million")
    hf0 = world.health_factor("aave", "alice")
    r = execute(world, "alice", fl.collateral_swap_steps(
        "aave", "aave", "eth_wbtc", "USDC", old_collateral="ETH", new_collateral="WBTC", debt_amount=10_000))
    premium = r.after.markets["aave"].debt["alice"]["USDC"] - 10_000
    hf1 = r.after.health_factor("aave", "alice")
    says(DOC, f"The debt grew by the {premium:.0f} USDC premium and the HF fell from {hf0:.2f} to {hf1:.2f}")
    lt = world.markets["aave"].liquidation_threshold
    says(DOC, f"liquidation threshold ({100 * lt['WBTC']:.0f} %) is lower than WETH's ({100 * lt['ETH']:.0f} %)")

    w = example_state()
    w.markets["aave"].prices["ETH"] = 1_150.0
    w.pools["pool_a"] = Pool("ETH", "USDC", 1_000.0, 1_150_000.0)
    hf = w.health_factor("aave", "alice")
    says(DOC, f"= {hf:.4f}$, just above 0.95")
    r = execute(w, "keeper", fl.flash_liquidation_steps("aave", "aave", "pool_a", "alice", "USDC", "ETH", 5_000))
    seized = 5_000 * 1.05 / 1_150
    bonus = 5_000 * w.markets["aave"].liquidation_bonus["ETH"]
    says(DOC, f"The keeper earns the 5 % bonus ({fmt_usd(bonus)}) minus the slippage of selling "
              f"{seized:.2f} ETH into the pool and the {fmt_usd(fl.flash_loan_fee(5_000, 5), 2)} premium.")
    assert r.delta("keeper", "USDC") > 0


def test_spot_oracle_attack_numbers():
    tkn = fl.cpmm_amount_out(200_000, 100_000, 100_000)
    eve = 440_000 - 200_000 - fl.flash_loan_fee(200_000, 5)
    says(DOC, f"Eve walks away with about {fmt_usd(round(eve, -4))}; the lender is left with a $440,000 loan "
              f"backed by TKN worth about {fmt_usd(round(tkn, -3))}")


def test_bzx_ledgers():
    led1 = fl.bzx_pump_attack_ledger()
    says(DOC, f"The cash left is {led1['eth_cash'].iloc[-2]:.2f} ETH")
    assert round(led1["eth_cash"].iloc[-1]) == 1_193
    says(DOC, "bZx put the gain at 1,193 ETH; the ledger reproduces that if WBTC is worth 39.09 ETH")
    led2 = fl.bzx_oracle_attack_ledger()
    says(DOC, f"The published steps sum to {led2['eth_cash'].iloc[-1]:,.0f} ETH")
    # Qin et al.'s boosted profits against those taken: $829,500 / $350,000 and $1.1M / $645,000
    assert round(829_500 / 350_000, 2) == 2.37


def test_twap_numbers():
    m = [1, 10, 20, 72]
    q = fl.twap_required_spot(1.35, 1.0, 144, m)
    cost = fl.twap_manipulation_cost(1.35, 1.0, 144, m, 50_000, 50_000)
    mant, exp = f"{q[0]:.1e}".split("e")
    says(DOC, f"One block needs a spot price of ${mant} \\times 10^{{{int(exp)}}}$ — impossible.")
    says(DOC, f"Ten blocks need {q[1]:.2f} and cost at most about ${cost[1] / 1e6:.1f} million "
              f"(Euler: {fmt_usd(cost[1])})")
    says(DOC, f"its own formula gives {q[2]:.2f}")
    says(DOC, f"Holding 72 blocks needs only {q[3]:.2f}×")
    # 72 blocks of 12 s is "15 minutes" (14.4 min); 144 blocks "about 30 minutes" (28.8 min)
    assert 14 < 72 * 12 / 60 < 15 and 28 < 144 * 12 / 60 < 30
    says(DOC, "each manipulated block costs at most the slippage")
    assert "costs at least the slippage" not in reading_text(DOC)
    says(DOC, "TWAPs cost at most $m$ blocks of slippage")


def test_exercise_solutions():
    says(DOC, f"= {tex(fl.flash_loan_fee(2_500_000, 5))}$ USDC")
    r = fl.uniswap_v2_flash_repayment(500)
    says(DOC, f"so $R = {r:.4f}$ ETH and the fee is {r - 500:.4f} ETH")
    says(DOC, f"= {fl.cpmm_amount_out(100_000, 4_000_000, 2_000):.3f}$ ETH, against 50 ETH")
    says(DOC, f"= 1.1^6 = {fl.twap_required_spot(1.10, 1.0, 30, 5):.4f}$")
    a = fl.spot_oracle_attack(500_000, 2_000_000, 1_000_000, 1_000_000, 0.75)
    says(DOC, f"leaves the price at $2{{,}}500{{,}}000 / 800{{,}}480 = {a.price_after:.4f}$, +{100 * a.price_impact:.1f} %")
    says(DOC, f"3.1231/2 = {tex(a.borrowed)}$")
    says(DOC, f"the premium ({fmt_usd(a.flash_fee)})")
    assert a.flash_fee == fl.flash_loan_fee(500_000 + 1_000_000, 5)
    says(DOC, f"about {fmt_usd(a.profit)}")
    bought = fl.cpmm_amount_out(500_000, 2_000_000, 1_000_000)
    says(DOC, f"= {tex(bought)}$ TKN")
    # the solution subtracts on the rounded purchase; the model's exact slippage is within $1 of it
    says(DOC, f"199{{,}}520 \\times 2 = {tex(500_000 - 2 * round(bought))}$")
    assert a.slippage_cost == pytest.approx(500_000 - 2 * round(bought), abs=1)
    arb = fl.optimal_arbitrage(4_000_000, 2_000, 4_300_000, 2_000)
    says(DOC, f"\\approx {tex(arb.amount_in)}$ USDC and the profit is about {fmt_usd(arb.profit)}")
    assert math.isclose(arb.profit, 2_283, abs_tol=1)
