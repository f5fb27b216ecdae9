"""Liquid staking tokens: stETH shares, wstETH wrapping, rETH, Lido's APR.

A liquid staking token (LST) is a transferable claim on staked ETH and its
rewards. Two designs:

* **stETH** (Lido) *rebases*: balances are computed from shares,
  ``balance = shares * totalPooledEther / totalShares``, so every holder's
  balance grows when the oracle reports rewards; **wstETH** is the
  non-rebasing wrapper whose balance *is* the share count.
* **rETH** (Rocket Pool) keeps balances fixed and lets the exchange rate
  ``totalETHBalance / rETHSupply`` grow.

Functions take floats (token amounts, ETH) unless their name ends in
``_wei``: those reproduce the contracts' integer floor division on Python
``int`` so that the 1-2 wei rounding of stETH transfers can be shown.

References
----------
Lido core, ``lidofinance/core``: ``contracts/0.4.24/StETH.sol``
(``getPooledEthByShares``, ``getSharesByPooledEth``),
``contracts/0.6.12/WstETH.sol`` (``wrap``, ``unwrap``, ``stEthPerToken``),
``contracts/0.8.9/WithdrawalQueueBase.sol`` (claimable ether).
Lido docs, ``lidofinance/docs``: ``docs/integrations/api.md`` (APR from
``TokenRebased``), ``docs/guides/lido-tokens-integration-guide.md`` (1-2 wei corner case,
withdrawal limits), ``docs/contracts/staking-router.md`` (fees).
Oracle report limits: ``lidofinance/core``,
``contracts/0.8.9/sanity_checks/OracleReportSanityChecker.sol`` and
``contracts/0.8.9/lib/PositiveTokenRebaseLimiter.sol``, with the mainnet values
of ``deployed-mainnet.json`` (tags v2.0.0, v2.1.0, v3.0.2; read at commit
372b02e1, 2026-06-23). The integration guide's "27 % APR / 5 % drop" sentence
dates from Lido V1 (2022) and is not used here.
Rocket Pool, ``rocket-pool/rocketpool``:
``contracts/contract/token/RocketTokenRETH.sol``.
"""

from __future__ import annotations

import numpy as np

from . import rates
from ._validate import Choice, Finite, Int, Real, check_number, contract
from .looping import liquidation_price_ratio, looped_health_factor

__all__ = [
    "pooled_eth_by_shares",
    "shares_by_pooled_eth",
    "share_rate",
    "wrap_steth",
    "unwrap_wsteth",
    "pooled_eth_by_shares_wei",
    "shares_by_pooled_eth_wei",
    "rebase_apr",
    "apr_to_apy",
    "rebase_with_fee",
    "reth_exchange_rate",
    "reth_eth_value",
    "withdrawal_claimable_eth",
    "withdrawal_requests",
    "looped_lst_health_factor",
    "market_ratio_at_liquidation",
    "SECONDS_PER_YEAR",
    "LIDO_PROTOCOL_FEE",
    "LIDO_MAX_POSITIVE_TOKEN_REBASE",
    "LIDO_ANNUAL_CL_BALANCE_INCREASE_LIMIT",
    "smoothen_rebase",
    "MIN_STETH_WITHDRAWAL_WEI",
    "MAX_STETH_WITHDRAWAL",
]

