"""The flash-loan chapter's transactions on the real contracts (Aave v3.0.2, Uniswap v2, the handbook's Vyper).

* a receiver that does not repay reverts, and the pool is exactly as before;
* the premium and the treasury's share equal the model's integer formula exactly
  (:func:`defi_helpers.flashloans.flash_loan_premium_split_exact`), including the
  scaled ``accruedToTreasury`` (``rayDiv`` by the new liquidity index);
* the spot-oracle attack drains the spot-priced lender, as the model says, and the
  same lender over a TWAP resists (the transaction reverts);
* arbitrage, flash liquidation and the one-shot loop do what the chapter says;
* the chart function.
"""

from __future__ import annotations

import math

import pytest

lab_pkg = pytest.importorskip("defi_helpers.lab")

from defi_helpers import flashloans as fl  # noqa: E402
from defi_helpers.charts.flashloans import lab_attack_chart  # noqa: E402
from defi_helpers.lab.flash import FlashLab, premium_table  # noqa: E402
from defi_helpers.lab.oracle_attack import OracleAttackLab  # noqa: E402
from defi_helpers.lab.uniswap import get_amount_out  # noqa: E402

RAY = 10**27


@pytest.fixture(scope="module")
def lab():
    try:
        return FlashLab.deploy()
    except lab_pkg.ArtifactsMissing as e:  # pragma: no cover - set-up not run
        pytest.skip(str(e))


@pytest.fixture(scope="module")
def attack(lab):
    return OracleAttackLab.deploy(market=lab.market)


def test_unrepaid_flash_loan_reverts_and_leaves_the_pool_unchanged(lab):
    run = lab.keep_the_money(1_000_000)
    assert run.reverted
    assert run.reason == "ERC20: transfer amount exceeds balance"
    assert run.values["before"] == run.values["after"]
    assert run.values["after"]["Bob's wallet"] == 0.0
    assert run.values["before"]["pool cash"] == 50_000_000


