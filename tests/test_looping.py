"""Tests for defi_helpers.looping: worked numbers, invariants, bad input, dataset, exercises."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from defi_helpers import looping as lp
from defi_helpers.data import load
from defi_helpers.exercises import check
from defi_helpers.exercises.looping import ANSWERS

ltvs = st.floats(min_value=0.0, max_value=0.99)
levs = st.floats(min_value=1.0001, max_value=100.0)
lts = st.floats(min_value=0.05, max_value=1.0)
rates = st.floats(min_value=-0.5, max_value=1.0)


# --- worked examples ------------------------------------------------------------

@pytest.mark.parametrize("ltv,loops,expected", [
    (0.80, 0, 1.0), (0.80, 1, 1.8), (0.80, 3, 2.952), (0.80, 5, 3.68928), (0.80, 10, 4.5705032704),
    (0.93, 1, 1.93), (0.93, 3, 3.599257), (0.93, 5, 5.0429973793), (0.93, 10, 7.855663633189),
])
def test_leverage_after_loops_we12(ltv, loops, expected):
    """WE12 (defi-math.md §3): x_n = sum_{k=0..n} L^k.

    L = 0.8: 1 + 0.8 = 1.8; 1 + .8 + .64 + .512 = 2.952; (1 - .8**6)/.2 = 3.68928;
    (1 - .8**11)/.2 = 4.5705032704. L = 0.93: 1.93; 1 + .93 + .8649 + .804357 = 3.599257;
    adding .74805201 + .6956883693 gives 5.0429973793; n = 10 by direct summation.
    """
    assert lp.leverage_after_loops(ltv, loops) == pytest.approx(expected, rel=1e-10)
    assert lp.leverage_after_loops(ltv, loops) == pytest.approx(sum(ltv ** k for k in range(loops + 1)))


def test_max_leverage_we12():
    """WE12 limits: 1/(1-0.8) = 5 and 1/(1-0.93) = 14.2857..."""
    assert lp.max_leverage(0.80) == pytest.approx(5.0)
    assert lp.max_leverage(0.93) == pytest.approx(100 / 7)
    assert lp.max_leverage(0.0) == 1.0


def test_ltvs_behind_three_to_five_x():
    """$1M -> $3M-$5M of exposure needs LTVs of 2/3 and 0.8 in the limit (x = 1/(1-L))."""
    assert lp.ltv_for_leverage(3) == pytest.approx(2 / 3)
    assert lp.ltv_for_leverage(5) == pytest.approx(0.8)
    assert lp.max_leverage(lp.ltv_for_leverage(4.2)) == pytest.approx(4.2)


def test_net_apy_we13():
    """WE13: x=10, r_s=3 %, r_b=2 % -> 10*.03 - 9*.02 = 0.12; break-even r_b = .03*10/9;
    x=3, r_s=4 %, r_b=6 % -> .12 - .12 = 0."""
    assert lp.net_apy(10, 0.03, 0.02) == pytest.approx(0.12)
    assert lp.break_even_borrow_apy(10, 0.03) == pytest.approx(0.03 * 10 / 9)
    assert lp.net_apy(3, 0.04, 0.06) == pytest.approx(0.0, abs=1e-15)


def test_net_apy_joule_example():
    """Joule Finance docs, "Leverage Yield Loops": 8x, stAPT APY 9 %, borrow 1 %.
    From the formula: 8*0.09 - 7*0.01 = 0.65 (65 % on equity)."""
    assert lp.net_apy(8, 0.09, 0.01) == pytest.approx(0.65)


def test_net_apy_incentives():
    """Incentives per unit supplied/borrowed: 5*(0.03+0.01) - 4*(0.035-0.005) = 0.08."""
    assert lp.net_apy(5, 0.03, 0.035, supply_incentive_apy=0.01,
                      borrow_incentive_apy=0.005) == pytest.approx(0.08)


def test_looped_health_factor_we14():
    """WE14: x=10, LT .95 -> HF = .95*10/9 = 1.05556; price drop 1 - 9/(10*.95) = 0.052632.
    At the E-Mode limit x = 1/(1-.93), HF = LT/LTV = .95/.93 = 1.021505."""
    assert lp.looped_health_factor(10, 0.95) == pytest.approx(0.95 * 10 / 9)
    assert lp.price_drop_to_liquidation(10, 0.95) == pytest.approx(1 - 9 / 9.5)
    assert lp.looped_health_factor(lp.max_leverage(0.93), 0.95) == pytest.approx(0.95 / 0.93)
    assert lp.looped_health_factor(1, 0.95) == math.inf


def test_hf_drift_we14():
    """WE14: HF0 = .95/.93 with y - r_b = -2 %/yr reaches 1 after ln(.95/.93)/.02 = 1.06387 yr."""
    t = lp.years_to_liquidation(0.95 / 0.93, 0.03, 0.05)
    assert t == pytest.approx(math.log(0.95 / 0.93) / 0.02)
    assert t == pytest.approx(1.063870, rel=1e-6)
    assert lp.health_factor_drift(0.95 / 0.93, 0.03, 0.05, t) == pytest.approx(1.0)
    assert lp.years_to_liquidation(1.2, 0.05, 0.03) == math.inf
    assert lp.years_to_liquidation(0.99, 0.03, 0.05) == 0.0


def test_flash_loan_loop_we15():
    """WE15: E = 10 ETH, x = 10, premium 5 bps: flash 90, fee 0.045, debt 90.045,
    collateral 100, LTV 0.90045, HF at LT .95 = 95/90.045 = 1.055028."""
    p = lp.flash_loan_loop(10, 10, 0.0005)
    assert p.collateral == pytest.approx(100)
    assert p.fees == pytest.approx(0.045)
    assert p.debt == pytest.approx(90.045)
    assert p.ltv == pytest.approx(0.90045)
    assert p.health_factor(0.95) == pytest.approx(95 / 90.045)
    assert p.leverage == pytest.approx(10)
    assert p.transactions == 1


def test_flash_loan_loop_rejects_leverage_above_max_ltv():
    """Aave reverts a borrow above the LTV: x = 15 at E-Mode LTV .93 needs LTV 14/15 > .93."""
    with pytest.raises(ValueError, match="max_ltv"):
        lp.flash_loan_loop(10, 15, 0.0005, max_ltv=0.93)
    assert lp.flash_loan_loop(10, 14, 0.0, max_ltv=0.93).ltv == pytest.approx(13 / 14)


def test_iterative_loop_counts_transactions_and_gas():
    """One supply plus a borrow and a supply per loop: 1 + 2n transactions."""
    p = lp.iterative_loop(10, 0.9, 5, gas_cost_per_tx=0.002)
    assert p.transactions == 11
    assert p.fees == pytest.approx(0.022)
    assert p.collateral == pytest.approx(10 * sum(0.9 ** k for k in range(6)))
    assert p.debt == pytest.approx(p.collateral - 10)


def test_tokenlogic_leverage_at_hf():
    """TokenLogic, ARFC "LRT and wstETH Unification" (bgd-labs/aave-proposals-v3
    src/20250430_Multi_LRTAndWstETHUnification): at HF 1.01, LT 96.5 % supports 22.44x and
    LT 95 % 16.83x. x = HF/(HF - LT): 1.01/.045 = 22.444, 1.01/.06 = 16.833."""
    assert lp.leverage_for_health_factor(1.01, 0.965) == pytest.approx(22.44, abs=0.005)
    assert lp.leverage_for_health_factor(1.01, 0.95) == pytest.approx(16.83, abs=0.005)


def test_market_oracle_liquidation_ratio_we23():
    """WE23: liquidation market ratio (x-1)/(x*LT): x=2, LT .75 -> 2/3; x=3 -> 8/9."""
    assert lp.liquidation_price_ratio(2, 0.75) == pytest.approx(2 / 3)
    assert lp.liquidation_price_ratio(3, 0.75) == pytest.approx(8 / 9)


def test_unwind_equity_june_2022():
    """A 10x loop (100 collateral, 90 debt) sold at 0.94 keeps 94 - 90 = 4 of its 10 equity."""
    assert lp.unwind_equity(100, 90, 0.94, 0.0) == pytest.approx(4.0)
    assert lp.unwind_equity(100, 90, 1.0, 0.0005) == pytest.approx(100 - 90 * 1.0005)


def test_loops_to_reach():
    """Fewest loops: L=.8 reaches 4.5 at n=10 (4.5705) but not at n=9 (4.4631)."""
    assert lp.loops_to_reach(0.8, 4.5) == 10
    assert lp.loops_to_reach(0.8, 1.0) == 0
    assert lp.loops_to_reach(0.93, 10) == 16


def test_vectorised_shapes():
    out = lp.leverage_after_loops(np.array([0.5, 0.8]), np.array([[0], [1], [2]]))
    assert out.shape == (3, 2)
    assert out[2, 1] == pytest.approx(2.44)
    hf = lp.looped_health_factor(np.array([1.0, 2.0, 4.0]), 0.9)
    assert hf[0] == math.inf and hf[1] == pytest.approx(1.8) and hf[2] == pytest.approx(1.2)


# --- properties -----------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(ltv=ltvs, n=st.integers(min_value=0, max_value=300))
def test_leverage_increases_with_loops_and_stays_below_limit(ltv, n):
    a = lp.leverage_after_loops(ltv, n)
    b = lp.leverage_after_loops(ltv, n + 1)
    assert b >= a
    if ltv > 0:
        assert b > a or b == pytest.approx(lp.max_leverage(ltv))
    assert b <= lp.max_leverage(ltv) * (1 + 1e-12)


@settings(max_examples=200, deadline=None)
@given(x1=levs, x2=levs, w=st.floats(0, 1), rs=rates, rb=rates)
def test_net_apy_is_linear_in_leverage(x1, x2, w, rs, rb):
    mixed = lp.net_apy(w * x1 + (1 - w) * x2, rs, rb)
    assert mixed == pytest.approx(w * lp.net_apy(x1, rs, rb) + (1 - w) * lp.net_apy(x2, rs, rb),
                                  rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(1.1, 100.0), rs=st.floats(0.0, 0.5))
def test_zero_return_at_break_even(x, rs):
    assert lp.net_apy(x, rs, lp.break_even_borrow_apy(x, rs)) == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(x1=levs, x2=levs, lt=lts)
def test_hf_falls_as_leverage_rises(x1, x2, lt):
    lo, hi = sorted((x1, x2))
    if hi - lo < 1e-9:
        return
    assert lp.looped_health_factor(lo, lt) > lp.looped_health_factor(hi, lt)


@settings(max_examples=200, deadline=None)
@given(x=levs, lt=lts)
def test_price_drop_brings_hf_to_one(x, lt):
    ratio = lp.liquidation_price_ratio(x, lt)
    assert lp.looped_health_factor(x, lt, ratio) == pytest.approx(1.0)
    assert lp.price_drop_to_liquidation(x, lt) == pytest.approx(1 - ratio)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(1.01, 60), lt=st.floats(0.5, 1.0))
def test_leverage_for_health_factor_inverts(x, lt):
    hf = lp.looped_health_factor(x, lt)
    assert lp.leverage_for_health_factor(hf, lt) == pytest.approx(x, rel=1e-8)


@settings(max_examples=200, deadline=None)
@given(ltv=st.floats(0.05, 0.95), frac=st.floats(0.0, 0.999))
def test_loops_to_reach_is_minimal(ltv, frac):
    target = 1 + frac * (lp.max_leverage(ltv) - 1)
    n = lp.loops_to_reach(ltv, target)
    assert lp.leverage_after_loops(ltv, n) >= target - 1e-12
    if n > 0:
        assert lp.leverage_after_loops(ltv, n - 1) < target


@settings(max_examples=100, deadline=None)
@given(e=st.floats(0.1, 1e6), x=st.floats(1.0, 20.0))
def test_flash_loop_without_premium_has_debt_x_minus_one(e, x):
    p = lp.flash_loan_loop(e, x, 0.0)
    assert p.collateral - p.debt == pytest.approx(e)
    assert p.leverage == pytest.approx(x)


# --- bad input --------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: lp.max_leverage(1.0), "ltv"),
    (lambda: lp.max_leverage(-0.1), "ltv"),
    (lambda: lp.leverage_after_loops(0.8, -1), "loops"),
    (lambda: lp.leverage_after_loops(0.8, 2.5), "loops"),
    (lambda: lp.leverage_after_loops(1.2, 2), "ltv"),
    (lambda: lp.leverage_after_loops(0.8, np.array([1, 2.5])), "loops"),
    (lambda: lp.net_apy(0.5, 0.03, 0.02), "leverage"),
    (lambda: lp.net_apy(2, float("nan"), 0.02), "supply_apy"),
    (lambda: lp.break_even_borrow_apy(1.0, 0.03), "leverage"),
    (lambda: lp.looped_health_factor(2, 0.0), "liquidation_threshold"),
    (lambda: lp.looped_health_factor(2, 0.9, 0.0), "price_ratio"),
    (lambda: lp.leverage_for_health_factor(0.9, 0.95), "health_factor"),
    (lambda: lp.loops_to_reach(0.8, 5.0), "target_leverage"),
    (lambda: lp.flash_loan_loop(0, 3), "equity"),
    (lambda: lp.flash_loan_loop(1, 3, -0.01), "flash_premium"),
    (lambda: lp.iterative_loop(1, 0.8, "3"), "loops"),
    (lambda: lp.years_to_liquidation(0, 0.03, 0.05), "initial_health_factor"),
    (lambda: lp.health_factor_drift(1.1, 0.03, 0.05, -1), "years"),
    (lambda: lp.unwind_equity(100, -1), "debt"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- dataset and exercises --------------------------------------------------------

def test_emode_dataset_loads_with_metadata():
    df = load("aave_emode_categories")
    assert {"date", "ltv", "liquidation_threshold", "liquidation_bonus", "label"} <= set(df.columns)
    assert (df["ltv"] < df["liquidation_threshold"]).all()
    assert ((df["liquidation_threshold"] > 0) & (df["liquidation_threshold"] < 1)).all()
    assert set(df["confidence"]) <= {"A", "B", "C"}
    meta = df.attrs["meta"]
    assert meta.as_of == "2025-05-19" and meta.sources
    core = df[(df["market"] == "Aave v3 Ethereum Core") & (df["emode_id"] == 1)].sort_values("date")
    assert core.iloc[0][["ltv", "liquidation_threshold"]].tolist() == [0.90, 0.93]
    assert core.iloc[-1][["ltv", "liquidation_threshold"]].tolist() == [0.93, 0.95]
    assert core.iloc[-1]["borrowable_assets"] == "WETH"
    pt = df[df["label"].str.startswith("PT-sUSDe")].iloc[0]
    assert (pt["ltv"], pt["liquidation_threshold"], pt["liquidation_bonus"]) == (0.874, 0.894, 0.046)


def test_module_constants_match_dataset():
    df = load("aave_emode_categories")
    latest = df[(df["market"] == "Aave v3 Ethereum Core") & (df["emode_id"] == 1)].sort_values("date").iloc[-1]
    assert lp.ETH_CORRELATED_EMODE_LTV == latest["ltv"]
    assert lp.ETH_CORRELATED_EMODE_LT == latest["liquidation_threshold"]


def test_exercises_accept_their_answers_and_catch_slips():
    assert len(ANSWERS) >= 4
    for number, expected in ANSWERS.items():
        assert check(f"looping.{number}", expected.value)
        for wrong, _ in expected.mistakes:
            fb = check(f"looping.{number}", wrong)
            assert not fb, f"looping.{number}: the slip {wrong} was accepted"


# --- explorers and tables -----------------------------------------------------------

def test_looping_explorers_build_static_and_live():
    from defi_helpers.explorers import looping as ex
    for factory in (ex.leverage_loops_explorer, ex.net_apy_explorer, ex.liquidation_distance_explorer):
        e = factory()
        assert not e.compute().empty
        assert e.static_chart().to_dict()["params"]          # sliders exist and the grid fits the budget
        e.chart_for()


def test_explorer_tables_agree_with_the_models():
    from defi_helpers.charts.looping import SERIES
    from defi_helpers.explorers import looping as ex
    t = ex.leverage_table(0.8)
    assert set(t["series"]) == set(SERIES)
    assert t["limit"].iloc[0] == pytest.approx(5.0)
    assert f"{ex.WSTETH_LTV_2023:.1%}".replace("%", " %") in SERIES[1]
    assert "wstETH" in SERIES[1]
    assert f"{lp.ETH_CORRELATED_EMODE_LTV:.0%}".replace("%", " %") in SERIES[2]
    a = ex.net_apy_table(0.03, 0.02)
    assert a.loc[a["leverage"] == 10, "net_apy"].item() == pytest.approx(0.12)
    assert np.isnan(a.loc[a["leverage"] == 1, "break_even_borrow_apy"].item())
    d = ex.liquidation_distance_table(0.95)
    assert d.loc[d["leverage"] == 10, "price_drop"].item() == pytest.approx(1 - 9 / 9.5)


def test_loop_cost_table_flash_is_cheaper():
    """33 transactions by hand (16 loops at LTV .93 to reach 10x) against one flash loan."""
    from defi_helpers.explorers.looping import loop_cost_table
    t = loop_cost_table(10, 0.93, 10, gas_cost_per_tx=0.003)
    assert t.loc["loops by hand", "transactions"] == 33
    assert t.loc["loops by hand", "fees and gas"] == pytest.approx(0.099)
    assert t.loc["flash loan turned into debt", "fees and gas"] == pytest.approx(0.003)
    assert t["leverage (x)"].nunique() == 1


# --- errata (issue 11): the liquidating fall is 1 - 1/HF, not 1/x; the collateral's LTV caps a loop ---

def test_liquidating_fall_is_one_minus_inverse_hf_not_one_over_x():
    """Erratum: the fall that liquidates a 10x loop at LT 95 % is 1 - 1/HF = 1 - 9/9.5 = 5.26 %,
    not "about 1/x" = 10 % (1/x is the fall that wipes out the equity). Exact form
    d = 1/(x LT) - (1 - LT)/LT; it reaches 0 at x = 1/(1 - LT) = 20x."""
    x, lt = 10, 0.95
    d = lp.price_drop_to_liquidation(x, lt)
    assert d == pytest.approx(1 - 1 / lp.looped_health_factor(x, lt))
    assert d == pytest.approx(1 / (x * lt) - (1 - lt) / lt)
    assert d == pytest.approx(0.0526315789)
    assert lp.equity_wipeout_drop(x) == pytest.approx(0.1)
    assert lp.equity_wipeout_drop(x) / d == pytest.approx(1.9)
    assert lp.price_drop_to_liquidation(1 / (1 - lt), lt) == pytest.approx(0.0, abs=1e-12)


@given(levs, lts)
def test_liquidating_fall_never_exceeds_equity_wipeout(x, lt):
    """1 - 1/HF <= 1/x for every LT <= 1, with equality only at LT = 1."""
    assert lp.price_drop_to_liquidation(x, lt) <= lp.equity_wipeout_drop(x) + 1e-12


def test_wsteth_loop_outside_emode_is_capped_by_wsteth_ltv():
    """Erratum: a wstETH-collateral loop outside E-Mode is capped by wstETH's LTV, 78.5 % on
    2023-10-31 (BGD report ltv 7850) -> 1/(1 - .785) = 4.65x, not by WETH's 80.5 % (5.13x)."""
    from defi_helpers.explorers.looping import WSTETH_LTV_2023
    r = load("aave_v3_ethereum_reserves").set_index("asset")
    assert WSTETH_LTV_2023 == r.loc["wstETH", "ltv"] == 0.785
    assert lp.max_leverage(WSTETH_LTV_2023) == pytest.approx(4.651, abs=5e-4)


