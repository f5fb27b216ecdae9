"""The spot-oracle attack, executed end to end on real contracts -- and a TWAP resisting it.

One transaction, sent by the attacker to ``OracleAttacker.vy``:

1. flash-borrow ``pump + collateral`` USDC from Aave v3.0.2's Pool (``flashLoanSimple``);
2. buy ``collateral`` dollars of TKN at the fair price ($1) from a fixed-price depot
   (``Depot.vy``; in bZx-2 the Synthetix depot);
3. sell ``pump`` USDC into the Uniswap v2 TKN/USDC pair (``@uniswap/v2-core`` 1.0.1)
   that the lender reads: TKN's spot price rises;
4. deposit the depot's TKN in the lender (``PairLender.vy``) and borrow all it allows;
5. let Aave pull back the loan and its premium; keep the rest.

The lender is the same contract twice, over two oracles reading the same pair:
``SpotOracle.vy`` (``getReserves`` now -- what bZx did) and ``TwapOracle.vy``
(the average of Uniswap v2's ``price0CumulativeLast`` / ``price1CumulativeLast``
over a window of at least 30 minutes that closed before the attack). Against
the spot lender the attack pays; against the TWAP lender the loan is sized at
the honest price, cannot repay the flash loan, and the whole transaction
reverts.

Numbers are reported in dollars at the fair price ($1 per TKN): the
attacker's profit is the USDC and TKN they end with; the lender's loss is the
USDC lent minus the value of the collateral it holds. The model
:func:`defi_helpers.flashloans.spot_oracle_attack` computes the same quantities
in floating point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .._validate import Bool, Choice, Domain, Finite, Instance, Opt, Real, Str, contract
from . import deploy as _d
from . import vyper
from .flash import _attempt
from .market import AaveMarket
from .uniswap import UniswapV2

__all__ = ["OracleAttackLab", "AttackRun", "TWAP_PERIOD_SECONDS"]

#: Window of the TWAP oracle: 30 minutes (1,800 s), about 150 Ethereum blocks of 12 s.
TWAP_PERIOD_SECONDS = 1_800
_TKN_PER_USDC_UNIT = 10**12   # TKN has 18 decimals, USDC 6: $1 per TKN
#: Dollar amounts the scenario accepts: at most a trillion (a Uniswap v2 reserve is a uint112: 5.2e27 USDC).
_USD = Real(lo=0, lo_open=True, hi=1e12, scalar=True, why="US dollars, at most a trillion")
_USD0 = Real(lo=0, hi=1e12, scalar=True, why="US dollars, at most a trillion")


class _NanIfReverted(Domain):
    """A price >= 0, or NaN for a transaction that reverted (no price was read)."""

    type_text = "float"

    def check(self, name, value):
        if isinstance(value, float) and math.isnan(value):
            return value
        return Real(lo=0, scalar=True).check(name, value)

    def describe(self):
        return ">= 0, or nan if the transaction reverted"

    def example(self):
        return 1.0


@contract(oracle=Choice("spot", "TWAP"), reverted=Bool(), reason=Opt(Str(nonempty=False, max_len=10_000)),
          price_before=Real(lo=0, lo_open=True, scalar=True), price_seen=_NanIfReverted(),
          borrowed=Real(lo=0, scalar=True), flash_premium=Real(lo=0, scalar=True),
          attacker_profit=Real(scalar=True), lender_loss=Real(scalar=True),
          lender_cash_before=Real(lo=0, scalar=True), lender_cash_after=Real(lo=0, scalar=True),
          returns=Finite(allow_nan=True))
@dataclass(frozen=True)
class AttackRun:
    """What one attack transaction did, in tokens and dollars at the fair price.

    Checked on construction; ``price_seen`` is {domain:price_seen}.
    """

    oracle: str
    reverted: bool
    reason: str | None
    price_before: float
    """Pair's TKN price before the transaction (USDC per TKN)."""
    price_seen: float
    """Price the lender values TKN at: the spot after the pump (nan if reverted), or the TWAP."""
    borrowed: float
    flash_premium: float
    attacker_profit: float
    lender_loss: float
    lender_cash_before: float
    lender_cash_after: float


