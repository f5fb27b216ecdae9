"""A local Aave v3.0.2 market, deployed from Aave's own bytecode, with verbs a reader knows.

Usage (not a doctest: it needs the artifact cache)::

    from defi_helpers.lab import AaveMarket
    m = AaveMarket.deploy()                   # a fresh market, 6 reserves, about 0.3-1 s
    m.supply("alice", "WETH", 10)
    m.borrow("alice", "USDC", 12_000)
    m.account("alice").health_factor          # 1.2567...
    m.set_price("WETH", 1_400)
    m.liquidate("bob", "alice", "WETH", "USDC")

What runs: ``Pool``, ``PoolConfigurator``, ``PoolAddressesProvider``,
``ACLManager``, ``AaveOracle``, ``AToken``, ``StableDebtToken``,
``VariableDebtToken``, ``DefaultReserveInterestRateStrategy`` and the logic
libraries of ``@aave/core-v3`` 1.19.3 (``aave/aave-v3-core`` tag v1.19.3 =
protocol v3.0.2), in titanoboa's py-evm, offline. Tokens are Aave's
``MintableERC20`` mocks, prices Aave's ``MockAggregator`` (8 decimals, USD
base, as on Ethereum), the flash-loan receiver Aave's ``MockFlashLoanReceiver``.
Licence: BUSL-1.1 (non-production use, which this is); see
:mod:`defi_helpers.lab.artifacts`.

Configuration: each reserve's LTV, liquidation threshold and bonus, protocol
fee, reserve factor, rate curve, caps and E-Mode category come from the
handbook's dataset ``aave_v3_ethereum_reserves`` (Aave v3 Ethereum on
2023-10-31, BGD Labs' configuration report); E-Mode category 1 "ETH
correlated" (LTV 90 %, LT 93 %, bonus 1 %) from ``aave_emode_categories``
(row of 2023-10-31), the same values as ``eModes["1"]`` in
``/work/shared/reference/aave/aave-v3-ethereum-config-20231031.json``
(bgd-labs/aave-proposals-v3 ``reports/AaveV3Ethereum_UpgradeAaveV3ETHPooolWETHParameters_20231031_after.json``).
Prices default to the dataset's ``oracle_price_usd`` of the same date.

What differs from Aave today (v3.1--v3.5): the v3.3 close-factor rule (50 %
cap only for positions worth >= $2,000), v3.4's flash-loan fees all to the
treasury and Taylor-series compounding, v3.2 liquid E-Modes, the removal of
stable-rate borrowing. This market runs v3.0.2's rules only.

References
----------
aave/aave-v3-core v1.19.3: ``contracts/protocol/pool/Pool.sol``,
``contracts/protocol/pool/PoolConfigurator.sol``,
``contracts/protocol/configuration/PoolAddressesProvider.sol`` (``setPoolImpl``
deploys the proxy and calls ``initialize``), ``contracts/misc/AaveOracle.sol``,
``contracts/protocol/libraries/logic/GenericLogic.sol``
(``calculateUserAccountData``), ``.../LiquidationLogic.sol``,
``.../FlashLoanLogic.sol``. Deployment order: aave/aave-v3-deploy
``deploy/00_core`` to ``deploy/02_market`` (provider, ACL, libraries, Pool and
PoolConfigurator behind proxies, oracle, token implementations, ``initReserves``,
risk parameters).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from decimal import Decimal

import boa
import pandas as pd
from boa.contracts.base_evm_contract import _BaseEVMContract

from .._validate import Bool, Domain, Finite, Instance, Int, Opt, Real, Str, check_number, check_str, contract
from . import deploy as _d
from .errors import AaveRevert, decode_revert

__all__ = ["AaveMarket", "Account", "Reserve", "LiquidationOutcome", "FlashLoanOutcome",
           "WAD", "RAY", "BASE_UNIT", "MAX_UINT"]

WAD = 10**18
RAY = 10**27
#: AaveOracle's base currency unit: USD with 8 decimals, as on Aave v3 Ethereum.
BASE_UNIT = 10**8
MAX_UINT = 2**256 - 1
_LIBS = ["SupplyLogic", "BorrowLogic", "LiquidationLogic", "EModeLogic", "BridgeLogic", "PoolLogic"]
_ZERO = "0x" + "00" * 20


# --- input domains of the lab's verbs (declared with @contract: checked before any transaction) ---------

#: Largest amount of tokens a verb accepts: 1e50 tokens is 1e68 smallest units at 18 decimals, inside a
#: uint256 (about 1.16e77); the contracts refuse far smaller amounts themselves (caps, balances) by reverting.
MAX_TOKENS = 1e50
#: Largest USD price: ``MockAggregator`` stores an int256 answer with 8 decimals (about 5.8e68 USD).
MAX_PRICE_USD = 1e60


class Symbol(Domain):
    """A reserve's symbol (``"WETH"``): a short string, checked against the market's own reserves by the verb."""

    type_text = "str"

    def check(self, name, value):
        return check_str(name, value, max_len=32)

    def describe(self):
        return "the symbol of one of the market's reserves (e.g. 'WETH', 'USDC')"

    def example(self):
        return "USDC"


class Who(Domain):
    """A user: a name (``"alice"``, an address is made for it) or an address (``"0x"`` and 40 hex digits)."""

    type_text = "str"

    def check(self, name, value):
        check_str(name, value, max_len=100)
        if value.startswith("0x") and not (len(value) == 42 and all(c in "0123456789abcdefABCDEF" for c in value[2:])):
            raise ValueError(f"{name} must be a user's name or a 0x address of 40 hex digits; got {value!r}")
        return value

    def describe(self):
        return "a user's name ('alice') or a 0x address"

    def example(self):
        return "alice"


class Amount(Domain):
    """An amount of tokens: a finite number (``int``, ``float`` or ``Decimal``) > 0, or ``"max"`` where allowed.

    The value is returned unchanged (an ``int`` or a ``Decimal`` keeps every digit; :meth:`AaveMarket.units`
    converts through ``Decimal(str(x))``).
    """

    def __init__(self, max_ok: bool = False, zero_ok: bool = False):
        self.max_ok, self.zero_ok = max_ok, zero_ok
        self.type_text = "float or 'max'" if max_ok else "float"

    def check(self, name, value):
        if self.max_ok and isinstance(value, str) and value in ("max", "all"):
            return value
        if isinstance(value, Decimal):
            if not value.is_finite() or value < 0 or (value == 0 and not self.zero_ok) or value > Decimal(MAX_TOKENS):
                raise ValueError(f"{name} must be {self.describe()}; got {value!r}")
            return value
        try:
            check_number(name, value, lo=0, lo_open=not self.zero_ok, hi=MAX_TOKENS, why="tokens")
        except ValueError:
            raise ValueError(f"{name} must be {self.describe()}; got {value!r}") from None
        return float(value) if not isinstance(value, (int, float)) else value

    def describe(self):
        rng = f"{'>= 0' if self.zero_ok else '> 0'} and <= {MAX_TOKENS:g} tokens"
        return f"a number of tokens {rng}" + (", or 'max'" if self.max_ok else "")

    def example(self):
        return 1_000.0


_UNITS = Opt(Int(lo=0, hi=2**256 - 1, why="a uint256 in the token's smallest unit"))
_CONTRACT = Instance(_BaseEVMContract, text="deployed contract")


def _raw(x: Decimal | float | int | str, scale: int) -> int:
    """``x * scale`` as an integer, through ``Decimal(str(x))`` so 0.1 stays 0.1."""
    return int((Decimal(str(x)) * scale).to_integral_value())


def _hf(raw: int) -> float:
    return float("inf") if raw == MAX_UINT else raw / WAD


# --- results: human units beside the raw integers ----------------------------------------------

_USD = Real(lo=0, scalar=True, why="US dollars")
_FRACTION = Real(lo=0, hi=1, scalar=True, why="a fraction")
_HF = Real(lo=0, allow_inf=True, scalar=True, why="inf when there is no debt")
_TOK = Real(lo=0, scalar=True, why="tokens")


@contract(total_collateral_usd=_USD, total_debt_usd=_USD, available_borrows_usd=_USD,
          liquidation_threshold=_FRACTION, ltv=_FRACTION, health_factor=_HF, raw=Instance(dict),
          returns=Finite(allow_inf=True))
@dataclass(frozen=True)
class Account:
    """``Pool.getUserAccountData``: a position in USD and fractions, with the raw integers.

    ``health_factor`` is ``inf`` when there is no debt (the contract returns
    ``type(uint256).max``). ``liquidation_threshold`` and ``ltv`` are the
    collateral-value-weighted averages, which the contract rounds *down* to
    whole basis points (GenericLogic.calculateUserAccountData).
    """

    total_collateral_usd: float
    total_debt_usd: float
    available_borrows_usd: float
    liquidation_threshold: float
    ltv: float
    health_factor: float
    raw: dict = field(repr=False)
    """``totalCollateralBase``, ``totalDebtBase``, ``availableBorrowsBase`` (USD, 8 decimals),
    ``currentLiquidationThreshold``, ``ltv`` (bps), ``healthFactor`` (wad)."""


@contract(symbol=Str(max_len=32), liquidity_rate=Real(lo=0, scalar=True), variable_borrow_rate=Real(lo=0, scalar=True),
          liquidity_index=Real(lo=0, scalar=True), variable_borrow_index=Real(lo=0, scalar=True),
          last_update=Int(lo=0), accrued_to_treasury=_TOK, raw=Instance(dict))
@dataclass(frozen=True)
class Reserve:
    """``Pool.getReserveData`` of one reserve, rates as annual fractions, indexes as floats."""

    symbol: str
    liquidity_rate: float
    variable_borrow_rate: float
    liquidity_index: float
    variable_borrow_index: float
    last_update: int
    accrued_to_treasury: float
    """Treasury's share not yet minted, in tokens (scaled amount times the liquidity index)."""
    raw: dict = field(repr=False)


