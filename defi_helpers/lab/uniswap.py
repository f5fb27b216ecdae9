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
from boa.contracts.base_evm_contract import _BaseEVMContract

from .._validate import Domain, Instance, Int, Opt, check_str, contract
from . import deploy as _d
from .errors import AaveRevert, decode_revert

__all__ = ["UniswapV2", "Pair", "get_amount_out", "Q112"]

PACKAGE = "uniswap-v2-core"
#: Fixed-point unit of Uniswap v2's price accumulators (UQ112x112).
Q112 = 2**112
#: Uniswap v2 stores reserves as uint112; ``_update`` reverts ('UniswapV2: OVERFLOW') beyond this.
MAX_RESERVE = 2**112 - 1
_RESERVE_UNITS = Int(lo=1, hi=MAX_RESERVE, why="a uint112 reserve in the token's smallest unit")
_IN_UNITS = Int(lo=0, hi=MAX_RESERVE, why="smallest units; the pair's balance is a uint112")
_CONTRACT = Instance(_BaseEVMContract, text="deployed contract")
_TOKEN = Instance((_BaseEVMContract, str), text="token contract or its 0x address")


class Address(Domain):
    """An account's address: ``"0x"`` and 40 hex digits (boa's ``Address`` is such a string)."""

    type_text = "str"

    def check(self, name, value):
        check_str(name, value, max_len=42)
        if not (value.startswith("0x") and len(value) == 42
                and all(c in "0123456789abcdefABCDEF" for c in value[2:])):
            raise ValueError(f"{name} must be a 0x address of 40 hex digits; got {value!r}")
        return value

    def describe(self):
        return "a 0x address of 40 hex digits"

    def example(self):
        return boa.env.eoa


def _tx(what: str, fn, *args, **kw):
    """Send one transaction; a revert becomes :class:`~defi_helpers.lab.errors.AaveRevert` (the lab's revert)."""
    try:
        return fn(*args, **kw)
    except Exception as e:  # boa's BoaError: decode the revert string
        raise AaveRevert(what, decode_revert(e), str(e).splitlines()[0] if str(e) else "") from e


@contract(amount_in=_IN_UNITS, reserve_in=_RESERVE_UNITS, reserve_out=_RESERVE_UNITS)
def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """Uniswap v2's integer swap output for ``amount_in`` (0.3 % fee, rounded down).

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> get_amount_out(10**6, 10**9, 10**9)
    996006
    """
    fee_in = amount_in * 997
    return fee_in * reserve_out // (reserve_in * 1000 + fee_in)


class UniswapV2:
    """A ``UniswapV2Factory`` in the current boa environment."""

    @contract(factory=_CONTRACT)
    def __init__(self, factory):
        self.factory = factory

    @classmethod
    @contract(fee_to_setter=Opt(Address()))
    def deploy(cls, fee_to_setter=None) -> "UniswapV2":
        """Deploy the factory (``feeTo`` unset: no protocol fee, as on Ethereum)."""
        return cls(_d.deploy("UniswapV2Factory", fee_to_setter or boa.env.eoa, package=PACKAGE))

    @contract(token_a=_CONTRACT, token_b=_CONTRACT)
    def create_pair(self, token_a, token_b) -> "Pair":
        """``createPair(tokenA, tokenB)``; the pair orders them by address (``token0 < token1``).

        Parameters
        ----------
        {domains}

        Two different tokens; the factory reverts (:class:`~defi_helpers.lab.errors.AaveRevert`)
        if the pair exists already.
        """
        if str(token_a.address) == str(token_b.address):
            raise ValueError(f"token_b must differ from token_a; both are {token_a.address}")
        _tx("UniswapV2Factory.createPair", self.factory.createPair, token_a.address, token_b.address)
        addr = self.factory.getPair(token_a.address, token_b.address)
        return Pair(_d.at("UniswapV2Pair", addr, package=PACKAGE), token_a, token_b)


