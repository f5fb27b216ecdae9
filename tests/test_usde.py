"""Tests for defi_helpers.usde: worked numbers, invariants, Monte Carlo, bad input, datasets, exercises.

Worked examples WE16-WE18 of shared/reference/defi-math.md §4 give inputs only;
the expected values are derived in each docstring from the cited source
(Ethena's docs and the StakedUSDe contract of the Code4rena audit snapshot).
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from defi_helpers import usde as u
from defi_helpers.data import load
from defi_helpers.exercises import check
from defi_helpers.exercises.usde import ANSWERS

prices = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


# --- WE16: delta-neutral backing (docs.ethena.fi "Delta-Neutral Examples") --------

def test_we16_inverse_perp_eth_falls_to_ten_cents():
    """1 USDe = $1 of ETH + short 1 ETHUSD inverse perp, ETH $1 -> $0.10.

    Perp value in ETH = $1 / $0.1 = 10 ETH; PnL = 10 - 1 = +9 ETH; coins held
    = 1 + 9 = 10 ETH; worth 10 x $0.1 = $1 (the docs' numbers).
    """
    t = u.delta_neutral_table([0.1], entry_price=1.0, collateral_coin=1.0).iloc[0]
    assert t["perp_value_coin"] == pytest.approx(10.0)
    assert t["perp_pnl_coin"] == pytest.approx(9.0)
    assert t["total_coin"] == pytest.approx(10.0)
    assert t["total_usd"] == pytest.approx(1.0)


def test_we16_inverse_perp_eth_rises_to_100():
    """ETH $1 -> $100: perp worth $1/$100 = 0.01 ETH; PnL = 0.01 - 1 = -0.99 ETH;
    coins held 1 - 0.99 = 0.01 ETH, worth 0.01 x $100 = $1."""
    t = u.delta_neutral_table([100.0], entry_price=1.0).iloc[0]
    assert t["perp_value_coin"] == pytest.approx(0.01)
    assert t["perp_pnl_coin"] == pytest.approx(-0.99)
    assert t["total_coin"] == pytest.approx(0.01)
    assert t["total_usd"] == pytest.approx(1.0)


def test_we16_linear_perp_times_ten_and_tenth():
    """Linear (USDT-margined): 1 ETH at $3,000 + short 1 ETH. At $300 the short
    gains $2,700 and the ETH is worth $300; at $30,000 the short loses $27,000
    and the ETH is worth $30,000: $3,000 either way."""
    t = u.delta_neutral_table([300.0, 30_000.0], entry_price=3_000.0, contract="linear")
    assert t["perp_pnl_usd"].tolist() == pytest.approx([2_700.0, -27_000.0])
    assert t["total_usd"].tolist() == pytest.approx([3_000.0, 3_000.0])


def test_unhedged_collateral_is_not_neutral():
    """Sanity check of the test itself: without the short, 1 ETH at $3,000 -> $300 is worth $300."""
    t = u.delta_neutral_table([300.0], entry_price=3_000.0, contract="linear").iloc[0]
    assert t["collateral_usd"] == pytest.approx(300.0)
    assert t["collateral_usd"] != pytest.approx(t["total_usd"])


@settings(max_examples=200, deadline=None)
@given(p0=prices, ratio=st.floats(min_value=1e-3, max_value=1e3), q=st.floats(min_value=1e-3, max_value=1e4),
       kind=st.sampled_from(["inverse", "linear"]))
def test_backing_value_is_invariant_to_price(p0, ratio, q, kind):
    """Property: collateral + equal short perp is worth collateral x entry price at any price
    (prices from 1/1000 to 1000 times the entry; beyond that float cancellation, not the hedge, limits it)."""
    v = u.delta_neutral_backing_usd(p0 * ratio, p0, q, contract=kind)
    assert v == pytest.approx(q * p0, rel=1e-9)


def test_backing_vectorised_over_prices():
    v = u.delta_neutral_backing_usd(np.array([0.1, 1.0, 10.0]) * 3_000, 3_000.0, 2.0)
    assert isinstance(v, np.ndarray) and v.shape == (3,)
    assert np.allclose(v, 6_000.0)


# --- funding ---------------------------------------------------------------------

def test_binance_baseline_funding_annualises_to_10_95_percent():
    """Binance's interest component is 0.01 % per 8 hours (support article
    360033525031): 0.0001 x 3 x 365 = 0.1095 a year (simple)."""
    assert u.annualize_funding(u.BINANCE_BASELINE_FUNDING_RATE) == pytest.approx(0.1095)
    assert u.annualize_funding(0.0001, compound=True) == pytest.approx(1.0001 ** 1095 - 1)


def test_funding_sign_convention():
    """Positive rate: longs pay shorts; negative: shorts pay longs."""
    assert u.funding_payment(1e6, 0.0001) == pytest.approx(100.0)
    assert u.funding_payment(1e6, 0.0001, side="long") == pytest.approx(-100.0)
    assert u.funding_payment(1e6, -0.0002) == pytest.approx(-200.0)


# --- WE17: sUSDe vesting (StakedUSDe.getUnvestedAmount) -----------------------------

def test_we17_unvested_two_hours_after_one_million():
    """unvested = (8h - 2h) x 1,000,000 / 8h = 6/8 x 1,000,000 = 750,000 USDe."""
    assert u.susde_unvested(1_000_000, 2 * 3600) == 750_000.0


def test_vesting_boundaries():
    """At dt = 0 nothing has vested; at dt >= VESTING_PERIOD the contract returns 0."""
    assert u.SUSDE_VESTING_PERIOD_S == 28_800
    assert u.susde_unvested(500.0, 0) == 500.0
    assert u.susde_unvested(500.0, 28_800) == 0.0
    assert u.susde_unvested(500.0, 10**7) == 0.0
    assert u.susde_unvested([100.0, 100.0], [3600 * 4, 3600 * 6]).tolist() == [50.0, 25.0]


def test_total_assets_and_share_price():
    """totalAssets = balance - unvested: 101m held with 1m of rewards 2h old -> 100.25m;
    with 90m sUSDe the share price is 100.25/90 USDe."""
    ta = u.susde_total_assets(101e6, 1e6, 7200)
    assert ta == pytest.approx(100.25e6)
    assert u.susde_share_price(ta, 90e6) == pytest.approx(100.25 / 90)


@settings(max_examples=200, deadline=None)
@given(amount=st.floats(0, 1e9), t1=st.floats(0, 40_000), t2=st.floats(0, 40_000))
def test_share_price_never_falls_while_rewards_vest(amount, t1, t2):
    """Property: totalAssets (so the share price) is non-decreasing in time since a distribution."""
    lo, hi = sorted((t1, t2))
    a_lo = u.susde_total_assets(1e9 + amount, amount, lo)
    a_hi = u.susde_total_assets(1e9 + amount, amount, hi)
    assert a_hi >= a_lo - 1e-6


def test_vested_rewards_schedule_and_still_vesting_error():
    """Two 100-USDe transfers 8h apart vest continuously: 0, 50, 100, 150, 200 at 0..16h."""
    t = np.arange(0, 5) * 4 * 3600
    assert u.susde_vested_rewards(t, [100, 100], [0, 28_800]).tolist() == [0, 50, 100, 150, 200]
    with pytest.raises(ValueError, match="distribution_times_s"):
        u.susde_vested_rewards(0, [100, 100], [0, 3600])  # StakedUSDe reverts StillVesting


def test_total_assets_cannot_be_below_unvested():
    with pytest.raises(ValueError, match="usde_balance"):
        u.susde_total_assets(100.0, 1_000.0, 0)


# --- WE18: first distribution (mirror.xyz "Reserve Fund & sUSDe Distribution Update") -------

def test_we18_weekly_yield_compounds_to_stated_apy():
    """$2.415m of yield on an average $435m: weekly rate 0.555 %, (1.00555)^52 - 1 = 33.36 %.
    Ethena stated 33.26 %; the inputs are rounded, so agree within 0.15 percentage points."""
    apy = u.weekly_yield_apy(2.415e6, 435e6)
    assert apy == pytest.approx((1 + 2.415 / 435) ** 52 - 1)
    assert abs(apy - 0.3326) < 0.0015


def test_we18_split_between_susde_and_reserve():
    """44 % staked: sUSDe got 0.44 x 2.415 = $1.063m (stated $1.07m), the reserve fund the rest,
    $1.352m (stated $1.35m). With reserve_take = 1 - staked share, sUSDe earns the protocol rate."""
    to_susde = 0.44 * 2.415e6
    assert to_susde == pytest.approx(1.07e6, rel=0.01)
    assert 2.415e6 - to_susde == pytest.approx(1.35e6, rel=0.01)
    assert u.susde_apr(0.3326, 0.44, reserve_take=0.56) == pytest.approx(0.3326)


def test_susde_apr_concentrates_revenue_on_stakers():
    """6 % on all USDe, 40 % staked, 10 % to the reserve: 0.06 x 0.9 / 0.4 = 13.5 %."""
    assert u.susde_apr(0.06, 0.40, 0.10) == pytest.approx(0.135)


@settings(max_examples=200, deadline=None)
@given(f=st.floats(-1, 1), s=st.floats(0, 0.1), k=st.floats(0.01, 1), take=st.floats(0, 1))
def test_susde_never_bears_negative_revenue(f, s, k, take):
    """Property: negative protocol revenue is not passed to sUSDe (the reserve fund pays)."""
    assert u.susde_apy(f, s, k, reserve_take=take) >= 0.0


def test_protocol_apr_components():
    """0.5 x 8 % funding + 0.1 x 3 % staking + 0.5 x 4 % stables = 6.3 %."""
    assert u.protocol_apr(0.08, 0.03, hedged_share=0.5, lst_share=0.1, stable_apr=0.04) == pytest.approx(0.063)
    assert u.apr_to_apy(0.10) == pytest.approx((1 + 0.10 / 52) ** 52 - 1)


# --- reserve fund Monte Carlo -----------------------------------------------------

def test_reserve_paths_constant_negative_funding():
    """-10 %/yr funding on $1bn for 1 day (3 periods) costs 1e9 x 0.10 / 365 = $273,972.60."""
    r = u.reserve_fund_paths([[-0.10] * 3], supply_usd=1e9, reserve_usd=10e6)
    assert r.shape == (1, 4)
    assert r[0, -1] == pytest.approx(10e6 - 1e9 * 0.10 / 365)
    assert np.all(np.diff(r[0]) < 0)


def test_reserve_paths_positive_revenue_and_take():
    """Positive revenue adds only reserve_take of itself: 20 % of 1e9 x 0.10/1095 per period."""
    r = u.reserve_fund_paths([[0.10] * 3], supply_usd=1e9, reserve_usd=0.0, reserve_take=0.2)
    assert r[0, -1] == pytest.approx(0.2 * 1e9 * 0.10 / 365)
    r0 = u.reserve_fund_paths([[0.10] * 3], supply_usd=1e9, reserve_usd=5.0)
    assert np.all(r0 == 5.0)


def test_simulation_is_seeded_and_reproducible():
    a = u.simulate_funding_paths(u.FUNDING_REGIMES["base"], days=20, n_paths=50, seed=3)
    b = u.simulate_funding_paths(u.FUNDING_REGIMES["base"], days=20, n_paths=50, seed=3)
    c = u.simulate_funding_paths(u.FUNDING_REGIMES["base"], days=20, n_paths=50, seed=4)
    assert a.shape == (50, 60)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_simulated_funding_matches_regime_long_run_mean():
    """With 2,000 paths x 1 year the sample mean is within 1 pp of the regime's long-run mean."""
    reg = u.FUNDING_REGIMES["base"]
    f = u.simulate_funding_paths(reg, days=365, n_paths=2000, seed=11)
    assert f.mean() == pytest.approx(reg.long_run_mean_apr, abs=0.01)
    assert reg.long_run_mean_apr == pytest.approx(0.0785, abs=0.001)  # Ethena's "7.8-9 %" band


