"""Argument checks shared by every public function of :mod:`defi_helpers`.

One place, so that every model rejects bad input the same way: a
:class:`ValueError` that names the parameter, shows the value it got and
states the range it accepts. Models never return NaN or a silently wrong
number.

Design: one declared contract per public callable
--------------------------------------------------
A function's parameters and their domains are declared once, beside the
function, with :func:`contract`; the rule sits next to the name, not in an
``if`` ladder at the top of the body::

    @contract(equity=Real(lo=0), ltv=Real(lo=0, hi=1, hi_open=True, why=_LTV_WHY),
              loops=Int(lo=0, hi=10_000))
    def looped_deposits_after(equity, ltv, loops):
        ...

The decorator, on every call:

1. binds the arguments to the signature (a wrong *signature* -- a missing or
   unknown argument -- stays a :class:`TypeError`, as in plain Python);
2. checks and converts each declared parameter with its domain: a
   :class:`Real` becomes a ``float`` (scalar input) or a float ``ndarray``
   (array input), an :class:`Int` an ``int``, a :class:`Bool` a ``bool``.
   Booleans are not numbers and strings are not numbers; ``None`` is refused
   unless the domain is wrapped in :class:`Opt`;
3. checks that the array-valued :class:`Real` parameters broadcast against
   each other (the message names them and their shapes), and that the
   parameters listed in ``size=`` multiply to at most
   :data:`MAX_ELEMENTS` elements (:func:`check_size`), so a typo cannot
   exhaust memory;
4. runs the body under ``numpy.errstate(over, divide, invalid = "raise")``
   and turns ``FloatingPointError``, ``OverflowError``,
   ``ZeroDivisionError`` and ``MemoryError`` into a :class:`ValueError`
   that names every declared parameter with its value and valid range
   (underflow to zero is left alone: it is the right answer in float64);
5. checks that every number in the result (floats, arrays, tuples, dicts,
   dataclass fields, pandas objects) is finite, unless ``returns=``
   documents a non-finite value (``returns=Finite(allow_inf=True)`` for a
   health factor with no debt).

Pass ``fp={"divide": "ignore"}`` to let a body compute a documented
``x / 0 = inf`` itself. The same declaration is used three more times:

* **dataclasses**: ``@contract(fraction=Real(lo=0, hi=1))`` on a class wraps
  its ``__post_init__`` (frozen dataclasses included): the object validates
  on construction, and converted values are stored back. Plain classes put
  ``@contract`` on ``__init__`` (``self`` is never declared);
* **docstrings**: the token ``{domains}`` in a docstring is replaced by a
  numpydoc ``Parameters`` body generated from the declaration, and
  ``{domain:NAME}`` by one parameter's domain text (plain ``str.replace``,
  so other braces in examples are safe);
* **the API fuzzer** (``tests/test_api_fuzz.py``) reads
  ``callable.__contract__`` (a :class:`Contract`): ``Domain.example()``
  gives a valid value and ``Domain.accepts()`` decides whether a hostile
  value lies outside the declared domain.

The older helpers (:func:`check_number`, :func:`check_array`,
:func:`check_int`, :func:`check_bool`, :func:`check_choice`,
:func:`check_same_length`, :func:`as_output`) stay: the domains are built on
them, and code not yet converted keeps working.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from numbers import Integral
from numbers import Real as _RealABC

import numpy as np

__all__ = [
    "check_number", "check_array", "check_int", "check_bool", "check_choice", "check_same_length",
    "check_str", "check_size", "as_output",
    "Domain", "Real", "Int", "Bool", "Choice", "Str", "Instance", "Opt", "Finite", "Contract",
    "contract", "MAX_ELEMENTS",
]

#: Largest array (elements) a size check lets a function allocate: 5e7 float64 = 400 MB.
MAX_ELEMENTS = 50_000_000


# --------------------------------------------------------------------------
# The helpers (kept; every module uses them)
# --------------------------------------------------------------------------

def _g(x) -> str:
    return f"{x:g}" if isinstance(x, float) else f"{x}"


def _range_text(lo, hi, lo_open, hi_open) -> str:
    if lo is None and hi is None:
        return "a finite number"
    if hi is None:
        return f"{'>' if lo_open else '>='} {_g(lo)}"
    if lo is None:
        return f"{'<' if hi_open else '<='} {_g(hi)}"
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return f"in {left}{_g(lo)}, {_g(hi)}{right}"


def _shown(value) -> str:
    """``repr`` of a value, cut short so a 10,000-character string cannot flood a message."""
    try:
        text = repr(value if np.ndim(value) == 0 or isinstance(value, (str, bytes)) else np.asarray(value))
    except Exception:  # noqa: BLE001 - any object must be showable
        text = object.__repr__(value)
    return text if len(text) <= 80 else text[:60] + f"... ({len(text):,} characters)"


def _bad(name: str, value, lo, hi, lo_open, hi_open, why: str = "") -> ValueError:
    extra = f" ({why})" if why else ""
    return ValueError(f"{name} must be {_range_text(lo, hi, lo_open, hi_open)}; got {_shown(value)}{extra}")


def _numeric_array(name, value, lo, hi, lo_open, hi_open) -> np.ndarray:
    """``value`` as a float array, refusing booleans, strings, None and other non-numbers."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise _bad(name, value, lo, hi, lo_open, hi_open, "not a number")
    try:
        raw = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged lists and odd objects
        raise _bad(name, value, lo, hi, lo_open, hi_open, "not a number") from None
    kind = raw.dtype.kind
    if kind == "O":
        flat = raw.ravel()
        if not all(isinstance(v, _RealABC) and not isinstance(v, (bool, np.bool_)) for v in flat):
            raise _bad(name, value, lo, hi, lo_open, hi_open, "not a number")
    elif kind not in "iuf":
        raise _bad(name, value, lo, hi, lo_open, hi_open, "not a number")
    try:
        return np.asarray(raw, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise _bad(name, value, lo, hi, lo_open, hi_open, "not a float64 number") from None


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

    Booleans (``True``, ``numpy.bool_``, boolean arrays), strings (even
    ``"1.5"``), ``None`` and integers too large for a float are not numbers.

    Raises
    ------
    ValueError
        If any element is NaN, infinite (unless ``allow_inf``), not numeric,
        or outside the range given by ``lo``/``hi`` (closed unless
        ``lo_open``/``hi_open``). The message names ``name``, the offending
        value and the valid range; ``why`` adds a reason in the reader's terms.
    """
    arr = _numeric_array(name, value, lo, hi, lo_open, hi_open)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got {_shown(value)}")
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
    if not isinstance(value, (str, bytes)) and np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number; got {_shown(value)}")
    return float(check_array(name, value, **bounds))


def check_int(name: str, value, *, lo: int | None = None, hi: int | None = None) -> int:
    """Check a whole number (e.g. a count of loops or days) and return it as ``int``.

    ``True``/``False`` are refused (a flag is not a count), as are strings,
    NaN, infinities and floats with a fractional part; ``3.0`` is accepted.
    """
    def bad():
        return ValueError(f"{name} must be a whole number {_range_text(lo, hi, False, False)}; "
                          f"got {_shown(value)}")

    if isinstance(value, (bool, np.bool_)):
        raise bad()
    if isinstance(value, (Integral, np.integer)):
        out = int(value)
    elif isinstance(value, (_RealABC, np.floating)) and math.isfinite(value) and float(value).is_integer():
        out = int(value)
    else:
        raise bad()
    if (lo is not None and out < lo) or (hi is not None and out > hi):
        raise bad()
    return out


def check_bool(name: str, value) -> bool:
    """Check a flag (``True``/``False``, numpy bools included) and return it as ``bool``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {_shown(value)}")
    return bool(value)


def check_choice(name: str, value, choices):
    """Check that ``value`` is one of ``choices`` and return it."""
    choices = tuple(choices)
    try:
        ok = isinstance(value, (str, bytes)) or np.ndim(value) == 0
        ok = ok and any(value is c or (isinstance(value, (bool, np.bool_)) == isinstance(c, (bool, np.bool_))
                                and bool(value == c)) for c in choices)
    except Exception:  # noqa: BLE001 - e.g. an array compared with a string
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {choices}; got {_shown(value)}")
    return value


def check_str(name: str, value, *, nonempty: bool = True, max_len: int = 200,
              identifier: bool = False) -> str:
    """Check a text label (a name, a title) and return it."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string; got {_shown(value)}")
    if nonempty and not value.strip():
        raise ValueError(f"{name} must be a non-empty string; got {value!r}")
    if len(value) > max_len:
        raise ValueError(f"{name} must be at most {max_len} characters; got {_shown(value)}")
    if identifier and not value.isidentifier():
        raise ValueError(f"{name} must be a Python identifier; got {_shown(value)}")
    return value


def check_same_length(**arrays) -> None:
    """Raise if the 1-D sequences given by keyword differ in length."""
    lengths = {k: np.size(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have equal lengths; {described}")


def check_size(limit: int = MAX_ELEMENTS, **sizes) -> int:
    """Refuse sizes whose product (elements to allocate) exceeds ``limit``.

    ``check_size(n_paths=n_paths, n_steps=n_steps)`` returns the product;
    the message names every size, so the reader knows which to reduce.
    """
    total = 1
    for k, v in sizes.items():
        total *= check_int(k, v, lo=0)
    if total > limit:
        described = " * ".join(f"{k}={v:,}" for k, v in sizes.items())
        raise ValueError(
            f"{' * '.join(sizes)} must be at most {limit:,} elements (about {limit * 8 / 1e6:,.0f} MB of "
            f"float64); got {described} = {total:,}"
        )
    return total


def as_output(arr: np.ndarray, like):
    """Return a Python float when the input was a scalar, else the array."""
    return float(arr) if np.ndim(like) == 0 else arr


# --------------------------------------------------------------------------
# Domains: the declarations
# --------------------------------------------------------------------------

class Domain:
    """A parameter's domain: checks and converts a value, describes itself.

    Subclasses implement :meth:`check` (return the converted value or raise
    a ``ValueError`` naming ``name``), :meth:`describe` (the text for the
    docstring and for error messages) and :meth:`example` (one valid value,
    used by the fuzzer when a function has no doctest).
    """

    type_text = "object"

    def check(self, name: str, value):  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def example(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def accepts(self, value) -> bool:
        """Whether ``value`` lies in the domain (never raises)."""
        try:
            self.check("value", value)
        except ValueError:
            return False
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


@dataclasses.dataclass(frozen=True, repr=False, init=False)
class Real(Domain):
    """A finite real number, or an array of them (``scalar=False``, the default).

    ``lo``/``hi`` bound it (closed unless ``lo_open``/``hi_open``);
    ``allow_inf`` admits infinities; ``why`` says in the reader's terms why a
    bound exists. Converted to ``float`` for scalar input, a float
    ``ndarray`` otherwise.

    ``example`` sets the valid value :meth:`example` returns (the fuzzer's
    baseline) where the middle of the range is not a realistic call, e.g.
    when two parameters constrain each other (a trade that must fit its
    pool); it must lie in the domain.
    """

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    allow_inf: bool = False
    scalar: bool = False
    why: str = ""
    example_value: float | None = None

    # Written by hand so that the keyword is ``example=``: a field cannot share the name of the
    # method :meth:`example`. ``example_value=`` is what dataclasses.replace passes.
    def __init__(self, lo=None, hi=None, lo_open=False, hi_open=False, allow_inf=False, scalar=False,
                 why="", example=None, *, example_value=None):
        values = dict(lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open, allow_inf=allow_inf, scalar=scalar,
                      why=why, example_value=example if example is not None else example_value)
        for k, v in values.items():
            object.__setattr__(self, k, v)
        if self.example_value is not None:
            self.check("example", self.example_value)

    @property
    def type_text(self) -> str:
        return "float" if self.scalar else "float or array of float"

    def check(self, name, value):
        if self.scalar:
            return check_number(name, value, lo=self.lo, hi=self.hi, lo_open=self.lo_open,
                                hi_open=self.hi_open, allow_inf=self.allow_inf, why=self.why)
        arr = check_array(name, value, lo=self.lo, hi=self.hi, lo_open=self.lo_open, hi_open=self.hi_open,
                          allow_inf=self.allow_inf, why=self.why)
        return float(arr) if arr.ndim == 0 else arr

    def describe(self):
        text = _range_text(self.lo, self.hi, self.lo_open, self.hi_open)
        if self.allow_inf:
            text += ", inf allowed"
        return text

    def example(self):
        if self.example_value is not None:
            return self.example_value
        lo, hi = self.lo, self.hi
        if lo is None and hi is None:
            return 1.0
        if hi is None:
            return float(lo) + 1.0 if lo <= 0 else float(lo) * 2.0
        if lo is None:
            return float(hi) - 1.0 if hi >= 0 else float(hi) * 2.0
        return (float(lo) + float(hi)) / 2.0


@dataclasses.dataclass(frozen=True, repr=False)
class Int(Domain):
    """A whole number (not a bool) in ``[lo, hi]``; give counts and sizes a ``hi`` cap."""

    lo: int | None = None
    hi: int | None = None
    why: str = ""
    type_text = "int"

    def check(self, name, value):
        return check_int(name, value, lo=self.lo, hi=self.hi)

    def describe(self):
        return "a whole number " + _range_text(self.lo, self.hi, False, False)

    def example(self):
        if self.lo is None:
            return 1 if self.hi is None or self.hi >= 1 else self.hi
        return self.lo + 1 if self.hi is None or self.lo + 1 <= self.hi else self.lo


@dataclasses.dataclass(frozen=True, repr=False)
class Bool(Domain):
    """``True`` or ``False`` (numpy bools included); ``1``, ``"no"`` and ``None`` are refused."""

    type_text = "bool"

    def check(self, name, value):
        return check_bool(name, value)

    def describe(self):
        return "True or False"

    def example(self):
        return False


class Choice(Domain):
    """One of a fixed set of values (compared by type and equality)."""

    type_text = "str"

    def __init__(self, *choices):
        if len(choices) == 1 and not isinstance(choices[0], str):
            choices = tuple(choices[0])
        self.choices = tuple(choices)

    def check(self, name, value):
        return check_choice(name, value, self.choices)

    def describe(self):
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def example(self):
        return self.choices[0]


@dataclasses.dataclass(frozen=True, repr=False)
class Str(Domain):
    """A text label: non-empty (unless ``nonempty=False``), at most ``max_len`` characters."""

    nonempty: bool = True
    max_len: int = 200
    identifier: bool = False
    type_text = "str"

    def check(self, name, value):
        return check_str(name, value, nonempty=self.nonempty, max_len=self.max_len, identifier=self.identifier)

    def describe(self):
        what = "a Python identifier" if self.identifier else ("a non-empty string" if self.nonempty else "a string")
        return f"{what} of at most {self.max_len} characters"

    def example(self):
        return "x"


class Instance(Domain):
    """An instance of a class (or of one of a tuple of classes); ``example`` is optional."""

    def __init__(self, cls, example=None, text: str | None = None):
        self.cls = cls if isinstance(cls, tuple) else (cls,)
        self._example = example
        self.type_text = text or " or ".join(c.__name__ for c in self.cls)

    def check(self, name, value):
        if not isinstance(value, self.cls) or isinstance(value, bool) and bool not in self.cls:
            raise ValueError(f"{name} must be {self.describe()}; got {_shown(value)}")
        return value

    def describe(self):
        return "a " + self.type_text

    def example(self):
        return self._example() if callable(self._example) else self._example


class Opt(Domain):
    """``None`` or a value of ``domain`` (a parameter whose default is ``None``)."""

    def __init__(self, domain: Domain):
        self.domain = domain
        self.type_text = f"{domain.type_text} or None"

    def check(self, name, value):
        return None if value is None else self.domain.check(name, value)

    def describe(self):
        return f"None or {self.domain.describe()}"

    def example(self):
        return None


@dataclasses.dataclass(frozen=True)
class Finite:
    """What a result may hold: finite numbers, unless ``allow_inf``/``allow_nan`` is documented."""

    allow_inf: bool = False
    allow_nan: bool = False


@dataclasses.dataclass(frozen=True)
class Contract:
    """A callable's declaration, as :func:`contract` stores it in ``__contract__``."""

    params: dict
    returns: Finite | None = Finite()
    size: tuple = ()
    fp: dict = dataclasses.field(default_factory=dict)

    def domains_doc(self, indent: str = "") -> str:
        """A numpydoc ``Parameters`` body: ``name : type`` then the domain, indented."""
        lines = []
        for name, dom in self.params.items():
            lines.append(f"{indent}{name} : {dom.type_text}")
            lines.append(f"{indent}    {dom.describe()[0].upper()}{dom.describe()[1:]}.")
        return "\n".join(lines)

    def where(self, arguments: dict) -> str:
        """``name=value (domain)`` for every declared parameter, for error messages."""
        return "; ".join(f"{k}={_shown(arguments.get(k))} ({d.describe()})" for k, d in self.params.items())


# --------------------------------------------------------------------------
# The decorator
# --------------------------------------------------------------------------

_FP_DEFAULT = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}
_ARITH_ERRORS = (FloatingPointError, OverflowError, ZeroDivisionError, MemoryError)


