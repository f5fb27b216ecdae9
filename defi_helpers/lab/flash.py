"""Flash loans on Aave v3.0.2's own Pool, and what they are for, each in one real transaction.

The chapter on flash loans runs these on the lab's contracts (see
:mod:`defi_helpers.lab.market` for the Aave market, :mod:`.uniswap` for the
Uniswap v2 pairs, ``contracts/*.vy`` for the receivers the handbook writes):

* :meth:`FlashLab.keep_the_money` -- a receiver that does not repay: the
  transaction reverts and the pool is exactly as before;
* :meth:`FlashLab.arbitrage` -- buy WETH in one Uniswap v2 pair and sell it in
  another with a ``flashLoanSimple`` (``FlashStrategies.vy``);
* :meth:`FlashLab.flash_liquidation` -- repay half of an unhealthy borrower's
  debt with flash-borrowed USDC through ``Pool.liquidationCall``, sell the
  collateral in a pair, repay;
* :meth:`FlashLab.one_shot_loop` -- ``Pool.flashLoan`` with
  ``interestRateModes = [2]``: the flash-borrowed USDC buys WETH that is
  supplied for the user, and the pool opens the loan as the user's variable
  debt instead of pulling it back (``OneShotLoop.vy``).

Every scenario runs inside a snapshot (``boa.env.anchor``): it returns what
happened and leaves the lab as it found it, so scenarios can run in any order.

Set-up (:meth:`FlashLab.deploy`): the Aave market of
:meth:`~defi_helpers.lab.market.AaveMarket.deploy` (2023-10-31 parameters of
Aave v3 Ethereum) with WETH at $2,000 and USDC at $1, 50 million dollars of
WETH and of USDC supplied by a "whale", a flash-loan premium of 5 bps (Aave v3's
default, :data:`defi_helpers.flashloans.AAVE_V3_FLASH_PREMIUM_BPS`) and, as a
lab choice, ``FLASHLOAN_PREMIUM_TO_PROTOCOL`` = 4,000 bps (40 % *of the
premium* in v3.0.2; from v3.4 the whole premium goes to the treasury); two
Uniswap v2 WETH/USDC pairs, ``pair_a`` (1,000 WETH / 2,000,000 USDC) and
``pair_b`` (1,000 WETH / 2,200,000 USDC).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._validate import Bool, Finite, Instance, Int, Opt, Real, Str, contract
from . import vyper
from .errors import ERRORS, decode_revert
from .market import AaveMarket, Symbol, Who
from .uniswap import UniswapV2

__all__ = ["FlashLab", "LabRun", "PREMIUM_TO_PROTOCOL_BPS", "premium_table"]

#: The lab's ``FLASHLOAN_PREMIUM_TO_PROTOCOL``: 4,000 bps = 40 % of the premium (a lab choice, not a
#: deployed value; v3.0.2 reads it in bps of the premium, FlashLoanLogic._handleFlashLoanRepayment).
PREMIUM_TO_PROTOCOL_BPS = 4_000

#: Dollar and token amounts the scenarios accept: > 0 and at most a trillion (more than any market holds;
#: a Uniswap v2 reserve is a uint112, 5.2e15 WETH or 5.2e27 USDC).
_USD = Real(lo=0, lo_open=True, hi=1e12, scalar=True, why="at most a trillion")
_ETH = Real(lo=0, lo_open=True, hi=1e9, scalar=True, why="at most a billion WETH")
_BPS = Int(lo=0, hi=10_000, why="basis points")


@contract(reverted=Bool(), reason=Opt(Str(nonempty=False, max_len=10_000)), values=Instance(dict))
@dataclass(frozen=True)
class LabRun:
    """One transaction run in the lab: did it revert, why, and the numbers it moved.

    ``reverted`` {domain:reverted}; ``reason`` the decoded revert string or None;
    ``values`` a dict of what the run measured.
    """

    reverted: bool
    reason: str | None
    values: dict = field(default_factory=dict)

    @property
    def reason_name(self) -> str | None:
        """Aave's ``Errors.sol`` name when the reason is one of its numeric codes, else the reason."""
        if self.reason in ERRORS:
            return f"{self.reason} {ERRORS[self.reason][0]}"
        return self.reason


