"""Answers to the looping chapter's exercises (computed from the models)."""

from ..looping import (
    break_even_borrow_apy,
    flash_loan_loop,
    leverage_after_loops,
    looped_health_factor,
    max_leverage,
    net_apy,
    price_drop_to_liquidation,
    years_to_liquidation,
)
from . import Expected

# Aave v3 Ethereum Core, E-Mode 1 "ETH correlated": LTV 93 %, LT 95 % (2024-01-21 AIP,
# unchanged on 2025-05-19); PT-sUSDe Stablecoins E-Mode (id 8): LTV 87.4 %, LT 89.4 %
# (bgd-labs/aave-proposals-v3 src/20250428_AaveV3Ethereum_OnboardPTSUSDeJulyOnCoreInstance,
# the payload that replaced the cancelled one of 2025-04-23). Dataset: aave_emode_categories.
_EMODE_LTV, _EMODE_LT = 0.93, 0.95
_PT_LTV, _PT_LT = 0.874, 0.894

ANSWERS = {
    "1": Expected(
        value=leverage_after_loops(0.80, 4), unit="x (exposure / equity)",
        hint="Add the deposits: 1 + L + L² + … + L⁴ — the initial deposit plus one term per loop.",
        mistakes=((leverage_after_loops(0.80, 3), "you counted the first deposit as a loop: 4 loops give 5 terms."),
                  (max_leverage(0.80), "that is the limit of infinitely many loops, 1/(1 − L)."),
                  (1 + 4 * 0.80, "each loop borrows L times the *last* deposit, not L times the equity.")),
    ),
    "2": Expected(
        value=looped_health_factor(10, _EMODE_LT), unit="",
        hint="HF = LT × collateral / debt, with collateral 10 and debt 9 per unit of equity.",
        mistakes=((looped_health_factor(10, _EMODE_LTV), "you used the LTV (93 %) instead of the liquidation threshold (95 %)."),
                  (10 / 9, "you left out the liquidation threshold."),
                  (_EMODE_LT * 10, "the debt is 9, not 1, per unit of equity.")),
    ),
    "3": Expected(
        value=price_drop_to_liquidation(10, _EMODE_LT), unit="fraction",
        hint="Solve LT × x × p / (x − 1) = 1 for the price ratio p, then take 1 − p.",
        mistakes=((1 - _EMODE_LT, "that is 1 − LT, the drop that liquidates an unlevered position with debt equal to collateral."),
                  (1 / 10, "1/x is the drop that wipes out the equity, not the one that triggers liquidation.")),
    ),
    "4": Expected(
        value=net_apy(8, 0.030, 0.025), unit="APY on equity (fraction)",
        hint="Equity earns the supply rate on 8 units and pays the borrow rate on 7.",
        mistakes=((8 * (0.030 - 0.025), "you applied the spread to all 8 units; only 7 are borrowed."),
                  (7 * (0.030 - 0.025), "you forgot the supply yield on your own unit of equity.")),
    ),
    "5": Expected(
        value=break_even_borrow_apy(8, 0.030), unit="APY (fraction)",
        hint="Set 8 × r_s − 7 × r_b = 0 and solve for r_b.",
        mistakes=((0.030, "at r_b = r_s the loop earns as much as holding unlevered, not zero."),),
    ),
    "6": Expected(
        value=flash_loan_loop(5, 12, 0.0005).debt, unit="ETH", rel_tol=2e-4,
        hint="Flash-borrow (x − 1) × E, then borrow that plus the 5 bp premium to repay it.",
        mistakes=((55.0, "you forgot the flash-loan premium."),
                  (60.0, "that is the collateral, x × E.")),
    ),
    "7": Expected(
        value=years_to_liquidation(1.05, 0.028, 0.038), unit="years",
        hint="HF(t) = HF0 × exp((y − r_b) t); solve HF(t) = 1.",
        mistakes=(((1.05 - 1) / 0.01, "you used a linear decline; the drift is exponential (log(1.05), not 0.05)."),),
    ),
    "8": Expected(
        value=max_leverage(_PT_LTV), unit="x",
        hint="The loop limit is 1/(1 − LTV) with the E-Mode LTV.",
        mistakes=((max_leverage(_PT_LT), "you used the liquidation threshold; borrowing power uses the LTV."),),
    ),
}