#: 365 days of seconds, the year used in the APR examples (Lido docs,
#: docs/integrations/api.md, "secondsInYear").
SECONDS_PER_YEAR = 365 * 24 * 3600
#: Lido protocol fee: 10 % of rewards, the sum of each staking module's fee and
#: the treasury fee, weighted by the module's share of validators (5 % + 5 % for
#: the curated module); minted as shares (lidofinance/docs
#: docs/contracts/staking-router.md, read at commit 35624e45, 2026-07-24).
LIDO_PROTOCOL_FEE = 0.10
#: ``maxPositiveTokenRebase`` of Lido's ``OracleReportSanityChecker``: 750,000
#: in 1e9 precision, i.e. the share rate may rise by at most 0.075 % per oracle
#: report. Not a rejection: rewards above it stay in the execution-layer and
#: withdrawal vaults for later reports (``smoothenTokenRebase``). The same value
#: on mainnet since Lido V2 (May 2023) through V3 (lidofinance/core
#: ``deployed-mainnet.json`` at tags v2.0.0, v2.1.0 and v3.0.2).
LIDO_MAX_POSITIVE_TOKEN_REBASE = 750_000 / 1e9
#: ``annualBalanceIncreaseBPLimit`` = 1,000 bp: a report whose consensus-layer
#: balance growth (new deposits and withdrawals excluded) annualises above 10 %
#: reverts with ``IncorrectCLBalanceIncrease``. Same source and dates.
LIDO_ANNUAL_CL_BALANCE_INCREASE_LIMIT = 0.10
#: Smallest withdrawal request, 100 wei of stETH (same guide, "Withdrawals (unstETH)").
MIN_STETH_WITHDRAWAL_WEI = 100
#: Largest single withdrawal request, 1,000 stETH; larger amounts are split
#: (same guide, "Withdrawals (unstETH)").
MAX_STETH_WITHDRAWAL = 1000.0

_ORACLES = ("exchange_rate", "market")

# Domains shared by several functions (issue 14: one declaration per parameter).
_AMOUNT = Real(lo=0, why="a token amount")
_TOTAL = Real(lo=0, lo_open=True, why="a protocol total; the share rate divides by it")
_TOTAL_1 = Real(lo=0, lo_open=True, scalar=True, why="a protocol total; the share rate divides by it")
#: Loops are capped far above any lending market (1 / (1 - LTV) is 33x at an LTV of 97 %),
#: so that the health factor stays a finite float.
_LEVERAGE = Real(lo=1, hi=1_000, why="exposure over equity: 1 is no loop; markets allow about 1 / (1 - LTV)")
_LT = Real(lo=0, hi=1, lo_open=True, why="a liquidation threshold is a fraction of the collateral value")


class _Wei(Int):
    """A whole number of wei as a Python/numpy integer (floats are refused: they are not exact)."""

    type_text = "int"

    def __init__(self, lo: int = 0):
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", 2**256 - 1)
        object.__setattr__(self, "why", "")

    def check(self, name, value):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an integer amount of wei (int, not float) "
                             f"{self._range()}; got {value!r:.80}")
        v = int(value)
        if v < self.lo or v > self.hi:
            raise ValueError(f"{name} must be {self._range()} wei; got {value!r:.80}")
        return v

    def _range(self):
        return f"in [{self.lo}, 2**256 - 1] (a uint256)"

    def describe(self):
        return f"a whole number of wei (int, not float) {self._range()}"

    def example(self):
        return 10**18


def _pooled_eth_by_shares(s, tpe, ts):
    return s * tpe / ts


def _shares_by_pooled_eth(x, tpe, ts):
    return x * ts / tpe


def _reth_exchange_rate(bal, sup):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(sup > 0, bal / np.where(sup > 0, sup, 1.0), 1.0)
    return float(out) if np.ndim(out) == 0 else out


@contract(shares=_AMOUNT, total_pooled_ether=_TOTAL, total_shares=_TOTAL)
def pooled_eth_by_shares(shares, total_pooled_ether, total_shares):
    """stETH (= pooled ETH) that ``shares`` Lido shares are worth.

    ``shares * totalPooledEther / totalShares``. This is a holder's stETH
    ``balanceOf``, and also what unwrapping ``shares`` wstETH returns.

    Parameters
    ----------
    shares : float or array of float
        Lido shares; for wstETH, the wstETH amount. {domain:shares}.
    total_pooled_ether : float or array of float
        ETH controlled by the protocol (stETH total supply), {domain:total_pooled_ether}.
    total_shares : float or array of float
        All shares in existence, {domain:total_shares}.

    Returns
    -------
    float or numpy.ndarray
        stETH amount (float; see :func:`pooled_eth_by_shares_wei` for the
        contract's integer floor).

    Examples
    --------
    >>> pooled_eth_by_shares(100, 10, 500)   # StETH.sol's own example: 100 of 500 shares of 10 ETH
    2.0
    >>> pooled_eth_by_shares(1.0, 9_000_000, 7_500_000)
    1.2

    References
    ----------
    lidofinance/core, contracts/0.4.24/StETH.sol, ``getPooledEthByShares``.
    """
    return _pooled_eth_by_shares(shares, total_pooled_ether, total_shares)


