"""DefiLlama: protocol TVL (with its borrowed/staking buckets), chain TVL,
yield pools and stablecoin supply. Free API, no key.

Every function takes a :class:`~._http.Client` and returns a tidy
:class:`pandas.DataFrame` in the handbook's units: USD amounts in ``*_usd``
columns, rates as fractions (DefiLlama's APYs are percentages and are divided
by 100 here), dates as naive UTC days.

Quirks handled (DefiLlama/api-docs ``defillama-openapi-free.json`` and the
SDK types in DefiLlama/api-sdk ``src/types/{tvl,yields,stablecoins}.ts``):

* ``/tvl/{slug}`` returns a bare JSON number;
* ``/protocols`` and ``/protocol/{slug}`` mix chains and *buckets* in one
  map: ``"Ethereum"`` is TVL, ``"Ethereum-borrowed"`` and ``"borrowed"`` are
  borrows (see :func:`split_tvl_buckets`);
* the yields host wraps rows as ``{"status": "success", "data": [...]}`` and
  ``/chart/{pool}`` uses ISO timestamps while the TVL endpoints use unix
  seconds;
* ``/stablecoincharts/all`` sends ``date`` as a *string* of unix seconds;
* the last point of a TVL history is often "now" rather than midnight, so
  points are reduced to one per UTC day (the last one).

References
----------
DefiLlama API docs: https://api-docs.defillama.com (OpenAPI spec in
``DefiLlama/api-docs``); DefiLlama ``docs`` repository, ``api.md``.
"""

from __future__ import annotations

import math

import pandas as pd

from ._http import Client
from ._schema import Check

__all__ = [
    "TVL_BUCKETS",
    "split_tvl_buckets",
    "protocols",
    "protocol_tvl_history",
    "protocol_current_tvl",
    "chain_tvl_history",
    "yield_pools",
    "pool_history",
    "stablecoin_supply_history",
]

#: Keys DefiLlama uses for value that its default TVL leaves out (borrowed
#: funds, the protocol's own token staked, liquidity of its own token, ...).
#: From the dashboard's TVL toggles; DefiLlama turned double counting off by
#: default on 2022-08-04 (CoinDesk, 2022-08-05).
TVL_BUCKETS = frozenset(
    {"borrowed", "staking", "pool2", "doublecounted", "liquidstaking", "vesting", "offers", "treasury"}
)


def _bucket_of(key: str) -> tuple[str | None, str | None]:
    """(chain, bucket) of a chainTvls key: ("Ethereum", None), (None, "borrowed"), ..."""
    if key in TVL_BUCKETS:
        return None, key
    head, sep, tail = key.rpartition("-")
    if sep and head and tail and (tail in TVL_BUCKETS or tail.islower()):
        return head, tail
    return key, None


def split_tvl_buckets(chain_tvls: dict) -> dict:
    """Split a DefiLlama ``chainTvls``/``currentChainTvls`` map into TVL and buckets.

    DefiLlama's per-chain map holds both plain chain TVL (``"Ethereum"``) and
    extra buckets, per chain (``"Ethereum-borrowed"``) and in total
    (``"borrowed"``). Summing every value double counts; this keeps them
    apart. A total bucket key is used when present, else the per-chain
    bucket keys are summed.

    Parameters
    ----------
    chain_tvls : dict
        Mapping of key -> USD number as sent by ``/protocols`` or
        ``/protocol/{slug}`` (``currentChainTvls``).

    Returns
    -------
    dict
        ``{"tvl_usd": float, "chains": {chain: usd}, "<bucket>_usd": float, ...}``
        with one ``<bucket>_usd`` entry per bucket present (``borrowed_usd``,
        ``staking_usd``, ...). ``tvl_usd`` is DefiLlama's default TVL.

    Examples
    --------
    >>> out = split_tvl_buckets({"Ethereum": 100.0, "Ethereum-borrowed": 30.0})
    >>> out["tvl_usd"], out["borrowed_usd"], out["tvl_usd"] + out["borrowed_usd"]
    (100.0, 30.0, 130.0)
    >>> split_tvl_buckets({"Ethereum": 5.0, "Base": 1.0, "staking": 2.0, "Base-staking": 2.0})["staking_usd"]
    2.0

    References
    ----------
    DefiLlama/api-sdk ``src/types/tvl.ts`` (``chainTvls``, ``currentChainTvls``);
    DefiLlama/api-docs ``defillama-openapi-free.json`` (``/protocol/{protocol}``).
    """
    if not isinstance(chain_tvls, dict):
        raise ValueError(f"chain_tvls must be a dict of key -> USD; got {type(chain_tvls).__name__}")
    chains: dict[str, float] = {}
    totals: dict[str, float] = {}
    per_chain: dict[str, float] = {}
    for key, value in chain_tvls.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"chain_tvls[{key!r}] must be a finite number; got {value!r}")
        chain, bucket = _bucket_of(str(key))
        if bucket is None:
            chains[chain] = float(value)
        elif chain is None:
            totals[bucket] = float(value)
        else:
            per_chain[bucket] = per_chain.get(bucket, 0.0) + float(value)
    out: dict = {"tvl_usd": float(sum(chains.values())), "chains": chains}
    for bucket in sorted(set(totals) | set(per_chain)):
        out[f"{bucket}_usd"] = totals.get(bucket, per_chain.get(bucket, 0.0))
    return out


