"""Tests of defi_helpers.collateral against Aave v3's own arithmetic.

Worked examples WE1–WE4 of shared/reference/defi-math.md §1.4 give inputs only;
the expected values below were derived by hand from aave-v3-core
GenericLogic.sol / LiquidationLogic.sol and re-checked with Aave's integer
rounding (PercentageMath.percentMul, WadRayMath.wadDiv).
"""

import math

import pytest
from hypothesis import given, settings, strategies as st

from defi_helpers import collateral as c

WAD = 10**18


# --- worked examples -------------------------------------------------------

def test_we1_health_factor_matches_aave_integer_math():
    """WE1: 10 WETH at $2,000 (8-dec price 2000e8), LT 8300, 16,000 USDC debt.

    totalCollateral = 10e18 * 2000e8 / 1e18 = 20,000e8 base units;
    totalDebt = 16,000e6 * 1e8 / 1e6 = 16,000e8;
    HF = wadDiv(percentMul(20,000e8, 8300), 16,000e8) = 1.0375e18 exactly.
    """
    total_collateral = 10 * WAD * 2000 * 10**8 // WAD
    total_debt = 16_000 * 10**6 * 10**8 // 10**6
    hf_wad = c.wad_div(c.percent_mul(total_collateral, 8300), total_debt)
    assert hf_wad == 1_037_500_000_000_000_000
    assert c.health_factor(20_000, 0.83, 16_000) == pytest.approx(hf_wad / WAD, rel=1e-15)


def test_we1_price_drop_and_close_factor():
    """WE1 at $1,900: HF = 19,000 * 0.83 / 16,000 = 0.985625 < 1, and > 0.95 so 50 %."""
    hf = c.health_factor(19_000, 0.83, 16_000)
    assert hf == pytest.approx(0.985625)
    assert c.close_factor(hf) == 0.5
    assert c.liquidation_price(10, 16_000, 0.83) == pytest.approx(16_000 / 8.3)  # $1,927.71


def test_we2_multi_collateral():
    """WE2: 10 WETH @ $2,000 (LTV 8050 / LT 8300) + 5 wstETH @ $2,400 (LTV 7850 / LT 8100), debt $20,000.

    avgLT = (20,000*8300 + 12,000*8100) / 32,000 = 8225 bps (exact integer);
    avgLtv = (20,000*8050 + 12,000*7850) / 32,000 = 7975 bps;
    HF = 32,000 * 0.8225 / 20,000 = 1.316; available = 32,000*0.7975 - 20,000 = $5,520.
    """
    assert (20_000 * 8300 + 12_000 * 8100) // 32_000 == 8225
    assert (20_000 * 8050 + 12_000 * 7850) // 32_000 == 7975
    assert c.health_factor([20_000, 12_000], [0.83, 0.81], 20_000) == pytest.approx(1.316)
    assert c.max_borrow([20_000, 12_000], [0.805, 0.785], 20_000) == pytest.approx(5_520)


def test_we3_liquidation_float_matches_integer_code_path():
    """WE3: WE1 at $1,900, debtToCover 8,000 USDC, bonus 10500, protocol fee 1000.

    baseCollateral = 8,000/1,900 = 4.2105263 WETH; maxCollateral = ×1.05 = 4.4210526;
    bonusCollateral = 4.4210526 − 4.4210526/1.05 = 0.2105263; protocolFee = 10 % = 0.0210526;
    liquidator gets 4.4 WETH = $8,360 (profit $360); remaining 5.5789474 WETH;
    post HF = 5.5789474 * 1,900 * 0.83 / 8,000 = 1.09975.
    """
    r = c.liquidate(10, 1_900, 8_000, 0.05, protocol_fee=0.10)
    # Aave's integer path (18-dec WETH, 6-dec USDC, 8-dec prices)
    base = 10**8 * 8_000 * 10**6 * 10**18 // (1_900 * 10**8 * 10**6)
    max_coll = c.percent_mul(base, 10500)
    bonus = max_coll - c.percent_div(max_coll, 10500)
    fee = c.percent_mul(bonus, 1000)
    assert r.collateral_seized == pytest.approx(max_coll / WAD, rel=1e-12)
    assert r.bonus_collateral == pytest.approx(bonus / WAD, rel=1e-9)
    assert r.protocol_collateral == pytest.approx(fee / WAD, rel=1e-9)
    assert r.liquidator_collateral == pytest.approx(4.4, rel=1e-12)
    assert r.liquidator_profit_usd == pytest.approx(360.0)
    assert r.debt_repaid_usd == 8_000
    post = c.health_factor((10 - r.collateral_seized) * 1_900, 0.83, 8_000)
    assert post == pytest.approx(1.09975)


