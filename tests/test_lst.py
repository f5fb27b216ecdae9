"""Tests for defi_helpers.lst: share maths, APR, rETH, oracle types, dataset, exercises."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from defi_helpers import lst
from defi_helpers.data import load
from defi_helpers.exercises import check
from defi_helpers.exercises.lst import ANSWERS

WEI = 10**18
P_WE20, S_WE20 = 9_000_000, 7_500_000

pools = st.tuples(st.floats(1e3, 1e8), st.floats(1e3, 1e8))


# --- worked examples ------------------------------------------------------------

def test_steth_contract_doc_example():
    """lidofinance/core contracts/0.4.24/StETH.sol header: 10 ETH pooled, user1 100 shares
    and user2 400 shares (500 in total) -> balances 2 and 8 stETH."""
    assert lst.pooled_eth_by_shares(100, 10, 500) == pytest.approx(2.0)
    assert lst.pooled_eth_by_shares(400, 10, 500) == pytest.approx(8.0)


def test_share_maths_we20_in_wei():
    """WE20 (defi-math.md §6): totalPooledEther 9,000,000 ETH, totalShares 7,500,000.
    Share rate 9/7.5 = 1.2; getPooledEthByShares(1e18) = 1.2e18;
    getSharesByPooledEth(1e18) = floor(1e18 * 7.5e6 / 9e6) = 833333333333333333;
    wrapping 1,000 stETH mints floor(1000e18 * 7.5/9) = 833333333333333333333 wei of wstETH."""
    p, s = P_WE20 * WEI, S_WE20 * WEI
    assert lst.share_rate(P_WE20, S_WE20) == pytest.approx(1.2)
    assert lst.pooled_eth_by_shares_wei(WEI, p, s) == 1_200_000_000_000_000_000
    assert lst.shares_by_pooled_eth_wei(WEI, p, s) == 833_333_333_333_333_333
    assert lst.shares_by_pooled_eth_wei(1000 * WEI, p, s) == 833_333_333_333_333_333_333
    assert lst.wrap_steth(1000, P_WE20, S_WE20) == pytest.approx(2500 / 3)


def test_lido_guide_wrap_example():
    """Lido tokens integration guide, "Rewards accounting": wrap 1 stETH -> 0.9803 wstETH;
    after a rebase raising the wstETH price by 5 %, unwrapping 0.9803 wstETH gives ~1.0499
    stETH and 1 stETH = ~0.9337 wstETH. With share rate r0 = 1/0.9803 and r1 = 1.05 r0:
    0.9803 * r1 = 1.05 (the guide rounds to 1.0499) and 1/r1 = 0.9803/1.05 = 0.93362."""
    s = 1_000_000.0
    p0 = s / 0.9803
    w = lst.wrap_steth(1.0, p0, s)
    assert w == pytest.approx(0.9803)
    p1 = p0 * 1.05
    assert lst.unwrap_wsteth(w, p1, s) == pytest.approx(1.0499, abs=2e-4)
    assert lst.wrap_steth(1.0, p1, s) == pytest.approx(0.9337, abs=1e-4)


def test_rebase_apr_we21():
    """WE21: the WE20 state plus 822 ETH of rewards in one day (86,400 s, 365-day year).
    Without fee shares: 822/9e6 * 365 = 0.0333366667. With Lido's 10 % fee minted as
    shares the holders' rate rises by 0.9 * 822/9e6, so APR = 0.0300030."""
    assert lst.rebase_apr(P_WE20, S_WE20, P_WE20 + 822, S_WE20, 86_400) == pytest.approx(822 / 9e6 * 365)
    post_e, post_s, minted = lst.rebase_with_fee(P_WE20, S_WE20, 822)
    assert minted == pytest.approx(822 * 0.1 * 7.5e6 / (9_000_822 - 82.2))
    assert lst.rebase_apr(P_WE20, S_WE20, post_e, post_s, 86_400) == pytest.approx(0.9 * 822 / 9e6 * 365)


def test_fee_shares_are_worth_the_fee():
    """Lido guide, "Fees": the minted shares are worth fee * rewards at the new share price."""
    post_e, post_s, minted = lst.rebase_with_fee(P_WE20, S_WE20, 822, fee=0.10)
    assert lst.pooled_eth_by_shares(minted, post_e, post_s) == pytest.approx(82.2)