@contract(eth=_AMOUNT, total_pooled_ether=_TOTAL, total_shares=_TOTAL)
def shares_by_pooled_eth(eth, total_pooled_ether, total_shares):
    """Lido shares that ``eth`` of stETH corresponds to.

    ``eth * totalShares / totalPooledEther``. Transfers of stETH move this
    many shares; wrapping ``eth`` stETH mints this many wstETH.

    Parameters
    ----------
    eth : float or array of float
        stETH amount, {domain:eth}.
    total_pooled_ether : float or array of float
        ETH controlled by the protocol, {domain:total_pooled_ether}.
    total_shares : float or array of float
        All shares in existence, {domain:total_shares}.

    Returns
    -------
    float or numpy.ndarray
        Shares (float; see :func:`shares_by_pooled_eth_wei` for the integer floor).

    Examples
    --------
    >>> round(shares_by_pooled_eth(1.0, 9_000_000, 7_500_000), 12)
    0.833333333333

    References
    ----------
    lidofinance/core, contracts/0.4.24/StETH.sol, ``getSharesByPooledEth``.
    """
    return _shares_by_pooled_eth(eth, total_pooled_ether, total_shares)


@contract(total_pooled_ether=_TOTAL, total_shares=_TOTAL)
def share_rate(total_pooled_ether, total_shares):
    """stETH per share, which is also wstETH's ``stEthPerToken()``.

    Parameters
    ----------
    {domains}

    Returns
    -------
    float or numpy.ndarray
        stETH per share.

    Examples
    --------
    >>> share_rate(9_000_000, 7_500_000)
    1.2

    References
    ----------
    lidofinance/core, contracts/0.6.12/WstETH.sol, ``stEthPerToken``.
    """
    return total_pooled_ether / total_shares


@contract(steth_amount=_AMOUNT, total_pooled_ether=_TOTAL, total_shares=_TOTAL)
def wrap_steth(steth_amount, total_pooled_ether, total_shares):
    """wstETH received for wrapping ``steth_amount`` stETH (= its share count).

    Parameters
    ----------
    steth_amount : float or array of float
        stETH to wrap, {domain:steth_amount}.
    total_pooled_ether : float or array of float
        ETH controlled by the protocol when wrapping, {domain:total_pooled_ether}.
    total_shares : float or array of float
        All shares in existence when wrapping, {domain:total_shares}.

    Returns
    -------
    float or numpy.ndarray
        wstETH minted.

    Examples
    --------
    >>> round(wrap_steth(1_000, 9_000_000, 7_500_000), 9)
    833.333333333

    References
    ----------
    lidofinance/core, contracts/0.6.12/WstETH.sol, ``wrap``.
    """
    return _shares_by_pooled_eth(steth_amount, total_pooled_ether, total_shares)


@contract(wsteth_amount=_AMOUNT, total_pooled_ether=_TOTAL, total_shares=_TOTAL)
def unwrap_wsteth(wsteth_amount, total_pooled_ether, total_shares):
    """stETH received for unwrapping ``wsteth_amount`` wstETH.

    Between wrapping and unwrapping, rebases change ``total_pooled_ether``,
    so the stETH returned grows with the rewards.

    Parameters
    ----------
    wsteth_amount : float or array of float
        wstETH to unwrap, {domain:wsteth_amount}.
    total_pooled_ether : float or array of float
        ETH controlled by the protocol when unwrapping, {domain:total_pooled_ether}.
    total_shares : float or array of float
        All shares in existence when unwrapping, {domain:total_shares}.

    Returns
    -------
    float or numpy.ndarray
        stETH returned.

    Examples
    --------
    >>> round(unwrap_wsteth(833.333333333, 9_000_000, 7_500_000), 6)
    1000.0

    References
    ----------
    lidofinance/core, contracts/0.6.12/WstETH.sol, ``unwrap``.
    """
    return _pooled_eth_by_shares(wsteth_amount, total_pooled_ether, total_shares)


