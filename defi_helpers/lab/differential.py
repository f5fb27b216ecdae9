"""Differential scenarios: the handbook's models against Aave v3.0.2's own bytecode.

One implementation, two users: ``tests/test_differential_aave.py`` draws the
scenarios with hypothesis (at least 200 per property), the lab page
(``notebooks/lab.ipynb``) with a seeded :class:`random.Random` (a few dozen per
property, during the build). Each property is a function ``(market, draw) ->
list[Check]``: it draws one random, valid scenario, runs it on the contracts of
``@aave/core-v3`` 1.19.3 (:class:`~defi_helpers.lab.AaveMarket`, inside a
snapshot, so the market is left as it was) and through the models
(:mod:`defi_helpers.collateral`, :mod:`defi_helpers.rates`,
:mod:`defi_helpers.flashloans`), and returns each comparison with its
tolerance. The models get the contract's own inputs (integer token units,
8-decimal oracle prices, on-chain balances), so a difference is the model's
arithmetic against the contract's integer arithmetic.

Tolerances (:data:`TOLERANCES` says why, in one line each): the health factor
within the whole-bps rounding of the averaged liquidation threshold (rounded
down) and the 1e-8 USD flooring of each value; borrowing power within 1e-4 of
the collateral value below the model; liquidation amounts within 3 units of the
token; rates within 1e-12 a year; the supply index within 1e-14; the borrow
index below the model by at most the truncation of its 2nd and 3rd binomial
terms, ``(n^2/2 + n^3/6 + 3) x 1e-27``; the flash-loan premium exactly and the
protocol's share within 1 unit.

Solidity line numbers refer to aave/aave-v3-core v1.19.3 as shipped in the package.

Speed. Each scenario costs 0.05-0.25 s of py-evm time. On CPython 3.11 the
interpreter's frame stack grows in 16 KiB chunks and frees a chunk as soon as
the stack drops back below it (CPython issue gh-142183; python/cpython PR
145789 caches one chunk, merged in 2026 with backports to 3.14 and 3.13, not
3.11); at some call depths -- pytest's, with hypothesis on top -- the EVM's
opcode loop sits on a chunk boundary and every
opcode maps and unmaps 16 KiB (measured: 630,000 mmap/munmap pairs for 40
liquidation scenarios, and about a quarter of the suite's CPU time, most of it
system time). :func:`on_fresh_stack` runs the scenarios in a new thread, whose
stack starts at the bottom of its first chunk, where measured call depths
did not thrash.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import collateral, flashloans, rates
from .._validate import Finite, Instance, Opt, Real, Str, contract
from ..data import load
from ..i18n import tr, tr_noop
from .market import AaveMarket

# The reader's API. The scenario machinery (Check, RandomDraw, HypothesisDraw, PROPERTIES, TOLERANCES,
# differential_market, on_fresh_stack, run_sample, summarise, timed_sample) is shared with
# tests/test_differential_aave.py and the lab page, which import it by name; run_sample checks its own
# arguments.
__all__ = ["worked_liquidation", "worked_liquidation_table", "summary_table", "pool_health_factor_curve",
           "pinned_packages"]

BPS = 10**4
#: The worked liquidation's column of contract results.
POOL_COLUMN = tr_noop("Aave v3.0.2 Pool")
_PARAMS = None


def _params():
    """Reserve parameters (dataset ``aave_v3_ethereum_reserves``, 2023-10-31) and E-Mode 1."""
    global _PARAMS
    if _PARAMS is None:
        p = load("aave_v3_ethereum_reserves").set_index("asset")
        e = load("aave_emode_categories")
        e1 = e[(e.emode_id == 1) & (e.date.astype(str).str.startswith("2023-10-31"))].iloc[0]
        _PARAMS = (p, e1)
    return _PARAMS


# --- drawing scenarios -------------------------------------------------------------------------

class RandomDraw:
    """Scenario choices from a seeded :class:`random.Random` (the lab page)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def floats(self, lo, hi):
        return self.rng.uniform(lo, hi)

    def integers(self, lo, hi):
        return self.rng.randint(lo, hi)

    def choice(self, seq):
        return self.rng.choice(list(seq))

    def permutation(self, seq):
        return tuple(self.rng.sample(list(seq), len(seq)))

    def subset(self, seq, lo, hi):
        return self.rng.sample(list(seq), self.rng.randint(lo, min(hi, len(seq))))

    def boolean(self):
        return self.rng.random() < 0.5


