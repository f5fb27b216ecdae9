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