def _daily(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per UTC day (the last point of the day), ascending."""
    frame = frame.assign(date=frame["date"].dt.floor("D"))
    return frame.drop_duplicates("date", keep="last").sort_values("date").reset_index(drop=True)


def _tvl_points(chk: Check, points, where: str, value_key: str = "totalLiquidityUSD") -> pd.DataFrame:
    rows = chk.rows(points, where)
    dates, values = [], []
    for i, p in enumerate(rows):
        w = f"{where}[{i}]"
        dates.append(chk.unix_time(chk.field(p, "date", w), f"{w}.date"))
        values.append(chk.number(chk.field(p, value_key, w), f"{w}.{value_key}", lo=0))
    return _daily(pd.DataFrame({"date": dates, "value": values}).sort_values("date", kind="stable"))


def protocols(client: Client, *, category: str | None = "Lending", top: int | None = None) -> pd.DataFrame:
    """Current TVL of every protocol in ``category`` (``None``: all), largest first.

    ``GET api.llama.fi/protocols``. Rows whose ``tvl`` is null are skipped.

    Returns
    -------
    DataFrame
        ``protocol, slug, category, parent, chains, tvl_usd, borrowed_usd,
        staking_usd, pool2_usd``; ``parent`` is the parent protocol's slug
        (``""`` if none), ``chains`` the number of chains, buckets 0 when absent.
    """
    source = "DefiLlama /protocols"
    data = client.get_json("llama_api", "/protocols", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    rows = chk.rows(data, "response")
    out = []
    for i, p in enumerate(rows):
        where = f"protocols[{i}]"
        chk.obj(p, where)
        if category is not None and p.get("category") != category:
            continue
        name = chk.text(chk.field(p, "name", where), f"{where}.name")
        where = f"protocol {name!r}"
        slug = chk.text(chk.field(p, "slug", where), f"{where}.slug")
        tvl = chk.number(chk.field(p, "tvl", where), f"{where}.tvl", lo=0, optional=True)
        if math.isnan(tvl):
            continue
        raw = chk.obj(chk.field(p, "chainTvls", where), f"{where}.chainTvls")
        try:
            parts = split_tvl_buckets(raw)
        except ValueError as exc:
            raise chk.fail(f"{where}.chainTvls: {exc}") from None
        parent = p.get("parentProtocol") or ""
        out.append({
            "protocol": name,
            "slug": slug,
            "category": p.get("category") or "",
            "parent": str(parent).split("#")[-1],
            "chains": len(p.get("chains") or parts["chains"]),
            "tvl_usd": tvl,
            "borrowed_usd": parts.get("borrowed_usd", 0.0),
            "staking_usd": parts.get("staking_usd", 0.0),
            "pool2_usd": parts.get("pool2_usd", 0.0),
        })
    if not out:
        raise chk.fail(f"no protocols with category {category!r} and a TVL")
    frame = pd.DataFrame(out).sort_values("tvl_usd", ascending=False, kind="stable")
    if top is not None:
        frame = frame.head(int(top))
    return frame.reset_index(drop=True)


def protocol_tvl_history(client: Client, slug: str = "aave") -> pd.DataFrame:
    """Daily TVL of one protocol, with its borrowed bucket when it has one.

    ``GET api.llama.fi/protocol/{slug}``: ``tvl`` is the default TVL history
    and ``chainTvls["borrowed"].tvl`` the borrowed history (lending protocols).

    Returns
    -------
    DataFrame
        ``date, protocol, tvl_usd, borrowed_usd`` (``borrowed_usd`` is blank
        on days DefiLlama has no borrowed point).
    """
    source = f"DefiLlama /protocol/{slug}"
    data = client.get_json("llama_api", f"/protocol/{slug}", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    chk.obj(data, "response")
    name = chk.text(chk.field(data, "name", "response"), "name")
    tvl = _tvl_points(chk, chk.field(data, "tvl", "response"), "tvl").rename(columns={"value": "tvl_usd"})
    chain_tvls = data.get("chainTvls") or {}
    chk.obj(chain_tvls, "chainTvls")
    if "borrowed" in chain_tvls:
        borrowed_points = chk.field(chk.obj(chain_tvls["borrowed"], "chainTvls.borrowed"), "tvl", "chainTvls.borrowed")
        borrowed = _tvl_points(chk, borrowed_points, "chainTvls.borrowed.tvl").rename(columns={"value": "borrowed_usd"})
        tvl = tvl.merge(borrowed, on="date", how="left")
    else:
        tvl["borrowed_usd"] = math.nan
    tvl.insert(1, "protocol", name)
    return tvl[["date", "protocol", "tvl_usd", "borrowed_usd"]]


def protocol_current_tvl(client: Client, slug: str) -> float:
    """Current default TVL of ``slug`` in USD (``GET api.llama.fi/tvl/{slug}``, a bare number)."""
    source = f"DefiLlama /tvl/{slug}"
    data = client.get_json("llama_api", f"/tvl/{slug}", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    return chk.number(data, "response (a bare number)", lo=0)


def chain_tvl_history(client: Client, chain: str | None = None) -> pd.DataFrame:
    """Daily DeFi TVL of all chains (``chain=None``) or one chain.

    ``GET api.llama.fi/v2/historicalChainTvl[/{chain}]``, which DefiLlama
    documents as excluding liquid staking and double-counted TVL.

    Returns
    -------
    DataFrame
        ``date, tvl_usd``.
    """
    path = "/v2/historicalChainTvl" + (f"/{chain}" if chain else "")
    source = f"DefiLlama {path}"
    data = client.get_json("llama_api", path, source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    return _tvl_points(chk, data, "response", value_key="tvl").rename(columns={"value": "tvl_usd"})


def _wrapped_rows(chk: Check, data) -> list:
    """Rows of a yields-host ``{"status": "success", "data": [...]}`` response."""
    chk.obj(data, "response")
    status = chk.field(data, "status", "response")
    if status != "success":
        raise chk.fail(f"status is {status!r}, not 'success'")
    return chk.rows(chk.field(data, "data", "response"), "data")


def _pct(chk: Check, row: dict, key: str, where: str, optional: bool = True) -> float:
    """A DefiLlama percentage field as a fraction (null -> NaN when optional)."""
    if key not in row and optional:
        return math.nan
    return chk.number(row.get(key), f"{where}.{key}", lo=-100, optional=optional) / 100.0


def yield_pools(client: Client, *, projects=None, chain: str | None = None,
                min_tvl_usd: float = 0.0) -> pd.DataFrame:
    """Current yield pools, optionally filtered by project slugs and chain.

    ``GET yields.llama.fi/pools``. APYs are converted from percent to fractions.

    Returns
    -------
    DataFrame
        ``pool, project, chain, symbol, tvl_usd, apy, apy_base, apy_reward,
        stablecoin``, largest TVL first.
    """
    source = "DefiLlama yields /pools"
    data = client.get_json("llama_yields", "/pools", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    rows = _wrapped_rows(chk, data)
    wanted = set(projects) if projects else None
    out = []
    for i, p in enumerate(rows):
        where = f"data[{i}]"
        chk.obj(p, where)
        project = chk.text(chk.field(p, "project", where), f"{where}.project")
        if wanted is not None and project not in wanted:
            continue
        pool_chain = chk.text(chk.field(p, "chain", where), f"{where}.chain")
        if chain is not None and pool_chain != chain:
            continue
        tvl = chk.number(chk.field(p, "tvlUsd", where), f"{where}.tvlUsd", lo=0)
        if tvl < min_tvl_usd:
            continue
        chk.field(p, "apy", where)
        out.append({
            "pool": chk.text(chk.field(p, "pool", where), f"{where}.pool"),
            "project": project,
            "chain": pool_chain,
            "symbol": chk.text(chk.field(p, "symbol", where), f"{where}.symbol"),
            "tvl_usd": tvl,
            "apy": _pct(chk, p, "apy", where),
            "apy_base": _pct(chk, p, "apyBase", where),
            "apy_reward": _pct(chk, p, "apyReward", where),
            "stablecoin": bool(p.get("stablecoin", False)),
        })
    if not out:
        raise chk.fail("no pools match the filter")
    return pd.DataFrame(out).sort_values("tvl_usd", ascending=False, kind="stable").reset_index(drop=True)


def pool_history(client: Client, pool: str) -> pd.DataFrame:
    """Daily APY and TVL history of one yield pool (``GET yields.llama.fi/chart/{pool}``).

    Returns
    -------
    DataFrame
        ``date, tvl_usd, apy, apy_base, apy_reward`` (fractions; blank where
        DefiLlama has null).
    """
    source = f"DefiLlama yields /chart/{pool}"
    data = client.get_json("llama_yields", f"/chart/{pool}", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    rows = _wrapped_rows(chk, data)
    out = []
    for i, p in enumerate(rows):
        where = f"data[{i}]"
        chk.obj(p, where)
        chk.field(p, "apy", where)
        apy = _pct(chk, p, "apy", where, optional=False)
        out.append({
            "date": chk.iso_time(chk.field(p, "timestamp", where), f"{where}.timestamp"),
            "tvl_usd": chk.number(chk.field(p, "tvlUsd", where), f"{where}.tvlUsd", lo=0),
            "apy": apy,
            "apy_base": _pct(chk, p, "apyBase", where),
            "apy_reward": _pct(chk, p, "apyReward", where),
        })
    return _daily(pd.DataFrame(out).sort_values("date", kind="stable"))


def stablecoin_supply_history(client: Client, stablecoin_id: int = 146) -> pd.DataFrame:
    """Daily circulating supply of one stablecoin (default 146 = Ethena USDe).

    ``GET stablecoins.llama.fi/stablecoincharts/all?stablecoin={id}``; rows
    carry ``date`` as a string of unix seconds and amounts per peg type.

    Returns
    -------
    DataFrame
        ``date, supply_usd, supply_value_usd``: circulating supply in units
        of the USD peg, and its USD value at DefiLlama's price.
    """
    source = f"DefiLlama stablecoins /stablecoincharts/all?stablecoin={stablecoin_id}"
    data = client.get_json("llama_stablecoins", "/stablecoincharts/all",
                           params={"stablecoin": stablecoin_id}, source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    rows = chk.rows(data, "response")
    out = []
    for i, p in enumerate(rows):
        where = f"response[{i}]"
        circ = chk.obj(chk.field(p, "totalCirculating", where), f"{where}.totalCirculating")
        value = chk.obj(p.get("totalCirculatingUSD", circ), f"{where}.totalCirculatingUSD")
        out.append({
            "date": chk.unix_time(chk.field(p, "date", where), f"{where}.date"),
            "supply_usd": chk.number(chk.field(circ, "peggedUSD", f"{where}.totalCirculating"),
                                     f"{where}.totalCirculating.peggedUSD", lo=0),
            "supply_value_usd": chk.number(value.get("peggedUSD", circ.get("peggedUSD")),
                                           f"{where}.totalCirculatingUSD.peggedUSD", lo=0),
        })
    return _daily(pd.DataFrame(out).sort_values("date", kind="stable"))