class HypothesisDraw:
    """The same choices drawn by hypothesis (``st.data()``): edge values included, failures printed."""

    def __init__(self, data):
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def floats(self, lo, hi):
        return self.data.draw(self.st.floats(lo, hi))

    def integers(self, lo, hi):
        return self.data.draw(self.st.integers(lo, hi))

    def choice(self, seq):
        return self.data.draw(self.st.sampled_from(list(seq)))

    def permutation(self, seq):
        return tuple(self.data.draw(self.st.permutations(list(seq))))

    def subset(self, seq, lo, hi):
        return self.data.draw(self.st.lists(self.st.sampled_from(list(seq)), min_size=lo,
                                            max_size=min(hi, len(seq)), unique=True))

    def boolean(self):
        return self.data.draw(self.st.booleans())


@dataclass(frozen=True)
class Check:
    """One comparison of the contract with the model."""

    quantity: str
    difference: float
    """Contract minus model (in the unit the quantity names)."""
    ok: bool
    """Within the tolerance."""
    context: dict = field(default_factory=dict)


# --- helpers -----------------------------------------------------------------------------------

def _prices(m) -> dict:
    """Every reserve's oracle price in one call (``AaveOracle.getAssetsPrices``), raw (8 decimals)."""
    syms = list(m.tokens)
    return dict(zip(syms, m.oracle.getAssetsPrices([m.tokens[s].address for s in syms])))


def _usd(m, sym, units, price_raw):
    """USD value the contract computes before flooring: units x price / 10**decimals (price 8 decimals)."""
    return units * price_raw / 10 ** m.decimals[sym] / 1e8


def _units(m, sym, usd, price_raw):
    return int(usd * 1e8 / price_raw * 10 ** m.decimals[sym])


def _move(prices: dict, factors: dict) -> dict:
    return {s: max(1, round(prices[s] * f)) for s, f in factors.items()}


def differential_market(whale_liquidity_usd: float = 20_000_000):
    """The market the scenarios run on: a whale's liquidity in every reserve, users funded and approved."""
    from .market import AaveMarket

    m = AaveMarket.deploy(whale_liquidity_usd=whale_liquidity_usd)
    for u in ("u1", "u2", "liquidator"):
        m.fund(u, usd=5e7)
    return m


# --- the properties ----------------------------------------------------------------------------

def health_factor(m, draw) -> list[Check]:
    """HF and ``availableBorrowsBase`` of 1-3 collaterals and 1-2 debts, after random price moves.

    Model: :func:`collateral.health_factor` and :func:`collateral.max_borrow` fed
    each collateral's and debt's USD value as the contract computes it (balance
    x 8-decimal price / 10**decimals). GenericLogic.calculateUserAccountData
    (lines 164-174) averages the threshold and the LTV by collateral value with an
    integer division, i.e. rounded *down* to whole bps, and floors each asset's
    value to 1e-8 USD (lines 240, 266): the contract's HF lies in
    ``HF_model x [1 - 1e-4 / LT_avg - f, 1 + f]`` with ``f = 1e-8 x (debts /
    debt_usd + collaterals / collateral_usd) + 1e-12``, and its borrowing power
    within ``collateral_usd x 1e-4 + 1e-6`` USD below the model's.
    """
    params, _ = _params()
    symbols = list(m.tokens)
    order = draw.permutation(symbols)
    nc, nd = draw.integers(1, 3), draw.integers(1, 2)
    values = [draw.floats(200, 2e6) for _ in range(nc)]
    use = draw.floats(0.05, 0.99)
    split = draw.floats(0.05, 0.95)
    colls, debts = list(order[:nc]), list(order[nc:nc + nd])
    moves = {s: draw.floats(0.5, 1.6) for s in colls + debts}
    u1 = m.user("u1")
    with m.snapshot():
        px = _prices(m)
        units = {s: max(1, _units(m, s, v, px[s])) for s, v in zip(colls, values)}
        for s in colls:
            m.supply("u1", s, units=units[s], mint=False)
        power = collateral.max_borrow([_usd(m, s, units[s], px[s]) for s in colls],
                                      [params.loc[s, "ltv"] for s in colls]) * use
        for s, w in zip(debts, [split, 1 - split] if nd == 2 else [1.0]):
            n = _units(m, s, power * w, px[s])
            if n > 0:
                m.borrow("u1", s, units=n)
        new = _move(px, moves)
        m.set_prices({}, raw=new)
        px.update(new)
        acc = m.account("u1")
        coll_usd = [_usd(m, s, m.a_tokens[s].balanceOf(u1), px[s]) for s in colls]
        debt_usd = sum(_usd(m, s, m.debt_tokens[s].balanceOf(u1), px[s]) for s in debts)
    lts = [params.loc[s, "liquidation_threshold"] for s in colls]
    ltvs = [params.loc[s, "ltv"] for s in colls]
    ctx = {"collaterals": colls, "debts": debts}
    avail_model = collateral.max_borrow(coll_usd, ltvs, debt_usd)
    d_avail = acc.available_borrows_usd - avail_model
    out = [Check("availableBorrowsBase (share of collateral value)", d_avail / sum(coll_usd),
                 -(sum(coll_usd) * 1e-4 + 1e-6) <= d_avail <= 1e-6, ctx)]
    if debt_usd == 0:
        out.append(Check("health factor (relative)", 0.0, math.isinf(acc.health_factor), ctx))
        return out
    hf_model = collateral.health_factor(coll_usd, lts, debt_usd)
    lt_avg = sum(c * lt for c, lt in zip(coll_usd, lts)) / sum(coll_usd)
    floor = 1e-8 * (len(debts) / debt_usd + len(colls) / sum(coll_usd)) + 1e-12
    ok = hf_model * (1 - 1e-4 / lt_avg - floor) <= acc.health_factor <= hf_model * (1 + floor)
    out.append(Check("health factor (relative)", (acc.health_factor - hf_model) / hf_model, ok,
                     {**ctx, "hf": round(hf_model, 4)}))
    return out


