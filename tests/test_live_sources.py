"""Live sources: the happy path of every provider against a fake server on 127.0.0.1.

Fixture responses (tests/fixtures/live/) are shaped like each provider's
documented response, quirks included; the numbers are invented, so each
expected value below is derived from the fixture by the provider's
documented rule (stated in the test's docstring).
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug import Response

from defi_helpers.data import live
from defi_helpers.data.sources import defillama, funding, lido, pendle
from defi_helpers.data.sources._http import Client

_path = Path(__file__).parent / "fixtures" / "live" / "fakeapi.py"
_spec = importlib.util.spec_from_file_location("_live_fakeapi_sources", _path)
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)
live_server, fake_api, bare_api, isolated = fake.live_server, fake.fake_api, fake.bare_api, fake.isolated


@pytest.fixture
def client(fake_api):
    with Client(fake.FAST) as c:
        yield c


# ---------------------------------------------------------------- DefiLlama

def test_split_tvl_buckets_worked_example():
    """data-sources.md §1.1 worked example: currentChainTvls = {"Ethereum": 100,
    "Ethereum-borrowed": 30}. DefiLlama's default TVL drops the borrowed key
    (100); "with borrows" adds it back (100 + 30 = 130)."""
    out = defillama.split_tvl_buckets({"Ethereum": 100, "Ethereum-borrowed": 30})
    assert out["tvl_usd"] == 100
    assert out["borrowed_usd"] == 30
    assert out["tvl_usd"] + out["borrowed_usd"] == 130
    assert out["chains"] == {"Ethereum": 100.0}


def test_split_tvl_buckets_prefers_total_key_and_keeps_hyphenated_chain_names():
    """A total bucket key ("borrowed") is used as is rather than re-summed; a
    chain name with a space ("OP Mainnet") keeps its suffix split right."""
    out = defillama.split_tvl_buckets({"OP Mainnet": 10.0, "OP Mainnet-borrowed": 4.0, "Base": 5.0,
                                       "Base-borrowed": 1.0, "borrowed": 5.0, "pool2": 2.0})
    assert out["tvl_usd"] == 15.0
    assert out["borrowed_usd"] == 5.0
    assert out["pool2_usd"] == 2.0
    assert set(out["chains"]) == {"OP Mainnet", "Base"}


def test_split_tvl_buckets_rejects_non_numbers():
    with pytest.raises(ValueError, match="chain_tvls"):
        defillama.split_tvl_buckets({"Ethereum": "lots"})
    with pytest.raises(ValueError, match="chain_tvls"):
        defillama.split_tvl_buckets([1, 2])


_chain = st.sampled_from(["Ethereum", "Base", "Arbitrum", "OP Mainnet", "BSC", "Polygon zkEVM"])
_usd = st.floats(min_value=0, max_value=1e12, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_chain, st.tuples(_usd, _usd, _usd), min_size=1))
def test_split_tvl_buckets_never_double_counts(parts):
    """Invariant: TVL is the sum of the plain chain keys only, each bucket the
    sum of its per-chain keys, so TVL + buckets equals the sum of all keys
    (nothing counted twice, nothing lost) when no total keys are present."""
    d = {}
    for chain, (tvl, borrowed, staking) in parts.items():
        d[chain] = tvl
        d[f"{chain}-borrowed"] = borrowed
        d[f"{chain}-staking"] = staking
    out = defillama.split_tvl_buckets(d)
    assert out["tvl_usd"] == pytest.approx(sum(v[0] for v in parts.values()))
    assert out["borrowed_usd"] == pytest.approx(sum(v[1] for v in parts.values()))
    total = out["tvl_usd"] + out["borrowed_usd"] + out["staking_usd"]
    assert total == pytest.approx(sum(d.values()))


def test_protocols_lending_leaders(client):
    """/protocols: only category "Lending", null-TVL rows skipped, largest first.
    Aave V3 borrowed = its total "borrowed" key (17e9); Morpho Blue has only
    per-chain keys, so 2.5e9 + 0.9e9 = 3.4e9; parent "parent#aave" -> "aave"."""
    df = defillama.protocols(client)
    assert list(df["slug"]) == ["aave-v3", "morpho-blue", "compound-v3"]
    aave = df.iloc[0]
    assert aave["tvl_usd"] == 24000000000.5
    assert aave["borrowed_usd"] == 17e9
    assert aave["staking_usd"] == 3e8
    assert aave["parent"] == "aave"
    assert aave["chains"] == 3
    assert df.set_index("slug").loc["morpho-blue", "borrowed_usd"] == pytest.approx(3.4e9)
    assert df.set_index("slug").loc["compound-v3", "borrowed_usd"] == 1.05e9
    assert defillama.protocols(client, top=1)["slug"].tolist() == ["aave-v3"]
    assert len(defillama.protocols(client, category=None)) == 5


def test_protocol_tvl_history_one_point_per_day(client):
    """/protocol/aave: the last "now" point (13:00 on day 3) replaces day 3's
    midnight point (keep the last point of each UTC day); borrowed history
    from chainTvls["borrowed"] is joined by day."""
    df = defillama.protocol_tvl_history(client, "aave")
    assert list(df.columns) == ["date", "protocol", "tvl_usd", "borrowed_usd"]
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert df["tvl_usd"].tolist() == [20.0e9, 20.5e9, 21.4e9]
    assert df["borrowed_usd"].tolist() == [14.0e9, 14.2e9, 14.5e9]
    assert (df["protocol"] == "Aave").all()


def test_protocol_current_tvl_is_a_bare_number(client):
    """/tvl/{slug} answers with a bare JSON number, not an object."""
    assert defillama.protocol_current_tvl(client, "aave") == 25123456789.12


def test_chain_tvl_history(client):
    df = defillama.chain_tvl_history(client)
    assert df["tvl_usd"].tolist() == [118.0e9, 119.5e9, 117.25e9, 120.0e9]
    assert df["date"].iloc[0] == pd.Timestamp("2025-01-01")
    eth = defillama.chain_tvl_history(client, "Ethereum")
    assert eth["tvl_usd"].iloc[-1] == 65.5e9


def test_yield_pools_wrapper_filters_and_percent_to_fraction(client):
    """yields /pools: rows inside {"status": "success", "data": [...]}; APYs
    are percentages, so 2.6 -> 0.026; null apyBase -> NaN; filters by chain
    and minimum TVL."""
    df = defillama.yield_pools(client, chain="Ethereum", min_tvl_usd=1e8)
    assert df["project"].tolist() == ["lido", "ethena-usde", "aave-v3", "aave-v3"]
    assert df.iloc[0]["apy"] == pytest.approx(0.026)
    assert df.iloc[2]["apy_reward"] == pytest.approx(0.0025)
    assert math.isnan(df.iloc[0]["apy_reward"])
    assert bool(df.iloc[1]["stablecoin"]) is True
    all_pools = defillama.yield_pools(client)
    assert len(all_pools) == 6
    assert math.isnan(all_pools.set_index("project").loc["tiny-farm", "apy_base"])
    assert defillama.yield_pools(client, projects=["aave-v3"])["chain"].tolist() == ["Ethereum", "Ethereum", "Arbitrum"]


def test_pool_history_iso_timestamps(client):
    """yields /chart/{pool}: ISO timestamps with jitter (23:01Z) floor to the
    UTC day; APY 12.5 % -> 0.125; null apyBase -> NaN."""
    df = defillama.pool_history(client, live.SUSDE_POOL)
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert df["apy"].tolist() == pytest.approx([0.125, 0.1175, 0.10])
    assert math.isnan(df["apy_base"].iloc[2])
    assert df["tvl_usd"].iloc[0] == 5.9e9


def test_stablecoin_supply_string_dates(client):
    """/stablecoincharts/all sends date as a string of unix seconds
    ("1735689600" = 2025-01-01); supply from totalCirculating.peggedUSD and
    its value from totalCirculatingUSD.peggedUSD (5.90e9 * 1.0005)."""
    df = defillama.stablecoin_supply_history(client, 146)
    assert df["date"].iloc[0] == pd.Timestamp("2025-01-01")
    assert df["supply_usd"].tolist() == [5.90e9, 5.95e9, 6.02e9]
    assert df["supply_value_usd"].iloc[0] == pytest.approx(5.90e9 * 1.0005)
    assert "stablecoin=146" in client.urls[-1]


# ---------------------------------------------------------------- Lido

def test_lido_sma_percent_to_fraction(client):
    """Lido /apr/sma: APRs in percent inside {"data": ..., "meta": ...};
    2.90 % -> 0.029, and smaApr (the mean of the 8 fixture points,
    23.16 / 8 = 2.895 %) -> 0.02895 on every row."""
    df = lido.steth_apr_sma(client)
    assert len(df) == 8
    assert df["apr"].iloc[0] == pytest.approx(0.029)
    assert df["apr_sma_7d"].unique().tolist() == pytest.approx([0.02895])
    assert df["apr"].mean() == pytest.approx(0.02895)
    assert df["date"].is_monotonic_increasing


def test_lido_last(client):
    when, apr = lido.steth_apr_last(client)
    assert apr == pytest.approx(0.0286)
    assert when.strftime("%Y-%m-%d") == "2025-01-08"


# ---------------------------------------------------------------- Pendle

def test_pendle_active_markets(client):
    """Pendle /markets/active: details.impliedApy is already a fraction;
    sorted by liquidity, so sUSDe (400M) comes first."""
    df = pendle.active_markets(client)
    assert df["name"].tolist() == ["sUSDe", "USDe", "weETH"]
    assert df["implied_apy"].iloc[0] == 0.118
    assert df["expiry_date"].iloc[0] == pd.Timestamp("2025-03-27")


def test_pendle_history_columnar(client):
    """historical-data is columnar: parallel arrays timestamp[], impliedApy[],
    underlyingApy[], tvl[]; row i takes element i of each."""
    df = pendle.market_history(client, "0x2222222222222222222222222222222222222222")
    assert list(df.columns) == ["date", "market", "implied_apy", "underlying_apy", "tvl_usd"]
    assert df["implied_apy"].tolist() == [0.110, 0.115, 0.120, 0.118]
    assert df["underlying_apy"].tolist() == [0.150, 0.140, 0.160, 0.120]
    assert df["date"].iloc[-1] == pd.Timestamp("2025-01-04")


def test_pendle_history_picks_most_liquid_market_by_default(client):
    df = pendle.market_history(client)
    assert df["market"].iloc[0] == "0x2222222222222222222222222222222222222222"
    assert any("/markets/active" in u for u in client.urls)


def test_pendle_history_row_shape_also_accepted(bare_api):
    """The v2/v3 route answers rows {"results": [{timestamp (ISO), ...}]}."""
    addr = "0x4444444444444444444444444444444444444444"
    bare_api.expect_request(f"/v1/1/markets/{addr}/historical-data").respond_with_json({
        "total": 2, "timestamp_start": "2025-01-01T00:00:00.000Z", "timestamp_end": "2025-01-02T00:00:00.000Z",
        "results": [
            {"timestamp": "2025-01-02T00:00:00.000Z", "impliedApy": 0.09, "underlyingApy": 0.1, "tvl": 1e6},
            {"timestamp": "2025-01-01T00:00:00.000Z", "impliedApy": 0.08, "underlyingApy": 0.11, "tvl": 2e6},
        ]})
    with Client(fake.FAST) as c:
        df = pendle.market_history(c, addr)
    assert df["implied_apy"].tolist() == [0.08, 0.09]


def test_pendle_history_bad_time_frame():
    with pytest.raises(ValueError, match="time_frame"):
        pendle.market_history(None, "0x1", time_frame="month")


# ---------------------------------------------------------------- funding

T0_MS = 1735689600000
H8 = 8 * 3600 * 1000


def test_binance_strings_to_floats(client):
    """Binance sends fundingRate as a string ("-0.00002500" -> -2.5e-05) and
    fundingTime as int ms; rows already ascending."""
    df = funding.binance_funding_history(client, start_ms=T0_MS, end_ms=T0_MS + 10 * H8)
    assert df["funding_rate"].tolist() == pytest.approx([1e-4, 8.512e-5, -2.5e-5, 1.2e-4, 1e-4, 5e-5])
    assert df["date"].iloc[1] == pd.Timestamp("2025-01-01 08:00")
    assert (df["venue"] == "Binance").all()


def test_bybit_newest_first_is_reversed(client):
    """Bybit lists newest first with string timestamps; output is oldest first."""
    df = funding.bybit_funding_history(client, start_ms=T0_MS, end_ms=T0_MS + 10 * H8)
    assert df["date"].is_monotonic_increasing
    assert df["date"].iloc[0] == pd.Timestamp("2025-01-01 00:00")
    assert df["funding_rate"].iloc[2] == pytest.approx(-3e-5)
    assert (df["venue"] == "Bybit").all()


def _funding_rows(n):
    return [T0_MS + i * H8 for i in range(n)]


def test_binance_paginates_forward(bare_api):
    """2,500 rows with a 1,000-row page: three requests, startTime moves to
    the last fundingTime + 1, every row exactly once."""
    times = _funding_rows(2500)

    def handler(request):
        start, end = int(request.args["startTime"]), int(request.args["endTime"])
        limit = int(request.args["limit"])
        rows = [t for t in times if start <= t <= end][:limit]
        return Response(
            json.dumps([{"symbol": "ETHUSDT", "fundingRate": "0.0001", "fundingTime": t,
                                       "markPrice": "1"} for t in rows]), content_type="application/json")

    bare_api.expect_request("/fapi/v1/fundingRate").respond_with_handler(handler)
    with Client(fake.FAST) as c:
        df = funding.binance_funding_history(c, start_ms=times[0], end_ms=times[-1])
    assert len(df) == 2500
    assert df["date"].is_unique
    assert len(bare_api.log) == 3


def test_bybit_paginates_backward(bare_api):
    """450 rows with a 200-row page, newest first: endTime moves to the oldest
    row - 1; three requests, every row once."""
    times = _funding_rows(450)

    def handler(request):
        start, end = int(request.args["startTime"]), int(request.args["endTime"])
        limit = int(request.args["limit"])
        rows = sorted((t for t in times if start <= t <= end), reverse=True)[:limit]
        body = {"retCode": 0, "retMsg": "OK", "result": {"category": "linear", "list": [
            {"symbol": "ETHUSDT", "fundingRate": "0.0001", "fundingRateTimestamp": str(t)} for t in rows]},
            "retExtInfo": {}, "time": times[-1]}
        return Response(json.dumps(body), content_type="application/json")

    bare_api.expect_request("/v5/market/funding/history").respond_with_handler(handler)
    with Client(fake.FAST) as c:
        df = funding.bybit_funding_history(c, start_ms=times[0], end_ms=times[-1])
    assert len(df) == 450
    assert df["date"].is_monotonic_increasing and df["date"].is_unique
    assert len(bare_api.log) == 3


def test_funding_bad_window():
    with pytest.raises(ValueError, match="end_ms"):
        funding.binance_funding_history(None, start_ms=10, end_ms=5)
    with pytest.raises(ValueError, match="category"):
        funding.bybit_funding_history(None, start_ms=1, end_ms=5, category="spot")


# ---------------------------------------------------------------- every dataset end to end

@pytest.mark.parametrize("name", live.live_datasets())
def test_every_live_dataset_refreshes_with_documented_columns(fake_api, name):
    """Each live dataset fetches from the fake, has exactly its spec's
    columns -- the bundled snapshot's, when there is one -- each documented,
    and carries live metadata."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback, no partial refresh
        df = live.load_live(name, settings=fake.FAST)
    spec = live.SPECS[name]
    assert list(df.columns) == list(spec.columns)
    from defi_helpers.data import list_datasets, meta as snapshot_meta

    if name in list_datasets():
        assert list(snapshot_meta(name).columns) == list(spec.columns)
        assert not spec.live_only
    assert len(df) > 0
    m = df.attrs["meta"]
    assert m.fetched_at and m.fetched_at.endswith("UTC")
    assert "fetched" in m.source_text
    live_sources = [s for s in m.sources if s["title"].endswith("(live)")]
    assert live_sources and all(s["url"].startswith("http://127.0.0.1") for s in live_sources)
    assert set(df.columns) <= set(m.columns)