def test_progress_bar_option_does_not_change_numbers():
    reg = u.FUNDING_REGIMES["bear_2022"]
    a = u.simulate_funding_paths(reg, days=5, n_paths=10, seed=1, progress=True)
    b = u.simulate_funding_paths(reg, days=5, n_paths=10, seed=1, progress=False)
    assert np.array_equal(a, b)


def test_bigger_reserve_is_never_depleted_more_often():
    """Same seed, same paths: the balance shifts by the reserve, so P(depleted) can only fall."""
    small = u.simulate_reserve_fund("bear_2022", reserve_usd=20e6, days=120, n_paths=300, seed=5)
    big = u.simulate_reserve_fund("bear_2022", reserve_usd=200e6, days=120, n_paths=300, seed=5)
    assert big.p_depleted <= small.p_depleted
    assert small.p_any_draw == big.p_any_draw
    assert 0.0 <= small.p_depleted <= small.p_any_draw <= 1.0


def test_harsher_regime_draws_more():
    base = u.simulate_reserve_fund("base", days=180, n_paths=400, seed=2)
    severe = u.simulate_reserve_fund("severe", days=180, n_paths=400, seed=2)
    assert severe.draw_period_share > base.draw_period_share
    assert np.median(severe.max_drawdown_usd) > np.median(base.max_drawdown_usd)
    s = base.summary()
    assert isinstance(s, pd.Series) and s["P(fund depleted)"] == base.p_depleted
    assert base.daily_paths_usd.shape == (200, 181)


