"""Self-checks for the exercises: ``check("collateral.2", my_answer)``.

Each chapter has a module here (``exercises/collateral.py`` ...) with a dict
``ANSWERS`` mapping the exercise number (a string) to an :class:`Expected`.
Expected values are computed from the models, never typed in, so the
self-check and the chapter can't disagree.

Feedback is meant to teach, not only to grade: it recognises the common
slips listed in ``Expected.mistakes``, a percentage typed where a fraction
was expected (or the reverse), a wrong sign, and says whether the answer is
too high or too low and by how much, followed by the exercise's hint.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass

from .._validate import Bool, Domain, Real, Str, _shown, check_number, check_str, contract
from ..i18n import tr

__all__ = ["Expected", "Feedback", "check"]

#: Most common slips one exercise lists.
MAX_MISTAKES = 20


class _Mistakes(Domain):
    """``((value, why), ...)``: up to :data:`MAX_MISTAKES` pairs of a finite number and a short text."""

    type_text = "tuple of (float, str)"

    def check(self, name, value):
        if not isinstance(value, (tuple, list)) or len(value) > MAX_MISTAKES:
            raise ValueError(f"{name} must be {self.describe()}; got {_shown(value)}")
        out = []
        for i, pair in enumerate(value):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"{name}[{i}] must be a pair (value, why); got {_shown(pair)}")
            out.append((check_number(f"{name}[{i}] value", pair[0]),
                        check_str(f"{name}[{i}] why", pair[1], max_len=1_000)))
        return tuple(out)

    def describe(self):
        return (f"a tuple of at most {MAX_MISTAKES} pairs (value, why): a finite number a common slip "
                "produces and a non-empty text of at most 1000 characters saying what the slip was")

    def example(self):
        return ()


class _ExerciseId(Domain):
    """An exercise id ``"chapter.number"`` that exists (the message lists the valid ids)."""

    type_text = "str"

    def check(self, name, value):
        check_str(name, value, max_len=100)
        _lookup(value, name)
        return value

    def describe(self):
        return "an exercise id \"chapter.number\" of this handbook, e.g. 'collateral.1'"

    def example(self):
        return "collateral.1"


class _Answer(Domain):
    """A learner's answer: a finite number, or ``None`` (the notebooks' placeholder)."""

    type_text = "float or None"

    def check(self, name, value):
        if value is None:
            return None
        try:
            return check_number(name, value)
        except ValueError:
            raise ValueError(tr("{name} must be a finite number such as 1.23 (not text, True or False, NaN "
                                "or infinity); got {got}.").format(name=name, got=_shown(value))) from None

    def describe(self):
        return "None (no answer yet) or a finite number"

    def example(self):
        return 1.0


@contract(value=Real(scalar=True, why="the exercise's answer"), unit=Str(nonempty=False, max_len=100),
          rel_tol=Real(lo=0, hi=1, scalar=True, why="a relative tolerance: 0.005 is 0.5 %"),
          abs_tol=Real(lo=0, scalar=True, why="an absolute tolerance"),
          hint=Str(nonempty=False, max_len=1_000), mistakes=_Mistakes())
@dataclass(frozen=True)
class Expected:
    """The right answer to one exercise, and how to help a wrong one.

    Parameters
    ----------
    {domains}
    """

    value: float
    unit: str = ""
    rel_tol: float = 0.005
    """Relative tolerance: 0.5 % by default, generous for hand-rounded answers."""
    abs_tol: float = 1e-9
    hint: str = ""
    mistakes: tuple[tuple[float, str], ...] = ()
    """(value a common slip produces, what the slip was)."""


@contract(exercise=Str(max_len=100), correct=Bool(), message=Str(max_len=5_000))
@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: truthy when right; displays itself in a notebook.

    Parameters
    ----------
    {domains}
    """

    exercise: str
    correct: bool
    message: str

    def __str__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.correct else "❌"
        label = tr("Exercise {exercise}.").format(exercise=self.exercise)
        return f"{mark} **{label}** {self.message}"

    def __bool__(self) -> bool:
        return self.correct


def _close(a: float, b: float, e: Expected) -> bool:
    return math.isclose(a, b, rel_tol=e.rel_tol, abs_tol=e.abs_tol)


