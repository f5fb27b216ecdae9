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
from dataclasses import dataclass, field

from .._validate import check_number
from ..i18n import tr

__all__ = ["Expected", "Feedback", "check"]


@dataclass(frozen=True)
class Expected:
    """The right answer to one exercise, and how to help a wrong one."""

    value: float
    unit: str = ""
    rel_tol: float = 0.005
    """Relative tolerance: 0.5 % by default, generous for hand-rounded answers."""
    abs_tol: float = 1e-9
    hint: str = ""
    mistakes: tuple[tuple[float, str], ...] = field(default_factory=tuple)
    """(value a common slip produces, what the slip was)."""


@dataclass(frozen=True)
class Feedback:
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


def _lookup(exercise_id: str) -> Expected:
    chapter, _, number = exercise_id.partition(".")
    if not number:
        raise ValueError(f"exercise_id must look like 'chapter.number' (e.g. 'collateral.1'); got {exercise_id!r}")
    try:
        module = importlib.import_module(f"{__name__}.{chapter}")
    except ModuleNotFoundError:
        raise ValueError(f"exercise_id names an unknown chapter {chapter!r}") from None
    answers = module.ANSWERS
    if number not in answers:
        raise ValueError(f"exercise_id {exercise_id!r}: chapter {chapter!r} has exercises {sorted(answers)}")
    return answers[number]


def check(exercise_id: str, answer) -> Feedback:
    """Check ``answer`` to exercise ``exercise_id`` and explain the verdict.

    Returns a :class:`Feedback` (truthy when right) that displays itself in a
    notebook. ``answer=None`` (the placeholder in the notebooks) asks for an
    answer. Raises ``ValueError`` for an unknown exercise or a non-number.
    """
    e = _lookup(exercise_id)
    if answer is None:
        return Feedback(exercise_id, False,
                        tr("No answer yet: replace None with your number, e.g. `check({call})`.")
                        .format(call=f"{exercise_id!r}, 1.23"))
    x = check_number("answer", answer, allow_inf=math.isinf(e.value))
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
               else tr("Not yet: your answer is {off} too low.")).format(off=f"{abs(off):.1%}")
    else:
        msg = tr("Not yet: the answer is {zero}.").format(zero=f"0{unit}")
    return Feedback(exercise_id, False, f"{msg} {e.hint}".strip())