# --- bad input ---------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: u.susde_unvested(-1, 0), "vesting_amount"),
    (lambda: u.susde_unvested(1, -5), "seconds_since_distribution"),
    (lambda: u.susde_unvested(1, 5, vesting_period_s=0), "vesting_period_s"),
    (lambda: u.delta_neutral_backing_usd(0.0, 1.0), "price"),
    (lambda: u.delta_neutral_backing_usd(1.0, 1.0, contract="quanto"), "contract"),
    (lambda: u.annualize_funding(1.5), "rate_per_period"),
    (lambda: u.susde_apr(0.05, 0.0), "staked_fraction"),
    (lambda: u.protocol_apr(0.05, hedged_share=0.3, lst_share=0.5), "lst_share"),
    (lambda: u.susde_share_price(1.0, 0.5), "total_supply"),
    (lambda: u.FundingRegime(persistence=1.0), "persistence"),
    (lambda: u.simulate_reserve_fund("boom"), "regime"),
    (lambda: u.simulate_funding_paths(u.FUNDING_REGIMES["base"], n_paths=0), "n_paths"),
    (lambda: u.weekly_yield_apy(1.0, 0.0), "average_supply_usd"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_error_message_states_value_and_range():
    with pytest.raises(ValueError, match=r"staked_fraction must be in \(0, 1\]; got 1.5"):
        u.susde_apr(0.05, 1.5)


# --- datasets ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["usde_supply", "susde_apy", "ethena_reserve_fund", "funding_rates_eth"])
def test_datasets_load_with_metadata(name):
    df = load(name)
    m = df.attrs["meta"]
    assert len(df) >= 5
    assert m.sources and all(s["url"].startswith("http") for s in m.sources)
    assert set(df["confidence"]) <= {"A", "B", "C"}
    if "date" in df:
        assert pd.api.types.is_datetime64_any_dtype(df["date"])
        assert df["date"].is_monotonic_increasing


def test_dataset_values_from_primary_sources():
    """Ethena's May 2025 governance update: $5.22B supply, 46 % staked, reserve $61.1M, APY 7.10 %."""
    sup = load("usde_supply").set_index("date")
    assert sup.loc["2025-05-28", "supply_usd_bn"] == 5.22
    assert sup.loc["2025-05-28", "staked_fraction"] == 0.46
    rf = load("ethena_reserve_fund").set_index("date")
    assert rf.loc["2025-05-28", "reserve_fund_usd_m"] == 61.1
    apy = load("susde_apy")
    assert apy.loc[apy["date"] == "2025-05-28", "apy"].item() == pytest.approx(0.071)
    assert ((apy["apy"] > 0) & (apy["apy"] < 1)).all()


# --- exercises --------------------------------------------------------------------------

def test_exercises_accept_their_answers_and_catch_slips():
    assert len(ANSWERS) >= 4
    for number, expected in ANSWERS.items():
        assert check(f"usde.{number}", expected.value)
        for wrong, _ in expected.mistakes:
            fb = check(f"usde.{number}", wrong)
            assert not fb and "Not quite" in fb.message


def test_exercise_values():
    """Ex 1: N/P = 3000/2000 = 1.5 ETH. Ex 2: 0.000125 x 1095 = 13.6875 %. Ex 3: 3/8 x 600,000."""
    assert ANSWERS["1"].value == pytest.approx(1.5)
    assert ANSWERS["2"].value == pytest.approx(0.136875)
    assert ANSWERS["3"].value == pytest.approx(225_000)
    assert ANSWERS["4"].value == pytest.approx(0.135)
    assert math.isclose(ANSWERS["5"].value, 0.3336, abs_tol=5e-4)


# --- issue 11: funding rule, APY method, reading the APY backwards -----------------

def test_binance_funding_rate_clamp():
    """Binance article 360033525031: F = P + clamp(I - P, -0.05 %, +0.05 %), I = 0.01 %."""
    assert u.binance_funding_rate(0.0) == pytest.approx(0.0001)
    assert u.binance_funding_rate(-0.0004) == pytest.approx(0.0001)   # within the clamp: exactly I
    assert u.binance_funding_rate(0.002) == pytest.approx(0.0015)     # far above: P - 0.05 %
    assert u.binance_funding_rate(-0.001) == pytest.approx(-0.0005)   # far below: P + 0.05 %
    out = u.binance_funding_rate(np.array([0.0, 0.002]))
    assert out.shape == (2,)
    with pytest.raises(ValueError, match="clamp"):
        u.binance_funding_rate(0.0, clamp=-0.1)


def test_weekly_yield_apy_bounds_exclude_the_published_figure():
    """33.26 % (Ethena) is outside what $2.415m / $435m rounded allow: 33.31-33.41 %."""
    lo, hi = u.weekly_yield_apy_bounds(2.415e6, 435e6, 500, 0.5e6)
    assert lo < u.weekly_yield_apy(2.415e6, 435e6) < hi
    assert round(lo, 4) == 0.3331 and round(hi, 4) == 0.3341
    assert not lo <= 0.3326 <= hi
    with pytest.raises(ValueError, match="average_supply_usd"):
        u.weekly_yield_apy_bounds(1.0, 1.0, 0.0, 2.0)


def test_daily_matched_apy():
    """docs.ethena.fi 'sUSDe Rewards Mechanism': each day's earnings over that day's backing."""
    backing = np.full(7, 435e6)
    earnings = np.full(7, 2.415e6 / 7)
    # constant backing: identical to total / average
    assert u.daily_matched_apy(earnings, backing) == pytest.approx(u.weekly_yield_apy(2.415e6, 435e6))
    # a backing 0.27 % above supply alone brings 33.36 % down to about 33.26 %
    assert u.daily_matched_apy(earnings, backing * 1.00265) == pytest.approx(0.3326, abs=2e-5)
    # mismatched lengths are refused by the contract's shape check (issue 14), naming both arrays
    with pytest.raises(ValueError, match="daily_earnings_usd and daily_backing_usd must have matching lengths"):
        u.daily_matched_apy(earnings[:6], backing)
    with pytest.raises(ValueError, match="daily_backing_usd"):
        u.daily_matched_apy(earnings, backing * 0)


def test_protocol_apr_from_susde_apy_inverts_susde_apr():
    for apy, k, take in ((0.071, 0.46, 0.0), (0.20, 0.3, 0.1)):
        p = u.protocol_apr_from_susde_apy(apy, k, take)
        assert u.apr_to_apy(u.susde_apr(p, k, reserve_take=take)) == pytest.approx(apy)
    assert u.protocol_apr_from_susde_apy(0.071, 0.46) < 0.071 * 0.46   # compounding removed first
    with pytest.raises(ValueError, match="staked_fraction"):
        u.protocol_apr_from_susde_apy(0.07, 0.0)


# --- input contracts (issue 14) ------------------------------------------------------

@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("call, name", [
    (lambda: u.annualize_funding(0.0001, compound="no"), "compound"),     # 'no' was truthy
    (lambda: u.annualize_funding(0.0001, compound=1), "compound"),
    (lambda: u.weekly_yield_apy(2.415e6, average_supply_usd=1.0), "average_supply_usd"),  # was OverflowError
    (lambda: u.weekly_yield_apy(2.415e6, 435e6, weeks_per_year=True), "weeks_per_year"),
    (lambda: u.weekly_yield_apy_bounds(2.415e6, 435e6, 1e15, 0.5e6), "yield_half_step"),
    (lambda: u.weekly_yield_apy_bounds(2.415e6, 435e6, 500, 1e15), "supply_half_step"),
    (lambda: u.susde_apy(0.08, 0.03, 1e-300), "staked_fraction"),        # overflow reported against the caller
    (lambda: u.susde_total_assets(101e6, 1e15, 0), "vesting_amount"),
    (lambda: u.short_inverse_perp_pnl_coin(1e308, 1.0, [0.1, 1.0]), "notional_usd"),
    (lambda: u.delta_neutral_table([1.0], contract=None), "contract"),
    (lambda: u.funding_payment([1.0, 2.0], [0.1, 0.2, 0.3]), "funding_rate"),
    (lambda: u.susde_vested_rewards(np.zeros(50_000), np.ones(2_000), np.arange(2_000) * 1e5), "seconds"),
    (lambda: u.simulate_funding_paths(u.FUNDING_REGIMES["base"], days=3_650, n_paths=100_000), "n_paths"),
    (lambda: u.simulate_funding_paths("base", days=3), "regime"),
    (lambda: u.simulate_reserve_fund("base", days=30, n_paths=10, progress="no"), "progress"),
    (lambda: u.simulate_reserve_fund("base", days=30, n_paths=10, seed=True), "seed"),
    (lambda: u.FundingRegime(mean_stress_days=float("nan")), "mean_stress_days"),
])
def test_contract_errors_are_named_value_errors(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_vesting_and_results_stay_finite_and_exact():
    # amount x (share still vesting): no overflow for huge amounts, same numbers as (V - dt) * amount / V
    assert u.susde_unvested(1e308, 0) == 1e308
    assert u.susde_unvested(600_000, 5 * 3600) == 225_000.0
    r = u.simulate_reserve_fund("base", days=30, n_paths=20, seed=1)
    fields = {f: getattr(r, f) for f in r.__dataclass_fields__}
    for bad, name in (({"p_depleted": 1.0, "p_any_draw": 0.5}, "p_depleted"), ({"days": 1.5}, "days"),
                      ({"reserve_usd": float("nan")}, "reserve_usd"), ({"max_drawdown_usd": []}, "max_drawdown_usd")):
        with pytest.raises(ValueError, match=name):
            u.ReserveStressResult(**{**fields, **bad})


def test_funding_paths_same_numbers_in_c_order():
    """Paths are written one period (row) at a time and transposed: same draws, same values, C order."""
    f = u.simulate_funding_paths(u.FUNDING_REGIMES["base"], days=4, n_paths=3, seed=5)
    assert f.shape == (3, 12) and f.flags["C_CONTIGUOUS"]
    rng = np.random.default_rng(5)
    reg = u.FUNDING_REGIMES["base"]
    stressed = rng.random(3) < reg.stress_share
    noise = rng.standard_normal(3) * reg.noise_apr
    u_ = rng.random(3)
    stressed = np.where(stressed, u_ >= 1 / (reg.mean_stress_days * 3), u_ < 1 / (reg.mean_normal_days * 3))
    noise = reg.persistence * noise + reg.noise_apr * math.sqrt(1 - reg.persistence**2) * rng.standard_normal(3)
    np.testing.assert_array_equal(f[:, 0], np.where(stressed, reg.stress_mean_apr, reg.normal_mean_apr) + noise)
