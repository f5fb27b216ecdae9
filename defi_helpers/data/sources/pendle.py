"""Pendle: active PT markets and a market's implied vs underlying APY history.

Pendle's backend API (``https://api-v2.pendle.finance/core``, no key, free
tier metered at 100 computing units per minute, HTTP 429 when exceeded).
APYs are already fractions (0.123 = 12.3 %).

* ``GET /v1/{chainId}/markets/active`` -> ``{"markets": [{name, address,
  expiry (ISO), pt, yt, sy, underlyingAsset, details: {liquidity,
  impliedApy, pendleApy, aggregatedApy, ...}}]}``;
* ``GET /v1/{chainId}/markets/{address}/historical-data?time_frame=day`` ->
  a *columnar* table ``{total, timestamp_start, timestamp_end,
  timestamp: [unix s], impliedApy: [...], underlyingApy: [...], tvl: [...]}``
  (schema ``MarketHistoricalDataTableResponse``). The v2/v3 routes return
  rows ``{"results": [{timestamp (ISO), impliedApy, underlyingApy, tvl}]}``;
  both shapes are accepted.

References
----------
Pendle docs, Backend API overview and Quickstart:
https://docs.pendle.finance/pendle-v2-dev/Backend/ApiOverview ; Swagger at
https://api-v2.pendle.finance/core/docs (schemas ``GetActiveMarketsResponse``,
``MarketHistoricalDataTableResponse``, ``MarketHistoricalDataResponse``).
"""

from __future__ import annotations

import pandas as pd

from ._http import Client
from ._schema import Check

__all__ = ["active_markets", "market_history"]

_HOST = "pendle"


def active_markets(client: Client, chain_id: int = 1) -> pd.DataFrame:
    """Active Pendle markets on ``chain_id`` (1 = Ethereum), most liquid first.

    Returns
    -------
    DataFrame
        ``name, address, expiry_date, implied_apy, liquidity_usd``.
    """
    source = f"Pendle /v1/{chain_id}/markets/active"
    data = client.get_json(_HOST, f"/v1/{chain_id}/markets/active", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    markets = chk.rows(chk.field(chk.obj(data, "response"), "markets", "response"), "markets")
    out = []
    for i, m in enumerate(markets):
        where = f"markets[{i}]"
        chk.obj(m, where)
        details = chk.obj(chk.field(m, "details", where), f"{where}.details")
        expiry = chk.iso_time(chk.field(m, "expiry", where), f"{where}.expiry")
        out.append({
            "name": chk.text(chk.field(m, "name", where), f"{where}.name"),
            "address": chk.text(chk.field(m, "address", where), f"{where}.address").lower(),
            "expiry_date": expiry.floor("D"),
            "implied_apy": chk.number(chk.field(details, "impliedApy", f"{where}.details"),
                                      f"{where}.details.impliedApy", lo=-1, hi=100),
            "liquidity_usd": chk.number(chk.field(details, "liquidity", f"{where}.details"),
                                        f"{where}.details.liquidity", lo=0),
        })
    frame = pd.DataFrame(out).sort_values("liquidity_usd", ascending=False, kind="stable")
    return frame.reset_index(drop=True)


def _columnar(chk: Check, data: dict) -> pd.DataFrame:
    times = chk.rows(chk.field(data, "timestamp", "response"), "timestamp")
    cols = {}
    for key in ("impliedApy", "underlyingApy", "tvl"):
        col = chk.rows(chk.field(data, key, "response"), key)
        if len(col) != len(times):
            raise chk.fail(f"column {key!r} has {len(col)} values but 'timestamp' has {len(times)}")
        cols[key] = col
    return pd.DataFrame({
        "date": [chk.unix_time(t, f"timestamp[{i}]") for i, t in enumerate(times)],
        "implied_apy": [chk.number(v, f"impliedApy[{i}]", lo=-1, hi=100) for i, v in enumerate(cols["impliedApy"])],
        "underlying_apy": [chk.number(v, f"underlyingApy[{i}]", lo=-1, hi=100)
                           for i, v in enumerate(cols["underlyingApy"])],
        "tvl_usd": [chk.number(v, f"tvl[{i}]", lo=0) for i, v in enumerate(cols["tvl"])],
    })


def _rows(chk: Check, data: dict) -> pd.DataFrame:
    rows = chk.rows(data["results"], "results")
    out = []
    for i, r in enumerate(rows):
        w = f"results[{i}]"
        t = chk.field(r, "timestamp", w)
        when = chk.unix_time(t, f"{w}.timestamp") if isinstance(t, (int, float)) else chk.iso_time(t, f"{w}.timestamp")
        out.append({
            "date": when,
            "implied_apy": chk.number(chk.field(r, "impliedApy", w), f"{w}.impliedApy", lo=-1, hi=100),
            "underlying_apy": chk.number(chk.field(r, "underlyingApy", w), f"{w}.underlyingApy", lo=-1, hi=100),
            "tvl_usd": chk.number(r.get("tvl", r.get("totalTvl")), f"{w}.tvl", lo=0),
        })
    return pd.DataFrame(out)


def market_history(client: Client, market: str | None = None, *, chain_id: int = 1,
                   time_frame: str = "day") -> pd.DataFrame:
    """Implied and underlying APY history of one Pendle market.

    Parameters
    ----------
    market : str or None
        Market (LP) contract address; ``None`` picks the most liquid active
        market on ``chain_id`` (one extra request).
    time_frame : {"hour", "day", "week"}

    Returns
    -------
    DataFrame
        ``date, market, implied_apy, underlying_apy, tvl_usd`` (fractions
        and USD), oldest first.
    """
    if time_frame not in ("hour", "day", "week"):
        raise ValueError(f"time_frame must be one of 'hour', 'day', 'week'; got {time_frame!r}")
    if market is None:
        market = active_markets(client, chain_id)["address"].iloc[0]
    source = f"Pendle /v1/{chain_id}/markets/{market}/historical-data"
    data = client.get_json(_HOST, f"/v1/{chain_id}/markets/{market}/historical-data",
                           params={"time_frame": time_frame}, source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    chk.obj(data, "response")
    frame = _rows(chk, data) if "results" in data else _columnar(chk, data)
    if time_frame != "hour":
        frame["date"] = frame["date"].dt.floor("D")
    frame = frame.sort_values("date", kind="stable").drop_duplicates("date", keep="last")
    frame.insert(1, "market", str(market).lower())
    return frame.reset_index(drop=True)
