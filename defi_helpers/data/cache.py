"""On-disk cache for live dataset refreshes: atomic, checksummed, outside the repo.

Each cached dataset is one file ``<key>.cache`` in :func:`cache_dir`::

    DEFI-HANDBOOK-CACHE 1\\n
    {"name": ..., "fetched_at": ..., "source_urls": [...], "sha256": ..., "bytes": N, ...}\\n
    <N bytes of CSV>

The first line identifies the format, the second is a JSON header with the
fetch time, the source URLs and the SHA-256 and length of the CSV that
follows. A file whose magic line, header, length or checksum does not match
is *corrupt*: :func:`read` reports it and never returns its data.

Writes go to a temporary file in the same directory which is flushed,
fsync'ed and then moved over the old file with :func:`os.replace` (atomic on
POSIX and Windows), so a reader sees either the old complete file or the new
complete file, never a half-written one, and two refreshes running at once
cannot interleave their bytes: the last one to finish wins.

Where the cache lives: ``$DEFI_HANDBOOK_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/defi-handbook``, else ``~/.cache/defi-handbook``. It is
never inside the repository: a directory inside the source tree is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

__all__ = [
    "CacheEntry",
    "CacheCorruptError",
    "cache_dir",
    "cache_path",
    "read",
    "write",
    "status",
    "clear",
]

MAGIC = b"DEFI-HANDBOOK-CACHE 1\n"
SUFFIX = ".cache"
_ENV_DIR = "DEFI_HANDBOOK_CACHE_DIR"
_KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")
# The package's source tree (…/defi_helpers) and the checkout that holds it.
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_REPO_MARKERS = (".git", "pyproject.toml", "_toc.yml")


class CacheCorruptError(ValueError):
    """A cache file is truncated, altered or not a cache file at all."""


@dataclass(frozen=True)
class CacheEntry:
    """One cached dataset: the CSV text and the header describing it."""

    key: str
    csv_text: str
    header: dict = field(default_factory=dict)

    @property
    def fetched_at(self) -> datetime:
        """Fetch time as an aware UTC datetime."""
        return _parse_time(self.header["fetched_at"])

    def age_hours(self, now: datetime | None = None) -> float:
        """Hours since the data was fetched (``now`` defaults to the clock)."""
        now = now or datetime.now(timezone.utc)
        return (now - self.fetched_at).total_seconds() / 3600.0


def _parse_time(text: str) -> datetime:
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _repo_root() -> Path | None:
    """The checkout containing this package, if it is one (else None)."""
    parent = _PACKAGE_DIR.parent
    return parent if any((parent / m).exists() for m in _REPO_MARKERS) else None


def cache_dir(create: bool = True) -> Path:
    """Directory of the live-data cache.

    ``$DEFI_HANDBOOK_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/defi-handbook``,
    else ``~/.cache/defi-handbook``.

    Raises
    ------
    ValueError
        If the directory would be inside the package or the repository that
        contains it (cached downloads must never end up committed).
    """
    env = os.environ.get(_ENV_DIR, "").strip()
    if env:
        path = Path(env).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
        path = base / "defi-handbook"
    path = path.resolve()
    for forbidden in filter(None, (_PACKAGE_DIR, _repo_root())):
        if path == forbidden or forbidden in path.parents:
            raise ValueError(
                f"{_ENV_DIR} must point outside the repository {str(forbidden)!r}; got {str(path)!r}"
            )
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(key: str) -> Path:
    """Path of the cache file for ``key`` (a dataset name, maybe with a suffix)."""
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ValueError(f"key must be 1-120 characters from [A-Za-z0-9_.-]; got {key!r}")
    return cache_dir() / f"{key}{SUFFIX}"


def _decode(key: str, raw: bytes) -> CacheEntry:
    if not raw.startswith(MAGIC):
        raise CacheCorruptError(f"cache file for {key!r} does not start with the cache marker")
    rest = raw[len(MAGIC):]
    newline = rest.find(b"\n")
    if newline < 0:
        raise CacheCorruptError(f"cache file for {key!r} has no complete header line")
    try:
        header = json.loads(rest[:newline].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheCorruptError(f"cache file for {key!r} has an unreadable header ({exc})") from None
    if not isinstance(header, dict) or not {"sha256", "bytes", "fetched_at"} <= header.keys():
        raise CacheCorruptError(f"cache file for {key!r} header lacks sha256/bytes/fetched_at")
    body = rest[newline + 1:]
    if len(body) != header["bytes"]:
        raise CacheCorruptError(
            f"cache file for {key!r} is truncated or padded: {len(body)} bytes of data, header says {header['bytes']}"
        )
    if hashlib.sha256(body).hexdigest() != header["sha256"]:
        raise CacheCorruptError(f"cache file for {key!r} fails its SHA-256 checksum")
    try:
        _parse_time(header["fetched_at"])
    except (TypeError, ValueError):
        raise CacheCorruptError(f"cache file for {key!r} has a bad fetched_at {header['fetched_at']!r}") from None
    return CacheEntry(key=key, csv_text=body.decode("utf-8"), header=header)


def read(key: str) -> CacheEntry | None:
    """Return the cached entry for ``key``, or None if there is none.

    Raises
    ------
    CacheCorruptError
        If a file exists but is truncated, altered or unreadable. Its data is
        never returned; the next successful :func:`write` replaces it.
    """
    path = cache_path(key)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return _decode(key, raw)


def write(key: str, csv_text: str, header: dict) -> Path:
    """Atomically store ``csv_text`` for ``key`` with ``header``; return the path.

    ``header`` must hold ``fetched_at`` (ISO 8601); ``sha256`` and ``bytes``
    are added here.
    """
    if "fetched_at" not in header:
        raise ValueError("header must contain 'fetched_at'")
    _parse_time(header["fetched_at"])
    body = csv_text.encode("utf-8")
    full = dict(header, key=key, sha256=hashlib.sha256(body).hexdigest(), bytes=len(body))
    head = json.dumps(full, sort_keys=True, ensure_ascii=True).encode("ascii")
    if b"\n" in head:  # impossible with json.dumps defaults; guard the format anyway
        raise ValueError("header must serialise to one line")
    path = cache_path(key)
    fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + head + b"\n" + body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def status(key: str) -> str:
    """One word for listings: ``missing``, ``corrupt`` or the fetch time."""
    try:
        entry = read(key)
    except CacheCorruptError:
        return "corrupt"
    if entry is None:
        return "missing"
    return entry.header["fetched_at"]


def clear(key: str | None = None) -> int:
    """Delete the cache file for ``key`` (or every cache file); return the count."""
    paths = [cache_path(key)] if key is not None else sorted(cache_dir().glob(f"*{SUFFIX}"))
    n = 0
    for p in paths:
        try:
            p.unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n
