"""Tests for defi_helpers.flashloans: worked numbers, invariants, bad input.

Worked numbers come from the protocol sources named in each docstring; the
expected values were computed by hand (plain arithmetic) from those formulas,
not by calling the functions under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from defi_helpers import flashloans as fl
from defi_helpers.data import load
from defi_helpers.exercises import check
from defi_helpers.exercises.flashloans import ANSWERS

# ---------------------------------------------------------------- fees (WE24)


def test_aave_premium_we24():
    """WE24: 1,000,000 USDC flash loan at 5 bps (Aave v3 default, aave-v3-origin
    v3.1.0 DefaultMarketInput) and 9 bps (Aave v2): premium = amount * bps / 1e4
    (FlashLoanLogic.sol, percentMul) -> 500 and 900 USDC."""
    assert fl.flash_loan_fee(1_000_000, 5) == pytest.approx(500.0)
    assert fl.flash_loan_fee(1_000_000, 9) == pytest.approx(900.0)
    assert fl.flash_loan_fee(1_000_000, fl.BALANCER_V2_FLASH_FEE_BPS) == 0.0


def test_aave_premium_vectorised():
    fees = fl.flash_loan_fee(np.array([0.0, 10_000.0, 2e6]), 5)
    assert isinstance(fees, np.ndarray)
    assert fees.tolist() == pytest.approx([0.0, 5.0, 1000.0])


def test_premium_integer_rounding():
    """PercentageMath.percentMul is (a*b + 5000) // 10000 (half up); v3.5 rounds up.
    999 units at 5 bps: 4995/10000 -> 0 half-up, 1 rounded up. 1000 units: 5000 -> 1."""
    assert fl.flash_loan_fee_exact(999, 5) == 0
    assert fl.flash_loan_fee_exact(999, 5, rounding="up") == 1
    assert fl.flash_loan_fee_exact(1000, 5) == 1
    assert fl.flash_loan_fee_exact(10**12, 5) == 5 * 10**8
    assert fl.flash_loan_fee_exact(0, 5, rounding="up") == 0


def test_uniswap_flash_repayment_we24():
    """WE24: UniswapV2Pair.swap requires 997 R >= 1000 A for a same-token
    repayment R of A borrowed: 1,000 -> 1,003.009027..., fee rate 3/997 = 0.3009 %."""
    assert fl.uniswap_v2_flash_repayment(1_000) == pytest.approx(1003.0090270812437)
    rate = fl.uniswap_v2_flash_repayment(1.0) - 1.0
    assert rate == pytest.approx(0.003009027081243731)
    assert rate > fl.UNISWAP_V2_FEE


@pytest.mark.parametrize("amount_out", [1, 997, 10**6, 123_456_789])
def test_uniswap_k_check_integer(amount_out):
    """Replays the integer K check of UniswapV2Pair.swap: ceil(A*1000/997) passes,
    one unit less fails with 'UniswapV2: K'."""
    r0, r1 = 10**12, 5 * 10**11

    def k_ok(repay):
        balance0 = r0 - amount_out + repay
        amount0_in = repay  # balance0 - (r0 - amount_out)
        adj0 = balance0 * 1000 - amount0_in * 3
        adj1 = r1 * 1000
        return adj0 * adj1 >= r0 * r1 * 1000**2

    need = math.ceil(fl.uniswap_v2_flash_repayment(amount_out) - 1e-9)
    assert k_ok(need)
    assert not k_ok(need - 1)


# ------------------------------------------------------ constant product (WE25)


def test_cpmm_swap_we25():
    """WE25: pool 1,000 ETH / 2,000,000 USDC, 0.3 % fee (Uniswap v2 getAmountOut).
    20,000 USDC in: 19,940*1000/2,019,940 = 9.87158 ETH, spot 2,040.14 (+2.007 %).
    200,000 USDC in: 90.6611 ETH, spot 2,419.34 (+20.967 %)."""
    assert fl.cpmm_amount_out(20_000, 2_000_000, 1_000) == pytest.approx(9.871580343970614)
    assert fl.cpmm_price_impact(20_000, 2_000_000, 1_000) == pytest.approx(0.0200697, rel=1e-6)
    assert fl.cpmm_amount_out(200_000, 2_000_000, 1_000) == pytest.approx(90.66108938801491)
    assert fl.cpmm_price_impact(200_000, 2_000_000, 1_000) == pytest.approx(0.20967, rel=1e-6)


def test_cpmm_push_price_we25():
    """WE25 without fee (Euler note, Delta x = sqrt(k q) - x): to $4,000 costs
    828,427.12 USDC for 292.893 ETH, a loss of 242,640.69 against $2,000; to
    $8,000: 2,000,000 USDC for 500 ETH, a loss of 1,000,000."""
    t = fl.cpmm_input_to_reach_price(1_000, 2_000_000, 4_000)
    assert t["quote_in"] == pytest.approx(828427.1247461899)
    assert t["base_out"] == pytest.approx(292.89321881345245)
    assert t["slippage_cost"] == pytest.approx(242640.687119285)
    t = fl.cpmm_input_to_reach_price(1_000, 2_000_000, 8_000)
    assert (t["quote_in"], t["base_out"], t["slippage_cost"]) == pytest.approx((2e6, 500.0, 1e6))


def test_cpmm_push_price_down():
    """Downward move: sell base, Delta base = sqrt(k/q) - x_base (Euler note, eq. 15)."""
    t = fl.cpmm_input_to_reach_price(1_000, 2_000_000, 500)
    assert t["base_in"] == pytest.approx(1000.0)          # sqrt(2e9/500) - 1000
    assert t["quote_out"] == pytest.approx(1_000_000.0)
    assert t["slippage_cost"] == pytest.approx(1_000_000.0)
    assert t["quote_in"] == 0.0


def test_cpmm_amount_in_inverts_amount_out():
    dx = fl.cpmm_amount_in(50.0, 2_000_000, 1_000)
    assert fl.cpmm_amount_out(dx, 2_000_000, 1_000) == pytest.approx(50.0)


@settings(max_examples=200, deadline=None)
@given(dx=st.floats(1e-6, 1e9), x=st.floats(1.0, 1e9), y=st.floats(1.0, 1e9),
       fee=st.sampled_from([0.0, 0.0005, 0.003, 0.01]))
def test_cpmm_invariants(dx, x, y, fee):
    """Output below the reserve; k never falls (the fee stays in the pool); the
    bought token's price never falls."""
    assume(dx <= 1_000 * x)          # beyond that, y - out loses all float precision
    out = fl.cpmm_amount_out(dx, x, y, fee)
    assert 0 <= out < y
    assert (x + dx) * (y - out) >= x * y * (1 - 1e-9)
    assert fl.cpmm_price_impact(dx, x, y, fee) >= -1e-12


