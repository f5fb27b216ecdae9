"""Flash loans, constant-product price impact, and the attacks they enable.

Pure functions and a small in-memory transaction model; no I/O, no plotting.
Amounts are floats in token units (names say which token); fees, premiums and
LTVs are fractions unless the name says ``_bps`` (``5`` bps = 0.05 %).

Three layers:

* **Fees** -- :func:`flash_loan_fee` (Aave-style premium), :func:`uniswap_v2_flash_repayment`.
* **Constant-product maths** -- :func:`cpmm_amount_out`, :func:`cpmm_price_impact`,
  :func:`cpmm_input_to_reach_price`, :func:`optimal_arbitrage`, the TWAP results of
  :func:`twap_required_spot` and :func:`twap_manipulation_cost`, and the closed-form
  :func:`spot_oracle_attack` used by the chapter's explorer.
* **A transaction model** -- :class:`State` (balances, pools, lending markets),
  step objects (:class:`Swap`, :class:`FlashLoan`, :class:`Borrow`, ...) and
  :func:`execute`, which applies the steps in order and rolls everything back
  if any step reverts -- in particular if a flash loan is not repaid. Recipes
  (:func:`arbitrage_steps`, :func:`collateral_swap_steps`, ...) build the step
  lists for the chapter's examples.

References
----------
Aave v3 ``aave/aave-v3-core``, ``contracts/protocol/libraries/logic/FlashLoanLogic.sol``
(premium = ``amount.percentMul(FLASHLOAN_PREMIUM_TOTAL)``, pull of amount + premium
after ``executeOperation``); ``aave-dao/aave-v3-origin`` ``docs/3.4/Aave-v3.4-features.md``
(from v3.4 every flash-loan fee goes to the treasury).
Uniswap v2 ``Uniswap/v2-core``, ``contracts/UniswapV2Pair.sol`` (``swap``: optimistic
transfer, ``uniswapV2Call``, then the fee-adjusted ``K`` check).
Balancer v2 ``balancer/balancer-v2-monorepo``, ``pkg/vault/contracts/FlashLoans.sol``
(``postLoanBalance >= preLoanBalance`` then fee check).
M. Bentley, *Manipulating Uniswap v3 TWAP Oracles*, ``euler-xyz/uni-v3-twap-manipulation``,
``cost-of-attack.tex`` (geometric TWAP, cost of moving a constant-product price).
K. Qin, L. Zhou, B. Livshits, A. Gervais, *Attacking the DeFi Ecosystem with Flash
Loans for Fun and Profit*, FC 2021, arXiv:2003.03810.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import collateral as _coll
from ._validate import as_output, check_array, check_int, check_number

__all__ = [
    # fees
    "flash_loan_fee", "flash_loan_fee_exact", "uniswap_v2_flash_repayment",
    "AAVE_V2_FLASH_PREMIUM_BPS", "AAVE_V3_FLASH_PREMIUM_BPS", "BALANCER_V2_FLASH_FEE_BPS",
    "UNISWAP_V2_FEE",
    # constant product
    "cpmm_amount_out", "cpmm_amount_in", "cpmm_spot_price", "cpmm_price_impact",
    "cpmm_input_to_reach_price", "optimal_arbitrage", "ArbitrageResult",
    # attacks
    "spot_oracle_attack", "SpotOracleAttack",
    "twap_geometric", "twap_required_spot", "twap_manipulation_cost",
    "bzx_pump_attack_ledger", "bzx_oracle_attack_ledger",
    # transaction model
    "Revert", "Pool", "Market", "State", "Receipt", "execute", "ALL",
    "Transfer", "Swap", "FlashLoan", "FlashSwap", "Deposit", "Withdraw", "Borrow", "Repay",
    "Liquidate", "RequireBalance", "ProfitGuard",
    # recipes
    "arbitrage_steps", "collateral_swap_steps", "refinance_steps", "one_shot_loop_steps",
    "flash_liquidation_steps", "spot_oracle_attack_steps", "example_state",
]

# --- Protocol parameters (each with its date and source) --------------------

#: Aave v2 flash-loan premium, 9 bps. ``aave/protocol-v2`` LendingPool
#: ``_flashLoanPremiumTotal = 9`` (code as deployed 2020-12; read 2025).
AAVE_V2_FLASH_PREMIUM_BPS = 9
#: Aave v3 default flash-loan premium, 5 bps: ``flashLoanPremiumTotal = 0.0005e4``
#: in ``aave-dao/aave-v3-origin`` tag v3.1.0 ``src/deployments/inputs/DefaultMarketInput.sol``
#: (2024). Governance can change it per market: read ``Pool.FLASHLOAN_PREMIUM_TOTAL()``
#: for a given date. Aave's developer docs also state 0.05 % (read 2025).
AAVE_V3_FLASH_PREMIUM_BPS = 5
#: Balancer v2 flash-loan fee: ``flashLoanFeePercentage`` in ``ProtocolFeesCollector``,
#: capped at 1 %; set to zero on the deployed Vault (docs.balancer.fi, "Flash Loans",
#: read 2025). Balancer v3 is fee-free by design.
BALANCER_V2_FLASH_FEE_BPS = 0
#: Uniswap v2 swap fee, 0.3 %: the ``* 1000 - amountIn * 3`` in ``UniswapV2Pair.swap``
#: (``Uniswap/v2-core``, immutable since deployment 2020-05).
UNISWAP_V2_FEE = 0.003


def _out(value, *inputs):
    """A Python float when every input was a scalar, else the numpy array."""
    if all(np.ndim(x) == 0 for x in inputs):
        return float(value)
    return np.asarray(value, dtype=float)


# =============================================================================
# Fees
# =============================================================================

def flash_loan_fee(amount, premium_bps):
    """Premium owed on an Aave-style flash loan: ``amount * premium_bps / 10_000``.

    The borrower must return ``amount + fee`` before the transaction ends; the
    pool pulls it after the receiver's ``executeOperation`` returns, or the
    whole transaction reverts.

    Parameters
    ----------
    amount : float or array of float
        Amount borrowed, in token units (>= 0).
    premium_bps : float
        Premium in basis points (0 to 10,000): 5 for Aave v3's default
        (:data:`AAVE_V3_FLASH_PREMIUM_BPS`), 9 for Aave v2, 0 for Balancer.

    Returns
    -------
    float or numpy.ndarray
        The fee in the borrowed token.

    Examples
    --------
    >>> flash_loan_fee(1_000_000, 5)
    500.0
    >>> flash_loan_fee(1_000_000, AAVE_V2_FLASH_PREMIUM_BPS)
    900.0

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/logic/FlashLoanLogic.sol
    (``totalPremium = amount.percentMul(flashLoanPremiumTotal)``).
    """
    amt = check_array("amount", amount, lo=0)
    bps = check_number("premium_bps", premium_bps, lo=0, hi=10_000,
                       why="basis points: 5 means 0.05 %")
    return as_output(amt * bps / 10_000.0, amount)


def flash_loan_fee_exact(amount_units: int, premium_bps: int, rounding: str = "half_up") -> int:
    """The premium in integer token units, rounded as on chain.

    Aave v3.0--v3.4 use ``PercentageMath.percentMul`` (half up); recent
    ``aave-v3-origin`` releases use ``percentMulCeil`` (rounded **up**), so a
    non-zero loan never pays zero. (The reference sheet dates the change to
    v3.5; the v3.5 features note lists the rounding overhaul but not this line.)

    Parameters
    ----------
    amount_units : int
        Amount in the token's smallest unit (e.g. 1 USDC = 10**6), >= 0.
    premium_bps : int
        Premium in basis points, 0 to 10,000.
    rounding : {"half_up", "up"}
        ``"half_up"`` for Aave v3.0--v3.4, ``"up"`` for recent releases.

    Examples
    --------
    >>> flash_loan_fee_exact(999, 5), flash_loan_fee_exact(999, 5, rounding="up")
    (0, 1)

    References
    ----------
    aave/aave-v3-core, contracts/protocol/libraries/math/PercentageMath.sol;
    aave-dao/aave-v3-origin, src/contracts/protocol/libraries/logic/FlashLoanLogic.sol
    (``amount.percentMulCeil(flashLoanPremium)`` in recent releases).
    """
    amt = check_int("amount_units", amount_units, lo=0)
    bps = check_int("premium_bps", premium_bps, lo=0, hi=10_000)
    if rounding == "half_up":
        return _coll.percent_mul(amt, bps)
    if rounding == "up":
        return -((-amt * bps) // 10_000)
    raise ValueError(f"rounding must be 'half_up' or 'up'; got {rounding!r}")


def uniswap_v2_flash_repayment(amount):
    """Tokens to return when a Uniswap v2 flash swap is repaid in the same token.

    ``swap`` sends ``amount`` out first, calls ``uniswapV2Call``, then requires
    ``(balance*1000 - amountIn*3) * other >= reserve*other*1000``. With the
    other reserve untouched, the smallest repayment ``R`` satisfies
    ``997 R >= 1000 amount``, so ``R = amount * 1000 / 997`` -- an effective
    fee of ``3/997 = 0.3009 %`` of the amount borrowed.

    Parameters
    ----------
    amount : float or array of float
        Tokens taken out of the pair (>= 0).

    Returns
    -------
    float or numpy.ndarray
        The minimum amount of the same token to send back.

    Examples
    --------
    >>> round(uniswap_v2_flash_repayment(1_000), 4)
    1003.009

    References
    ----------
    Uniswap/v2-core, contracts/UniswapV2Pair.sol, ``swap`` (``UniswapV2: K``).
    """
    amt = check_array("amount", amount, lo=0)
    return as_output(amt * 1000.0 / 997.0, amount)


# =============================================================================
# Constant-product (Uniswap v2) maths
# =============================================================================

def _pool_args(reserve_in, reserve_out, fee):
    r_in = check_array("reserve_in", reserve_in, lo=0, lo_open=True)
    r_out = check_array("reserve_out", reserve_out, lo=0, lo_open=True)
    f = check_number("fee", fee, lo=0, hi=1, hi_open=True, why="a fraction: 0.003 means 0.3 %")
    return r_in, r_out, f


def cpmm_amount_out(amount_in, reserve_in, reserve_out, fee=UNISWAP_V2_FEE):
    """Output of a constant-product swap: ``dy = dx(1-f) y / (x + dx(1-f))``.

    The fee stays in the pool: after the swap the reserves are
    ``(x + dx, y - dy)``, so ``x*y`` grows slightly.

    Parameters
    ----------
    amount_in : float or array of float
        Tokens sold into the pool (>= 0).
    reserve_in, reserve_out : float or array of float
        Pool reserves of the token sold and the token bought (> 0).
    fee : float, default 0.003
        Swap fee as a fraction in [0, 1).

    Returns
    -------
    float or numpy.ndarray
        Tokens received; always below ``reserve_out``.

    Examples
    --------
    >>> round(cpmm_amount_out(20_000, 2_000_000, 1_000), 5)   # USDC in, ETH out
    9.87158

    References
    ----------
    Uniswap/v2-core, contracts/UniswapV2Pair.sol; Uniswap/v2-periphery
    UniswapV2Library.getAmountOut (``amountInWithFee = amountIn * 997``).
    """
    dx = check_array("amount_in", amount_in, lo=0)
    x, y, f = _pool_args(reserve_in, reserve_out, fee)
    eff = dx * (1.0 - f)
    return _out(eff * y / (x + eff), amount_in, reserve_in, reserve_out)


def cpmm_amount_in(amount_out, reserve_in, reserve_out, fee=UNISWAP_V2_FEE):
    """Tokens to sell to receive exactly ``amount_out``: ``dx = x dy / ((y - dy)(1-f))``.

    The inverse of :func:`cpmm_amount_out`.

    Examples
    --------
    >>> dx = cpmm_amount_in(10, 2_000_000, 1_000)
    >>> round(cpmm_amount_out(dx, 2_000_000, 1_000), 9)
    10.0

    Raises
    ------
    ValueError
        If ``amount_out >= reserve_out`` (a pool can never be emptied).
    """
    dy = check_array("amount_out", amount_out, lo=0)
    x, y, f = _pool_args(reserve_in, reserve_out, fee)
    if np.any(dy >= y):
        raise ValueError(f"amount_out must be < reserve_out ({np.min(y):g}); got {amount_out!r}")
    return _out(x * dy / ((y - dy) * (1.0 - f)), amount_out, reserve_in, reserve_out)


def cpmm_spot_price(reserve_base, reserve_quote):
    """Marginal price of the base token in quote units: ``reserve_quote / reserve_base``.

    Examples
    --------
    >>> cpmm_spot_price(1_000, 2_000_000)
    2000.0
    """
    b = check_array("reserve_base", reserve_base, lo=0, lo_open=True)
    q = check_array("reserve_quote", reserve_quote, lo=0, lo_open=True)
    return _out(q / b, reserve_base, reserve_quote)


def cpmm_price_impact(amount_in, reserve_in, reserve_out, fee=UNISWAP_V2_FEE):
    """Relative move of the pool's spot price caused by one swap.

    The price of the token bought, in units of the token sold, goes from
    ``x / y`` to ``(x + dx) / (y - dy)``; the function returns
    ``new / old - 1`` (positive: the bought token got dearer).

    Examples
    --------
    >>> round(cpmm_price_impact(200_000, 2_000_000, 1_000), 5)
    0.20967

    References
    ----------
    Uniswap/v2-core, contracts/UniswapV2Pair.sol (reserves after ``_update``).
    """
    dx = check_array("amount_in", amount_in, lo=0)
    x, y, f = _pool_args(reserve_in, reserve_out, fee)
    eff = dx * (1.0 - f)
    dy = eff * y / (x + eff)
    impact = ((x + dx) / (y - dy)) / (x / y) - 1.0
    return _out(impact, amount_in, reserve_in, reserve_out)


def cpmm_input_to_reach_price(reserve_base, reserve_quote, target_price):
    """Trade that moves a fee-less constant-product pool's spot price to ``target_price``.

    With ``k = x_base * x_quote`` and spot ``p = x_quote / x_base``:

    * to push the price **up** (``q > p``) sell quote: ``dq = sqrt(k q) - x_quote``,
      receiving ``db = x_base - sqrt(k / q)`` base;
    * to push it **down** sell base: ``db = sqrt(k / q) - x_base``, receiving
      ``dq = x_quote - sqrt(k q)`` quote.

    Parameters
    ----------
    reserve_base, reserve_quote : float
        Pool reserves (> 0); the price is quote per base.
    target_price : float or array of float
        Spot price to reach (> 0), quote per base.

    Returns
    -------
    dict of str to float or numpy.ndarray
        ``quote_in`` and ``base_out`` (upward moves; zero otherwise),
        ``base_in`` and ``quote_out`` (downward moves; zero otherwise), and
        ``slippage_cost`` -- the value lost against the pre-trade price,
        in quote: ``quote_in - base_out * p`` or ``base_in * p - quote_out``.

    Examples
    --------
    >>> t = cpmm_input_to_reach_price(1_000, 2_000_000, 8_000)
    >>> t["quote_in"], t["base_out"], t["slippage_cost"]
    (2000000.0, 500.0, 1000000.0)

    References
    ----------
    euler-xyz/uni-v3-twap-manipulation, cost-of-attack.tex, equations for
    ``Delta x_USDC = sqrt(x_DAI x_USDC q) - x_USDC`` and the cost ``c``.
    """
    xb = check_number("reserve_base", reserve_base, lo=0, lo_open=True)
    xq = check_number("reserve_quote", reserve_quote, lo=0, lo_open=True)
    q = check_array("target_price", target_price, lo=0, lo_open=True)
    k = xb * xq
    p = xq / xb
    new_q = np.sqrt(k * q)          # quote reserve at the target price
    new_b = np.sqrt(k / q)          # base reserve at the target price
    up = q >= p
    quote_in = np.where(up, new_q - xq, 0.0)
    base_out = np.where(up, xb - new_b, 0.0)
    base_in = np.where(up, 0.0, new_b - xb)
    quote_out = np.where(up, 0.0, xq - new_q)
    cost = np.where(up, quote_in - base_out * p, base_in * p - quote_out)
    scalar = np.ndim(target_price) == 0
    conv = (lambda a: float(a)) if scalar else (lambda a: a)
    return {"quote_in": conv(quote_in), "base_out": conv(base_out), "base_in": conv(base_in),
            "quote_out": conv(quote_out), "slippage_cost": conv(cost)}


@dataclass(frozen=True)
class ArbitrageResult:
    """Best two-pool arbitrage: buy base in pool A with quote, sell it in pool B."""

    amount_in: float
    """Quote to sell into pool A (0 when no trade pays)."""
    base_bought: float
    """Base received from pool A and sold into pool B."""
    amount_out: float
    """Quote received from pool B."""
    profit: float
    """``amount_out - amount_in`` before any flash-loan fee (>= 0)."""


def optimal_arbitrage(quote_a, base_a, quote_b, base_b, fee=UNISWAP_V2_FEE) -> ArbitrageResult:
    """Profit-maximising round trip between two constant-product pools.

    Buying base in pool A with ``d`` quote and selling it in pool B returns
    ``out(d) = A d / (B + C d)`` with ``A = g^2 y_a x_b``, ``B = x_a y_b`` and
    ``C = g (y_b + g y_a)`` (``g = 1 - fee``, ``x`` quote and ``y`` base
    reserves) -- itself a constant-product curve. Setting ``out'(d) = 1`` gives
    ``d* = (sqrt(A B) - B) / C``, positive only when
    ``g^2 * price_B > price_A``: the price gap must beat two fees.

    Parameters
    ----------
    quote_a, base_a : float
        Reserves of the pool to buy from (> 0).
    quote_b, base_b : float
        Reserves of the pool to sell into (> 0).
    fee : float, default 0.003
        Swap fee of both pools.

    Returns
    -------
    ArbitrageResult

    Examples
    --------
    >>> r = optimal_arbitrage(2_000_000, 1_000, 2_200_000, 1_000)
    >>> round(r.amount_in), round(r.profit, 2)
    (45869, 2094.47)

    References
    ----------
    Uniswap/v2-core, contracts/UniswapV2Pair.sol (the two swaps);
    the closed form is derived here from :func:`cpmm_amount_out`.
    """
    xa = check_number("quote_a", quote_a, lo=0, lo_open=True)
    ya = check_number("base_a", base_a, lo=0, lo_open=True)
    xb = check_number("quote_b", quote_b, lo=0, lo_open=True)
    yb = check_number("base_b", base_b, lo=0, lo_open=True)
    f = check_number("fee", fee, lo=0, hi=1, hi_open=True)
    g = 1.0 - f
    a = g * g * ya * xb
    b = xa * yb
    c = g * (yb + g * ya)
    if a <= b:
        return ArbitrageResult(0.0, 0.0, 0.0, 0.0)
    d = (math.sqrt(a * b) - b) / c
    base = float(cpmm_amount_out(d, xa, ya, f))
    out = float(cpmm_amount_out(base, yb, xb, f))
    return ArbitrageResult(d, base, out, max(out - d, 0.0))


# =============================================================================
# Oracle-manipulation attacks
# =============================================================================

@dataclass(frozen=True)
class SpotOracleAttack:
    """Outcome of :func:`spot_oracle_attack` (arrays broadcast over the inputs)."""

    price_before: object
    """Pool spot price before the pump (quote per base)."""
    price_after: object
    """Spot price the lending market reads after the pump."""
    price_impact: object
    """``price_after / price_before - 1``."""
    borrowed: object
    """Quote borrowed against the over-valued collateral."""
    slippage_cost: object
    """Quote paid for the pump minus the fair value of the base it bought."""
    flash_fee: object
    """Premium on the flash loan (pump + collateral purchase)."""
    profit: object
    """``borrowed - collateral cost - slippage - flash fee``: positive means the
    attacker walks away richer and the lender holds bad debt."""


def spot_oracle_attack(pump_quote, reserve_quote, reserve_base, collateral_quote,
                       ltv, fee=UNISWAP_V2_FEE, flash_premium_bps=AAVE_V3_FLASH_PREMIUM_BPS):
    """Profit of a flash-loan attack on a lender that prices collateral at a pool's spot.

    The bZx-2 pattern (February 2020), in one transaction:

    1. flash-borrow ``pump_quote + collateral_quote``;
    2. buy ``collateral_quote / p`` base at the fair price ``p`` elsewhere
       (no impact: in bZx-2, sUSD bought from the Synthetix depot);
    3. sell ``pump_quote`` into the thin pool the lender reads, pushing its
       spot to ``p'``; keep the base bought, worth ``p`` per token outside;
    4. deposit the collateral, valued at ``p'``, and borrow ``ltv`` of it;
    5. repay the flash loan and its fee; abandon the loan.

    ``profit = ltv * collateral_quote * p'/p - collateral_quote
    - (pump_quote - base_bought * p) - fee``. It grows with the price impact,
    i.e. with ``pump_quote / reserve_quote``: deep pools make the attack
    unprofitable.

    Parameters
    ----------
    pump_quote : float or array of float
        Quote sold into the pool to move the price (>= 0).
    reserve_quote, reserve_base : float or array of float
        The manipulated pool's reserves (> 0), quote and base.
    collateral_quote : float or array of float
        Quote spent on collateral at the fair price (>= 0).
    ltv : float
        The lender's loan-to-value for the collateral, in (0, 1).
    fee : float, default 0.003
        The pool's swap fee.
    flash_premium_bps : float, default 5
        Flash-loan premium in basis points.

    Returns
    -------
    SpotOracleAttack

    Examples
    --------
    >>> a = spot_oracle_attack(1_000_000, 1_000_000, 1_000_000, 1_000_000, 0.75, fee=0.0,
    ...                        flash_premium_bps=0)
    >>> round(a.price_after, 6), round(a.profit)
    (4.0, 1500000)

    References
    ----------
    Qin et al., FC 2021 (arXiv:2003.03810), the oracle-manipulation attack on bZx;
    euler-xyz/uni-v3-twap-manipulation, cost-of-attack.tex (price after a swap).
    """
    pump = check_array("pump_quote", pump_quote, lo=0)
    xq = check_array("reserve_quote", reserve_quote, lo=0, lo_open=True)
    xb = check_array("reserve_base", reserve_base, lo=0, lo_open=True)
    coll = check_array("collateral_quote", collateral_quote, lo=0)
    l = check_number("ltv", ltv, lo=0, hi=1, lo_open=True, hi_open=True)
    f = check_number("fee", fee, lo=0, hi=1, hi_open=True)
    prem = check_number("flash_premium_bps", flash_premium_bps, lo=0, hi=10_000)
    p0 = xq / xb
    eff = pump * (1.0 - f)
    base_bought = eff * xb / (xq + eff)
    p1 = (xq + pump) / (xb - base_bought)
    borrowed = l * coll * p1 / p0
    slippage = pump - base_bought * p0
    fee_paid = (pump + coll) * prem / 10_000.0
    profit = borrowed - coll - slippage - fee_paid
    ins = (pump_quote, reserve_quote, reserve_base, collateral_quote)
    return SpotOracleAttack(price_before=_out(p0, *ins), price_after=_out(p1, *ins),
                            price_impact=_out(p1 / p0 - 1.0, *ins), borrowed=_out(borrowed, *ins),
                            slippage_cost=_out(slippage, *ins), flash_fee=_out(fee_paid, *ins),
                            profit=_out(profit, *ins))


def twap_geometric(prices):
    """Geometric-mean TWAP of per-block prices: ``(prod p_i) ** (1/n)``.

    Uniswap v3 accumulates ``log(price)`` per second, so its TWAP is geometric.

    Examples
    --------
    >>> round(twap_geometric([1.0, 1.0, 4.0, 1.0]), 6)
    1.414214

    References
    ----------
    euler-xyz/uni-v3-twap-manipulation, cost-of-attack.tex, eq. (1).
    """
    p = check_array("prices", prices, lo=0, lo_open=True)
    return float(np.exp(np.mean(np.log(p))))


def twap_required_spot(target_twap, current_price, window_blocks, manipulated_blocks):
    """Spot price to hold for ``m`` blocks of an ``n``-block geometric TWAP to reach a target.

    ``TWAP = (p^(n-m) q^m)^(1/n)`` gives ``q = (TWAP^n / p^(n-m))^(1/m)``,
    computed in logs so that ``m = 1`` (astronomical prices) does not overflow.

    Parameters
    ----------
    target_twap : float or array of float
        TWAP the attacker wants (> 0).
    current_price : float or array of float
        Honest spot price in the other ``n - m`` blocks (> 0).
    window_blocks : int or array of int
        ``n``, blocks in the TWAP window (>= 1).
    manipulated_blocks : int or array of int
        ``m``, blocks the attacker controls, ``1 <= m <= n``.

    Returns
    -------
    float or numpy.ndarray
        ``q``; ``inf`` only if it exceeds the float range.

    Examples
    --------
    >>> round(twap_required_spot(1.35, 1.0, 144, 10), 2)
    75.3
    >>> f"{twap_required_spot(1.35, 1.0, 144, 1):.4e}"
    '5.8622e+18'

    References
    ----------
    euler-xyz/uni-v3-twap-manipulation, cost-of-attack.tex, eq. (3).
    """
    t = check_array("target_twap", target_twap, lo=0, lo_open=True)
    p = check_array("current_price", current_price, lo=0, lo_open=True)
    n = check_array("window_blocks", window_blocks, lo=1)
    m = check_array("manipulated_blocks", manipulated_blocks, lo=1)
    if np.any(n != np.round(n)) or np.any(m != np.round(m)):
        raise ValueError(f"window_blocks and manipulated_blocks must be whole numbers; "
                         f"got {window_blocks!r} and {manipulated_blocks!r}")
    if np.any(m > n):
        raise ValueError(f"manipulated_blocks must be <= window_blocks; got "
                         f"{manipulated_blocks!r} > {window_blocks!r}")
    with np.errstate(over="ignore"):
        q = np.exp((n * np.log(t) - (n - m) * np.log(p)) / m)
    like = np.broadcast(target_twap, current_price, window_blocks, manipulated_blocks)
    return float(q) if like.nd == 0 else q


def twap_manipulation_cost(target_twap, current_price, window_blocks, manipulated_blocks,
                           reserve_base, reserve_quote):
    """Upper-bound cost of moving an ``n``-block geometric TWAP with ``m`` blocks of pumping.

    Each manipulated block the attacker trades the pool to the spot ``q`` of
    :func:`twap_required_spot` and arbitrageurs trade it back, so each block
    costs the slippage ``c = dq_in - db_out * p`` of
    :func:`cpmm_input_to_reach_price` (reserves reset between blocks), and the
    attack costs ``m * c``. Euler's note treats this as an upper bound: an
    attacker who back-runs their own trade recovers some of it.

    Parameters
    ----------
    target_twap, current_price : float or array of float
        As in :func:`twap_required_spot`.
    window_blocks, manipulated_blocks : int or array of int
        ``n`` and ``m``.
    reserve_base, reserve_quote : float
        Full-range (constant-product) liquidity of the pool (> 0); the pool's
        price must equal ``current_price``.

    Returns
    -------
    float or numpy.ndarray
        Total cost ``m * c`` in quote units.

    Examples
    --------
    >>> round(twap_manipulation_cost(1.35, 1.0, 144, 10, 50_000, 50_000))
    3396454

    References
    ----------
    euler-xyz/uni-v3-twap-manipulation, cost-of-attack.tex, eq. (12) and the
    DAI-USDC example (m = 10: c ~ 339,645 USDC a block, C ~ 3,396,454 USDC).
    """
    xb = check_number("reserve_base", reserve_base, lo=0, lo_open=True)
    xq = check_number("reserve_quote", reserve_quote, lo=0, lo_open=True)
    p = check_array("current_price", current_price, lo=0, lo_open=True)
    if not np.allclose(p, xq / xb, rtol=1e-9):
        raise ValueError(f"current_price must equal reserve_quote / reserve_base "
                         f"({xq / xb:g}); got {current_price!r}")
    q = twap_required_spot(target_twap, current_price, window_blocks, manipulated_blocks)
    m = np.asarray(manipulated_blocks, dtype=float)
    per_block = cpmm_input_to_reach_price(xb, xq, q)["slippage_cost"]
    total = m * np.asarray(per_block)
    return float(total) if np.ndim(total) == 0 else total


# --- The bZx attacks of February 2020, replayed from their published amounts ---

#: bZx attack 1 (2020-02-15, block 9484688): published amounts, ETH and WBTC.
#: Sources: bZx post-mortem and PeckShield via CoinDesk 2020-02-19 and blocking.net /
#: SlowMist write-ups (secondary; the FC-2021 paper's tables were not re-checked).
_BZX1 = {"flash_eth": 10_000.0, "compound_eth": 5_500.0, "compound_wbtc": 112.0,
         "margin_eth": 1_300.0, "bzx_swap_eth": 5_637.62, "bzx_swap_wbtc": 51.345576,
         "sold_wbtc_for_eth": 6_871.41}
#: bZx attack 2 (2020-02-18): published amounts, ETH. Sources: CoinDesk 2020-02-18
#: (profit 2,378 ETH from the step sum); bZx co-founder K. Kistner (2,388 ETH).
_BZX2 = {"flash_eth": 7_500.0, "susd_purchase_eth": 3_518.0, "pump_eth": 900.0,
         "borrowed_eth": 6_796.0}


def bzx_pump_attack_ledger(wbtc_price_eth=39.0929):
    """The first bZx attack (15 Feb 2020), step by step, as the attacker's ETH ledger.

    The attacker's ETH cash ends at ``10,000 - 5,500 - 1,300 + 6,871.41 - 10,000
    = 71.41`` ETH, plus a Compound position (5,500 ETH collateral, 112 WBTC
    debt) worth ``5,500 - 112 * wbtc_price_eth``. bZx reported the gain as
    1,193 ETH, which the default WBTC price (ETH per WBTC, derived here so the
    two agree) reproduces; press estimates in USD range from $298k to $350k.

    Parameters
    ----------
    wbtc_price_eth : float, default 39.0929
        Fair WBTC price in ETH used to value the Compound position (> 0).
        CoinDesk quoted "around 38" against 109.8 in the pumped Uniswap pool.

    Returns
    -------
    pandas.DataFrame
        One row per step: ``step``, ``action``, ``eth`` (cash change),
        ``wbtc`` (change), ``eth_cash`` (running), ``note``.

    References
    ----------
    Qin et al., FC 2021, arXiv:2003.03810 (the "pump and arbitrage" attack);
    CoinDesk, 2020-02-19, "Everything You Ever Wanted to Know About the DeFi
    'Flash Loan' Attack"; blocking.net / SlowMist step lists (PeckShield data).
    """
    px = check_number("wbtc_price_eth", wbtc_price_eth, lo=0, lo_open=True)
    b = _BZX1
    rows = [
        ("1", "Flash-borrow ETH from dYdX", +b["flash_eth"], 0.0, "no collateral"),
        ("2", "Deposit ETH in Compound, borrow WBTC", -b["compound_eth"], +b["compound_wbtc"],
         "WBTC kept for step 4"),
        ("3", "Open a 5x short on bZx/Fulcrum with ETH margin", -b["margin_eth"], 0.0,
         f"bZx swaps {b['bzx_swap_eth']:,} ETH for {b['bzx_swap_wbtc']} WBTC on Uniswap "
         "via Kyber: the WBTC price in that pool roughly triples"),
        ("4", "Sell the borrowed WBTC into the pumped Uniswap pool", +b["sold_wbtc_for_eth"],
         -b["compound_wbtc"], "sold at the manipulated price"),
        ("5", "Repay the flash loan", -b["flash_eth"], 0.0, "dYdX charged no fee"),
    ]
    df = pd.DataFrame(rows, columns=["step", "action", "eth", "wbtc", "note"])
    df["eth_cash"] = df["eth"].cumsum()
    equity = b["compound_eth"] - b["compound_wbtc"] * px
    df.loc[len(df)] = ["6", "Keep the Compound position (collateral - debt)", equity, 0.0,
                       f"5,500 ETH - 112 WBTC x {px:g} ETH", df["eth_cash"].iloc[-1] + equity]
    return df[["step", "action", "eth", "wbtc", "eth_cash", "note"]]


def bzx_oracle_attack_ledger():
    """The second bZx attack (18 Feb 2020) as the attacker's ETH ledger.

    Flash-borrow 7,500 ETH; buy sUSD with 3,518 ETH at about $1 (Synthetix
    depot); spend 900 ETH buying sUSD on Kyber/Uniswap, which bZx used as its
    price feed, lifting sUSD to about $2; deposit the sUSD and borrow 6,796 ETH
    against it; repay the flash loan. The step sum is 2,378 ETH (CoinDesk);
    bZx reported 2,388 ETH -- the published figures disagree by 10 ETH, and
    neither counts the sUSD bought in the pump.

    Returns
    -------
    pandas.DataFrame
        ``step``, ``action``, ``eth``, ``eth_cash``, ``note``.

    References
    ----------
    Qin et al., FC 2021, arXiv:2003.03810 (the "oracle manipulation" attack);
    CoinDesk / cryptoglobe, 2020-02-18; bZx Telegram statement via Finance Magnates.
    """
    b = _BZX2
    rows = [
        ("1", "Flash-borrow ETH from bZx", +b["flash_eth"], "bZx's own flash loan"),
        ("2", "Buy sUSD at ~$1 from the Synthetix depot", -b["susd_purchase_eth"],
         "collateral bought at a fair price"),
        ("3", "Buy sUSD on Kyber/Uniswap to pump the oracle", -b["pump_eth"],
         "sUSD quoted near $2 by bZx's Kyber feed"),
        ("4", "Deposit sUSD on bZx, borrow ETH", +b["borrowed_eth"],
         "loan sized at the manipulated price"),
        ("5", "Repay the flash loan", -b["flash_eth"], "loan on bZx left under-collateralised"),
    ]
    df = pd.DataFrame(rows, columns=["step", "action", "eth", "note"])
    df["eth_cash"] = df["eth"].cumsum()
    return df[["step", "action", "eth", "eth_cash", "note"]]


# =============================================================================
# The transaction model
# =============================================================================

ALL = "all"
"""Pass as an amount to mean "the sender's whole balance of that token"."""

_EPS = 1e-9


def _f(x) -> str:
    """Amounts in logs: thousands separators, no exponent, up to 6 significant digits."""
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1_000:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.6g}"


class Revert(Exception):
    """A step failed: the whole transaction is undone (as the EVM's ``revert``)."""


@dataclass
class Pool:
    """A Uniswap-v2-style constant-product pool of two tokens (reserves held here)."""

    token0: str
    token1: str
    reserve0: float
    reserve1: float
    fee: float = UNISWAP_V2_FEE

    def reserve(self, token: str) -> float:
        if token == self.token0:
            return self.reserve0
        if token == self.token1:
            return self.reserve1
        raise Revert(f"pool has no token {token!r}")

    def other(self, token: str) -> str:
        self.reserve(token)
        return self.token1 if token == self.token0 else self.token0

    def price(self, base: str) -> float:
        """Spot price of ``base`` in units of the other token."""
        return self.reserve(self.other(base)) / self.reserve(base)

    def _set(self, token: str, value: float) -> None:
        if token == self.token0:
            self.reserve0 = value
        else:
            self.reserve1 = value


@dataclass
class Market:
    """A lending market with Aave-like rules: one oracle, per-token LTV, LT and bonus.

    ``prices`` maps each token to a USD price, or to ``"pool:<name>"`` to read
    that pool's *spot* price -- the design the bZx attacks exploited. The
    market's liquidity is the state's balance of the account named ``name``.
    """

    name: str
    prices: dict
    ltv: dict
    liquidation_threshold: dict
    liquidation_bonus: dict = field(default_factory=dict)
    collateral: dict = field(default_factory=dict)
    debt: dict = field(default_factory=dict)

    def position(self, user: str) -> tuple[dict, dict]:
        """The user's (collateral, debt) dicts, token -> amount."""
        return self.collateral.setdefault(user, {}), self.debt.setdefault(user, {})


@dataclass
class State:
    """Everything a transaction can touch: account balances, pools, lending markets."""

    balances: dict = field(default_factory=dict)
    pools: dict = field(default_factory=dict)
    markets: dict = field(default_factory=dict)

    def balance(self, account: str, token: str) -> float:
        """Token balance of an account (0 if it has none)."""
        return float(self.balances.get(account, {}).get(token, 0.0))

    def copy(self) -> "State":
        return copy.deepcopy(self)

    def total(self, token: str) -> float:
        """All of ``token`` in existence here: balances plus pool reserves."""
        held = sum(b.get(token, 0.0) for b in self.balances.values())
        pooled = sum(p.reserve(token) for p in self.pools.values() if token in (p.token0, p.token1))
        return float(held + pooled)

    # -- mutators used by the steps; they raise Revert as ERC-20 transfers do --
    def _debit(self, account: str, token: str, amount: float) -> None:
        if amount < 0 or not math.isfinite(amount):
            raise Revert(f"invalid amount {amount!r} of {token}")
        have = self.balance(account, token)
        if amount > have * (1 + _EPS) + _EPS:
            raise Revert(f"{account} has {_f(have)} {token}, needs {_f(amount)}")
        self.balances.setdefault(account, {})[token] = max(have - amount, 0.0)

    def _credit(self, account: str, token: str, amount: float) -> None:
        self.balances.setdefault(account, {})[token] = self.balance(account, token) + amount

    def _move(self, token: str, amount: float, frm: str, to: str) -> None:
        self._debit(frm, token, amount)
        self._credit(to, token, amount)

    def price(self, market: Market, token: str) -> float:
        """USD price of ``token`` as ``market``'s oracle reports it."""
        src = market.prices.get(token)
        if src is None:
            raise Revert(f"market {market.name} has no price for {token}")
        if isinstance(src, str) and src.startswith("pool:"):
            pool = self.pools[src[5:]]
            other = pool.other(token)
            other_price = market.prices.get(other)
            if isinstance(other_price, str) or other_price is None:
                raise Revert(f"pool oracle for {token} needs a fixed price for {other}")
            return pool.price(token) * float(other_price)
        return float(src)

    def _usd(self, market: Market, user: str):
        coll, debt = market.position(user)
        coll_usd = [max(a, 0.0) * self.price(market, t) for t, a in coll.items()] or [0.0]
        debt_usd = sum(max(a, 0.0) * self.price(market, t) for t, a in debt.items())
        return coll, coll_usd, debt_usd

    def health_factor(self, market_name: str, user: str) -> float:
        """The user's health factor in a market (``inf`` with no debt)."""
        m = self.markets[market_name]
        coll, coll_usd, debt_usd = self._usd(m, user)
        lts = [m.liquidation_threshold.get(t, 0.0) for t in coll] or [0.0]
        return _coll.health_factor(coll_usd, lts, debt_usd)

    def borrowing_power(self, market_name: str, user: str) -> float:
        """USD the user may still borrow: collateral x LTV minus debt, floored at 0."""
        m = self.markets[market_name]
        coll, coll_usd, debt_usd = self._usd(m, user)
        ltvs = [m.ltv.get(t, 0.0) for t in coll] or [0.0]
        return _coll.max_borrow(coll_usd, ltvs, debt_usd)


def _amount(state: State, sender: str, token: str, amount) -> float:
    if isinstance(amount, str):
        if amount != ALL:
            raise ValueError(f"amount must be a number or ALL ('all'); got {amount!r}")
        return state.balance(sender, token)
    return check_number("amount", amount, lo=0)


@dataclass(frozen=True)
class Transfer:
    """Send tokens from the sender to another account."""

    token: str
    amount: object
    to: str

    def apply(self, s: State, sender: str) -> str:
        amt = _amount(s, sender, self.token, self.amount)
        s._move(self.token, amt, sender, self.to)
        return f"transfer {_f(amt)} {self.token} to {self.to}"


@dataclass(frozen=True)
class Swap:
    """Sell ``amount_in`` of ``token_in`` into a pool; revert if output < ``min_out``."""

    pool: str
    token_in: str
    amount_in: object
    min_out: float = 0.0

    def apply(self, s: State, sender: str) -> str:
        pool = s.pools[self.pool]
        amt = _amount(s, sender, self.token_in, self.amount_in)
        tok_out = pool.other(self.token_in)
        r_in, r_out = pool.reserve(self.token_in), pool.reserve(tok_out)
        out = float(cpmm_amount_out(amt, r_in, r_out, pool.fee))
        if out < self.min_out:
            raise Revert(f"swap output {_f(out)} {tok_out} below min_out {_f(self.min_out)}")
        s._debit(sender, self.token_in, amt)
        pool._set(self.token_in, r_in + amt)
        pool._set(tok_out, r_out - out)
        s._credit(sender, tok_out, out)
        return (f"swap {_f(amt)} {self.token_in} -> {_f(out)} {tok_out} in {self.pool} "
                f"(now 1 {pool.token0} = {_f(pool.price(pool.token0))} {pool.token1})")


class _Composite:
    """A step that runs inner steps (flash loans, guards)."""

    def run(self, s: State, sender: str, log: list, depth: int) -> None:  # pragma: no cover
        raise NotImplementedError

    def apply(self, s: State, sender: str) -> str:
        log: list = []
        self.run(s, sender, log, 0)
        return "; ".join(line.strip() for line in log)


@dataclass(frozen=True)
class FlashLoan(_Composite):
    """Borrow from ``lender``, run ``steps``, then repay ``amount + fee`` -- or revert.

    ``premium_bps`` is the lender's fee (Aave v3 default 5, Aave v2 9, Balancer 0).
    The lender's liquidity is its balance in the state.
    """

    lender: str
    token: str
    amount: float
    steps: tuple
    premium_bps: float = AAVE_V3_FLASH_PREMIUM_BPS

    def run(self, s: State, sender: str, log: list, depth: int) -> None:
        pad = "  " * depth
        amt = check_number("amount", self.amount, lo=0)
        fee = float(flash_loan_fee(amt, self.premium_bps))
        if s.balance(self.lender, self.token) < amt:
            raise Revert(f"{self.lender} has only {_f(s.balance(self.lender, self.token))} "
                         f"{self.token} to lend")
        s._move(self.token, amt, self.lender, sender)
        log.append(f"{pad}flash-borrow {_f(amt)} {self.token} from {self.lender} (fee {_f(fee)})")
        _run(s, sender, self.steps, log, depth + 1)
        owed = amt + fee
        have = s.balance(sender, self.token)
        if have < owed * (1 - _EPS):
            raise Revert(f"flash loan not repaid: owe {_f(owed)} {self.token}, hold {_f(have)}")
        s._move(self.token, min(owed, have), sender, self.lender)
        log.append(f"{pad}repay {_f(owed)} {self.token} to {self.lender}")


@dataclass(frozen=True)
class FlashSwap(_Composite):
    """Uniswap v2 flash swap: take ``amount`` of ``token`` out of a pool, run
    ``steps``, return ``amount * 1000/997`` of the same token -- or ``UniswapV2: K``."""

    pool: str
    token: str
    amount: float
    steps: tuple

    def run(self, s: State, sender: str, log: list, depth: int) -> None:
        pad = "  " * depth
        pool = s.pools[self.pool]
        amt = check_number("amount", self.amount, lo=0)
        r = pool.reserve(self.token)
        if amt >= r:
            raise Revert("UniswapV2: INSUFFICIENT_LIQUIDITY")
        pool._set(self.token, r - amt)
        s._credit(sender, self.token, amt)
        log.append(f"{pad}flash-swap {_f(amt)} {self.token} out of {self.pool}")
        _run(s, sender, self.steps, log, depth + 1)
        owed = float(uniswap_v2_flash_repayment(amt))
        have = s.balance(sender, self.token)
        if have < owed * (1 - _EPS):
            raise Revert("UniswapV2: K")
        pay = min(owed, have)
        s._debit(sender, self.token, pay)
        pool._set(self.token, pool.reserve(self.token) + pay)
        log.append(f"{pad}return {_f(pay)} {self.token} to {self.pool} (K check passes)")


@dataclass(frozen=True)
class ProfitGuard(_Composite):
    """Run ``steps`` and revert unless the sender's ``token`` balance grew by ``min_profit``.

    The check arbitrage bots put at the end of their contracts: with it an
    arbitrage can fail, but never end with less than it started (gas aside).
    """

    token: str
    steps: tuple
    min_profit: float = 0.0

    def run(self, s: State, sender: str, log: list, depth: int) -> None:
        start = s.balance(sender, self.token)
        _run(s, sender, self.steps, log, depth)
        end = s.balance(sender, self.token)
        if end < start + self.min_profit:
            raise Revert(f"profit guard: {self.token} balance {_f(end)} < start {_f(start)} "
                         f"+ {_f(self.min_profit)}")
        log.append(f"{'  ' * depth}profit guard passes: +{_f(end - start)} {self.token}")


@dataclass(frozen=True)
class Deposit:
    """Supply collateral to a lending market."""

    market: str
    token: str
    amount: object

    def apply(self, s: State, sender: str) -> str:
        m = s.markets[self.market]
        amt = _amount(s, sender, self.token, self.amount)
        s._move(self.token, amt, sender, m.name)
        coll, _ = m.position(sender)
        coll[self.token] = coll.get(self.token, 0.0) + amt
        return f"deposit {_f(amt)} {self.token} in {m.name}"


@dataclass(frozen=True)
class Withdraw:
    """Withdraw collateral; reverts if the health factor would fall below 1."""

    market: str
    token: str
    amount: object

    def apply(self, s: State, sender: str) -> str:
        m = s.markets[self.market]
        coll, _ = m.position(sender)
        have = coll.get(self.token, 0.0)
        amt = have if self.amount == ALL else check_number("amount", self.amount, lo=0)
        if amt > have * (1 + _EPS) + _EPS:
            raise Revert(f"{sender} has {_f(have)} {self.token} deposited in {m.name}")
        coll[self.token] = max(have - amt, 0.0)
        hf = s.health_factor(m.name, sender)
        if hf < 1.0:
            raise Revert(f"withdrawal would leave HF {hf:.3f} < 1")
        s._move(self.token, amt, m.name, sender)
        return f"withdraw {_f(amt)} {self.token} from {m.name}"


@dataclass(frozen=True)
class Borrow:
    """Borrow from a lending market; reverts beyond the LTV-based borrowing power."""

    market: str
    token: str
    amount: float

    def apply(self, s: State, sender: str) -> str:
        m = s.markets[self.market]
        amt = check_number("amount", self.amount, lo=0)
        usd = amt * s.price(m, self.token)
        power = s.borrowing_power(m.name, sender)
        if usd > power * (1 + _EPS) + _EPS:
            raise Revert(f"borrow of ${usd:,.0f} exceeds borrowing power ${power:,.0f}")
        s._move(self.token, amt, m.name, sender)
        _, debt = m.position(sender)
        debt[self.token] = debt.get(self.token, 0.0) + amt
        return (f"borrow {_f(amt)} {self.token} from {m.name} "
                f"(HF {s.health_factor(m.name, sender):.3f})")


@dataclass(frozen=True)
class Repay:
    """Repay debt -- yours, or ``on_behalf_of`` someone else's; ALL repays it all."""

    market: str
    token: str
    amount: object
    on_behalf_of: str | None = None

    def apply(self, s: State, sender: str) -> str:
        m = s.markets[self.market]
        user = self.on_behalf_of or sender
        _, debt = m.position(user)
        owed = debt.get(self.token, 0.0)
        amt = owed if self.amount == ALL else min(check_number("amount", self.amount, lo=0), owed)
        s._move(self.token, amt, sender, m.name)
        debt[self.token] = max(owed - amt, 0.0)
        return f"repay {_f(amt)} {self.token} of {user}'s debt in {m.name}"


@dataclass(frozen=True)
class Liquidate:
    """Repay part of an unhealthy borrower's debt and seize collateral plus the bonus.

    Uses :func:`defi_helpers.collateral.liquidate` and the Aave v3.0--v3.2 close
    factor (:func:`defi_helpers.collateral.close_factor`); reverts when the
    borrower's HF is at least 1. ``debt_to_cover=ALL`` repays up to the cap.
    """

    market: str
    borrower: str
    debt_token: str
    collateral_token: str
    debt_to_cover: object = ALL

    def apply(self, s: State, sender: str) -> str:
        m = s.markets[self.market]
        hf = s.health_factor(m.name, self.borrower)
        if hf >= 1.0:
            raise Revert(f"{self.borrower} is healthy (HF {hf:.3f}); liquidation reverts")
        coll, debt = m.position(self.borrower)
        owed = debt.get(self.debt_token, 0.0)
        cap = owed * _coll.close_factor(hf)
        want = cap if self.debt_to_cover == ALL else min(
            check_number("debt_to_cover", self.debt_to_cover, lo=0), cap)
        p_debt, p_coll = s.price(m, self.debt_token), s.price(m, self.collateral_token)
        res = _coll.liquidate(max(coll.get(self.collateral_token, 0.0), 0.0), p_coll,
                              want * p_debt, m.liquidation_bonus.get(self.collateral_token, 0.05))
        repaid = res.debt_repaid_usd / p_debt
        s._move(self.debt_token, repaid, sender, m.name)
        debt[self.debt_token] = max(owed - repaid, 0.0)
        coll[self.collateral_token] = max(coll.get(self.collateral_token, 0.0)
                                          - res.collateral_seized, 0.0)
        s._move(self.collateral_token, res.liquidator_collateral, m.name, sender)
        return (f"liquidate {self.borrower} (HF {hf:.3f}): repay {_f(repaid)} {self.debt_token}, "
                f"seize {_f(res.collateral_seized)} {self.collateral_token}")


@dataclass(frozen=True)
class RequireBalance:
    """Revert unless the sender holds at least ``minimum`` of ``token``."""

    token: str
    minimum: float

    def apply(self, s: State, sender: str) -> str:
        have = s.balance(sender, self.token)
        if have < self.minimum:
            raise Revert(f"guard: {_f(have)} {self.token} < required {_f(self.minimum)}")
        return f"check {self.token} balance {_f(have)} >= {_f(self.minimum)}"


def _run(s: State, sender: str, steps, log: list, depth: int = 0) -> None:
    for step in steps:
        if isinstance(step, _Composite):
            step.run(s, sender, log, depth)
        elif hasattr(step, "apply"):
            log.append("  " * depth + step.apply(s, sender))
        else:
            raise ValueError(f"steps must be step objects (Swap, FlashLoan, ...); got {step!r}")


@dataclass(frozen=True)
class Receipt:
    """What :func:`execute` returns."""

    before: State
    after: State
    reverted: bool
    reason: str
    log: tuple

    def delta(self, account: str, token: str) -> float:
        """Change in ``account``'s ``token`` balance (0 when reverted)."""
        return self.after.balance(account, token) - self.before.balance(account, token)

    def __str__(self) -> str:
        head = f"REVERTED: {self.reason}" if self.reverted else "SUCCESS"
        return "\n".join([*self.log, head])

    def _repr_markdown_(self) -> str:
        body = "\n".join(self.log)
        head = f"**Reverted:** {self.reason}" if self.reverted else "**Success**"
        return f"```text\n{body}\n```\n{head}"


def execute(state: State, sender: str, steps) -> Receipt:
    """Apply ``steps`` in order, atomically: all succeed or nothing changes.

    Works on a copy of ``state``. If any step raises :class:`Revert` -- a
    flash loan not repaid, a swap below its minimum, a borrow beyond the
    borrowing power -- the receipt's ``after`` is the *original* state, as a
    reverted Ethereum transaction leaves no trace but the gas it burned.

    Parameters
    ----------
    state : State
        The world before the transaction (not modified).
    sender : str
        The account sending the transaction.
    steps : sequence of steps
        :class:`Swap`, :class:`FlashLoan`, :class:`Borrow`, ... objects.

    Returns
    -------
    Receipt
        ``after``, ``reverted``, ``reason`` and a readable ``log``.

    Examples
    --------
    >>> s = State(balances={"aave": {"USDC": 1e6}})
    >>> r = execute(s, "bob", [FlashLoan("aave", "USDC", 1_000, steps=())])
    >>> r.reverted, r.reason
    (True, 'flash loan not repaid: owe 1,000.5 USDC, hold 1,000')
    >>> r.after.balance("aave", "USDC")
    1000000.0
    """
    if not isinstance(state, State):
        raise ValueError(f"state must be a State; got {type(state).__name__}")
    work = state.copy()
    log: list = []
    try:
        _run(work, sender, list(steps), log)
    except Revert as exc:
        log.append(f"revert: {exc}")
        return Receipt(before=state, after=state, reverted=True, reason=str(exc), log=tuple(log))
    return Receipt(before=state, after=work, reverted=False, reason="", log=tuple(log))


# =============================================================================
# Recipes: the step lists of the chapter's examples
# =============================================================================

def arbitrage_steps(lender, quote, base, buy_pool, sell_pool, amount,
                    premium_bps=AAVE_V3_FLASH_PREMIUM_BPS, min_profit=0.0):
    """Flash-borrow ``amount`` quote, buy base in ``buy_pool``, sell it in
    ``sell_pool``, repay -- inside a :class:`ProfitGuard`, so the transaction
    reverts rather than lose money.

    Examples
    --------
    >>> s = State(balances={"aave": {"USDC": 1e7}},
    ...           pools={"A": Pool("ETH", "USDC", 1_000, 2_000_000),
    ...                  "B": Pool("ETH", "USDC", 1_000, 2_200_000)})
    >>> r = execute(s, "bot", arbitrage_steps("aave", "USDC", "ETH", "A", "B", 45_869))
    >>> r.reverted, round(r.delta("bot", "USDC"), 2)
    (False, 2071.54)
    """
    return [ProfitGuard(quote, min_profit=min_profit, steps=(
        FlashLoan(lender, quote, amount, premium_bps=premium_bps, steps=(
            Swap(buy_pool, quote, amount),
            Swap(sell_pool, base, ALL),
        )),
    ))]


def collateral_swap_steps(lender, market, pool, debt_token, old_collateral, new_collateral,
                          debt_amount, premium_bps=AAVE_V3_FLASH_PREMIUM_BPS):
    """Swap a position's collateral in one transaction (``pool`` trades old for new).

    Flash-borrow the debt, repay it, withdraw the old collateral, swap it,
    deposit the new collateral, borrow the debt plus the fee again, repay the
    flash loan. Without a flash loan this needs the debt in cash.
    """
    fee = float(flash_loan_fee(debt_amount, premium_bps))
    return [FlashLoan(lender, debt_token, debt_amount, premium_bps=premium_bps, steps=(
        Repay(market, debt_token, ALL),
        Withdraw(market, old_collateral, ALL),
        Swap(pool, old_collateral, ALL),
        Deposit(market, new_collateral, ALL),
        Borrow(market, debt_token, debt_amount + fee),
    ))]


def refinance_steps(lender, from_market, to_market, debt_token, collateral_token, debt_amount,
                    premium_bps=AAVE_V3_FLASH_PREMIUM_BPS):
    """Move a loan from one market to another (say, to a cheaper borrow rate)."""
    fee = float(flash_loan_fee(debt_amount, premium_bps))
    return [FlashLoan(lender, debt_token, debt_amount, premium_bps=premium_bps, steps=(
        Repay(from_market, debt_token, ALL),
        Withdraw(from_market, collateral_token, ALL),
        Deposit(to_market, collateral_token, ALL),
        Borrow(to_market, debt_token, debt_amount + fee),
    ))]


def one_shot_loop_steps(lender, market, pool, collateral_token, debt_token, borrow_amount,
                        premium_bps=AAVE_V3_FLASH_PREMIUM_BPS):
    """Reach a leveraged position in one transaction instead of many loops.

    Flash-borrow ``borrow_amount`` of the debt token, buy collateral with it,
    deposit everything the sender holds of it, borrow the loan plus fee, repay.
    """
    fee = float(flash_loan_fee(borrow_amount, premium_bps))
    return [FlashLoan(lender, debt_token, borrow_amount, premium_bps=premium_bps, steps=(
        Swap(pool, debt_token, borrow_amount),
        Deposit(market, collateral_token, ALL),
        Borrow(market, debt_token, borrow_amount + fee),
    ))]


def flash_liquidation_steps(lender, market, pool, borrower, debt_token, collateral_token,
                            debt_to_cover, premium_bps=AAVE_V3_FLASH_PREMIUM_BPS):
    """Liquidate with borrowed money: flash-borrow the debt token, liquidate, sell
    the seized collateral, repay. Profit = bonus - slippage - fee, guarded."""
    return [ProfitGuard(debt_token, steps=(
        FlashLoan(lender, debt_token, debt_to_cover, premium_bps=premium_bps, steps=(
            Liquidate(market, borrower, debt_token, collateral_token, debt_to_cover),
            Swap(pool, collateral_token, ALL),
        )),
    ))]


def spot_oracle_attack_steps(lender, market, pool, quote, base, pump_quote, borrow_quote,
                             premium_bps=AAVE_V3_FLASH_PREMIUM_BPS):
    """The spot-oracle attack in the transaction model: flash-borrow, pump ``base``
    in ``pool`` (which ``market`` reads), deposit the base bought, borrow
    ``borrow_quote`` against it at the pumped price, repay the flash loan."""
    return [FlashLoan(lender, quote, pump_quote, premium_bps=premium_bps, steps=(
        Swap(pool, quote, pump_quote),
        Deposit(market, base, ALL),
        Borrow(market, quote, borrow_quote),
    ))]


# =============================================================================
# The chapter's example world
# =============================================================================

#: Aave v3 Ethereum risk parameters on 2023-10-31 (dataset ``aave_v3_ethereum_reserves``,
#: from the BGD Labs configuration report): LTV, liquidation threshold, bonus.
_AAVE_2023 = {"ETH": (0.805, 0.83, 0.05), "WBTC": (0.73, 0.78, 0.05)}


def example_state() -> State:
    """The small world every example of the flash-loan chapter starts from.

    * ``aave``: a flash lender and lending market with fixed (Chainlink-style)
      oracle prices ETH $2,000, WBTC $60,000, USDC $1 and the WETH/WBTC risk
      parameters of Aave v3 Ethereum on 2023-10-31; 50 M USDC, 20,000 ETH
      and 500 WBTC of liquidity.
    * ``market_b``: a second lending market with the same prices (for refinancing).
    * ``lend``: a careless market that prices TKN at the *spot* price of the
      thin pool ``thin`` (the bZx design); 5 M USDC of liquidity.
    * Pools: ``pool_a`` (1,000 ETH / 2,000,000 USDC), ``pool_b`` (1,000 ETH /
      2,200,000 USDC: ETH 10 % dearer, an arbitrage), ``eth_wbtc`` (3,000 ETH /
      100 WBTC) and ``thin`` (100,000 TKN / 100,000 USDC).
    * Alice has 10 ETH deposited in ``aave`` and owes 10,000 USDC.

    Examples
    --------
    >>> s = example_state()
    >>> round(s.health_factor("aave", "alice"), 3)
    1.66
    """
    prices = {"ETH": 2_000.0, "WBTC": 60_000.0, "USDC": 1.0}
    ltv = {t: v[0] for t, v in _AAVE_2023.items()}
    lt = {t: v[1] for t, v in _AAVE_2023.items()}
    bonus = {t: v[2] for t, v in _AAVE_2023.items()}
    aave = Market("aave", prices=dict(prices), ltv=dict(ltv), liquidation_threshold=dict(lt),
                  liquidation_bonus=dict(bonus))
    aave.collateral["alice"] = {"ETH": 10.0}
    aave.debt["alice"] = {"USDC": 10_000.0}
    market_b = Market("market_b", prices=dict(prices), ltv=dict(ltv), liquidation_threshold=dict(lt),
                      liquidation_bonus=dict(bonus))
    lend = Market("lend", prices={"TKN": "pool:thin", "USDC": 1.0}, ltv={"TKN": 0.75},
                  liquidation_threshold={"TKN": 0.80}, liquidation_bonus={"TKN": 0.10})
    return State(
        balances={"aave": {"USDC": 50e6, "ETH": 20_000.0, "WBTC": 500.0},
                  "market_b": {"USDC": 10e6}, "lend": {"USDC": 5e6}, "alice": {}},
        pools={"pool_a": Pool("ETH", "USDC", 1_000.0, 2_000_000.0),
               "pool_b": Pool("ETH", "USDC", 1_000.0, 2_200_000.0),
               "eth_wbtc": Pool("ETH", "WBTC", 3_000.0, 100.0),
               "thin": Pool("TKN", "USDC", 100_000.0, 100_000.0)},
        markets={"aave": aave, "market_b": market_b, "lend": lend},
    )