@contract(shares_wei=_Wei(), total_pooled_ether_wei=_Wei(lo=1), total_shares_wei=_Wei(lo=1))
def pooled_eth_by_shares_wei(shares_wei: int, total_pooled_ether_wei: int, total_shares_wei: int) -> int:
    """``getPooledEthByShares`` in integer wei, rounding down like the contract.

    Parameters
    ----------
    {domains}

    Returns
    -------
    int
        stETH in wei, rounded down.

    Examples
    --------
    >>> pooled_eth_by_shares_wei(10**18, 9_000_000 * 10**18, 7_500_000 * 10**18)
    1200000000000000000

    References
    ----------
    lidofinance/core, contracts/0.4.24/StETH.sol, ``getPooledEthByShares``.
    """
    return shares_wei * total_pooled_ether_wei // total_shares_wei


@contract(eth_wei=_Wei(), total_pooled_ether_wei=_Wei(lo=1), total_shares_wei=_Wei(lo=1))
def shares_by_pooled_eth_wei(eth_wei: int, total_pooled_ether_wei: int, total_shares_wei: int) -> int:
    """``getSharesByPooledEth`` in integer wei, rounding down like the contract.

    Wrapping then unwrapping (or a stETH transfer, which converts the amount
    to shares and back) can lose 1-2 wei to these two floors.

    Parameters
    ----------
    {domains}

    Returns
    -------
    int
        Shares in wei, rounded down.

    Examples
    --------
    >>> shares_by_pooled_eth_wei(10**18, 9_000_000 * 10**18, 7_500_000 * 10**18)
    833333333333333333

    References
    ----------
    lidofinance/core, contracts/0.4.24/StETH.sol, ``getSharesByPooledEth``;
    lidofinance/docs, docs/guides/lido-tokens-integration-guide.md ("1-2 wei corner case").
    """
    return eth_wei * total_shares_wei // total_pooled_ether_wei


@contract(pre_total_ether=_TOTAL_1, pre_total_shares=_TOTAL_1, post_total_ether=_TOTAL_1,
          post_total_shares=_TOTAL_1, seconds_elapsed=Real(lo=0, lo_open=True, scalar=True),
          seconds_per_year=Real(lo=0, lo_open=True, scalar=True))
def rebase_apr(pre_total_ether, pre_total_shares, post_total_ether, post_total_shares, seconds_elapsed,
               *, seconds_per_year=SECONDS_PER_YEAR):
    """Holder APR implied by one Lido rebase, by Lido's published formula.

    From the ``TokenRebased`` event::

        preShareRate  = preTotalEther  / preTotalShares
        postShareRate = postTotalEther / postTotalShares
        userAPR = secondsInYear * (postShareRate - preShareRate) / preShareRate / timeElapsed

    Using share rates (not total ether) makes the APR immune to deposits and
    withdrawals in the same report, and it is net of the protocol fee, whose
    newly minted shares are in ``post_total_shares``. (Lido scales the rates by
    1e27 on-chain; floats need no scaling.)

    Parameters
    ----------
    pre_total_ether, post_total_ether : float
        Total pooled ether before and after the report, {domain:pre_total_ether}.
    pre_total_shares, post_total_shares : float
        Total shares before and after, {domain:pre_total_shares}.
    seconds_elapsed : float
        ``timeElapsed`` of the report, in seconds, {domain:seconds_elapsed}; one day is 86,400.
    seconds_per_year : float, default 31,536,000
        Seconds in a year, {domain:seconds_per_year}.

    Returns
    -------
    float
        APR as a fraction per year (simple, not compounded).

    Examples
    --------
    822 ETH of rewards on 9,000,000 pooled ETH in one day, no fee shares:

    >>> round(rebase_apr(9_000_000, 7_500_000, 9_000_822, 7_500_000, 86_400), 8)
    0.03333667

    References
    ----------
    lidofinance/docs, docs/integrations/api.md ("Last Lido APR for stETH").
    """
    pre_rate = pre_total_ether / pre_total_shares
    post_rate = post_total_ether / post_total_shares
    return seconds_per_year * ((post_rate - pre_rate) / pre_rate) / seconds_elapsed


