"""Tests for defi_helpers.pendle: worked numbers, AMM invariants, bad input, dataset, exercises.

Worked examples WE27-WE28 of shared/reference/defi-math.md §9 give inputs only;
expected values are derived in each docstring from Pendle's docs and from
MarketMathCore.sol (pendle-finance/pendle-core-v2-public, read at commit
6573ff85): E = exp(lnImpliedRate * t), rateScalar = scalarRoot / t,
rateAnchor = E - logit(p) / rateScalar, E_trade = logit(p') / rateScalar + rateAnchor,
buy cost = netPt * feeRate / E_trade, sell proceeds = netPt / (E_trade * feeRate).
The contract computes in 18-decimal fixed point (LogExpMath), so on-chain
results agree with these floats to ~1e-9; the tests assert at 1e-6 relative.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from defi_helpers import pendle as pd_
from defi_helpers.data import load
from defi_helpers.exercises import check
from defi_helpers.exercises.pendle import ANSWERS

REL = 1e-6
apys = st.floats(min_value=0.0, max_value=2.0, allow_nan=False)
days = st.floats(min_value=0.5, max_value=730.0, allow_nan=False)


# --- WE27: PT and YT prices ---------------------------------------------------------

@pytest.mark.parametrize("apy, d, pt, r, e", [
    # t = 90/365; r = ln 1.1 = 0.0953102; E = 1.1^(90/365) = 1.0237795; PT = 1/E
    (0.10, 90, 0.9767728609266664, 0.09531017980432487, 1.023779468085649),
    # one year at 5 %: E = 1.05 exactly, PT = 1/1.05
    (0.05, 365, 1 / 1.05, 0.04879016416943201, 1.05),
    # t = 30/365; r = ln 1.2 = 0.1823216; E = exp(0.1823216 * 0.0821918) = 1.0150982
    (0.20, 30, 0.9851263879171928, 0.18232155679395462, 1.0150981765032747),
])
def test_we27_pt_yt_prices(apy, d, pt, r, e):
    """PT = (1 + APY)^(-days/365), YT = 1 - PT, r = ln(1 + APY), E = e^(r t) = 1/PT."""
    assert pd_.pt_price(apy, d) == pytest.approx(pt, rel=1e-12)
    assert pd_.yt_price(apy, d) == pytest.approx(1 - pt, rel=1e-10)
    assert pd_.ln_implied_rate(apy) == pytest.approx(r, rel=1e-12)
    assert pd_.pt_exchange_rate(apy, d) == pytest.approx(e, rel=1e-12)


def test_docs_example_fixing_a_yield():
    """Pendle docs (Using Pendle, 'Buying PT'): PT-aUSDC one year out at 5 % implied
    returns 1.05 USDC per USDC spent at maturity."""
    assert pd_.fixed_yield_payoff(1.0, 0.05, 365) == pytest.approx(1.05)


@settings(max_examples=200, deadline=None)
@given(a=apys, d1=days, d2=days)
def test_pt_price_rises_to_one_at_maturity(a, d1, d2):
    """Property: PT price is in (0, 1], equals 1 at maturity, and rises as maturity nears."""
    near, far = sorted((d1, d2))
    assert pd_.pt_price(a, 0) == 1.0
    assert 0 < pd_.pt_price(a, far) <= pd_.pt_price(a, near) <= 1.0


@settings(max_examples=200, deadline=None)
@given(a=st.floats(min_value=1e-4, max_value=2.0), d=days)
def test_implied_apy_inverts_pt_price(a, d):
    """Property: implied_apy(pt_price(a, d), d) == a."""
    assert pd_.implied_apy(pd_.pt_price(a, d), d) == pytest.approx(a, rel=1e-9)


def test_pt_plus_yt_is_one_asset_vectorised():
    a = np.array([0.0, 0.05, 0.5])
    assert np.allclose(pd_.pt_price(a, 100) + pd_.yt_price(a, 100), 1.0)


# --- YT ------------------------------------------------------------------------------

def test_yt_breakeven_solves_longyield_zero():
    """At the break-even underlying APY, Pendle's longYieldApy is exactly 0.
    10 % implied, 90 days: YT = 0.0232271; without fee (1+u)^t = 1 + YT -> u = 9.7595 %;
    with the 5 % fee (1+u)^t = 1 + YT/0.95 -> u = 10.2923 %."""
    y = pd_.yt_price(0.10, 90)
    assert pd_.yt_breakeven_apy(y, 90, yt_fee=0.0) == pytest.approx(0.09759521361526269, rel=1e-9)
    u = pd_.yt_breakeven_apy(y, 90)
    assert u == pytest.approx(0.10292310379242453, rel=1e-9)
    assert pd_.yt_long_yield_apy(u, y, 90) == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(u1=st.floats(0, 1), u2=st.floats(0, 1), a=st.floats(0.01, 0.5), d=st.floats(5, 365))
def test_yt_return_increases_with_underlying_yield(u1, u2, a, d):
    lo, hi = sorted((u1, u2))
    y = pd_.yt_price(a, d)
    assert pd_.yt_long_yield_apy(hi, y, d) >= pd_.yt_long_yield_apy(lo, y, d) - 1e-12


def test_yt_leverage():
    """1 / YT price: at 10 %, 90 days, 1 / 0.0232271 = 43.05 units of yield per unit spent."""
    assert pd_.yt_leverage(0.10, 90) == pytest.approx(1 / 0.023227139073333625)


# --- WE28: the AMM --------------------------------------------------------------------

@pytest.fixture
def we28():
    return pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90, ln_fee_rate_root=math.log(1.003))


def test_we28_precompute(we28):
    """rateScalar = 50 x 365/90 = 202.7778; p = 0.5 so logit = 0 and rateAnchor = E = 1.1^(90/365);
    feeRate = 1.003^(90/365) = 1.00073889."""
    assert we28.rate_scalar == pytest.approx(202.7777777777778, rel=REL)
    assert we28.proportion == 0.5
    assert we28.rate_anchor == pytest.approx(1.023779468085649, rel=REL)
    assert we28.fee_rate == pytest.approx(1.0007388914984823, rel=REL)


def test_we28_buy_10k_pt(we28):
    """p' = (1,000,000 - 10,000)/2,000,000 = 0.495; E = ln(0.495/0.505)/202.78 + 1.0237795 = 1.0236808;
    pre-fee cost = 10,000/E = 9,768.67; trade APY = E^(365/90) - 1 = 9.957 %; with fee
    cost = 10,000 x 1.00073889 / E = 9,775.89."""
    assert we28.exchange_rate_after(10_000) == pytest.approx(1.0236808346607942, rel=REL)
    nofee = pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
    assert nofee.buy_pt(10_000) == pytest.approx(9768.669746868505, rel=REL)
    assert math.expm1(math.log(1.0236808346607942) * 365 / 90) == pytest.approx(0.09957026887152987, rel=REL)
    assert we28.buy_pt(10_000) == pytest.approx(9775.887733895946, rel=REL)
    trade = we28.trade(10_000)
    assert -trade.net_asset_to_account == pytest.approx(9775.887733895946, rel=REL)
    assert trade.fee_asset == pytest.approx(9775.887733895946 - 9768.669746868505, rel=1e-5)


def test_we28_sell_10k_pt(we28):
    """p' = 1,010,000/2,000,000 = 0.505; E = 1.0238782; pre-fee 10,000/E = 9,766.79; after fee /1.00073889 = 9,759.58."""
    nofee = pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
    assert nofee.sell_pt(10_000) == pytest.approx(9766.787652990362, rel=REL)
    assert we28.sell_pt(10_000) == pytest.approx(9759.57638497072, rel=REL)


