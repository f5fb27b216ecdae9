"""``load(name, live=...)``: offline by default, live on request or by environment.

The registry's ``load(name)`` must not notice the live path: no request, no
import of the HTTP stack needed, same frame as before. ``live=True`` or
``DEFI_HANDBOOK_LIVE=1`` routes through :func:`defi_helpers.data.live.load_live`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from defi_helpers.data import list_datasets, load, meta, source_line
from defi_helpers.data import live
from defi_helpers.data.live import LiveDataError, LiveDataWarning

_path = Path(__file__).parent / "fixtures" / "live" / "fakeapi.py"
_spec = importlib.util.spec_from_file_location("_live_fakeapi_load", _path)
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)
live_server, fake_api, bare_api, isolated = fake.live_server, fake.fake_api, fake.bare_api, fake.isolated

REPO = Path(__file__).resolve().parents[1]
REFRESHABLE = [n for n in live.live_datasets() if n in list_datasets()]
SNAPSHOT_ONLY = [n for n in list_datasets() if n not in live.SPECS]


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    """load() takes no settings: make the defaults fast for these tests."""
    monkeypatch.setattr(live, "HttpSettings", lambda: fake.FAST)


def test_default_load_is_offline_and_unchanged(bare_api):
    """Every bundled dataset loads with no request at all (the autouse guard
    also refuses any non-loopback connection)."""
    for name in list_datasets():
        df = load(name)
        assert df.attrs["meta"].fetched_at is None
        assert df.attrs["meta"].as_of == meta(name).as_of
    assert len(bare_api.log) == 0


def test_importing_the_registry_does_not_import_the_http_stack():
    code = ("import sys, defi_helpers.data as d; "
            "[d.load(n) for n in d.list_datasets()]; "
            "print('requests' in sys.modules, 'defi_helpers.data.live' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(REPO),
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.skipif(not REFRESHABLE, reason="no bundled snapshot has a live source yet")
@pytest.mark.parametrize("name", REFRESHABLE)
def test_live_true_keeps_the_snapshot_columns_and_adds_fetched_rows(fake_api, name):
    snap = load(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = load(name, live=True)
    assert list(df.columns) == list(snap.columns)
    assert len(df) > 0
    m = df.attrs["meta"]
    assert m.fetched_at is not None
    assert "fetched" in source_line(df) and "snapshot as of" not in source_line(df)
    for col in df.columns:  # same dtypes family as the snapshot for the parsed dates
        if col == "date" or col.endswith("_date"):
            assert pd.api.types.is_datetime64_any_dtype(df[col])


def test_environment_switches_a_whole_build_to_live(fake_api, monkeypatch):
    name = REFRESHABLE[0] if REFRESHABLE else "chain_tvl_history"
    monkeypatch.setenv("DEFI_HANDBOOK_LIVE", "1")
    df = load(name) if REFRESHABLE else live.load_live(name, None)
    assert df.attrs["meta"].fetched_at is not None
    if REFRESHABLE:
        offline = load(name, live=False)  # explicit False wins over the environment
        assert offline.attrs["meta"].fetched_at is None


def test_environment_strict_raises(bare_api, monkeypatch):
    if not REFRESHABLE:
        pytest.skip("no refreshable snapshot")
    monkeypatch.setenv("DEFI_HANDBOOK_LIVE", "strict")
    with pytest.raises(LiveDataError):
        load(REFRESHABLE[0])
    monkeypatch.setenv("DEFI_HANDBOOK_LIVE", "1")
    with pytest.warns(LiveDataWarning, match="Using the bundled snapshot"):
        df = load(REFRESHABLE[0])
    assert df.attrs["meta"].fetched_at is None


def test_live_strict_keyword(bare_api):
    if not REFRESHABLE:
        pytest.skip("no refreshable snapshot")
    with pytest.raises(LiveDataError, match="HTTP 500"):  # the fake has no route: 500
        load(REFRESHABLE[0], live="strict")


def test_bad_environment_value(monkeypatch):
    monkeypatch.setenv("DEFI_HANDBOOK_LIVE", "sometimes")
    name = list_datasets()[0] if list_datasets() else "chain_tvl_history"
    with pytest.raises(ValueError, match="DEFI_HANDBOOK_LIVE must be"):
        load(name)


@pytest.mark.skipif(not SNAPSHOT_ONLY, reason="every bundled dataset has a live source")
def test_snapshot_only_dataset_with_live_true_says_so(bare_api, monkeypatch):
    name = SNAPSHOT_ONLY[0]
    with pytest.warns(LiveDataWarning, match="has no live source"):
        df = load(name, live=True)
    assert df.attrs["meta"].fetched_at is None
    monkeypatch.setenv("DEFI_HANDBOOK_LIVE", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a whole-build switch stays quiet for snapshot-only data
        load(name)
    assert len(bare_api.log) == 0


def test_unknown_name_live():
    with pytest.raises(ValueError, match="name must be one of"):
        load("no_such_dataset", live=True)


def test_every_refreshable_snapshot_is_mapped():
    """The planned refreshable datasets that exist as snapshots all have a live
    source with the snapshot's exact columns (the mapping is kept aligned)."""
    planned = {"defi_tvl_history", "lending_tvl_leaders", "funding_rates_eth", "pendle_markets", "susde_apy",
               "usde_supply", "lido_steth_apr", "yield_spread"}
    for name in planned & set(list_datasets()):
        assert list(meta(name).columns) == list(live.SPECS[name].columns), name
