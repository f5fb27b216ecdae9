"""Which public API refreshes which dataset, and how its rows are written.

The bundled snapshots are curated tables, one dated figure per row with its
own ``source``/``source_url``/``confidence``/``note``. A live refresh writes
rows *in exactly the snapshot's columns and units* (billions of USD where the
snapshot says ``value_usd_bn``, fractions for rates), each citing the API URL
it came from with confidence "A" (the data provider's own API). At load time
these live rows are merged with the snapshot's curated rows: a spec's
``keep`` selects the curated rows the live source does not supersede (by
default all of them), so a chart that contrasts, say, DefiLlama's default
TVL with the double-counted figures still finds both.

Datasets without a bundled snapshot (``live_only=True``) are tidy tables in
the handbook's units (``*_usd`` columns, fractions for rates).

Every id below states where it was checked:
sUSDe pool ``66985a81-9c51-46ca-9977-42b4fe7bc6df`` (DefiLlama yields, project
``ethena-usde``) and USDe stablecoin id ``146`` (``stablecoins.llama.fi/
stablecoin/146``) are used by several independent public integrations and in
the reference sheet's section 1.1/1.3 (2025-11); DefiLlama's ``aave-v3``
yield adaptor reports ``apyBase = liquidityRate / 1e27 * 100``, i.e. Aave's
nominal APR (DefiLlama/yield-server ``src/adaptors/aave-v3/index.js``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd

from . import defillama, funding, lido, pendle
from ._http import Client, LiveDataError
from ...i18n import tr

__all__ = ["FetchContext", "LiveSpec", "SPECS", "SUSDE_POOL", "USDE_STABLECOIN_ID", "group_label",
           "annualised_funding", "pt_market_name", "LIDO_FEE"]

#: DefiLlama yields pool of Ethena's staked USDe (sUSDe) on Ethereum.
SUSDE_POOL = "66985a81-9c51-46ca-9977-42b4fe7bc6df"
#: DefiLlama stablecoin id of Ethena USDe.
USDE_STABLECOIN_ID = 146


@dataclass
class FetchContext:
    """What a spec's fetch function gets: a client, the clock, the mode."""

    client: Client
    now: datetime
    strict: bool
    name: str
    notes: list[str] = field(default_factory=list)

    @property
    def day(self) -> pd.Timestamp:
        """The fetch date (UTC day) as a naive timestamp."""
        return pd.Timestamp(self.now.astimezone(timezone.utc).replace(tzinfo=None)).floor("D")

    @property
    def day_text(self) -> str:
        return self.day.strftime("%Y-%m-%d")

    def url(self) -> str:
        """The last URL fetched, without its query string (for citations)."""
        if not self.client.urls:
            return ""
        p = urlsplit(self.client.urls[-1])
        return urlunsplit((p.scheme, p.netloc, p.path, "", ""))

    def partial(self, error: LiveDataError) -> None:
        """Record a failed part of a multi-source dataset (raise if strict)."""
        if self.strict:
            raise error
        self.notes.append(str(error))


@dataclass(frozen=True)
class LiveSpec:
    """How to refresh one dataset from a public API.

    ``columns`` (column -> description with unit) is the exact output of
    ``fetch``; when a bundled snapshot of the same name exists its columns
    must be the same, in the same order (checked on every refresh and in the
    tests). ``keep`` picks the snapshot rows to keep beside the live rows
    (None: keep them all).
    """

    name: str
    title: str
    description: str
    unit: str
    provider: str
    docs: tuple[dict, ...]
    licence: str
    columns: dict
    fetch: Callable[[FetchContext, dict], pd.DataFrame]
    params: dict = field(default_factory=dict)
    keep: Callable[[pd.DataFrame], pd.Series] | None = None
    sort_by: tuple[str, ...] = ("date",)
    live_only: bool = False
    version: int = 1
    """Bump when the output changes: older cache files are then ignored."""


_DEFILLAMA_DOCS = ({"title": "DefiLlama API documentation", "url": "https://defillama.com/docs/api"},)
_DEFILLAMA_LICENCE = ("DefiLlama: data and adapters open source (docs.llama.fi FAQ); free API, no key. "
                      "Cite DefiLlama.")
_PENDLE_DOCS = ({"title": "Pendle docs: Backend API",
                 "url": "https://docs.pendle.finance/pendle-v2-dev/Backend/ApiOverview"},)
