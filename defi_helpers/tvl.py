"""Total value locked (TVL), double counting and independent capital.

TVL adds up the value of tokens held by DeFi contracts. When a token that
is itself a claim on another protocol (a receipt token: stETH, aUSDC, a
Pendle PT) is deposited again, or when borrowed cash is re-deposited, the
same dollar of outside capital is counted once per protocol it passes
through. This module measures that with three small models:

* a **loop** on one lending market: equity ``E`` supplied, ``LTV`` borrowed
  and re-supplied until the loop converges (:func:`looped_deposits`);
* a **re-deposit fraction** ``f``: each dollar counted comes back ``f``
  times, so counted value / independent capital = ``1 / (1 - f)``
  (:func:`tvl_multiplier`);
* a **capital-flow graph** (:class:`CapitalFlowGraph`): reserves -- one
  asset in one protocol -- as nodes; edges that move a share of a reserve's
  receipt tokens to another reserve, or borrow against it from the borrowed
  asset's reserve in the same market (funded by that reserve's lenders).
  Naive TVL, DefiLlama-style TVL (netted per reserve) and independent
  capital (lenders included) follow.

Every function is pure (numbers in, numbers out). Amounts are USD floats;
LTVs and fractions are fractions (``0.8`` = 80 %).

References
----------
DefiLlama methodology: ``DefiLlama/docs``
``list-your-project/what-to-include-as-tvl.md`` (TVL buckets: staking,
pool2, borrows, vesting, offers) and ``faqs/frequently-asked-questions.md``
(the doublecount toggle; liquid staking "not included by default into chain
TVL"). Lending-market TVL as implemented: ``DefiLlama/DefiLlama-Adapters``
``projects/helper/aave.js`` (``tvl`` = underlying ``balanceOf`` the aToken
of each reserve, i.e. supplied minus borrowed *per reserve*; ``borrowed`` =
each reserve's total debt, a separate bucket), as read on 2026-11-30. Luo, Feng, Xu and Tasca, *Piercing the Veil of TVL: DeFi
Reappraised*, arXiv:2404.11745 (total value redeemable, the DeFi
multiplier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from ._validate import (Bool, Choice, Domain, Instance, Int, Opt, Real, Str, check_number, check_size, check_str,
                        contract)

__all__ = [
    "looped_deposits",
    "looped_deposits_after",
    "tvl_multiplier",
    "defillama_tvl",
    "independent_capital",
    "implied_redeposit_fraction",
    "LoopTVL",
    "loop_tvl_breakdown",
    "sum_chain_tvls",
    "Protocol",
    "Reserve",
    "Flow",
    "CapitalFlowGraph",
    "staking_loop_graph",
    "pt_loop_graph",
    "same_market_loop_graph",
    "PROTOCOL_KINDS",
    "FLOW_KINDS",
    "TVL_BUCKETS",
]

_LTV_WHY = "at LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges"
_F_WHY = "at f = 1 every dollar is re-deposited forever and the total diverges"

#: Domains shared by several functions.
_EQUITY = Real(lo=0, why="capital in USD")
_LTV = Real(lo=0, hi=1, hi_open=True, why=_LTV_WHY)
_USD = Real(lo=0, scalar=True, why="an amount in USD")
_FRACTION = Real(lo=0, hi=1, scalar=True, why="a share of a reserve's moving capital")
_BORROW_LTV = Real(lo=0, hi=1, hi_open=True, scalar=True,
                   why="the loan-to-value of a borrow; at 1 the loop never converges")
_MAX_UTILISATION = Opt(Real(lo=0, lo_open=True, hi=1, scalar=True,
                            why="the largest share of a reserve that may be lent out"))


class _ReserveKey(Domain):
    """A reserve key ``"protocol:asset"`` (:attr:`Reserve.key`); ``example`` differs per parameter."""

    type_text = "str"

    def __init__(self, example: str):
        self._example = example

    def check(self, name, value):
        check_str(name, value, max_len=401)
        protocol, sep, asset = value.partition(":")
        if not sep or not protocol.strip() or not asset.strip() or ":" in asset:
            raise ValueError(f'{name} must be a reserve key "protocol:asset" (see Reserve.key); got {value!r}')
        return value

    def describe(self):
        return 'a reserve key "protocol:asset" (see Reserve.key)'

    def example(self):
        return self._example


class _GraphOverflow(ValueError):
    """The graph's capital does not fit in float64 (raised by :class:`CapitalFlowGraph`)."""

#: Kinds of protocol node the graph model distinguishes. DefiLlama leaves
#: liquid staking out of chain TVL by default (FAQ, DefiLlama/docs, read 2025).
PROTOCOL_KINDS = ("lending", "liquid_staking", "yield", "vault", "dex")
#: ``receipt``: the source's receipt token (stETH, aUSDC, PT) is deposited in
#: the target, the underlying stays at the source. ``borrow``: the source is
#: collateral; cash is borrowed from the borrowed asset's reserve in the same
#: lending market and deposited in the target.
FLOW_KINDS = ("receipt", "borrow")
#: Additive TVL buckets of DefiLlama's API (``currentChainTvls`` keys),
#: excluded from the headline figure unless toggled on
#: (DefiLlama/docs what-to-include-as-tvl.md, read 2025).
TVL_BUCKETS = ("borrowed", "staking", "pool2", "vesting", "offers")