def test_liquidation_capped_by_available_collateral():
    """When debt*(1+bonus)/price exceeds the collateral, all of it goes and less debt is repaid."""
    r = c.liquidate(1, 1_000, 5_000, 0.05)
    assert r.collateral_seized == 1
    assert r.debt_repaid_usd == pytest.approx(1_000 / 1.05)


def test_we4_close_factor_v30_vs_v33():
    """WE4: HF 0.96, debts USDC $7,000 and DAI $3,000 (total $10,000), collateral large.

    v3.0: 50 % per reserve -> $3,500 of USDC, $1,500 of DAI.
    v3.3: both reserves >= $2,000 and HF > 0.95, so the cap is 50 % of the *total* debt, $5,000:
    USDC min(7,000, 5,000) = $5,000; DAI min(3,000, 5,000) = $3,000 (all of it).
    """
    assert c.close_factor(0.96) * 7_000 == 3_500
    assert c.close_factor(0.96) * 3_000 == 1_500
    assert c.close_factor_v33(0.96, 50_000, 7_000, 10_000) == 5_000
    assert c.close_factor_v33(0.96, 50_000, 3_000, 10_000) == 3_000
    # below $2,000 of debt in the reserve, the whole reserve debt may go
    assert c.close_factor_v33(0.96, 50_000, 1_500, 10_000) == 1_500
    # HF <= 0.95: everything
    assert c.close_factor_v33(0.95, 50_000, 7_000, 10_000) == 7_000


def test_close_factor_boundaries():
    assert c.close_factor(0.95) == 1.0       # strict ">" in `healthFactor > CLOSE_FACTOR_HF_THRESHOLD`
    assert c.close_factor(0.9500001) == 0.5
    assert c.close_factor(0.999999) == 0.5
    assert c.close_factor(1.0) == 0.0        # HF == 1 is not liquidatable (strict "<")
    assert c.close_factor(math.inf) == 0.0


def test_zero_debt():
    assert c.health_factor(1_000, 0.8, 0) == math.inf
    assert c.liquidation_price(1, 0, 0.8) == 0.0
    assert c.max_borrow(1_000, 0.8) == pytest.approx(800)


# --- properties --------------------------------------------------------------

amounts = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False)
fractions = st.floats(min_value=0.01, max_value=1.0)


@settings(max_examples=200, deadline=None)
@given(q=amounts, p1=amounts, p2=amounts, lt=fractions, debt=amounts)
def test_hf_increases_with_price(q, p1, p2, lt, debt):
    lo, hi = sorted((p1, p2))
    assert c.health_factor(q * lo, lt, debt) <= c.health_factor(q * hi, lt, debt)


@settings(max_examples=200, deadline=None)
@given(coll=amounts, lt=fractions, debt=amounts)
def test_hf_at_least_one_iff_not_liquidatable(coll, lt, debt):
    hf = c.health_factor(coll, lt, debt)
    assert (hf >= 1) == (c.close_factor(hf) == 0.0)


@settings(max_examples=200, deadline=None)
@given(q=amounts, lt=fractions, debt=amounts)
def test_hf_is_one_at_liquidation_price(q, lt, debt):
    p = c.liquidation_price(q, debt, lt)
    assert c.health_factor(q * p, lt, debt) == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=300, deadline=None)
@given(q=st.floats(0, 1e6), price=amounts, cover=st.floats(0, 1e9), bonus=st.floats(0, 0.2),
       fee=st.floats(0, 1))
