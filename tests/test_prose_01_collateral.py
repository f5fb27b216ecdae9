"""Prose numbers of chapter 1 (collateral & interest rates) asserted against the code and the data.

Each test recomputes what the chapter quotes with :mod:`defi_helpers` (or reads it
from the bundled snapshot the chapter cites) and checks, with :func:`prose.says`,
that the reading text contains the sentence built from the computed value.
"""

import math

import pytest

from defi_helpers import collateral as col
from defi_helpers import data
from defi_helpers import rates
from prose import chapter, fmt_usd, reading_text, says

DOC = chapter(1)


def pct(x: float) -> str:
    """``0.805`` -> ``"80.5 %"``, ``0.83`` -> ``"83 %"``: a parameter as the chapter writes it."""
    return f"{round(100 * x, 4):g} %"


def tex_pct(x: float) -> str:
    """``0.028`` -> ``"2.8\\,\\%"``: a parameter inside $...$ maths."""
    return f"{round(100 * x, 4):g}\\,\\%"


@pytest.fixture(scope="module")
def reserves():
    return data.load("aave_v3_ethereum_reserves").set_index("asset")


@pytest.fixture(scope="module")
def emodes():
    return data.load("aave_emode_categories")


def test_protocol_versions_paragraph():
    text = reading_text(DOC)
    i, j = text.index("Prerequisites:"), text.index("Protocol versions.")
    assert i < j < text.index("Last checked against them on 2026-11-30.")
    says(DOC, "Aave v3.0.x (`aave/aave-v3-core` at commit 782f5191")
    says(DOC, "the rate strategy V2 from v3.1, the close-factor rule of v3.3, the Taylor-series borrow index of v3.4")
    assert data.load("aave_v3_ethereum_reserves").attrs["meta"].as_of == "2023-10-31"
    says(DOC, "parameters of the Aave v3 Ethereum Core market as configured on 2023-10-31")


def test_ltv_and_lt_of_weth(reserves):
    w = reserves.loc["WETH"]
    says(DOC, f"With WETH's LTV of {pct(w.ltv)}, {fmt_usd(10_000)} of WETH lets you borrow up to "
              f"{fmt_usd(col.max_borrow(10_000, w.ltv))}.")
    says(DOC, f"WETH's LT was {pct(w.liquidation_threshold)}: higher than its LTV")


def test_reserve_ranking_follows_the_snapshot(reserves):
    """Erratum (issue 11): the ranking is read from the 2023-10-31 snapshot, not "stablecoins first"."""
    lt, ltv = reserves["liquidation_threshold"], reserves["ltv"]
    assert lt.idxmax() == ltv.idxmax() == "WETH"
    says(DOC, f"WETH gets the highest values, an LTV of {pct(ltv['WETH'])} and an LT of {pct(lt['WETH'])}.")
    assert ltv.idxmin() == "WBTC" and lt.idxmin() == "USDT"
    assert lt["USDT"] < lt["WBTC"] and lt["USDC"] == lt["DAI"] < lt["wstETH"]
    says(DOC, f"WBTC has the lowest LTV ({pct(ltv['WBTC'])}), yet the lowest liquidation threshold is USDT's "
              f"({pct(lt['USDT'])}), below WBTC's {pct(lt['WBTC'])}, and USDC and DAI (LT {pct(lt['USDC'])}) "
              f"sit below wstETH ({pct(lt['wstETH'])}).")


def test_health_factor_worked_example():
    hf, hf_lower = col.health_factor(20_000, 0.83, 16_000), col.health_factor(19_000, 0.83, 16_000)
    says(DOC, f"At $2,000 the HF is {hf:.4f}: healthy, but thin. A 5 % fall to $1,900 takes it to {hf_lower:.4f}")
    assert hf_lower < 1


def test_weighted_threshold_in_bps():
    bps = (20_000 * 8300 + 12_000 * 8100) // 32_000  # GenericLogic: integer division in bps
    assert bps == 8225
    weighted = (20_000 * 0.83 + 12_000 * 0.81) / 32_000
    says(DOC, f"on chain it reads {bps} bps ({100 * weighted:.2f} %) exactly here")


def test_liquidation_price_and_distance():
    p = col.liquidation_price(10, 16_000, 0.83)
    says(DOC, f"For the 10 WETH / 16,000 USDC position that is {fmt_usd(p, 2)} — only "
              f"{100 * (1 - p / 2_000):.1f} % below the $2,000 entry.")


def test_close_factor_constants():
    assert col.DEFAULT_LIQUIDATION_CLOSE_FACTOR == 0.5 and col.CLOSE_FACTOR_HF_THRESHOLD == 0.95
    says(DOC, "a liquidator may repay at most 50 % of a debt reserve while $0.95 < \\mathrm{HF} < 1$")
    threshold = col.MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD_USD
    says(DOC, f"reserve are worth at least {fmt_usd(threshold)} and HF > 0.95; a partial liquidation may not leave "
              f"less than {fmt_usd(threshold / 2)} of debt or collateral behind")