@contract(apr=Real(why="a yearly rate as a fraction: 0.03 means 3 %"),
          periods_per_year=Real(lo=1, scalar=True, why="compounding periods in a year"))
def apr_to_apy(apr, periods_per_year=365):
    """Compound a simple APR ``periods_per_year`` times: ``(1 + apr/n)**n - 1``.

    stETH rebases about once a day and the rewards are restaked, so its APY is
    the daily-compounded APR.

    Parameters
    ----------
    apr : float or array of float
        Simple annual rate (fraction), {domain:apr}, and above ``-periods_per_year``.
    periods_per_year : float, default 365
        Compounding periods per year, {domain:periods_per_year}.

    Returns
    -------
    float or numpy.ndarray
        The compounded APY (fraction).

    Examples
    --------
    >>> round(apr_to_apy(0.03), 6)
    0.030453

    References
    ----------
    lidofinance/docs, docs/guides/lido-tokens-integration-guide.md ("Do stETH
    rewards compound?").
    """
    return rates.apr_to_apy(apr, periods_per_year)


@contract(total_pooled_ether=_TOTAL_1, total_shares=_TOTAL_1, rewards_eth=Real(lo=0, scalar=True),
          fee=Real(lo=0, hi=1, hi_open=True, scalar=True, why="a share of the rewards"))
def rebase_with_fee(total_pooled_ether, total_shares, rewards_eth, fee=LIDO_PROTOCOL_FEE):
    """Apply one oracle report with rewards, minting the protocol's fee as shares.

    Lido takes its fee by minting new shares worth ``fee * rewards`` at the new
    share price::

        shares2mint = rewards * fee * prevTotalShares / (newTotalPooledEther - fee * rewards)

    so holders' share rate rises by ``(1 - fee) * rewards / totalPooledEther``.

    Parameters
    ----------
    total_pooled_ether, total_shares : float
        State before the report, {domain:total_pooled_ether}.
    rewards_eth : float
        Consensus- plus execution-layer rewards in the report, {domain:rewards_eth}.
    fee : float, default 0.10
        Protocol fee as a fraction of rewards, {domain:fee}.

    Returns
    -------
    tuple of float
        ``(post_total_ether, post_total_shares, shares_minted_as_fees)``.

    Examples
    --------
    >>> post_e, post_s, minted = rebase_with_fee(9_000_000, 7_500_000, 822)
    >>> round(minted, 6)
    68.49437
    >>> round(rebase_apr(9_000_000, 7_500_000, post_e, post_s, 86_400), 6)
    0.030003

    References
    ----------
    lidofinance/core, contracts/0.8.9/Accounting.sol (V3,
    ``_calculateTotalProtocolFeeShares``); contracts/0.4.24/Lido.sol at tag
    v2.2.0 (V2, ``_distributeFee``): the same formula in fee basis points.
    """
    tpe, ts, r, f = total_pooled_ether, total_shares, rewards_eth, fee
    new_tpe = tpe + r
    minted = r * f * ts / (new_tpe - f * r)
    return new_tpe, ts + minted, minted


@contract(total_pooled_ether=_TOTAL_1, cl_balance_change_eth=Real(scalar=True),
          el_rewards_eth=Real(lo=0, scalar=True),
          max_positive_token_rebase=Real(lo=0, lo_open=True, scalar=True, why="a limit per report"))