def emode(m, draw) -> list[Check]:
    """E-Mode 1 "ETH correlated": category assets count at LT 93 % / LTV 90 %, others at their own.

    Model: :func:`collateral.health_factor` and ``max_borrow`` with the category's
    LT and LTV (dataset ``aave_emode_categories``, row of 2023-10-31) for the
    category's assets and the reserve's own for any other collateral
    (GenericLogic.calculateUserAccountData with ``userEModeCategory`` set).
    Tolerance: as for the plain health factor.
    """
    params, e1 = _params()
    eth = [s for s in m.tokens if params.loc[s, "emode_category"] == 1]
    others = [s for s in m.tokens if s not in eth]
    eth_colls = draw.subset(eth, 1, 2)
    other = draw.choice([None] + others)
    debt = draw.choice(eth)
    colls = list(eth_colls) + ([other] if other else [])
    values = [draw.floats(500, 2e6) for _ in colls]
    use, move = draw.floats(0.05, 0.99), draw.floats(0.9, 1.1)
    lts = [e1.liquidation_threshold if s in eth else params.loc[s, "liquidation_threshold"] for s in colls]
    ltvs = [e1.ltv if s in eth else params.loc[s, "ltv"] for s in colls]
    u2 = m.user("u2")
    with m.snapshot():
        px = _prices(m)
        m.set_emode("u2", 1)
        units = {s: max(1, _units(m, s, v, px[s])) for s, v in zip(colls, values)}
        for s in colls:
            m.supply("u2", s, units=units[s], mint=False)
        power = collateral.max_borrow([_usd(m, s, units[s], px[s]) for s in colls], ltvs) * use
        m.borrow("u2", debt, units=max(1, _units(m, debt, power, px[debt])))
        new = _move(px, {debt: move})
        m.set_prices({}, raw=new)
        px.update(new)
        acc = m.account("u2")
        coll_usd = [_usd(m, s, m.a_tokens[s].balanceOf(u2), px[s]) for s in colls]
        debt_usd = _usd(m, debt, m.debt_tokens[debt].balanceOf(u2), px[debt])
    hf_model = collateral.health_factor(coll_usd, lts, debt_usd)
    lt_avg = sum(c * lt for c, lt in zip(coll_usd, lts)) / sum(coll_usd)
    floor = 1e-8 * (1 / debt_usd + len(colls) / sum(coll_usd)) + 1e-12
    avail_model = collateral.max_borrow(coll_usd, ltvs, debt_usd)
    d_avail = acc.available_borrows_usd - avail_model
    ctx = {"collaterals": colls, "debt": debt}
    return [
        Check("E-Mode health factor (relative)", (acc.health_factor - hf_model) / hf_model,
              hf_model * (1 - 1e-4 / lt_avg - floor) <= acc.health_factor <= hf_model * (1 + floor), ctx),
        Check("E-Mode availableBorrowsBase (share of collateral value)", d_avail / sum(coll_usd),
              -(sum(coll_usd) * 1e-4 + 1e-6) <= d_avail <= 1e-6, ctx),
    ]