def test_liquidation_worked_example(reserves):
    w = reserves.loc["WETH"]
    assert (w.liquidation_bonus, w.liquidation_protocol_fee) == (0.05, 0.10)
    says(DOC, f"collateral worth the repaid debt *plus* a bonus: {pct(w.liquidation_bonus)} for WETH".replace("*", ""))
    says(DOC, f"A share of the bonus ({pct(w.liquidation_protocol_fee)} for WETH) goes to Aave's treasury")
    hf_now = col.health_factor(19_000, w.liquidation_threshold, 16_000)
    r = col.liquidate(10, 1_900, col.close_factor(hf_now) * 16_000, w.liquidation_bonus, w.liquidation_protocol_fee)
    hf_after = col.health_factor((10 - r.collateral_seized) * 1_900, w.liquidation_threshold,
                                 16_000 - r.debt_repaid_usd)
    says(DOC, f"The liquidator pays {fmt_usd(r.debt_repaid_usd)} and receives {r.liquidator_collateral:.1f} WETH worth "
              f"{fmt_usd(r.liquidator_collateral * 1_900)}: {fmt_usd(r.liquidator_profit_usd)} of profit before gas")
    penalty = r.collateral_seized * 1_900 - r.debt_repaid_usd
    says(DOC, f"The borrower loses {r.collateral_seized:.4f} WETH for {fmt_usd(r.debt_repaid_usd)} of debt — a penalty "
              f"of {fmt_usd(penalty)} — and comes out with an HF of {hf_after:.4f}, healthy again.")


def test_partial_liquidation_threshold(reserves):
    w = reserves.loc["WETH"]
    edge = col.liquidation_worsens_below(w.liquidation_threshold, w.liquidation_bonus)
    says(DOC, f"For WETH that is ${w.liquidation_threshold:g} \\times {1 + w.liquidation_bonus:g} = {edge:.4f}$")


def test_emode_values(emodes):
    eth = emodes[emodes["label"] == "ETH correlated"].set_index("date")
    first, jan24 = eth.loc["2023-10-31"], eth.loc["2024-01-21"]
    says(DOC, f"In the 2023-10-31 snapshot the \"ETH correlated\" category had LTV {pct(first.ltv)}, "
              f"LT {pct(first.liquidation_threshold)}, bonus {pct(first.liquidation_bonus)}")
    says(DOC, f"raised it to {pct(jan24.ltv)} / {pct(jan24.liquidation_threshold)}")
    last = eth.loc["2025-05-19"]
    assert (last.ltv, last.liquidation_threshold) == (jan24.ltv, jan24.liquidation_threshold)
    says(DOC, "unchanged in the configuration diff of 2025-05-19")


def test_rate_strategy_is_named_by_version():
    """Erratum (issue 11): the 2023-10-31 curve is v3.0's DefaultReserveInterestRateStrategy, not V2."""
    says(DOC, "Aave v3.0's `DefaultReserveInterestRateStrategy` — the contract behind the 2023-10-31 parameters")
    says(DOC, "from v3.1 the same curve is computed by `DefaultReserveInterestRateStrategyV2`")
    assert "Aave's `DefaultReserveInterestRateStrategyV2` uses" not in reading_text(DOC)


def test_weth_curve_worked_example(reserves):
    w = reserves.loc["WETH"]
    says(DOC, f"WETH's curve on 2023-10-31: $U^* = {tex_pct(w.optimal_usage)}$, $r_0 = {w.base_rate:g}$, "
              f"$s_1 = {tex_pct(w.slope1)}$, $s_2 = {tex_pct(w.slope2)}$, RF {pct(w.reserve_factor)}.")
    at_kink = rates.borrow_rate(0.80, w.optimal_usage, w.base_rate, w.slope1, w.slope2)
    at_90 = rates.borrow_rate(0.90, w.optimal_usage, w.base_rate, w.slope1, w.slope2)
    says(DOC, f"At 80 % utilisation borrowing costs {100 * at_kink:.1f} %; at 90 %, just ten points more, it costs "
              f"{100 * at_90:.1f} %.")


def test_indices_and_treasury():
    """Erratum (issue 11): the treasury gets RF x accrued debt interest (_accrueToTreasury), not the
    gap between the compounded and the linear index."""
    year = rates.SECONDS_PER_YEAR
    borrow, supply = rates.compounded_interest_v30(0.05, year), rates.linear_interest(0.05, year)
    says(DOC, f"At the same 5 %, the borrow index ends the year at {borrow:.5f} and the supply index at {supply:g}.")
    says(DOC, "`ReserveLogic._accrueToTreasury` measures the debt interest accrued since the previous update")
    says(DOC, f"continuous compounding, $e^{{0.05}} = {math.exp(0.05):.7f}$, by about $x^4/24$ — "
              f"{0.05 ** 4 / 24 * 1e7:.1f} × 10⁻⁷ here")
    assert math.exp(0.05) - rates.compounded_interest_v34(0.05, year) == pytest.approx(0.05 ** 4 / 24, rel=0.05)
    onchain = rates.compounded_interest_v30_ray(5 * 10**25, year) / rates.RAY
    says(DOC, f"after a whole year without an update gives {onchain:.7f}")
    assert "one reason the protocol's reserve accumulates" not in reading_text(DOC)