@contract(contract=_CONTRACT, token_a=_CONTRACT, token_b=_CONTRACT)
@dataclass
class Pair:
    """One deployed ``UniswapV2Pair`` and its two token contracts (each {domain:contract})."""

    contract: object
    token_a: object
    token_b: object

    @property
    def address(self):
        return self.contract.address

    def _token(self, token, name: str = "token"):
        for t in (self.token_a, self.token_b):
            if t is token or str(t.address) == str(getattr(token, "address", token)):
                return t
        raise ValueError(f"{name} must be one of the pair's two tokens; got {token!r}")

    @contract(token=_TOKEN)
    def other(self, token):
        """The pair's other token contract."""
        t = self._token(token)
        return self.token_b if t is self.token_a else self.token_a

    @contract(token=_TOKEN)
    def is_token0(self, token) -> bool:
        """Whether ``token`` is the pair's ``token0`` (the lower address)."""
        return str(self.contract.token0()) == str(self._token(token).address)

    def reserves(self) -> dict:
        """``getReserves()`` as ``{token address: reserve units}`` plus ``"timestamp"``."""
        r0, r1, ts = self.contract.getReserves()
        t0 = str(self.contract.token0())
        t1 = str(self.contract.token1())
        return {t0: r0, t1: r1, "timestamp": ts}

    @contract(token=_TOKEN)
    def reserve(self, token) -> int:
        """Reserve of ``token`` in its smallest unit."""
        return self.reserves()[str(self._token(token).address)]

    @contract(base=_TOKEN)
    def spot(self, base) -> float:
        """Spot price of ``base`` in the other token, in raw units (quote units per base unit)."""
        t = self._token(base, "base")
        r = self.reserve(t)
        if r == 0:
            raise ValueError("base: the pair holds no liquidity yet, so it has no price (add_liquidity first)")
        return self.reserve(self.other(t)) / r

    @contract(provider=Address(), amounts=Instance(dict))
    def add_liquidity(self, provider, amounts: dict) -> int:
        """Transfer ``{token: units}`` to the pair and ``mint`` LP shares to ``provider``.

        The tokens are minted to ``provider`` first if they are ``MintableERC20``
        mocks with too small a balance. ``amounts`` maps the pair's tokens to
        whole numbers of smallest units, each at most ``2**112 - 1``; the pair
        reverts (:class:`~defi_helpers.lab.errors.AaveRevert`) if the first deposit
        mints no more than its 1,000 locked shares.
        """
        checked = [(self._token(tok, "amounts"), _IN_UNITS.check(f"amounts[{tok!r}]", n))
                   for tok, n in amounts.items()]
        for t, n in checked:
            short = n - t.balanceOf(provider)
            if short > 0:
                _tx("mint", t.mint, provider, short)
            _tx("transfer to the pair", t.transfer, self.address, n, sender=provider)
        return _tx("UniswapV2Pair.mint", self.contract.mint, provider, sender=provider)

    @contract(token_in=_TOKEN, amount_in=_IN_UNITS)
    def amount_out(self, token_in, amount_in: int) -> int:
        """Output of selling ``amount_in`` units of ``token_in`` now (``getAmountOut``)."""
        t_in = self._token(token_in, "token_in")
        r_in, r_out = self.reserve(t_in), self.reserve(self.other(t_in))
        if not (r_in and r_out):
            raise ValueError("token_in: the pair holds no liquidity yet (add_liquidity first)")
        return get_amount_out(amount_in, r_in, r_out)

    @contract(trader=Address(), token_in=_TOKEN, amount_in=_IN_UNITS)
    def swap(self, trader, token_in, amount_in: int) -> int:
        """Sell ``amount_in`` units of ``token_in`` from ``trader``; return the units received.

        A transfer the trader cannot pay, or an output of zero, makes the token or the
        pair revert (:class:`~defi_helpers.lab.errors.AaveRevert`).
        """
        t_in = self._token(token_in, "token_in")
        out = self.amount_out(t_in, amount_in)
        _tx("transfer to the pair", t_in.transfer, self.address, amount_in, sender=trader)
        if self.is_token0(t_in):
            _tx("UniswapV2Pair.swap", self.contract.swap, 0, out, trader, b"", sender=trader)
        else:
            _tx("UniswapV2Pair.swap", self.contract.swap, out, 0, trader, b"", sender=trader)
        return out

    def sync(self) -> None:
        """``sync()``: set the reserves to the balances and accumulate the price for the time elapsed."""
        _tx("UniswapV2Pair.sync", self.contract.sync)

    @contract(base=_TOKEN)
    def cumulative_price(self, base) -> int:
        """``price0CumulativeLast`` or ``price1CumulativeLast`` for ``base`` (UQ112x112 x seconds)."""
        t = self._token(base, "base")
        return self.contract.price0CumulativeLast() if self.is_token0(t) else \
            self.contract.price1CumulativeLast()