def liquidation(m, draw) -> list[Check]:
    """``liquidationCall`` against :func:`collateral.close_factor` and :func:`collateral.liquidate`.

    One collateral, one debt; the collateral's price is cut so that HF lands on
    a target in [0.3, 0.999] (both close factors, and collateral running out
    below HF = LT x (1 + bonus)); the liquidator asks for a random share of the
    debt, or ``type(uint256).max``. The model gets the contract's HF, the
    borrower's aToken and debt balances and the oracle prices.

    Tolerance: 3 units of the token on each amount, plus 1e-12 relative for the
    model's floats. LiquidationLogic rounds four times: ``baseCollateral`` is
    floored (line 494), ``percentMul(bonus)`` and ``percentDiv(bonus)`` round half
    up (498, 503, 512), the fee ``percentMul`` half up (514), and the close
    factor's ``percentMul`` (379), which the model's input reproduces exactly.
    """
    params, _ = _params()
    coll, debt = draw.permutation(list(m.tokens))[:2]
    value, use = draw.floats(1_000, 2e6), draw.floats(0.3, 0.99)
    target_hf = draw.floats(0.3, 0.999)
    request = None if draw.boolean() else draw.floats(0.01, 1.2)
    u1 = m.user("u1")
    with m.snapshot():
        px = _prices(m)
        n_coll = max(1, _units(m, coll, value, px[coll]))
        m.supply("u1", coll, units=n_coll, mint=False)
        c_usd = _usd(m, coll, n_coll, px[coll])
        d_usd = c_usd * params.loc[coll, "ltv"] * use
        m.borrow("u1", debt, units=max(1, _units(m, debt, d_usd, px[debt])))
        hf_now = c_usd * params.loc[coll, "liquidation_threshold"] / d_usd  # model HF, to aim the price cut
        new = _move(px, {coll: target_hf / hf_now})
        m.set_prices({}, raw=new)
        px.update(new)
        hf_raw = m.pool.getUserAccountData(u1)[5]
        if hf_raw >= 10**18:  # price rounding kept it at 1: not liquidatable, nothing to compare
            return []
        user_coll = m.a_tokens[coll].balanceOf(u1)
        user_debt = m.debt_tokens[debt].balanceOf(u1)
        ask = None if request is None else max(1, int(user_debt * request))
        out = m.liquidate("liquidator", "u1", coll, debt, **({"units": ask} if ask else {}))
    p_coll, p_debt = px[coll] / 1e8, px[debt] / 1e8
    cf = collateral.close_factor(hf_raw / 1e18)
    unit_c, unit_d = 10 ** m.decimals[coll], 10 ** m.decimals[debt]
    # The cap is the contract's integer percentMul of the debt (LiquidationLogic line 379, half up): a
    # float cf x debt can differ by one unit of the debt asset, which is many units of the collateral.
    to_cover = min(user_debt if ask is None else ask, collateral.percent_mul(user_debt, round(cf * BPS)))
    r = collateral.liquidate(user_coll / unit_c, p_coll, to_cover / unit_d * p_debt,
                             params.loc[coll, "liquidation_bonus"], params.loc[coll, "liquidation_protocol_fee"])
    model = {"debt_repaid": r.debt_repaid_usd / p_debt * unit_d,
             "collateral_to_liquidator": r.liquidator_collateral * unit_c,
             "collateral_to_treasury": r.protocol_collateral * unit_c}
    ran_out = bool(r.collateral_seized * unit_c >= user_coll - 0.5)
    ctx = {"collateral": coll, "debt": debt, "collateral_ran_out": ran_out, "hf": hf_raw / 1e18}
    return [Check(f"liquidation {k} (units)", out.raw[k] - v, abs(out.raw[k] - v) <= 3 + 1e-12 * abs(v), ctx)
            for k, v in model.items()]


