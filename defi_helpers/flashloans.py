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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import collateral as _coll
from ._validate import Choice, Int, Real, contract

_UINT = Int(lo=0, hi=_coll.UINT256_MAX, why="a uint256 in the token's smallest unit")
_BPS_INT = Int(lo=0, hi=10_000, why="basis points")
_TOKENS = Real(lo=0, why="an amount of tokens")
_RESERVE = Real(lo=0, lo_open=True, why="a pool reserve; an empty pool has no price")
_RESERVE1 = Real(lo=0, lo_open=True, scalar=True, why="a pool reserve; an empty pool has no price")
_FEE = Real(lo=0, hi=1, hi_open=True, scalar=True, why="a fraction: 0.003 means 0.3 %")
_PRICE = Real(lo=0, lo_open=True, why="a price")
_BLOCKS = Real(lo=1, why="whole blocks")

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

@contract(amount=_TOKENS, premium_bps=Real(lo=0, hi=10_000, scalar=True, why="basis points: 5 means 0.05 %"))
def flash_loan_fee(amount, premium_bps):
    """Premium owed on an Aave-style flash loan: ``amount * premium_bps / 10_000``.

    The borrower must return ``amount + fee`` before the transaction ends; the
    pool pulls it after the receiver's ``executeOperation`` returns, or the
    whole transaction reverts.

    Parameters
    ----------
    amount : float or array of float
        Amount borrowed, in token units, {domain:amount}.
    premium_bps : float
        Premium in basis points, {domain:premium_bps}: 5 for Aave v3's default
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
    return amount * premium_bps / 10_000.0


def _check_percent_mul(amount_units: int, bps: int, name: str = "amount_units") -> None:
    """Refuse ``amount_units * bps`` beyond uint256, where ``percentMul`` reverts (naming ``name``)."""
    bound = (_coll.UINT256_MAX - 5_000) // bps if bps else _coll.UINT256_MAX
    if amount_units > bound:
        raise ValueError(f"{name} * premium_bps + 5000 must fit in a uint256 (Aave's percentMul reverts): "
                         f"{name} must be <= {bound} at {bps} bps; got {amount_units}")


@contract(amount_units=_UINT, premium_bps=_BPS_INT, rounding=Choice("half_up", "up"))
def flash_loan_fee_exact(amount_units: int, premium_bps: int, rounding: str = "half_up") -> int:
    """The premium in integer token units, rounded as on chain.

    Aave v3.0--v3.4 use ``PercentageMath.percentMul`` (half up); recent
    ``aave-v3-origin`` releases use ``percentMulCeil`` (rounded **up**), so a
    non-zero loan never pays zero. (The reference sheet dates the change to
    v3.5; the v3.5 features note lists the rounding overhaul but not this line.)

    Parameters
    ----------
    amount_units : int
        Amount in the token's smallest unit (e.g. 1 USDC = 10**6), {domain:amount_units}
        (``2**256 - 1``); ``amount_units * premium_bps`` must fit in a uint256 too, as
        Aave's ``percentMul`` reverts otherwise.
    premium_bps : int
        Premium in basis points, {domain:premium_bps}.
    rounding : str
        Rounding rule, {domain:rounding}: ``"half_up"`` for Aave v3.0--v3.4, ``"up"`` for recent releases.

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
    _check_percent_mul(amount_units, premium_bps)
    if rounding == "half_up":
        return _coll.percent_mul(amount_units, premium_bps)
    return -((-amount_units * premium_bps) // 10_000)


@contract(amount_units=_UINT, premium_bps=_BPS_INT, to_protocol_bps=_BPS_INT)
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
        Amount in the token's smallest unit, {domain:amount_units} (``2**256 - 1``);
        ``amount_units * premium_bps`` must fit in a uint256 (``percentMul`` reverts otherwise).
    premium_bps : int
        ``FLASHLOAN_PREMIUM_TOTAL``, {domain:premium_bps}.
    to_protocol_bps : int
        ``FLASHLOAN_PREMIUM_TO_PROTOCOL``, {domain:to_protocol_bps} (bps of the premium).

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
    # The second percentMul reverts on chain if premium * to_protocol_bps + 5000 overflows (only within
    # a few units of the uint256 edge); so does this, naming amount_units.
    if to_protocol_bps and premium > (_coll.UINT256_MAX - 5_000) // to_protocol_bps:
        raise ValueError(f"amount_units is too large: its premium ({premium}) * to_protocol_bps + 5000 must fit "
                         f"in a uint256 (Aave's percentMul reverts); got amount_units={amount_units}")
    to_protocol = _coll.percent_mul(premium, to_protocol_bps)
    return {"premium": premium, "to_protocol": to_protocol, "to_suppliers": premium - to_protocol}


@contract(amount=_TOKENS)
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
        Tokens taken out of the pair, {domain:amount}.

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
    return amount * 1000.0 / 997.0


# =============================================================================
# Constant-product (Uniswap v2) maths
# =============================================================================

@contract(amount_in=_TOKENS, reserve_in=_RESERVE, reserve_out=_RESERVE, fee=_FEE)
def cpmm_amount_out(amount_in, reserve_in, reserve_out, fee=UNISWAP_V2_FEE):
    """Output of a constant-product swap: ``dy = dx(1-f) y / (x + dx(1-f))``.

    The fee stays in the pool: after the swap the reserves are
    ``(x + dx, y - dy)``, so ``x*y`` grows slightly.

    Parameters
    ----------
    amount_in : float or array of float
        Tokens sold into the pool, {domain:amount_in}.
    reserve_in, reserve_out : float or array of float
        Pool reserves of the token sold and the token bought, {domain:reserve_in}.
    fee : float, default 0.003
        Swap fee as a fraction, {domain:fee}.

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
    eff = amount_in * (1.0 - fee)
    return eff * reserve_out / (reserve_in + eff)


@contract(amount_out=_TOKENS, reserve_in=_RESERVE,
          reserve_out=Real(lo=0, lo_open=True, why=_RESERVE.why, example=1_000.0), fee=_FEE)
def cpmm_amount_in(amount_out, reserve_in, reserve_out, fee=UNISWAP_V2_FEE):
    """Tokens to sell to receive exactly ``amount_out``: ``dx = x dy / ((y - dy)(1-f))``.

    The inverse of :func:`cpmm_amount_out`.

    Parameters
    ----------
    {domains}

    ``amount_out`` must also be below ``reserve_out``.

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
    dy, y = np.broadcast_arrays(amount_out, reserve_out)
    if np.any(dy >= y):
        raise ValueError(f"amount_out must be < reserve_out ({np.min(y):g}); got {amount_out!r}")
    return reserve_in * amount_out / ((reserve_out - amount_out) * (1.0 - fee))


@contract(reserve_base=_RESERVE, reserve_quote=_RESERVE)
def cpmm_spot_price(reserve_base, reserve_quote):
    """Marginal price of the base token in quote units: ``reserve_quote / reserve_base``.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> cpmm_spot_price(1_000, 2_000_000)
    2000.0
    """
    return reserve_quote / reserve_base


@contract(amount_in=_TOKENS, reserve_in=_RESERVE, reserve_out=_RESERVE, fee=_FEE)
def cpmm_price_impact(amount_in, reserve_in, reserve_out, fee=UNISWAP_V2_FEE):
    """Relative move of the pool's spot price caused by one swap.

    The price of the token bought, in units of the token sold, goes from
    ``x / y`` to ``(x + dx) / (y - dy)``; the function returns
    ``new / old - 1`` (positive: the bought token got dearer).

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> round(cpmm_price_impact(200_000, 2_000_000, 1_000), 5)
    0.20967

    References
    ----------
    Uniswap/v2-core, contracts/UniswapV2Pair.sol (reserves after ``_update``).
    """
    x, y = reserve_in, reserve_out
    eff = amount_in * (1.0 - fee)
    dy = eff * y / (x + eff)
    return ((x + amount_in) / (y - dy)) / (x / y) - 1.0


@contract(reserve_base=_RESERVE1, reserve_quote=_RESERVE1, target_price=_PRICE)
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
        Pool reserves, {domain:reserve_base}; the price is quote per base.
    target_price : float or array of float
        Spot price to reach, {domain:target_price}, quote per base.

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
    xb, xq, q = reserve_base, reserve_quote, np.asarray(target_price, dtype=float)
    k = np.float64(xb) * xq
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


_NONNEG1 = Real(lo=0, scalar=True)


@contract(amount_in=_NONNEG1, base_bought=_NONNEG1, amount_out=_NONNEG1, profit=_NONNEG1)
@dataclass(frozen=True)
class ArbitrageResult:
    """Best two-pool arbitrage: buy base in pool A with quote, sell it in pool B.

    Every field is a single finite number {domain:profit}; the object checks
    them on construction.
    """

    amount_in: float
    """Quote to sell into pool A (0 when no trade pays)."""
    base_bought: float
    """Base received from pool A and sold into pool B."""
    amount_out: float
    """Quote received from pool B."""
    profit: float
    """``amount_out - amount_in`` before any flash-loan fee (>= 0)."""


@contract(quote_a=_RESERVE1, base_a=_RESERVE1, quote_b=_RESERVE1, base_b=_RESERVE1, fee=_FEE)
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
        Reserves of the pool to buy from, {domain:quote_a}.
    quote_b, base_b : float
        Reserves of the pool to sell into, {domain:quote_b}.
    fee : float, default 0.003
        Swap fee of both pools, {domain:fee}.

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
    # numpy scalars, so that an overflow raises (and the contract names every parameter)
    xa, ya, xb, yb, f = (np.float64(v) for v in (quote_a, base_a, quote_b, base_b, fee))
    g = 1.0 - f
    a = g * g * ya * xb
    b = xa * yb
    c = g * (yb + g * ya)
    if a <= b:
        return ArbitrageResult(0.0, 0.0, 0.0, 0.0)
    d = float((np.sqrt(a * b) - b) / c)
    amount_out = cpmm_amount_out.__wrapped__   # the same maths, inside this function's contract
    base = float(amount_out(np.float64(d), xa, ya, f))
    out = float(amount_out(np.float64(base), yb, xb, f))
    return ArbitrageResult(d, base, out, max(out - d, 0.0))


# =============================================================================
# Oracle-manipulation attacks
# =============================================================================

@contract(price_before=Real(lo=0, lo_open=True), price_after=Real(lo=0, lo_open=True),
          price_impact=Real(lo=0), borrowed=Real(lo=0), slippage_cost=Real(lo=0), flash_fee=Real(lo=0),
          profit=Real())
@dataclass(frozen=True)
class SpotOracleAttack:
    """Outcome of :func:`spot_oracle_attack` (arrays broadcast over the inputs).

    Checked on construction: prices {domain:price_before}; the price impact
    (a pump only raises the price), the amount borrowed, the slippage and the
    flash fee {domain:borrowed}; the profit any finite number.
    """

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


@contract(pump_quote=_TOKENS, reserve_quote=_RESERVE, reserve_base=_RESERVE, collateral_quote=_TOKENS,
          ltv=Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True, why="a loan-to-value fraction"),
          fee=_FEE, flash_premium_bps=Real(lo=0, hi=10_000, scalar=True, why="basis points"))
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
        Quote sold into the pool to move the price, {domain:pump_quote}.
    reserve_quote, reserve_base : float or array of float
        The manipulated pool's reserves, quote and base, {domain:reserve_quote}.
    collateral_quote : float or array of float
        Quote spent on collateral at the fair price, {domain:collateral_quote}.
    ltv : float
        The lender's loan-to-value for the collateral, {domain:ltv}.
    fee : float, default 0.003
        The pool's swap fee, {domain:fee}.
    flash_premium_bps : float, default 5
        Flash-loan premium in basis points, {domain:flash_premium_bps}.

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
    # numpy values, so that an overflow or a division by zero raises (named by the contract)
    pump, xq, xb, coll = (np.asarray(v, dtype=float) for v in (pump_quote, reserve_quote, reserve_base,
                                                              collateral_quote))
    l, f, prem = ltv, fee, flash_premium_bps
    p0 = xq / xb
    eff = pump * (1.0 - f)
    base_bought = eff * xb / (xq + eff)
    p1 = (xq + pump) / (xb - base_bought)
    borrowed = l * coll * p1 / p0
    # >= 0 exactly (base_bought * p0 = eff * xq / (xq + eff) < pump); the floor removes rounding below 0
    slippage = np.maximum(pump - base_bought * p0, 0.0)
    fee_paid = (pump + coll) * prem / 10_000.0
    profit = borrowed - coll - slippage - fee_paid
    ins = (pump_quote, reserve_quote, reserve_base, collateral_quote)
    return SpotOracleAttack(price_before=_out(p0, *ins), price_after=_out(p1, *ins),
                            price_impact=_out(np.maximum(p1 / p0 - 1.0, 0.0), *ins), borrowed=_out(borrowed, *ins),
                            slippage_cost=_out(slippage, *ins), flash_fee=_out(fee_paid, *ins),
                            profit=_out(profit, *ins))


