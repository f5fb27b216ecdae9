"""Self-checks for the risk chapter: ``check("risk.1", answer)``.

Every expected value is computed by :mod:`defi_helpers.risk`, so the chapter,
its solutions and these checks cannot disagree.
"""

from __future__ import annotations

import math

from .. import risk
from . import Expected

_T = 30 / 365
_q, _d = risk.sample_positions(2_000, 2e8, 2_000.0, seed=42)
_cascade = risk.simulate_cascade(_q, _d, 2_000.0, shock=0.15, pool_depth_usd=5e8)

ANSWERS = {
    # 1. P(HF < 1 in 30 days) at the horizon only: HF 1.5, sigma 70 %, no drift.
    "1": Expected(
        value=risk.prob_liquidation_terminal(1.5, 0.70, 30),
        unit="probability",
        rel_tol=0.01,
        hint="b = -ln(HF); P = Phi((b - nu T) / (sigma sqrt T)) with nu = mu - sigma^2/2, T = 30/365.",
        mistakes=((risk.prob_liquidation_first_passage(1.5, 0.70, 30),
                   "that is the first-passage probability; the question asks about day 30 only."),
                  (0.5 * math.erfc(math.log(1.5) / (0.70 * math.sqrt(_T)) / math.sqrt(2)),
                   "you dropped the -sigma^2/2 drift of the log-price.")),
    ),
    # 2. Same position: probability that HF touches 1 at any time within 30 days.
    "2": Expected(
        value=risk.prob_liquidation_first_passage(1.5, 0.70, 30),
        unit="probability",
        rel_tol=0.01,
        hint="Add the reflected term exp(2 nu b / sigma^2) Phi((b + nu T)/(sigma sqrt T)).",
        mistakes=((risk.prob_liquidation_terminal(1.5, 0.70, 30),
                   "that is the terminal probability: it misses paths that dip and recover."),
                  (2 * risk.prob_liquidation_terminal(1.5, 0.70, 30),
                   "twice the terminal probability is exact only when the log-price has no drift "
                   "(nu = 0); here nu = -sigma^2/2 < 0, so the first-passage probability is less "
                   "than twice it. Add the reflected term instead.")),
    ),
    # 3. One-day 99 % VaR of $50,000 of ETH at 75 % volatility.
    "3": Expected(
        value=risk.var_gbm(50_000, 0.75, 1, confidence=0.99),
        unit="USD",
        rel_tol=0.002,
        hint="VaR = V (1 - exp(nu T - sigma sqrt(T) z)), z = 2.326 for 99 %, T = 1/365.",
        mistakes=((risk.var_gbm(50_000, 0.75, 365, confidence=0.99),
                   "you used a one-year horizon: T is 1/365 for one day."),
                  (risk.var_gbm(50_000, 0.75, 1, confidence=0.95),
                   "that is the 95 % VaR.")),
    ),
    # 4. Leverage of a loop entered at HF 1.2 with LT 0.83.
    "4": Expected(
        value=float(risk.hf_buffer_tradeoff(1.2, 0.83, 0.0, 0.0, 0.5, 1)["leverage"].iloc[0]),
        unit="x",
        hint="HF = LT L / (L - 1), so L = HF / (HF - LT).",
        mistakes=((1.2 / (1.2 - 1.0), "L = HF / (HF - LT), not HF / (HF - 1)."),
                  (1 / (1 - 0.83), "1/(1 - LT) is the limit of infinite looping at HF 1, not at 1.2.")),
    ),
    # 5. Bad debt of a position with $9,000 collateral, $10,000 debt, 5 % bonus.
    "5": Expected(
        value=risk.bad_debt_usd(9_000, 10_000, 0.05),
        unit="USD",
        hint="A liquidator repays at most collateral / (1 + bonus); the rest is bad debt.",
        mistakes=((1_000.0, "the liquidator's 5 % bonus comes out of the collateral too."),),
    ),
    # 6. Final price of a cascade (2,000 positions, seed 42, -15 %, $500M pool).
    "6": Expected(
        value=_cascade.final_price,
        unit="USD",
        rel_tol=0.001,
        hint="q, d = sample_positions(2_000, 2e8, 2_000, seed=42); "
             "simulate_cascade(q, d, 2_000, shock=0.15, pool_depth_usd=5e8).final_price",
        mistakes=((2_000 * 0.85, "that is the price after the shock alone, before liquidations."),),
    ),
}
