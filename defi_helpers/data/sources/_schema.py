"""Validation of provider responses: every problem becomes a clear SchemaError.

A :class:`Check` is created per response with the source name and URL; its
methods pull fields out of the decoded JSON and raise
:class:`~._http.SchemaError` naming the source, the place in the response
and what was wrong (missing field, wrong type, empty list, NaN, a number out
of range, a string that is not a number).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ._http import SchemaError

__all__ = ["Check"]

# Plausibility window for timestamps: DeFi data starts after 2015 and a
# response may not claim a date far in the future.
_MIN_TS = datetime(2015, 1, 1, tzinfo=timezone.utc).timestamp()
_MAX_TS = datetime(2100, 1, 1, tzinfo=timezone.utc).timestamp()


@dataclass
class Check:
    """Field access with errors that name ``source`` and ``url``."""

    source: str
    url: str | None = None

    def fail(self, reason: str) -> SchemaError:
        return SchemaError(self.source, reason, self.url)

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(f"{where} should be a JSON object; got {type(value).__name__}")
        return value

    def rows(self, value: Any, where: str, *, allow_empty: bool = False) -> list:
        """A JSON array (of anything); an empty one is an error unless allowed."""
        if not isinstance(value, list):
            raise self.fail(f"{where} should be a JSON array; got {type(value).__name__}")
        if not value and not allow_empty:
            raise self.fail(f"{where} is an empty list: no data to use")
        return value

    def field(self, obj: Any, key: str, where: str) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(f"{where} should be a JSON object; got {type(obj).__name__}")
        if key not in obj:
            raise self.fail(f"{where} lacks the field {key!r} (schema changed?)")
        return obj[key]

    def number(self, value: Any, where: str, *, lo: float | None = None, hi: float | None = None,
               optional: bool = False) -> float:
        """A finite number; numeric strings (Binance, Bybit) are accepted.

        ``optional`` turns ``null`` into NaN instead of an error.
        """
        if value is None and optional:
            return math.nan
        if isinstance(value, bool) or value is None:
            raise self.fail(f"{where} should be a number; got {value!r}")
        if isinstance(value, str):
            try:
                x = float(value.strip())
            except ValueError:
                raise self.fail(f"{where} should be a number; got the string {value!r}") from None
        elif isinstance(value, (int, float)):
            x = float(value)
        else:
            raise self.fail(f"{where} should be a number; got {type(value).__name__}")
        if not math.isfinite(x):
            raise self.fail(f"{where} should be finite; got {value!r}")
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            raise self.fail(f"{where} = {x!r} is outside the plausible range [{lo}, {hi}]")
        return x

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where} should be a non-empty string; got {value!r}")
        return value

    def unix_time(self, value: Any, where: str, *, unit: str = "s") -> pd.Timestamp:
        """Seconds or milliseconds since the epoch (number or numeric string) -> naive UTC."""
        x = self.number(value, where)
        seconds = x / 1000.0 if unit == "ms" else x
        if not _MIN_TS <= seconds <= _MAX_TS:
            raise self.fail(f"{where} = {value!r} is not a plausible unix time in {unit}")
        return pd.Timestamp(seconds, unit="s")

    def iso_time(self, value: Any, where: str) -> pd.Timestamp:
        """An ISO 8601 string -> naive UTC timestamp."""
        text = self.text(value, where)
        try:
            t = pd.Timestamp(text)
        except (ValueError, TypeError):
            raise self.fail(f"{where} should be an ISO 8601 time; got {value!r}") from None
        if t.tzinfo is not None:
            t = t.tz_convert("UTC").tz_localize(None)
        return t
