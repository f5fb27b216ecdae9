"""The declared-contract mechanism (defi_helpers._validate) and its helpers (issue 14)."""

from __future__ import annotations

import dataclasses
import inspect
from fractions import Fraction

import numpy as np
import pytest

from defi_helpers._validate import (
    MAX_ELEMENTS, Bool, Choice, Finite, Instance, Int, Opt, Real, Str, check_array, check_bool, check_choice,
    check_int, check_number, check_same_length, check_size, check_str, contract,
)

# --------------------------------------------------------------------------
# The helpers: booleans and strings are not numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("flag", [True, False, np.True_, np.False_])
def test_check_int_refuses_booleans(flag):
    """Regression (issue 14): check_int('loops', True) returned 1."""
    with pytest.raises(ValueError, match="loops must be a whole number"):
        check_int("loops", flag)


@pytest.mark.parametrize("bad", ["3", 3.5, float("nan"), float("inf"), None, [3], 1j])
def test_check_int_refuses_non_whole_numbers(bad):
    with pytest.raises(ValueError, match="^days must be a whole number"):
        check_int("days", bad, lo=0)


def test_check_int_accepts_whole_numbers_of_any_numeric_type():
    assert check_int("n", 3) == 3 and check_int("n", 3.0) == 3 and check_int("n", np.int64(3)) == 3
    assert check_int("n", np.float32(4.0)) == 4 and check_int("n", Fraction(6, 2)) == 3
    assert type(check_int("n", np.int64(3))) is int
    with pytest.raises(ValueError, match=r"n must be a whole number in \[0, 10\]; got 11"):
        check_int("n", 11, lo=0, hi=10)


@pytest.mark.parametrize("bad", [True, np.True_, "1.5", b"1", None, [True, False], np.array([1.0, "2"]),
                                 np.array([True]), {"a": 1}, 10**400, [1, [2, 3]]])
def test_check_array_refuses_non_numbers(bad):
    with pytest.raises(ValueError, match="^x must be"):
        check_array("x", bad)


def test_check_array_accepts_numbers_and_reports_nan_inf_and_range():
    np.testing.assert_array_equal(check_array("x", [1, 2.5, np.float32(3)]), [1.0, 2.5, 3.0])
    assert check_array("x", Fraction(1, 2)) == 0.5
    with pytest.raises(ValueError, match=r"x must be >= 0; got -1"):
        check_array("x", -1, lo=0)
    with pytest.raises(ValueError, match=r"NaN is not a value"):
        check_array("x", [1.0, float("nan")])
    with pytest.raises(ValueError, match=r"infinite"):
        check_array("x", float("inf"))
    assert check_array("x", float("inf"), allow_inf=True) == np.inf
    with pytest.raises(ValueError, match="must not be empty"):
        check_array("x", [])


def test_check_number_refuses_arrays_strings_and_bools():
    assert check_number("rate", 0.05, lo=0) == 0.05
    for bad in ([1.0, 2.0], "0.05", True, None):
        with pytest.raises(ValueError, match="^rate must be"):
            check_number("rate", bad)


def test_messages_stay_short_for_huge_values():
    with pytest.raises(ValueError) as info:
        check_number("name", "x" * 10_000)
    assert len(str(info.value)) < 200 and "10,002 characters" in str(info.value)


def test_check_bool_choice_str_same_length():
    assert check_bool("compound", np.True_) is True
    for bad in ("no", 1, 0, None, float("nan")):
        with pytest.raises(ValueError, match="compound must be True or False"):
            check_bool("compound", bad)
    assert check_choice("kind", "borrow", ("receipt", "borrow")) == "borrow"
    for bad in (True, np.array(["borrow"]), None, "Borrow"):
        with pytest.raises(ValueError, match="kind must be one of"):
            check_choice("kind", bad, ("receipt", "borrow"))
    with pytest.raises(ValueError, match="mode must be one of"):
        check_choice("mode", True, (1, 2))  # True == 1, but a flag is not a choice of number
    assert check_str("name", "aave") == "aave"
    for bad in ("", "   ", 3, None, "x" * 201):
        with pytest.raises(ValueError, match="^name must be"):
            check_str("name", bad)
    with pytest.raises(ValueError, match="a and b must have equal lengths; a has 2, b has 3"):
        check_same_length(a=[1, 2], b=[1, 2, 3])


def test_check_size_refuses_what_would_exhaust_memory():
    assert check_size(n_paths=1_000, n_steps=365) == 365_000
    with pytest.raises(ValueError, match=r"n_paths \* n_steps must be at most 50,000,000 elements"):
        check_size(n_paths=10**15, n_steps=365)
    with pytest.raises(ValueError, match="n_paths must be a whole number"):
        check_size(n_paths=True, n_steps=3)
    assert MAX_ELEMENTS == 50_000_000


# --------------------------------------------------------------------------
# @contract on functions
# --------------------------------------------------------------------------

_LTV_WHY = "at LTV 1 the loop never converges"