def test_we28_new_implied_rate(we28):
    """_setNewMarketStateTrade: reserves 990,000 PT and 1,009,775.89 asset, same scalar and anchor:
    p = 990,000/1,999,775.89; E = logit(p)/202.78 + anchor; APY = E^(365/90) - 1 = 9.9575 %."""
    after = we28.trade(10_000).market_after
    assert after.total_pt == 990_000
    assert after.total_asset == pytest.approx(1_009_775.887733896, rel=REL)
    assert after.implied_apy == pytest.approx(0.0995750362712009, rel=1e-5)
    assert after.rate_anchor == pytest.approx(we28.rate_anchor, rel=1e-12)  # re-derived, unchanged


def test_reserve_fee_leaves_the_pool(we28):
    m = pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90, ln_fee_rate_root=math.log(1.003),
                         reserve_fee_share=0.8)
    t = m.trade(10_000)
    assert t.reserve_fee_asset == pytest.approx(0.8 * t.fee_asset)
    assert t.market_after.total_asset == pytest.approx(1_000_000 + 9775.887733895946 - t.reserve_fee_asset)


def _market(pt, asset, root, apy, d, fee):
    return pd_.PendleMarket(pt, asset, root, apy, d, ln_fee_rate_root=fee)


market_args = dict(
    pt=st.floats(1e5, 1e7), asset=st.floats(1e5, 1e7), root=st.floats(5, 200),
    apy=st.floats(0.01, 0.5), d=st.floats(5, 365), fee=st.floats(0, pd_.MAX_LN_FEE_RATE_ROOT),
)


