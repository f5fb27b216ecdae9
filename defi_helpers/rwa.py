"""Tokenised real-world assets: NAV tokens, yield designs, redemption queues.

A tokenised Treasury product is a legal claim (fund shares, LP interest or a
note) recorded as a token. Its yield reaches holders in one of three ways:

* **value accrual** -- the token price (NAV per token) rises, the balance is
  fixed (Ondo OUSG, USDY);
* **rebasing** -- the price stays at $1 and the balance grows every day
  (rOUSG, rUSDY);
* **distribution in kind** -- the price stays at $1, yield accrues daily
  and is paid out periodically as new tokens (BlackRock BUIDL, monthly).

This module converts between prices and yields the way the issuers state
them, shows that the designs hold the same value, models a run on a
redemption queue (instant liquidity versus T+1 settlement) and the slow
health-factor drift of an RWA-collateralised loan.

Rates are fractions (``0.05`` = 5 %); a year is 365 days, as in Ondo's
USDY documentation. Floats throughout; Ondo rounds stored prices to 8
decimals, which :func:`accruing_price` can reproduce.

References
----------
Ondo USDY FAQ, "Economics & Fees" (docs.ondo.finance): daily rate
``(1 + APY)**(1/365) - 1``, price compounding daily, worked example
$100 -> $100.02149311 over two days at 4 % APY. Ondo I LP (OUSG) reserve-
fund application, gov.ethenafoundation.com topic 109 (2024-08-12): "APY is
calculated daily by annualizing the increase in price over the past 30
days". Securitize for BUIDL, gov.ethenafoundation.com topic 31 (2024-07-18)
and gov.frax.finance FIP-418 (2024-12-12): $1 per token, dividends accrued
daily and paid monthly as new tokens. Ondo OUSG docs "Redeeming" (T+1 for
non-instant redemptions sent before 4pm ET). Aave Horizon:
``aave/aave-v3-horizon`` ``docs/Horizon/Horizon-overview.md`` and
``src/deployments/inputs/HorizonPhaseOneListing.sol``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._validate import Finite, Int, Opt, Real, contract

__all__ = [
    "annualized_yield_from_prices",
    "daily_rate_from_apy",
    "nav_per_token",
    "accruing_price",
    "rebasing_balance",
    "distributed_balance",
    "token_design_paths",
    "days_to_exit",
    "redemption_queue",
    "years_until_liquidation",
    "DAYS_PER_YEAR",
    "ONDO_APY_WINDOW_DAYS",
    "ONDO_PRICE_DECIMALS",
    "BUIDL_PAYOUT_INTERVAL_DAYS",
    "HORIZON_RWA_LTV",
    "HORIZON_RWA_LIQUIDATION_THRESHOLD",
    "HORIZON_RWA_LIQUIDATION_BONUS",
]

#: Day count used by Ondo's USDY yield maths (USDY FAQ "Economics & Fees", read 2025).
DAYS_PER_YEAR = 365
#: OUSG's displayed APY annualises the price change over the past 30 days
#: (Ondo I LP, gov.ethenafoundation.com topic 109, 2024-08-12).
ONDO_APY_WINDOW_DAYS = 30
#: Ondo rounds stored prices and rates to 8 decimals (USDY FAQ, read 2025).
ONDO_PRICE_DECIMALS = 8
#: BUIDL pays accrued dividends as new tokens "each month", on or about the
#: first business day (Securitize, gov.ethenafoundation.com topic 31,
#: 2024-07-18); modelled as every 30 days.
BUIDL_PAYOUT_INTERVAL_DAYS = 30
#: Aave Horizon phase-one RWA collateral (USTB, USCC, USYC): LTV 75 %,
#: liquidation threshold 80 %, bonus 12 % (aave/aave-v3-horizon @279728d0,
#: src/deployments/inputs/HorizonPhaseOneListing.sol, 2025; governance may
#: have changed them since).
HORIZON_RWA_LTV = 0.75
HORIZON_RWA_LIQUIDATION_THRESHOLD = 0.80
HORIZON_RWA_LIQUIDATION_BONUS = 0.12

#: Domains shared by several functions.
_PRICE = Real(lo=0, lo_open=True, why="a token price in USD")
_APY = Real(lo=-1, lo_open=True, scalar=True, why="an annual yield as a fraction; -1 would lose everything")
_APY_PAID = Real(lo=0, scalar=True, why="an annual yield as a fraction")
_DAYS = Real(lo=0, why="days elapsed")
_TOKENS = Real(lo=0, scalar=True, why="a token balance")
_USD = Real(lo=0, scalar=True, why="an amount in USD")
_CAPACITY = Real(lo=0, lo_open=True, scalar=True, why="USD a day; with 0 the queue never clears")
_INTERVAL = Int(lo=1, hi=36_500, why="days between distributions, at most 100 years")
_SETTLEMENT = Int(lo=1, hi=3_650, why="a settlement lag in days, at most 10 years")


# --------------------------------------------------------------------------
# Prices and yields
# --------------------------------------------------------------------------

@contract(price_start=_PRICE, price_end=_PRICE, days=Real(lo=0, lo_open=True, why="the window in days"))
def annualized_yield_from_prices(price_start, price_end, days):
    """APY implied by a token price moving from ``price_start`` to ``price_end``.

    ``APY = (price_end / price_start) ** (365 / days) - 1``: the growth over
    ``days`` compounded to a 365-day year. This is how Ondo shows OUSG's APY
    ("annualizing the increase in price over the past 30 days", so
    ``days = 30``; see :data:`ONDO_APY_WINDOW_DAYS`) and is the exact
    inverse of USDY's daily-compounding price rule
    (:func:`accruing_price`). It is not the simple APR
    ``(price_end / price_start - 1) * 365 / days``, which is lower.

    Parameters
    ----------
    price_start, price_end : float or array of float
        Token prices (NAV per token) in USD, each {domain:price_start}.
    days : float or array of float
        Days between the two prices, {domain:days}.

    Returns
    -------
    float or numpy.ndarray
        The annual percentage yield as a fraction.

    Raises
    ------
    ValueError
        If a price or ``days`` is not positive, or the APY overflows float64
        (a huge price ratio over a few days).

    Examples
    --------
    Ondo's USDY example: $100 becomes $100.02149311 in two days at 4 % APY.

    >>> round(annualized_yield_from_prices(100.0, 100.02149311, 2), 6)
    0.04
    >>> round(annualized_yield_from_prices(100.0, 100.40, 30), 6)
    0.049768

    References
    ----------
    gov.ethenafoundation.com topic 109, "Reserve Fund | Ondo Finance (OUSG)"
    (2024-08-12); docs.ondo.finance, USDY FAQ "Economics & Fees".
    """
    return (price_end / price_start) ** (DAYS_PER_YEAR / days) - 1.0


@contract(apy=Real(lo=-1, lo_open=True, why="an annual yield as a fraction; -1 would lose everything"))
def daily_rate_from_apy(apy):
    """Daily compounding rate equivalent to ``apy``: ``(1 + apy)**(1/365) - 1``.

    Parameters
    ----------
    apy : float or array of float
        Annual percentage yield as a fraction, {domain:apy}.

    Examples
    --------
    Ondo quotes 0.01074598 % a day for a 4 % APY:

    >>> round(daily_rate_from_apy(0.04) * 100, 8)
    0.01074598

    References
    ----------
    docs.ondo.finance, USDY FAQ "Economics & Fees".
    """
    return (1.0 + apy) ** (1.0 / DAYS_PER_YEAR) - 1.0


@contract(net_assets_usd=Real(lo=0), tokens_outstanding=Real(lo=0, lo_open=True))
def nav_per_token(net_assets_usd, tokens_outstanding):
    """Price of a NAV token: net assets over tokens outstanding (USD/token).

    Parameters
    ----------
    net_assets_usd : float or array of float
        Net assets of the fund, USD; {domain:net_assets_usd}.
    tokens_outstanding : float or array of float
        Tokens in circulation; {domain:tokens_outstanding}.

    Examples
    --------
    >>> round(nav_per_token(226_110_000, 2_150_000), 6)
    105.167442
    """
    return net_assets_usd / tokens_outstanding


@contract(price_start=Real(lo=0, lo_open=True, scalar=True, why="a token price in USD"), apy=_APY, days=_DAYS,
          decimals=Opt(Int(lo=0, hi=18)))
def accruing_price(price_start, apy, days, decimals=None):
    """Price of a value-accruing token after ``days`` at a constant ``apy``.

    ``P(t) = P0 * (1 + daily) ** t`` with ``daily = (1 + apy)**(1/365) - 1``,
    i.e. ``P0 * (1 + apy) ** (t / 365)``: Ondo's USDY reference-price rule.

    Parameters
    ----------
    price_start : float
        Price on day 0, USD per token, {domain:price_start}.
    apy : float
        Annual yield as a fraction, {domain:apy}.
    days : float or array of float
        Days elapsed, {domain:days}.
    decimals : int, optional
        Round the result like Ondo's stored prices (8); ``None`` keeps floats.
        {domain:decimals}.

    Examples
    --------
    >>> accruing_price(100.0, 0.04, 2, decimals=8)
    100.02149311
    """
    out = price_start * (1.0 + apy) ** (np.asarray(days) / DAYS_PER_YEAR)
    if decimals is not None:
        out = np.round(out, decimals)
    return out


@contract(tokens_start=_TOKENS, apy=_APY, days=_DAYS)
def rebasing_balance(tokens_start, apy, days):
    """Balance of a rebasing $1 token after ``days`` at a constant ``apy``.

    The price stays at $1; the token count grows like the accruing price:
    ``N(t) = N0 * (1 + apy) ** (t / 365)`` (rOUSG, rUSDY).

    Parameters
    ----------
    tokens_start : float
        Tokens held on day 0 (= USD), {domain:tokens_start}.
    apy : float
        Annual yield as a fraction, {domain:apy}.
    days : float or array of float
        Days elapsed, {domain:days}.

    Examples
    --------
    >>> round(rebasing_balance(10_000, 0.05, 365), 6)
    10500.0
    """
    return tokens_start * (1.0 + apy) ** (np.asarray(days) / DAYS_PER_YEAR)


@contract(tokens_start=_TOKENS, apy=_APY_PAID, days=_DAYS, payout_interval_days=_INTERVAL)
def distributed_balance(tokens_start, apy, days, payout_interval_days=BUIDL_PAYOUT_INTERVAL_DAYS):
    """Balance and unpaid accrual of a $1 token paying its yield in kind.

    Yield accrues every day on the balance of record at the daily rate of
    ``apy`` (:func:`daily_rate_from_apy`) and is paid as new tokens every
    ``payout_interval_days`` (BUIDL: monthly). Between payouts the accrual
    does not compound, so the value trails daily compounding slightly.

    Parameters
    ----------
    tokens_start : float
        Tokens held on day 0 (= USD, the price is $1), {domain:tokens_start}.
    apy : float
        Annual yield, a fraction, {domain:apy}.
    days : int or array of int
        Whole days elapsed, {domain:days}.
    payout_interval_days : int, default 30
        Days between distributions, {domain:payout_interval_days}.

    Returns
    -------
    tuple
        ``(balance, accrued_unpaid)`` in tokens; their sum is the value.

    Examples
    --------
    >>> bal, acc = distributed_balance(1_000_000, 0.0488, 45)
    >>> round(bal, 2), round(acc, 2)
    (1003916.42, 1965.88)
    """
    t = np.asarray(days)
    if np.any(t != np.floor(t)):
        raise ValueError(f"days must be whole numbers of days; got {days!r}")
    k_int = payout_interval_days
    d = (1.0 + apy) ** (1.0 / DAYS_PER_YEAR) - 1.0
    payouts = np.floor(t / k_int)
    balance = tokens_start * (1.0 + d * k_int) ** payouts
    accrued = balance * d * (t - payouts * k_int)
    return balance, accrued


@contract(amount_usd=_USD, apy=_APY_PAID, days=Int(lo=0, hi=36_500, why="one row per day, at most 100 years"),
          price_start=Real(lo=0, lo_open=True, scalar=True, why="a token price in USD"),
          payout_interval_days=_INTERVAL)
def token_design_paths(amount_usd, apy, days, price_start=1.0,
                       payout_interval_days=BUIDL_PAYOUT_INTERVAL_DAYS) -> pd.DataFrame:
    """Token count, price and value of the three yield designs, day by day.

    ``amount_usd`` is invested on day 0 in (a) a value-accruing token bought
    at ``price_start``, (b) a rebasing $1 token and (c) a $1 token paying
    its yield in kind every ``payout_interval_days``.

    Parameters
    ----------
    amount_usd : float
        Amount invested, USD, {domain:amount_usd}.
    apy : float
        Annual yield of all three, a fraction, {domain:apy}.
    days : int
        Last day shown, {domain:days}; one row per day 0..days.
    price_start : float, default 1.0
        Price of the accruing token on day 0, {domain:price_start}.
    payout_interval_days : int, default 30
        Days between distributions of the third design, {domain:payout_interval_days}.

    Returns
    -------
    pandas.DataFrame
        Long format: ``day``, ``design`` (``"accruing"``, ``"rebasing"``,
        ``"distributed"``), ``tokens``, ``price_usd``, ``value_usd``.

    Examples
    --------
    >>> df = token_design_paths(1000, 0.05, 365)
    >>> last = df[df.day == 365].set_index("design")
    >>> last.value_usd.round(6).to_dict()
    {'accruing': 1050.0, 'rebasing': 1050.0, 'distributed': 1049.902139}
    """
    amt, a, n, p0 = amount_usd, apy, days, price_start
    t = np.arange(n + 1, dtype=float)
    price = accruing_price(p0, a, t)
    acc_tokens = np.full_like(t, amt / p0)
    reb = rebasing_balance(amt, a, t)
    bal, unpaid = distributed_balance(amt, a, t, payout_interval_days)
    frames = [
        pd.DataFrame({"day": t, "design": "accruing", "tokens": acc_tokens,
                      "price_usd": price, "value_usd": acc_tokens * price}),
        pd.DataFrame({"day": t, "design": "rebasing", "tokens": reb,
                      "price_usd": 1.0, "value_usd": reb}),
        pd.DataFrame({"day": t, "design": "distributed", "tokens": bal,
                      "price_usd": 1.0, "value_usd": bal + unpaid}),
    ]
    out = pd.concat(frames, ignore_index=True)
    out["day"] = out["day"].astype(int)
    return out


# --------------------------------------------------------------------------
# Liquidity mismatch: a run on a redemption queue
# --------------------------------------------------------------------------

@contract(withdrawal_usd=Real(lo=0), liquid_buffer_usd=_USD, daily_redemption_usd=_CAPACITY,
          settlement_days=_SETTLEMENT)
def days_to_exit(withdrawal_usd, liquid_buffer_usd, daily_redemption_usd, settlement_days=1):
    """Days until the last dollar of a one-off withdrawal is paid.

    The issuer pays at once from a liquid buffer (USDC on hand, an instant-
    redemption facility). The rest is raised by redeeming the underlying
    Treasuries/fund shares, at most ``daily_redemption_usd`` a day, each
    day's batch settling ``settlement_days`` later (T+1 for OUSG). With
    ``W`` withdrawn, buffer ``B`` and capacity ``C``::

        days = 0                                 if W <= B
        days = ceil((W - B) / C) - 1 + lag       otherwise

    Parameters
    ----------
    withdrawal_usd : float or array of float
        Redemptions requested on day 0, USD, {domain:withdrawal_usd}.
    liquid_buffer_usd : float
        Cash payable the same day, USD, {domain:liquid_buffer_usd}.
    daily_redemption_usd : float
        Off-chain redemption capacity per day, USD, {domain:daily_redemption_usd}.
    settlement_days : int, default 1
        Settlement lag of those redemptions, days, {domain:settlement_days}.

    Returns
    -------
    float or numpy.ndarray
        Whole days (0 = everyone exits the same day).

    Examples
    --------
    >>> days_to_exit(50e6, 10e6, 5e6, settlement_days=1)
    8.0
    >>> days_to_exit(8e6, 10e6, 5e6)
    0.0
    """
    w, b, c, lag = np.asarray(withdrawal_usd), liquid_buffer_usd, daily_redemption_usd, settlement_days
    short = np.maximum(w - b, 0.0)
    # Shortfalls below one part in 1e9 of the withdrawal count as paid (as in
    # redemption_queue); the 1e-9 inside ceil keeps 40e6 / 5e6 at 8 batches.
    short = np.where(short <= 1e-9 * np.maximum(1.0, w), 0.0, short)
    batches = np.maximum(1.0, np.ceil(short / c - 1e-9))
    out = np.where(short > 0, batches - 1 + lag, 0.0)
    return out.astype(float)


@contract(demand_usd=Real(lo=0), liquid_buffer_usd=_USD, daily_redemption_usd=_CAPACITY,
          settlement_days=_SETTLEMENT, max_days=Int(lo=1, hi=36_500, why="a safety stop, at most 100 years"))
def redemption_queue(demand_usd, liquid_buffer_usd, daily_redemption_usd, settlement_days=1,
                     max_days=3650) -> pd.DataFrame:
    """Day-by-day run on a tokenised fund with a first-come redemption queue.

    Each day: new requests join the back of the queue; cash on hand (what
    is left of the buffer plus settlements arriving today) pays the queue
    in order; then the issuer starts redeeming underlying assets for the
    still-unfunded part of the queue, at most ``daily_redemption_usd``, to
    arrive ``settlement_days`` later. The table runs until the queue is
    empty and the demand schedule is over.

    Parameters
    ----------
    demand_usd : float or sequence of float
        Redemptions requested: a number (all on day 0) or one amount per
        day, USD, {domain:demand_usd}.
    liquid_buffer_usd : float
        Cash available at once on day 0, USD, {domain:liquid_buffer_usd}.
    daily_redemption_usd : float
        Off-chain redemption capacity per day, USD, {domain:daily_redemption_usd}.
    settlement_days : int, default 1
        Days until a redemption of underlying assets turns into cash, {domain:settlement_days}.
    max_days : int, default 3650
        Safety stop, {domain:max_days}; raises if the queue is not cleared by then.

    Returns
    -------
    pandas.DataFrame
        One row per day: ``day``, ``requested_usd``, ``paid_usd``,
        ``cumulative_paid_usd``, ``queue_usd`` (unpaid at day end),
        ``in_settlement_usd`` and ``buffer_usd`` (cash left).

    Examples
    --------
    >>> q = redemption_queue(50e6, 10e6, 5e6)
    >>> int(q.day.iloc[-1]), float(q.queue_usd.iloc[-1])
    (8, 0.0)
    """
    demand = np.asarray(demand_usd, dtype=float).reshape(-1)
    buffer_, cap, lag, horizon = liquid_buffer_usd, daily_redemption_usd, settlement_days, max_days
    arriving: dict[int, float] = {}
    queue = 0.0
    pending = 0.0
    cum = 0.0
    rows = []
    total = float(demand.sum())
    tol = 1e-9 * max(1.0, total)
    day = 0
    while True:
        new = float(demand[day]) if day < demand.size else 0.0
        queue += new
        settled = arriving.pop(day, 0.0)
        pending -= settled
        cash = buffer_ + settled
        paid = min(queue, cash)
        queue -= paid
        buffer_ = cash - paid
        cum += paid
        unfunded = max(queue - pending, 0.0)
        sell = min(cap, unfunded)
        if sell > tol:
            arriving[day + lag] = arriving.get(day + lag, 0.0) + sell
            pending += sell
        if queue <= tol:
            queue = 0.0
        rows.append((day, new, paid, cum, queue, pending, buffer_))
        if day + 1 >= demand.size and queue == 0.0:
            break
        day += 1
        if day > horizon:
            raise ValueError(
                f"max_days: the queue is not cleared within {horizon} days (demand_usd totals {total:,.6g}, "
                f"liquid_buffer_usd={liquid_buffer_usd:,.6g}, daily_redemption_usd={cap:,.6g}, "
                f"settlement_days={lag}); raise daily_redemption_usd or max_days"
            )
    return pd.DataFrame(rows, columns=["day", "requested_usd", "paid_usd", "cumulative_paid_usd",
                                       "queue_usd", "in_settlement_usd", "buffer_usd"])


# --------------------------------------------------------------------------
# RWA as collateral
# --------------------------------------------------------------------------

@contract(health_factor=Real(lo=0, lo_open=True, scalar=True, why="HF = collateral x LT / debt"),
          collateral_yield=Real(lo=-1, lo_open=True, scalar=True, why="an annual yield as a fraction"),
          borrow_rate=Real(lo=-1, lo_open=True, scalar=True, why="an annual rate as a fraction"),
          returns=Finite(allow_inf=True))
def years_until_liquidation(health_factor, collateral_yield, borrow_rate):
    """Years until interest drags a loan against a yield token to HF = 1.

    A Treasury token's NAV grows at its yield ``y`` while the stablecoin debt
    grows at the borrow rate ``r`` (both annual, compounded), so
    ``HF(t) = HF0 * ((1 + y) / (1 + r)) ** t`` and, when ``r > y``,
    ``t = ln(HF0) / ln((1 + r) / (1 + y))``. With ``r <= y`` the position
    never reaches HF = 1 from interest alone (``inf``). This is the time at
    which :func:`defi_helpers.looping.health_factor_drift`, fed the
    continuously compounded rates ``log(1 + y)`` and ``log(1 + r)``, reaches 1.

    Parameters
    ----------
    health_factor : float
        Health factor today, {domain:health_factor}. At or below 1 the answer is 0.
    collateral_yield : float
        Yield of the collateral, a fraction, {domain:collateral_yield}.
    borrow_rate : float
        Borrow APY of the debt, a fraction, {domain:borrow_rate}.

    Returns
    -------
    float
        Years, >= 0; ``inf`` (documented, not an error) when
        ``borrow_rate <= collateral_yield`` and HF > 1: interest alone never
        liquidates the position.

    Examples
    --------
    A Horizon USTB position at its 75 % LTV (HF = 0.80 / 0.75) earning 4 %
    and paying 6 % on USDC:

    >>> round(years_until_liquidation(0.80 / 0.75, 0.04, 0.06), 3)
    3.388
    >>> years_until_liquidation(1.2, 0.05, 0.04)
    inf

    References
    ----------
    Health factor as in Aave v3 ``GenericLogic.calculateUserAccountData``;
    Horizon's RWA collateral parameters: aave/aave-v3-horizon,
    ``src/deployments/inputs/HorizonPhaseOneListing.sol``.
    """
    hf, y, r = health_factor, collateral_yield, borrow_rate
    if hf <= 1.0:
        return 0.0
    if r <= y:
        return math.inf
    return math.log(hf) / (math.log1p(r) - math.log1p(y))   # = log((1 + r) / (1 + y)), without overflow
