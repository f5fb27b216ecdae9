"""Live refresh of the bundled datasets, with the snapshot as the fallback.

``load(name)`` returns the bundled, cited snapshot and never touches the
network. ``load(name, live=True)`` (or ``DEFI_HANDBOOK_LIVE=1`` for a whole
build) calls :func:`load_live`, which

1. serves a valid cached copy younger than ``max_age_hours`` if there is one;
2. otherwise fetches the dataset's provider(s) with timeouts and retries,
   validates the response against the documented schema, writes it as rows
   in the snapshot's columns and units (each citing the API URL), and caches
   those rows atomically (with the fetch time and the source URLs) under the
   user's cache directory;
3. returns the live rows merged with the snapshot's curated rows that they
   do not supersede (see :mod:`.sources.catalog`);
4. on *any* failure warns (:class:`LiveDataWarning`, naming the source and
   the reason) and returns the newest valid cached copy, else the bundled
   snapshot. In strict mode (``strict=True``, ``live="strict"`` or
   ``DEFI_HANDBOOK_LIVE=strict``) it raises :class:`LiveDataError` instead.

The returned frame carries ``attrs["meta"]`` like a snapshot, with
``fetched_at`` set, so charts print "fetched <time>" instead of "snapshot as
of <date>".

Maintainers: ``python -m defi_helpers.data refresh`` refreshes every live
dataset with a progress bar; ``python -m defi_helpers.data export NAME``
writes a fresh dated snapshot CSV + JSON (with sources) for review.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from ..i18n import tr
from . import cache
from .sources._http import Client, FetchError, HttpSettings, LiveDataError, SchemaError
from .sources.catalog import SPECS, SUSDE_POOL, USDE_STABLECOIN_ID, FetchContext, LiveSpec

__all__ = [
    "LiveSpec",
    "FetchContext",
    "LiveDataError",
    "FetchError",
    "SchemaError",
    "LiveDataWarning",
    "HttpSettings",
    "RefreshResult",
    "SPECS",
    "SUSDE_POOL",
    "USDE_STABLECOIN_ID",
    "live_datasets",
    "live_mode",
    "load_live",
    "refresh",
    "export_snapshot",
    "catalog_markdown",
]


class LiveDataWarning(UserWarning):
    """A live refresh failed or was partial; the message says what was used instead."""


def live_datasets() -> list[str]:
    """Names of every dataset that has a live source, sorted."""
    return sorted(SPECS)


# --------------------------------------------------------------------------
# Mode, keys, (de)serialisation, metadata
# --------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on", "live"}
_FALSE = {"", "0", "false", "no", "off"}


def live_mode(live: Any = None) -> str | None:
    """Resolve ``live`` (True/False/"strict"/None) and ``$DEFI_HANDBOOK_LIVE``.

    Returns ``None`` (offline), ``"live"`` or ``"strict"``.

    Examples
    --------
    >>> live_mode(False), live_mode(True), live_mode("strict")
    (None, 'live', 'strict')
    """
    if live is None:
        value = os.environ.get("DEFI_HANDBOOK_LIVE", "").strip().lower()
        if value in _FALSE:
            return None
        if value == "strict":
            return "strict"
        if value in _TRUE:
            return "live"
        raise ValueError(f"DEFI_HANDBOOK_LIVE must be 0, 1 or 'strict'; got {value!r}")
    if live is False:
        return None
    if live is True:
        return "live"
    if isinstance(live, str) and live.lower() == "strict":
        return "strict"
    raise ValueError(f"live must be True, False, 'strict' or None; got {live!r}")


def _params(spec: LiveSpec, overrides: dict) -> dict:
    unknown = set(overrides) - set(spec.params)
    if unknown:
        raise ValueError(f"{spec.name!r} takes parameters {sorted(spec.params)}; got {sorted(unknown)}")
    return {**spec.params, **overrides}


def _cache_key(spec: LiveSpec, params: dict) -> str:
    if params == spec.params:
        return spec.name
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{spec.name}.{digest}"


def _to_csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            s = out[col]
            daily = bool((s.dropna() == s.dropna().dt.floor("D")).all())
            out[col] = s.dt.strftime("%Y-%m-%d" if daily else "%Y-%m-%d %H:%M:%S")
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _from_csv(text: str) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text))
    for col in frame.columns:
        if col == "date" or col.endswith("_date"):
            frame[col] = pd.to_datetime(frame[col])
    return frame


def _snapshot_meta(name: str):
    from . import list_datasets, meta
    return meta(name) if name in list_datasets() else None


def _load_snapshot(name: str) -> pd.DataFrame:
    from . import load
    return load(name, live=False)


def _display_time(iso: str) -> str:
    return cache._parse_time(iso).strftime("%Y-%m-%d %H:%M UTC")


def _live_sources(spec: LiveSpec, header: dict) -> tuple[dict, ...]:
    """One source entry per endpoint fetched (first URL of each), then the spec's docs."""
    pairs = header.get("sources") or [(spec.provider, u) for u in header.get("source_urls", [])]
    seen, out = set(), []
    for title, url in pairs:
        name = re.sub(r"\?.*$", "", title)
        if name not in seen:
            seen.add(name)
            out.append({"title": f"{name} (live)", "url": url})
        if len(out) >= 6:
            break
    return tuple(out) + tuple(spec.docs)