_FUNDING_DOCS = (
    {"title": "Binance USDⓈ-M Futures: Get Funding Rate History",
     "url": "https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/"
            "Get-Funding-Rate-History"},
    {"title": "Bybit API v5: Get Funding Rate History",
     "url": "https://bybit-exchange.github.io/docs/v5/market/history-fund-rate"},
)
_FUNDING_LICENCE = ("Exchange market data, subject to Binance's and Bybit's terms of use; used as a small "
                    "derived table with citation.")


# --------------------------------------------------------------------------- helpers

_SUFFIXES = ("-finance", "-protocol", "-labs", "-dao", "-fi")


def group_label(parent: str, members: list[str]) -> str:
    """Name for a group of DefiLlama protocols sharing a parent.

    One member: its own name. Several: the parent slug without a trailing
    ``-finance``/``-protocol``/``-labs``/``-dao``/``-fi``, title-cased.

    Examples
    --------
    >>> group_label("aave", ["Aave V3", "Aave V2"])
    'Aave'
    >>> group_label("compound-finance", ["Compound V3", "Compound V2"])
    'Compound'
    >>> group_label("spark", ["SparkLend"])
    'SparkLend'
    """
    if len(members) == 1 or not parent:
        return members[0]
    slug = parent
    for suffix in _SUFFIXES:
        if slug.endswith(suffix) and len(slug) > len(suffix):
            slug = slug[: -len(suffix)]
            break
    return " ".join(w.capitalize() for w in re.split(r"[-_ ]+", slug) if w)


def pt_market_name(name: str, expiry: pd.Timestamp) -> str:
    """Pendle's PT naming, ``PT-<asset>-<DDMONYYYY>``.

    Examples
    --------
    >>> pt_market_name("sUSDe", pd.Timestamp("2025-07-31"))
    'PT-sUSDe-31JUL2025'
    """
    return f"PT-{name}-{expiry.strftime('%d%b%Y').upper()}"


def annualised_funding(times: pd.Series, rates: pd.Series) -> tuple[float, float]:
    """Simple annualisation of funding rates: mean rate x intervals per year.

    The interval is the median gap between funding times (8 h on Binance and
    Bybit ETHUSDT), so 0.0001 per 8 h is ``0.0001 * 3 * 365 = 0.1095`` a
    year. No compounding, matching how exchanges and Ethena quote funding.

    Returns
    -------
    (apr, interval_hours)

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2025-01-01 00:00", "2025-01-01 08:00", "2025-01-01 16:00"]))
    >>> apr, h = annualised_funding(t, pd.Series([0.0001, 0.0001, 0.0001]))
    >>> round(apr, 6), h
    (0.1095, 8.0)
    """
    if len(times) != len(rates) or len(rates) == 0:
        raise ValueError(f"times and rates must have equal, non-zero lengths; got {len(times)} and {len(rates)}")
    if len(times) > 1:
        gaps = np.diff(np.sort(pd.to_datetime(times).to_numpy())).astype("timedelta64[s]").astype(float) / 3600
        interval = float(np.median(gaps))
    else:
        interval = 8.0
    if not interval > 0:
        raise ValueError(f"funding times must be distinct; median gap {interval} h")
    return float(np.mean(rates)) * (365 * 24 / interval), interval


