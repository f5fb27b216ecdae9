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
from defi_helpers.flashloans import (
    ALL, Borrow, Deposit, FlashLoan, FlashSwap, Liquidate, Market, Pool, Repay, State,
    Swap, Transfer, Withdraw, execute,
)

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


def _two_pools(quote_a, base_a, quote_b, base_b, liquidity=1e12):
    return State(balances={"aave": {"USDC": liquidity}},
                 pools={"A": Pool("ETH", "USDC", base_a, quote_a),
                        "B": Pool("ETH", "USDC", base_b, quote_b)})


def test_arbitrage_transaction_profit():
    """The flash-loan arbitrage earns the closed-form profit minus the 5 bps premium."""
    r = fl.optimal_arbitrage(2_000_000, 1_000, 2_200_000, 1_000)
    s = _two_pools(2_000_000, 1_000, 2_200_000, 1_000)
    rc = execute(s, "bot", fl.arbitrage_steps("aave", "USDC", "ETH", "A", "B", r.amount_in))
    assert not rc.reverted
    assert rc.delta("bot", "USDC") == pytest.approx(r.profit - fl.flash_loan_fee(r.amount_in, 5))
    assert rc.delta("aave", "USDC") == pytest.approx(fl.flash_loan_fee(r.amount_in, 5))


@settings(max_examples=150, deadline=None)
@given(qa=st.floats(1e4, 1e8), ba=st.floats(1.0, 1e5), gap=st.floats(0.8, 1.25),
       amount=st.floats(1.0, 1e7), start=st.floats(0.0, 1e6))
def test_arbitrage_never_loses(qa, ba, gap, amount, start):
    """Property (issue 6): a guarded flash-loan arbitrage never ends with less
    than it started -- it either profits or reverts, whatever the trade size."""
    s = _two_pools(qa, ba, qa * gap, ba)
    s.balances["bot"] = {"USDC": start}
    rc = execute(s, "bot", fl.arbitrage_steps("aave", "USDC", "ETH", "A", "B", amount))
    assert rc.after.balance("bot", "USDC") >= start - 1e-9 * max(start, 1.0)
    if rc.reverted:
        assert rc.after is s


# ------------------------------------------------------- the transaction model


def _world():
    """A market with fixed oracle prices, a second market, two pools, a borrower."""
    aave = Market("aave", prices={"ETH": 2_000.0, "WBTC": 60_000.0, "USDC": 1.0},
                  ltv={"ETH": 0.805, "WBTC": 0.73}, liquidation_threshold={"ETH": 0.83, "WBTC": 0.78},
                  liquidation_bonus={"ETH": 0.05, "WBTC": 0.05})
    aave.collateral["alice"] = {"ETH": 10.0}
    aave.debt["alice"] = {"USDC": 10_000.0}
    spark = Market("spark", prices={"ETH": 2_000.0, "USDC": 1.0}, ltv={"ETH": 0.8},
                   liquidation_threshold={"ETH": 0.83})
    return State(
        balances={"aave": {"USDC": 5e6, "ETH": 1_000.0}, "spark": {"USDC": 5e6}, "alice": {}},
        pools={"eth_wbtc": Pool("ETH", "WBTC", 3_000.0, 100.0),
               "eth_usdc": Pool("ETH", "USDC", 1_000.0, 2_000_000.0)},
        markets={"aave": aave, "spark": spark})


def test_unrepaid_flash_loan_reverts_and_changes_nothing():
    s = _world()
    snapshot = s.copy()
    rc = execute(s, "bob", [FlashLoan("aave", "USDC", 1_000, steps=(Transfer("USDC", 1_000, "eve"),))])
    assert rc.reverted and "flash loan not repaid" in rc.reason
    assert rc.after is s
    assert s.balances == snapshot.balances
    assert s.balance("eve", "USDC") == 0.0


def test_lender_liquidity_limit_reverts():
    rc = execute(_world(), "bob", [FlashLoan("spark", "USDC", 6e6, steps=())])
    assert rc.reverted and "to lend" in rc.reason