class OracleAttackLab:
    """Aave market, the TKN/USDC pair, the depot, the two lenders and the attacker."""

    def __init__(self):
        raise TypeError("use OracleAttackLab.deploy()")

    @classmethod
    @contract(pool_usdc=_USD, pool_tkn=_USD, lender_usdc=_USD,
              ltv=Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True, why="a loan-to-value fraction"),
              market=Opt(Instance(AaveMarket)))
    def deploy(cls, pool_usdc: float = 1_000_000, pool_tkn: float = 1_000_000, lender_usdc: float = 5_000_000,
               ltv: float = 0.75, market: AaveMarket | None = None) -> "OracleAttackLab":
        """Deploy the scenario; the TWAP oracle's first window (30 min) is closed at the honest price.

        Parameters
        ----------
        {domains}
        """
        self = object.__new__(cls)
        m = market or AaveMarket.deploy(prices={"USDC": 1.0}, flash_premium_bps=5, whale_liquidity_usd=50e6)
        self.market, self.ltv = m, ltv
        self.usdc = m.tokens["USDC"]
        self.tkn = _d.deploy("MintableERC20", "Lab Token", "TKN", 18)
        lp = m.user("liquidity_provider")
        self.pair = UniswapV2.deploy().create_pair(self.tkn, self.usdc)
        self.pair.add_liquidity(lp, {self.tkn: int(pool_tkn * 10**18), self.usdc: m.units("USDC", pool_usdc)})
        self.depot = vyper.deploy("Depot", self.tkn.address, self.usdc.address, _TKN_PER_USDC_UNIT)
        self.tkn.mint(self.depot.address, 10**9 * 10**18)
        self.spot_oracle = vyper.deploy("SpotOracle", self.pair.address, self.tkn.address)
        self.twap_oracle = vyper.deploy("TwapOracle", self.pair.address, self.tkn.address, TWAP_PERIOD_SECONDS)
        m.time_travel(TWAP_PERIOD_SECONDS)
        self.twap_oracle.update()
        ltv_bps = round(ltv * 10_000)
        self.lenders = {}
        for name, oracle in (("spot", self.spot_oracle), ("TWAP", self.twap_oracle)):
            lender = vyper.deploy("PairLender", self.tkn.address, self.usdc.address, oracle.address, ltv_bps)
            self.usdc.mint(lender.address, m.units("USDC", lender_usdc))
            self.lenders[name] = lender
        self.attacker = m.user("eve")
        self.attack_contracts = {
            name: vyper.deploy("OracleAttacker", m.pool.address, self.usdc.address, self.tkn.address,
                               self.pair.address, self.depot.address, lender.address, self.attacker)
            for name, lender in self.lenders.items()}
        return self

    def _usdc(self, who) -> float:
        return self.usdc.balanceOf(who) / 10**6

    def _tkn(self, who) -> float:
        return self.tkn.balanceOf(who) / 10**18

    @contract()
    def price(self) -> float:
        """The pair's TKN spot price in USDC."""
        return self.pair.spot(self.tkn) * 10**12

    @contract(oracle=Choice("spot", "TWAP"), pump_usdc=_USD0, collateral_usdc=_USD, returns=Finite(allow_nan=True))
    def attack(self, oracle: str = "spot", pump_usdc: float = 1_000_000,
               collateral_usdc: float = 1_000_000) -> AttackRun:
        """Send the attack transaction against the ``"spot"`` or ``"TWAP"`` lender (in a snapshot).

        Parameters
        ----------
        {domains}

        Returns
        -------
        AttackRun
            Its ``price_seen`` is NaN when the spot attack reverted (no price was read).
        """
        m, lender, contract = self.market, self.lenders[oracle], self.attack_contracts[oracle]
        pump, coll = m.units("USDC", pump_usdc), m.units("USDC", collateral_usdc)
        with m.snapshot():
            p0 = self.price()
            cash0 = self._usdc(lender.address)
            ok, reason = _attempt(contract.attack, pump, coll, sender=self.attacker)
            cash1 = self._usdc(lender.address)
            borrowed = contract.borrowed() / 10**6 if ok else 0.0
            collateral_tkn = lender.collateral_of(contract.address) / 10**18
            if oracle == "TWAP":   # the stored average: no trade in this transaction can move it
                seen = self.twap_oracle.value_of(10**18) / 10**6
            else:
                seen = borrowed / (self.ltv * collateral_tkn) if ok and collateral_tkn else float("nan")
            profit = self._usdc(self.attacker) + self._tkn(self.attacker) * p0
            from ..flashloans import flash_loan_fee_exact

            premium = flash_loan_fee_exact(pump + coll, int(m.pool.FLASHLOAN_PREMIUM_TOTAL())) / 10**6 if ok else 0.0
            loss = borrowed - collateral_tkn * p0 if ok else 0.0
        return AttackRun(oracle=oracle, reverted=not ok, reason=reason, price_before=p0, price_seen=seen,
                         borrowed=borrowed, flash_premium=premium, attacker_profit=profit, lender_loss=loss,
                         lender_cash_before=cash0, lender_cash_after=cash1)

    @contract(pump_usdc=_USD0, collateral_usdc=_USD, returns=Finite(allow_nan=True))
    def table(self, pump_usdc: float = 1_000_000, collateral_usdc: float = 1_000_000) -> pd.DataFrame:
        """The attack against both lenders, one row each, beside the model's numbers.

        Columns: ``oracle``, ``reverted``, ``price_seen`` (USDC per TKN), ``borrowed``,
        ``flash_premium``, ``attacker_profit``, ``lender_loss`` (USD at $1 per TKN), and
        the model's ``model_price_seen``, ``model_borrowed``, ``model_attacker_profit``,
        ``model_lender_loss`` (:func:`defi_helpers.flashloans.spot_oracle_attack` for the
        spot lender; for the TWAP lender the model has no row: nan).

        Parameters
        ----------
        {domains}
        """
        from ..flashloans import spot_oracle_attack

        r_usdc = self.pair.reserve(self.usdc) / 10**6
        r_tkn = self.pair.reserve(self.tkn) / 10**18
        model = spot_oracle_attack(pump_usdc, r_usdc, r_tkn, collateral_usdc, self.ltv, fee=0.003,
                                   flash_premium_bps=int(self.market.pool.FLASHLOAN_PREMIUM_TOTAL()))
        rows = []
        for name in self.lenders:
            run = self.attack(name, pump_usdc, collateral_usdc)
            is_spot = name == "spot"
            nan = float("nan")
            rows.append({"oracle": name, "reverted": run.reverted, "revert reason": run.reason or "",
                         "price_seen": run.price_seen, "borrowed": run.borrowed,
                         "flash_premium": run.flash_premium, "attacker_profit": run.attacker_profit,
                         "lender_loss": run.lender_loss,
                         "model_price_seen": model.price_after if is_spot else nan,
                         "model_borrowed": model.borrowed if is_spot else nan,
                         "model_attacker_profit": model.profit if is_spot else nan,
                         "model_lender_loss": model.borrowed - collateral_usdc if is_spot else nan})
        return pd.DataFrame(rows)