@contract(prices=_PRICE)
def twap_geometric(prices):
    """Geometric-mean TWAP of per-block prices: ``(prod p_i) ** (1/n)``.

    Uniswap v3 accumulates ``log(price)`` per second, so its TWAP is geometric.

    Parameters
    ----------
    prices : float or array of float
        One price per block, {domain:prices}.

    Examples
    --------
    >>> round(twap_geometric([1.0, 1.0, 4.0, 1.0]), 6)
    1.414214

    References
    ----------
    euler-xyz/uni-v3-twap-manipulation, cost-of-attack.tex, eq. (1).
    """
    return float(np.exp(np.mean(np.log(prices))))


@contract(target_twap=_PRICE, current_price=_PRICE, window_blocks=_BLOCKS, manipulated_blocks=_BLOCKS)
def twap_required_spot(target_twap, current_price, window_blocks, manipulated_blocks):
    """Spot price to hold for ``m`` blocks of an ``n``-block geometric TWAP to reach a target.

    ``TWAP = (p^(n-m) q^m)^(1/n)`` gives ``q = (TWAP^n / p^(n-m))^(1/m)``,
    computed in logs so that ``m = 1`` (astronomical prices) does not overflow
    before the result itself does.

    Parameters
    ----------
    target_twap : float or array of float
        TWAP the attacker wants, {domain:target_twap}.
    current_price : float or array of float
        Honest spot price in the other ``n - m`` blocks, {domain:current_price}.
    window_blocks : int or array of int
        ``n``, whole blocks in the TWAP window, {domain:window_blocks}.
    manipulated_blocks : int or array of int
        ``m``, whole blocks the attacker controls, {domain:manipulated_blocks} and ``<= n``.

    Returns
    -------
    float or numpy.ndarray
        ``q``. A ``q`` beyond the float64 range (about ``1.8e308``) is a
        ``ValueError`` naming the inputs, not ``inf``.

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
    t, p, n, m = (np.asarray(v, dtype=float) for v in (target_twap, current_price, window_blocks,
                                                      manipulated_blocks))
    if np.any(n != np.round(n)) or np.any(m != np.round(m)):
        raise ValueError(f"window_blocks and manipulated_blocks must be whole numbers; "
                         f"got {window_blocks!r} and {manipulated_blocks!r}")
    if np.any(m > n):
        raise ValueError(f"manipulated_blocks must be <= window_blocks; got "
                         f"{manipulated_blocks!r} > {window_blocks!r}")
    q = np.exp((n * np.log(t) - (n - m) * np.log(p)) / m)   # overflow raises under the contract
    return float(q) if q.ndim == 0 else q


@contract(target_twap=_PRICE, current_price=_PRICE, window_blocks=_BLOCKS, manipulated_blocks=_BLOCKS,
          reserve_base=_RESERVE1, reserve_quote=_RESERVE1)
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
        As in :func:`twap_required_spot`, {domain:target_twap}.
    window_blocks, manipulated_blocks : int or array of int
        ``n`` and ``m``, whole numbers {domain:window_blocks}, ``m <= n``.
    reserve_base, reserve_quote : float
        Full-range (constant-product) liquidity of the pool, {domain:reserve_base}; the pool's
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
    xb, xq = reserve_base, reserve_quote
    if not np.allclose(current_price, xq / xb, rtol=1e-9):
        raise ValueError(f"current_price must equal reserve_quote / reserve_base "
                         f"({xq / xb:g}); got {current_price!r}")
    # The unwrapped maths: an overflow in either step is named by this function's own contract
    # (target_twap, window_blocks...), not by the helper's parameters (target_price).
    q = np.asarray(twap_required_spot.__wrapped__(target_twap, current_price, window_blocks,
                                                  manipulated_blocks), dtype=float)
    if np.any(q <= 0):
        raise ValueError(f"twap_manipulation_cost: the required spot price underflows to 0 at "
                         f"target_twap={target_twap!r}, current_price={current_price!r}, "
                         f"window_blocks={window_blocks!r}, manipulated_blocks={manipulated_blocks!r}; "
                         f"use values nearer the documented ranges")
    m = np.asarray(manipulated_blocks, dtype=float)
    per_block = cpmm_input_to_reach_price.__wrapped__(xb, xq, q)["slippage_cost"]
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


@contract(wbtc_price_eth=Real(lo=0, lo_open=True, scalar=True, why="a price in ETH per WBTC"))
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
        Fair WBTC price in ETH used to value the Compound position, {domain:wbtc_price_eth}.
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
    px = wbtc_price_eth
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


@contract()
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