@settings(max_examples=100, deadline=None)
@given(x=st.floats(10.0, 1e8), y=st.floats(10.0, 1e8), ratio=st.floats(0.05, 20.0))
def test_reach_price_round_trip(x, y, ratio):
    """Trading quote_in through a fee-less pool lands exactly on the target price."""
    target = (x / y) * ratio
    t = fl.cpmm_input_to_reach_price(y, x, target)
    if ratio >= 1:
        out = fl.cpmm_amount_out(t["quote_in"], x, y, fee=0.0)
        assert out == pytest.approx(t["base_out"], rel=1e-9, abs=1e-9)
        assert (x + t["quote_in"]) / (y - out) == pytest.approx(target, rel=1e-9)
    else:
        out = fl.cpmm_amount_out(t["base_in"], y, x, fee=0.0)
        assert (x - out) / (y + t["base_in"]) == pytest.approx(target, rel=1e-9)
    assert t["slippage_cost"] >= -1e-9 * x


# ------------------------------------------------------------------ arbitrage


def test_optimal_arbitrage_matches_brute_force():
    """The closed form d* = (sqrt(AB) - B)/C agrees with a fine grid search."""
    r = fl.optimal_arbitrage(2_000_000, 1_000, 2_200_000, 1_000)
    d = np.linspace(1.0, 200_000.0, 400_001)
    prof = fl.cpmm_amount_out(fl.cpmm_amount_out(d, 2e6, 1_000), 1_000, 2.2e6) - d
    assert r.profit == pytest.approx(prof.max(), rel=1e-7)
    assert r.amount_in == pytest.approx(d[prof.argmax()], abs=1.0)