# --------------------------------------------------------------------------
# One lending loop
# --------------------------------------------------------------------------

@contract(equity=_EQUITY, ltv=_LTV)
def looped_deposits(equity, ltv):
    """Supplied and borrowed amounts of a loop run to its limit.

    Supply ``E``, borrow ``LTV * E``, supply that, borrow again, ... The
    geometric series gives ``supplied = E / (1 - LTV)`` and
    ``borrowed = LTV * E / (1 - LTV)``; the net position (supplied minus
    borrowed) is still ``E``.

    Parameters
    ----------
    equity : float or array of float
        Independent capital put in, in USD; {domain:equity}.
    ltv : float or array of float
        Loan-to-value used on each round, a fraction {domain:ltv}.

    Returns
    -------
    tuple of (float or numpy.ndarray, float or numpy.ndarray)
        ``(supplied, borrowed)`` in USD.

    Raises
    ------
    ValueError
        If ``ltv`` is outside [0, 1) or ``equity`` is negative.

    Examples
    --------
    >>> supplied, borrowed = looped_deposits(100, 0.8)
    >>> round(supplied, 9), round(borrowed, 9)
    (500.0, 400.0)

    References
    ----------
    defi-math reference sheet section 3 (looping algebra); the loop is the
    one Aave v3 allows while ``borrow <= LTV * collateral``
    (aave-dao/aave-v3-origin, ``GenericLogic.calculateAvailableBorrows``).
    """
    supplied = equity / (1.0 - ltv)
    return supplied, supplied * ltv


@contract(equity=_EQUITY, ltv=_LTV, loops=Int(lo=0, hi=10_000, why="rounds of borrow and re-supply"))
def looped_deposits_after(equity, ltv, loops):
    """Supplied and borrowed amounts after a finite number of loops.

    With ``n`` borrow-and-resupply rounds:
    ``supplied = E * (1 - LTV**(n+1)) / (1 - LTV)`` and
    ``borrowed = E * LTV * (1 - LTV**n) / (1 - LTV)``. As ``n`` grows these
    tend to :func:`looped_deposits`.

    Parameters
    ----------
    equity : float or array of float
        Independent capital, in USD; {domain:equity}.
    ltv : float or array of float
        Loan-to-value used on each round, {domain:ltv}.
    loops : int
        Number of borrow-and-resupply rounds, {domain:loops}. ``0`` is a plain
        deposit. The powers ``LTV**k`` are held at once: ``size(ltv) * (loops + 1)``
        must stay within :data:`defi_helpers._validate.MAX_ELEMENTS`.

    Returns
    -------
    tuple
        ``(supplied, borrowed)`` in USD.

    Examples
    --------
    >>> looped_deposits_after(100, 0.8, 0)
    (100.0, 0.0)
    >>> s, b = looped_deposits_after(100, 0.8, 3)
    >>> round(s, 6), round(b, 6)
    (295.2, 195.2)
    """
    check_size(loops=loops + 1, ltv=int(np.size(ltv)))
    # sum_{k=0..n} L^k written as a sum so LTV = 0 needs no special case.
    powers = np.asarray(ltv)[..., None] ** np.arange(loops + 1)
    supplied = equity * powers.sum(axis=-1)
    return supplied, supplied - equity


@contract(redeposit_fraction=Real(lo=0, hi=1, hi_open=True, why=_F_WHY))
def tvl_multiplier(redeposit_fraction):
    """Counted value per dollar of independent capital: ``1 / (1 - f)``.

    If a fraction ``f`` of every dollar deposited is deposited again
    somewhere that is also counted, the counted total is
    ``E * (1 + f + f**2 + ...) = E / (1 - f)``.

    Parameters
    ----------
    redeposit_fraction : float or array of float
        ``f``, a fraction {domain:redeposit_fraction}.

    Returns
    -------
    float or numpy.ndarray
        The multiplier, >= 1.

    Raises
    ------
    ValueError
        If ``f`` is outside [0, 1): at ``f = 1`` the series diverges.

    Examples
    --------
    >>> tvl_multiplier(0.5)
    2.0
    >>> tvl_multiplier([0.0, 0.8])
    array([1., 5.])
    """
    return 1.0 / (1.0 - redeposit_fraction)


@contract(tvl_usd=Real(lo=0), redeposit_fraction=Real(lo=0, hi=1, hi_open=True, why=_F_WHY))
def independent_capital(tvl_usd, redeposit_fraction):
    """Independent capital behind a counted TVL, given the re-deposit fraction.

    ``E = TVL * (1 - f)``: the inverse of :func:`tvl_multiplier`.

    Parameters
    ----------
    tvl_usd : float or array of float
        Counted TVL, in USD; {domain:tvl_usd}.
    redeposit_fraction : float or array of float
        ``f``, {domain:redeposit_fraction}.

    Examples
    --------
    A $10B protocol whose deposits are 55 % recycled holds $4.5B of
    independent capital:

    >>> round(independent_capital(10e9, 0.55) / 1e9, 6)
    4.5
    """
    return tvl_usd * (1.0 - redeposit_fraction)


