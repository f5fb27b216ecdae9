"""Answers to the liquid staking chapter's exercises (computed from the models)."""

from ..lst import (
    looped_lst_health_factor,
    market_ratio_at_liquidation,
    pooled_eth_by_shares,
    rebase_apr,
    rebase_with_fee,
    reth_eth_value,
    shares_by_pooled_eth,
    unwrap_wsteth,
    wrap_steth,
)
from . import Expected

# An illustrative Lido state (round numbers, not a dated snapshot).
_P, _S = 9_300_000.0, 7_800_000.0
# Aave v2 stETH after AIP-75 (executed 2022-05-19): LTV 69 %, LT 81 %, priced by the
# Chainlink stETH/ETH market feed until June 2023.
_V2_STETH_LT = 0.81

# Exercise 2: wrap 100 stETH, then a year of rebases raises total pooled ether by 3 %
# with total shares unchanged.
_wst = wrap_steth(100, _P, _S)
# Exercise 3: one day, 700 ETH of rewards, Lido's 10 % fee minted as shares.
_post_e, _post_s, _ = rebase_with_fee(_P, _S, 700)

ANSWERS = {
    "1": Expected(
        value=pooled_eth_by_shares(50, _P, _S), unit="stETH",
        hint="balance = shares × totalPooledEther / totalShares.",
        mistakes=((shares_by_pooled_eth(50, _P, _S), "you inverted the ratio (that converts stETH to shares)."),
                  (50.0, "shares are not stETH: multiply by the share rate.")),
    ),
    "2": Expected(
        value=unwrap_wsteth(_wst, _P * 1.03, _S), unit="stETH",
        hint="Wrapping fixes your share count; unwrapping values it at the new share rate.",
        mistakes=((100.0, "wstETH does not lose the rewards: the share rate rose while you held it."),
                  (_wst, "that is your wstETH balance; the question asks for the stETH you get back.")),
    ),
    "3": Expected(
        value=rebase_apr(_P, _S, _post_e, _post_s, 86_400), unit="APR (fraction)",
        hint="Compare share rates (ether / shares) before and after, then annualise over 365 days.",
        mistakes=((700 / _P * 365, "you compared total ether and ignored the fee shares minted in the rebase."),
                  (rebase_apr(_P, _S, _post_e, _post_s, 86_400) / 365, "that is the daily rate; annualise it.")),
    ),
    "4": Expected(
        value=reth_eth_value(10, 600_000, 540_000), unit="ETH",
        hint="rETH value = amount × totalETHBalance / rETHSupply.",
        mistakes=((10 * 540_000 / 600_000, "you inverted the exchange rate."),),
    ),
    "5": Expected(
        value=looped_lst_health_factor(3, _V2_STETH_LT, 0.93, oracle="market"), unit="",
        hint="Aave v2 priced stETH with a market feed in 2022: the discount enters the collateral value.",
        mistakes=((looped_lst_health_factor(3, _V2_STETH_LT, 0.93, oracle="exchange_rate"),
                   "that would be an exchange-rate oracle; in June 2022 Aave v2 used the market price."),
                  (looped_lst_health_factor(3, 0.75, 0.93, oracle="market"),
                   "0.75 was the LT before 2022-05-19; AIP-75 raised it to 0.81.")),
    ),
    "6": Expected(
        value=market_ratio_at_liquidation(3.5, _V2_STETH_LT), unit="stETH per ETH",
        hint="Solve LT × x × p / (x − 1) = 1 for the market ratio p.",
        mistakes=((1 - market_ratio_at_liquidation(3.5, _V2_STETH_LT), "that is the discount; the question asks for the ratio."),),
    ),
}
