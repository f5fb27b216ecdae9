"""Command line for the dataset registry and its live refresh.

Usage::

    python -m defi_helpers.data list
    python -m defi_helpers.data refresh [NAME ...] [--strict]
    python -m defi_helpers.data export NAME [--out DIR] [--force] [--fetch]

``list`` shows every dataset with its snapshot date, its live source and the
state of its cache. ``refresh`` fetches live datasets (all by default) into
the user cache with a progress bar; readers then get the fresh numbers from
``load(name, live=True)``. ``export`` writes a live dataset as a dated
snapshot pair ``NAME.csv`` + ``NAME.json`` (with its sources) for a
maintainer to review and copy into ``defi_helpers/data/snapshots/``.

Exit status: 0 on success, 1 if any dataset failed, 2 on a usage error.
Base URLs can be redirected with ``--base-url`` or the
``DEFI_HANDBOOK_BASE_URL[_<HOST>]`` environment variables.
"""

from __future__ import annotations

import argparse
import sys

from . import list_datasets


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m defi_helpers.data",
                                description="List, refresh and export the handbook's datasets.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="datasets, snapshot dates, live sources, cache state")
    r = sub.add_parser("refresh", help="fetch live datasets into the user cache")
    r.add_argument("names", nargs="*", metavar="NAME", help="datasets to refresh (default: all live ones)")
    r.add_argument("--strict", action="store_true", help="stop at the first failure with an error")
    r.add_argument("--base-url", help="serve every host from this URL (e.g. a local mirror)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    e = sub.add_parser("export", help="write a live dataset as a dated snapshot CSV + JSON")
    e.add_argument("name", metavar="NAME")
    e.add_argument("--out", default=".", help="directory for NAME.csv and NAME.json (default: .)")
    e.add_argument("--force", action="store_true", help="overwrite existing files")
    e.add_argument("--fetch", action="store_true", help="fetch now even if a cached copy exists")
    e.add_argument("--base-url", help="serve every host from this URL")
    return p


def _base_urls(url: str | None) -> dict | None:
    if not url:
        return None
    from .sources._http import DEFAULT_BASE_URLS
    return {host: url for host in DEFAULT_BASE_URLS}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from . import live

    if args.command == "list":
        names = sorted(set(list_datasets()) | set(live.live_datasets()))
        rows = [live.describe(n) for n in names]
        widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in ("name", "snapshot", "live", "cache")}
        line = "  ".join(f"{k:<{widths[k]}}" for k in widths)
        print(line)
        print("  ".join("-" * widths[k] for k in widths))
        for r in rows:
            print("  ".join(f"{str(r[k]):<{widths[k]}}" for k in widths))
        print(f"\ncache directory: {live.cache.cache_dir()}")
        return 0

    if args.command == "refresh":
        try:
            results = live.refresh(args.names or None, strict=args.strict, base_urls=_base_urls(args.base_url),
                                   progress=not args.no_progress)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except live.LiveDataError as exc:
            print(f"FAILED  {exc}", file=sys.stderr)
            return 1
        for r in results:
            if r.ok:
                extra = f"  ({r.message})" if r.message else ""
                print(f"ok      {r.name}: {r.rows} rows fetched {r.fetched_at}{extra}")
            else:
                print(f"FAILED  {r.name}: {r.message}", file=sys.stderr)
        return 0 if all(r.ok for r in results) else 1

    if args.command == "export":
        try:
            csv_path, json_path = live.export_snapshot(args.name, args.out, overwrite=args.force,
                                                       use_cache=not args.fetch,
                                                       base_urls=_base_urls(args.base_url))
        except (ValueError, FileExistsError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except live.LiveDataError as exc:
            print(f"FAILED  {exc}", file=sys.stderr)
            return 1
        print(f"wrote {csv_path}\nwrote {json_path}")
        return 0
    return 2  # pragma: no cover -- argparse enforces a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