def _attempt(fn, *args, **kw):
    """Run one transaction; ``(True, None)`` or ``(False, decoded revert reason)``."""
    try:
        fn(*args, **kw)
        return True, None
    except Exception as e:  # boa's BoaError: decode the revert string
        return False, decode_revert(e) or str(e).splitlines()[0]


class FlashLab:
    """The Aave market and the Uniswap v2 pairs of the flash-loan chapter."""

    def __init__(self):
        raise TypeError("use FlashLab.deploy()")

    @classmethod
    @contract(premium_bps=_BPS, premium_to_protocol_bps=_BPS, liquidity_usd=_USD)
    def deploy(cls, premium_bps: int = 5, premium_to_protocol_bps: int = PREMIUM_TO_PROTOCOL_BPS,
               liquidity_usd: float = 50e6) -> "FlashLab":
        """Deploy the market, the pairs and the strategy contracts (a few seconds).

        Parameters
        ----------
        {domains}
        """
        self = object.__new__(cls)
        m = AaveMarket.deploy(prices={"WETH": 2_000.0, "USDC": 1.0}, flash_premium_bps=premium_bps,
                              flash_premium_to_protocol_bps=premium_to_protocol_bps)
        for symbol in ("WETH", "USDC"):     # the whale supplies only the two reserves the chapter uses
            m.supply("whale", symbol, liquidity_usd / m.price(symbol))
        self.market, self.premium_bps, self.premium_to_protocol_bps = m, premium_bps, premium_to_protocol_bps
        self.weth, self.usdc = m.tokens["WETH"], m.tokens["USDC"]
        lp = m.user("liquidity_provider")
        self.pair_a = self.new_pair(1_000, 2_000_000, lp)
        self.pair_b = self.new_pair(1_000, 2_200_000, lp)
        self.bot = m.user("bot")
        self.strategies = vyper.deploy("FlashStrategies", m.pool.address, self.bot)
        return self

    @contract(weth=_ETH, usdc=_USD, provider=Opt(Who()))
    def new_pair(self, weth: float, usdc: float, provider=None):
        """A WETH/USDC Uniswap v2 pair holding ``weth`` and ``usdc`` tokens.

        A factory allows one pair per couple of tokens, so each pair gets its own
        factory: two exchanges running the same code (as SushiSwap runs Uniswap v2's).

        Parameters
        ----------
        {domains}
        """
        m = self.market
        pair = UniswapV2.deploy().create_pair(self.weth, self.usdc)
        pair.add_liquidity(m._addr(provider or "liquidity_provider"),
                           {self.weth: m.units("WETH", weth), self.usdc: m.units("USDC", usdc)})
        return pair

    # ---- 1. repay or revert ----
    def _pool_state(self, symbol: str) -> dict:
        m = self.market
        rd = m.pool.getReserveData(m.tokens[symbol].address)
        return {"pool cash": m.tokens_of(symbol, m.tokens[symbol].balanceOf(m.a_tokens[symbol].address)),
                "aToken supply": m.tokens_of(symbol, m.a_tokens[symbol].totalSupply()),
                "liquidity index (ray)": rd[1], "accruedToTreasury (scaled)": rd[12]}

    @contract(amount=_USD, symbol=Symbol())
    def keep_the_money(self, amount: float = 1_000_000, symbol: str = "USDC") -> LabRun:
        """Flash-borrow ``amount`` into ``NoRepayReceiver.vy``, which sends it to Bob's wallet.

        Parameters
        ----------
        {domains}
        """
        m = self.market
        m._sym(symbol)
        bob = m.user("bob")
        with m.snapshot():
            receiver = vyper.deploy("NoRepayReceiver", m.pool.address, bob)
            before = self._pool_state(symbol) | {"Bob's wallet": m.balance(bob, symbol)}
            ok, reason = _attempt(receiver.borrow, m.tokens[symbol].address, m.units(symbol, amount))
            after = self._pool_state(symbol) | {"Bob's wallet": m.balance(bob, symbol)}
        return LabRun(not ok, reason, {"before": before, "after": after})

    # ---- 2. arbitrage between two pairs ----
    @contract(amount_usdc=_USD)
    def arbitrage(self, amount_usdc: float) -> LabRun:
        """``FlashStrategies.arbitrage``: buy WETH in ``pair_a`` with ``amount_usdc``, sell it in ``pair_b``.

        If the round trip does not repay the loan and its premium, the strategy's own
        check (``"does not pay: proceeds below loan + premium"``) reverts the transaction.

        Parameters
        ----------
        {domains}
        """
        m = self.market
        with m.snapshot():
            before = {"pair_a price": self.pair_a.spot(self.weth) * 1e12,
                      "pair_b price": self.pair_b.spot(self.weth) * 1e12}
            ok, reason = _attempt(self.strategies.arbitrage, self.usdc.address, m.units("USDC", amount_usdc),
                                  self.weth.address, self.pair_a.address, self.pair_b.address, sender=self.bot)
            values = {"flash-borrowed (USDC)": amount_usdc,
                      "premium (USDC)": m.tokens_of("USDC", self._premium_units(m.units("USDC", amount_usdc))),
                      "bot's profit (USDC)": m.balance(self.bot, "USDC"),
                      "pair_a WETH price before": before["pair_a price"],
                      "pair_b WETH price before": before["pair_b price"],
                      "pair_a WETH price after": self.pair_a.spot(self.weth) * 1e12,
                      "pair_b WETH price after": self.pair_b.spot(self.weth) * 1e12}
        return LabRun(not ok, reason, values)

    def _premium_units(self, units: int) -> int:
        from ..flashloans import flash_loan_fee_exact

        return flash_loan_fee_exact(units, self.premium_bps)

    # ---- 3. liquidation with borrowed money ----
    @contract(eth_price=Real(lo=1e-8, hi=1e9, scalar=True, why="USD per WETH; the oracle has 8 decimals"),
              debt_to_cover=_USD, collateral_eth=_ETH, debt_usdc=_USD, returns=Finite(allow_inf=True))
    def flash_liquidation(self, eth_price: float = 1_150.0, debt_to_cover: float = 5_000.0,
                          collateral_eth: float = 10.0, debt_usdc: float = 10_000.0) -> LabRun:
        """Alice's WETH-backed USDC loan, WETH falls to ``eth_price``; a bot liquidates with a flash loan.

        The bot sells the seized WETH in a fresh pair holding 1,000 WETH at ``eth_price``.
        Alice's supply and borrow are ordinary transactions: if the market refuses them
        (a borrow beyond her collateral) they raise :class:`~defi_helpers.lab.errors.AaveRevert`.
        The health factors in ``values`` are ``inf`` when Alice has no debt left.

        Parameters
        ----------
        {domains}
        """
        m = self.market
        alice = m.user("alice")
        with m.snapshot():
            m.supply(alice, "WETH", collateral_eth)
            m.borrow(alice, "USDC", debt_usdc)
            hf0 = m.account(alice).health_factor
            m.set_price("WETH", eth_price)
            pair = self.new_pair(1_000, 1_000 * eth_price)
            hf1 = m.account(alice).health_factor
            treasury0 = m.a_tokens["WETH"].balanceOf(m.treasury)
            coll0, debt0 = m.supplied(alice, "WETH"), m.debt(alice, "USDC")
            ok, reason = _attempt(self.strategies.liquidate, self.usdc.address, m.units("USDC", debt_to_cover),
                                  self.weth.address, alice, pair.address, sender=self.bot)
            values = {"HF before the price fall": hf0, "HF at the new price": hf1,
                      "HF after liquidation": m.account(alice).health_factor,
                      "debt repaid (USDC)": debt0 - m.debt(alice, "USDC"),
                      "collateral seized (WETH)": coll0 - m.supplied(alice, "WETH"),
                      "to the treasury (WETH)": m.tokens_of("WETH", m.a_tokens["WETH"].balanceOf(m.treasury) - treasury0),
                      "premium (USDC)": m.tokens_of("USDC", self._premium_units(m.units("USDC", debt_to_cover))),
                      "bot's profit (USDC)": m.balance(self.bot, "USDC")}
        return LabRun(not ok, reason, values)

    # ---- 4. one-shot leverage ----
    @contract(equity_eth=_ETH, borrow_usdc=_USD, returns=Finite(allow_inf=True))
    def one_shot_loop(self, equity_eth: float = 10.0, borrow_usdc: float = 30_000.0) -> LabRun:
        """Carol supplies ``equity_eth`` WETH, then ``OneShotLoop.loop`` opens ``borrow_usdc`` of debt
        with ``flashLoan(..., interestRateModes=[2], onBehalfOf=carol)``, all of it invested in WETH.

        The health factor in ``values`` is ``inf`` if the loop reverted and Carol has no debt.

        Parameters
        ----------
        {domains}
        """
        m = self.market
        carol = m.user("carol")
        with m.snapshot():
            loop = vyper.deploy("OneShotLoop", m.pool.address)
            m.supply(carol, "WETH", equity_eth)
            n = m.units("USDC", borrow_usdc)
            m.debt_tokens["USDC"].approveDelegation(loop.address, n, sender=carol)
            ok, reason = _attempt(loop.loop, self.usdc.address, n, self.weth.address, self.pair_a.address,
                                  sender=carol)
            acct = m.account(carol)
            values = {"equity (WETH)": equity_eth, "collateral (WETH)": m.supplied(carol, "WETH"),
                      "debt (USDC)": m.debt(carol, "USDC"), "leverage (collateral / equity)":
                      m.supplied(carol, "WETH") / equity_eth, "health factor": acct.health_factor,
                      "premium paid (USDC)": 0.0}
        return LabRun(not ok, reason, values)