@contract(tvl_usd=Real(lo=0, lo_open=True, scalar=True), independent_usd=Real(lo=0, lo_open=True, scalar=True))
def implied_redeposit_fraction(tvl_usd, independent_usd):
    """The re-deposit fraction that turns ``independent_usd`` into ``tvl_usd``.

    ``f = 1 - E / TVL``.

    Parameters
    ----------
    tvl_usd : float
        Counted TVL, in USD; {domain:tvl_usd}.
    independent_usd : float
        Independent capital behind it, in USD; {domain:independent_usd} and at
        most ``tvl_usd``.

    Raises
    ------
    ValueError
        If ``independent_usd > tvl_usd``.

    Examples
    --------
    >>> implied_redeposit_fraction(10e9, 4e9)
    0.6
    """
    if independent_usd > tvl_usd:
        raise ValueError(f"independent_usd must be <= tvl_usd (independent capital cannot exceed the TVL that "
                         f"counts it); got independent_usd={independent_usd:g}, tvl_usd={tvl_usd:g}")
    return 1.0 - independent_usd / tvl_usd


@contract(supplied=Real(lo=0), borrowed=Real(lo=0), include_borrowed=Bool())
def defillama_tvl(supplied, borrowed, include_borrowed=False):
    """TVL of a lending market the way DefiLlama reports it.

    DefiLlama's lending adapters count the underlying tokens still held by
    the market -- supplied minus borrowed, the available liquidity -- as
    ``tvl`` and report the debt as a separate ``borrowed`` bucket that a
    reader may toggle on (which adds it back).

    Parameters
    ----------
    supplied : float or array of float
        Total supplied, in USD; {domain:supplied}.
    borrowed : float or array of float
        Total borrowed, in USD; {domain:borrowed} and at most ``supplied``.
    include_borrowed : bool, default False
        Add the ``borrowed`` bucket (the "borrows" toggle); {domain:include_borrowed}.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> defillama_tvl(500, 400)
    100.0
    >>> defillama_tvl(500, 400, include_borrowed=True)
    500.0

    References
    ----------
    DefiLlama/DefiLlama-Adapters, ``projects/helper/aave.js`` (``getTvl``
    sums ``balanceOf(aToken)`` of each underlying; ``getBorrowed`` sums
    variable + stable debt); DefiLlama/docs,
    ``list-your-project/what-to-include-as-tvl.md`` ("Borrows" bucket).
    """
    s, b = supplied, borrowed
    if np.any(b > s + 1e-9 * np.maximum(1.0, s)):
        raise ValueError(
            f"borrowed must be <= supplied (a market cannot lend more than was supplied); "
            f"got borrowed={borrowed!r}, supplied={supplied!r}"
        )
    out = s if include_borrowed else s - b
    return out + 0.0 * b


@contract(independent_capital=_USD, supplied=_USD, borrowed=_USD, defillama_default=_USD,
          defillama_with_borrows=_USD, deposits_plus_borrows=_USD)
@dataclass(frozen=True)
class LoopTVL:
    """What each way of counting reports for one looped position (USD).

    Every field is a finite amount in USD, >= 0 (checked on construction).
    """

    independent_capital: float
    """Equity actually put in from outside."""
    supplied: float
    """Supplied to the market, ``E / (1 - LTV)``."""
    borrowed: float
    """Borrowed from the market, ``LTV * E / (1 - LTV)``."""
    defillama_default: float
    """Supplied minus borrowed: DefiLlama's default lending TVL."""
    defillama_with_borrows: float
    """Default TVL plus the borrowed bucket."""
    deposits_plus_borrows: float
    """Supplied plus borrowed: a naive "total activity" figure."""

    @property
    def multiplier(self) -> float:
        """Supplied per dollar of independent capital, ``1 / (1 - LTV)``."""
        if not self.independent_capital:
            return 1.0
        m = self.supplied / self.independent_capital
        if not np.isfinite(m):
            raise ValueError(f"multiplier: supplied / independent_capital is not a finite number; got "
                             f"supplied={self.supplied:g}, independent_capital={self.independent_capital:g}")
        return m

    def as_series(self) -> pd.Series:
        """The figures as a labelled Series (index: measure, values: USD)."""
        return pd.Series(
            {
                "independent capital": self.independent_capital,
                "DefiLlama default (supplied - borrowed)": self.defillama_default,
                "supplied (deposits)": self.supplied,
                "DefiLlama + borrows toggle": self.defillama_with_borrows,
                "supplied + borrowed": self.deposits_plus_borrows,
            },
            name="usd",
        )


@contract(equity=Real(lo=0, scalar=True, why="capital in USD"),
          ltv=Real(lo=0, hi=1, hi_open=True, scalar=True, why=_LTV_WHY))
def loop_tvl_breakdown(equity, ltv) -> LoopTVL:
    """Every TVL figure of one loop at its limit (:func:`looped_deposits`).

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> r = loop_tvl_breakdown(100, 0.8)
    >>> [round(v, 9) for v in (r.supplied, r.defillama_default,
    ...                        r.defillama_with_borrows, r.deposits_plus_borrows)]
    [500.0, 100.0, 500.0, 900.0]
    >>> round(r.multiplier, 9)
    5.0
    """
    supplied, borrowed = looped_deposits(equity, ltv)
    return LoopTVL(
        independent_capital=equity,
        supplied=supplied,
        borrowed=borrowed,
        defillama_default=defillama_tvl(supplied, borrowed),
        defillama_with_borrows=defillama_tvl(supplied, borrowed, include_borrowed=True),
        deposits_plus_borrows=supplied + borrowed,
    )


