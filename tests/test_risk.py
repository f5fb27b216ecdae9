"""Tests for defi_helpers.risk: worked numbers, invariants, Monte Carlo, bad input.

Worked numbers (WE29 of the reference sheet) were computed by hand from the
textbook GBM formulas with the standard library's ``statistics.NormalDist``,
independently of the scipy-based code under test.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from defi_helpers import risk
from defi_helpers.data import load
from defi_helpers.exercises import check
from defi_helpers.exercises.risk import ANSWERS

_N = NormalDist()


def _bench():
    path = Path(__file__).resolve().parent / "benchmarks" / "bench_risk.py"
    spec = importlib.util.spec_from_file_location("bench_risk", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------- WE29: closed forms


@pytest.mark.parametrize("days, terminal, first_passage", [
    (1, 5.5416562616539267e-08, 1.1042551119333499e-07),
    (7, 0.025070695459632697, 0.04913012554334997),
    (30, 0.19537712054743056, 0.3683585640762937),
])
def test_liquidation_probabilities_we29(days, terminal, first_passage):
    """WE29: sigma = 80 %/yr, mu = 0, HF 1.25 (barrier K = 0.8 S0), T = days/365.
    Terminal Phi((b - nu T)/(sigma sqrt T)), b = ln 0.8, nu = -0.32; first passage
    adds exp(2 nu b / sigma^2) Phi((b + nu T)/(sigma sqrt T)). Values from
    statistics.NormalDist: 1 d 5.54e-8 / 1.10e-7; 7 d 2.507 % / 4.913 %;
    30 d 19.54 % / 36.84 %."""
    assert risk.prob_liquidation_terminal(1.25, 0.8, days) == pytest.approx(terminal, rel=1e-9)
    assert risk.prob_liquidation_first_passage(1.25, 0.8, days) == pytest.approx(first_passage,
                                                                                 rel=1e-9)


def test_var_we29():
    """WE29: 1-day 99 % VaR of $10,000 of ETH at 80 %: 10,000 (1 - exp(-0.32/365
    - 0.8 sqrt(1/365) 2.3263)) = $936.14, i.e. 23.4 % of a $4,000 equity (the
    position is financed by a $6,000 stable loan); 10-day: $2,715.34."""
    one = risk.var_gbm(10_000, 0.8, 1)
    assert one == pytest.approx(936.1398874721772, rel=1e-9)
    assert one / 4_000 == pytest.approx(0.23403, abs=1e-5)
    assert risk.var_gbm(10_000, 0.8, 10) == pytest.approx(2715.3448772850243, rel=1e-9)


def test_reflection_principle_without_drift():
    """With nu = 0 (mu = sigma^2/2) first passage is exactly twice the terminal probability."""
    sigma = 0.6
    mu = sigma ** 2 / 2
    t = risk.prob_liquidation_terminal(1.3, sigma, 45, mu=mu)
    assert risk.prob_liquidation_first_passage(1.3, sigma, 45, mu=mu) == pytest.approx(2 * t)


def test_closed_forms_edge_cases():
    assert risk.prob_liquidation_first_passage(0.99, 0.5, 10) == 1.0       # already liquidatable
    assert risk.prob_liquidation_terminal(math.inf, 0.5, 10) == 0.0         # no debt
    assert risk.prob_liquidation_first_passage(math.inf, 0.5, 10) == 0.0
    # extreme negative drift: the reflected term must not overflow
    p = risk.prob_liquidation_first_passage(1.5, 0.2, 365, mu=-5.0)
    assert 0.99 < p <= 1.0


def test_closed_forms_vectorise():
    hf = np.array([1.1, 1.5, 2.0])
    p = risk.prob_liquidation_first_passage(hf, 0.8, 30)
    assert isinstance(p, np.ndarray) and p.shape == (3,)
    assert np.all(np.diff(p) < 0)                       # safer with a bigger buffer
    grid = risk.prob_liquidation_terminal(1.3, np.array([[0.4], [0.8]]), np.array([7, 30, 90]))
    assert grid.shape == (2, 3)
    assert np.all(np.diff(grid, axis=1) > 0)            # longer horizon, more risk
    assert np.all(grid[1] > grid[0])                    # more volatility, more risk


@settings(max_examples=200, deadline=None)
@given(hf=st.floats(1.0001, 10.0), sigma=st.floats(0.01, 3.0), days=st.floats(0.1, 3650.0),
       mu=st.floats(-2.0, 2.0))
def test_first_passage_at_least_terminal(hf, sigma, days, mu):
    """Property (issue 6): first-passage probability >= terminal probability."""
    t = risk.prob_liquidation_terminal(hf, sigma, days, mu)
    f = risk.prob_liquidation_first_passage(hf, sigma, days, mu)
    assert 0.0 <= t <= 1.0 and 0.0 <= f <= 1.0
    assert f >= t - 1e-12


@settings(max_examples=100, deadline=None)
@given(v=st.floats(1.0, 1e9), sigma=st.floats(0.01, 2.0), days=st.floats(0.5, 365.0),
       c=st.floats(0.5, 0.999))
def test_var_matches_a_hand_formula(v, sigma, days, c):
    """VaR_c = V (1 - exp(nu T - sigma sqrt T z_c)) with the stdlib's inverse CDF."""
    t = days / 365
    expected = v * (1 - math.exp(-0.5 * sigma ** 2 * t - sigma * math.sqrt(t) * _N.inv_cdf(c)))
    assert risk.var_gbm(v, sigma, days, confidence=c) == pytest.approx(expected, rel=1e-9,
                                                                      abs=1e-9 * v)


