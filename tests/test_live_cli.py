"""``python -m defi_helpers.data list | refresh [NAME ...] | export NAME``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from defi_helpers.data import cache, list_datasets, live
from defi_helpers.data.__main__ import main

_path = Path(__file__).parent / "fixtures" / "live" / "fakeapi.py"
_spec = importlib.util.spec_from_file_location("_live_fakeapi_cli", _path)
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)
live_server, fake_api, bare_api, isolated = fake.live_server, fake.fake_api, fake.bare_api, fake.isolated

REQUIRED = {"title", "description", "unit", "as_of", "sources", "licence", "confidence", "columns"}


def test_list_shows_every_dataset_and_the_cache(fake_api, capsys):
    assert main(["refresh", "usde_supply", "--no-progress"]) == 0
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in set(list_datasets()) | set(live.live_datasets()):
        assert name in out
    assert "cache directory:" in out and str(cache.cache_dir()) in out
    line = next(l for l in out.splitlines() if l.startswith("usde_supply "))
    assert "DefiLlama stablecoins" in line and "Z" in line  # fetch time shown


def test_refresh_with_progress_bar(fake_api, capsys):
    assert main(["refresh", "usde_supply", "susde_apy"]) == 0
    captured = capsys.readouterr()
    assert "refreshing" in captured.err  # the tqdm bar
    assert "ok      usde_supply: 3 rows" in captured.out
    assert cache.read("susde_apy") is not None


def test_refresh_all_by_default(fake_api, capsys):
    assert main(["refresh", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok      ") == len(live.live_datasets())


def test_refresh_failure_exit_code_and_reason(bare_api, capsys):
    fake.serve(bare_api, skip=("/stablecoincharts/all",))
    bare_api.expect_request("/stablecoincharts/all").respond_with_json({"message": "gone"}, status=404)
    assert main(["refresh", "usde_supply", "chain_tvl_history", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "FAILED  usde_supply: DefiLlama stablecoins" in captured.err and "HTTP 404" in captured.err
    assert "ok      chain_tvl_history" in captured.out
    assert main(["refresh", "usde_supply", "--strict", "--no-progress"]) == 1


def test_refresh_unknown_name(capsys):
    assert main(["refresh", "nope", "--no-progress"]) == 2
    assert "names must be among" in capsys.readouterr().err


def test_base_url_flag(bare_api, monkeypatch, capsys):
    fake.serve(bare_api)
    monkeypatch.setenv("DEFI_HANDBOOK_BASE_URL", "http://127.0.0.1:9")  # would fail
    url = bare_api.url_for("/").rstrip("/")
    assert main(["refresh", "usde_supply", "--no-progress", "--base-url", url]) == 0


def test_export_writes_a_loadable_dated_snapshot(fake_api, tmp_path, capsys):
    """The exported pair has the registry's metadata keys, documents every
    column, and its CSV reads back the way the registry reads snapshots."""
    out = tmp_path / "export"
    assert main(["export", "usde_supply", "--out", str(out)]) == 0
    meta = json.loads((out / "usde_supply.json").read_text())
    assert REQUIRED <= meta.keys()
    assert any("(live)" in s["title"] and s["url"] for s in meta["sources"])
    df = pd.read_csv(out / "usde_supply.csv", comment="#")
    assert list(df.columns) == list(meta["columns"])
    assert "2025-01-01" in set(df["date"])
    # refuses to overwrite, unless forced
    assert main(["export", "usde_supply", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["export", "usde_supply", "--out", str(out), "--force", "--fetch"]) == 0


def test_export_failure(bare_api, tmp_path, capsys):
    bare_api.expect_request("/stablecoincharts/all").respond_with_json({"message": "gone"}, status=404)
    assert main(["export", "usde_supply", "--out", str(tmp_path)]) == 1
    assert "FAILED" in capsys.readouterr().err
    assert not (tmp_path / "usde_supply.csv").exists()


def test_export_unknown(capsys, tmp_path):
    assert main(["export", "flash_loan_incidents", "--out", str(tmp_path)]) == 2


def test_usage_error():
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
