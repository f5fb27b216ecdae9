"""Live refresh failures: every one warns and falls back (or raises in strict mode).

A fake provider on 127.0.0.1 misbehaves on purpose: it is slow (timeout),
rate-limits with ``Retry-After`` (429), fails (500), sends broken JSON, drops
a field, sends an empty list, or answers an error envelope (Bybit
``retCode``). Retries use urllib3's ``Retry`` with tiny backoff here
(``fake.FAST``), so the suite stays fast.
"""

from __future__ import annotations

import importlib.util
import threading
import time
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from werkzeug import Response

from defi_helpers.data import DatasetMeta, live
from defi_helpers.data.live import FetchError, LiveDataError, LiveDataWarning, SchemaError
from defi_helpers.data.sources._http import Client, HttpSettings

_path = Path(__file__).parent / "fixtures" / "live" / "fakeapi.py"
_spec = importlib.util.spec_from_file_location("_live_fakeapi_failures", _path)
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)
live_server, fake_api, bare_api, isolated = fake.live_server, fake.fake_api, fake.bare_api, fake.isolated

NAME = "usde_supply"
ROUTE = fake.MAIN_ROUTE[NAME]


@pytest.fixture
def snapshot(monkeypatch):
    """A one-row stand-in for the bundled snapshot of NAME, so these tests
    exercise the fallback whatever the real snapshot holds."""
    spec = live.SPECS[NAME]
    m = DatasetMeta(name=NAME, title="stand-in", description="d", unit="u", as_of="2024-01-01",
                    sources=({"title": "curated", "url": "https://example.org"},), licence="l",
                    confidence="B", columns=dict(spec.columns))
    row = {c: ["x"] for c in spec.columns}
    row.update(date=[pd.Timestamp("2024-01-01")], supply_usd_bn=[1.0], staked_fraction=[float("nan")])
    frame = pd.DataFrame(row)[list(spec.columns)]
    frame.attrs["meta"] = m

    def fake_meta(name):
        return m if name == NAME else None

    def fake_load(name):
        assert name == NAME
        out = frame.copy()
        out.attrs["meta"] = m
        return out

    monkeypatch.setattr(live, "_snapshot_meta", fake_meta)
    monkeypatch.setattr(live, "_load_snapshot", fake_load)
    return frame


def _serve_all_but(server, path):
    fake.serve(server, skip=(path,))


def _load(**kw):
    return live.load_live(NAME, settings=fake.FAST, **kw)


def _only_snapshot(df):
    return df.attrs["meta"].fetched_at is None and len(df) == 1 and df["supply_usd_bn"].iloc[0] == 1.0


# ------------------------------------------------------------------ timeout

@pytest.fixture
def slow_route(bare_api):
    """ROUTE answers after 1.5 s, unless the test has ended (then at once,
    and the test waits for those answers so they don't land in the next
    test's request log)."""
    done = threading.Event()

    def slow(request):
        done.wait(1.5)
        return Response("[]", content_type="application/json")

    bare_api.expect_request(ROUTE).respond_with_handler(slow)
    yield bare_api
    done.set()
    deadline = time.monotonic() + 2
    while len(bare_api.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)


def test_timeout_warns_and_falls_back(slow_route, snapshot):
    """The server answers after 1.5 s; the read timeout is 0.5 s (retried once)."""
    start = time.monotonic()
    with pytest.warns(LiveDataWarning, match=r"DefiLlama stablecoins.*read timeout.*bundled snapshot"):
        df = _load()
    assert _only_snapshot(df)
    assert time.monotonic() - start < 2.5  # ~0.5 s x (1 + 1 retry); waiting for the server would take 3 s+


def test_timeout_strict_raises(slow_route, snapshot):
    with pytest.raises(FetchError, match="read timeout"):
        _load(strict=True)


# ------------------------------------------------------------------ 429 / 500

def test_429_retry_after_is_honoured(bare_api, snapshot):
    """429 with Retry-After: 1, then the real answer: urllib3 waits >= 1 s,
    retries, and the live data comes through."""
    bare_api.expect_ordered_request(ROUTE).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"}))
    bare_api.expect_ordered_request(ROUTE).respond_with_data(
        fake.raw("defillama_stablecoincharts_146.json"), content_type="application/json")
    start = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = _load()
    assert time.monotonic() - start >= 0.95
    assert len(bare_api.log) == 2
    assert df.attrs["meta"].fetched_at is not None


def test_429_forever_names_the_rate_limit(bare_api, snapshot):
    bare_api.expect_request(ROUTE).respond_with_response(
        Response('{"error": "rate limited"}', status=429, headers={"Retry-After": "0"}))
    with pytest.raises(FetchError, match=r"HTTP 429.*after 2 retries.*retry after 0 s.*rate limited"):
        _load(strict=True)
    assert len(bare_api.log) == 3  # first try + 2 retries