def smoothen_rebase(total_pooled_ether, cl_balance_change_eth, el_rewards_eth,
                    max_positive_token_rebase=LIDO_MAX_POSITIVE_TOKEN_REBASE):
    """Split a report's execution-layer rewards into what is applied now and what waits.

    Lido V2/V3 do not reject a large positive rebase; they *smooth* it. The
    ``PositiveTokenRebaseLimiter`` lets total pooled ether rise by at most
    ``max_positive_token_rebase`` in one report. The consensus-layer balance
    change is booked first (always, and it counts against the limit); the
    execution-layer rewards vault is then drained only up to what still fits,
    and the rest stays in the vault for the next report::

        room    = max(0, total_pooled_ether * max_positive_token_rebase - cl_balance_change)
        applied = min(el_rewards, room),   withheld = el_rewards - applied

    Simplified: no withdrawal-vault transfers, shares to burn or withdrawal
    finalisation in the same report (the contract also limits those), no fee.

    Parameters
    ----------
    total_pooled_ether : float
        Total pooled ether before the report, {domain:total_pooled_ether}.
    cl_balance_change_eth : float
        Change of the validators' consensus-layer balance in the report, {domain:cl_balance_change_eth},
        and >= ``-total_pooled_ether`` (may be < 0).
    el_rewards_eth : float
        ETH waiting in the execution-layer rewards vault, {domain:el_rewards_eth}.
    max_positive_token_rebase : float, default 0.00075
        Limit per report as a fraction (mainnet: 750,000 / 1e9), {domain:max_positive_token_rebase}.

    Returns
    -------
    tuple of float
        ``(el_rewards_applied, el_rewards_withheld)``.

    Examples
    --------
    9,000,000 ETH pooled allows 6,750 ETH of growth in one report; with 600 ETH
    of consensus-layer rewards, 6,150 ETH of a 10,000 ETH MEV windfall is applied
    and 3,850 ETH waits:

    >>> applied, withheld = smoothen_rebase(9_000_000, 600, 10_000)
    >>> round(applied, 6), round(withheld, 6)
    (6150.0, 3850.0)

    References
    ----------
    lidofinance/core, contracts/0.8.9/sanity_checks/OracleReportSanityChecker.sol
    (``smoothenTokenRebase``) and contracts/0.8.9/lib/PositiveTokenRebaseLimiter.sol
    (``increaseEther``, ``decreaseEther``); mainnet value in ``deployed-mainnet.json``.
    """
    tpe, el, limit = total_pooled_ether, el_rewards_eth, max_positive_token_rebase
    cl = check_number("cl_balance_change_eth", cl_balance_change_eth, lo=-tpe,
                      why="a loss cannot exceed the pooled ether total_pooled_ether")
    room = max(0.0, tpe * limit - cl)
    applied = min(el, room)
    return applied, el - applied


@contract(total_eth_balance=_AMOUNT, reth_supply=_AMOUNT)
def reth_exchange_rate(total_eth_balance, reth_supply):
    """ETH backing one rETH: ``totalETHBalance / rETHSupply`` (1.0 if supply is 0).

    Parameters
    ----------
    total_eth_balance : float or array of float
        ETH held by the Rocket Pool network for rETH holders, {domain:total_eth_balance}.
    reth_supply : float or array of float
        rETH in existence, {domain:reth_supply}.

    Returns
    -------
    float or numpy.ndarray
        ETH per rETH.

    Examples
    --------
    >>> reth_exchange_rate(540_000, 480_000)
    1.125
    >>> reth_exchange_rate(0, 0)
    1.0

    References
    ----------
    rocket-pool/rocketpool, contracts/contract/token/RocketTokenRETH.sol,
    ``getEthValue`` / ``getExchangeRate`` ("Use 1:1 ratio if no rETH is minted").
    """
    return _reth_exchange_rate(total_eth_balance, reth_supply)


