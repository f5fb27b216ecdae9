"""Real Uniswap v2 pairs in the lab: ``UniswapV2Factory`` and ``UniswapV2Pair`` from their own bytecode.

>>> from defi_helpers.lab.uniswap import UniswapV2             # doctest: +SKIP
>>> pair = UniswapV2.deploy().create_pair(usdc, tkn)            # doctest: +SKIP
>>> pair.add_liquidity(lp, {usdc: 10**12, tkn: 10**24})         # doctest: +SKIP
>>> pair.swap(trader, usdc, 10**11)                             # doctest: +SKIP

What runs: the compiled ``build/UniswapV2Factory.json`` and
``build/UniswapV2Pair.json`` of ``@uniswap/v2-core`` 1.0.1 (``Uniswap/v2-core``,
the code deployed on Ethereum in May 2020; GPL-3.0-or-later), fetched and
verified by :mod:`defi_helpers.lab.artifacts`. The factory deploys each pair
with ``CREATE2`` from the pair's creation code embedded in the factory, exactly
as on chain. Tokens are any ERC-20 the caller passes (the lab uses Aave's
``MintableERC20`` mocks).

The swap helper does what ``UniswapV2Router02.swapExactTokensForTokens`` does
for one hop, without the router: it computes the output with the pair's own
integer rule (``getAmountOut`` of ``UniswapV2Library``: ``amountIn * 997 *
reserveOut / (reserveIn * 1000 + amountIn * 997)``, rounded down), transfers
the input to the pair and calls ``swap``; the pair's ``K`` check then
accepts it.

References
----------
Uniswap/v2-core v1.0.1: ``contracts/UniswapV2Factory.sol`` (``createPair``),
``contracts/UniswapV2Pair.sol`` (``mint``, ``swap``, ``sync``, ``_update``
accumulating ``price0CumulativeLast``/``price1CumulativeLast`` as UQ112x112
times seconds); Uniswap/v2-periphery ``contracts/libraries/UniswapV2Library.sol``
(``getAmountOut``).
"""

from __future__ import annotations

from dataclasses import dataclass

import boa

from .._validate import check_int
from . import deploy as _d

__all__ = ["UniswapV2", "Pair", "get_amount_out", "Q112"]

PACKAGE = "uniswap-v2-core"
#: Fixed-point unit of Uniswap v2's price accumulators (UQ112x112).
Q112 = 2**112


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """Uniswap v2's integer swap output for ``amount_in`` (0.3 % fee, rounded down).

    Examples
    --------
    >>> get_amount_out(10**6, 10**9, 10**9)
    996006
    """
    amount_in = check_int("amount_in", amount_in, lo=0)
    reserve_in = check_int("reserve_in", reserve_in, lo=1)
    reserve_out = check_int("reserve_out", reserve_out, lo=1)
    fee_in = amount_in * 997
    return fee_in * reserve_out // (reserve_in * 1000 + fee_in)


class UniswapV2:
    """A ``UniswapV2Factory`` in the current boa environment."""

    def __init__(self, factory):
        self.factory = factory

    @classmethod
    def deploy(cls, fee_to_setter=None) -> "UniswapV2":
        """Deploy the factory (``feeTo`` unset: no protocol fee, as on Ethereum)."""
        return cls(_d.deploy("UniswapV2Factory", fee_to_setter or boa.env.eoa, package=PACKAGE))

    def create_pair(self, token_a, token_b) -> "Pair":
        """``createPair(tokenA, tokenB)``; the pair orders them by address (``token0 < token1``)."""
        self.factory.createPair(token_a.address, token_b.address)
        addr = self.factory.getPair(token_a.address, token_b.address)
        return Pair(_d.at("UniswapV2Pair", addr, package=PACKAGE), token_a, token_b)


@dataclass
class Pair:
    """One deployed ``UniswapV2Pair`` and its two token contracts."""

    contract: object
    token_a: object
    token_b: object

    @property
    def address(self):
        return self.contract.address

    def _token(self, token):
        for t in (self.token_a, self.token_b):
            if t is token or str(t.address) == str(getattr(token, "address", token)):
                return t
        raise ValueError(f"token must be one of the pair's two tokens; got {token!r}")

    def other(self, token):
        """The pair's other token contract."""
        t = self._token(token)
        return self.token_b if t is self.token_a else self.token_a

    def is_token0(self, token) -> bool:
        return str(self.contract.token0()) == str(self._token(token).address)

    def reserves(self) -> dict:
        """``getReserves()`` as ``{token address: reserve units}`` plus ``"timestamp"``."""
        r0, r1, ts = self.contract.getReserves()
        t0 = str(self.contract.token0())
        t1 = str(self.contract.token1())
        return {t0: r0, t1: r1, "timestamp": ts}

    def reserve(self, token) -> int:
        """Reserve of ``token`` in its smallest unit."""
        return self.reserves()[str(self._token(token).address)]

    def spot(self, base) -> float:
        """Spot price of ``base`` in the other token, in raw units (quote units per base unit)."""
        return self.reserve(self.other(base)) / self.reserve(base)

    def add_liquidity(self, provider, amounts: dict) -> int:
        """Transfer ``{token: units}`` to the pair and ``mint`` LP shares to ``provider``.

        The tokens are minted to ``provider`` first if they are ``MintableERC20``
        mocks with too small a balance.
        """
        for tok, n in amounts.items():
            t = self._token(tok)
            short = int(n) - t.balanceOf(provider)
            if short > 0:
                t.mint(provider, short)
            t.transfer(self.address, int(n), sender=provider)
        return self.contract.mint(provider, sender=provider)

    def amount_out(self, token_in, amount_in: int) -> int:
        """Output of selling ``amount_in`` units of ``token_in`` now (``getAmountOut``)."""
        return get_amount_out(int(amount_in), self.reserve(token_in), self.reserve(self.other(token_in)))

    def swap(self, trader, token_in, amount_in: int) -> int:
        """Sell ``amount_in`` units of ``token_in`` from ``trader``; return the units received."""
        t_in = self._token(token_in)
        out = self.amount_out(t_in, amount_in)
        t_in.transfer(self.address, int(amount_in), sender=trader)
        if self.is_token0(t_in):
            self.contract.swap(0, out, trader, b"", sender=trader)
        else:
            self.contract.swap(out, 0, trader, b"", sender=trader)
        return out

    def sync(self) -> None:
        """``sync()``: set the reserves to the balances and accumulate the price for the time elapsed."""
        self.contract.sync()

    def cumulative_price(self, base) -> int:
        """``price0CumulativeLast`` or ``price1CumulativeLast`` for ``base`` (UQ112x112 x seconds)."""
        return self.contract.price0CumulativeLast() if self.is_token0(base) else \
            self.contract.price1CumulativeLast()