def test_funding_history_combines_both_venues(fake_api):
    df = live.load_live("funding_history_eth", settings=fake.FAST)
    assert set(df["venue"]) == {"Binance", "Bybit"}
    assert len(df) == 12
    assert df["date"].is_monotonic_increasing


def test_funding_rates_eth_live_rows_are_annual_averages(fake_api):
    """Simple annualisation (catalog.annualised_funding): mean of the six
    Binance fixture rates (1e-4, 8.512e-5, -2.5e-5, 1.2e-4, 1e-4, 5e-5;
    mean 7.1687e-5) x 1095 eight-hour intervals a year = 0.078497."""
    df = live.load_live("funding_rates_eth", settings=fake.FAST)
    rows = df[df["page_version"].astype(str).str.startswith("live")]
    binance = rows[rows["basis"].str.startswith("Binance")]
    assert binance["year"].tolist() == [2025]
    mean = (1e-4 + 8.512e-5 - 2.5e-5 + 1.2e-4 + 1e-4 + 5e-5) / 6
    assert binance["funding_apr"].iloc[0] == pytest.approx(mean * 1095)
    assert "partial year" in binance["note"].iloc[0]
    assert (rows["confidence"] == "A").all()


def test_pendle_markets_live_rows(fake_api):
    """Live rows name markets like Pendle (PT-<asset>-<DDMONYYYY>), give the
    implied APY as a fraction and liquidity in USD bn (400e6 -> 0.4), and
    Pendle's TVL from DefiLlama's bare-number /tvl/pendle (4.5123456789 bn)."""
    from datetime import datetime, timezone

    df = live.load_live("pendle_markets", settings=fake.FAST, now=datetime(2025, 1, 1, 12, tzinfo=timezone.utc))
    rows = df[df["date"] == pd.Timestamp("2025-01-01")].set_index(["market", "metric"])
    assert rows.loc[("PT-sUSDe-27MAR2025", "implied_apy"), "value"] == 0.118
    assert rows.loc[("PT-sUSDe-27MAR2025", "liquidity"), "value"] == pytest.approx(0.4)
    assert rows.loc[("PT-sUSDe-27MAR2025", "liquidity"), "unit"] == "USD bn"
    assert rows.loc[("Pendle (all markets)", "tvl"), "value"] == pytest.approx(4.5123456789)
    assert rows.loc[("PT-sUSDe-27MAR2025", "implied_apy"), "maturity_date"] == pd.Timestamp("2025-03-27")