@contract(reth_amount=_AMOUNT, total_eth_balance=_AMOUNT, reth_supply=_AMOUNT)
def reth_eth_value(reth_amount, total_eth_balance, reth_supply):
    """ETH that ``reth_amount`` rETH is worth at the protocol rate (``getEthValue``).

    Parameters
    ----------
    reth_amount : float or array of float
        rETH, {domain:reth_amount}.
    total_eth_balance, reth_supply : float or array of float
        As in :func:`reth_exchange_rate`, each {domain:reth_supply}.

    Returns
    -------
    float or numpy.ndarray
        ETH value.

    Examples
    --------
    >>> reth_eth_value(10, 540_000, 480_000)
    11.25

    References
    ----------
    rocket-pool/rocketpool, contracts/contract/token/RocketTokenRETH.sol, ``getEthValue``.
    """
    return reth_amount * _reth_exchange_rate(total_eth_balance, reth_supply)


@contract(steth_requested=Real(lo=0, scalar=True), shares_requested=Real(lo=0, scalar=True),
          finalization_share_rate=Real(lo=0, lo_open=True, scalar=True))
def withdrawal_claimable_eth(steth_requested, shares_requested, finalization_share_rate):
    """ETH a Lido withdrawal request can claim once finalized.

    The request locks ``steth_requested`` stETH (= ``shares_requested``
    shares at the request-time rate). At finalization the claim is capped at
    the request amount, and lowered if the share rate has fallen (losses,
    "bunker mode")::

        claim = min(steth_requested, shares_requested * finalization_share_rate)

    Rewards accrued while waiting in the queue therefore go to the other
    holders, not to the request.

    Parameters
    ----------
    steth_requested : float
        stETH locked by the request, {domain:steth_requested}.
    shares_requested : float
        Shares that stETH represented at the request, {domain:shares_requested}.
    finalization_share_rate : float
        stETH per share reported at finalization, {domain:finalization_share_rate}.

    Returns
    -------
    float
        ETH claimable.

    Examples
    --------
    >>> withdrawal_claimable_eth(120.0, 100.0, 1.25)   # rate rose while waiting: capped
    120.0
    >>> withdrawal_claimable_eth(120.0, 100.0, 1.19)   # rate fell (losses): lowered
    119.0

    References
    ----------
    lidofinance/core, contracts/0.8.9/WithdrawalQueueBase.sol (``_calcBatch``,
    claimable ether uses the checkpoint share rate when it is lower).
    """
    return min(steth_requested, shares_requested * finalization_share_rate)


#: Most requests :func:`withdrawal_requests` returns in one list (a billion stETH at
#: 1,000 each, more than the ether in existence); keeps a typo from exhausting memory.
_MAX_REQUESTS = 1_000_000


@contract(steth_amount=Real(lo=MIN_STETH_WITHDRAWAL_WEI / 1e18, scalar=True, why="the smallest request is 100 wei"),
          max_request=Real(lo=MIN_STETH_WITHDRAWAL_WEI / 1e18, hi=MAX_STETH_WITHDRAWAL, scalar=True,
                           why="requests are between 100 wei and 1,000 stETH"))