def _meta_for(spec: LiveSpec, header: dict, snapshot=None):
    """DatasetMeta of live rows (merged with ``snapshot`` rows when given)."""
    from . import DatasetMeta
    live_sources = _live_sources(spec, header)
    fetched = _display_time(header["fetched_at"])
    if snapshot is None:
        base = DatasetMeta(name=spec.name, title=spec.title, description=spec.description, unit=spec.unit,
                           as_of="", sources=(), licence=spec.licence, confidence=_LIVE_CONFIDENCE,
                           columns=dict(spec.columns))
        sources, licence, confidence = live_sources, spec.licence, _LIVE_CONFIDENCE
    else:
        base = snapshot
        sources = tuple(snapshot.sources) + live_sources
        licence = f"{snapshot.licence} Live rows: {spec.licence}"
        confidence = f"{snapshot.confidence} Live rows (fetched {fetched}): {_LIVE_CONFIDENCE}."
    return dataclasses.replace(base, as_of=header["fetched_at"][:10], fetched_at=fetched, sources=sources,
                               licence=licence, confidence=confidence)


_LIVE_CONFIDENCE = ("A: fetched from the provider's public API and validated against its documented schema; "
                    "not hand-checked")


def _check_frame(spec: LiveSpec, frame: pd.DataFrame, url: str | None) -> None:
    """Live rows must be non-empty and have exactly the expected columns (= the snapshot's)."""
    if frame.empty:
        raise SchemaError(spec.provider, "no rows left after normalisation", url)
    expected = list(spec.columns)
    if list(frame.columns) != expected:
        raise SchemaError(spec.provider, f"normalised columns {list(frame.columns)} differ from {expected}", url)
    snap = _snapshot_meta(spec.name)
    if snap is not None and list(snap.columns) != expected:
        raise LiveDataError(spec.provider, f"live columns {expected} do not match the bundled snapshot's "
                                           f"{list(snap.columns)}; update the live spec", url)


def _merge(spec: LiveSpec, live_rows: pd.DataFrame, header: dict) -> pd.DataFrame:
    """Live rows plus the snapshot rows the spec keeps, sorted, with merged metadata."""
    snapshot = None
    frame = live_rows
    if _snapshot_meta(spec.name) is not None:
        snap = _load_snapshot(spec.name)
        snapshot = snap.attrs["meta"]
        if list(snap.columns) == list(live_rows.columns):
            kept = snap[spec.keep(snap)] if spec.keep is not None else snap
            parts = [p for p in (kept, live_rows) if not p.empty]
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
            frame = frame.sort_values(list(spec.sort_by), kind="stable").reset_index(drop=True)
    frame.attrs["meta"] = _meta_for(spec, header, snapshot)
    return frame