@contract(collateral=Str(max_len=32), debt=Str(max_len=32), debt_repaid=_TOK, collateral_to_liquidator=_TOK,
          collateral_to_treasury=_TOK, collateral_seized=_TOK, health_factor_before=_HF,
          health_factor_after=_HF, raw=Instance(dict), returns=Finite(allow_inf=True))
@dataclass(frozen=True)
class LiquidationOutcome:
    """What one ``liquidationCall`` moved, in tokens (and the raw units)."""

    collateral: str
    debt: str
    debt_repaid: float
    """Debt asset the liquidator paid (= the borrower's debt reduction)."""
    collateral_to_liquidator: float
    collateral_to_treasury: float
    """The liquidation protocol fee, sent as aTokens to the treasury."""
    collateral_seized: float
    """Borrower's collateral reduction: liquidator's part plus the treasury's."""
    health_factor_before: float
    health_factor_after: float
    raw: dict = field(repr=False)


@contract(symbol=Str(max_len=32), amount=_TOK, premium=_TOK, premium_to_protocol=_TOK,
          premium_to_suppliers=_TOK, pool_balance_before=_TOK, pool_balance_after=_TOK, raw=Instance(dict))
@dataclass(frozen=True)
class FlashLoanOutcome:
    """What one flash loan cost and where the premium went (tokens, and raw units)."""

    symbol: str
    amount: float
    premium: float
    premium_to_protocol: float
    """Added to the reserve's ``accruedToTreasury`` (reaches the treasury on ``mintToTreasury``)."""
    premium_to_suppliers: float
    pool_balance_before: float
    """Underlying held by the aToken contract (the pool's cash) before the loan."""
    pool_balance_after: float
    raw: dict = field(repr=False)