@contract(current_chain_tvls=Instance(Mapping, example=lambda: {"Ethereum": 100.0, "Ethereum-borrowed": 30.0},
                                      text="mapping of str to float"),
          include=Instance((str, list, tuple, set, frozenset), example=(), text="str or iterable of str"))
def sum_chain_tvls(current_chain_tvls: Mapping[str, float], include=()) -> float:
    """Headline TVL from DefiLlama's ``currentChainTvls``, with toggles.

    ``/protocol/{slug}`` returns ``currentChainTvls`` whose plain keys are
    chains (``"Ethereum"``) and whose suffixed keys are extra buckets, per
    chain (``"Ethereum-borrowed"``, sometimes ``"borrowed-Ethereum"``) or in
    total (``"borrowed"``). The headline figure sums the plain chain keys;
    each bucket named in ``include`` is added on top.

    Parameters
    ----------
    current_chain_tvls : mapping of str to float
        As returned by the API: {domain:current_chain_tvls}, keys str, USD values >= 0.
    include : str or iterable of str
        Buckets to add, from :data:`TVL_BUCKETS`: {domain:include}.

    Returns
    -------
    float

    Examples
    --------
    >>> sum_chain_tvls({"Ethereum": 100, "Ethereum-borrowed": 30})
    100.0
    >>> sum_chain_tvls({"Ethereum": 100, "Ethereum-borrowed": 30}, include=["borrowed"])
    130.0

    References
    ----------
    DefiLlama/api-docs ``defillama-openapi-free.json`` (``/protocol/{protocol}``);
    data-sources reference sheet section 1.1 (suffixed keys).
    """
    wanted = [include] if isinstance(include, str) else list(include)
    for b in wanted:
        if not isinstance(b, str) or b not in TVL_BUCKETS:
            raise ValueError(f"include must name buckets from {TVL_BUCKETS}; got {b!r}")
    bucket_names = set(TVL_BUCKETS) | {"doublecounted", "liquidstaking", "dcAndLsOverlap", "treasury"}
    plain = 0.0
    per_chain: dict[str, float] = {b: 0.0 for b in TVL_BUCKETS}
    total: dict[str, float | None] = {b: None for b in TVL_BUCKETS}
    for key, value in current_chain_tvls.items():
        if not isinstance(key, str):
            raise ValueError(f"current_chain_tvls must have str keys (chain or bucket names); got {key!r}")
        v = check_number(f"current_chain_tvls[{key!r}]", value, lo=0)
        if key in bucket_names:
            if key in total:
                total[key] = v
            continue
        if "-" in key:
            parts = key.split("-")
            bucket = next((p for p in (parts[-1], parts[0]) if p in per_chain), None)
            if bucket is not None:
                per_chain[bucket] += v
            continue
        plain += v
    extra = 0.0
    for b in wanted:
        # The bare key is the all-chain total; per-chain keys split it. Use one, not both.
        extra += total[b] if total[b] is not None else per_chain[b]
    return plain + extra


# --------------------------------------------------------------------------
# Capital-flow graph
# --------------------------------------------------------------------------

@contract(name=Str(), kind=Choice(PROTOCOL_KINDS), doublecounted=Bool())
@dataclass(frozen=True)
class Protocol:
    """A protocol of the capital-flow graph.

    Attributes
    ----------
    name : str
        A unique label: {domain:name}, without ``':'``.
    kind : str
        {domain:kind} (:data:`PROTOCOL_KINDS`). ``"liquid_staking"`` is left out of
        DefiLlama's default chain TVL; only ``"lending"`` protocols lend
        (``borrow`` flows draw on their reserves).
    doublecounted : bool
        DefiLlama's adapter flag for protocols whose deposits are other
        protocols' receipt tokens (yield aggregators, vaults); excluded by
        default since 2022-08-04. {domain:doublecounted}.
    """

    name: str
    kind: str = "lending"
    doublecounted: bool = False

    def __post_init__(self):
        if ":" in self.name:
            raise ValueError(f"name must be a non-empty string without ':'; got {self.name!r}")


@contract(protocol=Str(), asset=Str(), external_usd=_USD, lenders_usd=_USD)
@dataclass(frozen=True)
class Reserve:
    """One asset held by one protocol: a node of the graph, keyed ``"protocol:asset"``.

    In a lending market this is a reserve in Aave's sense (all the USDC
    supplied to the market, say); elsewhere it is what the protocol holds of
    that asset (the ETH a liquid-staking protocol has staked, the sUSDe held by
    Pendle's SY contracts).

    Attributes
    ----------
    protocol : str
        Name of a :class:`Protocol` of the graph: {domain:protocol}, without ``':'``.
    asset : str
        The token held (``"USDC"``, ``"stETH"``, ``"PT-sUSDe"``): {domain:asset}, without ``':'``.
    external_usd : float
        Capital from outside DeFi that follows the route: its receipt tokens
        and its collateral take part in the graph's flows; {domain:external_usd}.
    lenders_usd : float
        Capital from outside DeFi that is only supplied and lent out -- the
        lenders of a lending reserve. It never moves on; {domain:lenders_usd}.
    """

    protocol: str
    asset: str
    external_usd: float = 0.0
    lenders_usd: float = 0.0

    def __post_init__(self):
        for name in ("protocol", "asset"):
            v = getattr(self, name)
            if ":" in v:
                raise ValueError(f"{name} must be a non-empty string without ':'; got {v!r}")

    @property
    def key(self) -> str:
        """``"protocol:asset"``, the name flows use."""
        return f"{self.protocol}:{self.asset}"