# --------------------------------------------------------------------------
# Fetch, load, refresh, export
# --------------------------------------------------------------------------

def _fetch(spec: LiveSpec, params: dict, *, strict: bool, settings: HttpSettings | None,
           base_urls: dict | None, now: datetime | None) -> tuple[pd.DataFrame, dict]:
    """Fetch, validate and cache one dataset's live rows; return (rows, cache header)."""
    now = now or datetime.now(timezone.utc)
    with Client(settings or HttpSettings(), base_urls) as client:
        ctx = FetchContext(client=client, now=now, strict=strict, name=spec.name)
        frame = spec.fetch(ctx, params)
        _check_frame(spec, frame, client.urls[-1] if client.urls else None)
        header = {
            "name": spec.name,
            "params": json.loads(json.dumps(params, default=str)),
            "spec_version": spec.version,
            "fetched_at": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source_urls": list(dict.fromkeys(client.urls)),
            "sources": [list(p) for p in dict.fromkeys(client.fetched)],
            "columns": list(frame.columns),
            "rows": int(len(frame)),
            "notes": ctx.notes,
        }
    text = _to_csv(frame)
    cache.write(_cache_key(spec, params), text, header)
    return _from_csv(text), header


def _read_cache(spec: LiveSpec, key: str, params: dict) -> cache.CacheEntry | None:
    """A valid cache entry for this spec version and parameters, else None (warns if corrupt)."""
    try:
        entry = cache.read(key)
    except cache.CacheCorruptError as exc:
        warnings.warn(f"ignoring the cached copy of {spec.name!r}: {exc}", LiveDataWarning, stacklevel=4)
        return None
    if entry is None:
        return None
    h = entry.header
    if h.get("spec_version") != spec.version or h.get("params") != json.loads(json.dumps(params, default=str)):
        return None
    snap = _snapshot_meta(spec.name)
    if h.get("columns") != list(spec.columns) or (snap is not None and list(snap.columns) != list(spec.columns)):
        return None  # written for another schema: never mix it with today's snapshot
    return entry