def test_collateral_swap():
    """ETH collateral becomes WBTC; the debt grows only by the 5 bps premium."""
    s = _world()
    rc = execute(s, "alice", fl.collateral_swap_steps("aave", "aave", "eth_wbtc", "USDC", "ETH",
                                                      "WBTC", 10_000.0))
    assert not rc.reverted, rc.reason
    m = rc.after.markets["aave"]
    assert m.collateral["alice"]["ETH"] == 0.0
    expected_wbtc = fl.cpmm_amount_out(10.0, 3_000.0, 100.0)
    assert m.collateral["alice"]["WBTC"] == pytest.approx(expected_wbtc)
    assert m.debt["alice"]["USDC"] == pytest.approx(10_005.0)
    assert s.markets["aave"].collateral["alice"] == {"ETH": 10.0}   # input untouched


def test_refinance_moves_the_loan():
    rc = execute(_world(), "alice", fl.refinance_steps("aave", "aave", "spark", "USDC", "ETH",
                                                       10_000.0))
    assert not rc.reverted, rc.reason
    assert rc.after.markets["aave"].debt["alice"]["USDC"] == 0.0
    assert rc.after.markets["spark"].debt["alice"]["USDC"] == pytest.approx(10_005.0)
    assert rc.after.markets["spark"].collateral["alice"]["ETH"] == pytest.approx(10.0)


def test_one_shot_loop_reaches_leverage():
    """10 ETH deposited, 50,000 USDC flash-borrowed into ETH: exposure = 10 + eth
    bought; HF = ETH * 2000 * 0.83 / 50,025."""
    s = _world()
    s.balances["carol"] = {"ETH": 10.0}
    steps = [Deposit("aave", "ETH", ALL)] + fl.one_shot_loop_steps(
        "aave", "aave", "eth_usdc", "ETH", "USDC", 50_000.0)
    rc = execute(s, "carol", steps)
    assert not rc.reverted, rc.reason
    bought = fl.cpmm_amount_out(50_000.0, 2_000_000.0, 1_000.0)
    assert rc.after.markets["aave"].collateral["carol"]["ETH"] == pytest.approx(10.0 + bought)
    hf = (10.0 + bought) * 2_000 * 0.83 / 50_025.0
    assert rc.after.health_factor("aave", "carol") == pytest.approx(hf)


def test_loop_beyond_ltv_reverts():
    s = _world()
    s.balances["carol"] = {"ETH": 10.0}
    steps = [Deposit("aave", "ETH", ALL)] + fl.one_shot_loop_steps(
        "aave", "aave", "eth_usdc", "ETH", "USDC", 150_000.0)
    rc = execute(s, "carol", steps)
    assert rc.reverted and "borrowing power" in rc.reason


def test_flash_liquidation_profit():
    """ETH falls to $1,150 (oracle and pool): HF = 10*1150*0.83/10,000 = 0.9545 < 1,
    so 50 % may be repaid (close factor); 5,000 USDC repaid seizes 5000*1.05/1150 ETH."""
    s = _world()
    s.markets["aave"].prices["ETH"] = 1_150.0
    s.pools["eth_usdc"] = Pool("ETH", "USDC", 1_000.0, 1_150_000.0)
    assert s.health_factor("aave", "alice") == pytest.approx(0.9545)
    rc = execute(s, "liq", fl.flash_liquidation_steps("aave", "aave", "eth_usdc", "alice", "USDC",
                                                      "ETH", 5_000.0))
    assert not rc.reverted, rc.reason
    seized = 5_000 * 1.05 / 1_150
    assert rc.after.markets["aave"].collateral["alice"]["ETH"] == pytest.approx(10 - seized)
    proceeds = fl.cpmm_amount_out(seized, 1_000.0, 1_150_000.0)
    assert rc.delta("liq", "USDC") == pytest.approx(proceeds - 5_000 - 2.5)


def test_liquidating_a_healthy_position_reverts():
    rc = execute(_world(), "liq", [FlashLoan("aave", "USDC", 1_000, steps=(
        Liquidate("aave", "alice", "USDC", "ETH", 1_000),))])
    assert rc.reverted and "healthy" in rc.reason


def test_withdraw_below_hf_one_reverts():
    rc = execute(_world(), "alice", [Withdraw("aave", "ETH", 5.0)])
    assert rc.reverted and "HF" in rc.reason