def _chapters() -> list[str]:
    """The chapters that have exercises (one module each in this package)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def _numbered(answers) -> list[str]:
    return sorted(answers, key=lambda k: (int(k) if k.isdigit() else math.inf, k))


def _ids(chapter: str) -> list[str]:
    return [f"{chapter}.{k}" for k in _numbered(importlib.import_module(f"{__name__}.{chapter}").ANSWERS)]


def _lookup(exercise_id: str, name: str = "exercise_id") -> Expected:
    """The :class:`Expected` of ``exercise_id``; an unknown id is a ValueError listing the valid ones."""
    chapter, _, number = exercise_id.partition(".")
    if chapter in _chapters():
        answers = importlib.import_module(f"{__name__}.{chapter}").ANSWERS
        if number in answers:
            return answers[number]
        raise ValueError(tr("{name} {got} is not an exercise: chapter {chapter} has the exercises {ids}.")
                         .format(name=name, got=_shown(exercise_id), chapter=repr(chapter),
                                 ids=", ".join(_ids(chapter))))
    valid = ", ".join(i for c in _chapters() for i in _ids(c))
    if not number:
        raise ValueError(tr("{name} must look like 'chapter.number' (e.g. 'collateral.1'); got {got}. "
                            "The exercises are {ids}.").format(name=name, got=_shown(exercise_id), ids=valid))
    raise ValueError(tr("{name} {got} names an unknown chapter {chapter}; the exercises are {ids}.")
                     .format(name=name, got=_shown(exercise_id), chapter=repr(chapter), ids=valid))


@contract(exercise_id=_ExerciseId(), answer=_Answer(), returns=None)
def check(exercise_id: str, answer) -> Feedback:
    """Check ``answer`` to exercise ``exercise_id`` and explain the verdict.

    Returns a :class:`Feedback` (truthy when right) that displays itself in a
    notebook. ``answer=None`` (the placeholder in the notebooks) asks for an
    answer. Raises ``ValueError`` for an unknown exercise (the message lists
    the valid ids) or an answer that is not a finite number (text, ``True``,
    NaN, infinity): every exercise's answer is a finite number.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> bool(check("tvl.1", 500))
    True
    >>> check("tvl.1", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: answer must be a finite number such as 1.23 (not text, True or False, NaN or infinity); got nan.
    """
    e = _lookup(exercise_id)
    if answer is None:
        return Feedback(exercise_id, False,
                        tr("No answer yet: replace None with your number, e.g. `check({call})`.")
                        .format(call=f"{exercise_id!r}, 1.23"))
    x = answer
    unit = f" {e.unit}" if e.unit else ""
    # The nearest of the right answer and the known slips wins, so a slip that lands
    # within rounding distance of the right answer is still recognised.
    candidates = [(abs(x - e.value), None)] + [(abs(x - w), why) for w, why in e.mistakes if _close(x, w, e)]
    if _close(x, e.value, e) or len(candidates) > 1:
        _, why = min(candidates, key=lambda c: c[0])
        if why is None:
            return Feedback(exercise_id, True, tr("Correct: {value}.").format(value=f"{e.value:,.6g}{unit}"))
        return Feedback(exercise_id, False, tr("Not quite — {why} {hint}").format(why=why, hint=e.hint).strip())
    for factor, what in ((100, tr("a percentage where a fraction was asked (0.83, not 83)")),
                         (0.01, tr("a fraction where a percentage was asked"))):
        if e.value != 0 and _close(x, e.value * factor, e):
            return Feedback(exercise_id, False, tr("Right number, wrong scale: you entered {what}.").format(what=what))
    if e.value != 0 and _close(x, -e.value, e):
        return Feedback(exercise_id, False, tr("Right size, wrong sign. {hint}").format(hint=e.hint).strip())
    if e.value != 0:
        off = (x - e.value) / abs(e.value)
        msg = (tr("Not yet: your answer is {off} too high.") if off > 0
               else tr("Not yet: your answer is {off} too low.")).format(
                   off=f"{abs(off):.1%}" if abs(off) < 1e4 else f"{abs(off) * 100:.3g}%")  # not 300 digits
    else:
        msg = tr("Not yet: the answer is {zero}.").format(zero=f"0{unit}")
    return Feedback(exercise_id, False, f"{msg} {e.hint}".strip())
