"""Self-checks for the flash-loan chapter: ``check("flashloans.1", answer)``.

Every expected value is computed by :mod:`defi_helpers.flashloans`, so the
chapter, its solutions and these checks cannot disagree.
"""

from __future__ import annotations

from .. import flashloans as fl
from . import Expected

_a = fl.spot_oracle_attack(500_000, 2_000_000, 1_000_000, 1_000_000, 0.75, fee=0.003,
                           flash_premium_bps=5)
_arb = fl.optimal_arbitrage(4_000_000, 2_000, 4_300_000, 2_000)

ANSWERS = {
    # 1. Aave v3 premium on 2,500,000 USDC at the default 5 bps.
    "1": Expected(
        value=fl.flash_loan_fee(2_500_000, fl.AAVE_V3_FLASH_PREMIUM_BPS),
        unit="USDC",
        hint="premium = amount x premium_bps / 10,000; Aave v3's default is 5 bps (0.05 %).",
        mistakes=((fl.flash_loan_fee(2_500_000, fl.AAVE_V2_FLASH_PREMIUM_BPS),
                   "that is Aave v2's 9 bps premium, not v3's 5 bps."),
                  (2_500_000 * 0.05, "5 bps is 0.05 %, not 5 %.")),
    ),
    # 2. Fee paid to repay a 500 ETH Uniswap v2 flash swap in ETH.
    "2": Expected(
        value=fl.uniswap_v2_flash_repayment(500) - 500,
        unit="ETH",
        rel_tol=1e-4,
        hint="The K check needs 997 x repayment >= 1000 x amount: repay amount x 1000/997.",
        mistakes=((500 * 0.003, "0.3 % of the amount borrowed is not enough: the fee is "
                                "charged on the amount *paid in*, so the rate is 3/997."),),
    ),
    # 3. ETH out of a 2,000 ETH / 4,000,000 USDC pool (0.3 % fee) for 100,000 USDC.
    "3": Expected(
        value=fl.cpmm_amount_out(100_000, 4_000_000, 2_000, fee=0.003),
        unit="ETH",
        rel_tol=1e-4,
        hint="dy = dx (1 - f) y / (x + dx (1 - f)), with x the USDC reserve and y the ETH reserve.",
        mistakes=((100_000 / 2_000, "that is the spot price with no price impact."),
                  (fl.cpmm_amount_out(100_000, 4_000_000, 2_000, fee=0.0),
                   "that leaves out the 0.3 % fee.")),
    ),
    # 4. Spot to hold for 5 blocks of a 30-block geometric TWAP to move it from 1 to 1.10.
    "4": Expected(
        value=fl.twap_required_spot(1.10, 1.0, 30, 5),
        unit="USDC per DAI",
        hint="TWAP^n = p^(n-m) q^m, so q = (TWAP^n / p^(n-m))^(1/m).",
        mistakes=((1 + 0.10 * 30 / 5, "that treats the TWAP as an arithmetic mean; a geometric "
                                      "TWAP needs q = 1.1^(30/5)."),),
    ),
    # 5. Profit of the spot-oracle attack with the chapter's numbers.
    "5": Expected(
        value=float(_a.profit),
        unit="USDC",
        rel_tol=0.01,
        hint="Borrowed = LTV x collateral x p'/p; subtract the collateral, the pump's slippage "
             "(pump - base bought x p) and the flash fee.",
        mistakes=((float(0.75 * 1_000_000 * _a.price_after / _a.price_before - 1_000_000),
                   "you forgot the pump's slippage and the flash-loan fee."),),
    ),
    # 6. Profit (before the flash fee) of the best arbitrage between two pools.
    "6": Expected(
        value=_arb.profit,
        unit="USDC",
        rel_tol=0.01,
        hint="Compose the two swaps: out(d) = A d / (B + C d); maximise out(d) - d.",
        mistakes=((2_000 * (4_300_000 / 2_000 - 4_000_000 / 2_000) / 2,
                   "a price gap times a guessed size ignores the price impact of both trades."),),
    ),
}
