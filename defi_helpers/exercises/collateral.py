"""Answers to the collateral & interest-rate chapter's exercises (computed from the models)."""

from ..collateral import close_factor, health_factor, liquidate, liquidation_price, max_borrow
from ..rates import borrow_rate, supply_rate
from . import Expected

# Parameters: Aave v3 Ethereum, 2023-10-31 (dataset aave_v3_ethereum_reserves).
_WSTETH_LT, _WSTETH_LTV = 0.81, 0.785
_USDC_LT, _USDC_LTV = 0.80, 0.77
_WETH_LT, _WETH_LTV, _WETH_BONUS, _WETH_FEE = 0.83, 0.805, 0.05, 0.10

# Exercise 3: 10 WETH at $1,800 against 16,000 USDC of debt.
_hf3 = health_factor(10 * 1_800, _WETH_LT, 16_000)
_full = liquidate(10, 1_800, close_factor(_hf3) * 16_000, _WETH_BONUS, _WETH_FEE)
_half = liquidate(10, 1_800, 0.5 * 16_000, _WETH_BONUS, _WETH_FEE)
_no_fee = liquidate(10, 1_800, close_factor(_hf3) * 16_000, _WETH_BONUS, 0.0)

ANSWERS = {
    "1": Expected(
        value=health_factor([5 * 2_400, 4_000], [_WSTETH_LT, _USDC_LT], 10_000),
        hint="Weight each collateral by its own liquidation threshold, add them, divide by the debt.",
        mistakes=((health_factor([5 * 2_400, 4_000], [_WSTETH_LTV, _USDC_LTV], 10_000),
                   "you weighted the collateral by its LTV; the health factor uses the liquidation threshold."),
                  (health_factor(16_000, _USDC_LT, 10_000), "you applied one threshold to all the collateral.")),
    ),
    "2": Expected(
        value=liquidation_price(8, 12_000, _WETH_LT), unit="USD per ETH",
        hint="Solve Q × P × LT / debt = 1 for P.",
        mistakes=((liquidation_price(8, 12_000, _WETH_LTV), "you used the LTV (0.805) instead of the liquidation threshold (0.83)."),),
    ),
    "3": Expected(
        value=_full.liquidator_collateral, unit="WETH",
        hint="First find the health factor: at or below 0.95 the whole debt may be repaid (close factor 100 %).",
        mistakes=((_half.liquidator_collateral, "you applied the 50 % close factor, but HF ≤ 0.95 allows 100 %."),
                  (_no_fee.liquidator_collateral, "you forgot the protocol's 10 % share of the bonus."),
                  (16_000 / 1_800, "you left out the 5 % liquidation bonus.")),
    ),
    "4": Expected(
        value=supply_rate(0.95, 0.90, 0.0, 0.035, 0.60, 0.10), unit="APR (fraction)",
        hint="Borrow rate above the kink, times utilisation, times (1 − reserve factor).",
        mistakes=((borrow_rate(0.95, 0.90, 0.0, 0.035, 0.60) * 0.90, "you forgot to multiply by the utilisation."),
                  (borrow_rate(0.95, 0.90, 0.0, 0.035, 0.60) * 0.95, "you forgot the reserve factor."),
                  (borrow_rate(0.95, 0.90, 0.0, 0.035, 0.60), "that is the borrow rate, not the supply rate.")),
    ),
    "5": Expected(
        value=max_borrow(50_000, _WETH_LTV, debt_usd=30_000), unit="USD",
        hint="Borrowing power uses the LTV, not the liquidation threshold, minus what is already borrowed.",
        mistakes=((max_borrow(50_000, _WETH_LT, debt_usd=30_000), "you used the liquidation threshold instead of the LTV."),
                  (max_borrow(50_000, _WETH_LTV), "you forgot the $30,000 already borrowed.")),
    ),
}