def test_flash_swap_repays_1000_over_997():
    """A Uniswap v2 flash swap of 1,000 USDC must return 1,003.009 USDC to the pool."""
    s = _world()
    s.balances["bob"] = {"USDC": 10.0}
    rc = execute(s, "bob", [FlashSwap("eth_usdc", "USDC", 1_000.0, steps=())])
    assert not rc.reverted
    assert rc.delta("bob", "USDC") == pytest.approx(-3.0090270812437)
    assert rc.after.pools["eth_usdc"].reserve1 == pytest.approx(2_000_003.0090270812)
    rc = execute(_world(), "bob", [FlashSwap("eth_usdc", "USDC", 1_000.0, steps=())])
    assert rc.reverted and rc.reason == "UniswapV2: K"


def test_spot_oracle_attack_in_the_model():
    """A lender reading a thin pool's spot price lends against the pumped price:
    the borrow limit equals LTV x deposited tokens x pumped price."""
    m = Market("lend", prices={"TKN": "pool:thin", "USDC": 1.0}, ltv={"TKN": 0.75},
               liquidation_threshold={"TKN": 0.8})
    s = State(balances={"aave": {"USDC": 1e8}, "lend": {"USDC": 5e6}},
              pools={"thin": Pool("TKN", "USDC", 100_000.0, 100_000.0)}, markets={"lend": m})
    bought = fl.cpmm_amount_out(200_000.0, 100_000.0, 100_000.0)
    pumped = 300_000.0 / (100_000.0 - bought)
    limit = 0.75 * bought * pumped
    ok = execute(s, "eve", fl.spot_oracle_attack_steps("aave", "lend", "thin", "USDC", "TKN",
                                                       200_000.0, limit * 0.999))
    assert not ok.reverted, ok.reason
    assert ok.delta("eve", "USDC") == pytest.approx(limit * 0.999 - 200_000.0 - 100.0)
    too_much = execute(s, "eve", fl.spot_oracle_attack_steps("aave", "lend", "thin", "USDC", "TKN",
                                                             200_000.0, limit * 1.01))
    assert too_much.reverted


_STEP_POOL = st.sampled_from([
    lambda a: Swap("eth_usdc", "USDC", a),
    lambda a: Swap("eth_usdc", "ETH", a / 2_000),
    lambda a: Swap("eth_wbtc", "ETH", a / 2_000),
    lambda a: Transfer("USDC", a, "eve"),
    lambda a: Borrow("aave", "USDC", a),
    lambda a: Repay("aave", "USDC", a),
    lambda a: Deposit("aave", "ETH", a / 2_000),
    lambda a: Withdraw("aave", "ETH", a / 2_000),
])


@settings(max_examples=200, deadline=None)
@given(makers=st.lists(_STEP_POOL, min_size=1, max_size=6),
       amounts=st.lists(st.floats(1.0, 50_000.0), min_size=6, max_size=6),
       loan=st.floats(0.0, 100_000.0), premium=st.sampled_from([0, 5, 9]),
       start=st.floats(0.0, 20_000.0))
def test_revert_leaves_every_balance_unchanged(makers, amounts, loan, premium, start):
    """Property (issue 6): whatever the steps, a reverted transaction leaves the
    state exactly as it was; a successful one creates or destroys no tokens."""
    s = _world()
    s.balances["alice"] = {"USDC": start, "ETH": 1.0}
    snap = s.copy()
    totals = {t: s.total(t) for t in ("USDC", "ETH", "WBTC")}
    inner = tuple(mk(a) for mk, a in zip(makers, amounts))
    rc = execute(s, "alice", [FlashLoan("aave", "USDC", loan, steps=inner, premium_bps=premium)])
    assert s == snap                         # the input is never mutated
    if rc.reverted:
        assert rc.after == snap
        assert rc.delta("alice", "USDC") == 0.0
    else:
        for token, before in totals.items():
            assert rc.after.total(token) == pytest.approx(before, rel=1e-9)


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
    (lambda: execute({"balances": {}}, "bob", []), "state"),
    (lambda: execute(_world(), "bob", [Swap("eth_usdc", "USDC", "most")]), "amount"),
    (lambda: execute(_world(), "bob", ["swap"]), "steps"),
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
