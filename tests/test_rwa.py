"""Tests for defi_helpers.rwa, its datasets and its exercise self-checks."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from defi_helpers import data, looping, rwa
from defi_helpers.explorers.rwa import collateral_drift_table
from defi_helpers.exercises import check
from defi_helpers.exercises import rwa as rwa_exercises


# --------------------------------------------------------------------------
# Worked numbers from the issuers' documents
# --------------------------------------------------------------------------

def test_ondo_usdy_daily_rate_example():
    """Ondo USDY FAQ 'Economics & Fees': 4.00 % APY -> (1 + .04)^(1/365) - 1 = 0.01074598 % a day."""
    assert round(rwa.daily_rate_from_apy(0.04) * 100, 8) == pytest.approx(0.01074598, abs=1e-12)


def test_ondo_usdy_price_example():
    """Same page: $100.00000000 on June 1 at 4 % APY is $100.02149311 on June 3 (8 decimals).

    100 * (1 + d)^2 with d = 1.04^(1/365) - 1 = 100 * 1.04^(2/365) = 100.021493...
    """
    assert rwa.accruing_price(100.0, 0.04, 2, decimals=8) == 100.02149311
    # and the 30-day-style annualisation recovers the 4 % exactly (up to the 8-dp rounding)
    assert rwa.annualized_yield_from_prices(100.0, 100.02149311, 2) == pytest.approx(0.04, abs=2e-8)


def test_ousg_thirty_day_apy():
    """OUSG's stated 4.96 % APY (2024-08-12, 'annualizing the increase in price over the past 30 days').

    The 30-day price ratio behind it is 1.0496^(30/365) = 1.0039868...; annualising that
    ratio the same way must give back 4.96 %, while the simple APR reading gives less.
    """
    ratio = 1.0496 ** (30 / 365)
    assert ratio == pytest.approx(1.0039868, abs=1e-7)
    apy = rwa.annualized_yield_from_prices(100.0, 100.0 * ratio, rwa.ONDO_APY_WINDOW_DAYS)
    assert apy == pytest.approx(0.0496, abs=1e-12)
    assert (ratio - 1) * 365 / 30 < apy


def test_nav_per_token_and_vectorised_paths():
    assert rwa.nav_per_token(1_000_000, 10_000) == pytest.approx(100.0)
    p = rwa.accruing_price(1.0, 0.05, np.array([0, 365, 730]))
    np.testing.assert_allclose(p, [1.0, 1.05, 1.05**2])
    n = rwa.rebasing_balance(100.0, 0.05, [0, 365])
    np.testing.assert_allclose(n, [100.0, 105.0])


def test_buidl_monthly_distribution():
    """BUIDL pays daily accruals monthly in new tokens (Securitize, 2024-07-18; 4.88 % net).

    With d = 1.0488^(1/365) - 1: after 30 days the balance is 1e6 (1 + 30 d) and nothing is
    unpaid; after 29 days nothing has been paid and 29 d * 1e6 is accrued.
    """
    d = 1.0488 ** (1 / 365) - 1
    bal30, acc30 = rwa.distributed_balance(1e6, 0.0488, 30)
    assert bal30 == pytest.approx(1e6 * (1 + 30 * d))
    assert acc30 == pytest.approx(0.0)
    bal29, acc29 = rwa.distributed_balance(1e6, 0.0488, 29)
    assert bal29 == pytest.approx(1e6)
    assert acc29 == pytest.approx(29 * d * 1e6)


def test_token_design_paths_table():
    df = rwa.token_design_paths(1000, 0.05, 60)
    assert set(df.design) == {"accruing", "rebasing", "distributed"}
    assert len(df) == 3 * 61
    accruing = df[df.design == "accruing"]
    assert (accruing.tokens == 1000).all() and accruing.price_usd.is_monotonic_increasing
    rebasing = df[df.design == "rebasing"]
    assert (rebasing.price_usd == 1.0).all() and rebasing.tokens.is_monotonic_increasing
    np.testing.assert_allclose(accruing.value_usd.to_numpy(), rebasing.value_usd.to_numpy())


def test_days_to_exit_worked_example():
    """$50M redemptions, $10M buffer, $5M/day, T+1: 10M paid day 0; 40M needs 8 batches sold
    on days 0..7; the last settles on day 8."""
    assert rwa.days_to_exit(50e6, 10e6, 5e6, 1) == 8.0
    assert rwa.days_to_exit(10e6, 10e6, 5e6, 1) == 0.0
    np.testing.assert_allclose(rwa.days_to_exit([5e6, 12e6, 50e6], 10e6, 5e6, 2), [0, 2, 9])


def test_redemption_queue_day_by_day():
    q = rwa.redemption_queue(50e6, 10e6, 5e6, settlement_days=1)
    assert q.paid_usd.iloc[0] == pytest.approx(10e6)
    assert q.queue_usd.iloc[0] == pytest.approx(40e6)
    np.testing.assert_allclose(q.paid_usd.iloc[1:], 5e6)
    assert q.cumulative_paid_usd.iloc[-1] == pytest.approx(50e6)
    assert int(q.day.iloc[-1]) == 8


def test_redemption_queue_with_demand_schedule():
    """Demand 20M on day 0 and 20M on day 3, buffer 10M, 5M/day T+1: everything is paid by day 6."""
    q = rwa.redemption_queue([20e6, 0, 0, 20e6], 10e6, 5e6, settlement_days=1)
    assert q.cumulative_paid_usd.iloc[-1] == pytest.approx(40e6)
    assert (q.queue_usd >= 0).all()
    assert q.requested_usd.sum() == pytest.approx(40e6)
    # day 0: 10 paid; days 1-2: 5 each (queue empty by day 2); day 3 new 20 -> sold days 3..6, paid 4..7
    assert int(q.day.iloc[-1]) == 7


def test_horizon_collateral_drift():
    """Aave Horizon phase-one RWA collateral: LTV 75 %, LT 80 % (HorizonPhaseOneListing.sol).

    At max LTV, HF0 = 0.80 / 0.75 = 1.0667. With y = 4 %, r = 6 %:
    t = ln(1.0667) / ln(1.06 / 1.04) = 0.064539 / 0.019048 = 3.388 years, and HF(t) = 1.
    """
    hf0 = rwa.HORIZON_RWA_LIQUIDATION_THRESHOLD / rwa.HORIZON_RWA_LTV
    t = rwa.years_until_liquidation(hf0, 0.04, 0.06)
    assert t == pytest.approx(3.38817, abs=1e-4)
    assert hf0 * (1.04 / 1.06) ** t == pytest.approx(1.0)
    assert rwa.years_until_liquidation(0.99, 0.04, 0.06) == 0.0
    assert rwa.years_until_liquidation(1.5, 0.05, 0.05) == math.inf
    assert rwa.HORIZON_RWA_LIQUIDATION_BONUS == 0.12
    # the looping chapter's drift model, fed log(1 + APY), crosses 1 at the same time
    assert looping.health_factor_drift(hf0, math.log1p(0.04), math.log1p(0.06), t) == pytest.approx(1.0)
    table = collateral_drift_table(hf0, {"neg": (0.04, 0.06)}, years=[0.0, t])
    assert table.health_factor.tolist() == [pytest.approx(hf0), pytest.approx(1.0)]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 0.5), st.integers(0, 3650), st.floats(1.0, 1e7), st.floats(0.5, 200.0))
def test_rebasing_and_accruing_hold_the_same_value(apy, days, amount, p0):
    """Same yield, same money: tokens x price of the accruing token = balance of the rebasing one."""
    tokens = amount / p0
    accruing_value = tokens * rwa.accruing_price(p0, apy, days)
    rebasing_value = rwa.rebasing_balance(amount, apy, days)
    assert accruing_value == pytest.approx(rebasing_value, rel=1e-10)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 0.3), st.integers(0, 1000), st.integers(1, 90))
def test_in_kind_distribution_trails_daily_compounding(apy, days, interval):
    bal, unpaid = rwa.distributed_balance(1000.0, apy, days, interval)
    assert bal + unpaid <= rwa.rebasing_balance(1000.0, apy, days) * (1 + 1e-12) + 1e-9
    assert bal >= 1000.0 and unpaid >= 0


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 0.3), st.integers(0, 400))
def test_daily_payouts_equal_rebasing(apy, days):
    bal, unpaid = rwa.distributed_balance(1000.0, apy, days, 1)
    assert unpaid == 0.0
    assert bal == pytest.approx(rwa.rebasing_balance(1000.0, apy, days), rel=1e-10)


@settings(max_examples=200, deadline=None)
@given(st.floats(-0.5, 1.0), st.floats(1.0, 400.0), st.floats(0.01, 1e4))
def test_annualised_yield_inverts_accruing_price(apy, days, p0):
    p1 = rwa.accruing_price(p0, apy, days)
    assert rwa.annualized_yield_from_prices(p0, p1, days) == pytest.approx(apy, rel=1e-7, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(st.floats(0, 2e8), st.floats(0, 5e7), st.floats(1e5, 2e7), st.integers(1, 5))
def test_queue_simulation_matches_closed_form(withdrawal, buffer_, capacity, lag):
    q = rwa.redemption_queue(withdrawal, buffer_, capacity, lag)
    expected = rwa.days_to_exit(withdrawal, buffer_, capacity, lag)
    assert int(q.day.iloc[-1]) == int(expected)
    assert q.cumulative_paid_usd.iloc[-1] == pytest.approx(withdrawal, rel=1e-9, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(st.floats(1e6, 1e8), st.floats(0, 1e7), st.floats(1e6, 1e7))
def test_more_buffer_never_slows_the_exit(withdrawal, buffer_, capacity):
    assert rwa.days_to_exit(withdrawal, buffer_ * 2, capacity) <= rwa.days_to_exit(withdrawal, buffer_, capacity)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    ({"price_start": 0.0, "price_end": 1.0, "days": 30}, "price_start"),
    ({"price_start": 1.0, "price_end": -1.0, "days": 30}, "price_end"),
    ({"price_start": 1.0, "price_end": 1.01, "days": 0}, "days"),
    ({"price_start": "1", "price_end": 1.01, "days": 30}, "price_start"),
    ({"price_start": 1.0, "price_end": float("nan"), "days": 30}, "price_end"),
])
def test_annualized_yield_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rwa.annualized_yield_from_prices(**kwargs)


def test_other_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="apy"):
        rwa.daily_rate_from_apy(-1.0)
    with pytest.raises(ValueError, match="days"):
        rwa.accruing_price(1.0, 0.05, -1)
    with pytest.raises(ValueError, match="days"):
        rwa.distributed_balance(1.0, 0.05, 1.5)
    with pytest.raises(ValueError, match="payout_interval_days"):
        rwa.distributed_balance(1.0, 0.05, 10, payout_interval_days=0)
    with pytest.raises(ValueError, match="settlement_days"):
        rwa.days_to_exit(1e6, 0, 1e5, settlement_days=0)
    with pytest.raises(ValueError, match="daily_redemption_usd"):
        rwa.redemption_queue(1e6, 0, 0)
    with pytest.raises(ValueError, match="max_days"):
        rwa.redemption_queue(1e9, 0, 1.0, max_days=10)
    with pytest.raises(ValueError, match="health_factor"):
        rwa.years_until_liquidation(0.0, 0.04, 0.05)
    with pytest.raises(ValueError, match="tokens_outstanding"):
        rwa.nav_per_token(100, 0)


# --------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["tokenized_treasuries", "rwa_products", "yield_spread"])
def test_rwa_datasets_load_with_metadata(name):
    df = data.load(name)
    m = df.attrs["meta"]
    assert len(df) >= 5
    assert set(df.confidence) <= {"A", "B", "C"}
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert set(df.columns) == set(m.columns)
    assert m.as_of >= str(df.date.max().date())


def test_tokenized_treasuries_growth_and_buidl_share():
    df = data.load("tokenized_treasuries").sort_values("date")
    assert df.market_size_usd_bn.iloc[0] < 0.2 and df.market_size_usd_bn.iloc[-1] > 8
    with_buidl = df.dropna(subset=["buidl_usd_bn"])
    assert (with_buidl.buidl_usd_bn < with_buidl.market_size_usd_bn).all()


def test_rwa_products_terms():
    """Issuer statements: BUIDL $5M minimum and 0.50 % fee; USDY $500 minimum; OUSG 4.96 %."""
    df = data.load("rwa_products")
    buidl = df[(df["product"] == "BUIDL") & (df.date == "2024-07-18")].iloc[0]
    assert buidl.min_subscription_usd == 5_000_000 and buidl.fee_rate == 0.005 and buidl.apy == 0.0488
    assert (df[df["product"] == "USDY"].min_subscription_usd == 500).all()
    assert set(df.yield_design) <= {"accruing", "stable_in_kind", "rebasing", "vault"}
    assert df[(df["product"] == "OUSG") & (df.date == "2024-08-12")].apy.iloc[0] == 0.0496


def test_yield_spread_ranges():
    """T-bill tokens 4.9-5.4 % in 2024; sUSDe 4.3-55.9 % in 2024; Aave USDC supply 2-4.3 % in 2025-26."""
    df = data.load("yield_spread")
    tb = df[df.category == "tbill_token"].rate
    assert tb.between(0.048, 0.054).all()
    s = df[(df.category == "synthetic_dollar") & (df.date.dt.year == 2024)].rate
    assert s.min() == pytest.approx(0.043) and s.max() == pytest.approx(0.559)
    aave = df[df.category == "lending_supply"].rate
    assert aave.between(0.02, 0.045).all()
    assert set(df.rate_kind) <= {"APY", "APR"}


# --------------------------------------------------------------------------
# Exercises and doctests
# --------------------------------------------------------------------------

def test_exercises_accept_their_answers_and_explain_mistakes():
    assert len(rwa_exercises.ANSWERS) >= 4
    for key, e in rwa_exercises.ANSWERS.items():
        assert check(f"rwa.{key}", e.value)
        for wrong, why in e.mistakes:
            fb = check(f"rwa.{key}", wrong)
            assert not fb and why in str(fb)


def test_exercise_values():
    """100.02149311 (Ondo's own example), 4.9768 %, 129.34 tokens, 8 days, 3.388 years."""
    got = {k: e.value for k, e in rwa_exercises.ANSWERS.items()}
    assert got["1"] == 100.02149311
    assert got["2"] == pytest.approx(1.004 ** (365 / 30) - 1)
    assert got["3"] == pytest.approx(10_000 * (1.0535 ** (90 / 365) - 1))
    assert got["4"] == 8.0
    assert got["5"] == pytest.approx(3.38817, abs=1e-4)


def test_module_doctests_pass():
    result = doctest.testmod(rwa, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


# --------------------------------------------------------------------------
# Input contracts (issue 14)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: rwa.distributed_balance(100.0, 0.05, 1e300), "days"),
    (lambda: rwa.accruing_price(100.0, 0.05, 1e15), "days"),
    (lambda: rwa.annualized_yield_from_prices(1e-300, 1.0, 30), "price_start"),
    (lambda: rwa.token_design_paths(1_000, 0.05, 1e15), "days"),
    (lambda: rwa.token_design_paths(1_000, 0.05, True), "days"),
    (lambda: rwa.accruing_price(100.0, 0.04, 2, decimals=True), "decimals"),
    (lambda: rwa.nav_per_token(1.0, 1e-320), "tokens_outstanding"),
    (lambda: rwa.days_to_exit([1e6, 2e6], 0, 1e-310), "daily_redemption_usd"),
])
def test_overflow_and_bad_counts_are_named_errors(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_an_endless_queue_names_its_inputs():
    with pytest.raises(ValueError, match="demand_usd") as info:
        rwa.redemption_queue(1e12, 0.0, 1.0, max_days=30)
    assert "max_days" in str(info.value) and "daily_redemption_usd" in str(info.value)


def test_years_until_liquidation_documents_inf_and_stays_exact_for_huge_rates():
    assert rwa.years_until_liquidation(1.2, 0.05, 0.05) == math.inf
    # log((1 + r) / (1 + y)) as log1p(r) - log1p(y): no overflow of the ratio
    t = rwa.years_until_liquidation(2.0, 0.0, 1e308)
    assert t == pytest.approx(math.log(2.0) / math.log1p(1e308)) and t > 0