def test_apr_is_unaffected_by_deposits():
    """A deposit mints shares at the current rate, so it does not change the share rate."""
    deposit = 1_000_000
    new_shares = lst.shares_by_pooled_eth(deposit, P_WE20, S_WE20)
    assert lst.rebase_apr(P_WE20, S_WE20, P_WE20 + deposit, S_WE20 + new_shares, 86_400) == pytest.approx(0.0, abs=1e-15)


def test_reth_we22():
    """WE22: totalETHBalance 540,000, rETHSupply 480,000 -> 1.125 ETH per rETH
    (RocketTokenRETH.getEthValue); with no rETH minted the rate is 1:1."""
    assert lst.reth_exchange_rate(540_000, 480_000) == pytest.approx(1.125)
    assert lst.reth_eth_value(2, 540_000, 480_000) == pytest.approx(2.25)
    assert lst.reth_exchange_rate(0, 0) == 1.0
    assert lst.reth_exchange_rate(5, 0) == 1.0


def test_apr_to_apy_daily():
    """(1 + 0.03/365)^365 - 1 = 0.0304530..."""
    assert lst.apr_to_apy(0.03) == pytest.approx((1 + 0.03 / 365) ** 365 - 1)
    assert lst.apr_to_apy(0.03) > 0.03


def test_withdrawal_claim_is_capped_at_request():
    """WithdrawalQueueBase: claim = request amount unless the share rate fell below the
    request's; 120 stETH as 100 shares claims 120 at rate 1.25 and 119 at rate 1.19."""
    assert lst.withdrawal_claimable_eth(120.0, 100.0, 1.25) == 120.0
    assert lst.withdrawal_claimable_eth(120.0, 100.0, 1.19) == pytest.approx(119.0)


def test_withdrawal_requests_split_at_1000():
    """Lido guide: at most 1,000 stETH per request."""
    assert lst.withdrawal_requests(2_500) == [1000.0, 1000.0, 500.0]
    assert lst.withdrawal_requests(1000) == [1000.0]
    assert sum(lst.withdrawal_requests(3_333.3)) == pytest.approx(3_333.3)


def test_june_2022_oracle_types():
    """Aave v2 stETH after AIP-75 (executed 2022-05-19): LT 81 %, market (Chainlink stETH/ETH)
    pricing. A 3x loop at a market ratio of 0.93: 0.81*3*0.93/2 = 1.129950 under the market
    oracle, 0.81*3/2 = 1.215 under an exchange-rate oracle. Liquidated (market oracle) at
    2/(3*0.81) = 0.823045."""
    assert lst.looped_lst_health_factor(3, 0.81, 0.93, oracle="market") == pytest.approx(1.12995)
    assert lst.looped_lst_health_factor(3, 0.81, 0.93, oracle="exchange_rate") == pytest.approx(1.215)
    assert lst.market_ratio_at_liquidation(3, 0.81) == pytest.approx(2 / 2.43)


def test_we23():
    """WE23: with LT 0.75, x = 2 -> 1/1.5 = 0.666667 and x = 3 -> 2/2.25 = 0.888889."""
    assert lst.market_ratio_at_liquidation(2, 0.75) == pytest.approx(2 / 3)
    assert lst.market_ratio_at_liquidation(3, 0.75) == pytest.approx(8 / 9)


def test_oracle_report_limits():
    """lidofinance/core deployed-mainnet.json (v2.0.0, v2.1.0, v3.0.2): maxPositiveTokenRebase
    750,000 in 1e9 precision (0.075 % per report) and annualBalanceIncreaseBPLimit 1,000 bp.
    The V1-era "27 % APR cap" is gone; 0.075 % a day annualises to 27.375 % only by coincidence."""
    assert lst.LIDO_MAX_POSITIVE_TOKEN_REBASE == pytest.approx(0.00075)
    assert lst.LIDO_ANNUAL_CL_BALANCE_INCREASE_LIMIT == pytest.approx(0.10)
    assert not hasattr(lst, "LIDO_MAX_APR")
    assert lst.SECONDS_PER_YEAR == 31_536_000


def test_smoothen_rebase_withholds_above_the_limit():
    """PositiveTokenRebaseLimiter: 9,000,000 ETH x 0.075 % = 6,750 ETH of room; CL rewards
    (600) come first, so 6,150 of 10,000 EL rewards are applied and 3,850 wait."""
    applied, withheld = lst.smoothen_rebase(9_000_000, 600, 10_000)
    assert applied == pytest.approx(6_150)
    assert withheld == pytest.approx(3_850)
    # a normal day fits entirely
    assert lst.smoothen_rebase(9_000_000, 600, 150) == pytest.approx((150, 0))
    # a consensus-layer loss leaves more room, never less than the EL rewards that fit
    assert lst.smoothen_rebase(9_000_000, -100, 1_000) == pytest.approx((1_000, 0))
    # CL rewards alone above the limit: nothing from the EL vault
    assert lst.smoothen_rebase(9_000_000, 7_000, 50) == pytest.approx((0, 50))