@contract(source=_ReserveKey("p:a"), target=_ReserveKey("p:b"), fraction=_FRACTION, kind=Choice(FLOW_KINDS),
          asset=Opt(Str()))
@dataclass(frozen=True)
class Flow:
    """An edge: a fraction of the capital moving through ``source`` goes on to ``target``.

    Attributes
    ----------
    source, target : str
        Reserve keys: {domain:source}.
    fraction : float
        Share of the source's *moving* capital (its ``external_usd`` plus
        every inflow; never its lenders), {domain:fraction}.
    kind : str
        {domain:kind}. ``"receipt"``: that share of the source's receipt tokens (stETH, an
        aToken, a PT) is deposited in ``target``; the underlying stays at the
        source. ``"borrow"``: the source is collateral in a lending market
        and ``fraction`` is the loan-to-value used; the loan is drawn from the
        reserve of ``asset`` in the *same* market (``"market:asset"``) and the
        cash, possibly swapped on the way, is deposited in ``target``.
    asset : str or None
        The asset borrowed (``borrow`` flows only): {domain:asset}.
    """

    source: str
    target: str
    fraction: float
    kind: str = "receipt"
    asset: str | None = None

    def __post_init__(self):
        if self.kind == "borrow":
            if self.asset is None or ":" in self.asset:
                raise ValueError(f"asset must name the borrowed token of a 'borrow' flow; got {self.asset!r}")
        elif self.asset is not None:
            raise ValueError(f"asset is only for 'borrow' flows; got asset={self.asset!r} on a receipt flow")
        if self.source == self.target and self.kind != "borrow":
            raise ValueError(
                f"a receipt flow must join two different reserves; got source=target={self.source!r} "
                f"(only a 'borrow' flow may return to its own reserve: that is a loop)"
            )

    @property
    def drawn_from(self) -> str | None:
        """Key of the reserve a borrow draws on: the borrowed asset in the collateral's market."""
        if self.kind != "borrow":
            return None
        return f"{self.source.split(':', 1)[0]}:{self.asset}"


@contract(protocols=Instance((tuple, list), example=lambda: (Protocol("aave", "lending"),),
                             text="tuple of Protocol"),
          reserves=Instance((tuple, list), example=lambda: (Reserve("aave", "USDC", external_usd=100.0),),
                            text="tuple of Reserve"),
          flows=Instance((tuple, list), example=(), text="tuple of Flow"),
          max_utilisation=_MAX_UTILISATION)