def test_liquidation_never_seizes_more_than_collateral(q, price, cover, bonus, fee):
    r = c.liquidate(q, price, cover, bonus, fee)
    assert 0 <= r.collateral_seized <= q * (1 + 1e-12)
    assert 0 <= r.debt_repaid_usd <= cover * (1 + 1e-12)          # never raises the debt
    assert r.liquidator_collateral + r.protocol_collateral == pytest.approx(r.collateral_seized)
    assert r.protocol_collateral <= r.bonus_collateral + 1e-12
    # the liquidator never gets less value than they repaid, minus the protocol's share
    assert r.collateral_seized * price >= r.debt_repaid_usd * (1 - 1e-9) - 1e-300  # subnormal underflow


@settings(max_examples=200, deadline=None)
@given(coll=st.lists(amounts, min_size=1, max_size=5), data=st.data())
def test_hf_of_several_collaterals_is_weighted_average(coll, data):
    lts = data.draw(st.lists(fractions, min_size=len(coll), max_size=len(coll)))
    avg = sum(a * b for a, b in zip(coll, lts)) / sum(coll)
    assert c.health_factor(coll, lts, 1_000) == pytest.approx(sum(coll) * avg / 1_000)


# --- bad input ---------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: c.health_factor(float("nan"), 0.8, 100), "collateral_usd"),
    (lambda: c.health_factor(-1, 0.8, 100), "collateral_usd"),
    (lambda: c.health_factor(100, 1.2, 100), "liquidation_threshold"),
    (lambda: c.health_factor(100, -0.1, 100), "liquidation_threshold"),
    (lambda: c.health_factor(100, 0.8, float("nan")), "debt_usd"),
    (lambda: c.health_factor(100, 0.8, -5), "debt_usd"),
    (lambda: c.health_factor([1, 2], [0.8], 5), "equal lengths"),
    (lambda: c.health_factor("100", 0.8, 5), "collateral_usd"),
    (lambda: c.liquidation_price(0, 100, 0.8), "collateral_amount"),
    (lambda: c.liquidation_price(1, -100, 0.8), "debt_usd"),
    (lambda: c.liquidation_price(1, 100, 0), "liquidation_threshold"),
    (lambda: c.liquidation_price(1, 100, float("nan")), "liquidation_threshold"),
    (lambda: c.max_borrow(100, 1.5), "ltv"),
    (lambda: c.max_borrow(100, 0.5, -1), "debt_usd"),
    (lambda: c.close_factor(float("nan")), "health_factor"),
    (lambda: c.close_factor(-0.5), "health_factor"),
    (lambda: c.close_factor_v33(0.9, 100, 200, 100), "total_debt_usd"),
    (lambda: c.liquidate(-1, 100, 100, 0.05), "collateral_amount"),
    (lambda: c.liquidate(1, 0, 100, 0.05), "collateral_price"),
    (lambda: c.liquidate(1, 100, float("nan"), 0.05), "debt_to_cover_usd"),
    (lambda: c.liquidate(1, 100, 100, 1.05), "liquidation_bonus"),
    (lambda: c.liquidate(1, 100, 100, 0.05, protocol_fee=1.5), "protocol_fee"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_error_message_shows_value_and_range():
    with pytest.raises(ValueError) as e:
        c.health_factor(100, 1.2, 100)
    assert "1.2" in str(e.value) and "[0, 1]" in str(e.value)


# --- errata and audit (issue 11) ----------------------------------------------------------------

def test_partial_liquidation_lowers_hf_below_lt_times_one_plus_bonus():
    """HF' < HF iff HF < LT(1 + bonus): 0.83 x 1.05 = 0.8715 for WETH (2023-10-31).
    Checked against liquidate() on either side of the threshold."""
    lt, bonus = 0.83, 0.05
    edge = c.liquidation_worsens_below(lt, bonus)
    assert edge == pytest.approx(0.8715)
    price = 1_000.0
    for hf0, worse in ((0.80, True), (0.95, False)):
        debt = 10 * price * lt / hf0
        res = c.liquidate(10, price, 0.25 * debt, bonus, protocol_fee=0.10)
        hf1 = c.health_factor((10 - res.collateral_seized) * price, lt, debt - res.debt_repaid_usd)
        assert (hf1 < hf0) is worse


def test_reserve_thresholds_follow_the_snapshot():
    """Erratum: "stablecoins and ETH get the highest values; WBTC gets less" contradicts the
    2023-10-31 snapshot: USDT's LT (76 %) is below WBTC's (78 %); WBTC has the lowest LTV (73 %)."""
    from defi_helpers.data import load
    r = load("aave_v3_ethereum_reserves").set_index("asset")
    assert r["liquidation_threshold"].idxmax() == "WETH" and r["ltv"].idxmax() == "WETH"
    assert r["liquidation_threshold"].idxmin() == "USDT"
    assert r["ltv"].idxmin() == "WBTC"
    assert r.loc["USDT", "liquidation_threshold"] < r.loc["WBTC", "liquidation_threshold"]


# --- input contracts (issue 14) -------------------------------------------------------------------

def test_integer_math_reverts_where_aave_reverts():
    """PercentageMath.percentMul / percentDiv and WadRayMath.wadDiv revert when the intermediate
    product would exceed type(uint256).max (aave-v3-core math libraries); so do the Python versions."""
    top = 2**256 - 1
    assert c.percent_mul((top - 5_000) // 8_250, 8_250) == ((top - 5_000) // 8_250 * 8_250 + 5_000) // 10_000
    with pytest.raises(ValueError, match="value.*percentage_bps"):
        c.percent_mul((top - 5_000) // 8_250 + 1, 8_250)
    assert c.percent_mul(top, 0) == 0  # percentage 0 never overflows
    with pytest.raises(ValueError, match="value"):
        c.percent_div((top - 4_125) // 10_000 + 1, 8_250)
    with pytest.raises(ValueError, match="percentage_bps"):
        c.percent_div(1, 0)
    with pytest.raises(ValueError, match="a \\* 10\\*\\*18"):
        c.wad_div((top - 10**18 // 2) // 10**18 + 1, 10**18)
    with pytest.raises(ValueError, match="b must be"):
        c.wad_div(1, 0)


@pytest.mark.parametrize("call, name", [
    (lambda: c.percent_mul("10000", 8_250), "value"),
    (lambda: c.percent_mul(10_000.7, 8_250), "value"),
    (lambda: c.percent_mul(10_000, True), "percentage_bps"),
    (lambda: c.wad_div(True, 10**18), "a"),
    (lambda: c.health_factor(True, 0.83, 100), "collateral_usd"),
    (lambda: c.health_factor([1.0, 2.0], [0.5, 0.5, 0.5], 1.0), "liquidation_threshold"),
    (lambda: c.health_factor(1e308, 1.0, 1e-300), "debt_usd"),           # overflow, not inf
    (lambda: c.health_factor_curve(10, [1e308], 1.0, 1e-10), "price"),
    (lambda: c.close_factor_v33(0.9, 100, 200, 100), "reserve_debt_usd"),
    (lambda: c.close_factor("0.9"), "health_factor"),
])
def test_contract_refuses_with_the_parameter_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_documented_infinity_only_without_debt():
    assert c.health_factor(100, 0.8, 0) == math.inf
    assert c.close_factor(math.inf) == 0.0
    assert type(c.health_factor([20_000, 12_000], [0.83, 0.81], 20_000)) is float


def test_liquidation_result_validates_on_construction():
    r = c.liquidate(10, 1_900, 8_000, 0.05, protocol_fee=0.10)
    assert c.LiquidationResult(**{f: getattr(r, f) for f in r.__dataclass_fields__}) == r
    with pytest.raises(ValueError, match="collateral_price"):
        c.LiquidationResult(1.0, 1.0, 0.0, 1.0, 0.1, 0.0)
    with pytest.raises(ValueError, match="liquidator_collateral"):
        c.LiquidationResult(1.0, 1e308, 0.0, 1.0, 0.1, 1e10)  # the profit would be inf