@contract(equity=Real(lo=0), ltv=Real(lo=0, hi=1, hi_open=True, why=_LTV_WHY), loops=Int(lo=0, hi=10_000))
def looped(equity, ltv, loops):
    """Supplied after ``loops`` rounds.

    Parameters
    ----------
    {domains}

    Notes
    -----
    ``ltv`` is {domain:ltv}; a dict in an example stays as it is: {"a": 1}.
    """
    powers = np.asarray(ltv)[..., None] ** np.arange(loops + 1)
    return equity * powers.sum(axis=-1)


def test_contract_converts_and_keeps_the_signature():
    assert looped(100, 0.5, 1) == 150.0
    assert isinstance(looped(100, 0.5, 1.0), float)
    np.testing.assert_allclose(looped([100, 200], 0.5, 1), [150.0, 300.0])
    assert list(inspect.signature(looped).parameters) == ["equity", "ltv", "loops"]
    assert looped.__name__ == "looped"


@pytest.mark.parametrize("name,value,match", [
    ("equity", -1, r"equity must be >= 0; got -1"),
    ("equity", "100", r"equity must be >= 0; got '100' \(not a number\)"),
    ("equity", True, r"equity must be >= 0; got True \(not a number\)"),
    ("equity", float("nan"), r"equity must be >= 0; got nan \(NaN is not a value\)"),
    ("ltv", 1.0, r"ltv must be in \[0, 1\); got 1.0 \(at LTV 1 the loop never converges\)"),
    ("ltv", None, r"ltv must be in \[0, 1\); got None"),
    ("loops", True, r"loops must be a whole number in \[0, 10000\]; got True"),
    ("loops", 10**12, r"loops must be a whole number in \[0, 10000\]"),
    ("loops", 2.5, r"loops must be a whole number"),
])
def test_contract_rejects_each_bad_value_naming_the_parameter(name, value, match):
    args = {"equity": 100.0, "ltv": 0.5, "loops": 3, name: value}
    with pytest.raises(ValueError, match=match):
        looped(**args)


def test_a_wrong_signature_is_still_a_type_error():
    with pytest.raises(TypeError):
        looped(100, 0.5)
    with pytest.raises(TypeError):
        looped(100, 0.5, 3, colour="red")


def test_contract_checks_shape_agreement_across_parameters():
    @contract(a=Real(), b=Real())
    def add(a, b):
        return a + b

    np.testing.assert_array_equal(add([1, 2], 1), [2.0, 3.0])
    with pytest.raises(ValueError, match=r"a and b must have matching lengths.*a has shape \(2,\), b has shape \(3,\)"):
        add([1, 2], [1, 2, 3])


def test_contract_turns_overflow_and_division_into_value_errors_naming_the_parameters():
    @contract(x=Real(lo=0), n=Real(lo=0))
    def power(x, n):
        return np.float64(x) ** n

    with pytest.raises(ValueError, match=r"overflows.*x=1e\+300 \(>= 0\); n=10 \(>= 0\)"):
        power(1e300, 10)

    @contract(x=Real(lo=0))
    def inverse(x):
        return 1 / x  # Python float: ZeroDivisionError

    with pytest.raises(ValueError, match=r"inverse.*x=0"):
        inverse(0)

    @contract(x=Real(lo=0))
    def inverse_np(x):
        return np.float64(1.0) / np.asarray(x)

    with pytest.raises(ValueError, match=r"x=0"):
        inverse_np(0.0)

    @contract(n=Int(lo=0))
    def allocate(n):
        raise MemoryError

    with pytest.raises(ValueError, match=r"more memory.*n=5"):
        allocate(5)


def test_underflow_to_zero_is_not_an_error():
    @contract(x=Real(lo=0))
    def square(x):
        return np.float64(x) ** 2

    assert square(1e-300) == 0.0


def test_contract_refuses_non_finite_results_unless_declared():
    @contract(collateral=Real(lo=0), debt=Real(lo=0))
    def hf(collateral, debt):
        return np.divide(collateral, debt, out=np.full(np.shape(debt), np.inf), where=np.asarray(debt) > 0)

    with pytest.raises(ValueError, match=r"result would be inf.*debt=0"):
        hf(100.0, 0.0)

    @contract(collateral=Real(lo=0), debt=Real(lo=0), returns=Finite(allow_inf=True))
    def hf_documented(collateral, debt):
        return np.divide(collateral, debt, out=np.full(np.shape(debt), np.inf), where=np.asarray(debt) > 0)

    assert hf_documented(100.0, 0.0) == np.inf

    @contract(debt=Real(lo=0), returns=Finite(allow_inf=True), fp={"divide": "ignore"})
    def hf_plain(debt):
        return np.float64(100.0) / debt

    assert hf_plain(0.0) == np.inf

    @contract(x=Real())
    def frame(x):
        import pandas as pd

        return {"table": pd.DataFrame({"y": [x, np.nan]}), "label": "ok"}

    with pytest.raises(ValueError, match="result would be nan"):
        frame(1.0)