@dataclass(frozen=True)
class CapitalFlowGraph:
    """Reserves of several protocols and the flows of capital between them.

    The capital moving through each reserve, ``a``, solves ``a = e + F.T @ a``
    where ``e`` is the reserves' ``external_usd`` and ``F[i, j]`` the
    fraction of reserve ``i``'s moving capital that goes on to ``j`` (receipt
    or borrow). A borrow of fraction ``L`` against reserve ``i`` draws
    ``L * a[i]`` from the borrowed asset's reserve in the same market, so
    ``borrowed = D.T @ a``. That cash must be there: it is supplied by the
    reserve's lenders (``lenders_usd``), by capital flowing into it, and --
    unless ``max_utilisation`` is None -- by as many extra lenders as keep
    the reserve's utilisation (borrowed / supplied) at most
    ``max_utilisation``. Each reserve then holds ``supplied = a + lenders``.

    Three totals follow:

    * **naive TVL** -- every reserve's supplied amount added up;
    * **DefiLlama-style TVL** -- each reserve counted net of what is borrowed
      from it (supplied minus borrowed, per reserve, as DefiLlama's lending
      adapters do), liquid staking and ``doublecounted`` protocols left out
      unless their toggles are on, the ``borrowed`` bucket added on request;
    * **independent capital** -- all capital that came from outside: the
      ``external_usd`` of every reserve plus every lender.

    Every borrowed dollar sits once in the reserve it was deposited into and
    is netted once from the reserve it was drawn from, so without receipt
    flows the DefiLlama-style total (all toggles on) *equals* independent
    capital; each receipt flow adds the value of the receipts it moves.

    Parameters
    ----------
    protocols : tuple of Protocol
        {domain:protocols} (or a list); names unique.
    reserves : tuple of Reserve
        {domain:reserves} (or a list); keys unique, protocols among ``protocols``.
    flows : tuple of Flow
        {domain:flows} (or a list); ends among the reserves' keys.
    max_utilisation : float or None, default 1.0
        {domain:max_utilisation}. A number: lenders are added to any reserve borrowed from beyond this
        utilisation. ``None``: lenders are only those given, and a borrow
        larger than its reserve's supply raises ``ValueError``.

    Examples
    --------
    $100 of sUSDe goes into Pendle; 90 % of its value, as PTs, is supplied to
    a lending market; 85 % of the PTs' value is borrowed there in USDC, which
    lenders supplied, and buys more PTs in Pendle:

    >>> g = CapitalFlowGraph(
    ...     protocols=(Protocol("pendle", "yield"), Protocol("aave", "lending")),
    ...     reserves=(Reserve("pendle", "sUSDe", external_usd=100),
    ...               Reserve("aave", "PT-sUSDe"), Reserve("aave", "USDC")),
    ...     flows=(Flow("pendle:sUSDe", "aave:PT-sUSDe", 0.90),
    ...            Flow("aave:PT-sUSDe", "pendle:sUSDe", 0.85, "borrow", asset="USDC")))
    >>> [round(v, 2) for v in (g.independent_capital(), g.defillama_tvl(), g.naive_tvl())]
    [425.53, 808.51, 1134.04]

    References
    ----------
    DefiLlama/DefiLlama-Adapters ``projects/helper/aave.js``
    (``aaveV3Export``: ``tvl`` adds, per reserve, the underlying's
    ``balanceOf`` the aToken; ``borrowed`` adds, per reserve, total variable
    and stable debt); aave-dao/aave-v3-origin,
    ``src/contracts/protocol/libraries/logic/BorrowLogic.sol``
    (``executeBorrow``: the aToken of the *borrowed* asset's reserve calls
    ``transferUnderlyingTo``, so a borrow draws on that reserve, never on the
    collateral); DefiLlama/docs FAQ (doublecount
    toggle, liquid staking excluded from chain TVL by default); Luo et al.
    (2024), arXiv:2404.11745 (TVL vs total value redeemable).
    """

    protocols: tuple
    reserves: tuple
    flows: tuple = field(default_factory=tuple)
    max_utilisation: float | None = 1.0

    def __post_init__(self):
        protocols, reserves, flows = tuple(self.protocols), tuple(self.reserves), tuple(self.flows)
        _check_items("protocols", protocols, Protocol)
        _check_items("reserves", reserves, Reserve)
        for fl in flows:
            if not isinstance(fl, Flow):
                raise ValueError(f"flows must hold Flow objects; got {fl!r}")
        kinds = {p.name: p.kind for p in protocols}
        _unique("protocols", [p.name for p in protocols])
        keys = [r.key for r in reserves]
        _unique("reserves", keys)
        for r in reserves:
            if r.protocol not in kinds:
                raise ValueError(f"reserve {r.key!r} names unknown protocol {r.protocol!r}; protocols are {list(kinds)}")
            if r.lenders_usd and kinds[r.protocol] != "lending":
                raise ValueError(f"lenders_usd: only a lending reserve has lenders; {r.key!r} is {kinds[r.protocol]!r}")
        index = {k: i for i, k in enumerate(keys)}
        n = len(reserves)
        F, D = np.zeros((n, n)), np.zeros((n, n))
        seen = set()
        for fl in flows:
            for end in (fl.source, fl.target):
                if end not in index:
                    raise ValueError(f"flow names unknown reserve {end!r}; reserves are {keys}")
            if (fl.source, fl.target, fl.kind, fl.asset) in seen:
                raise ValueError(f"flows must not repeat an edge; {fl.source!r} -> {fl.target!r} appears twice")
            seen.add((fl.source, fl.target, fl.kind, fl.asset))
            F[index[fl.source], index[fl.target]] += fl.fraction
            if fl.kind == "borrow":
                market = fl.source.split(":", 1)[0]
                if kinds[market] != "lending":
                    raise ValueError(f"flow kind 'borrow' needs collateral in a lending market; "
                                     f"{fl.source!r} is in a {kinds[market]!r} protocol")
                if fl.drawn_from not in index:
                    raise ValueError(f"a borrow of {fl.asset!r} against {fl.source!r} draws on reserve "
                                     f"{fl.drawn_from!r}; add Reserve({market!r}, {fl.asset!r})")
                D[index[fl.source], index[fl.drawn_from]] += fl.fraction
        for i, k in enumerate(keys):
            receipts = sum(fl.fraction for fl in flows if fl.source == k and fl.kind == "receipt")
            if receipts > 1 + 1e-12:
                raise ValueError(f"fraction: receipt flows out of {k!r} sum to {receipts:g}; they must be <= 1")
            if D[i].sum() >= 1.0:
                raise ValueError(f"fraction: borrows against {k!r} sum to an LTV of {D[i].sum():g}; it must be < 1")
        rho = float(np.max(np.abs(np.linalg.eigvals(F))))
        if rho >= 1.0 - 1e-12:
            raise ValueError(f"fraction: a cycle of flows has gain {rho:.6g}; it must be < 1, or each dollar "
                             f"would be counted infinitely often")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            moving = np.linalg.solve(np.eye(n) - F.T, np.array([r.external_usd for r in reserves]))
            borrowed = D.T @ moving
            lenders = np.array([r.lenders_usd for r in reserves])
            if self.max_utilisation is not None:
                lenders = lenders + np.maximum(0.0, borrowed / self.max_utilisation - moving - lenders)
            supplied = moving + lenders
            total = supplied.sum() + borrowed.sum()
        if not (np.isfinite(total) and np.isfinite(supplied).all() and np.isfinite(borrowed).all()):
            raise _GraphOverflow("external_usd, lenders_usd and max_utilisation: the capital moving through the "
                                 "graph does not fit in float64; use amounts nearer real-world sizes")
        short = borrowed > supplied * (1 + 1e-9) + 1e-9
        if short.any():
            k = keys[int(np.argmax(short))]
            raise ValueError(f"lenders_usd: reserve {k!r} lends {borrowed[short][0]:.6g} but holds "
                             f"{supplied[short][0]:.6g}; supply more or set max_utilisation")
        object.__setattr__(self, "protocols", protocols)
        object.__setattr__(self, "reserves", reserves)
        object.__setattr__(self, "flows", flows)
        object.__setattr__(self, "_moving", moving)
        object.__setattr__(self, "_lenders", lenders)
        object.__setattr__(self, "_borrowed", borrowed)

    # -- per reserve --------------------------------------------------------
    @property
    def keys(self) -> tuple:
        """Reserve keys, in the order given."""
        return tuple(r.key for r in self.reserves)

    def external(self) -> np.ndarray:
        """Outside capital that follows the route, per reserve (USD)."""
        return np.array([r.external_usd for r in self.reserves])

    def moving(self) -> np.ndarray:
        """Capital moving through each reserve, ``a = (I - F.T)^-1 e`` (USD): what flows take shares of."""
        return self._moving.copy()

    def lenders(self) -> np.ndarray:
        """Lenders' capital per reserve, given plus added for ``max_utilisation`` (USD)."""
        return self._lenders.copy()

    def supplied(self) -> np.ndarray:
        """What each reserve holds before lending: moving capital plus lenders (USD)."""
        return self._moving + self._lenders

    def borrowed(self) -> np.ndarray:
        """What is borrowed from each reserve (USD)."""
        return self._borrowed.copy()

    @contract(include_liquid_staking=Bool(), include_doublecounted=Bool())
    def counted(self, include_liquid_staking=False, include_doublecounted=False) -> np.ndarray:
        """Boolean mask of the reserves a DefiLlama-style total includes.

        Parameters
        ----------
        {domains}
        """
        by_name = {p.name: p for p in self.protocols}
        return np.array([
            (include_liquid_staking or by_name[r.protocol].kind != "liquid_staking")
            and (include_doublecounted or not by_name[r.protocol].doublecounted)
            for r in self.reserves
        ], dtype=bool)

    # -- totals -------------------------------------------------------------
    def independent_capital(self) -> float:
        """All capital that came from outside DeFi, lenders included (USD)."""
        return float(self.external().sum() + self._lenders.sum())

    def naive_tvl(self) -> float:
        """Every reserve's supplied amount added up (USD)."""
        return float(self.supplied().sum())

    @contract(include_borrowed=Bool(), include_liquid_staking=Bool(), include_doublecounted=Bool())
    def defillama_tvl(self, include_borrowed=False, include_liquid_staking=False,
                      include_doublecounted=False) -> float:
        """DefiLlama-style TVL with its toggles (USD).

        Default: each counted reserve's supplied minus borrowed; liquid
        staking and ``doublecounted`` protocols excluded; the ``borrowed``
        bucket off.

        Parameters
        ----------
        {domains}
        """
        return float(self.breakdown(include_borrowed, include_liquid_staking,
                                    include_doublecounted)["defillama_usd"].sum())

    def multiplier(self) -> float:
        """Naive TVL per dollar of independent capital."""
        ind = self.independent_capital()
        if ind == 0:
            raise ValueError("independent capital is 0: give some reserve external_usd > 0")
        return self.naive_tvl() / ind

    @contract(include_borrowed=Bool(), include_liquid_staking=Bool(), include_doublecounted=Bool())
    def breakdown(self, include_borrowed=False, include_liquid_staking=False,
                  include_doublecounted=False) -> pd.DataFrame:
        """One row per reserve.

        Columns: ``reserve`` (key), ``protocol``, ``asset``, ``kind``,
        ``external_usd``, ``lenders_usd``, ``supplied_usd``, ``borrowed_usd``,
        ``counted`` (bool) and ``defillama_usd``.

        Parameters
        ----------
        {domains}
        """
        mask = self.counted(include_liquid_staking, include_doublecounted)
        supplied, borrowed = self.supplied(), self.borrowed()
        own = supplied - borrowed + (borrowed if include_borrowed else 0.0)
        kind = {p.name: p.kind for p in self.protocols}
        return pd.DataFrame({
            "reserve": list(self.keys),
            "protocol": [r.protocol for r in self.reserves],
            "asset": [r.asset for r in self.reserves],
            "kind": [kind[r.protocol] for r in self.reserves],
            "external_usd": self.external(),
            "lenders_usd": self.lenders(),
            "supplied_usd": supplied,
            "borrowed_usd": borrowed,
            "counted": mask,
            "defillama_usd": np.where(mask, own, 0.0),
        })

    def summary(self) -> pd.Series:
        """The three headline totals and two ratios, as a Series."""
        ind = self.independent_capital()
        if ind == 0:
            raise ValueError("independent capital is 0: give some reserve external_usd > 0")
        return pd.Series({
            "independent capital": ind,
            "DefiLlama-style TVL": self.defillama_tvl(),
            "naive TVL": self.naive_tvl(),
            "DefiLlama-style / independent": self.defillama_tvl() / ind,
            "naive / independent": self.multiplier(),
        })