@settings(max_examples=200, deadline=None)
@given(tpe=st.floats(1.0, 1e8), cl=st.floats(-0.5, 0.01), el=st.floats(0.0, 0.05))
def test_smoothen_rebase_never_exceeds_the_limit(tpe, cl, el):
    """Applied EL rewards plus the CL change never raise pooled ether by more than the limit
    (unless the CL change alone does), and applied + withheld = EL rewards."""
    applied, withheld = lst.smoothen_rebase(tpe, cl * tpe, el * tpe)
    assert applied + withheld == pytest.approx(el * tpe)
    assert applied >= 0 and withheld >= 0
    if cl * tpe <= tpe * lst.LIDO_MAX_POSITIVE_TOKEN_REBASE:
        assert cl * tpe + applied <= tpe * lst.LIDO_MAX_POSITIVE_TOKEN_REBASE * (1 + 1e-9) + 1e-9


def test_smoothen_rebase_rejects_bad_input():
    with pytest.raises(ValueError, match="el_rewards_eth"):
        lst.smoothen_rebase(9_000_000, 0, -1)
    with pytest.raises(ValueError, match="max_positive_token_rebase"):
        lst.smoothen_rebase(9_000_000, 0, 1, max_positive_token_rebase=0)
    with pytest.raises(ValueError, match="cl_balance_change_eth"):
        lst.smoothen_rebase(100, -200, 1)