def _non_finite(obj, allow_inf: bool, allow_nan: bool, depth: int = 0) -> str | None:
    """The kind of the first non-finite number in ``obj`` ("nan"/"inf"), or None."""
    if depth > 4 or obj is None or isinstance(obj, (str, bytes, bool, np.bool_)):
        return None
    if isinstance(obj, (float, np.floating, complex)):
        if math.isnan(obj.real if isinstance(obj, complex) else obj):
            return None if allow_nan else "nan"
        if math.isinf(obj.real if isinstance(obj, complex) else obj):
            return None if allow_inf else "inf"
        return None
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind != "f" or obj.size == 0:
            return None
        if not allow_nan and np.isnan(obj).any():
            return "nan"
        if not allow_inf and np.isinf(obj).any():
            return "inf"
        return None
    if isinstance(obj, (list, tuple)):
        for v in obj[:10_000]:
            bad = _non_finite(v, allow_inf, allow_nan, depth + 1)
            if bad:
                return bad
        return None
    if isinstance(obj, dict):
        return _non_finite(list(obj.values()), allow_inf, allow_nan, depth)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _non_finite([getattr(obj, f.name, None) for f in dataclasses.fields(obj)],
                           allow_inf, allow_nan, depth)
    module = type(obj).__module__ or ""
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(obj, pd.DataFrame):
            return _non_finite([obj[c].to_numpy() for c in obj.columns
                                if pd.api.types.is_float_dtype(obj[c])], allow_inf, allow_nan, depth)
        if isinstance(obj, pd.Series) and pd.api.types.is_float_dtype(obj):
            return _non_finite(obj.to_numpy(), allow_inf, allow_nan, depth)
    return None