@settings(max_examples=200, deadline=None)
@given(frac=st.floats(1e-4, 0.2), **market_args)
def test_buying_pt_raises_price_and_lowers_implied_apy(frac, pt, asset, root, apy, d, fee):
    """Property: after a PT purchase the pool's PT price is higher and its implied APY lower."""
    assume(pt / (pt + asset) <= pd_.MAX_MARKET_PROPORTION)
    m = _market(pt, asset, root, apy, d, fee)
    try:
        after = m.trade(frac * pt).market_after
    except ValueError:
        assume(False)  # a purchase the contract would refuse (rate below zero)
    assert after.implied_apy < m.implied_apy
    assert after.pt_price > m.pt_price


@settings(max_examples=200, deadline=None)
@given(frac=st.floats(1e-4, 0.2), **market_args)
def test_buy_then_sell_never_profits(frac, pt, asset, root, apy, d, fee):
    """Property: buy x PT, then sell the same x into the post-trade pool: never get back more."""
    assume(pt / (pt + asset) <= 0.9)
    m = _market(pt, asset, root, apy, d, fee)
    x = frac * pt
    try:
        t = m.trade(x)
        back = t.market_after.sell_pt(x)
    except ValueError:
        assume(False)
    assert back <= -t.net_asset_to_account * (1 + 1e-12)
    if fee > 1e-4:
        assert back < -t.net_asset_to_account


def test_price_impact_grows_with_size(we28):
    sizes = np.array([1e3, 1e4, 1e5, 3e5])
    avg_price = we28.buy_pt(sizes) / sizes
    assert np.all(np.diff(avg_price) > 0)
    assert np.all(avg_price > we28.pt_price)
    bid = we28.sell_pt(sizes) / sizes
    assert np.all(bid < we28.pt_price)


def test_curve_tightens_as_expiry_nears(we28):
    """Same reserves and implied rate, fewer days: PT nearer 1 and a 100k purchase moves
    the PT price less (rateScalar = scalarRoot/t grows)."""
    impact = []
    for d in (180, 90, 30, 7):
        m = we28.with_days_to_expiry(d)
        assert m.implied_apy == we28.implied_apy
        impact.append(m.buy_pt(100_000) / 100_000 - m.pt_price)
    assert all(a > b for a, b in zip(impact, impact[1:]))
    assert we28.with_days_to_expiry(7).pt_price > we28.pt_price


def test_scalar_root_for_range_puts_range_at_10_and_90_percent():
    """Pendle's calculateParameters: at launch, a pool 90 % PT prices apy_max, 10 % PT prices apy_min."""
    root, anchor = pd_.scalar_root_for_range(0.05, 0.25, 180)
    t = 180 / 365
    launch_apy = anchor ** (1 / t) - 1  # the rate at p = 0.5
    m = pd_.PendleMarket(500_000, 500_000, root, launch_apy, 180)
    assert m.rate_anchor == pytest.approx(anchor, rel=1e-12)
    assert m.implied_apy_at_proportion(0.9) == pytest.approx(0.25, rel=1e-9)
    assert m.implied_apy_at_proportion(0.1) == pytest.approx(0.05, rel=1e-9)
    assert m.min_proportion < 0.1


# --- Aave PT oracle and looping --------------------------------------------------------

def test_aave_linear_discount_oracle_at_listing():
    """PT-sUSDe-31JUL2025 (bgd-labs/aave-proposals-v3, 2025-04-28): discountRatePerYear 7.5124 %.
    94 days before maturity: 1 - 0.075124 x 94/365 = 0.980653. The payload's oracle answer on
    28 April 2025 was $0.98089311 = that discount times the capped USDT/USD price (~1.0002):
    within 0.1 %."""
    p = pd_.linear_discount_pt_price(0.075124, 94)
    assert p == pytest.approx(1 - 0.075124 * 94 / 365)
    assert 0.98089311 / p == pytest.approx(1.0, abs=1e-3)
    assert pd_.linear_discount_pt_price(0.075124, -3) == 1.0  # past maturity: no discount


def test_loop_leverage_and_net_apy():
    """LTV 87.4 % (PT-sUSDe Stablecoins E-Mode): 1/(1-0.874) = 7.937x at most;
    5x at PT 10 %, borrow 6 %: 5 x 10 % - 4 x 6 % = 26 %."""
    assert pd_.max_loop_leverage(0.874) == pytest.approx(1 / 0.126)
    assert pd_.max_loop_leverage(0.874, loops=200) == pytest.approx(1 / 0.126, rel=1e-9)
    assert pd_.pt_loop_net_apy(0.10, 0.06, 5) == pytest.approx(0.26)
    # the November 2025 squeeze: sUSDe yield 5.1 % below a 5.4 % USDC borrow -> loops lose
    assert pd_.pt_loop_net_apy(0.051, 0.054, 10) < 0.051


