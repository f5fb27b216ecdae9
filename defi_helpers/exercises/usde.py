"""Answers to the USDe chapter's exercises (computed from the models)."""

from ..usde import (
    annualize_funding,
    delta_neutral_table,
    susde_apr,
    susde_unvested,
    weekly_yield_apy,
)
from . import Expected

# Exercise 1: 1 ETH bought at $3,000, hedged by a short ETHUSD inverse perpetual of
# $3,000 notional; ETH falls to $2,000. Coins held after the move?
_row1 = delta_neutral_table([2_000.0], entry_price=3_000.0, collateral_coin=1.0).iloc[0]

# Exercise 2: an 8-hour funding rate of 0.0125 %, annualised (simple, 3 payments a day).
_rate2 = 0.000125

# Exercise 3: 600,000 USDe of rewards transferred into sUSDe; 5 hours later.
_amount3, _dt3 = 600_000.0, 5 * 3600

# Exercise 4: protocol revenue 6 % a year on all USDe, 40 % staked, reserve fund keeps 10 %.
_p4, _k4, _take4 = 0.06, 0.40, 0.10

# Exercise 5: Ethena's first distribution: $2.415m of yield on $435m average supply (one week).
_y5, _s5 = 2.415e6, 435e6

ANSWERS = {
    "1": Expected(
        value=float(_row1["total_coin"]), unit="ETH",
        hint="Coins held = the 1 ETH of collateral + the short's PnL in ETH, N/P − N/P0 with N = $3,000.",
        mistakes=((1.0, "that is only the collateral: the short inverse perpetual has gained ETH too."),
                  (float(_row1["perp_pnl_coin"]), "that is only the perpetual's PnL; add the 1 ETH of collateral."),
                  (float(_row1["total_usd"]), "that is the value in USD; the question asks for ETH.")),
    ),
    "2": Expected(
        value=annualize_funding(_rate2), unit="APR (fraction)",
        hint="Funding is paid 3 times a day, 365 days a year: multiply the 8-hour rate by 1,095.",
        mistakes=((_rate2 * 365, "you annualised as if funding were paid once a day; it is paid every 8 hours."),
                  (annualize_funding(_rate2, compound=True), "you compounded; exchanges and Ethena quote the simple rate.")),
    ),
    "3": Expected(
        value=susde_unvested(_amount3, _dt3), unit="USDe",
        hint="Unvested = (8 h − elapsed) / 8 h × the amount transferred.",
        mistakes=((_amount3 - susde_unvested(_amount3, _dt3), "that is the vested part; the question asks for the unvested part."),
                  (_amount3, "after 5 of the 8 hours most of the reward has vested already.")),
    ),
    "4": Expected(
        value=susde_apr(_p4, _k4, _take4), unit="APR (fraction)",
        hint="Revenue is earned on all USDe but paid only to the staked share: × (1 − take) / staked share.",
        mistakes=((_p4 * (1 - _take4), "you forgot that only 40 % of USDe shares the revenue: divide by 0.40."),
                  (susde_apr(_p4, _k4), "you forgot the reserve fund's 10 % take."),
                  (_p4 * _k4, "you multiplied by the staked share instead of dividing by it.")),
    ),
    "5": Expected(
        value=weekly_yield_apy(_y5, _s5), unit="APY (fraction)", rel_tol=0.001,
        hint="Weekly rate = yield / supply; compound it 52 times: (1 + r)^52 − 1.",
        mistakes=((_y5 / _s5 * 52, "you annualised without compounding; Ethena compounds weekly."),
                  (_y5 / _s5, "that is the weekly rate; annualise it."),
                  (0.3326, "that is Ethena's published figure, computed day by day on each day's backing; "
                           "the question asks for the week's total on the average supply.")),
    ),
}
