"""Answers to the Pendle chapter's exercises (computed from the models)."""

import math

from ..pendle import (
    PendleMarket,
    implied_apy,
    linear_discount_pt_price,
    max_loop_leverage,
    pt_loop_net_apy,
    pt_price,
    yt_breakeven_apy,
    yt_price,
)
from . import Expected

# Exercise 1: PT price at a 12 % implied APY, 120 days to maturity.
_a1, _d1 = 0.12, 120

# Exercise 2: a PT bought at 0.97, 60 days before maturity: the fixed APY locked in.
_p2, _d2 = 0.97, 60

# Exercise 3: break-even underlying APY of a YT bought at a 10 % implied APY, 90 days out,
# with Pendle's 5 % fee on YT yield.
_y3 = yt_price(0.10, 90)

# Exercise 4: pool of 1,000,000 PT and 1,000,000 asset, scalarRoot 50, 10 % implied,
# 90 days, fee ln(1.003): asset paid for 10,000 PT.
_m4 = PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90, ln_fee_rate_root=math.log(1.003))
_m4_nofee = PendleMarket(1_000_000, 1_000_000, 50, 0.10, 90)

# Exercise 5: Aave's PT-sUSDe-31JUL2025 oracle at listing: 7.5124 % a year, 94 days out.
_r5, _d5 = 0.075124, 94

# Exercise 6: PT loop at LTV 87.4 % (PT-sUSDe Stablecoins E-Mode, April 2025) run to 5x,
# PT fixed at 9 %, stablecoin borrow at 6 %: yearly return on equity.
_lev6 = 5.0

ANSWERS = {
    "1": Expected(
        value=pt_price(_a1, _d1), unit="asset per PT", rel_tol=5e-4,
        hint="PT price = (1 + implied APY)^(−days/365).",
        mistakes=((1 - _a1 * _d1 / 365, "you discounted linearly (1 − r·t); Pendle discounts with (1 + r)^−t."),
                  (1 / (1 + _a1 * _d1 / 365), "you used simple interest; Pendle compounds: (1 + r)^−t."),
                  (yt_price(_a1, _d1), "that is the YT price, 1 − PT.")),
    ),
    "2": Expected(
        value=implied_apy(_p2, _d2), unit="APY (fraction)",
        hint="Invert the PT price: APY = price^(−365/days) − 1.",
        mistakes=(((1 / _p2 - 1) * 365 / _d2, "you annualised the discount with simple interest; compound it."),
                  (1 / _p2 - 1, "that is the return to maturity, not annualised.")),
    ),
    "3": Expected(
        value=yt_breakeven_apy(_y3, 90), unit="APY (fraction)",
        hint="Solve 0.95 × ((1 + u)^t − 1) = YT price for u.",
        mistakes=((yt_breakeven_apy(_y3, 90, yt_fee=0.0), "you left out Pendle's 5 % fee on YT yield."),
                  (0.10, "the implied APY is close but not the break-even once the fee is counted.")),
    ),
    "4": Expected(
        value=_m4.buy_pt(10_000), unit="asset", rel_tol=1e-4,
        hint="Trade rate E = ln(p′/(1−p′))/rateScalar + rateAnchor with p′ = (P − 10,000)/(P + A); pay 10,000 × feeRate / E.",
        mistakes=((_m4_nofee.buy_pt(10_000), "you forgot the fee: multiply by feeRate = 1.003^t."),
                  (10_000 * _m4.pt_price, "that is the spot price times the amount: no price impact and no fee.")),
    ),
    "5": Expected(
        value=linear_discount_pt_price(_r5, _d5), unit="USD per PT", rel_tol=1e-4,
        hint="Aave's PT oracle: 1 − discountRatePerYear × days/365 (times the USDT/USD price, ≈ 1).",
        mistakes=((pt_price(_r5, _d5), "you used Pendle's compounding formula; Aave's oracle discounts linearly."),),
    ),
    "6": Expected(
        value=pt_loop_net_apy(0.09, 0.06, _lev6), unit="APR on equity (fraction)",
        hint="L × PT yield − (L − 1) × borrow rate.",
        mistakes=((_lev6 * (0.09 - 0.06), "you charged interest on all 5 units; only L − 1 = 4 are borrowed."),
                  (pt_loop_net_apy(0.09, 0.06, max_loop_leverage(0.874)), "that is at maximum leverage 1/(1 − LTV), not 5×.")),
    ),
}