# -------------------------------------------------------------- Monte Carlo


@pytest.mark.parametrize("hf, sigma, days, mu, seed", [
    (1.25, 0.8, 30, 0.0, 1),
    (1.5, 0.8, 365, 0.0, 2),
    (1.1, 0.3, 90, 0.1, 3),
    (2.0, 1.2, 180, -0.2, 4),
])
def test_monte_carlo_agrees_with_closed_forms(hf, sigma, days, mu, seed):
    """Property (issue 6): the seeded vectorised Monte Carlo agrees with both closed
    forms within 4 standard errors (terminal: exact GBM increments; first passage:
    Brownian-bridge crossing probabilities between daily points)."""
    r = risk.monte_carlo_liquidation(hf, sigma, days, mu=mu, n_paths=40_000, seed=seed,
                                     progress=False)
    t = risk.prob_liquidation_terminal(hf, sigma, days, mu)
    f = risk.prob_liquidation_first_passage(hf, sigma, days, mu)
    assert abs(r.prob_terminal - t) <= 4 * r.se_terminal
    assert abs(r.prob_first_passage - f) <= 4 * r.se_first_passage
    assert r.prob_discrete <= r.prob_first_passage + 1e-12   # daily checks miss dips
    assert r.prob_terminal <= r.prob_discrete


@settings(max_examples=8, deadline=None)
@given(hf=st.floats(1.05, 3.0), sigma=st.floats(0.2, 1.5), days=st.integers(5, 60),
       seed=st.integers(0, 10_000))
def test_monte_carlo_agrees_within_standard_error_random(hf, sigma, days, seed):
    r = risk.monte_carlo_liquidation(hf, sigma, days, n_paths=20_000, seed=seed, progress=False)
    f = risk.prob_liquidation_first_passage(hf, sigma, days)
    t = risk.prob_liquidation_terminal(hf, sigma, days)
    assert abs(r.prob_first_passage - f) <= 4.5 * r.se_first_passage + 1e-4
    assert abs(r.prob_terminal - t) <= 4.5 * r.se_terminal + 1e-4


def test_discrete_monitoring_is_biased_low():
    """Without the bridge, daily checks underestimate the continuous probability
    (Broadie-Glasserman-Kou): the shortfall is many standard errors."""
    r = risk.monte_carlo_liquidation(1.25, 0.8, 30, n_paths=40_000, seed=5, bridge=False,
                                     progress=False)
    f = risk.prob_liquidation_first_passage(1.25, 0.8, 30)
    assert r.prob_first_passage == r.prob_discrete
    assert f - r.prob_first_passage > 10 * r.se_first_passage