def _check_items(name, items, cls):
    if name != "flows" and not items:
        raise ValueError(f"{name} must contain at least one {cls.__name__}; got none")
    for item in items:
        if not isinstance(item, cls):
            raise ValueError(f"{name} must hold {cls.__name__} objects; got {item!r}")


def _unique(name, labels):
    if len(set(labels)) != len(labels):
        dup = sorted({n for n in labels if labels.count(n) > 1})
        raise ValueError(f"{name} must be unique; duplicated: {dup}")


@contract(external_usd=_USD, stake_to_lending=_FRACTION, lending_to_pendle=_BORROW_LTV, pendle_to_lending=_FRACTION,
          lending_to_staking=_BORROW_LTV, max_utilisation=_MAX_UTILISATION)
def staking_loop_graph(external_usd=100.0, stake_to_lending=0.8, lending_to_pendle=0.5,
                       pendle_to_lending=0.8, lending_to_staking=0.5, max_utilisation=1.0) -> CapitalFlowGraph:
    """The chapter's route: staking -> lending 1 -> Pendle -> lending 2 -> staking.

    ``external_usd`` of ETH is staked. A share of the staking token (stETH)
    is supplied to lending market 1 (``receipt``); against it a share of its
    value is borrowed in USDC from market 1's USDC lenders (``borrow``) and
    buys sUSDe held by Pendle; a share of Pendle's deposits, as PTs, is
    supplied to lending market 2 (``receipt``), against which ETH is borrowed
    from market 2's ETH lenders and staked again (``borrow``), closing the
    loop. Lenders supply what is borrowed at ``max_utilisation``.

    Each fraction is in [0, 1]; the two borrow fractions (LTVs) must be < 1.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> g = staking_loop_graph(100, 0.75, 0.5, 0.75, 0.5)
    >>> [round(v, 2) for v in (g.independent_capital(), g.defillama_tvl(), g.naive_tvl())]
    [160.0, 163.64, 340.0]
    """
    return _graph(
        protocols=(Protocol("staking", "liquid_staking"), Protocol("lending 1", "lending"),
                   Protocol("pendle", "yield"), Protocol("lending 2", "lending")),
        reserves=(Reserve("staking", "ETH", external_usd=external_usd), Reserve("lending 1", "stETH"),
                  Reserve("lending 1", "USDC"), Reserve("pendle", "sUSDe"),
                  Reserve("lending 2", "PT-sUSDe"), Reserve("lending 2", "ETH")),
        flows=(Flow("staking:ETH", "lending 1:stETH", stake_to_lending),
               Flow("lending 1:stETH", "pendle:sUSDe", lending_to_pendle, "borrow", asset="USDC"),
               Flow("pendle:sUSDe", "lending 2:PT-sUSDe", pendle_to_lending),
               Flow("lending 2:PT-sUSDe", "staking:ETH", lending_to_staking, "borrow", asset="ETH")),
        max_utilisation=max_utilisation,
    )


