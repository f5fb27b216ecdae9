"""Self-checks for the RWA chapter: ``check("rwa.1", answer)``.

Every expected value is computed by :mod:`defi_helpers.rwa`.
"""

from __future__ import annotations

import math

from .. import rwa as _rwa
from . import Expected

_price_3_june = _rwa.accruing_price(100.0, 0.04, 2, decimals=8)
_apy_30d = _rwa.annualized_yield_from_prices(100.0, 100.40, 30)
_gain_90d = _rwa.rebasing_balance(10_000.0, 0.0535, 90) - 10_000.0
_hf0 = _rwa.HORIZON_RWA_LIQUIDATION_THRESHOLD / _rwa.HORIZON_RWA_LTV

ANSWERS = {
    "1": Expected(
        value=_price_3_june,
        unit="USD",
        rel_tol=1e-10,
        abs_tol=6e-9,
        hint="Daily rate (1 + APY)^(1/365) - 1, compounded for two days, rounded to 8 decimals.",
        mistakes=(
            (round(100.0 * (1 + 0.04 * 2 / 365), 8), "that is simple interest (APY / 365 a day); Ondo compounds daily."),
            (round(100.0 * (1 + 0.04) ** (1 / 365), 8), "that is one day; June 1 to June 3 is two."),
        ),
    ),
    "2": Expected(
        value=_apy_30d,
        unit="(fraction per year)",
        hint="APY = (P_end / P_start)^(365 / 30) - 1.",
        mistakes=(
            ((100.40 / 100.0 - 1) * 365 / 30, "that is the simple (APR) annualisation; Ondo compounds."),
            (100.40 / 100.0 - 1, "that is the 30-day return, not annualised."),
        ),
    ),
    "3": Expected(
        value=_gain_90d,
        unit="tokens",
        rel_tol=0.001,
        hint="A rebasing token's balance grows like the accruing price: N0 * (1 + APY)^(t / 365).",
        mistakes=(
            (10_000.0 * 0.0535 * 90 / 365, "that is simple interest; the balance compounds daily."),
            (10_000.0 * 0.0535, "that is a full year of yield."),
        ),
    ),
    "4": Expected(
        value=_rwa.days_to_exit(50e6, 10e6, 5e6, settlement_days=1),
        unit="days",
        abs_tol=1e-9,
        hint="The buffer pays 10M on day 0; 40M needs 8 daily batches (days 0..7), the last settling T+1.",
        mistakes=(
            (_rwa.days_to_exit(50e6, 0.0, 5e6, 1), "you forgot the liquid buffer."),
            (math.ceil(40e6 / 5e6) + 1, "the first batch is sold on day 0, so the last is sold on day 7, not 8."),
        ),
    ),
    "5": Expected(
        value=_rwa.years_until_liquidation(_hf0, 0.04, 0.06),
        unit="years",
        hint="HF(t) = HF0 * ((1 + y) / (1 + r))^t; solve HF(t) = 1.",
        mistakes=(
            (math.log(_hf0) / (0.06 - 0.04), "that uses r - y for ln((1 + r) / (1 + y)), a close but rough shortcut."),
            ((_hf0 - 1) / (0.06 - 0.04), "that treats the decline as linear in HF."),
        ),
    ),
}