def load_live(name: str, live: Any = True, *, strict: bool | None = None, force: bool = False,
              max_age_hours: float = 6.0, settings: HttpSettings | None = None,
              base_urls: dict | None = None, now: datetime | None = None, **params) -> pd.DataFrame:
    """Return dataset ``name`` refreshed from its public API, or a fallback.

    Parameters
    ----------
    name : str
        A dataset name: see :func:`live_datasets` (others return their snapshot).
    live : True, "strict" or None
        None reads ``$DEFI_HANDBOOK_LIVE``; "strict" implies ``strict=True``.
    strict : bool, optional
        Raise :class:`LiveDataError` on any failure instead of warning and
        falling back.
    force : bool
        Fetch even if a fresh cached copy exists.
    max_age_hours : float
        A cached copy younger than this is served without a request, >= 0.
    settings : HttpSettings, optional
        Timeouts and retries.
    base_urls : dict, optional
        Host overrides, e.g. ``{"llama_api": "http://127.0.0.1:8000"}``.
    now : datetime, optional
        The clock (aware UTC); for reproducible tests.
    **params
        Dataset parameters (e.g. ``slug="morpho-blue"`` for
        ``protocol_tvl_history``); see ``SPECS[name].params``.

    Returns
    -------
    DataFrame
        The snapshot's columns; live rows merged with the curated snapshot
        rows the dataset keeps. ``attrs["meta"].fetched_at`` is set when live
        (or cached live) rows are included, unset for the bare snapshot.

    Raises
    ------
    ValueError
        Unknown ``name`` or parameter, or a bad ``max_age_hours``.
    LiveDataError
        In strict mode on any failure; in default mode only if there is
        neither a cached copy nor a snapshot to fall back on.
    """
    from .._validate import check_number
    check_number("max_age_hours", max_age_hours, lo=0)
    mode = live_mode(live) if live is not None else (live_mode(None) or "live")
    if strict is None:
        strict = mode == "strict"
    spec = SPECS.get(name)
    if spec is None:
        if _snapshot_meta(name) is None:
            from . import list_datasets
            raise ValueError(f"name must be one of {sorted(set(list_datasets()) | set(SPECS))}; got {name!r}")
        if live is not None:  # asked for explicitly: say why nothing changed
            warnings.warn(f"{name!r} has no live source; using the bundled snapshot", LiveDataWarning, stacklevel=2)
        return _load_snapshot(name)
    params = _params(spec, params)
    key = _cache_key(spec, params)
    cached = _read_cache(spec, key, params)
    if cached is not None and not force and cached.age_hours(now) <= max_age_hours:
        return _merge(spec, _from_csv(cached.csv_text), cached.header)
    try:
        rows, header = _fetch(spec, params, strict=strict, settings=settings, base_urls=base_urls, now=now)
    except Exception as exc:  # noqa: BLE001 -- any failure falls back (or raises in strict mode)
        if strict:
            if isinstance(exc, LiveDataError):
                raise
            raise LiveDataError(spec.provider, f"{type(exc).__name__}: {exc}") from exc
        return _fallback(spec, key, params, exc)
    for note in header["notes"]:
        warnings.warn(f"live refresh of {name!r} is partial: {note}", LiveDataWarning, stacklevel=2)
    return _merge(spec, rows, header)


def _fallback(spec: LiveSpec, key: str, params: dict, exc: BaseException) -> pd.DataFrame:
    reason = str(exc) if isinstance(exc, LiveDataError) else f"{spec.provider}: {type(exc).__name__}: {exc}"
    entry = _read_cache(spec, key, params)
    if entry is not None:
        used = f"the cached copy fetched {_display_time(entry.header['fetched_at'])}"
        frame = _merge(spec, _from_csv(entry.csv_text), entry.header)
    elif _snapshot_meta(spec.name) is not None:
        frame = _load_snapshot(spec.name)
        used = f"the bundled snapshot (as of {frame.attrs['meta'].as_of})"
    else:
        raise LiveDataError(spec.provider, f"live refresh failed ({reason}) and {spec.name!r} has no bundled "
                                           "snapshot to fall back on") from exc
    warnings.warn(f"live refresh of {spec.name!r} failed: {reason}. Using {used}.", LiveDataWarning, stacklevel=3)
    return frame


@dataclass(frozen=True)
class RefreshResult:
    """Outcome of refreshing one dataset."""

    name: str
    ok: bool
    rows: int = 0
    fetched_at: str | None = None
    message: str = ""


def refresh(names=None, *, strict: bool = False, settings: HttpSettings | None = None,
            base_urls: dict | None = None, progress: bool = False, now: datetime | None = None
            ) -> list[RefreshResult]:
    """Fetch and cache ``names`` (default: every live dataset), ignoring cache age.

    Failures are reported in the results (and raised when ``strict``);
    ``progress`` shows a :mod:`tqdm` progress bar on stderr.
    """
    names = list(names) if names else live_datasets()
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        raise ValueError(f"names must be among {live_datasets()}; got {unknown}")
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(names, desc="refreshing", unit="dataset")
    results = []
    for name in bar if bar is not None else names:
        if bar is not None:
            bar.set_postfix_str(name)
        spec = SPECS[name]
        try:
            rows, header = _fetch(spec, dict(spec.params), strict=strict, settings=settings,
                                  base_urls=base_urls, now=now)
            msg = "; ".join(f"partial: {n}" for n in header["notes"])
            results.append(RefreshResult(name, True, len(rows), header["fetched_at"], msg))
        except Exception as exc:  # noqa: BLE001
            if strict:
                if bar is not None:
                    bar.close()
                raise
            results.append(RefreshResult(name, False, message=str(exc)))
    if bar is not None:
        bar.close()
    return results