def test_crv_episode_is_a_short():
    """Erratum (issue 11): USDC collateral, CRV borrowed (Aave governance, [ARC] 2022-11-23)."""
    says(DOC, "a user supplied USDC as collateral and borrowed CRV to short it")
    assert "CRV-collateralised" not in reading_text(DOC)


def test_exercise_prompts_use_the_snapshot(reserves):
    ws, us, w = reserves.loc["wstETH"], reserves.loc["USDC"], reserves.loc["WETH"]
    says(DOC, f"You deposit 5 wstETH at $2,400 (LTV {pct(ws.ltv)}, LT {pct(ws.liquidation_threshold)}) and 4,000 USDC "
              f"(LTV {pct(us.ltv)}, LT {pct(us.liquidation_threshold)})")
    says(DOC, f"You hold 8 ETH as collateral (LT {pct(w.liquidation_threshold)})")
    says(DOC, f"USDC's curve on 2023-10-31 was $U^* = {tex_pct(us.optimal_usage)}$, base {us.base_rate:g}, slope1 "
              f"{pct(us.slope1)}, slope2 {pct(us.slope2)}, reserve factor {pct(us.reserve_factor)}.")
    says(DOC, f"You have $50,000 of WETH (LTV {pct(w.ltv)})")


def test_exercise_solutions():
    hf1 = col.health_factor([5 * 2_400, 4_000], [0.81, 0.80], 10_000)
    says(DOC, f"= (9{{,}}720 + 3{{,}}200)/10{{,}}000 = {hf1:.3f}$")
    says(DOC, f"P_{{\\text{{liq}}}} = 12{{,}}000 / (8 \\times 0.83) = {fmt_usd(col.liquidation_price(8, 12_000, 0.83), 2).replace(',', '{,}')}$")
    hf3 = col.health_factor(18_000, 0.83, 16_000)
    assert col.close_factor(hf3) == 1.0
    r = col.liquidate(10, 1_800, 16_000, 0.05, protocol_fee=0.10)
    says(DOC, f"18{{,}}000 \\times 0.83 / 16{{,}}000 = {hf3:.3f} \\le 0.95$")
    says(DOC, f"= {r.collateral_seized:.4f}$ WETH, of which the bonus is ${r.collateral_seized:.4f} - "
              f"{r.collateral_seized / 1.05:.4f} = {r.bonus_collateral:.4f}$ WETH; the protocol takes 10 % of it, "
              f"{r.protocol_collateral:.4f} WETH. The liquidator receives {r.liquidator_collateral:.4f} WETH.")
    b = rates.borrow_rate(0.95, 0.90, 0.0, 0.035, 0.60)
    s = rates.supply_rate(0.95, 0.90, 0.0, 0.035, 0.60, 0.10)
    says(DOC, f"= {b:.3f}$. Supply rate $= {b:.3f} \\times 0.95 \\times (1 - 0.10) = {s:.4f}$, i.e. {100 * s:.2f} %.")
    says(DOC, f"0.805 - 30{{,}}000 = {fmt_usd(col.max_borrow(50_000, 0.805, debt_usd=30_000)).replace(',', '{,}')}$")


# --- the worked liquidation on Aave v3.0.2's own Pool (protocol lab) ----------------------------

def test_worked_liquidation_on_the_pool_matches_the_model():
    """The chapter's table: Aave's Pool beside the model; the largest difference is the one it quotes."""
    import numpy as np

    lab = pytest.importorskip("defi_helpers.lab.differential")
    df = lab.worked_liquidation(collateral_eth=10, debt_usdc=16_000, entry_price=2_000, price_after=1_900)
    assert list(df.columns) == ["Aave v3.0.2 Pool", "model", "difference"]
    pool = df["Aave v3.0.2 Pool"]
    assert pool["debt repaid (USDC)"] == 8_000  # the 50 % close factor, applied by the Pool itself
    says(DOC, "The Pool applies the 50 % close factor itself")
    assert pool["health factor before"] == pytest.approx(0.985625, abs=1e-15)
    largest = df["difference"].abs().max()
    seized = pool["collateral seized (WETH)"]
    says(DOC, f"the largest difference in the table is {largest:.1e} WETH, one step of the model's "
              f"double-precision floats at {seized:.1f} WETH")
    assert largest <= np.spacing(seized)  # one float step (ulp) at the amount seized
    says(DOC, "Alice's 10 WETH and 16,000 USDC loan, the oracle moved from $2,000 to $1,900")