def test_no_arbitrage_inside_the_fee_band():
    """A 0.5 % price gap does not beat two 0.3 % fees: g^2 p_B <= p_A."""
    r = fl.optimal_arbitrage(2_000_000, 1_000, 2_010_000, 1_000)
    assert r.amount_in == 0.0 and r.profit == 0.0


@settings(max_examples=200, deadline=None)
@given(xa=st.floats(1e4, 1e8), ya=st.floats(10.0, 1e6), gap=st.floats(0.9, 1.5),
       frac=st.floats(0.0, 3.0))
def test_optimal_arbitrage_is_optimal(xa, ya, gap, frac):
    """Profit at d* is >= 0 and >= the profit at any other trade size."""
    xb, yb = xa * gap, ya
    r = fl.optimal_arbitrage(xa, ya, xb, yb)
    assert r.profit >= 0
    other = max(r.amount_in, xa * 0.01) * frac
    p_other = fl.cpmm_amount_out(fl.cpmm_amount_out(other, xa, ya), yb, xb) - other
    assert r.profit >= p_other - 1e-6 * xa


def test_simulator_is_retired():
    """The in-memory transaction simulator is gone; transactions run in the lab (test_lab_flashloans)."""
    for name in ("State", "Pool", "Market", "execute", "FlashLoan", "Swap", "example_state",
                 "arbitrage_steps", "Receipt", "Revert", "ALL"):
        assert not hasattr(fl, name), name
        assert name not in fl.__all__


def test_premium_split_exact():
    """FlashLoanLogic (aave-v3-core v1.19.3) lines 193 and 230: premium = percentMul(amount, total);
    to protocol = percentMul(premium, to_protocol) -- bps of the premium. By hand: 1,000,000 USDC
    (10**12 units) at 5 bps = 5 * 10**8 units; 40 % of it = 2 * 10**8; half-up 999 * 5 / 10,000 = 0.4995 -> 0."""
    assert fl.flash_loan_premium_split_exact(10**12, 5, 4_000) == {
        "premium": 500_000_000, "to_protocol": 200_000_000, "to_suppliers": 300_000_000}
    assert fl.flash_loan_premium_split_exact(999, 5, 4_000)["premium"] == 0
    # 3 units of premium, 50 %: percentMul(3, 5000) = (3 * 5000 + 5000) // 10000 = 2 (half up)
    assert fl.flash_loan_premium_split_exact(6_000, 5, 5_000) == {"premium": 3, "to_protocol": 2,
                                                                   "to_suppliers": 1}


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(0, 10**30), bps=st.integers(0, 10_000), share=st.integers(0, 10_000))
def test_premium_split_adds_up(amount, bps, share):
    s = fl.flash_loan_premium_split_exact(amount, bps, share)
    assert s["to_protocol"] + s["to_suppliers"] == s["premium"]
    assert 0 <= s["to_protocol"] <= s["premium"] <= amount


# ------------------------------------------------------------ TWAP (WE26)