def _fill_doc(doc: str | None, c: Contract) -> str | None:
    if not doc:
        return doc
    if "{domains}" in doc:
        line = next((ln for ln in doc.splitlines() if "{domains}" in ln), "")
        indent = line[: len(line) - len(line.lstrip())]
        doc = doc.replace(indent + "{domains}", c.domains_doc(indent)).replace("{domains}", c.domains_doc())
    for name, dom in c.params.items():
        doc = doc.replace("{domain:" + name + "}", dom.describe())
    return doc


def _scalars_as_floats(result):
    """Numbers in, numbers out: numpy scalars (and tuples of them) become Python floats."""
    if isinstance(result, tuple) and not hasattr(result, "_fields"):
        return tuple(_scalars_as_floats(r) for r in result)
    if isinstance(result, np.ndarray) and result.ndim == 0 and result.dtype.kind == "f":
        return float(result)
    if isinstance(result, np.floating):
        return float(result)
    return result


def _contract_function(func, c: Contract):
    sig = inspect.signature(func)
    unknown = [k for k in c.params if k not in sig.parameters]
    if unknown:
        raise TypeError(f"contract of {func.__qualname__} declares unknown parameter(s) {unknown}")
    arrays = [k for k, d in c.params.items() if isinstance(d, Real) and not d.scalar]
    fp = {**_FP_DEFAULT, **c.fp}
    qual = func.__qualname__

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        raw = dict(given)
        for name, dom in c.params.items():
            given[name] = dom.check(name, given[name])
        if len(arrays) > 1:
            shaped = {k: np.shape(given[k]) for k in arrays if np.ndim(given[k]) > 0}
            if len(shaped) > 1:
                try:
                    np.broadcast_shapes(*shaped.values())
                except ValueError:
                    described = ", ".join(f"{k} has shape {s}" for k, s in shaped.items())
                    raise ValueError(f"{' and '.join(shaped)} must have matching lengths (or be single "
                                     f"numbers); {described}") from None
        if c.size:
            check_size(**{k: given[k] for k in c.size})
        try:
            with np.errstate(**fp):
                result = func(*bound.args, **bound.kwargs)
        except _ARITH_ERRORS as exc:
            what = "needs more memory than the machine has" if isinstance(exc, MemoryError) else \
                f"overflows or is undefined in float64 ({type(exc).__name__}: {exc})"
            raise ValueError(f"{qual}: the computation {what} at {c.where(raw)}; "
                             f"use values nearer the documented ranges") from None
        if c.returns is not None:
            bad = _non_finite(result, c.returns.allow_inf, c.returns.allow_nan)
            if bad:
                raise ValueError(f"{qual}: the result would be {bad} (not a finite number) at "
                                 f"{c.where(raw)}; use values nearer the documented ranges")
        if arrays and all(np.ndim(given[k]) == 0 for k in arrays):
            result = _scalars_as_floats(result)
        return result

    wrapper.__contract__ = c
    wrapper.__doc__ = _fill_doc(func.__doc__, c)
    return wrapper