def test_june_2022_marker_matches_dataset():
    """The liquidation-distance chart marks the stETH/ETH intraday low of 2022-06-13 from steth_eth_2022."""
    from defi_helpers.charts.looping import STETH_ETH_LOW_2022
    d = load("steth_eth_2022").set_index("date")
    assert d.loc["2022-06-13", "steth_eth"] == STETH_ETH_LOW_2022
    assert d.loc["2022-06-13", "kind"] == "intraday_low"


def test_equity_wipeout_drop_rejects_bad_leverage():
    with pytest.raises(ValueError, match="leverage"):
        lp.equity_wipeout_drop(0.5)


# --- input contracts (issue 14) ---------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: lp.flash_loan_loop(1e308, 3), "equity"),            # overflow: a ValueError, not an inf/NaN LTV
    (lambda: lp.iterative_loop(1, 0.5, 3, gas_cost_per_tx=1e308), "gas_cost_per_tx"),
    (lambda: lp.leverage_after_loops(0.8, True), "loops"),
    (lambda: lp.leverage_after_loops(0.8, lp.MAX_LOOPS + 1), "loops"),
    (lambda: lp.ltv_for_leverage_after_loops(3, 2), "loops"),    # 2 loops reach at most 3x
    (lambda: lp.flash_loan_loop(10, 3, max_ltv=float("nan")), "max_ltv"),
    (lambda: lp.net_apy([2, 3], [0.03, 0.03, 0.03], 0.02), "supply_apy"),
    (lambda: lp.leverage_for_health_factor(0.9, 1.0), "liquidation_threshold"),
    (lambda: lp.LoopPosition(1e-300, 1e300, 1.0, 0.0, 1), "equity"),  # leverage would be inf
    (lambda: lp.LoopPosition(1.0, 2.0, 1.0, 0.0, 0), "transactions"),
])
def test_contract_refuses_with_the_parameter_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_loops_to_reach_one_needs_no_loop_even_at_ltv_zero():
    """x = 1 is reached with 0 loops at any LTV; at LTV 0 it used to be refused as 'the limit'."""
    assert lp.loops_to_reach(0.0, 1.0) == 0 and lp.loops_to_reach(0.8, 1.0) == 0
    with pytest.raises(ValueError, match="target_leverage"):
        lp.loops_to_reach(0.0, 1.5)


def test_documented_infinities_only():
    assert lp.looped_health_factor(1, 0.95) == math.inf
    assert lp.years_to_liquidation(1.2, 0.05, 0.03) == math.inf
    assert lp.iterative_loop(1, 0.5, 0).health_factor(0.95) == math.inf
    assert type(lp.flash_loan_loop(10, 10).health_factor(0.95)) is float