# --- bad input ---------------------------------------------------------------------------

def test_max_market_proportion_enforced(we28):
    with pytest.raises(ValueError, match="MAX_MARKET_PROPORTION"):
        we28.sell_pt(1_500_000)
    with pytest.raises(ValueError, match="MAX_MARKET_PROPORTION"):
        pd_.PendleMarket(970_000, 30_000, 50, 0.10, 90)


def test_purchase_that_would_make_rates_negative_is_refused(we28):
    with pytest.raises(ValueError, match="negative implied rate|below 1"):
        we28.buy_pt(990_000)  # p' = 0.005 < min_proportion ~ 0.008
    with pytest.raises(ValueError, match="total_pt"):
        we28.buy_pt(1_000_000)


@pytest.mark.parametrize("call, name", [
    (lambda: pd_.pt_price(-0.01, 30), "implied_apy"),
    (lambda: pd_.pt_price(0.1, -1), "days_to_maturity"),
    (lambda: pd_.implied_apy(1.2, 30), "pt_price"),
    (lambda: pd_.implied_apy(0.9, 0), "days_to_maturity"),
    (lambda: pd_.max_loop_leverage(1.0), "ltv"),
    (lambda: pd_.yt_breakeven_apy(0.0, 30), "yt_price"),
    (lambda: pd_.linear_discount_pt_price(0.5, 800), "discount_rate_per_year"),
    (lambda: pd_.scalar_root_for_range(0.2, 0.1, 90), "apy_max"),
    (lambda: pd_.PendleMarket(0, 1, 50, 0.1, 90), "total_pt"),
    (lambda: pd_.PendleMarket(1, 1, 50, 0.1, 0), "days_to_expiry"),
    (lambda: pd_.PendleMarket(1, 1, 50, 0.1, 90, ln_fee_rate_root=0.1), "ln_fee_rate_root"),
    (lambda: pd_.PendleMarket(1, 1, -5, 0.1, 90), "scalar_root"),
    (lambda: pd_.PendleMarket(1, 1, 50, 0.1, 90).trade(0), "net_pt_to_account"),
    (lambda: pd_.PendleMarket(1, 1, 50, 0.1, 90).buy_pt(-5), "pt_amount"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --- dataset and exercises -------------------------------------------------------------------

def test_pendle_markets_dataset():
    df = load("pendle_markets")
    m = df.attrs["meta"]
    assert m.sources and set(df["confidence"]) <= {"A", "B", "C"}
    aave = df[(df["market"] == "PT-sUSDe-31JUL2025")].set_index("metric")["value"]
    assert aave["aave_emode_ltv"] == 0.874 and aave["aave_emode_lt"] == 0.894
    assert aave["aave_discount_rate_per_year"] == pytest.approx(0.075124)
    tvl = df[df["metric"] == "tvl"]
    assert tvl["value"].max() == pytest.approx(6.2) and tvl["date"].is_monotonic_increasing


def test_exercises_accept_their_answers_and_catch_slips():
    assert len(ANSWERS) >= 4
    for number, expected in ANSWERS.items():
        assert check(f"pendle.{number}", expected.value)
        for wrong, _ in expected.mistakes:
            fb = check(f"pendle.{number}", wrong)
            assert not fb and "Not quite" in fb.message


def test_exercise_values():
    """Ex 1: 1.12^(-120/365) = 0.963427. Ex 4: WE28's 9,775.89. Ex 5: 0.980653. Ex 6: 5x9 % - 4x6 % = 21 %."""
    assert ANSWERS["1"].value == pytest.approx(1.12 ** (-120 / 365))
    assert ANSWERS["4"].value == pytest.approx(9775.887733895946, rel=REL)
    assert ANSWERS["5"].value == pytest.approx(0.980653, abs=1e-6)
    assert ANSWERS["6"].value == pytest.approx(0.21)


# --- issue 11: YT break-even reason, exact loop return -----------------------------

@settings(max_examples=100, deadline=None)
@given(a=st.floats(0.001, 1.0), days=st.floats(1.0, 730.0))
def test_yt_at_u_equal_a_earns_exactly_a_and_breakeven_is_below(a, days):
    """At u = a the YT collects (1+a)^t - 1 = (1+a)^t x its price: an annualised a. Zero return needs
    (1+u*)^t = 2 - (1+a)^(-t) < (1+a)^t, so u* < a without fee (not 'because yield arrives early')."""
    y = pd_.yt_price(a, days)
    # tolerance: yt_price = 1 - (1+a)^-t loses digits to cancellation for small a*t
    assert pd_.yt_long_yield_apy(a, y, days, yt_fee=0.0) == pytest.approx(a, rel=1e-4, abs=1e-6)
    u = pd_.yt_breakeven_apy(y, days, yt_fee=0.0)
    t = days / 365
    assert (1 + u) ** t == pytest.approx(2 - (1 + a) ** -t, rel=1e-9)
    assert u < a


def test_pt_loop_equity_apy_exact_form():
    """Exact at one year equals the linear L a - (L-1) b; other horizons differ (first-order only)."""
    assert pd_.pt_loop_equity_apy(0.09, 0.06, 5, 365) == pytest.approx(pd_.pt_loop_net_apy(0.09, 0.06, 5))
    assert pd_.pt_loop_equity_apy(0.09, 0.06, 1, 94) == pytest.approx(0.09)
    assert pd_.pt_loop_equity_apy(0.09, 0.06, 5, 94) == pytest.approx(0.2163, abs=1e-4)
    assert pd_.pt_loop_equity_apy(0.01, 0.50, 20, 365) == -1.0
    with pytest.raises(ValueError, match="days_held"):
        pd_.pt_loop_equity_apy(0.09, 0.06, 5, 0)


# --- input contracts (issue 14) ------------------------------------------------------------

@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("call, name", [
    (lambda: pd_.pt_exchange_rate(0.1, 1e15), "days_to_maturity"),       # was ZeroDivisionError
    (lambda: pd_.fixed_yield_payoff(1.5e308, 0.5, 365), "amount_asset"),  # overflow: named
    (lambda: pd_.implied_apy(0.9, 1e-300), "days_to_maturity"),           # was a RuntimeWarning
    (lambda: pd_.yt_leverage(0.1, 1e-300), "days_to_maturity"),           # YT price rounds to 0
    (lambda: pd_.yt_breakeven_apy(0.5, 1e-300), "days_to_maturity"),      # was OverflowError
    (lambda: pd_.scalar_root_for_range(0.01, 0.05, 1e-300), "days_to_expiry"),   # was ZeroDivisionError
    (lambda: pd_.max_loop_leverage(0.8, loops=True), "loops"),            # a flag is not a count
    (lambda: pd_.PendleMarket(1, 1, 1e308, 0.1, 1e-9), "scalar_root"),    # rate scalar would be inf
    (lambda: pd_.PendleMarket(1, 1, 50, 0.1, 1e300), "days_to_expiry"),   # was OverflowError
    (lambda: pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.1, 90).sell_pt(1e15), "pt_amount"),
    (lambda: pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.1, 90).buy_pt(1e15), "pt_amount"),
    (lambda: pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.1, 90).with_days_to_expiry(0), "days_to_expiry"),
])
def test_contract_errors_are_named_value_errors(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_pendle_trade_validates_on_construction():
    m = pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
    t = m.trade(10_000)
    assert pd_.PendleTrade(**{f: getattr(t, f) for f in t.__dataclass_fields__}) == t
    fields = {f: getattr(t, f) for f in t.__dataclass_fields__}
    for bad, name in (({"net_pt_to_account": 0.0}, "net_pt_to_account"),
                      ({"reserve_fee_asset": t.fee_asset + 1}, "reserve_fee_asset"),
                      ({"net_asset_to_account": 1e308, "net_pt_to_account": 1e-300}, "net_asset_to_account"),
                      ({"market_after": None}, "market_after"),
                      ({"exchange_rate": float("nan")}, "exchange_rate")):
        with pytest.raises(ValueError, match=name):
            pd_.PendleTrade(**{**fields, **bad})


def test_min_proportion_is_finite_far_from_expiry():
    """The logistic 1/(1+e^-z) in its stable form: no OverflowError for a very steep, long curve."""
    m = pd_.PendleMarket(1_000_000, 1_000_000, 1e6, 100.0, pd_.MAX_DAYS)
    assert 0.0 <= m.min_proportion < 1e-300
    near = pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
    z = (1 - near.rate_anchor) * near.rate_scalar
    assert near.min_proportion == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-15)


def test_market_fields_are_floats_and_domains_are_documented():
    m = pd_.PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)
    assert all(type(getattr(m, f)) is float for f in m.__dataclass_fields__)
    assert "in (0, 36500]" in pd_.PendleMarket.__doc__ and "in [0, 100]" in pd_.pt_price.__doc__
    assert type(pd_.pt_price(np.float64(0.1), 90)) is float
