"""Tests of defi_helpers.rates (Aave v3 interest-rate strategy and index maths).

Expected values derived by hand from DefaultReserveInterestRateStrategyV2
(aave-v3-origin) and MathUtils.sol, for WE6–WE9 of defi-math.md §2.5.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from defi_helpers import rates as r

WETH = dict(optimal_usage=0.80, base=0.0, slope1=0.028, slope2=0.80)
USDC = dict(optimal_usage=0.90, base=0.0, slope1=0.035, slope2=0.60)
WSTETH_2025 = dict(optimal_usage=0.80, base=0.0, slope1=0.01, slope2=0.40)


@pytest.mark.parametrize("u, borrow, supply", [
    # WE6, WETH 2023-10-31, RF 15 %: below kink 0.028*U/0.8; above 0.028 + 0.8*(U-0.8)/0.2
    (0.50, 0.0175, 0.0175 * 0.50 * 0.85),
    (0.80, 0.028, 0.028 * 0.80 * 0.85),
    (0.90, 0.428, 0.428 * 0.90 * 0.85),
    (0.95, 0.628, 0.628 * 0.95 * 0.85),
])
def test_we6_weth(u, borrow, supply):
    assert r.borrow_rate(u, **WETH) == pytest.approx(borrow)
    assert r.supply_rate(u, **WETH, reserve_factor=0.15) == pytest.approx(supply)


def test_we6_ray_integer_path():
    """U = 0.9 from debt 90e18 / liquidity 10e18, computed in ray as the V2 strategy does."""
    RAY = 10**27
    u_ray = (90 * 10**18 * RAY + (100 * 10**18) // 2) // (100 * 10**18)   # rayDiv
    uopt = 8000 * 10**23
    excess = (u_ray - uopt) * RAY // (RAY - uopt)
    borrow_ray = 0 + 280 * 10**23 + (8000 * 10**23 * excess + RAY // 2) // RAY
    assert borrow_ray == 428 * 10**24
    assert r.borrow_rate(r.utilization(90, 10), **WETH) == pytest.approx(borrow_ray / RAY)


@pytest.mark.parametrize("u, borrow", [(0.5, 0.035 * 0.5 / 0.9), (0.9, 0.035), (0.95, 0.335)])
def test_we7_usdc(u, borrow):
    assert r.borrow_rate(u, **USDC) == pytest.approx(borrow)
    assert r.supply_rate(u, **USDC, reserve_factor=0.10) == pytest.approx(borrow * u * 0.9)


def test_we8_wsteth_2025():
    """wstETH after 2025-07-21 (bgd-labs/aave-proposals-v3 diffs/AaveV3Ethereum_InterestRateUpdateWETHAndWstETHEthereum_
    20250721_before_..._after.md: RF 5 % -> 35 %, slope1 1.6 % -> 1 %, slope2 85 % -> 40 %, Uopt 80 %):
    at U = 0.9, borrow = 0.01 + 0.40*0.1/0.2 = 0.21; supply = 0.21*0.9*0.65."""
    assert r.borrow_rate(0.9, **WSTETH_2025) == pytest.approx(0.21)
    assert r.supply_rate(0.9, **WSTETH_2025, reserve_factor=0.35) == pytest.approx(0.12285)


def test_we9_compounding():
    """5 % over a year: binomial 1.0512708..., Taylor 1.0512708 (x=0.05), linear 1.05, e^0.05."""
    year = r.SECONDS_PER_YEAR
    x = 0.05
    taylor = 1 + x + x**2 / 2 + x**3 / 6
    assert r.compounded_interest_v34(0.05, year) == pytest.approx(taylor, rel=1e-15)
    n = year
    per = 0.05 / year
    binom = 1 + n * per + n * (n - 1) / 2 * per**2 + n * (n - 1) * (n - 2) / 6 * per**3
    assert r.compounded_interest_v30(0.05, year) == pytest.approx(binom, rel=1e-15)
    assert r.linear_interest(0.05, year) == pytest.approx(1.05)
    # both approximations sit just below e^r (they drop the 4th-order term)
    assert r.compounded_interest_v30(0.05, year) < math.exp(0.05)
    assert r.compounded_interest_v34(0.05, year) < math.exp(0.05)
    assert r.compounded_interest_v30(0.05, year) < r.compounded_interest_v34(0.05, year)
    # 100 %: the 3rd-order series is visibly short of e (2.6667 vs 2.7183)
    assert r.compounded_interest_v34(1.0, year) == pytest.approx(1 + 1 + 0.5 + 1 / 6)
    # supply side: 4 %, one update vs 365 daily linear updates
    daily = r.linear_interest(0.04, 86_400) ** 365
    assert daily == pytest.approx((1 + 0.04 / 365) ** 365)
    assert daily > r.linear_interest(0.04, year)


def test_vectorised_and_utilization():
    u = np.array([0.0, 0.4, 0.8, 1.0])
    out = r.borrow_rate(u, **WETH)
    assert out.shape == (4,) and out[0] == 0 and out[-1] == pytest.approx(0.828)
    assert r.utilization(0, 0) == 0.0
    assert r.apr_to_apy(0.05, 12) == pytest.approx((1 + 0.05 / 12) ** 12 - 1)


# --- properties ------------------------------------------------------------

curve = st.fixed_dictionaries(dict(
    optimal_usage=st.floats(0.05, 0.95), base=st.floats(0, 0.1),
    slope1=st.floats(0, 0.5), slope2=st.floats(0, 3)))


@settings(max_examples=200, deadline=None)
@given(p=curve)
def test_continuous_at_kink(p):
    k = p["optimal_usage"]
    left = r.borrow_rate(k - 1e-9, **p)
    right = r.borrow_rate(k + 1e-9, **p)
    assert r.borrow_rate(k, **p) == pytest.approx(p["base"] + p["slope1"])
    assert abs(right - left) < 1e-6


@settings(max_examples=200, deadline=None)
@given(p=curve, u1=st.floats(0, 1), u2=st.floats(0, 1), rf=st.floats(0, 1))
def test_monotone_and_supply_below_borrow(p, u1, u2, rf):
    lo, hi = sorted((u1, u2))
    assert r.borrow_rate(lo, **p) <= r.borrow_rate(hi, **p) + 1e-12
    assert r.supply_rate(hi, **p, reserve_factor=rf) <= r.borrow_rate(hi, **p) + 1e-12


@pytest.mark.parametrize("call, name", [
    (lambda: r.borrow_rate(1.1, **WETH), "utilization"),
    (lambda: r.borrow_rate(-0.1, **WETH), "utilization"),
    (lambda: r.borrow_rate(float("nan"), **WETH), "utilization"),
    (lambda: r.borrow_rate(0.5, 1.0, 0, 0.1, 0.5), "optimal_usage"),
    (lambda: r.borrow_rate(0.5, 0.8, -0.01, 0.1, 0.5), "base"),
    (lambda: r.borrow_rate(0.5, 0.8, 0, -0.1, 0.5), "slope1"),
    (lambda: r.borrow_rate(0.5, 0.8, 0, 0.1, float("nan")), "slope2"),
    (lambda: r.supply_rate(0.5, **WETH, reserve_factor=1.5), "reserve_factor"),
    (lambda: r.utilization(-1, 5), "total_debt"),
    (lambda: r.linear_interest(0.05, -1), "seconds"),
    (lambda: r.compounded_interest_v30(float("nan"), 10), "rate"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_v30_compounding_integer_path():
    """aave-v3-core MathUtils.calculateCompoundedInterest in integers: at 5 % for a whole year the
    truncated cubic term gives 1.0512657 against 1.0512708 in floats; for an hour they agree."""
    from defi_helpers.rates import RAY, compounded_interest_v30_ray
    year = r.SECONDS_PER_YEAR
    onchain = compounded_interest_v30_ray(5 * 10**25, year) / RAY
    assert onchain == pytest.approx(1.0512656815, abs=1e-10)
    assert r.compounded_interest_v30(0.05, year) - onchain == pytest.approx(5.15e-6, rel=0.01)
    assert compounded_interest_v30_ray(5 * 10**25, 3600) / RAY == pytest.approx(
        r.compounded_interest_v30(0.05, 3600), rel=1e-15)
    assert compounded_interest_v30_ray(5 * 10**25, 0) == RAY
    with pytest.raises(ValueError, match="rate_ray"):
        compounded_interest_v30_ray(-1, 10)


def test_truncation_error_of_the_series_is_about_x4_over_24():
    """Both series stop at the cubic term: against e^x the gap is about x^4/24 (2.6e-7 at x = 0.05)."""
    import math
    year = r.SECONDS_PER_YEAR
    assert math.exp(0.05) - r.compounded_interest_v34(0.05, year) == pytest.approx(0.05**4 / 24, rel=0.05)
    assert math.exp(0.05) - r.compounded_interest_v30(0.05, year) == pytest.approx(0.05**4 / 24, rel=0.05)


# --- input contracts (issue 14) ---------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: r.compounded_interest_v30(1e300, 10), "rate"),       # overflow becomes a ValueError
    (lambda: r.compounded_interest_v34(0.05, 1e300), "seconds"),
    (lambda: r.linear_interest(True, 10), "rate"),
    (lambda: r.apr_to_apy(1e300, 365), "apr"),
    (lambda: r.apr_to_apy(-13, 12), "apr"),                       # below -m: one period wipes out the balance
    (lambda: r.apr_to_apy(0.05, 0.5), "periods_per_year"),
    (lambda: r.utilization([1, 2], [1, 2, 3]), "available_liquidity"),
    (lambda: r.borrow_rate(0.5, 0.8, 0, 0.028, [0.8]), "slope2"),  # curve parameters are single numbers
    (lambda: r.compounded_interest_v30_ray(2**128, 10), "rate_ray"),  # the reserve stores a uint128
    (lambda: r.compounded_interest_v30_ray(5 * 10**25, 2**40), "seconds"),  # timestamps are uint40
    (lambda: r.compounded_interest_v30_ray(5 * 10**25, True), "seconds"),
])
def test_contract_refuses_with_the_parameter_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_scalars_in_floats_out_arrays_stay_arrays():
    assert type(r.utilization(90, 10)) is float and type(r.borrow_rate(0.9, **WETH)) is float
    assert type(r.apr_to_apy(0.05)) is float and type(r.compounded_interest_v30(0.05, 3600)) is float
    out = r.supply_rate(np.array([0.5, 0.9]), **WETH, reserve_factor=0.15)
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    assert r.utilization(0, 0) == 0.0