def test_lending_leaders_group_children_and_share(fake_api):
    """Children of one parent are summed under the parent's name; deposits =
    tvl_default + borrowed (Aave: 24.0000000005 + 17 = 41.0000000005 bn);
    share_of_defi = tvl / latest all-chains TVL (24.0000000005 / 120)."""
    df = live.load_live("lending_tvl_leaders", settings=fake.FAST)
    live_rows = df[df["source_title"].str.contains("live", na=False)].set_index(["protocol", "metric"])
    assert live_rows.loc[("Aave V3", "tvl_default"), "value_usd_bn"] == pytest.approx(24.0000000005)
    assert live_rows.loc[("Aave V3", "deposits"), "value_usd_bn"] == pytest.approx(41.0000000005)
    assert live_rows.loc[("Aave V3", "tvl_default"), "share_of_defi"] == pytest.approx(24.0000000005 / 120.0)
    assert math.isnan(live_rows.loc[("Aave V3", "borrowed"), "share_of_defi"])


def test_defi_tvl_live_rows_replace_curated_default_rows(fake_api):
    """Live all-chains/default rows replace the curated rows of the same
    scope and view (the live series is the primary source of that measure);
    curated contrasts (double counting, other scopes) are kept."""
    df = live.load_live("defi_tvl_history", settings=fake.FAST)
    default = df[(df["scope"] == "all chains") & (df["view"] == "default")]
    assert (default["confidence"] == "A").all()
    assert default["value_usd_bn"].tolist() == pytest.approx([118.0, 120.0])  # first of month + latest/peak
    from defi_helpers.data import list_datasets, load

    if "defi_tvl_history" in list_datasets():
        snap = load("defi_tvl_history")
        curated = snap[~((snap["scope"] == "all chains") & (snap["view"] == "default"))]
        assert len(df) == len(curated) + len(default)


