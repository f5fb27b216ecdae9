"""Flash loans, constant-product price impact, and the attacks they enable.

Pure functions; no I/O, no plotting, no EVM.
Amounts are floats in token units (names say which token); fees, premiums and
LTVs are fractions unless the name says ``_bps`` (``5`` bps = 0.05 %).

Two layers:

* **Fees** -- :func:`flash_loan_fee` (Aave-style premium), :func:`flash_loan_fee_exact`
  and :func:`flash_loan_premium_split_exact` (the on-chain integers),
  :func:`uniswap_v2_flash_repayment`.
* **Constant-product maths** -- :func:`cpmm_amount_out`, :func:`cpmm_price_impact`,
  :func:`cpmm_input_to_reach_price`, :func:`optimal_arbitrage`, the TWAP results of
  :func:`twap_required_spot` and :func:`twap_manipulation_cost`, and the closed-form
  :func:`spot_oracle_attack` used by the chapter's explorer.
* **Historical ledgers** -- :func:`bzx_pump_attack_ledger`, :func:`bzx_oracle_attack_ledger`.

Transactions themselves -- a flash loan that is not repaid and reverts, an
arbitrage, a liquidation or a leveraged position built in one transaction, the
spot-oracle attack -- run on the real contracts in the protocol lab
(:mod:`defi_helpers.lab.flash`, :mod:`defi_helpers.lab.oracle_attack`), not
here. (An in-memory transaction simulator lived here until 2026-11-30; the
lab teaches the same lessons on Aave's and Uniswap's own bytecode.)

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

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import collateral as _coll
from ._validate import as_output, check_array, check_int, check_number

__all__ = [
    # fees
    "flash_loan_fee", "flash_loan_fee_exact", "flash_loan_premium_split_exact", "uniswap_v2_flash_repayment",
    "AAVE_V2_FLASH_PREMIUM_BPS", "AAVE_V3_FLASH_PREMIUM_BPS", "BALANCER_V2_FLASH_FEE_BPS",
    "UNISWAP_V2_FEE",
    # constant product
    "cpmm_amount_out", "cpmm_amount_in", "cpmm_spot_price", "cpmm_price_impact",
    "cpmm_input_to_reach_price", "optimal_arbitrage", "ArbitrageResult",
    # attacks
    "spot_oracle_attack", "SpotOracleAttack",
    "twap_geometric", "twap_required_spot", "twap_manipulation_cost",
    "bzx_pump_attack_ledger", "bzx_oracle_attack_ledger",
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


def flash_loan_premium_split_exact(amount_units: int, premium_bps: int, to_protocol_bps: int) -> dict:
    """Premium of an Aave v3.0.2 flash loan and its split, in integer token units.

    ``premium = percentMul(amount, FLASHLOAN_PREMIUM_TOTAL)``; the protocol's
    share is ``percentMul(premium, FLASHLOAN_PREMIUM_TO_PROTOCOL)`` -- in v3.0.2
    the second parameter is in basis points **of the premium**, not of the
    amount -- and the rest goes to suppliers through the liquidity index. The
    pool books the protocol's share as ``accruedToTreasury``, scaled by the
    liquidity index (``rayDiv``); it reaches the treasury on ``mintToTreasury``.
    From v3.4 the whole premium goes to the treasury.

    Parameters
    ----------
    amount_units : int
        Amount in the token's smallest unit, >= 0.
    premium_bps : int
        ``FLASHLOAN_PREMIUM_TOTAL``, 0 to 10,000.
    to_protocol_bps : int
        ``FLASHLOAN_PREMIUM_TO_PROTOCOL``, 0 to 10,000 (bps of the premium).

    Returns
    -------
    dict
        ``premium``, ``to_protocol`` and ``to_suppliers`` (integers).

    Examples
    --------
    >>> flash_loan_premium_split_exact(1_000_000 * 10**6, 5, 4_000)
    {'premium': 500000000, 'to_protocol': 200000000, 'to_suppliers': 300000000}

    References
    ----------
    aave/aave-v3-core v1.19.3, contracts/protocol/libraries/logic/FlashLoanLogic.sol
    (``executeFlashLoanSimple``: ``totalPremium = amount.percentMul(flashLoanPremiumTotal)``;
    ``_handleFlashLoanRepayment``: ``premiumToProtocol = totalPremium.percentMul(
    flashLoanPremiumToProtocol)``, ``accruedToTreasury += premiumToProtocol.rayDiv(
    nextLiquidityIndex)``); aave-dao/aave-v3-origin docs/3.4 (all fees to the treasury).
    """
    premium = flash_loan_fee_exact(amount_units, premium_bps)
    share = check_int("to_protocol_bps", to_protocol_bps, lo=0, hi=10_000)
    to_protocol = _coll.percent_mul(premium, share)
    return {"premium": premium, "to_protocol": to_protocol, "to_suppliers": premium - to_protocol}


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