def withdrawal_requests(steth_amount, max_request=MAX_STETH_WITHDRAWAL) -> list[float]:
    """Split an amount into Lido withdrawal requests of at most 1,000 stETH each.

    Parameters
    ----------
    steth_amount : float
        Amount to withdraw in stETH, {domain:steth_amount} (100 wei), and at most
        1,000,000 requests of ``max_request``.
    max_request : float, default 1000
        Largest request in stETH, {domain:max_request}.

    Returns
    -------
    list of float
        Request sizes, largest first.

    Examples
    --------
    >>> withdrawal_requests(2_500)
    [1000.0, 1000.0, 500.0]

    References
    ----------
    lidofinance/docs, docs/guides/lido-tokens-integration-guide.md: requests
    are between 100 wei and 1,000 stETH.
    """
    x, m = steth_amount, max_request
    if x / m > _MAX_REQUESTS:
        raise ValueError(f"steth_amount / max_request must be at most {_MAX_REQUESTS:,} requests; got "
                         f"steth_amount={x:g} / max_request={m:g} = {x / m:,.0f}")
    full = int(x // m)
    rest = x - full * m
    out = [m] * full
    if rest * 1e18 >= MIN_STETH_WITHDRAWAL_WEI:
        out.append(rest)
    elif rest > 0 and out:
        out[-1] += rest  # dust below 100 wei rides on the last request
    return out


@contract(leverage=_LEVERAGE, liquidation_threshold=_LT,
          market_ratio=Real(lo=0, hi=10, lo_open=True,
                            why="the LST's market price over its exchange rate: 0.94 is a 6 % discount"),
          oracle=Choice(*_ORACLES), returns=Finite(allow_inf=True))
def looped_lst_health_factor(leverage, liquidation_threshold, market_ratio=1.0, oracle="exchange_rate"):
    """HF of an LST-collateral / ETH-debt loop under a market discount and an oracle type.

    The lending market values the LST either at its **exchange rate** (stETH
    counted as 1 ETH, wstETH as ``stEthPerToken`` ETH; Aave v3 since June 2023)
    or at its **market** price on DEXes (Aave v2 with Chainlink's stETH/ETH
    feed, as in June 2022). Only the market oracle passes a discount through::

        HF = LT * x * p / (x - 1),   p = 1 (exchange_rate) or market_ratio (market)

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage}. ``1`` means no debt.
    liquidation_threshold : float or array of float
        LT of the LST (E-Mode LT if in E-Mode), {domain:liquidation_threshold}.
    market_ratio : float or array of float, default 1
        Market price of the LST in ETH relative to its exchange rate (``0.94``
        = a 6 % discount), {domain:market_ratio}.
    oracle : str, default "exchange_rate"
        How the market prices the LST, {domain:oracle}.

    Returns
    -------
    float or numpy.ndarray
        Health factor at each market ratio; ``inf`` where leverage is 1 (no debt).

    Examples
    --------
    The June 2022 case: 3x on Aave v2 (stETH LT 81 % from 2022-05-19) at a
    market ratio of 0.94:

    >>> round(looped_lst_health_factor(3, 0.81, 0.94, oracle="market"), 4)
    1.1421
    >>> round(looped_lst_health_factor(3, 0.81, 0.94, oracle="exchange_rate"), 4)
    1.215

    References
    ----------
    bgd-labs/aave-proposals, src/AaveV2-V3PriceFeedsUpdate_20230613/ (stETH and
    wstETH moved from market feeds to exchange-rate adapters, June 2023);
    aave/aave-v3-core, contracts/protocol/libraries/logic/GenericLogic.sol.
    """
    ratio = np.ones_like(market_ratio) if oracle == "exchange_rate" else market_ratio
    if np.ndim(market_ratio) == 0:
        ratio = float(ratio)
    return looped_health_factor(leverage, liquidation_threshold, ratio)


@contract(leverage=_LEVERAGE, liquidation_threshold=_LT)
def market_ratio_at_liquidation(leverage, liquidation_threshold):
    """Market LST/ETH ratio at which a loop priced by a market oracle hits HF = 1.

    ``(x - 1) / (x * LT)``; with an exchange-rate oracle no market ratio alone
    liquidates the position.

    Parameters
    ----------
    leverage : float or array of float
        Exposure over equity, {domain:leverage}.
    liquidation_threshold : float or array of float
        LT of the LST, {domain:liquidation_threshold}.

    Returns
    -------
    float or numpy.ndarray
        Market LST/ETH ratio at which HF = 1.

    Examples
    --------
    >>> round(market_ratio_at_liquidation(2, 0.75), 6), round(market_ratio_at_liquidation(3, 0.75), 6)
    (0.666667, 0.888889)

    References
    ----------
    Same algebra as :func:`defi_helpers.looping.liquidation_price_ratio`;
    defi-math reference WE23 (Aave v2 priced stETH by its market feed until June 2023).
    """
    return liquidation_price_ratio(leverage, liquidation_threshold)