def test_group_label_and_names():
    from defi_helpers.data.sources.catalog import group_label, pt_market_name

    assert group_label("morpho", ["Morpho Blue", "Morpho AaveV3"]) == "Morpho"
    assert group_label("", ["Kamino Lend"]) == "Kamino Lend"
    assert pt_market_name("USDe", pd.Timestamp("2026-02-05")) == "PT-USDe-05FEB2026"


def test_annualised_funding_rejects_bad_input():
    from defi_helpers.data.sources.catalog import annualised_funding

    with pytest.raises(ValueError, match="times and rates"):
        annualised_funding(pd.Series([], dtype="datetime64[ns]"), pd.Series([], dtype=float))
    t = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-01"]))
    with pytest.raises(ValueError, match="distinct"):
        annualised_funding(t, pd.Series([0.1, 0.1]))


def test_lido_live_rows_follow_the_snapshot_convention(fake_api):
    """protocol APR = user APR / (1 - 10 % fee): 0.029 / 0.9 = 0.032222...;
    the 7-day average (smaApr 2.895 % -> 0.02895) sits on the latest day only."""
    df = live.load_live("lido_steth_apr", settings=fake.FAST)
    rows = df[df["note"].astype(str).str.startswith("live")].reset_index(drop=True)
    assert len(rows) == 8
    assert rows["protocol_apr_instant"].iloc[0] == pytest.approx(0.029 / 0.9)
    assert rows["user_apr_7d_ma"].iloc[-1] == pytest.approx(0.02895)
    assert rows["user_apr_7d_ma"].iloc[:-1].isna().all()