# --- the market ----------------------------------------------------------------------------------

class AaveMarket:
    """A deployed Aave v3.0.2 market in the current boa environment.

    Build one with :meth:`deploy`; users are names (``"alice"``), assets are
    symbols (``"WETH"``); amounts are in tokens unless a ``units=`` integer is
    given. Every state-changing verb raises :class:`~defi_helpers.lab.errors.AaveRevert`
    (with Aave's error name) when the contract reverts.
    """

    def __init__(self):
        raise TypeError("use AaveMarket.deploy(...)")

    # ---- deployment ----
    @classmethod
    @contract(reserves=Opt(Instance(pd.DataFrame)), emode=Bool(), caps=Bool(), prices=Opt(Instance(dict)),
              flash_premium_bps=Int(lo=0, hi=10_000, why="basis points of the amount"),
              flash_premium_to_protocol_bps=Int(lo=0, hi=10_000, why="basis points of the premium"),
              whale_liquidity_usd=Real(lo=0, hi=1e15, scalar=True, why="US dollars of each reserve"))
    def deploy(cls, reserves=None, emode: bool = True, caps: bool = True, prices: dict | None = None,
               flash_premium_bps: int = 5, flash_premium_to_protocol_bps: int = 0,
               whale_liquidity_usd: float = 0.0) -> "AaveMarket":
        """Deploy and configure a market; about 0.3 s.

        Parameters
        ----------
        reserves : pandas.DataFrame, optional
            One row per reserve with the columns of the dataset
            ``aave_v3_ethereum_reserves`` (the default: its six reserves on 2023-10-31).
        emode : bool, default True
            Create E-Mode category 1 "ETH correlated" (LTV 90 %, LT 93 %, bonus 1 %;
            2023-10-31) and put the reserves whose ``emode_category`` is 1 in it.
        caps : bool, default True
            Apply the dataset's supply and borrow caps (whole tokens).
        prices : dict, optional
            Symbol -> USD price; default the dataset's ``oracle_price_usd`` (2023-10-31).
        flash_premium_bps, flash_premium_to_protocol_bps : int
            ``FLASHLOAN_PREMIUM_TOTAL`` (bps of the amount; 5 = Aave v3's default 0.05 %,
            :data:`defi_helpers.flashloans.AAVE_V3_FLASH_PREMIUM_BPS`) and
            ``FLASHLOAN_PREMIUM_TO_PROTOCOL`` (bps *of the premium* in v3.0.2). The
            1.19.3 ``Pool.initialize`` leaves both at 0; they are set through
            ``PoolConfigurator.updateFlashloanPremium*``.
        whale_liquidity_usd : float, default 0
            If > 0, a user ``"whale"`` supplies this much USD of every reserve so
            that others can borrow; {domain:whale_liquidity_usd}.

        Every argument is checked before anything is deployed: ``prices`` maps
        the reserves' symbols to prices > 0, and ``reserves`` has the dataset's columns.
        """
        from ..data import load

        t0 = time.perf_counter()
        self = object.__new__(cls)
        if reserves is None:
            reserves = load("aave_v3_ethereum_reserves")
        needed = {"asset", "decimals", "oracle_price_usd", "optimal_usage", "base_rate", "slope1", "slope2",
                  "ltv", "liquidation_threshold", "liquidation_bonus", "reserve_factor",
                  "liquidation_protocol_fee", "supply_cap", "borrow_cap", "emode_category"}
        if reserves.empty or not needed <= set(reserves.columns):
            raise ValueError(f"reserves must be a non-empty table with the columns of aave_v3_ethereum_reserves; "
                             f"missing {sorted(needed - set(reserves.columns))}")
        for s, v in (prices or {}).items():
            if s not in set(reserves["asset"]):
                raise ValueError(f"prices must map the reserves' symbols {list(reserves['asset'])}; got {s!r}")
            check_number(f"prices[{s!r}]", v, lo=0, lo_open=True, hi=MAX_PRICE_USD)
        self.params = reserves.reset_index(drop=True).copy()
        self.env = boa.env
        self.admin = boa.env.eoa
        self.treasury = boa.env.generate_address("treasury")
        self._users = {"admin": self.admin, "treasury": self.treasury}

        provider = _d.deploy("PoolAddressesProvider", "Aave Lab Market", self.admin)
        provider.setACLAdmin(self.admin)
        acl = _d.deploy("ACLManager", provider.address)
        provider.setACLManager(acl.address)
        acl.addPoolAdmin(self.admin)
        acl.addEmergencyAdmin(self.admin)

        libs = {}
        for name in _LIBS:
            libs[name] = str(_d.deploy(name).address)
        libs["FlashLoanLogic"] = str(_d.deploy("FlashLoanLogic", libraries=libs).address)
        libs["ConfiguratorLogic"] = str(_d.deploy("ConfiguratorLogic").address)

        pool_impl = _d.deploy("Pool", provider.address, libraries=libs)
        pool_impl.initialize(provider.address)
        provider.setPoolImpl(pool_impl.address)
        pool = _d.at("Pool", provider.getPool())
        conf_impl = _d.deploy("PoolConfigurator", libraries=libs)
        conf_impl.initialize(provider.address)
        provider.setPoolConfiguratorImpl(conf_impl.address)
        conf = _d.at("PoolConfigurator", provider.getPoolConfigurator())

        symbols = list(self.params["asset"])
        px = {s: float(p) for s, p in zip(symbols, self.params["oracle_price_usd"])}
        px.update(prices or {})
        tokens, aggs = {}, {}
        for row in self.params.itertuples():
            tokens[row.asset] = _d.deploy("MintableERC20", f"Lab {row.asset}", row.asset, int(row.decimals))
            aggs[row.asset] = _d.deploy("MockAggregator", _raw(px[row.asset], BASE_UNIT))
        oracle = _d.deploy("AaveOracle", provider.address, [str(tokens[s].address) for s in symbols],
                           [str(aggs[s].address) for s in symbols], _ZERO, _ZERO, BASE_UNIT)
        provider.setPriceOracle(oracle.address)

        a_impl = _d.deploy("AToken", pool.address)
        s_impl = _d.deploy("StableDebtToken", pool.address)
        v_impl = _d.deploy("VariableDebtToken", pool.address)
        inputs = []
        for row in self.params.itertuples():
            strategy = _d.deploy("DefaultReserveInterestRateStrategy", provider.address,
                                 _raw(row.optimal_usage, RAY), _raw(row.base_rate, RAY),
                                 _raw(row.slope1, RAY), _raw(row.slope2, RAY), 0, 0, 0, 0, 0)
            s = row.asset
            inputs.append((str(a_impl.address), str(s_impl.address), str(v_impl.address), int(row.decimals),
                           str(strategy.address), str(tokens[s].address), str(self.treasury), _ZERO,
                           f"Aave Lab {s}", f"a{s}", f"Aave Lab Variable Debt {s}", f"variableDebt{s}",
                           f"Aave Lab Stable Debt {s}", f"stableDebt{s}", b""))
        conf.initReserves(inputs)

        if emode:
            conf.setEModeCategory(1, 9000, 9300, 10100, _ZERO, "ETH correlated")
        for row in self.params.itertuples():
            a = str(tokens[row.asset].address)
            conf.configureReserveAsCollateral(a, _raw(row.ltv, 10**4), _raw(row.liquidation_threshold, 10**4),
                                              10**4 + _raw(row.liquidation_bonus, 10**4))
            conf.setReserveBorrowing(a, True)
            conf.setReserveFactor(a, _raw(row.reserve_factor, 10**4))
            conf.setLiquidationProtocolFee(a, _raw(row.liquidation_protocol_fee, 10**4))
            conf.setReserveFlashLoaning(a, True)
            if caps:
                conf.setSupplyCap(a, int(row.supply_cap))
                conf.setBorrowCap(a, int(row.borrow_cap))
            if emode and int(row.emode_category) == 1:
                conf.setAssetEModeCategory(a, 1)
        conf.updateFlashloanPremiumTotal(int(flash_premium_bps))
        conf.updateFlashloanPremiumToProtocol(int(flash_premium_to_protocol_bps))

        self.provider, self.acl, self.pool, self.configurator, self.oracle = provider, acl, pool, conf, oracle
        self.libraries = libs
        self.tokens = tokens
        self.decimals = {row.asset: int(row.decimals) for row in self.params.itertuples()}
        self.a_tokens, self.debt_tokens = {}, {}
        for s in symbols:
            rd = pool.getReserveData(tokens[s].address)
            self.a_tokens[s] = _d.at("AToken", rd[8])
            self.debt_tokens[s] = _d.at("VariableDebtToken", rd[10])
        # Deployed now, not on first use: a contract deployed inside a snapshot vanishes on exit.
        self.receiver = _d.deploy("MockFlashLoanReceiver", provider.address)
        self.simple_receiver = _d.deploy("MockFlashLoanSimpleReceiver", provider.address)
        self.deploy_seconds = time.perf_counter() - t0
        if whale_liquidity_usd > 0:
            for s in symbols:
                self.supply("whale", s, Decimal(str(whale_liquidity_usd)) / Decimal(str(px[s])))
        return self

    # ---- names, units, snapshots ----
    @contract(name=Str(max_len=100))
    def user(self, name: str):
        """Address of the user called ``name`` (created on first use)."""
        if name not in self._users:
            self._users[name] = boa.env.generate_address(name)
        return self._users[name]

    def _addr(self, who):
        return self.user(who) if isinstance(who, str) and not who.startswith("0x") else who

    def _sym(self, symbol: str, name: str = "symbol") -> str:
        if not isinstance(symbol, str) or symbol not in self.tokens:
            raise ValueError(f"{name} must be one of {list(self.tokens)}; got {symbol!r}")
        return symbol

    @contract(symbol=Symbol(), amount=Amount(zero_ok=True))
    def units(self, symbol: str, amount) -> int:
        """``amount`` tokens in the token's smallest unit (``units("USDC", 1) == 10**6``).

        Parameters
        ----------
        {domains}
        """
        return _raw(amount, 10 ** self.decimals[self._sym(symbol)])

    @contract(symbol=Symbol(), units=Int(lo=-MAX_UINT, hi=MAX_UINT, why="a (signed) uint256 amount"))
    def tokens_of(self, symbol: str, units: int) -> float:
        """Smallest units back to tokens, as a float (differences of balances may be negative).

        Parameters
        ----------
        {domains}
        """
        return int(units) / 10 ** self.decimals[self._sym(symbol)]

    def _amount(self, symbol, amount, units, name="amount"):
        """Raw units of ``amount`` tokens or of ``units``: exactly one of them (checked by the contracts)."""
        if units is not None:
            if amount is not None and amount not in ("max", "all"):
                raise ValueError(f"units and {name} are alternatives: give one; got {name}={amount!r}, units={units!r}")
            return int(units)
        if amount is None:
            raise ValueError(f"{name} (tokens) or units (smallest units) must be given; got neither")
        if amount in ("max", "all"):
            return MAX_UINT
        return self.units(symbol, amount)

    @contextlib.contextmanager
    def snapshot(self):
        """``with m.snapshot(): ...`` -- everything done inside is undone on exit (``boa.env.anchor``)."""
        with boa.env.anchor():
            yield self

    @contract(seconds=Int(lo=0, hi=100 * 365 * 86_400, why="at most a century"))
    def time_travel(self, seconds: int) -> None:
        """Move the chain's clock forward by ``seconds`` (and blocks by seconds/12)."""
        boa.env.time_travel(seconds=int(seconds))

    @property
    def timestamp(self) -> int:
        return boa.env.timestamp

    def _tx(self, what: str, fn, *args, sender=None):
        try:
            return fn(*args, sender=sender)
        except Exception as e:  # boa raises BoaError and friends; decode and re-raise
            raise AaveRevert(what, decode_revert(e), str(e).splitlines()[0] if str(e) else "") from e

    # ---- balances and prices ----
    @contract(who=Who(), symbol=Symbol(), amount=Opt(Amount()), units=_UNITS)
    def mint(self, who, symbol: str, amount=None, *, units: int | None = None) -> None:
        """Give ``who`` tokens out of thin air (Aave's ``MintableERC20.mint``)."""
        self._sym(symbol)
        self._tx(f"mint {symbol}", self.tokens[symbol].mint, self._addr(who), self._amount(symbol, amount, units))

    @contract(who=Who(), symbol=Symbol())
    def balance(self, who, symbol: str) -> float:
        """Wallet balance of the underlying token, in tokens."""
        return self.tokens_of(symbol, self.tokens[self._sym(symbol)].balanceOf(self._addr(who)))

    @contract(who=Who(), symbol=Symbol())
    def supplied(self, who, symbol: str) -> float:
        """aToken balance (supply plus interest), in tokens."""
        return self.tokens_of(symbol, self.a_tokens[self._sym(symbol)].balanceOf(self._addr(who)))

    @contract(who=Who(), symbol=Symbol())
    def debt(self, who, symbol: str) -> float:
        """Variable debt (principal plus interest), in tokens."""
        return self.tokens_of(symbol, self.debt_tokens[self._sym(symbol)].balanceOf(self._addr(who)))

    @contract(symbol=Symbol())
    def price(self, symbol: str) -> float:
        """Oracle price in USD (``AaveOracle.getAssetPrice`` / 1e8)."""
        return self.oracle.getAssetPrice(self.tokens[self._sym(symbol)].address) / BASE_UNIT

    @contract(symbol=Symbol(), usd=Opt(Real(lo=0, lo_open=True, hi=MAX_PRICE_USD, scalar=True, why="US dollars")),
              raw=Opt(Int(lo=1, hi=2**255 - 1, why="an int256 answer with 8 decimals")))
    def set_price(self, symbol: str, usd=None, *, raw: int | None = None) -> None:
        """Move a price: deploy a new ``MockAggregator`` and point ``AaveOracle`` at it.

        ``MockAggregator`` has no setter, so a new feed is deployed and registered
        with ``AaveOracle.setAssetSources`` (as governance swaps a Chainlink feed).

        Parameters
        ----------
        {domains}

        Exactly one of ``usd`` and ``raw`` is given; a price that rounds to 0 at 8
        decimals is refused.
        """
        self._sym(symbol)
        if (usd is None) == (raw is None):
            raise ValueError(f"usd or raw must be given (one of them); got usd={usd!r}, raw={raw!r}")
        if raw is None:
            self.set_prices({symbol: usd})
        else:
            self.set_prices({}, raw={symbol: raw})

    @contract(usd=Instance(dict), raw=Opt(Instance(dict)))
    def set_prices(self, usd: dict, *, raw: dict | None = None) -> None:
        """Move several prices in one ``AaveOracle.setAssetSources`` call (symbol -> USD).

        Parameters
        ----------
        usd : dict
            Symbol -> price in USD, each > 0 and at most {domain:usd}.
        raw : dict, optional
            Symbol -> ``MockAggregator`` answer (8 decimals), each a whole number >= 1.
        """
        answers = {}
        for s, v in usd.items():
            self._sym(s, "usd")
            answers[s] = _raw(check_number(f"usd[{s!r}]", v, lo=0, lo_open=True, hi=MAX_PRICE_USD), BASE_UNIT)
            if answers[s] <= 0:
                raise ValueError(f"usd[{s!r}] must be at least 1e-8 (one unit of the oracle's 8 decimals); got {v!r}")
        for s, v in (raw or {}).items():
            self._sym(s, "raw")
            answers[s] = Int(lo=1, hi=2**255 - 1).check(f"raw[{s!r}]", v)
        assets, feeds = [], []
        for s, answer in answers.items():
            assets.append(self.tokens[s].address)
            feeds.append(self._tx(f"deploy a MockAggregator for {s}", lambda a, sender=None: _d.deploy_raw(
                "MockAggregator", a), answer))
        self._tx("AaveOracle.setAssetSources", self.oracle.setAssetSources, assets, feeds)

    @contract(who=Who(), symbols=Opt(Instance((list, tuple), text="list of str")),
              usd=Real(lo=0, lo_open=True, hi=1e15, scalar=True, why="US dollars of each token"))
    def fund(self, who, symbols=None, usd: float = 1e9) -> None:
        """Give ``who`` about ``usd`` worth of each token and approve the pool for all of it.

        A convenience for experiments and tests: later ``supply``/``repay``
        calls then need neither a mint nor an approval.

        Parameters
        ----------
        {domains}
        """
        addr = self._addr(who)
        symbols = [self._sym(s, "symbols") for s in (symbols if symbols is not None else list(self.tokens))]
        for s in symbols:
            tok = self.tokens[s]
            self._tx(f"mint {s}", tok.mint, addr, self.units(s, Decimal(str(usd)) / Decimal(str(self.price(s)))))
            self._tx(f"approve {s}", tok.approve, self.pool.address, MAX_UINT, sender=addr)

    def _approve(self, tok, addr, n):
        if tok.allowance(addr, self.pool.address) < n:
            self._tx("approve", tok.approve, self.pool.address, n, sender=addr)

    def _mint_short(self, tok, addr, need):
        short = need - tok.balanceOf(addr)
        if short > 0:
            self._tx("mint", tok.mint, addr, short)

    # ---- the user's verbs ----
    @contract(who=Who(), symbol=Symbol(), amount=Opt(Amount()), units=_UNITS, mint=Bool())
    def supply(self, who, symbol: str, amount=None, *, units: int | None = None, mint: bool = True) -> None:
        """Supply ``amount`` tokens (minted to ``who`` first unless ``mint=False``)."""
        sym, addr = self._sym(symbol), self._addr(who)
        n = self._amount(sym, amount, units)
        tok = self.tokens[sym]
        if mint:
            self._mint_short(tok, addr, n)
        self._approve(tok, addr, n)
        self._tx(f"supply {n} units of {sym} for {who}", self.pool.supply, tok.address, n, addr, 0, sender=addr)

    @contract(who=Who(), symbol=Symbol(), amount=Opt(Amount(max_ok=True)), units=_UNITS)
    def withdraw(self, who, symbol: str, amount="max", *, units: int | None = None) -> None:
        """Withdraw ``amount`` tokens (``"max"``: everything) to ``who``'s wallet."""
        sym, addr = self._sym(symbol), self._addr(who)
        n = self._amount(sym, amount, units)
        self._tx(f"withdraw {sym} for {who}", self.pool.withdraw, self.tokens[sym].address, n, addr, sender=addr)

    @contract(who=Who(), symbol=Symbol(), amount=Opt(Amount()), units=_UNITS)
    def borrow(self, who, symbol: str, amount=None, *, units: int | None = None) -> None:
        """Borrow at the variable rate (interest-rate mode 2)."""
        sym, addr = self._sym(symbol), self._addr(who)
        n = self._amount(sym, amount, units)
        self._tx(f"borrow {n} units of {sym} for {who}", self.pool.borrow, self.tokens[sym].address, n, 2, 0,
                 addr, sender=addr)

    @contract(who=Who(), symbol=Symbol(), amount=Opt(Amount(max_ok=True)), units=_UNITS, mint=Bool())
    def repay(self, who, symbol: str, amount="max", *, units: int | None = None, mint: bool = True) -> None:
        """Repay variable debt (``"max"``: all of it; the shortfall is minted first unless ``mint=False``)."""
        sym, addr = self._sym(symbol), self._addr(who)
        n = self._amount(sym, amount, units)
        tok = self.tokens[sym]
        if mint:
            self._mint_short(tok, addr, self.debt_tokens[sym].balanceOf(addr) if n == MAX_UINT else n)
        self._approve(tok, addr, n)
        self._tx(f"repay {sym} for {who}", self.pool.repay, tok.address, n, 2, addr, sender=addr)

    @contract(who=Who(), category=Int(lo=0, hi=255, why="a uint8 E-Mode category"))
    def set_emode(self, who, category: int) -> None:
        """Enter E-Mode ``category`` (1 = ETH correlated; 0 leaves E-Mode)."""
        addr = self._addr(who)
        self._tx(f"setUserEMode({category}) for {who}", self.pool.setUserEMode, int(category), sender=addr)

    # ---- reading ----
    @contract(who=Who(), returns=Finite(allow_inf=True))
    def account(self, who) -> Account:
        """``Pool.getUserAccountData``: collateral, debt, borrowing power, LT, LTV, HF."""
        c, d, avail, lt, ltv, hf = self.pool.getUserAccountData(self._addr(who))
        return Account(
            total_collateral_usd=c / BASE_UNIT, total_debt_usd=d / BASE_UNIT,
            available_borrows_usd=avail / BASE_UNIT, liquidation_threshold=lt / 1e4, ltv=ltv / 1e4,
            health_factor=_hf(hf),
            raw={"totalCollateralBase": c, "totalDebtBase": d, "availableBorrowsBase": avail,
                 "currentLiquidationThreshold": lt, "ltv": ltv, "healthFactor": hf})

    @contract(symbol=Symbol())
    def reserve(self, symbol: str) -> Reserve:
        """``Pool.getReserveData`` with the indexes brought to now (``getReserveNormalized*``)."""
        sym = self._sym(symbol)
        asset = self.tokens[sym].address
        rd = self.pool.getReserveData(asset)
        income = self.pool.getReserveNormalizedIncome(asset)
        debt_index = self.pool.getReserveNormalizedVariableDebt(asset)
        raw = {"configuration": rd[0][0] if isinstance(rd[0], tuple) else rd[0],
               "liquidityIndex": rd[1], "currentLiquidityRate": rd[2], "variableBorrowIndex": rd[3],
               "currentVariableBorrowRate": rd[4], "lastUpdateTimestamp": rd[6], "accruedToTreasury": rd[12],
               "normalizedIncome": income, "normalizedVariableDebt": debt_index}
        return Reserve(symbol=sym, liquidity_rate=rd[2] / RAY, variable_borrow_rate=rd[4] / RAY,
                       liquidity_index=income / RAY, variable_borrow_index=debt_index / RAY, last_update=rd[6],
                       accrued_to_treasury=self.tokens_of(sym, rd[12] * income // RAY), raw=raw)

    @contract(symbol=Symbol())
    def config(self, symbol: str) -> dict:
        """The reserve's risk parameters as stored on chain (``ReserveConfiguration`` bit map), in fractions.

        Decodes ``getConfiguration(asset)``: LTV bits 0-15, liquidation threshold
        16-31, bonus 32-47, decimals 48-55, reserve factor 64-79, borrow cap 80-115,
        supply cap 116-151, liquidation protocol fee 152-167, E-Mode category
        168-175 (aave-v3-core v1.19.3 ``ReserveConfiguration.sol``).
        """
        sym = self._sym(symbol)
        data = self.pool.getConfiguration(self.tokens[sym].address)
        data = data[0] if isinstance(data, tuple) else data

        def bits(lo, hi):
            return (data >> lo) & ((1 << (hi - lo + 1)) - 1)

        return {"ltv": bits(0, 15) / 1e4, "liquidation_threshold": bits(16, 31) / 1e4,
                "liquidation_bonus": bits(32, 47) / 1e4 - 1, "decimals": bits(48, 55),
                "reserve_factor": bits(64, 79) / 1e4, "borrow_cap": bits(80, 115), "supply_cap": bits(116, 151),
                "liquidation_protocol_fee": bits(152, 167) / 1e4, "emode_category": bits(168, 175)}

    @contract(symbol=Symbol())
    def utilization(self, symbol: str) -> float:
        """Borrow usage ratio now: variable debt / (pool's cash + variable debt)."""
        sym = self._sym(symbol)
        debt = self.debt_tokens[sym].totalSupply()
        cash = self.tokens[sym].balanceOf(self.a_tokens[sym].address)
        return debt / (cash + debt) if debt + cash else 0.0

    # ---- liquidation ----
    @contract(liquidator=Who(), borrower=Who(), collateral=Symbol(), debt=Symbol(), amount=Opt(Amount(max_ok=True)),
              units=_UNITS, receive_a_token=Bool(), returns=Finite(allow_inf=True))
    def liquidate(self, liquidator, borrower, collateral: str, debt: str, amount="max", *,
                  units: int | None = None, receive_a_token: bool = False) -> LiquidationOutcome:
        """``Pool.liquidationCall``: repay up to ``amount`` of ``borrower``'s ``debt`` and seize ``collateral``.

        ``"max"`` asks for as much as the close factor allows (50 % of the debt
        reserve if ``0.95 < HF < 1``, 100 % if ``HF <= 0.95``). The liquidator is
        minted the debt asset needed first.
        """
        cs, ds = self._sym(collateral, "collateral"), self._sym(debt, "debt")
        liq, user = self._addr(liquidator), self._addr(borrower)
        n = self._amount(ds, amount, units)
        dtok, ctok, atok = self.tokens[ds], self.tokens[cs], self.a_tokens[cs]
        self._mint_short(dtok, liq, self.debt_tokens[ds].balanceOf(user) if n == MAX_UINT else n)
        self._approve(dtok, liq, n)
        def state():
            return {"liq_debt": dtok.balanceOf(liq), "liq_coll": ctok.balanceOf(liq),
                    "liq_a": atok.balanceOf(liq) if receive_a_token else 0,
                    "treasury_a": atok.balanceOf(self.treasury), "user_a": atok.balanceOf(user),
                    "user_debt": self.debt_tokens[ds].balanceOf(user),
                    "hf": self.pool.getUserAccountData(user)[5]}

        before = state()
        self._tx(f"liquidationCall({cs}, {ds}, {borrower}, {n})", self.pool.liquidationCall, ctok.address,
                 dtok.address, user, n, bool(receive_a_token), sender=liq)
        after = state()
        repaid = before["liq_debt"] - after["liq_debt"]
        to_liq = (after["liq_coll"] - before["liq_coll"]) + (after["liq_a"] - before["liq_a"])
        to_treasury = after["treasury_a"] - before["treasury_a"]
        seized = before["user_a"] - after["user_a"]
        return LiquidationOutcome(
            collateral=cs, debt=ds, debt_repaid=self.tokens_of(ds, repaid),
            collateral_to_liquidator=self.tokens_of(cs, to_liq), collateral_to_treasury=self.tokens_of(cs, to_treasury),
            collateral_seized=self.tokens_of(cs, seized), health_factor_before=_hf(before["hf"]),
            health_factor_after=_hf(after["hf"]),
            raw={"health_factor_before": before["hf"], "health_factor_after": after["hf"], "debt_repaid": repaid, "collateral_to_liquidator": to_liq, "collateral_to_treasury": to_treasury,
                 "collateral_seized": seized, "borrower_debt_before": before["user_debt"],
                 "borrower_debt_after": after["user_debt"]})

    # ---- flash loans ----
    @contract(symbol=Symbol(), amount=Opt(Amount()), units=_UNITS, repay=Bool(), simple=Bool(), who=Who())
    def flash_loan(self, symbol: str, amount=None, *, units: int | None = None, repay: bool = True,
                   simple: bool = False, who="flash_borrower") -> FlashLoanOutcome:
        """Borrow and return ``amount`` within one transaction (``Pool.flashLoan``, or ``flashLoanSimple``).

        The receiver is Aave's ``MockFlashLoanReceiver`` (or
        ``MockFlashLoanSimpleReceiver``): it mints itself the premium and approves
        the pool for amount + premium. With ``repay=False`` it does neither, the
        pool's pull of amount + premium fails (``'ERC20: transfer amount exceeds
        balance'``) and the whole transaction reverts, leaving the pool unchanged.
        ``FlashLoanLogic.executeFlashLoan`` / ``_handleFlashLoanRepayment``
        (aave-v3-core v1.19.3): ``premium = amount.percentMul(FLASHLOAN_PREMIUM_TOTAL)``,
        ``premiumToProtocol = premium.percentMul(FLASHLOAN_PREMIUM_TO_PROTOCOL)``
        added to ``accruedToTreasury`` (scaled by the liquidity index), the rest
        to suppliers through the liquidity index.
        """
        sym = self._sym(symbol)
        n = self._amount(sym, amount, units)
        rcv = self.simple_receiver if simple else self.receiver
        self._tx("setFailExecutionTransfer", rcv.setFailExecutionTransfer, not repay)
        asset = self.tokens[sym].address
        a_addr = self.a_tokens[sym].address
        cash0 = self.tokens[sym].balanceOf(a_addr)
        rd0 = self.pool.getReserveData(asset)
        acc0, idx0 = rd0[12], rd0[1]
        interest_scaled = self._interest_to_treasury_scaled(sym, rd0)
        sender = self._addr(who)
        if simple:
            self._tx(f"flashLoanSimple {n} units of {sym}", self.pool.flashLoanSimple, rcv.address, asset, n, b"", 0,
                     sender=sender)
        else:
            self._tx(f"flashLoan {n} units of {sym}", self.pool.flashLoan, rcv.address, [asset], [n], [0], sender,
                     b"", 0, sender=sender)
        cash1 = self.tokens[sym].balanceOf(a_addr)
        rd = self.pool.getReserveData(asset)
        premium = cash1 - cash0
        # The loan's updateState first books the reserve factor's share of the interest accrued since the
        # reserve's last update; only the rest of accruedToTreasury's growth is the premium's protocol share.
        acc_scaled = rd[12] - acc0 - interest_scaled
        to_protocol = acc_scaled * rd[1] // RAY  # scaled amount times the (new) liquidity index, rounded down
        return FlashLoanOutcome(
            symbol=sym, amount=self.tokens_of(sym, n), premium=self.tokens_of(sym, premium),
            premium_to_protocol=self.tokens_of(sym, to_protocol),
            premium_to_suppliers=self.tokens_of(sym, premium - to_protocol),
            pool_balance_before=self.tokens_of(sym, cash0), pool_balance_after=self.tokens_of(sym, cash1),
            raw={"amount": n, "premium": premium, "accrued_to_treasury_scaled": acc_scaled,
                 "interest_to_treasury_scaled": interest_scaled,
                 "premium_to_protocol": to_protocol, "liquidity_index_before": idx0, "liquidity_index_after": rd[1],
                 "pool_balance_before": cash0, "pool_balance_after": cash1})

    def _interest_to_treasury_scaled(self, sym: str, rd) -> int:
        """What the next ``updateState`` adds to ``accruedToTreasury`` for interest (scaled), read before it.

        ``ReserveLogic._accrueToTreasury`` (aave-v3-core v1.19.3): the variable debt's growth
        ``scaledDebt.rayMul(nextVariableBorrowIndex) - scaledDebt.rayMul(variableBorrowIndex)``, times the
        reserve factor (``percentMul``), ``rayDiv`` the next liquidity index. The view functions
        ``getReserveNormalized*`` give the next indexes at the current timestamp. The lab never enables
        stable-rate borrowing, so the stable term is zero.
        """
        if rd[6] == self.timestamp:
            return 0  # updated in this block: updateState returns early
        scaled = self.debt_tokens[sym].scaledTotalSupply()
        asset = self.tokens[sym].address
        next_v = self.pool.getReserveNormalizedVariableDebt(asset)
        next_l = self.pool.getReserveNormalizedIncome(asset)
        half = RAY // 2
        accrued = (scaled * next_v + half) // RAY - (scaled * rd[3] + half) // RAY
        factor = int(self.config(sym)["reserve_factor"] * 10**4 + 0.5)
        to_mint = (accrued * factor + 5_000) // 10**4
        return (to_mint * RAY + next_l // 2) // next_l if to_mint else 0

    def __repr__(self) -> str:
        return (f"AaveMarket(Aave v3.0.2, {len(self.tokens)} reserves: {', '.join(self.tokens)}; "
                f"pool {self.pool.address})")