def export_snapshot(name: str, out_dir, *, overwrite: bool = False, use_cache: bool = True,
                    settings: HttpSettings | None = None, base_urls: dict | None = None,
                    now: datetime | None = None) -> tuple[Path, Path]:
    """Write dataset ``name`` (curated rows + live rows) as a snapshot pair ``<name>.csv`` + ``<name>.json``.

    Uses a valid cached copy when ``use_cache`` (else fetches, strictly: a
    failure raises). The JSON has the registry's keys (title, description,
    unit, as_of, sources, licence, confidence, columns) so the pair can be
    reviewed and copied into ``defi_helpers/data/snapshots/``.
    """
    spec = SPECS.get(name)
    if spec is None:
        raise ValueError(f"name must be one of {live_datasets()}; got {name!r}")
    out = Path(out_dir)
    csv_path, json_path = out / f"{name}.csv", out / f"{name}.json"
    for p in (csv_path, json_path):
        if p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists; pass overwrite=True (CLI: --force) to replace it")
    params = dict(spec.params)
    entry = _read_cache(spec, spec.name, params) if use_cache else None
    if entry is not None:
        rows, header = _from_csv(entry.csv_text), entry.header
    else:
        rows, header = _fetch(spec, params, strict=True, settings=settings, base_urls=base_urls, now=now)
    frame = _merge(spec, rows, header)
    for col in frame.columns:
        if frame[col].dtype == object and frame[col].astype(str).str.contains("#", regex=False).any():
            raise ValueError(f"column {col!r} contains '#', which the snapshot reader treats as a comment")
    m = frame.attrs["meta"]
    body = {
        "title": m.title,
        "description": m.description,
        "unit": m.unit,
        "as_of": m.as_of,
        "sources": [dict(s) for s in m.sources],
        "licence": m.licence,
        "confidence": f"{m.confidence} Exported {m.fetched_at} by python -m defi_helpers.data export.",
        "columns": dict(m.columns),
    }
    out.mkdir(parents=True, exist_ok=True)
    tmp_csv, tmp_json = csv_path.with_suffix(".csv.tmp"), json_path.with_suffix(".json.tmp")
    tmp_csv.write_text(_to_csv(frame), encoding="utf-8")
    tmp_json.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp_csv, csv_path)
    os.replace(tmp_json, json_path)
    return csv_path, json_path


def describe(name: str) -> dict:
    """Status of one dataset for listings: snapshot date, live source, cache state."""
    snap = _snapshot_meta(name)
    spec = SPECS.get(name)
    return {
        "name": name,
        "snapshot": snap.as_of if snap else "-",
        "live": spec.provider if spec else "-",
        "cache": cache.status(name) if spec else "-",
    }


def catalog_markdown() -> str:
    """A Markdown table of every live dataset: what it refreshes and from where (no network)."""
    head = (tr("dataset"), tr("refreshes"), tr("live source"), tr("what the live rows are"))
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    for name in live_datasets():
        spec = SPECS[name]
        snap = _snapshot_meta(name)
        refreshes = (tr("snapshot as of {date}; live rows are added").format(date=snap.as_of) if snap is not None
                     else (tr("live only (no bundled snapshot)") if spec.live_only
                           else tr("snapshot not bundled yet")))
        docs = "; ".join(f"[{d['title']}]({d['url']})" for d in spec.docs)
        lines.append(f"| `{name}` | {refreshes} | {spec.provider} ({docs}) | {spec.description} |")
    return "\n".join(lines) + "\n"