_RAY = 10**27


def _ray_mul(a: int, b: int) -> int:
    """WadRayMath.rayMul: ``(a * b + RAY/2) // RAY`` (half up)."""
    return (a * b + _RAY // 2) // _RAY


def _ray_div(a: int, b: int) -> int:
    """WadRayMath.rayDiv: ``(a * RAY + b/2) // b`` (half up)."""
    return (a * _RAY + b // 2) // b


@contract(lab=Instance(FlashLab), amount=_USD, symbol=Symbol(), returns=Finite(allow_nan=True))
def premium_table(lab: FlashLab, amount: float = 1_000_000, symbol: str = "USDC") -> "pd.DataFrame":
    """A ``flashLoanSimple`` of ``amount`` on the lab's Pool beside the integer model, in tokens.

    Rows: the premium (growth of the pool's cash), the protocol's share
    (``accruedToTreasury``, scaled by the liquidity index, then minted to the
    treasury by ``Pool.mintToTreasury`` as ``accruedToTreasury.rayMul(normalizedIncome)``,
    PoolLogic.executeMintToTreasury), the suppliers' share, and the pool's cash
    before and after. Model: :func:`defi_helpers.flashloans.flash_loan_premium_split_exact`.
    The model column is NaN in the two pool-cash rows: the model has no such number.

    Parameters
    ----------
    {domains}
    """
    import pandas as pd

    from ..flashloans import flash_loan_premium_split_exact

    m = lab.market
    m._sym(symbol)
    with m.snapshot():
        out = m.flash_loan(symbol, amount, simple=True)
        accrued = out.raw["accrued_to_treasury_scaled"]
        minted = _ray_mul(accrued, m.pool.getReserveNormalizedIncome(m.tokens[symbol].address))
    model = flash_loan_premium_split_exact(out.raw["amount"], lab.premium_bps, lab.premium_to_protocol_bps)
    t = m.tokens_of
    rows = {
        "premium": (out.raw["premium"], model["premium"]),
        "to the treasury (minted by mintToTreasury)": (minted, model["to_protocol"]),
        "to suppliers": (out.raw["premium"] - minted, model["to_suppliers"]),
        "pool's cash before": (out.raw["pool_balance_before"], None),
        "pool's cash after": (out.raw["pool_balance_after"], None),
    }
    return pd.DataFrame({f"Aave's Pool ({symbol})": {k: t(symbol, v[0]) for k, v in rows.items()},
                         f"model ({symbol})": {k: (t(symbol, v[1]) if v[1] is not None else float("nan"))
                                               for k, v in rows.items()}})