def _contract_class(cls, c: Contract):
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"@contract on a class needs a dataclass; put it on {cls.__name__}.__init__ instead")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = [k for k in c.params if k not in names]
    if unknown:
        raise TypeError(f"contract of {cls.__qualname__} declares unknown field(s) {unknown}")
    original = cls.__dict__.get("__post_init__")
    inherited = None if original else getattr(cls, "__post_init__", None)

    def __post_init__(self, *initvars):
        for name, dom in c.params.items():
            object.__setattr__(self, name, dom.check(name, getattr(self, name)))
        if original is not None:
            original(self, *initvars)
        elif inherited is not None:
            inherited(self, *initvars)

    cls.__post_init__ = __post_init__
    cls.__contract__ = c
    cls.__doc__ = _fill_doc(cls.__doc__, c)
    # dataclass() generated __init__ before this decorator ran; it calls
    # self.__post_init__ only if one existed then. Re-make it if needed.
    if original is None and inherited is None:
        init = cls.__init__

        @functools.wraps(init)
        def __init__(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.__post_init__()

        cls.__init__ = __init__
    return cls


def contract(*, returns: Finite | None = Finite(), size: tuple = (), fp: dict | None = None, **params):
    """Declare the domains of a function's parameters (or a dataclass's fields).

    Parameters
    ----------
    returns : Finite or None
        What the result may hold; ``None`` skips the check (for results that
        are not numbers: charts, explorers).
    size : tuple of str
        Integer parameters whose product is the number of elements the call
        allocates; refused above :data:`MAX_ELEMENTS` (:func:`check_size`).
    fp : dict, optional
        Overrides of ``numpy.errstate`` for the body, e.g.
        ``{"divide": "ignore"}`` when a documented ``x / 0 = inf`` is wanted.
    **params : Domain
        One domain per declared parameter.

    Examples
    --------
    >>> @contract(equity=Real(lo=0), ltv=Real(lo=0, hi=1, hi_open=True))
    ... def supplied(equity, ltv):
    ...     return equity / (1 - ltv)
    >>> supplied(100, 0.8)
    500.0000000000001
    >>> supplied(100, True)
    Traceback (most recent call last):
    ...
    ValueError: ltv must be in [0, 1); got True (not a number)
    """
    for k, d in params.items():
        if not isinstance(d, Domain):
            raise TypeError(f"contract: {k} must be declared with a Domain (Real, Int, ...); got {d!r}")
    c = Contract(params=dict(params), returns=returns, size=tuple(size), fp=dict(fp or {}))

    def decorate(target):
        if isinstance(target, type):
            return _contract_class(target, c)
        return _contract_function(target, c)

    return decorate