def test_monte_carlo_is_seeded_and_chunk_independent():
    a = risk.monte_carlo_liquidation(1.3, 0.7, 20, n_paths=5_000, seed=11, chunk_paths=5_000)
    b = risk.monte_carlo_liquidation(1.3, 0.7, 20, n_paths=5_000, seed=11, chunk_paths=777)
    c = risk.monte_carlo_liquidation(1.3, 0.7, 20, n_paths=5_000, seed=12)
    assert a.prob_first_passage == pytest.approx(b.prob_first_passage, rel=1e-12)
    np.testing.assert_allclose(a.terminal_log_return, b.terminal_log_return, rtol=1e-12)
    assert a.prob_terminal != c.prob_terminal or a.prob_first_passage != c.prob_first_passage


def test_monte_carlo_var_matches_closed_form():
    """The 1 % quantile of simulated 10-day log-returns gives the closed-form VaR."""
    r = risk.monte_carlo_liquidation(1.25, 0.8, 10, n_paths=100_000, seed=3, progress=False)
    var_mc = 10_000 * (1 - math.exp(np.quantile(r.terminal_log_return, 0.01)))
    assert var_mc == pytest.approx(risk.var_gbm(10_000, 0.8, 10), rel=0.02)


def test_progress_bar_when_asked(capsys):
    risk.monte_carlo_liquidation(1.3, 0.7, 5, n_paths=2_000, chunk_paths=500, progress=True)
    assert "Monte Carlo" in capsys.readouterr().err


def test_pure_python_reference_agrees():
    """The benchmark's plain-Python loop estimates the same probabilities."""
    p_t, p_f = _bench().monte_carlo_python(1.25, 0.8, 30, n_paths=20_000, seed=0)
    assert p_t == pytest.approx(risk.prob_liquidation_terminal(1.25, 0.8, 30), abs=0.012)
    assert p_f == pytest.approx(risk.prob_liquidation_first_passage(1.25, 0.8, 30), abs=0.012)


def test_gbm_paths_shape_and_start():
    paths = risk.simulate_gbm_paths(2_000, 0.8, 30, n_paths=50, seed=2)
    assert paths.shape == (50, 31)
    assert np.all(paths[:, 0] == 2_000)
    assert np.all(paths > 0)


# -------------------------------------------------------------------- cascade


def test_sample_positions():
    q, d = risk.sample_positions(1_000, 1e8, 2_000, liquidation_threshold=0.8, hf_median=1.6,
                                 seed=1)
    hf = q * 2_000 * 0.8 / d
    assert d.sum() == pytest.approx(1e8)
    assert hf.min() > 1.0
    assert np.median(hf) == pytest.approx(1.6, rel=0.05)


def test_no_cascade_when_every_position_survives_the_shock():
    """HF >= 1/(1 - shock) for everyone: nobody is liquidated, the price stays put."""
    q, d = risk.sample_positions(500, 1e7, 2_000, hf_median=3.0, hf_spread=0.1, seed=2)
    assert (q * 2_000 * 0.83 / d * 0.9).min() > 1
    r = risk.simulate_cascade(q, d, 2_000, shock=0.10, pool_depth_usd=1e7)
    assert r.converged and r.rounds == 0
    assert r.final_price == pytest.approx(1_800.0)
    assert r.amplification == pytest.approx(1.0)


def test_single_position_cascade_by_hand():
    """One position, 10 ETH, $16,000 debt, LT 0.83, ETH $2,000 -> $1,900 (-5 %):
    HF = 10*1900*0.83/16000 = 0.98563 > 0.95, so 50 % is repaid: $8,000 for
    8000*1.05/1900 = 4.42105 ETH, sold into a 10,000 ETH / $19M pool (0.3 % fee)."""
    r = risk.simulate_cascade([10.0], [16_000.0], 2_000.0, shock=0.05, pool_depth_usd=2e7)
    seized = 8_000 * 1.05 / 1_900
    base, quote = math.sqrt(2e7 * 1e4 / 1_900), math.sqrt(2e7 * 1e4 * 1_900)
    eff = seized * 0.997
    p1 = (quote - eff * quote / (base + eff)) / (base + seized)
    assert r.collateral_sold[0] == pytest.approx(seized)
    assert r.debt_repaid_usd[0] == pytest.approx(8_000.0)
    assert r.prices[1] == pytest.approx(p1)
    assert r.converged and r.bad_debt_usd == 0.0


