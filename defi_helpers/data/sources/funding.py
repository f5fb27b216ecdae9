"""Perpetual-futures funding-rate history: Binance USDⓈ-M and Bybit v5.

Funding rates are fractions *per funding interval* (usually 8 h: 0.0001 =
0.01 % per 8 h), paid by longs to shorts when positive.

Binance ``GET fapi.binance.com/fapi/v1/fundingRate``: params ``symbol``,
``startTime``/``endTime`` (ms, inclusive), ``limit`` (default 100, max 1000);
rows ``{"symbol", "fundingRate": "<string>", "fundingTime": <ms>,
"markPrice": "<string>"}`` in *ascending* order; a window with more than
``limit`` rows returns the first ``limit`` from ``startTime``. Request weight
is shared with ``fundingInfo`` (500 per 5 min per IP). Some jurisdictions get
HTTP 451.

Bybit ``GET api.bybit.com/v5/market/funding/history``: params ``category``
(``linear``/``inverse``), ``symbol``, ``startTime``/``endTime`` (ms),
``limit`` (1-200, default 200); answers ``{"retCode": 0, "retMsg": "OK",
"result": {"category", "list": [{"symbol", "fundingRate": "<string>",
"fundingRateTimestamp": "<string ms>"}]}}`` with rows *newest first*;
errors come back as HTTP 200 with ``retCode != 0``. Passing only
``startTime`` is an error, so both bounds are always sent.

References
----------
Binance Open Platform, USDⓈ-M Futures, "Get Funding Rate History":
https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Get-Funding-Rate-History
Bybit API v5, "Get Funding Rate History":
https://bybit-exchange.github.io/docs/v5/market/history-fund-rate
"""

from __future__ import annotations

import pandas as pd

from ._http import Client, FetchError
from ._schema import Check

__all__ = ["binance_funding_history", "bybit_funding_history", "BINANCE_LIMIT", "BYBIT_LIMIT"]

#: Page sizes: the documented maxima (Binance 1000, Bybit 200), checked 2025-11.
BINANCE_LIMIT = 1000
BYBIT_LIMIT = 200
#: Safety stop for pagination: 50 pages cover > 45 years of 8-hourly rows.
MAX_PAGES = 50

_COLUMNS = ["date", "venue", "symbol", "funding_rate"]


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame = frame.sort_values("date", kind="stable").drop_duplicates("date", keep="last")
    return frame.reset_index(drop=True)


def binance_funding_history(client: Client, symbol: str = "ETHUSDT", *, start_ms: int, end_ms: int,
                            limit: int = BINANCE_LIMIT) -> pd.DataFrame:
    """Funding-rate history of a Binance USDⓈ-M perpetual between two ms timestamps.

    Pages forward from ``start_ms`` until a page is short or passes ``end_ms``.

    Returns
    -------
    DataFrame
        ``date, venue, symbol, funding_rate`` (``venue`` = "Binance"), oldest first.
    """
    if end_ms <= start_ms:
        raise ValueError(f"end_ms must be > start_ms; got start_ms={start_ms}, end_ms={end_ms}")
    source = "Binance USDⓈ-M /fapi/v1/fundingRate"
    rows: list[dict] = []
    start = int(start_ms)
    for _page in range(MAX_PAGES):
        data = client.get_json("binance_futures", "/fapi/v1/fundingRate", source=source, params={
            "symbol": symbol, "startTime": start, "endTime": int(end_ms), "limit": int(limit)})
        chk = Check(source, client.urls[-1] if client.urls else None)
        page = chk.rows(data, "response", allow_empty=bool(rows))
        last = None
        for i, r in enumerate(page):
            where = f"response[{i}]"
            last = chk.number(chk.field(r, "fundingTime", where), f"{where}.fundingTime")
            rows.append({
                "date": chk.unix_time(last, f"{where}.fundingTime", unit="ms"),
                "venue": "Binance",
                "symbol": chk.text(chk.field(r, "symbol", where), f"{where}.symbol"),
                "funding_rate": chk.number(chk.field(r, "fundingRate", where), f"{where}.fundingRate",
                                           lo=-1, hi=1),
            })
        if len(page) < limit or last is None or last >= end_ms:
            break
        start = int(last) + 1
    return _frame(rows)


def bybit_funding_history(client: Client, symbol: str = "ETHUSDT", *, start_ms: int, end_ms: int,
                          category: str = "linear", limit: int = BYBIT_LIMIT) -> pd.DataFrame:
    """Funding-rate history of a Bybit perpetual between two ms timestamps.

    Bybit sends the newest rows first; pages backwards from ``end_ms``.

    Returns
    -------
    DataFrame
        ``date, venue, symbol, funding_rate`` (``venue`` = "Bybit"), oldest first.
    """
    if end_ms <= start_ms:
        raise ValueError(f"end_ms must be > start_ms; got start_ms={start_ms}, end_ms={end_ms}")
    if category not in ("linear", "inverse"):
        raise ValueError(f"category must be 'linear' or 'inverse'; got {category!r}")
    source = "Bybit v5 /v5/market/funding/history"
    rows: list[dict] = []
    end = int(end_ms)
    for _page in range(MAX_PAGES):
        data = client.get_json("bybit", "/v5/market/funding/history", source=source, params={
            "category": category, "symbol": symbol, "startTime": int(start_ms), "endTime": end,
            "limit": int(limit)})
        chk = Check(source, client.urls[-1] if client.urls else None)
        chk.obj(data, "response")
        code = chk.field(data, "retCode", "response")
        if code != 0:
            raise FetchError(source, f"retCode {code!r}: {data.get('retMsg', '')}", chk.url)
        result = chk.obj(chk.field(data, "result", "response"), "result")
        page = chk.rows(chk.field(result, "list", "result"), "result.list", allow_empty=bool(rows))
        oldest = None
        for i, r in enumerate(page):
            where = f"result.list[{i}]"
            ts = chk.number(chk.field(r, "fundingRateTimestamp", where), f"{where}.fundingRateTimestamp")
            oldest = ts if oldest is None else min(oldest, ts)
            rows.append({
                "date": chk.unix_time(ts, f"{where}.fundingRateTimestamp", unit="ms"),
                "venue": "Bybit",
                "symbol": chk.text(chk.field(r, "symbol", where), f"{where}.symbol"),
                "funding_rate": chk.number(chk.field(r, "fundingRate", where), f"{where}.fundingRate",
                                           lo=-1, hi=1),
            })
        if len(page) < limit or oldest is None or oldest <= start_ms:
            break
        end = int(oldest) - 1
    return _frame(rows)
