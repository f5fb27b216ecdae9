"""Domains shared by the explorer modules' table functions (issue 14).

A table function's x grid (prices, loops, days, ...) is a :class:`Grid`: a
non-empty 1-D sequence of numbers, each in a declared range, with a length
cap so that a typo cannot build a huge table. A dictionary of labelled
scenarios ``{label: (rate_a, rate_b)}`` is a :class:`Scenarios`.
"""

from __future__ import annotations

import numpy as np

from .._validate import Domain, Real, _shown

#: Longest grid a table function accepts (its chart needs far fewer points).
MAX_GRID_POINTS = 10_000
#: Most scenarios one chart shows.
MAX_SCENARIOS = 20


class Grid(Domain):
    """A 1-D grid of 1 to ``max_points`` numbers, each in the range of ``Real(**bounds)``.

    ``whole=True`` also requires whole numbers (loops, blocks). An integer
    grid keeps its integer dtype, so the table's column is unchanged.
    """

    type_text = "sequence of float"

    def __init__(self, *, whole: bool = False, max_points: int = MAX_GRID_POINTS, **bounds):
        self.real = Real(**bounds)
        self.whole = whole
        self.max_points = max_points

    def check(self, name, value):
        arr = np.atleast_1d(self.real.check(name, value))
        if arr.ndim != 1 or arr.size > self.max_points:
            raise ValueError(f"{name} must be {self.describe()}; got shape {arr.shape}")
        if self.whole and np.any(arr != np.floor(arr)):
            raise ValueError(f"{name} must be {self.describe()}; got {_shown(value)}")
        raw = np.asarray(value)
        return raw.astype(np.int64) if raw.dtype.kind in "iu" and raw.ndim == 1 else arr

    def describe(self):
        each = ("a whole number " if self.whole else "") + self.real.describe()
        return f"a 1-D sequence of 1 to {self.max_points:,} numbers, each {each}"

    def example(self):
        return [self.real.example()]


class Scenarios(Domain):
    """``{label: (a, b)}``: 1 to :data:`MAX_SCENARIOS` string labels, each with two rates in ``rate``."""

    type_text = "dict of str to (float, float)"

    def __init__(self, rate: Real, what: str, example: dict):
        self.rate = rate
        self.what = what
        self._example = example

    def check(self, name, value):
        if not isinstance(value, dict) or not 1 <= len(value) <= MAX_SCENARIOS:
            raise ValueError(f"{name} must be {self.describe()}; got {_shown(value)}")
        out = {}
        for label, pair in value.items():
            if not isinstance(label, str) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"{name} must be {self.describe()}; got {_shown(label)}: {_shown(pair)}")
            out[label] = tuple(self.rate.check(f"{name}[{label!r}]", v) for v in pair)
        return out

    def describe(self):
        return (f"a dict of 1 to {MAX_SCENARIOS} labels (str) to pairs {self.what}, "
                f"each {self.rate.describe()}")

    def example(self):
        return dict(self._example)