def test_twap_required_spot_we26():
    """WE26 (Euler, cost-of-attack.tex eq. 3): n = 144, p = 1, TWAP 1.35.
    m = 1: 1.35^144 = 5.862227e18 (Euler: 5,862,227,430,474,700,000);
    m = 10: 1.35^14.4 = 75.30 (Euler: 75.30); m = 20: 1.35^7.2 = 8.678
    (Euler rounds to "8.5x" -- its own formula gives 8.68); m = 72: 1.35^2 = 1.8225
    (Euler: "around 2x")."""
    q = fl.twap_required_spot(1.35, 1.0, 144, np.array([1, 10, 20, 72]))
    assert q[0] == pytest.approx(5.862227430474716e18, rel=1e-12)
    assert q[1] == pytest.approx(75.30195756031506)
    assert q[2] == pytest.approx(8.677670053667347)
    assert q[3] == pytest.approx(1.8225)


def test_twap_manipulation_cost_euler_example():
    """Euler's DAI-USDC example, 50,000/50,000 reserves, m = 10: swap in 383,884
    USDC a block, cost c ~ 339,645 USDC a block, C ~ 3,396,454 USDC in total."""
    q = fl.twap_required_spot(1.35, 1.0, 144, 10)
    t = fl.cpmm_input_to_reach_price(50_000, 50_000, q)
    assert t["quote_in"] == pytest.approx(383_884, abs=1)
    assert t["slippage_cost"] == pytest.approx(339_645, abs=1)
    assert fl.twap_manipulation_cost(1.35, 1.0, 144, 10, 50_000, 50_000) == pytest.approx(
        3_396_454, abs=1)


def test_more_blocks_cheaper_per_block_but_not_free():
    m = np.arange(5, 145)
    cost = fl.twap_manipulation_cost(1.35, 1.0, 144, m, 50_000, 50_000)
    per_block = cost / m
    assert np.all(np.diff(per_block) < 0)
    assert np.all(cost > 0)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 300), m_frac=st.floats(0.0, 1.0), p=st.floats(0.01, 100.0),
       ratio=st.floats(0.5, 2.0))
def test_twap_round_trip(n, m_frac, p, ratio):
    """Holding q for m of n blocks and p elsewhere yields exactly the target TWAP."""
    m = max(1, round(m_frac * n))
    target = p * ratio
    q = fl.twap_required_spot(target, p, n, m)
    assume(np.isfinite(q) and q < 1e300)
    prices = np.r_[np.full(n - m, p), np.full(m, q)]
    assert fl.twap_geometric(prices) == pytest.approx(target, rel=1e-9)


# --------------------------------------------------- spot-oracle attack model


def test_spot_oracle_attack_closed_form():
    """No fee: p'/p = (1 + P/x)^2 and slippage = P^2/(x + P) (Euler note), so
    profit = L C (1 + P/x)^2 - C - P^2/(x+P) - fee. P = x = C = 1e6, L = 0.75:
    3e6 - 1e6 - 5e5 = 1.5e6."""
    a = fl.spot_oracle_attack(1e6, 1e6, 1e6, 1e6, 0.75, fee=0.0, flash_premium_bps=0)
    assert float(a.price_impact) == pytest.approx(3.0)
    assert float(a.slippage_cost) == pytest.approx(5e5)
    assert float(a.profit) == pytest.approx(1.5e6)


def test_spot_oracle_attack_deep_pool_is_unprofitable():
    """The same trade against a pool 100x deeper barely moves the price: a loss."""
    a = fl.spot_oracle_attack(1e6, 1e8, 1e8, 1e6, 0.75)
    assert float(a.profit) < 0


def test_spot_oracle_attack_broadcasts():
    a = fl.spot_oracle_attack(np.array([[1e5], [1e6]]), np.array([1e6, 1e7]), 1e6, 1e6, 0.75)
    assert np.shape(a.profit) == (2, 2)
    assert a.profit[1, 0] > a.profit[0, 0]          # bigger pump, same pool: more profit


# ----------------------------------------------------------------- bZx replay