def rates_and_indexes(m, draw) -> list[Check]:
    """Borrow and supply rates across the curve; supply and borrow index growth over time.

    A borrower takes a share U in [0, 99.5 %] of the reserve's cash (both sides of
    the kink); the rates are compared with :func:`rates.borrow_rate` and
    :func:`rates.supply_rate` at the contract's own U. Then the clock moves 1 s to
    2 years and ``getReserveNormalizedIncome`` / ``getReserveNormalizedVariableDebt``
    are compared with the index times :func:`rates.linear_interest` /
    :func:`rates.compounded_interest_v30`.

    Tolerances. Rates: 1e-12 a year (ray arithmetic and the float model). Supply
    index: 1e-14. Borrow index: MathUtils.calculateCompoundedInterest (lines
    71-79) floors the per-second powers ``rate^2/SPY^2`` and ``rate^3/SPY^3`` in
    ray, so its 2nd and 3rd terms fall short of the model's by less than
    ``(n^2/2 + n^3/6 + 3) x 1e-27`` (n seconds), times the index; the contract is
    never above the model.
    """
    params, _ = _params()
    sym = draw.choice(list(m.tokens))
    target_u = draw.floats(0.0, 0.995)
    seconds = draw.integers(1, 2 * rates.SECONDS_PER_YEAR)
    other = "USDC" if sym != "USDC" else "WETH"
    p = params.loc[sym]
    with m.snapshot():
        px = _prices(m)
        cash = m.tokens[sym].balanceOf(m.a_tokens[sym].address)
        n = int(cash * target_u)
        if n > 0:
            need_usd = _usd(m, sym, n, px[sym]) / params.loc[other, "ltv"] * 1.05
            m.supply("u2", other, units=max(1, _units(m, other, need_usd, px[other])) + 1, mint=True)
            m.borrow("u2", sym, units=n)
        u = m.utilization(sym)
        res = m.reserve(sym)
        br_model = rates.borrow_rate(u, p.optimal_usage, p.base_rate, p.slope1, p.slope2)
        sr_model = rates.supply_rate(u, p.optimal_usage, p.base_rate, p.slope1, p.slope2, p.reserve_factor)
        m.time_travel(seconds)
        later = m.reserve(sym)
    ctx = {"reserve": sym, "u": round(u, 4), "seconds": seconds}
    income_model = res.raw["normalizedIncome"] / 1e27 * rates.linear_interest(
        res.raw["currentLiquidityRate"] / 1e27, seconds)
    debt_model = res.raw["normalizedVariableDebt"] / 1e27 * rates.compounded_interest_v30(
        res.raw["currentVariableBorrowRate"] / 1e27, seconds)
    bound = (seconds**2 / 2 + seconds**3 / 6 + 3) * 1e-27 * debt_model + 1e-14
    d_br, d_sr = res.variable_borrow_rate - br_model, res.liquidity_rate - sr_model
    d_inc, d_debt = later.liquidity_index - income_model, later.variable_borrow_index - debt_model
    return [Check("variable borrow rate (per year)", d_br, abs(d_br) <= 1e-12, ctx),
            Check("supply rate (per year)", d_sr, abs(d_sr) <= 1e-12, ctx),
            Check("supply (liquidity) index", d_inc, abs(d_inc) <= 1e-14, ctx),
            Check("variable borrow index", d_debt, -bound <= d_debt <= 1e-14, ctx)]


def flash_loan(m, draw) -> list[Check]:
    """Premium and treasury share of ``flashLoan`` / ``flashLoanSimple`` vs the fee model.

    Model: :func:`flashloans.flash_loan_fee_exact` (half-up ``percentMul``) for the
    premium; the protocol's share is ``percentMul(premium,
    FLASHLOAN_PREMIUM_TO_PROTOCOL)`` (FlashLoanLogic line 230: in v3.0.2 the share
    is in bps *of the premium*), :func:`collateral.percent_mul`.

    Tolerance: the premium exactly (0 units), and the pool's cash grows by
    exactly the premium; the protocol's share within 1 unit, because the contract
    stores it scaled (``rayDiv`` by the liquidity index, line 242) and the harness
    reads it back with a ``rayMul``.
    """
    sym = draw.choice(list(m.tokens))
    share = draw.floats(1e-9, 1.0)
    premium_bps, to_protocol_bps = draw.integers(0, 100), draw.integers(0, BPS)
    simple = draw.boolean()
    with m.snapshot():
        m.configurator.updateFlashloanPremiumTotal(premium_bps)
        m.configurator.updateFlashloanPremiumToProtocol(to_protocol_bps)
        cash = m.tokens[sym].balanceOf(m.a_tokens[sym].address)
        n = min(cash, max(1, int(cash * share)))  # float rounding of cash * 1.0 may exceed cash
        out = m.flash_loan(sym, units=n, simple=simple)
    premium = flashloans.flash_loan_fee_exact(n, premium_bps)
    to_protocol = collateral.percent_mul(premium, to_protocol_bps)
    ctx = {"reserve": sym, "premium_bps": premium_bps, "to_protocol_bps": to_protocol_bps, "simple": simple}
    grew = out.raw["pool_balance_after"] - out.raw["pool_balance_before"]
    return [Check("flash-loan premium (units)", out.raw["premium"] - premium,
                  out.raw["premium"] == premium and grew == premium, ctx),
            Check("flash-loan protocol share (units)", out.raw["premium_to_protocol"] - to_protocol,
                  abs(out.raw["premium_to_protocol"] - to_protocol) <= 1, ctx)]


#: property name -> scenario function.
PROPERTIES = {
    tr_noop("health factor and borrowing power"): health_factor,
    tr_noop("E-Mode thresholds"): emode,
    tr_noop("liquidation"): liquidation,
    tr_noop("rates and indexes"): rates_and_indexes,
    tr_noop("flash-loan premium"): flash_loan,
}