def test_cascade_matches_pure_python_loop():
    q, d = risk.sample_positions(3_000, 3e8, 2_000, seed=7)
    for shock, depth in ((0.1, 5e8), (0.25, 2e8), (0.4, 1e8)):
        r = risk.simulate_cascade(q, d, 2_000, shock, depth)
        prices, bad = _bench().cascade_python(q, d, 2_000, shock, depth)
        np.testing.assert_allclose(r.prices, prices, rtol=1e-12)
        assert r.bad_debt_usd == pytest.approx(bad, rel=1e-9, abs=1e-6)


def test_deeper_pools_dampen_cascades():
    q, d = risk.sample_positions(2_000, 2e8, 2_000, seed=42)
    drops = [risk.simulate_cascade(q, d, 2_000, 0.2, depth).total_drop
             for depth in (1e8, 5e8, 1e9, 3e9, 1e10)]
    assert all(a >= b - 1e-12 for a, b in zip(drops, drops[1:]))
    assert drops[0] > 0.5 and drops[-1] < 0.25


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), seed=st.integers(0, 10_000), shock=st.floats(0.0, 0.9),
       depth=st.floats(1e5, 1e10), med=st.floats(1.01, 3.0), bonus=st.floats(0.0, 0.15),
       sell=st.floats(0.0, 1.0))
def test_cascades_never_raise_the_price(n, seed, shock, depth, med, bonus, sell):
    """Property (issue 6): prices only fall, round after round; debt is conserved
    (repaid + written off + outstanding = initial)."""
    q, d = risk.sample_positions(n, 1e8, 2_000, hf_median=med, seed=seed)
    r = risk.simulate_cascade(q, d, 2_000, shock, depth, liquidation_bonus=bonus,
                              sell_fraction=sell)
    assert np.all(np.diff(r.prices) <= 1e-12 * 2_000)
    assert r.final_price <= 2_000 * (1 - shock) * (1 + 1e-12)
    assert r.total_drop >= r.shock_drop - 1e-12
    assert r.amplification >= 1 - 1e-9
    assert r.bad_debt_usd >= 0
    assert r.total_debt_repaid_usd + r.bad_debt_usd <= d.sum() * (1 + 1e-9)


def test_cascade_frame():
    q, d = risk.sample_positions(300, 3e7, 2_000, seed=1)
    r = risk.simulate_cascade(q, d, 2_000, 0.2, 2e7)
    df = r.to_frame()
    assert list(df.columns) == ["round", "price", "collateral_sold", "debt_repaid_usd",
                                "n_liquidated"]
    assert len(df) == r.rounds + 1 and df["price"].iloc[0] == pytest.approx(1_600.0)


# -------------------------------------------------------------------- oracles


def test_push_oracle_by_hand():
    """0.5 % deviation, 1 h heartbeat: +0.3 % is not reported, +0.6 % is, and a
    quiet hour triggers a heartbeat round."""
    t = risk.push_oracle([100, 100.3, 100.6, 100.6, 100.6], [0, 60, 120, 3_000, 3_720], 0.005,
                         3_600)
    assert t["updated"].tolist() == [True, False, True, False, True]
    assert t["reported"].tolist() == [100.0, 100.0, 100.6, 100.6, 100.6]
    assert t["staleness_s"].tolist() == [0, 60, 0, 2_880, 0]
    assert t["error"].iloc[1] == pytest.approx(100 / 100.3 - 1)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 1_000), dev=st.floats(0.001, 0.05), hb=st.floats(60.0, 86_400.0))