@pytest.mark.parametrize("simple", [True, False])
@pytest.mark.parametrize("units", [1, 999, 10**6, 123_456_789_012, 10**12 + 1])
def test_premium_and_treasury_share_match_the_integer_model(lab, simple, units):
    m = lab.market
    with m.snapshot():
        out = m.flash_loan("USDC", units=units, simple=simple)
    model = fl.flash_loan_premium_split_exact(units, lab.premium_bps, lab.premium_to_protocol_bps)
    assert out.raw["premium"] == model["premium"]
    assert out.raw["pool_balance_after"] - out.raw["pool_balance_before"] == model["premium"]
    # the pool books the protocol's share scaled: accruedToTreasury += rayDiv(share, new index)
    index = out.raw["liquidity_index_after"]
    assert out.raw["accrued_to_treasury_scaled"] == (model["to_protocol"] * RAY + index // 2) // index


def test_premium_table_beside_the_model(lab):
    t = premium_table(lab, 1_000_000)
    lab_col, model_col = t.columns
    for row in ("premium", "to the treasury (minted by mintToTreasury)", "to suppliers"):
        assert t.loc[row, lab_col] == t.loc[row, model_col]
    assert t.loc["premium", lab_col] == 500.0
    assert t.loc["to the treasury (minted by mintToTreasury)", lab_col] == 200.0
    assert t.loc["pool's cash after", lab_col] - t.loc["pool's cash before", lab_col] == 500.0


def test_spot_attack_drains_and_twap_resists(attack):
    t = attack.table(1_000_000, 1_000_000).set_index("oracle")
    spot, twap = t.loc["spot"], t.loc["TWAP"]
    assert not spot["reverted"]
    assert spot["attacker_profit"] > 1e6 and spot["lender_loss"] > 1e6
    # contracts and the float model agree within a cent (integer rounding of the swap and the loan)
    for col in ("price_seen", "borrowed", "attacker_profit", "lender_loss"):
        assert spot[col] == pytest.approx(spot["model_" + col], abs=0.01), col
    assert twap["reverted"] and twap["attacker_profit"] == 0 and twap["lender_loss"] == 0
    assert twap["price_seen"] == pytest.approx(1.0, abs=2e-6)   # UQ112x112 average and value_of round down
    assert math.isnan(twap["model_attacker_profit"])
    run = attack.attack("TWAP")
    assert run.lender_cash_after == run.lender_cash_before


def test_attack_leaves_the_lab_unchanged(attack):
    p0 = attack.price()
    attack.attack("spot")
    assert attack.price() == p0


def test_small_pump_does_not_pay_and_reverts(attack):
    run = attack.attack("spot", pump_usdc=0, collateral_usdc=1_000_000)
    assert run.reverted and run.attacker_profit == 0


def test_bad_attack_input(attack):
    with pytest.raises(ValueError, match="oracle"):
        attack.attack("median")
    with pytest.raises(ValueError, match="collateral_usdc"):
        attack.attack("spot", collateral_usdc=0)
    with pytest.raises(ValueError, match="ltv"):
        OracleAttackLab.deploy(ltv=1.2)


def test_arbitrage_matches_the_closed_form(lab):
    best = fl.optimal_arbitrage(2_000_000, 1_000, 2_200_000, 1_000)
    run = lab.arbitrage(round(best.amount_in, 6))
    assert not run.reverted
    expected = best.profit - fl.flash_loan_fee(best.amount_in, 5)
    assert run.values["bot's profit (USDC)"] == pytest.approx(expected, abs=0.01)
    too_big = lab.arbitrage(200_000)
    assert too_big.reverted and too_big.reason.startswith("does not pay")
    assert too_big.values["bot's profit (USDC)"] == 0


def test_flash_liquidation(lab):
    run = lab.flash_liquidation(1_150, 5_000)
    v = run.values
    assert not run.reverted
    assert v["HF at the new price"] == pytest.approx(10 * 1_150 * 0.83 / 10_000, abs=1e-4)
    assert v["debt repaid (USDC)"] == 5_000
    assert v["collateral seized (WETH)"] == pytest.approx(5_000 * 1.05 / 1_150, abs=1e-9)
    # liquidation protocol fee: 10 % of the bonus part (dataset, WETH, 2023-10-31)
    assert v["to the treasury (WETH)"] == pytest.approx(0.1 * 5_000 * 0.05 / 1_150, abs=1e-9)
    assert 0 < v["bot's profit (USDC)"] < 250


def test_one_shot_loop_opens_debt_without_premium(lab):
    run = lab.one_shot_loop(10, 30_000)
    assert not run.reverted
    assert run.values["debt (USDC)"] == 30_000.0
    # the WETH bought in pair_a with 30,000 USDC, by Uniswap's integer rule
    bought = get_amount_out(30_000 * 10**6, 2_000_000 * 10**6, 1_000 * 10**18) / 10**18
    assert run.values["collateral (WETH)"] == pytest.approx(10 + bought, abs=1e-12)
    too_much = lab.one_shot_loop(10, 100_000)
    assert too_much.reverted and too_much.reason_name == "36 COLLATERAL_CANNOT_COVER_NEW_BORROW"


def test_lab_attack_chart(attack):
    chart = lab_attack_chart(attack.table())
    spec = chart.to_dict()
    assert spec["title"]["text"].startswith("One flash-loan transaction drains")
    assert spec["description"]
    assert "US dollars" in str(spec)


@pytest.mark.parametrize("call, name", [
    (lambda lab: lab.keep_the_money(-1), "amount"),
    (lambda lab: lab.arbitrage(float("nan")), "amount_usdc"),
    (lambda lab: lab.flash_liquidation(eth_price=0), "eth_price"),
    (lambda lab: lab.one_shot_loop(borrow_usdc=-5), "borrow_usdc"),
    (lambda lab: premium_table(lab, 0), "amount"),
    (lambda lab: get_amount_out(True, 10, 10), "amount_in"),
    (lambda lab: get_amount_out(1, 0, 10), "reserve_in"),
])
def test_lab_rejects_bad_input(lab, call, name):
    with pytest.raises(ValueError, match=name):
        call(lab)