def test_500_retried_then_fallback(bare_api, snapshot):
    bare_api.expect_request(ROUTE).respond_with_data("oops", status=500)
    with pytest.warns(LiveDataWarning, match=r"HTTP 500.*after 2 retries"):
        df = _load()
    assert _only_snapshot(df)
    assert len(bare_api.log) == 3


def test_500_then_success_recovers(bare_api, snapshot):
    bare_api.expect_ordered_request(ROUTE).respond_with_data("oops", status=503)
    bare_api.expect_ordered_request(ROUTE).respond_with_data(
        fake.raw("defillama_stablecoincharts_146.json"), content_type="application/json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = _load()
    assert df.attrs["meta"].fetched_at is not None


def test_404_is_not_retried_and_shows_the_provider_message(bare_api, snapshot):
    bare_api.expect_request(ROUTE).respond_with_json({"message": "stablecoin not found"}, status=404)
    with pytest.raises(FetchError, match="HTTP 404.*stablecoin not found"):
        _load(strict=True)
    assert len(bare_api.log) == 1


def test_connection_refused(snapshot):
    """Nothing listens on 127.0.0.1:9 (the autouse default): an offline reader."""
    with pytest.warns(LiveDataWarning, match="could not connect"):
        df = _load()
    assert _only_snapshot(df)
    with pytest.raises(FetchError, match="could not connect"):
        _load(strict=True)


# ------------------------------------------------------------------ bad payloads

def test_malformed_json(bare_api, snapshot):
    bare_api.expect_request(ROUTE).respond_with_data('[{"date": "1735689600", "totalCirc',
                                                     content_type="application/json")
    with pytest.warns(LiveDataWarning, match="malformed JSON"):
        assert _only_snapshot(_load())
    with pytest.raises(SchemaError, match="malformed JSON"):
        _load(strict=True)


def test_empty_body(bare_api, snapshot):
    bare_api.expect_request(ROUTE).respond_with_data("", content_type="application/json")
    with pytest.raises(SchemaError, match="empty response body"):
        _load(strict=True)


def test_missing_field(bare_api, snapshot):
    rows = fake.load("defillama_stablecoincharts_146.json")
    del rows[1]["totalCirculating"]
    bare_api.expect_request(ROUTE).respond_with_json(rows)
    with pytest.warns(LiveDataWarning, match=r"response\[1\] lacks the field 'totalCirculating'"):
        assert _only_snapshot(_load())
    with pytest.raises(SchemaError, match="totalCirculating"):
        _load(strict=True)


def test_empty_list(bare_api, snapshot):
    bare_api.expect_request(ROUTE).respond_with_json([])
    with pytest.raises(SchemaError, match="empty list"):
        _load(strict=True)
    with pytest.warns(LiveDataWarning, match="empty list"):
        assert _only_snapshot(_load())


def test_number_as_junk_string(bare_api, snapshot):
    rows = fake.load("defillama_stablecoincharts_146.json")
    rows[0]["totalCirculating"]["peggedUSD"] = "lots"
    bare_api.expect_request(ROUTE).respond_with_json(rows)
    with pytest.raises(SchemaError, match="should be a number; got the string 'lots'"):
        _load(strict=True)


def test_negative_or_nan_values_rejected(bare_api, snapshot):
    rows = fake.load("defillama_stablecoincharts_146.json")
    rows[0]["totalCirculating"]["peggedUSD"] = -5
    bare_api.expect_request(ROUTE).respond_with_json(rows)
    with pytest.raises(SchemaError, match="outside the plausible range"):
        _load(strict=True)
    bare_api.clear()
    text = fake.raw("defillama_stablecoincharts_146.json").replace("5950000000.0", "NaN", 1)
    assert "NaN" in text
    bare_api.expect_request(ROUTE).respond_with_data(text, content_type="application/json")
    with pytest.raises(SchemaError, match="finite"):
        _load(strict=True)


def test_implausible_timestamp(bare_api, snapshot):
    rows = fake.load("defillama_stablecoincharts_146.json")
    rows[0]["date"] = "1735689600000"  # milliseconds where seconds are documented
    bare_api.expect_request(ROUTE).respond_with_json(rows)
    with pytest.raises(SchemaError, match="plausible unix time"):
        _load(strict=True)


def test_yields_status_not_success(bare_api):
    bare_api.expect_request("/pools").respond_with_json({"status": "error", "data": []})
    with Client(fake.FAST) as c, pytest.raises(SchemaError, match="status is 'error'"):
        from defi_helpers.data.sources import defillama
        defillama.yield_pools(c)


def test_protocols_row_missing_tvl_names_the_protocol(bare_api):
    rows = fake.load("defillama_protocols.json")
    del rows[2]["tvl"]  # Morpho Blue
    bare_api.expect_request("/protocols").respond_with_json(rows)
    from defi_helpers.data.sources import defillama
    with Client(fake.FAST) as c, pytest.raises(SchemaError, match="protocol 'Morpho Blue' lacks the field 'tvl'"):
        defillama.protocols(c)


def test_pendle_columns_of_unequal_length(bare_api):
    body = fake.load("pendle_history.json")
    body["impliedApy"] = body["impliedApy"][:-1]
    addr = "0x2222222222222222222222222222222222222222"
    bare_api.expect_request(f"/v1/1/markets/{addr}/historical-data").respond_with_json(body)
    from defi_helpers.data.sources import pendle
    with Client(fake.FAST) as c, pytest.raises(SchemaError, match="'impliedApy' has 3 values but 'timestamp' has 4"):
        pendle.market_history(c, addr)


def test_bybit_error_envelope(bare_api):
    """Bybit reports errors as HTTP 200 with retCode != 0."""
    bare_api.expect_request("/v5/market/funding/history").respond_with_json(
        {"retCode": 10001, "retMsg": "params error: symbol invalid", "result": {}, "retExtInfo": {}, "time": 1})
    from defi_helpers.data.sources import funding
    with Client(fake.FAST) as c, pytest.raises(FetchError, match="retCode 10001: params error"):
        funding.bybit_funding_history(c, start_ms=1735689600000, end_ms=1735776000000)


# ------------------------------------------------------------------ partial, no snapshot, stale cache

def test_one_venue_down_is_a_partial_refresh(bare_api):
    """Binance answers 451 (restricted location); Bybit works: default mode
    warns that the refresh is partial and keeps Bybit's rows; strict raises."""
    fake.serve(bare_api, skip=("/fapi/v1/fundingRate",))
    bare_api.expect_request("/fapi/v1/fundingRate").respond_with_json(
        {"code": 0, "msg": "Service unavailable from a restricted location"}, status=451)
    with pytest.warns(LiveDataWarning, match=r"partial: Binance.*HTTP 451.*restricted location"):
        df = live.load_live("funding_history_eth", settings=fake.FAST)
    assert set(df["venue"]) == {"Bybit"}
    with pytest.raises(FetchError, match="HTTP 451"):
        live.load_live("funding_history_eth", settings=fake.FAST, strict=True, force=True)


def test_live_only_dataset_without_fallback_raises(bare_api):
    bare_api.expect_request("/protocol/aave").respond_with_data("oops", status=500)
    with pytest.raises(LiveDataError, match="no bundled snapshot to fall back on"):
        live.load_live("protocol_tvl_history", settings=fake.FAST)


def test_stale_cache_is_preferred_to_the_snapshot(fake_api, snapshot):
    """A day-old cached refresh beats the snapshot when today's fetch fails."""
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    _load(now=yesterday)
    fake_api.clear()
    fake_api.expect_request(ROUTE).respond_with_data("oops", status=500)
    with pytest.warns(LiveDataWarning, match="Using the cached copy fetched"):
        df = _load()
    assert df.attrs["meta"].fetched_at.startswith(yesterday.strftime("%Y-%m-%d"))
    assert len(df) == 1 + 3  # stand-in snapshot row + the 3 cached live rows


def test_non_livedata_exception_is_wrapped_in_strict_mode(fake_api, snapshot, monkeypatch):
    import dataclasses

    def boom(ctx, p):
        raise KeyError("surprise")

    monkeypatch.setitem(live.SPECS, NAME, dataclasses.replace(live.SPECS[NAME], fetch=boom))
    with pytest.raises(LiveDataError, match="KeyError"):
        _load(strict=True)
    with pytest.warns(LiveDataWarning, match="KeyError"):
        assert _only_snapshot(_load())


def test_columns_that_drift_from_the_snapshot_fall_back(fake_api, monkeypatch, snapshot):
    """If the bundled snapshot's columns change, live rows no longer fit:
    default mode warns and returns the snapshot rather than mixing schemas."""
    import dataclasses

    m = live._snapshot_meta(NAME)
    changed = dataclasses.replace(m, columns={"date": "d", "other": "o"})
    monkeypatch.setattr(live, "_snapshot_meta", lambda n: changed if n == NAME else None)
    with pytest.warns(LiveDataWarning, match="do not match the bundled snapshot"):
        _load()


# ------------------------------------------------------------------ settings and arguments

def test_http_settings_validate():
    with pytest.raises(ValueError, match="read_timeout"):
        HttpSettings(read_timeout=0)
    with pytest.raises(ValueError, match="retries"):
        HttpSettings(retries=-1)
    with pytest.raises(ValueError, match="backoff_factor"):
        HttpSettings(backoff_factor=float("nan"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_age_hours"):
        live.load_live(NAME, max_age_hours=-1)
    with pytest.raises(ValueError, match="takes parameters"):
        live.load_live(NAME, colour="red")
    with pytest.raises(ValueError, match="name must be one of"):
        live.load_live("no_such_dataset")
    with pytest.raises(ValueError, match="base_urls keys"):
        Client(fake.FAST, {"nowhere": "http://127.0.0.1:1"})
    with pytest.raises(ValueError, match="live must be"):
        live.live_mode("sometimes")