def _sample(frame: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Rows at ``frequency`` ("D": all; "W"/"MS": the first row of each week/month),
    plus the row with the largest value and the last row."""
    if frequency == "D":
        return frame
    key = frame["date"].dt.to_period("W" if frequency == "W" else "M")
    picked = frame.groupby(key, sort=True).head(1).index
    extra = [frame["value"].idxmax(), frame.index[-1]]
    return frame.loc[sorted(set(picked) | set(extra))]


# --------------------------------------------------------------------------- fetchers

def _defi_tvl(ctx: FetchContext, p: dict) -> pd.DataFrame:
    hist = defillama.chain_tvl_history(ctx.client).rename(columns={"tvl_usd": "value"})
    url = ctx.url()
    pts = _sample(hist, p["frequency"])
    top, last = hist["value"].idxmax(), hist.index[-1]
    notes = {top: "all-time high of the series at fetch time", last: "latest point at fetch time"}
    return pd.DataFrame({
        "date": pts["date"].to_numpy(),
        "date_precision": "day",
        "scope": "all chains",
        "view": "default",
        "value_usd_bn": pts["value"].to_numpy() / 1e9,
        "source_title": f"DefiLlama API, /v2/historicalChainTvl (live, fetched {ctx.day_text})",
        "source_url": url,
        "confidence": "A",
        "note": [notes.get(i, "") for i in pts.index],
    })


def _leaders(ctx: FetchContext, p: dict) -> pd.DataFrame:
    rows = defillama.protocols(ctx.client, category="Lending")
    url = ctx.url()
    total = None
    try:
        total = float(defillama.chain_tvl_history(ctx.client)["tvl_usd"].iloc[-1])
    except LiveDataError as exc:
        ctx.partial(exc)
    rows["group"] = np.where(rows["parent"] != "", rows["parent"], rows["slug"])
    out = []
    for group, g in rows.groupby("group", sort=False):
        members = g["protocol"].tolist()
        tvl, borrowed = float(g["tvl_usd"].sum()), float(g["borrowed_usd"].sum())
        out.append((group_label(str(group) if len(members) > 1 else "", members), tvl, borrowed, members))
    out.sort(key=lambda r: -r[1])
    records = []
    title = f"DefiLlama API, /protocols (category Lending; live, fetched {ctx.day_text})"
    for label, tvl, borrowed, members in out[: p["top"]]:
        summed = f"sum of DefiLlama protocols {', '.join(members)}" if len(members) > 1 else f"DefiLlama protocol {members[0]}"
        for metric, value, note in (
            ("tvl_default", tvl, f"{summed}; default TVL = supplied minus borrowed"),
            ("borrowed", borrowed, f"{summed}; DefiLlama 'borrowed' bucket"),
            ("deposits", tvl + borrowed, f"{summed}; tvl_default + borrowed"),
        ):
            records.append({
                "date": ctx.day, "date_precision": "day", "protocol": label, "metric": metric,
                "value_usd_bn": value / 1e9,
                "share_of_defi": tvl / total if (metric == "tvl_default" and total) else math.nan,
                "source_title": title, "source_url": url, "confidence": "A",
                "note": note + ("; share of the all-chains total from /v2/historicalChainTvl"
                                if metric == "tvl_default" and total else ""),
            })
    return pd.DataFrame.from_records(records)


def _funding_window(ctx: FetchContext, days: float) -> tuple[int, int]:
    end = ctx.now.astimezone(timezone.utc)
    start = end - timedelta(days=days)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def _both_venues(ctx: FetchContext, symbol: str, start_ms: int, end_ms: int) -> pd.DataFrame:
    parts, errors = [], []
    for fn in (funding.binance_funding_history, funding.bybit_funding_history):
        try:
            parts.append(fn(ctx.client, symbol, start_ms=start_ms, end_ms=end_ms))
        except LiveDataError as exc:
            errors.append(exc)
    if not parts:
        raise errors[0]
    for exc in errors:
        ctx.partial(exc)
    return pd.concat(parts, ignore_index=True).sort_values(["date", "venue"], kind="stable").reset_index(drop=True)


def _funding_years(ctx: FetchContext, p: dict) -> pd.DataFrame:
    first_year = ctx.now.astimezone(timezone.utc).year - p["years"] + 1
    start = datetime(first_year, 1, 1, tzinfo=timezone.utc)
    hist = _both_venues(ctx, p["symbol"], int(start.timestamp() * 1000), _funding_window(ctx, 0)[1])
    records = []
    for (venue, year), g in hist.groupby([hist["venue"], hist["date"].dt.year], sort=True):
        apr, hours = annualised_funding(g["date"], g["funding_rate"])
        expected = 365 * 24 / hours
        partial = len(g) < 0.98 * expected
        endpoint = ("https://fapi.binance.com/fapi/v1/fundingRate" if venue == "Binance"
                    else "https://api.bybit.com/v5/market/funding/history")
        records.append({
            "year": int(year),
            "funding_apr": apr,
            "basis": f"{venue} {p['symbol']} perpetual, mean funding rate x {expected:.0f} intervals a year "
                     "(simple annualisation)",
            "page_version": f"live API fetch {ctx.day_text}",
            "source_url": endpoint,
            "confidence": "A",
            "note": (f"{len(g)} funding intervals of {hours:g} h, {g['date'].min():%Y-%m-%d} to "
                     f"{g['date'].max():%Y-%m-%d}" + ("; partial year" if partial else "")),
        })
    return pd.DataFrame.from_records(records)


def _funding_history(ctx: FetchContext, p: dict) -> pd.DataFrame:
    start_ms, end_ms = _funding_window(ctx, p["days"])
    return _both_venues(ctx, p["symbol"], start_ms, end_ms)


def _pendle_markets(ctx: FetchContext, p: dict) -> pd.DataFrame:
    markets = pendle.active_markets(ctx.client, p["chain_id"]).head(p["top"])
    url = ctx.url()
    records = []
    for m in markets.itertuples(index=False):
        name = pt_market_name(m.name, m.expiry_date)
        for metric, value, unit in (("implied_apy", m.implied_apy, "fraction/yr"),
                                    ("liquidity", m.liquidity_usd / 1e9, "USD bn")):
            records.append({
                "date": ctx.day, "market": name, "maturity_date": m.expiry_date, "metric": metric,
                "value": value, "unit": unit, "source": f"Pendle API, active markets (live, fetched {ctx.day_text})",
                "source_url": url, "confidence": "A", "note": f"market {m.address}",
            })
    try:
        tvl = defillama.protocol_current_tvl(ctx.client, "pendle")
        records.append({
            "date": ctx.day, "market": "Pendle (all markets)", "maturity_date": pd.NaT, "metric": "tvl",
            "value": tvl / 1e9, "unit": "USD bn",
            "source": f"DefiLlama API, /tvl/pendle (live, fetched {ctx.day_text})",
            "source_url": ctx.url(), "confidence": "A", "note": "DefiLlama default TVL",
        })
    except LiveDataError as exc:
        ctx.partial(exc)
    return pd.DataFrame.from_records(records)


def _susde(ctx: FetchContext, p: dict) -> pd.DataFrame:
    hist = defillama.pool_history(ctx.client, p["pool"])
    return pd.DataFrame({
        "date": hist["date"], "apy": hist["apy"], "kind": "daily (live)",
        "measure": "daily sUSDe APY (DefiLlama yields pool)",
        "source": f"DefiLlama yields API, /chart/{{pool}} (live, fetched {ctx.day_text})",
        "source_url": ctx.url(), "confidence": "A", "note": "",
    })


def _usde(ctx: FetchContext, p: dict) -> pd.DataFrame:
    hist = defillama.stablecoin_supply_history(ctx.client, p["stablecoin_id"])
    return pd.DataFrame({
        "date": hist["date"], "supply_usd_bn": hist["supply_usd"] / 1e9, "staked_fraction": math.nan,
        "event": "", "source": f"DefiLlama stablecoins API (live, fetched {ctx.day_text})",
        "source_url": ctx.url(), "confidence": "A",
        "note": "daily circulating supply (totalCirculating.peggedUSD)",
    })


def _yield_spread(ctx: FetchContext, p: dict) -> pd.DataFrame:
    pools = defillama.yield_pools(ctx.client, chain="Ethereum")
    url = ctx.url()
    title = f"DefiLlama yields API, /pools (live, fetched {ctx.day_text})"
    records = []
    susde = pools[pools["pool"] == p["susde_pool"]]
    if not susde.empty:
        records.append({"instrument": "sUSDe", "category": "synthetic_dollar", "rate": susde["apy"].iloc[0],
                        "rate_kind": "APY", "note": f"pool {p['susde_pool']}"})
    aave = pools[(pools["project"] == "aave-v3") & (pools["symbol"] == "USDC")]
    if not aave.empty:
        row = aave.iloc[0]  # largest TVL: the Core market
        records.append({"instrument": "USDC supply, Aave V3 Ethereum", "category": "lending_supply",
                        "rate": row["apy_base"] if not math.isnan(row["apy_base"]) else row["apy"],
                        "rate_kind": "APR",
                        "note": f"pool {row['pool']}; DefiLlama's apyBase for aave-v3 is liquidityRate, "
                                "a nominal APR; incentives excluded"})
    if not records:
        raise LiveDataError("DefiLlama yields /pools", "neither the sUSDe pool nor an Aave V3 USDC pool was found",
                            url)
    out = pd.DataFrame.from_records(records)
    out.insert(0, "date", ctx.day)
    out.insert(1, "date_precision", "day")
    out.insert(6, "source_title", title)
    out.insert(7, "source_url", url)
    out.insert(8, "confidence", "A")
    return out[["date", "date_precision", "instrument", "category", "rate", "rate_kind", "source_title",
                "source_url", "confidence", "note"]]


#: Lido's protocol fee on staking rewards: 10 % (5 % node operators, 5 % DAO
#: treasury; docs.lido.fi, "Lido on Ethereum" fees, checked 2025-11). The
#: bundled snapshot uses the same convention: protocol APR = user APR / 0.9.
LIDO_FEE = 0.10


def _lido(ctx: FetchContext, p: dict) -> pd.DataFrame:
    hist = lido.steth_apr_sma(ctx.client)
    sma = [math.nan] * (len(hist) - 1) + [float(hist["apr_sma_7d"].iloc[0])]
    return pd.DataFrame({
        "date": hist["date"],
        "user_apr_instant": hist["apr"],
        "user_apr_7d_ma": sma,
        "protocol_apr_instant": hist["apr"] / (1 - LIDO_FEE),
        "note": f"live: Lido API /v1/protocol/steth/apr/sma, fetched {ctx.day_text}"
                + np.where(np.arange(len(hist)) == len(hist) - 1,
                           "; 7-day average = the API's smaApr (mean of the points it returns)", ""),
    })


def _protocol_tvl(ctx: FetchContext, p: dict) -> pd.DataFrame:
    return defillama.protocol_tvl_history(ctx.client, p["slug"])


def _chain_tvl(ctx: FetchContext, p: dict) -> pd.DataFrame:
    return defillama.chain_tvl_history(ctx.client, p["chain"])


def _pools(ctx: FetchContext, p: dict) -> pd.DataFrame:
    frame = defillama.yield_pools(ctx.client, projects=p["projects"], chain=p["chain"],
                                  min_tvl_usd=p["min_tvl_usd"]).head(p["top"]).copy()
    frame.insert(0, "date", ctx.day)
    return frame


def _pendle_history(ctx: FetchContext, p: dict) -> pd.DataFrame:
    return pendle.market_history(ctx.client, p["market"], chain_id=p["chain_id"])


# --------------------------------------------------------------------------- the catalogue

_CITED = {"source_url": "link to the source (for live rows: the API endpoint)",
          "confidence": "A primary / B reputable secondary / C approximate (live rows: A)"}

SPECS: dict[str, LiveSpec] = {s.name: s for s in [
    LiveSpec(
        name="defi_tvl_history",
        title=tr("DeFi TVL, with and without double counting"),
        description=tr("Curated DeFi TVL figures; live rows add DefiLlama's all-chains default TVL "
                    "(no liquid staking, no double counting), first day of each month, the peak and the latest day."),
        unit="billion USD",
        provider="DefiLlama /v2/historicalChainTvl",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "date of the figure (ISO)", "date_precision": "'day' or 'month'",
                 "scope": "'all chains' or one chain", "view": "counting convention ('default' for live rows)",
                 "value_usd_bn": "the figure, billions of USD", "source_title": "where the figure comes from",
                 **{"source_url": _CITED["source_url"]}, "confidence": _CITED["confidence"], "note": "caveats"},
        fetch=_defi_tvl,
        params={"frequency": "MS"},
        keep=lambda s: ~((s["scope"] == "all chains") & (s["view"] == "default")),
    ),
    LiveSpec(
        name="lending_tvl_leaders",
        title=tr("Lending protocol TVL leaders"),
        description=tr("Curated lending TVL figures; live rows add today's DefiLlama default TVL, borrowed and "
                    "deposits of the largest lending protocols (children of one parent summed)."),
        unit="billion USD",
        provider="DefiLlama /protocols",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "date of the figure (ISO)", "date_precision": "'day' or 'month'",
                 "protocol": "lending protocol", "metric": "tvl_default, borrowed, deposits, ...",
                 "value_usd_bn": "the figure, billions of USD",
                 "share_of_defi": "share of all DeFi TVL, fraction (blank if none)",
                 "source_title": "source", "source_url": _CITED["source_url"],
                 "confidence": _CITED["confidence"], "note": "caveats"},
        fetch=_leaders,
        params={"top": 10},
    ),
    LiveSpec(
        name="funding_rates_eth",
        title=tr("Annual average ETH perpetual funding"),
        description=tr("Curated annual funding averages (Ethena); live rows add the simple-annualised average "
                    "funding of the ETHUSDT perpetual on Binance and on Bybit for recent years."),
        unit="fraction per year",
        provider="Binance /fapi/v1/fundingRate; Bybit /v5/market/funding/history",
        docs=_FUNDING_DOCS,
        licence=_FUNDING_LICENCE,
        columns={"year": "calendar year", "funding_apr": "average funding earned by shorts, fraction per year",
                 "basis": "what was averaged and how", "page_version": "report version or live fetch date",
                 "source_url": _CITED["source_url"], "confidence": _CITED["confidence"], "note": "caveats"},
        fetch=_funding_years,
        params={"symbol": "ETHUSDT", "years": 2},
        sort_by=("year",),
    ),
    LiveSpec(
        name="pendle_markets",
        title=tr("Pendle: TVL milestones and example PT markets"),
        description=tr("Curated Pendle figures; live rows add the implied APY and liquidity of the largest "
                    "active Ethereum markets and Pendle's TVL today."),
        unit="see the 'unit' column",
        provider="Pendle /v1/{chainId}/markets/active; DefiLlama /tvl/pendle",
        docs=_PENDLE_DOCS + _DEFILLAMA_DOCS,
        licence="Pendle's public backend API (free tier, rate-limited) and DefiLlama (open data). Cite both.",
        columns={"date": "date of the figure (ISO)", "market": "PT market name or 'Pendle (all markets)'",
                 "maturity_date": "maturity of the PT (ISO)", "metric": "what the value is",
                 "value": "the number, in 'unit'", "unit": "unit of 'value'", "source": "who reported it",
                 "source_url": _CITED["source_url"], "confidence": _CITED["confidence"], "note": "caveats"},
        fetch=_pendle_markets,
        params={"chain_id": 1, "top": 10},
    ),
    LiveSpec(
        name="susde_apy",
        title=tr("sUSDe APY by period"),
        description=tr("Curated sUSDe APY figures; live rows add DefiLlama's daily sUSDe APY."),
        unit="fraction per year",
        provider="DefiLlama yields /chart/{pool}",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "date (ISO)", "apy": "yield, fraction per year",
                 "kind": "group of the measure (weekly APY, daily peak or low, …; live rows: daily (live))",
                 "measure": "what kind of number",
                 "source": "who reported it", "source_url": _CITED["source_url"],
                 "confidence": _CITED["confidence"], "note": "caveats"},
        fetch=_susde,
        params={"pool": SUSDE_POOL},
    ),
    LiveSpec(
        name="usde_supply",
        title=tr("USDe supply milestones"),
        description=tr("Curated USDe supply milestones; live rows add DefiLlama's daily circulating supply."),
        unit="USD billions",
        provider="DefiLlama stablecoins /stablecoincharts/all",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "date (ISO)", "supply_usd_bn": "USDe supply, USD billions",
                 "staked_fraction": "share staked as sUSDe (blank if not reported)", "event": "what happened",
                 "source": "who reported it", "source_url": _CITED["source_url"],
                 "confidence": _CITED["confidence"], "note": "caveats"},
        fetch=_usde,
        params={"stablecoin_id": USDE_STABLECOIN_ID},
    ),
    LiveSpec(
        name="yield_spread",
        title=tr("Yields compared: tokenised T-bills, sUSDe and Aave USDC"),
        description=tr("Curated dated rates; live rows add today's sUSDe APY and Aave V3 Ethereum USDC supply "
                    "APR from DefiLlama yields."),
        unit="fraction per year",
        provider="DefiLlama yields /pools",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "date of the rate (ISO)", "date_precision": "'day' or 'month'",
                 "instrument": "what earns the rate", "category": "tbill_token, synthetic_dollar, lending_supply, ...",
                 "rate": "the rate, fraction per year", "rate_kind": "APY or APR", "source_title": "source",
                 "source_url": _CITED["source_url"], "confidence": _CITED["confidence"], "note": "caveats"},
        fetch=_yield_spread,
        params={"susde_pool": SUSDE_POOL},
    ),
    LiveSpec(
        name="lido_steth_apr",
        title=tr("Lido stETH APR"),
        description=tr("Curated stETH APR days; live rows add the daily APRs behind Lido's 7-day average "
                    "and the average itself, from Lido's API."),
        unit="fractions per year, simple (not compounded)",
        provider="Lido API /v1/protocol/steth/apr/sma",
        docs=({"title": "Lido docs: API", "url": "https://docs.lido.fi/integrations/api"},),
        licence="Lido's public read-only API (docs.lido.fi/integrations/api). Cite Lido.",
        columns={"date": "day of the oracle report (ISO date)",
                 "user_apr_instant": "holders' APR of that day's rebase, net of Lido's 10% fee (fraction per year)",
                 "user_apr_7d_ma": "7-day moving average of the holders' APR (fraction per year; blank if none)",
                 "protocol_apr_instant": "APR before the fee: user APR / 0.9 (fraction per year)",
                 "note": "remark on the row (live rows: where and when fetched)"},
        fetch=_lido,
    ),
    # ----------------------------------------------------------- live-only tables
    LiveSpec(
        name="funding_history_eth",
        title=tr("ETH perpetual funding rate, every interval (Binance and Bybit)"),
        description=tr("Funding rate of the ETHUSDT perpetual on Binance USDⓈ-M and Bybit at every funding "
                    "time over the last year."),
        unit="fraction per funding interval (usually 8 h)",
        provider="Binance /fapi/v1/fundingRate; Bybit /v5/market/funding/history",
        docs=_FUNDING_DOCS,
        licence=_FUNDING_LICENCE,
        columns={"date": "funding time, UTC", "venue": "exchange (Binance or Bybit)", "symbol": "perpetual symbol",
                 "funding_rate": "funding rate for the interval, fraction (positive: longs pay shorts)"},
        fetch=_funding_history,
        params={"symbol": "ETHUSDT", "days": 365},
        live_only=True,
    ),
    LiveSpec(
        name="protocol_tvl_history",
        title=tr("A protocol's TVL and borrows over time (DefiLlama)"),
        description=tr("Daily default TVL and borrowed amount of one protocol (default: Aave, all versions)."),
        unit="USD",
        provider="DefiLlama /protocol/{slug}",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "UTC day", "protocol": "protocol name",
                 "tvl_usd": "default TVL, USD (excludes borrowed)",
                 "borrowed_usd": "borrowed bucket, USD (blank where DefiLlama has no point)"},
        fetch=_protocol_tvl,
        params={"slug": "aave"},
        live_only=True,
    ),
    LiveSpec(
        name="chain_tvl_history",
        title=tr("DeFi TVL on one chain (DefiLlama)"),
        description=tr("Daily DeFi TVL of one chain (default Ethereum), excluding liquid staking and double counting."),
        unit="USD",
        provider="DefiLlama /v2/historicalChainTvl/{chain}",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "UTC day", "tvl_usd": "total value locked on the chain, USD"},
        fetch=_chain_tvl,
        params={"chain": "Ethereum"},
        live_only=True,
    ),
    LiveSpec(
        name="yield_pools",
        title=tr("Largest yield pools on a chain (DefiLlama yields)"),
        description=tr("Current APY and TVL of the largest DefiLlama yield pools on a chain (default Ethereum)."),
        unit="USD; APY as a fraction",
        provider="DefiLlama yields /pools",
        docs=_DEFILLAMA_DOCS,
        licence=_DEFILLAMA_LICENCE,
        columns={"date": "date of the fetch (UTC day)", "pool": "DefiLlama pool id (use with /chart/{pool})",
                 "project": "project slug", "chain": "chain", "symbol": "pool token symbol(s)",
                 "tvl_usd": "pool TVL, USD (for lending: supplied minus borrowed)",
                 "apy": "total APY, fraction (0.05 = 5 %)",
                 "apy_base": "APY from fees/interest, fraction (blank if unknown)",
                 "apy_reward": "APY from token incentives, fraction (blank if none)",
                 "stablecoin": "True if the pool holds only stablecoins"},
        fetch=_pools,
        params={"chain": "Ethereum", "projects": None, "min_tvl_usd": 1e8, "top": 50},
        live_only=True,
    ),
    LiveSpec(
        name="pendle_market_history",
        title=tr("Implied vs underlying APY of a Pendle market"),
        description=tr("Daily implied APY (the PT's fixed rate) and underlying APY of one Pendle market "
                    "(default: the most liquid active market on Ethereum)."),
        unit="APY as a fraction; TVL in USD",
        provider="Pendle /v1/{chainId}/markets/{address}/historical-data",
        docs=_PENDLE_DOCS,
        licence="Pendle's public backend API (free tier, rate-limited). Cite Pendle.",
        columns={"date": "UTC day", "market": "market contract address", "implied_apy": "implied APY, fraction",
                 "underlying_apy": "underlying asset's APY, fraction", "tvl_usd": "market TVL, USD"},
        fetch=_pendle_history,
        params={"market": None, "chain_id": 1},
        live_only=True,
    ),
]}
