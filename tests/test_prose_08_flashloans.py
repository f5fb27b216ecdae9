"""Prose numbers of chapter 8 (flash loans) asserted against :mod:`defi_helpers.flashloans`.

Each test recomputes what the chapter quotes and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import math

import pytest

from defi_helpers import flashloans as fl
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


@pytest.fixture(scope="module")
def lab():
    lab_pkg = pytest.importorskip("defi_helpers.lab")
    from defi_helpers.lab.flash import FlashLab

    try:
        return FlashLab.deploy()
    except lab_pkg.ArtifactsMissing as e:  # pragma: no cover - set-up not run
        pytest.skip(str(e))


def test_repay_or_revert_on_the_pool(lab):
    run = lab.keep_the_money(1_000_000)
    assert run.reverted and run.values["before"] == run.values["after"]
    says(DOC, f"the token refused (`{run.reason}`)")
    says(DOC, f"the pool still holds its {run.values['after']['pool cash'] / 1e6:.0f} million")
    says(DOC, "and 50 million dollars each of WETH and USDC supplied by a lender")


def test_premium_split_on_the_pool(lab):
    from defi_helpers.lab.flash import premium_table

    assert lab.premium_to_protocol_bps == 4_000 and lab.premium_bps == fl.AAVE_V3_FLASH_PREMIUM_BPS
    says(DOC, "`FLASHLOAN_PREMIUM_TO_PROTOCOL` at 4,000")
    t = premium_table(lab, 1_000_000)
    share = t.iloc[1, 0] / t.iloc[0, 0]
    says(DOC, f"{100 * share:.0f} % of the premium accrues to the treasury")


def test_arbitrage_on_the_pairs(lab):
    best = fl.optimal_arbitrage(2_000_000, 1_000, 2_200_000, 1_000)
    run = lab.arbitrage(round(best.amount_in, 6))
    closed = best.profit - fl.flash_loan_fee(best.amount_in, 5)
    assert round(run.values["bot's profit (USDC)"], 2) == round(closed, 2)
    says(DOC, "the contracts agree with the closed form to the cent")
    v = run.values
    gap = v["pair_b WETH price after"] / v["pair_a WETH price after"] - 1
    assert 0 < gap < 1 / (1 - fl.UNISWAP_V2_FEE) ** 2 - 1 + 1e-3
    says(DOC, "Afterwards the two prices are within the two fees of each other.")


def test_collateral_swap_numbers():
    from defi_helpers import data

    says(DOC, f"$10{{,}}000 \\times 5/10{{,}}000 = {fl.flash_loan_fee(10_000, 5):.0f}$ USDC")
    r = data.load("aave_v3_ethereum_reserves").set_index("asset")
    says(DOC, f"{100 * r.loc['WBTC', 'liquidation_threshold']:.0f} % for WBTC against "
              f"{100 * r.loc['WETH', 'liquidation_threshold']:.0f} % for WETH on Aave v3 Ethereum on 2023-10-31")


def test_one_shot_loop(lab):
    run = lab.one_shot_loop(10, 30_000)
    assert not run.reverted and run.values["premium paid (USDC)"] == 0
    says(DOC, "Carol supplies 10 WETH")
    says(DOC, "asks it for 30,000 USDC of leverage")
    assert lab.one_shot_loop(10, 100_000).reverted


def test_flash_liquidation(lab):
    v = lab.flash_liquidation(1_150, 5_000).values
    says(DOC, f"= {v['HF at the new price']:.4f}$, just above 0.95")
    says(DOC, f"The Pool seized {v['collateral seized (WETH)']:.4f} WETH")
    bonus_part = v["collateral seized (WETH)"] - 5_000 / 1_150
    assert v["to the treasury (WETH)"] == pytest.approx(0.10 * bonus_part)
    says(DOC, "10 % of the bonus went to the treasury")
    profit = v["bot's profit (USDC)"]
    says(DOC, f"and the {fmt_usd(v['premium (USDC)'], 2)} premium: {fmt_usd(profit, 2)}.")


def test_spot_oracle_attack_on_the_contracts(lab):
    from defi_helpers.lab.oracle_attack import OracleAttackLab

    attack = OracleAttackLab.deploy(market=lab.market)
    t = attack.table(1_000_000, 1_000_000).set_index("oracle")
    spot, twap = t.loc["spot"], t.loc["TWAP"]
    says(DOC, f"the pump lifts TKN from $1 to ${spot['price_seen']:.3f}")
    says(DOC, f"lends {fmt_usd(spot['borrowed'])} against collateral worth $1 million: a loss of "
              f"{fmt_usd(spot['lender_loss'])}")
    says(DOC, f"Eve repays Aave and keeps {fmt_usd(spot['attacker_profit'])}")
    assert abs(spot["attacker_profit"] - spot["model_attacker_profit"]) < 0.01
    says(DOC, "The contracts and the model agree to the cent.")
    assert twap["reverted"]
    owed = 2_000_000 + fl.flash_loan_fee(2_000_000, 5)
    says(DOC, f"far less than the {owed:,.0f} USDC Aave wants back")
    says(DOC, "The lender offers 75 % of $1,000,000")
    from defi_helpers.lab.oracle_attack import TWAP_PERIOD_SECONDS

    assert TWAP_PERIOD_SECONDS == 30 * 60 and attack.ltv == 0.75
    says(DOC, "over a 30-minute window that closed before the attack")
    says(DOC, "up to 75 % of the collateral's value")
    says(DOC, "a real Uniswap v2 TKN/USDC pair holding 1,000,000 of each ($1 per TKN)")


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