def test_push_oracle_bounds(seed, dev, hb):
    """Between rounds the market never strays beyond the deviation threshold from
    the reported price, and no report is older than the heartbeat."""
    paths = risk.simulate_gbm_paths(2_000, 0.8, 2, n_paths=1, steps_per_day=720, seed=seed)[0]
    times = np.arange(paths.size) * 120.0
    t = risk.push_oracle(paths, times, dev, hb)
    stale = ~t["updated"]
    assert np.all(np.abs(t["price"][stale] / t["reported"][stale] - 1) < dev)
    assert t["staleness_s"].max() < hb


def test_aggregate_oracle():
    assert risk.aggregate_oracle([1.00, 1.001, 1.30]) == (1.001, False)
    med, ok = risk.aggregate_oracle([2_000, 2_004, 1_998], max_spread=0.01)
    assert med == 2_000 and ok


# ------------------------------------------------------- bad debt and stress


def test_bad_debt():
    """Bad debt = max(0, D - C/(1+b)): $1,000 vs $1,000 at 5 % -> 47.62."""
    assert risk.bad_debt_usd(1_000, 1_000, 0.05) == pytest.approx(1_000 - 1_000 / 1.05)
    assert risk.bad_debt_usd(2_000, 1_000) == 0.0
    np.testing.assert_allclose(risk.bad_debt_usd([0, 500, 5_000], 1_000, 0.0), [1_000, 500, 0])


def test_looped_position_and_buffer_table():
    """HF of a loop at entry = LT L/(L-1); L = HF/(HF - LT)."""
    q, d = risk.looped_position(10_000, 3, 2_000)
    assert (q, d) == (15.0, 20_000.0)
    assert q * 2_000 * 0.83 / d == pytest.approx(0.83 * 3 / 2)
    t = risk.hf_buffer_tradeoff(np.array([1.05, 1.1, 1.3, 1.8]), 0.83, 0.03, 0.02, 0.05, 30)
    assert t["leverage"].tolist() == pytest.approx([1.05 / 0.22, 1.1 / 0.27, 1.3 / 0.47, 1.8 / 0.97])
    assert np.all(np.diff(t["net_apy"]) < 0) and np.all(np.diff(t["prob_liquidation"]) < 0)