#: quantity -> (tolerance, why). Marked for the catalog; :func:`summary_table` shows them translated.
TOLERANCES = {
    tr_noop("health factor (relative)"): (
        tr_noop("-1e-4/LT_avg - f to +f (f: 1e-8 USD flooring, ~1e-12)"),
        tr_noop("average LT rounded down to whole bps; values floored to 1e-8 USD")),
    tr_noop("availableBorrowsBase (share of collateral value)"): (
        "-1e-4 to 0", tr_noop("average LTV rounded down to whole bps")),
    tr_noop("E-Mode health factor (relative)"): (
        tr_noop("as the health factor"), tr_noop("as the health factor")),
    tr_noop("E-Mode availableBorrowsBase (share of collateral value)"): (
        "-1e-4 to 0", tr_noop("average LTV rounded down")),
    tr_noop("liquidation debt_repaid (units)"): (
        tr_noop("3 units"), tr_noop("floor and half-up percentMul/percentDiv")),
    tr_noop("liquidation collateral_to_liquidator (units)"): (
        tr_noop("3 units"), tr_noop("floor and half-up percentMul/percentDiv")),
    tr_noop("liquidation collateral_to_treasury (units)"): (
        tr_noop("3 units"), tr_noop("half-up percentMul of the bonus")),
    tr_noop("variable borrow rate (per year)"): ("1e-12", tr_noop("ray arithmetic (1e-27) and floats")),
    tr_noop("supply rate (per year)"): ("1e-12", tr_noop("ray arithmetic (1e-27) and floats")),
    tr_noop("supply (liquidity) index"): (
        "1e-14", tr_noop("floats (the contract's linear interest is exact in ray)")),
    tr_noop("variable borrow index"): (
        "-(n²/2 + n³/6 + 3)·1e-27 to 0", tr_noop("per-second powers floored in ray in the binomial expansion")),
    tr_noop("flash-loan premium (units)"): (tr_noop("0 units"), tr_noop("the model reproduces the half-up percentMul")),
    tr_noop("flash-loan protocol share (units)"): (
        tr_noop("1 unit"), tr_noop("stored scaled by the liquidity index (rayDiv, rayMul)")),
}