def test_bzx_pump_attack_ledger():
    """Published steps of bZx attack 1 (CoinDesk / PeckShield): 10,000 - 5,500
    - 1,300 + 6,871.41 - 10,000 = 71.41 ETH cash, plus the Compound position.
    At 39.0929 ETH/WBTC the total is the 1,193 ETH bZx reported."""
    df = fl.bzx_pump_attack_ledger()
    assert df["eth_cash"].iloc[4] == pytest.approx(71.41)
    assert df["eth_cash"].iloc[-1] == pytest.approx(1_193.0, abs=0.5)
    assert df["wbtc"].sum() == pytest.approx(0.0)
    lower = fl.bzx_pump_attack_ledger(wbtc_price_eth=40.0)
    assert lower["eth_cash"].iloc[-1] < df["eth_cash"].iloc[-1]


def test_bzx_oracle_attack_ledger():
    """7,500 - 3,518 - 900 + 6,796 - 7,500 = 2,378 ETH (CoinDesk); bZx said 2,388."""
    df = fl.bzx_oracle_attack_ledger()
    assert df["eth_cash"].iloc[-1] == pytest.approx(2_378.0)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("call, name", [
    (lambda: fl.flash_loan_fee(-1, 5), "amount"),
    (lambda: fl.flash_loan_fee(100, 20_000), "premium_bps"),
    (lambda: fl.flash_loan_fee(float("nan"), 5), "amount"),
    (lambda: fl.flash_loan_fee_exact(10, 5, rounding="down"), "rounding"),
    (lambda: fl.uniswap_v2_flash_repayment("1000"), "amount"),
    (lambda: fl.cpmm_amount_out(10, 0, 100), "reserve_in"),
    (lambda: fl.cpmm_amount_out(10, 100, 100, fee=1.0), "fee"),
    (lambda: fl.cpmm_amount_in(100, 100, 100), "amount_out"),
    (lambda: fl.cpmm_input_to_reach_price(100, 100, 0), "target_price"),
    (lambda: fl.twap_required_spot(1.35, 1.0, 144, 145), "manipulated_blocks"),
    (lambda: fl.twap_required_spot(1.35, 1.0, 144, 0), "manipulated_blocks"),
    (lambda: fl.twap_required_spot(1.35, 1.0, 14.5, 2), "window_blocks"),
    (lambda: fl.twap_manipulation_cost(1.35, 2.0, 144, 10, 50_000, 50_000), "current_price"),
    (lambda: fl.spot_oracle_attack(1e6, 1e6, 1e6, 1e6, 1.0), "ltv"),
    (lambda: fl.bzx_pump_attack_ledger(0), "wbtc_price_eth"),
    (lambda: fl.flash_loan_premium_split_exact(10, 5, 10_001), "to_protocol_bps"),
    (lambda: fl.flash_loan_premium_split_exact(10, 5, 1.5), "to_protocol_bps"),
    (lambda: fl.flash_loan_premium_split_exact(-1, 5, 0), "amount_units"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- the dataset


def test_incident_dataset_loads_with_metadata():
    df = load("flash_loan_incidents")
    assert len(df) >= 8
    assert {"date", "protocol", "loss_usd_low", "loss_usd_high", "mechanism", "source_url"} <= set(df)
    assert (df["loss_usd_high"] >= df["loss_usd_low"]).all()
    assert df["date"].is_monotonic_increasing
    assert df.attrs["meta"].as_of == "2023-03-13"
    assert df["source_url"].str.startswith("https://").all()
    assert set(df["confidence"]) <= {"A", "B", "C"}
    euler = df[df["protocol"] == "Euler Finance"].iloc[0]
    assert euler["loss_usd_low"] == 197_000_000 and bool(euler["flash_loan"])


# --------------------------------------------------------------- self-checks


def test_exercises_are_computed_and_checkable():
    assert len(ANSWERS) >= 4
    for number, expected in ANSWERS.items():
        assert math.isfinite(expected.value)
        assert check(f"flashloans.{number}", expected.value).correct
        for wrong, _why in expected.mistakes:
            assert not check(f"flashloans.{number}", wrong).correct