def test_stress_test_position():
    """Looped 3x at $2,000 (HF 1.245): a 10 % fall is survivable; a 30 % fall
    (HF 0.8715 <= 0.95) is liquidated in full: debt $20,000 repaid with
    20,000*1.05/1,400 = 15 ETH -- all the collateral, and no bad debt by a hair."""
    q, d = risk.looped_position(10_000, 3, 2_000)
    t = risk.stress_test_position(q, d, 2_000, [0.0, 0.1, 0.3, 0.5])
    assert t["liquidations"].tolist()[:2] == [0, 0]
    assert t["hf_after_shock"].iloc[2] == pytest.approx(15 * 1_400 * 0.83 / 20_000)
    assert t["equity_after_usd"].iloc[2] == pytest.approx(0.0, abs=1e-6)
    assert t["bad_debt_usd"].iloc[3] > 0
    ok = t["bad_debt_usd"] == 0
    lost = t["equity_before_usd"] - t["equity_after_usd"]
    np.testing.assert_allclose(lost[ok], t["liquidation_penalty_usd"][ok], atol=1e-6)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("call, name", [
    (lambda: risk.prob_liquidation_terminal(0, 0.8, 30), "health_factor"),
    (lambda: risk.prob_liquidation_terminal(1.2, 0, 30), "sigma"),
    (lambda: risk.prob_liquidation_first_passage(1.2, 0.8, 0), "days"),
    (lambda: risk.prob_liquidation_first_passage(1.2, 0.8, 30, mu=float("nan")), "mu"),
    (lambda: risk.var_gbm(1_000, 0.8, 1, confidence=1.0), "confidence"),
    (lambda: risk.var_gbm(-1, 0.8, 1), "value"),
    (lambda: risk.monte_carlo_liquidation(1.0, 0.8, 30), "health_factor"),
    (lambda: risk.monte_carlo_liquidation(1.2, 0.8, 30, n_paths=1), "n_paths"),
    (lambda: risk.monte_carlo_liquidation(1.2, 0.8, 30, chunk_paths=0), "chunk_paths"),
    (lambda: risk.simulate_gbm_paths(2_000, 0.8, 365, n_paths=100_000), "n_paths"),
    (lambda: risk.simulate_cascade([1.0], [1.0], 2_000, 1.0, 1e6), "shock"),
    (lambda: risk.simulate_cascade([1.0, 2.0], [1.0], 2_000, 0.1, 1e6), "collateral_amount"),
    (lambda: risk.simulate_cascade([1.0], [1.0], 2_000, 0.1, 0), "pool_depth_usd"),
    (lambda: risk.push_oracle([1, 2], [0, 0], 0.01, 60), "times_s"),
    (lambda: risk.push_oracle([1, 2], [0, 1], 0.01, 0), "heartbeat_s"),
    (lambda: risk.hf_buffer_tradeoff([0.8], 0.83, 0.03, 0.02, 0.5, 30), "health_factors"),
    (lambda: risk.bad_debt_usd(1, 1, liquidation_bonus=1.0), "liquidation_bonus"),
    (lambda: risk.looped_position(1_000, 0.5, 2_000), "leverage"),
    (lambda: risk.stress_test_position(1, 1, 1, [1.0]), "shocks"),
    (lambda: risk.sample_positions(0, 1e6, 2_000), "n_positions"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- the dataset


def test_liquidation_events_dataset():
    df = load("liquidation_events")
    assert {"date", "event", "liquidated_usd_low", "liquidated_usd_high", "bad_debt_usd",
            "source_url"} <= set(df)
    assert df["date"].is_monotonic_increasing
    assert (df["liquidated_usd_high"] >= df["liquidated_usd_low"]).all()
    comp = df[df["event"].str.contains("Compound")].iloc[0]
    assert comp["liquidated_usd_low"] == 85_200_000 and comp["confidence"] == "A"
    assert df.attrs["meta"].as_of == "2024-08-05"


# --------------------------------------------------------------- self-checks


def test_exercises_are_computed_and_checkable():
    assert len(ANSWERS) >= 4
    for number, expected in ANSWERS.items():
        assert math.isfinite(expected.value)
        assert check(f"risk.{number}", expected.value).correct
        for wrong, _why in expected.mistakes:
            assert not check(f"risk.{number}", wrong).correct


# ----------------------------------------------------------------- benchmark


def test_benchmark_runs_small():
    res = _bench().run(n_paths=2_000, days=30, n_positions=2_000)
    assert res["cascade_same_result"]
    assert res["mc_numpy_s"] > 0 and res["mc_python_s"] > 0
    assert res["mc_speedup"] > 1


# ------------------------------------------------- input contracts (issue 14)


def test_vanishing_volatility_gives_the_deterministic_limit():
    """sigma -> 0: the log-price moves by (mu - sigma^2/2) t exactly; no NaN."""
    assert risk.prob_liquidation_first_passage(1.25, 1e-300, 30) == 0.0
    assert risk.prob_liquidation_first_passage(1.25, 1e-300, 365, mu=-1.0) == 1.0   # log 0.8 > -1
    assert risk.prob_liquidation_first_passage(1.25, 1e-300, 30, mu=-1.0) == 0.0    # -30/365 > log 0.8


@pytest.mark.parametrize("call, name", [
    (lambda: risk.monte_carlo_liquidation(1.25, 0.8, 30, n_paths=10**15), "n_paths"),
    (lambda: risk.monte_carlo_liquidation(1.25, 0.8, 365, n_paths=1_000_000), "n_paths"),
    (lambda: risk.monte_carlo_liquidation(1.25, 0.8, 365, n_paths=1_000, steps_per_day=1_440), "steps_per_day"),
    (lambda: risk.monte_carlo_liquidation(1.25, 0.8, 1e15, n_paths=1_000), "days"),
    (lambda: risk.monte_carlo_liquidation(1.25, 0.8, 1, n_paths=100_000, chunk_paths=1), "chunk_paths"),
    (lambda: risk.monte_carlo_liquidation(1.25, 0.8, 30, n_paths=1_000, bridge="no"), "bridge"),
    (lambda: risk.monte_carlo_liquidation(1.25, 1e300, 30, n_paths=1_000), "sigma"),
    (lambda: risk.simulate_gbm_paths(2_000, 0.8, 1e300, n_paths=3), "steps_per_day"),
    (lambda: risk.simulate_gbm_paths(2_000, 0.8, 30, n_paths=3, seed=1.5), "seed"),
    (lambda: risk.simulate_gbm_paths(2_000, 0.8, 30, n_paths=3, seed=True), "seed"),
    (lambda: risk.sample_positions(100, 1e9, 2_000.0, size_spread=1e15), "size_spread"),
    (lambda: risk.sample_positions(10**15, 1e9, 2_000.0), "n_positions"),
    (lambda: risk.simulate_cascade([1.0], [1_500.0], 2_000, 0.5, 1e-300), "pool_depth_usd"),
    (lambda: risk.looped_position(1e308, 3, 2_000), "equity_usd"),
    (lambda: risk.stress_test_position(1e308, 1.0, 1e308, [0.1]), "collateral_amount"),
    (lambda: risk.var_gbm(1_000, 0.8, 1, mu=1e15), "mu"),
])
def test_sizes_overflow_and_flags_are_named_errors(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_monte_carlo_chunks_are_cut_to_fit_memory_without_changing_the_stream():
    """9,000 paths x 500 steps exceed the 4 M draws a chunk may hold; the result does not depend on it."""
    a = risk.monte_carlo_liquidation(1.3, 0.7, 500, n_paths=9_000, seed=5, progress=False)
    b = risk.monte_carlo_liquidation(1.3, 0.7, 500, n_paths=9_000, seed=5, chunk_paths=3_000, progress=False)
    assert a.prob_terminal == b.prob_terminal
    assert a.prob_first_passage == pytest.approx(b.prob_first_passage, rel=1e-12)  # sums in another order
    np.testing.assert_array_equal(a.terminal_log_return, b.terminal_log_return)


def test_stress_test_documents_inf_health_factor_without_debt():
    t = risk.stress_test_position(5.0, 0.0, 2_000, [0.0, 0.5])
    assert np.isinf(t["hf_after_shock"]).all() and (t["liquidations"] == 0).all()


def test_result_records_validate_on_construction():
    r = risk.simulate_cascade(*risk.sample_positions(200, 2e7, 2_000.0, seed=1), 2_000.0, 0.3, 2e7)
    kw = {f: getattr(r, f) for f in ("price_start", "prices", "collateral_sold", "debt_repaid_usd",
                                     "n_liquidated", "bad_debt_usd", "converged", "liquidation_threshold")}
    assert risk.CascadeResult(**kw).final_price == r.final_price
    assert risk.CascadeResult(**kw).n_liquidated.dtype.kind == "i"
    with pytest.raises(ValueError, match="prices"):
        risk.CascadeResult(**{**kw, "price_start": kw["prices"][0] / 2})
    with pytest.raises(ValueError, match="collateral_sold"):
        risk.CascadeResult(**{**kw, "collateral_sold": kw["collateral_sold"][:-1]})
    with pytest.raises(ValueError, match="converged"):
        risk.CascadeResult(**{**kw, "converged": "no"})
    with pytest.raises(ValueError, match="n_liquidated"):
        risk.CascadeResult(**{**kw, "n_liquidated": kw["n_liquidated"] + 0.5})
    m = risk.monte_carlo_liquidation(1.25, 0.8, 5, n_paths=1_000, progress=False)
    with pytest.raises(ValueError, match="prob_terminal"):
        risk.MonteCarloResult(**{**m.__dict__, "prob_terminal": float("nan")})
    with pytest.raises(ValueError, match="terminal_log_return"):
        risk.MonteCarloResult(**{**m.__dict__, "terminal_log_return": []})
