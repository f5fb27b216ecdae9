"""Lido: stETH staking APR from Lido's own read-only API (no key).

``GET eth-api.lido.fi/v1/protocol/steth/apr/sma`` returns the daily APRs of
the last 7 days and their simple moving average; ``.../apr/last`` the latest
APR. Both wrap the payload as ``{"data": ..., "meta": ...}`` and give APR in
*percent*, converted to fractions here. For Lido v2+ the APR is computed from
``TokenRebased`` events as ``secondsInYear * (postShareRate - preShareRate)
/ preShareRate / timeElapsed``.

References
----------
Lido docs, "API" (``lidofinance/docs``, ``docs/integrations/api.md``):
https://docs.lido.fi/integrations/api ; Swagger at https://eth-api.lido.fi/api
"""

from __future__ import annotations

import pandas as pd

from ._http import Client
from ._schema import Check

__all__ = ["steth_apr_sma", "steth_apr_last"]

_SOURCE = "Lido API /v1/protocol/steth/apr"


def steth_apr_sma(client: Client) -> pd.DataFrame:
    """Daily stETH APR points behind Lido's 7-day SMA, oldest first.

    Returns
    -------
    DataFrame
        ``date, apr, apr_sma_7d``: the day's APR and Lido's 7-day simple
        moving average (the same value on every row), both fractions.
    """
    source = f"{_SOURCE}/sma"
    data = client.get_json("lido", "/v1/protocol/steth/apr/sma", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    payload = chk.obj(chk.field(chk.obj(data, "response"), "data", "response"), "data")
    points = chk.rows(chk.field(payload, "aprs", "data"), "data.aprs")
    sma = chk.number(chk.field(payload, "smaApr", "data"), "data.smaApr", lo=-100, hi=100) / 100.0
    rows = []
    for i, p in enumerate(points):
        where = f"data.aprs[{i}]"
        rows.append({
            "date": chk.unix_time(chk.field(p, "timeUnix", where), f"{where}.timeUnix"),
            "apr": chk.number(chk.field(p, "apr", where), f"{where}.apr", lo=-100, hi=100) / 100.0,
        })
    frame = pd.DataFrame(rows).sort_values("date", kind="stable")
    frame["date"] = frame["date"].dt.floor("D")
    frame = frame.drop_duplicates("date", keep="last").reset_index(drop=True)
    frame["apr_sma_7d"] = sma
    return frame


def steth_apr_last(client: Client) -> tuple[pd.Timestamp, float]:
    """Latest stETH APR as ``(time, apr)`` with ``apr`` a fraction."""
    source = f"{_SOURCE}/last"
    data = client.get_json("lido", "/v1/protocol/steth/apr/last", source=source)
    chk = Check(source, client.urls[-1] if client.urls else None)
    payload = chk.obj(chk.field(chk.obj(data, "response"), "data", "response"), "data")
    when = chk.unix_time(chk.field(payload, "timeUnix", "data"), "data.timeUnix")
    return when, chk.number(chk.field(payload, "apr", "data"), "data.apr", lo=-100, hi=100) / 100.0