def on_fresh_stack(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a new thread, returning its result or raising its exception.

    Why: see the module's docstring (CPython 3.11's frame-stack chunks, gh-142183).
    """
    box = {}

    def target():
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = e

    t = threading.Thread(target=target, name="differential")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("result")


def run_sample(market=None, scenarios: int = 25, seed: int = 0) -> list[tuple[str, list[Check]]]:
    """Run ``scenarios`` seeded scenarios of every property: ``[(property, checks), ...]``.

    Scenario ``i`` of every property draws from ``random.Random(seed * 1_000_003 + i)``,
    so a run is reproducible and each scenario can be rerun alone.
    """
    from .._validate import check_int

    scenarios = check_int("scenarios", scenarios, lo=1, hi=10_000)
    seed = check_int("seed", seed, lo=0, hi=2**31)

    def go():
        m = market if market is not None else differential_market()
        out = []
        for name, fn in PROPERTIES.items():
            for i in range(scenarios):
                out.append((name, fn(m, RandomDraw(seed * 1_000_003 + i))))
        return out

    return on_fresh_stack(go)


def summarise(results) -> "pd.DataFrame":
    """One row per compared quantity: property, scenarios run, tolerance and why, largest |difference|, passed.

    ``results`` is what :func:`run_sample` returns.
    """
    import pandas as pd

    rows: dict[str, dict] = {}
    for prop, checks in results:
        for c in checks:
            r = rows.setdefault(c.quantity, {"property": prop, "quantity": c.quantity, "scenarios": 0,
                                             "largest difference": 0.0, "all within tolerance": True})
            r["scenarios"] += 1
            r["largest difference"] = max(r["largest difference"], abs(float(c.difference)))
            r["all within tolerance"] &= bool(c.ok)
    df = pd.DataFrame(list(rows.values()))
    df["tolerance"] = [TOLERANCES[q][0] for q in df["quantity"]]
    df["why"] = [TOLERANCES[q][1] for q in df["quantity"]]
    return df[["property", "quantity", "scenarios", "tolerance", "why", "largest difference",
               "all within tolerance"]]


def timed_sample(scenarios: int = 25, seed: int = 0) -> tuple["pd.DataFrame", float]:
    """:func:`summarise` of :func:`run_sample` on a fresh market, and the seconds it took."""
    t = time.perf_counter()
    df = summarise(run_sample(scenarios=scenarios, seed=seed))
    return df, time.perf_counter() - t


_SUMMARY_COLUMNS = (tr_noop("property"), tr_noop("quantity"), tr_noop("scenarios"), tr_noop("tolerance"),
                    tr_noop("why"), tr_noop("largest difference"), tr_noop("all within tolerance"))


def _example_summary():
    return pd.DataFrame([{"property": "liquidation", "quantity": "liquidation debt_repaid (units)", "scenarios": 1,
                          "tolerance": "3 units", "why": "floor", "largest difference": 0.0,
                          "all within tolerance": True}])


def _needs_columns(name, df, columns):
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} must have the columns {list(columns)}; it lacks {missing}")


@contract(table=Instance(pd.DataFrame, example=_example_summary, text="the DataFrame summarise() returns"),
          returns=None)
def summary_table(table: pd.DataFrame):
    """:func:`summarise`'s table as the lab page shows it: labels in the reader's language, the largest
    difference to three significant digits, no index.

    Parameters
    ----------
    {domains}
    """
    _needs_columns("table", table, _SUMMARY_COLUMNS)
    out = table.loc[:, list(_SUMMARY_COLUMNS)].copy()
    for c in ("property", "quantity", "tolerance", "why"):
        out[c] = [tr(str(v)) for v in out[c]]
    out["all within tolerance"] = [tr("yes") if v else tr("no") for v in out["all within tolerance"]]
    out = out.rename(columns={c: tr(c) for c in _SUMMARY_COLUMNS})
    return out.style.format({tr("largest difference"): "{:.3g}"}).hide(axis="index")


# --- the collateral chapter's worked liquidation, on the Pool and in the model ---------------------

@contract(collateral_eth=Real(lo=0, lo_open=True, hi=1e6, scalar=True),
          debt_usdc=Real(lo=0, lo_open=True, hi=1e9, scalar=True),
          entry_price=Real(lo=1e-2, hi=1e7, scalar=True,
                           why="the oracle's 8 decimals; smaller prices make the 8-decimal feed meaningless"),
          price_after=Real(lo=1e-2, hi=1e7, scalar=True,
                           why="the oracle's 8 decimals; smaller prices make the 8-decimal feed meaningless"),
          market=Opt(Instance(AaveMarket, text="AaveMarket")), returns=Finite(allow_inf=True))
def worked_liquidation(collateral_eth: float = 10.0, debt_usdc: float = 16_000.0, entry_price: float = 2_000.0,
                       price_after: float = 1_900.0, market=None) -> "pd.DataFrame":
    """The collateral chapter's worked liquidation run on Aave v3.0.2's Pool beside :mod:`defi_helpers.collateral`.

    Alice supplies ``collateral_eth`` WETH at ``entry_price`` and borrows
    ``debt_usdc`` USDC; WETH falls to ``price_after``; a liquidator calls
    ``liquidationCall(WETH, USDC, alice, type(uint256).max, false)``, i.e. repays
    as much as the close factor allows. WETH's threshold, bonus and liquidation
    protocol fee are those of the dataset ``aave_v3_ethereum_reserves``
    (2023-10-31: 83 %, 5 %, 10 % of the bonus); USDC at $1. Model:
    :func:`collateral.health_factor`, :func:`collateral.close_factor` and
    :func:`collateral.liquidate` in floats, as the chapter computes them.

    Returns
    -------
    pandas.DataFrame
        Rows: health factor before and after, debt repaid (USDC), collateral
        seized, to the liquidator and to the treasury (WETH); columns
        ``"Aave v3.0.2 Pool"``, ``"model"`` and ``"difference"`` (Pool minus model).
    """
    import pandas as pd

    from .market import AaveMarket

    params, _ = _params()
    w = params.loc["WETH"]
    # The scenario must be one the Pool accepts: the borrow within WETH's LTV at the entry price, and the
    # position liquidatable (HF < 1) after the fall. Say so in the caller's names instead of reverting.
    if debt_usdc > (1 - 1e-6) * collateral_eth * entry_price * w.ltv:
        raise ValueError(f"debt_usdc must be at most about LTV x collateral_eth x entry_price = "
                         f"{collateral_eth * entry_price * w.ltv:,.2f} (WETH's LTV {w.ltv:g}) for the Pool to "
                         f"lend it; got debt_usdc={debt_usdc!r}, collateral_eth={collateral_eth!r}, "
                         f"entry_price={entry_price!r}")
    if collateral_eth * price_after * w.liquidation_threshold >= 0.999 * debt_usdc:
        raise ValueError(f"price_after must leave the position liquidatable (health factor < 1): below "
                         f"{debt_usdc / (collateral_eth * w.liquidation_threshold):,.2f} for these amounts; "
                         f"got price_after={price_after!r}, collateral_eth={collateral_eth!r}, debt_usdc={debt_usdc!r}")
    m = market if market is not None else AaveMarket.deploy(prices={"WETH": entry_price, "USDC": 1.0})
    with m.snapshot():
        m.set_prices({"WETH": entry_price, "USDC": 1.0})
        m.supply("worked_lender", "USDC", debt_usdc * 2)
        m.supply("worked_borrower", "WETH", collateral_eth)
        m.borrow("worked_borrower", "USDC", debt_usdc)
        m.set_price("WETH", price_after)
        out = m.liquidate("worked_liquidator", "worked_borrower", "WETH", "USDC")
    hf = collateral.health_factor(collateral_eth * price_after, w.liquidation_threshold, debt_usdc)
    r = collateral.liquidate(collateral_eth, price_after, collateral.close_factor(hf) * debt_usdc,
                             w.liquidation_bonus, protocol_fee=w.liquidation_protocol_fee)
    hf_after = collateral.health_factor((collateral_eth - r.collateral_seized) * price_after,
                                        w.liquidation_threshold, debt_usdc - r.debt_repaid_usd)
    rows = {
        tr_noop("health factor before"): (out.health_factor_before, hf),
        tr_noop("health factor after"): (out.health_factor_after, hf_after),
        tr_noop("debt repaid (USDC)"): (out.debt_repaid, r.debt_repaid_usd),
        tr_noop("collateral seized (WETH)"): (out.collateral_seized, r.collateral_seized),
        tr_noop("to the liquidator (WETH)"): (out.collateral_to_liquidator, r.liquidator_collateral),
        tr_noop("to the treasury (WETH)"): (out.collateral_to_treasury, r.protocol_collateral),
    }
    df = pd.DataFrame(rows, index=[POOL_COLUMN, tr_noop("model")]).T.astype(float)
    df[tr_noop("difference")] = df[POOL_COLUMN] - df["model"]
    return df


# --- for the lab page ------------------------------------------------------------------------------

def _example_worked():
    return pd.DataFrame({POOL_COLUMN: [1.0], "model": [1.0], "difference": [0.0]},
                        index=["health factor before"])


@contract(table=Instance(pd.DataFrame, example=_example_worked, text="the DataFrame worked_liquidation() returns"),
          returns=None)
def worked_liquidation_table(table: pd.DataFrame):
    """:func:`worked_liquidation`'s table as the collateral chapter shows it: labels in the reader's
    language, amounts to six decimals, differences to two significant digits.

    Parameters
    ----------
    {domains}
    """
    _needs_columns("table", table, (POOL_COLUMN, "model", "difference"))
    out = table.loc[:, [POOL_COLUMN, "model", "difference"]].copy()
    out.index = [tr(str(i)) for i in out.index]
    names = {POOL_COLUMN: tr(POOL_COLUMN), "model": tr("model"), "difference": tr("difference")}
    out = out.rename(columns=names)
    return (out.style.format("{:,.6f}", subset=[names[POOL_COLUMN], names["model"]])
            .format("{:.2g}", subset=[names["difference"]]))


@contract(m=Instance(AaveMarket, text="AaveMarket"), who=Str(), symbol=Str(),
          prices=Real(lo=0, lo_open=True, hi=1e9), returns=Finite(allow_inf=True, allow_nan=True))
def pool_health_factor_curve(m, who: str, symbol: str, prices) -> "pd.DataFrame":
    """``who``'s health factor as the Pool computes it, with ``symbol``'s oracle price moved to each of ``prices``.

    Runs inside a snapshot (the market is left as it was). Columns: ``price``
    (USD), ``health_factor`` (``Pool.getUserAccountData``), ``liquidation_price``
    (USD, where the Pool's HF crosses 1, interpolated linearly between the two
    prices around it; NaN if it does not cross) -- the columns of
    :func:`defi_helpers.charts.collateral.health_factor_chart`.
    """
    import numpy as np
    import pandas as pd

    prices = [float(p) for p in np.atleast_1d(prices)]
    if len(prices) > 1_000:
        raise ValueError(f"prices must hold at most 1,000 prices (each is a transaction); got {len(prices)}")
    hf = []
    with m.snapshot():
        for p in prices:
            m.set_price(symbol, p)
            hf.append(m.account(who).health_factor)
    df = pd.DataFrame({"price": prices, "health_factor": hf})
    crossing = float("nan")
    for (p0, h0), (p1, h1) in zip(df.itertuples(index=False), df.iloc[1:].itertuples(index=False)):
        if (h0 - 1) * (h1 - 1) <= 0 and h0 != h1 and np.isfinite(h0) and np.isfinite(h1):
            crossing = p0 + (1 - h0) * (p1 - p0) / (h1 - h0)
            break
    df["liquidation_price"] = crossing
    return df


@contract(returns=None)
def pinned_packages() -> "pd.DataFrame":
    """The compiled packages the lab runs, as pinned in ``defi_helpers/lab/artifacts.json``."""
    import pandas as pd

    from .artifacts import PINS

    return pd.DataFrame([{"package": p["package"], "version": p["version"], "protocol": p.get("protocol", ""),
                          "licence": p["licence"].split(";")[0].split(" (")[0],
                          "sha512 (first 24 characters)": p["integrity"][:24] + "…"} for p in PINS.values()])
