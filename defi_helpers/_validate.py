"""Argument checks shared by every public function of :mod:`defi_helpers`.

One place, so that every model rejects bad input the same way: a
:class:`ValueError` that names the parameter, shows the value it got and
states the range it accepts. Models never return NaN or a silently wrong
number.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["check_number", "check_array", "check_int", "check_bool", "check_choice", "check_same_length", "as_output"]


def _range_text(lo, hi, lo_open, hi_open) -> str:
    if lo is None and hi is None:
        return "a finite number"
    if hi is None:
        return f"{'>' if lo_open else '>='} {lo:g}"
    if lo is None:
        return f"{'<' if hi_open else '<='} {hi:g}"
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return f"in {left}{lo:g}, {hi:g}{right}"


def _bad(name: str, value, lo, hi, lo_open, hi_open, why: str = "") -> ValueError:
    shown = value if np.ndim(value) == 0 else np.asarray(value)
    extra = f" ({why})" if why else ""
    return ValueError(
        f"{name} must be {_range_text(lo, hi, lo_open, hi_open)}; got {shown!r}{extra}"
    )


def check_array(
    name: str,
    value,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    allow_inf: bool = False,
    why: str = "",
) -> np.ndarray:
    """Return ``value`` as a float array after checking every element.

    Raises
    ------
    ValueError
        If any element is NaN, infinite (unless ``allow_inf``), not numeric,
        or outside the range given by ``lo``/``hi`` (closed unless
        ``lo_open``/``hi_open``). The message names ``name``, the offending
        value and the valid range; ``why`` adds a reason in the reader's terms.
    """
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, bool):
        raise _bad(name, value, lo, hi, lo_open, hi_open, "not a number")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _bad(name, value, lo, hi, lo_open, hi_open, "not a number") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got {value!r}")
    if np.isnan(arr).any():
        raise _bad(name, value, lo, hi, lo_open, hi_open, "NaN is not a value")
    if not allow_inf and np.isinf(arr).any():
        raise _bad(name, value, lo, hi, lo_open, hi_open, "infinite")
    if lo is not None and (np.any(arr <= lo) if lo_open else np.any(arr < lo)):
        raise _bad(name, value, lo, hi, lo_open, hi_open, why)
    if hi is not None and (np.any(arr >= hi) if hi_open else np.any(arr > hi)):
        raise _bad(name, value, lo, hi, lo_open, hi_open, why)
    return arr


def check_number(name: str, value, **bounds) -> float:
    """Check one scalar like :func:`check_array` and return it as ``float``."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number; got {value!r}")
    return float(check_array(name, value, **bounds))


def check_int(name: str, value, *, lo: int | None = None, hi: int | None = None) -> int:
    """Check a whole number (e.g. a count of loops or days) and return it."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        if isinstance(value, Real) and not math.isnan(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be a whole number {_range_text(lo, hi, False, False)}; got {value!r}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be a whole number {_range_text(lo, hi, False, False)}; got {value!r}")
    return value


def check_bool(name: str, value) -> bool:
    """Check a flag (``True``/``False``, numpy bools included) and return it as ``bool``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_choice(name: str, value, choices):
    """Check that ``value`` is one of ``choices`` and return it."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}")
    return value


def check_same_length(**arrays) -> None:
    """Raise if the 1-D sequences given by keyword differ in length."""
    lengths = {k: np.size(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have equal lengths; {described}")


def as_output(arr: np.ndarray, like):
    """Return a Python float when the input was a scalar, else the array."""
    return float(arr) if np.ndim(like) == 0 else arr