# --- properties -----------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(pool=pools, amount=st.floats(0.0, 1e6))
def test_wrap_then_unwrap_returns_the_amount(pool, amount):
    p, s = pool
    assert lst.unwrap_wsteth(lst.wrap_steth(amount, p, s), p, s) == pytest.approx(amount, rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(p=st.integers(10**21, 10**28), s=st.integers(10**21, 10**28), x=st.integers(0, 10**24))
def test_wrap_unwrap_in_wei_loses_at_most_the_rounding(p, s, x):
    """Two floor divisions: 0 <= x - back <= ceil(P/S) wei (the 1-2 wei corner case)."""
    back = lst.pooled_eth_by_shares_wei(lst.shares_by_pooled_eth_wei(x, p, s), p, s)
    assert 0 <= x - back <= -(-p // s)


@settings(max_examples=200, deadline=None)
@given(pool=pools, shares=st.floats(0.0, 1e6), growth=st.floats(0.0, 0.2))
def test_rebase_grows_steth_not_wsteth(pool, shares, growth):
    """A positive rebase raises totalPooledEther with shares fixed: the stETH balance grows by
    the same factor, the wstETH balance (the share count) does not move."""
    p, s = pool
    before = lst.pooled_eth_by_shares(shares, p, s)
    after = lst.pooled_eth_by_shares(shares, p * (1 + growth), s)
    assert after == pytest.approx(before * (1 + growth), rel=1e-12, abs=1e-12)
    assert lst.wrap_steth(after, p * (1 + growth), s) == pytest.approx(shares, rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(pool=pools, r=st.floats(0.0, 1e4), fee=st.floats(0.0, 0.5), dt=st.floats(3600, 7 * 86400))
def test_fee_scales_holder_apr(pool, r, fee, dt):
    p, s = pool
    gross = lst.rebase_apr(p, s, p + r, s, dt)
    post_e, post_s, _ = lst.rebase_with_fee(p, s, r, fee)
    assert lst.rebase_apr(p, s, post_e, post_s, dt) == pytest.approx((1 - fee) * gross, rel=1e-6, abs=1e-9)  # float cancellation in small rebases


@settings(max_examples=200, deadline=None)
@given(x=st.floats(1.01, 30), lt=st.floats(0.5, 1.0), m=st.floats(0.5, 1.0))
def test_exchange_rate_oracle_ignores_market_discount(x, lt, m):
    ex = lst.looped_lst_health_factor(x, lt, m, oracle="exchange_rate")
    mk = lst.looped_lst_health_factor(x, lt, m, oracle="market")
    assert ex == pytest.approx(lst.looped_lst_health_factor(x, lt, 1.0, oracle="exchange_rate"))
    assert mk == pytest.approx(ex * m)


def test_vectorised_market_ratio():
    m = np.linspace(0.9, 1.0, 5)
    out = lst.looped_lst_health_factor(3, 0.81, m, oracle="market")
    assert out.shape == (5,)
    assert np.all(np.diff(out) > 0)


# --- bad input --------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: lst.pooled_eth_by_shares(1, 10, 0), "total_shares"),
    (lambda: lst.shares_by_pooled_eth(1, 0, 10), "total_pooled_ether"),
    (lambda: lst.pooled_eth_by_shares(-1, 10, 10), "shares"),
    (lambda: lst.wrap_steth(-5, 10, 10), "steth_amount"),
    (lambda: lst.unwrap_wsteth(float("nan"), 10, 10), "wsteth_amount"),
    (lambda: lst.pooled_eth_by_shares_wei(1.5, 10, 10), "shares_wei"),
    (lambda: lst.shares_by_pooled_eth_wei(1, 0, 10), "total_pooled_ether_wei"),
    (lambda: lst.rebase_apr(1, 1, 1, 1, 0), "seconds_elapsed"),
    (lambda: lst.rebase_apr(0, 1, 1, 1, 86400), "pre_total_ether"),
    (lambda: lst.rebase_with_fee(10, 10, 1, fee=1.0), "fee"),
    (lambda: lst.reth_exchange_rate(-1, 10), "total_eth_balance"),
    (lambda: lst.looped_lst_health_factor(3, 0.81, 0.9, oracle="chainlink"), "oracle"),
    (lambda: lst.looped_lst_health_factor(3, 0.81, 0.0, oracle="market"), "market_ratio"),
    (lambda: lst.withdrawal_claimable_eth(1, 1, 0), "finalization_share_rate"),
    (lambda: lst.withdrawal_requests(0), "steth_amount"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- dataset and exercises --------------------------------------------------------

def test_steth_2022_dataset():
    df = load("steth_eth_2022")
    meta = df.attrs["meta"]
    assert meta.as_of == "2022-09-07"
    assert meta.confidence.startswith("B")
    assert df["date"].is_monotonic_increasing
    assert df["steth_eth"].between(0.9, 1.0).all()
    assert set(df["kind"]) <= {"approximate", "reported_level", "intraday_low", "weekly_extreme"}
    assert set(df["confidence"]) <= {"A", "B", "C"}
    june = df[(df["date"] >= "2022-06-01") & (df["date"] <= "2022-06-30")]
    assert june["steth_eth"].min() == pytest.approx(0.92)          # CoinDesk's 8 % extreme
    assert df.loc[df["kind"] != "weekly_extreme", "steth_eth"].min() == pytest.approx(0.93)


def test_exercises_accept_their_answers_and_catch_slips():
    assert len(ANSWERS) >= 4
    for number, expected in ANSWERS.items():
        assert check(f"lst.{number}", expected.value)
        for wrong, _ in expected.mistakes:
            assert not check(f"lst.{number}", wrong), f"lst.{number}: the slip {wrong} was accepted"


def test_exercise_values_from_first_principles():
    """lst.1: 50 shares * 9.3e6/7.8e6 = 59.615; lst.4: 10 * 600/540 = 11.111 ETH."""
    assert ANSWERS["1"].value == pytest.approx(50 * 9.3 / 7.8)
    assert ANSWERS["4"].value == pytest.approx(10 * 600 / 540)
    assert math.isclose(ANSWERS["2"].value, 103.0)


def test_lido_apr_dataset_shows_the_ten_percent_fee():
    """Lido's query (dataset lido_steth_apr) gives protocol APR = user APR / 0.9: the 10 % fee."""
    df = load("lido_steth_apr")
    assert (df["user_apr_instant"] / df["protocol_apr_instant"]).round(4).eq(1 - lst.LIDO_PROTOCOL_FEE).all()
    assert df["user_apr_7d_ma"].between(0.02, 0.04).all()
    assert df.attrs["meta"].as_of == "2025-05-21"


# --- explorers and tables -----------------------------------------------------------

def test_lst_explorers_build_static_and_live():
    from defi_helpers.explorers import lst as ex
    for factory in (ex.rebase_balances_explorer, ex.lst_loop_explorer):
        e = factory()
        assert not e.compute().empty
        assert e.static_chart().to_dict()["params"]
        e.chart_for()


def test_rebase_table_keeps_wsteth_fixed_and_tracks_steth():
    from defi_helpers.charts.lst import BALANCE_SERIES
    from defi_helpers.explorers.lst import START_SHARE_RATE, START_STETH, rebase_balances_table
    t = rebase_balances_table(apr=0.03, loss=0.01)
    st_, wst, val = (t[t["series"] == s].reset_index(drop=True) for s in BALANCE_SERIES)
    assert st_["amount"].iloc[0] == pytest.approx(START_STETH)
    assert wst["amount"].nunique() == 1 and wst["amount"].iloc[0] == pytest.approx(START_STETH / START_SHARE_RATE)
    assert np.allclose(st_["amount"], val["amount"])
    before, after = st_[st_["day"] < 182]["amount"].iloc[-1], st_[st_["day"] >= 182]["amount"].iloc[0]
    assert after < before                                 # the one-off loss shows as a step down


def test_lst_loop_table_and_tvl_layers():
    from defi_helpers.explorers.lst import lst_loop_table, tvl_layers_table
    t = lst_loop_table(3, 0.81)
    ex_rate = t[t["oracle"] == "Exchange-rate oracle"]["health_factor"]
    assert np.allclose(ex_rate, 1.215)
    assert t["liquidation_ratio"].iloc[0] == pytest.approx(2 / 2.43)
    layers = tvl_layers_table(10, 3)["ETH"]
    # issue 11: the 20 ETH borrowed is lenders' capital (the WETH reserve), not the holder's
    assert layers["independent capital: holder + lenders"] == pytest.approx(30)
    assert layers["naive sum: Lido + all lending deposits"] == pytest.approx(80)
    assert layers["netted per reserve (WETH supplied − borrowed = 0)"] == pytest.approx(60)
    assert layers["lenders' ETH (WETH reserve, lent to the loop)"] == pytest.approx(20)
    # netting per reserve never goes below the independent capital, nor above the naive sum
    for x in (1.0, 2.0, 5.5):
        t = tvl_layers_table(7, x)["ETH"]
        assert (t["independent capital: holder + lenders"]
                <= t["netted per reserve (WETH supplied − borrowed = 0)"]
                <= t["naive sum: Lido + all lending deposits"])


# --- input contracts (issue 14) ------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: lst.pooled_eth_by_shares(True, 10, 10), "shares"),               # a bool is not a number
    (lambda: lst.share_rate("9000000", 7_500_000), "total_pooled_ether"),     # nor is a string
    (lambda: lst.looped_lst_health_factor(3, 0.81, 0.94, oracle=1), "oracle"),
    (lambda: lst.looped_lst_health_factor(1_001, 0.81), "leverage"),          # capped far above any market
    (lambda: lst.market_ratio_at_liquidation([2, 3], [0.8, 0.8, 0.8]), "liquidation_threshold"),
    (lambda: lst.pooled_eth_by_shares_wei(10**18 * 1.0, 10, 10), "shares_wei"),   # floats are not exact wei
    (lambda: lst.shares_by_pooled_eth_wei(True, 10, 10), "eth_wei"),
    (lambda: lst.shares_by_pooled_eth_wei(2**256, 10, 10), "eth_wei"),            # a uint256
    (lambda: lst.withdrawal_requests(1e15), "steth_amount"),                  # 1e12 requests: refused, not MemoryError
    (lambda: lst.smoothen_rebase(100, -101, 0), "total_pooled_ether"),        # the cross check names both
])
def test_contract_refuses_with_a_named_value_error(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: lst.pooled_eth_by_shares(1e308, 10, 1), "shares"),         # overflow: named, not RuntimeWarning
    (lambda: lst.rebase_apr(1e-300, 7.5e6, 9e6, 7.5e6, 86_400), "pre_total_ether"),  # was a silent inf
    (lambda: lst.rebase_with_fee(10, 1e308, 1e308), "rewards_eth"),     # was a silent inf
    (lambda: lst.apr_to_apy(1e15), "apr"),
])
@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_overflow_is_a_named_value_error(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_contract_keeps_numbers_in_numbers_out():
    assert type(lst.pooled_eth_by_shares(np.float64(1.0), 9_000_000, 7_500_000)) is float
    out = lst.pooled_eth_by_shares([1.0, 2.0], 9_000_000, 7_500_000)
    assert isinstance(out, np.ndarray) and out.tolist() == pytest.approx([1.2, 2.4])
    assert lst.pooled_eth_by_shares_wei(np.int64(10**18), 9 * 10**24, 75 * 10**23) == 12 * 10**17
    # no debt: the health factor is documented as inf, not refused
    assert lst.looped_lst_health_factor(1, 0.81) == math.inf
    assert "in [1, 1000]" in lst.looped_lst_health_factor.__doc__   # domains in the docstring
