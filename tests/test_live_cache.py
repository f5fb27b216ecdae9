"""The live-data cache: where it lives, atomic writes, checksums, concurrency.

A cache file is ``magic line + JSON header (sha256, bytes, fetch time,
source URLs) + CSV``; anything truncated, altered or foreign is detected
and never served. Writes go to a temp file then ``os.replace``, so readers
and concurrent writers (threads or processes) never see a partial file.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from defi_helpers.data import cache, live
from defi_helpers.data.live import LiveDataWarning

_path = Path(__file__).parent / "fixtures" / "live" / "fakeapi.py"
_spec = importlib.util.spec_from_file_location("_live_fakeapi_cache", _path)
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)
live_server, fake_api, bare_api, isolated = fake.live_server, fake.fake_api, fake.bare_api, fake.isolated

REPO = Path(__file__).resolve().parents[1]
HEADER = {"fetched_at": "2025-01-02T03:04:05Z", "source_urls": ["http://127.0.0.1/x"]}


# ------------------------------------------------------------------ location

def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("DEFI_HANDBOOK_CACHE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == (tmp_path / "a").resolve()
    monkeypatch.delenv("DEFI_HANDBOOK_CACHE_DIR")
    assert cache.cache_dir() == (tmp_path / "xdg" / "defi-handbook").resolve()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir(create=False) == (tmp_path / "home" / ".cache" / "defi-handbook").resolve()


def test_cache_dir_never_inside_the_repository(monkeypatch):
    monkeypatch.setenv("DEFI_HANDBOOK_CACHE_DIR", str(REPO / "defi_helpers" / "data" / "cache"))
    with pytest.raises(ValueError, match="DEFI_HANDBOOK_CACHE_DIR must point outside"):
        cache.cache_dir()
    if any((REPO / m).exists() for m in (".git", "pyproject.toml", "_toc.yml")):
        monkeypatch.setenv("DEFI_HANDBOOK_CACHE_DIR", str(REPO / ".cache"))
        with pytest.raises(ValueError, match="outside the repository"):
            cache.cache_dir()


def test_bad_keys_rejected():
    for key in ("", "../escape", "a/b", "x" * 200, None):
        with pytest.raises(ValueError, match="key must be"):
            cache.cache_path(key)


# ------------------------------------------------------------------ format

def test_roundtrip_and_header(isolated):
    path = cache.write("demo", "a,b\n1,2\n", dict(HEADER))
    entry = cache.read("demo")
    assert entry.csv_text == "a,b\n1,2\n"
    assert entry.header["bytes"] == 8 and len(entry.header["sha256"]) == 64
    assert entry.header["source_urls"] == ["http://127.0.0.1/x"]
    assert entry.fetched_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert path.parent == cache.cache_dir()
    assert [p.name for p in path.parent.iterdir()] == ["demo.cache"]  # no temp file left
    assert cache.status("demo") == "2025-01-02T03:04:05Z"
    assert cache.status("absent") == "missing" and cache.read("absent") is None


def test_write_needs_a_fetch_time():
    with pytest.raises(ValueError, match="fetched_at"):
        cache.write("demo", "a\n1\n", {})


@pytest.mark.parametrize("cut", [1, 10, 40, -1, -5])
def test_truncated_file_is_corrupt(isolated, cut):
    path = cache.write("demo", "date,value\n2025-01-01,1.5\n2025-01-02,2.5\n", dict(HEADER))
    raw = path.read_bytes()
    path.write_bytes(raw[:cut] if cut > 0 else raw[:cut])
    with pytest.raises(cache.CacheCorruptError):
        cache.read("demo")
    assert cache.status("demo") == "corrupt"


def test_altered_byte_fails_the_checksum(isolated):
    path = cache.write("demo", "date,value\n2025-01-01,1.5\n", dict(HEADER))
    raw = bytearray(path.read_bytes())
    raw[-3] = ord("9") if raw[-3] != ord("9") else ord("8")
    path.write_bytes(bytes(raw))
    with pytest.raises(cache.CacheCorruptError, match="SHA-256"):
        cache.read("demo")


def test_foreign_file_is_corrupt(isolated):
    cache.cache_path("demo").write_text("date,value\n2025-01-01,1\n")
    with pytest.raises(cache.CacheCorruptError, match="cache marker"):
        cache.read("demo")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=300), cut=st.integers(min_value=1, max_value=10_000))
def test_any_truncation_is_detected(isolated, text, cut):
    """Invariant: a cache file cut anywhere short of its full length is never
    read back as data; the full file always is, byte for byte."""
    path = cache.write("prop", text, dict(HEADER))
    raw = path.read_bytes()
    assert cache.read("prop").csv_text == text
    cut = cut % len(raw)
    path.write_bytes(raw[:cut])
    with pytest.raises(cache.CacheCorruptError):
        cache.read("prop")


def test_clear(isolated):
    cache.write("a", "x\n", dict(HEADER))
    cache.write("b", "y\n", dict(HEADER))
    assert cache.clear("a") == 1 and cache.read("a") is None
    assert cache.clear() == 1 and cache.read("b") is None


# ------------------------------------------------------------------ use by load_live

NAME = "chain_tvl_history"  # live-only: no snapshot involved


def test_fresh_cache_is_served_without_a_request(fake_api):
    first = live.load_live(NAME, settings=fake.FAST)
    n = len(fake_api.log)
    again = live.load_live(NAME, settings=fake.FAST)
    assert len(fake_api.log) == n
    assert again.equals(first)
    assert again.attrs["meta"].fetched_at == first.attrs["meta"].fetched_at
    live.load_live(NAME, settings=fake.FAST, force=True)
    assert len(fake_api.log) == n + 1


def test_old_cache_is_refetched(fake_api):
    old = datetime.now(timezone.utc) - timedelta(hours=7)
    live.load_live(NAME, settings=fake.FAST, now=old)
    n = len(fake_api.log)
    df = live.load_live(NAME, settings=fake.FAST)  # default max age 6 h
    assert len(fake_api.log) == n + 1
    assert df.attrs["meta"].fetched_at != old.strftime("%Y-%m-%d %H:%M UTC")


def test_cache_keyed_by_parameters(fake_api):
    live.load_live(NAME, settings=fake.FAST)
    assert cache.read(NAME) is not None
    fake.serve(fake_api, {"/v2/historicalChainTvl/Base": "defillama_historicalChainTvl.json"})
    base = live.load_live(NAME, settings=fake.FAST, chain="Base")
    assert base["tvl_usd"].iloc[0] == 118.0e9
    keys = sorted(p.name for p in cache.cache_dir().glob("*.cache"))
    assert len(keys) == 2 and keys[0].startswith(f"{NAME}.")


def test_truncated_cache_is_refetched_not_served(fake_api):
    live.load_live(NAME, settings=fake.FAST)
    path = cache.cache_path(NAME)
    path.write_bytes(path.read_bytes()[:-7])
    n = len(fake_api.log)
    with pytest.warns(LiveDataWarning, match="ignoring the cached copy.*truncated"):
        df = live.load_live(NAME, settings=fake.FAST)
    assert len(fake_api.log) == n + 1
    assert df["tvl_usd"].tolist() == [66.0e9, 67.0e9, 65.5e9]
    assert cache.read(NAME) is not None  # repaired by the refetch


def test_truncated_cache_offline_never_served(fake_api):
    """Offline with a corrupt cache and no snapshot: an error, never the bad bytes."""
    live.load_live(NAME, settings=fake.FAST)
    path = cache.cache_path(NAME)
    path.write_bytes(path.read_bytes()[:-7])
    fake_api.clear()
    fake_api.expect_request("/v2/historicalChainTvl/Ethereum").respond_with_data("down", status=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LiveDataWarning)
        with pytest.raises(live.LiveDataError, match="no bundled snapshot"):
            live.load_live(NAME, settings=fake.FAST)


def test_spec_version_change_ignores_old_cache(fake_api, monkeypatch):
    import dataclasses

    live.load_live(NAME, settings=fake.FAST)
    n = len(fake_api.log)
    monkeypatch.setitem(live.SPECS, NAME, dataclasses.replace(live.SPECS[NAME], version=99))
    live.load_live(NAME, settings=fake.FAST)
    assert len(fake_api.log) == n + 1


# ------------------------------------------------------------------ concurrency

def test_concurrent_writers_and_readers_threads(isolated):
    """8 writer threads rewrite the same key 25 times each while 4 readers
    read it in a loop: no reader ever sees a corrupt file, the final file is
    one writer's complete payload, and no temp file is left behind."""
    payloads = {i: "date,value\n" + "".join(f"2025-01-{d:02d},{i}.{d}\n" for d in range(1, 29)) * 20
                for i in range(8)}
    cache.write("race", payloads[0], dict(HEADER))
    errors, stop = [], threading.Event()

    def writer(i):
        for _ in range(25):
            cache.write("race", payloads[i], dict(HEADER, writer=i))

    def reader():
        while not stop.is_set():
            try:
                entry = cache.read("race")
                assert entry.csv_text == payloads[entry.header["writer"] if "writer" in entry.header else 0]
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    final = cache.read("race")
    assert final.csv_text == payloads[final.header["writer"]]
    assert [p.name for p in cache.cache_dir().iterdir()] == ["race.cache"]


def test_two_refreshes_at_once_threads(fake_api):
    results = []
    threads = [threading.Thread(target=lambda: results.append(live.refresh(["usde_supply", NAME],
                                                                             settings=fake.FAST)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.ok for batch in results for r in batch)
    assert cache.read("usde_supply") is not None and cache.read(NAME) is not None
    assert sorted(p.name for p in cache.cache_dir().iterdir()) == sorted(["usde_supply.cache", f"{NAME}.cache"])


def test_two_refreshes_at_once_processes(fake_api, isolated):
    """Two CLI processes refresh the same datasets at the same moment."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "defi_helpers.data", "refresh", "usde_supply", NAME, "--no-progress"]
    procs = [subprocess.Popen(cmd, env=env, cwd=str(isolated), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all("ok      usde_supply" in out for out, _ in outs)
    entry = cache.read("usde_supply")
    assert entry.header["rows"] == 3
    assert not [p for p in cache.cache_dir().iterdir() if p.suffix == ".tmp"]