@contract(external_usd=_USD, pt_to_lending=_FRACTION, ltv=_BORROW_LTV, max_utilisation=_MAX_UTILISATION)
def pt_loop_graph(external_usd=100.0, pt_to_lending=0.90, ltv=0.85, max_utilisation=1.0) -> CapitalFlowGraph:
    """A Pendle PT loop on a lending market (the class of sUSDe/PT loops on Aave).

    ``external_usd`` of sUSDe goes into Pendle; PTs worth ``pt_to_lending``
    of Pendle's deposits are supplied to Aave; ``ltv`` of their value is
    borrowed in USDC from Aave's USDC lenders and buys more PTs, so the cash
    ends in Pendle as sUSDe. The PT value is taken equal to the sUSDe it is
    a claim on times ``pt_to_lending`` (a PT trades below its underlying
    before maturity; the fraction absorbs that discount).

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> g = pt_loop_graph()
    >>> round(g.defillama_tvl() / g.independent_capital(), 2)
    1.9
    """
    return _graph(
        protocols=(Protocol("pendle", "yield"), Protocol("aave", "lending")),
        reserves=(Reserve("pendle", "sUSDe", external_usd=external_usd), Reserve("aave", "PT-sUSDe"),
                  Reserve("aave", "USDC")),
        flows=(Flow("pendle:sUSDe", "aave:PT-sUSDe", pt_to_lending),
               Flow("aave:PT-sUSDe", "pendle:sUSDe", ltv, "borrow", asset="USDC")),
        max_utilisation=max_utilisation,
    )


@contract(equity_usd=_USD, ltv=_BORROW_LTV, lenders_usd=_USD)
def same_market_loop_graph(equity_usd=100.0, ltv=0.8, lenders_usd=0.0) -> CapitalFlowGraph:
    """A loop on one reserve: supply USDC, borrow USDC against it, supply it again.

    The graph form of :func:`looped_deposits`, with optional other lenders
    in the same reserve (who do not loop).

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> g = same_market_loop_graph(100, 0.8)
    >>> [round(v, 6) for v in (g.naive_tvl(), g.defillama_tvl(), g.independent_capital())]
    [500.0, 100.0, 100.0]
    """
    return _graph(
        protocols=(Protocol("aave", "lending"),),
        reserves=(Reserve("aave", "USDC", external_usd=equity_usd, lenders_usd=lenders_usd),),
        flows=(Flow("aave:USDC", "aave:USDC", ltv, "borrow", asset="USDC"),),
    )


def _graph(**fields) -> CapitalFlowGraph:
    """Build a graph for a factory: an overflow becomes an arithmetic error, which the factory's
    contract reports with the factory's own parameters."""
    try:
        return CapitalFlowGraph(**fields)
    except _GraphOverflow as exc:
        raise OverflowError(str(exc)) from None
