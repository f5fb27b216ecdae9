"""Self-checks: right answers pass, common slips get specific feedback."""

import importlib
import pkgutil

import pytest

import defi_helpers.exercises as ex
from defi_helpers.exercises import check

CHAPTERS = [m.name for m in pkgutil.iter_modules(ex.__path__)]
ALL = [(c, k) for c in CHAPTERS for k in importlib.import_module(f"defi_helpers.exercises.{c}").ANSWERS]


@pytest.mark.parametrize("chapter, number", ALL)
def test_right_answer_passes_and_wrong_fails(chapter, number):
    expected = importlib.import_module(f"defi_helpers.exercises.{chapter}").ANSWERS[number]
    assert check(f"{chapter}.{number}", expected.value)
    wrong = expected.value * 1.37 + 1
    assert not check(f"{chapter}.{number}", wrong)
    for slip, why in expected.mistakes:
        fb = check(f"{chapter}.{number}", slip)
        assert not fb and why in fb.message, (chapter, number, slip)


def test_each_chapter_has_enough_exercises():
    for c in CHAPTERS:
        assert len(importlib.import_module(f"defi_helpers.exercises.{c}").ANSWERS) >= 4, c


def test_feedback_is_helpful():
    assert "percentage" in check("collateral.4", 28.6425).message
    assert "too high" in check("collateral.2", 2_000).message
    assert "LTV" in check("collateral.1", 1.25).message
    assert "No answer yet" in check("collateral.1", None).message
    with pytest.raises(ValueError, match="exercise_id"):
        check("nochapter", 1)
    with pytest.raises(ValueError, match="unknown chapter"):
        check("nochapter.1", 1)
    with pytest.raises(ValueError, match="answer"):
        check("collateral.1", "abc")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), True, False, "1.5", [1.0, 2.0]])
def test_answers_that_are_not_finite_numbers_are_refused_clearly(bad):
    with pytest.raises(ValueError, match=r"answer must be a finite number such as 1\.23"):
        check("collateral.1", bad)


@pytest.mark.parametrize("bad", [42, None, True, "", "collateral", "collateral.99", "nochapter.1", "../tvl.1"])
def test_unknown_exercise_ids_list_the_valid_ones(bad):
    """Issue 14: check(42, ...) was an AttributeError; an unknown id now lists the valid ids."""
    with pytest.raises(ValueError, match="exercise_id") as info:
        check(bad, 1.0)
    if isinstance(bad, str) and bad:
        assert "collateral.1" in str(info.value)
    if bad == "collateral.99":   # only the chapter's own ids, in their natural order
        assert "collateral.1, collateral.2, collateral.3" in str(info.value) and "tvl.1" not in str(info.value)


def test_expected_and_feedback_validate_on_construction():
    for kw in ({"value": float("nan")}, {"value": True}, {"rel_tol": -0.1}, {"abs_tol": float("inf")},
               {"hint": None}, {"mistakes": "x"}, {"mistakes": ((1.0,),)}, {"mistakes": ((float("nan"), "why"),)}):
        with pytest.raises(ValueError, match=next(iter(kw))):
            ex.Expected(**{"value": 1.0, **kw})
    assert ex.Expected(9.0, mistakes=[(9, "why")]).mistakes == ((9.0, "why"),)
    with pytest.raises(ValueError, match="correct"):
        ex.Feedback("tvl.1", 1, "Correct.")