def test_contract_size_caps_the_product_of_sizes():
    @contract(n_paths=Int(lo=1), n_steps=Int(lo=1), size=("n_paths", "n_steps"))
    def paths(n_paths, n_steps):
        return np.zeros((n_paths, n_steps)).sum()

    assert paths(10, 10) == 0.0
    with pytest.raises(ValueError, match=r"n_paths \* n_steps must be at most"):
        paths(10**8, 365)


def test_other_domains():
    @contract(kind=Choice("receipt", "borrow"), flag=Bool(), label=Str(), obj=Instance(dict),
              maybe=Opt(Real(lo=0)))
    def f(kind, flag, label, obj, maybe=None):
        return 1.0

    assert f("borrow", False, "a", {}) == 1.0 and f("borrow", np.False_, "a", {}, maybe=2) == 1.0
    for k, bad in (("kind", "loan"), ("flag", "no"), ("label", ""), ("obj", []), ("maybe", -1)):
        args = {"kind": "borrow", "flag": True, "label": "a", "obj": {}, "maybe": None, k: bad}
        with pytest.raises(ValueError, match=f"^{k} must be"):
            f(**args)


def test_declaring_an_unknown_parameter_or_a_non_domain_fails_at_import_time():
    with pytest.raises(TypeError, match="unknown parameter"):
        contract(y=Real())(lambda x: x)
    with pytest.raises(TypeError, match="must be declared with a Domain"):
        contract(x=(0, 1))


def test_the_docstring_is_generated_from_the_declaration():
    doc = looped.__doc__
    assert "    equity : float or array of float\n        >= 0." in doc
    assert "    ltv : float or array of float\n        In [0, 1)." in doc
    assert "    loops : int\n        A whole number in [0, 10000]." in doc
    assert "``ltv`` is in [0, 1);" in doc and '{"a": 1}' in doc and "{domains}" not in doc


def test_the_declaration_is_readable_by_the_fuzzer():
    c = looped.__contract__
    assert set(c.params) == {"equity", "ltv", "loops"}
    ltv = c.params["ltv"]
    assert ltv.accepts(0.0) and ltv.accepts(ltv.example()) and not ltv.accepts(1.0)
    assert not ltv.accepts(True) and not ltv.accepts("0.5") and not ltv.accepts(float("nan"))
    for dom in (Real(lo=0), Real(hi=-1), Real(lo=0, hi=1, lo_open=True), Int(lo=0, hi=10), Int(hi=-3),
                Bool(), Choice("a", "b"), Str(), Opt(Real())):
        assert dom.accepts(dom.example()), dom


def test_real_takes_a_declared_example():
    """``Real(example=...)``: a realistic valid value where the middle of the range is not one."""
    dom = Real(lo=0, hi=1e6, example=2_000.0)
    assert dom.example() == 2_000.0 and Real(lo=0, hi=1e6).example() == 5e5
    assert dom.describe() == "in [0, 1e+06]"  # the example is not part of the domain's text
    assert dataclasses.replace(dom, lo=1).example() == 2_000.0
    with pytest.raises(ValueError, match=r"example must be in \[0, 1\); got 1"):
        Real(lo=0, hi=1, hi_open=True, example=1.0)


# --------------------------------------------------------------------------
# @contract on classes: objects validate on construction
# --------------------------------------------------------------------------

@contract(fraction=Real(lo=0, hi=1, scalar=True), kind=Choice("receipt", "borrow"))
@dataclasses.dataclass(frozen=True)
class Edge:
    source: str
    fraction: float
    kind: str = "receipt"

    def __post_init__(self):
        if self.source == "self" and self.kind != "borrow":
            raise ValueError("source: only a borrow flow may loop")


@contract(min_profit=Real(lo=0, scalar=True))
@dataclasses.dataclass
class Guard:
    token: str
    min_profit: float = 0.0


def test_a_frozen_dataclass_validates_and_converts_on_construction():
    e = Edge("a", 1)
    assert e.fraction == 1.0 and isinstance(e.fraction, float)
    with pytest.raises(ValueError, match=r"fraction must be in \[0, 1\]; got nan"):
        Edge("a", float("nan"))
    with pytest.raises(ValueError, match="kind must be one of"):
        Edge("a", 0.5, kind="loan")
    with pytest.raises(ValueError, match="only a borrow flow"):
        Edge("self", 0.5)  # the class's own __post_init__ still runs
    assert Edge.__contract__.params["fraction"].describe() == "in [0, 1]"


def test_a_dataclass_without_post_init_validates_too():
    """Regression shape of issue 14's ProfitGuard(min_profit=nan)."""
    assert Guard("USDC", 5).min_profit == 5.0
    with pytest.raises(ValueError, match="min_profit must be >= 0; got nan"):
        Guard("USDC", min_profit=float("nan"))


def test_contract_on_a_plain_class_init():
    class Slider:
        @contract(step=Real(lo=0, lo_open=True, scalar=True))
        def __init__(self, step):
            self.step = step

    assert Slider(0.5).step == 0.5
    with pytest.raises(ValueError, match=r"step must be > 0"):
        Slider(0)
