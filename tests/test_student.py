"""The student edition has no solutions, in pages or in downloadable notebooks; the default site folds them.

Needs both builds (`make test-book test-student`); skipped otherwise.
"""

import json
import os
import re
import sys
from pathlib import Path

import pytest

from helpers import ROOT, SITE

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from student_edition import _SOLUTION, strip_solutions  # noqa: E402

# A private build can be checked too: DEFI_HANDBOOK_STUDENT_SITE=/tmp/x/student/html.
STUDENT = Path(os.environ.get("DEFI_HANDBOOK_STUDENT_SITE") or ROOT / "_build" / "student" / "html")


def solution_blocks() -> list[str]:
    blocks = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                blocks += [m.group(0) for m in _SOLUTION.finditer("".join(cell["source"]))]
    for md in (ROOT / "book").glob("**/*.md"):
        blocks += [m.group(0) for m in _SOLUTION.finditer(md.read_text(encoding="utf-8"))]
    return blocks


def telltale_lines(block: str) -> list[str]:
    """Distinctive prose lines of a solution (not fences, options or short code)."""
    lines = [ln.strip() for ln in block.splitlines()[1:-1]]
    return [ln for ln in lines if len(ln) > 40 and not ln.startswith((":", "`", "$$"))]


def test_strip_solutions_keeps_exercises():
    text = "x\n\n````{exercise}\n:label: a\nQ?\n````\n\n````{solution} a\n:class: dropdown\nA!\n````\n"
    out = strip_solutions(text)
    assert "Q?" in out and "A!" not in out and "{solution}" not in out


def test_chapters_have_solutions_to_remove():
    assert len(solution_blocks()) >= 5


@pytest.mark.skipif(not (STUDENT / "index.html").exists(), reason="student edition not built (make book-student)")
def test_student_site_has_no_solution_text():
    html = "\n".join(p.read_text(encoding="utf-8") for p in STUDENT.rglob("*.html"))
    assert 'class="solution' not in html and "solution dropdown" not in html
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (STUDENT / "_sources").rglob("*")
                        if p.is_file())
    assert "{solution}" not in sources            # downloadable notebooks / sources carry none
    leaked = [ln for b in solution_blocks() for ln in telltale_lines(b)
              if re.sub(r"\s+", " ", ln)[:60] in re.sub(r"\s+", " ", html)]
    assert leaked == []
    assert "{exercise}" in sources and 'class="exercise' in html


@pytest.mark.skipif(not (SITE / "index.html").exists(), reason="book not built (make book)")
def test_default_site_folds_solutions():
    html = (SITE / "notebooks" / "01-collateral.html").read_text(encoding="utf-8")
    assert "solution" in html and "dropdown" in html


STUDENT_ZH = STUDENT / "zh-tw"


@pytest.mark.skipif(not (STUDENT_ZH / "index.html").exists(),
                    reason="Chinese student edition not built (make book-student)")
def test_chinese_student_site_has_no_solutions():
    """The Traditional Chinese student edition: exercises (練習) kept, solutions gone, pages and notebooks."""
    html = "\n".join(p.read_text(encoding="utf-8") for p in STUDENT_ZH.rglob("*.html"))
    assert 'class="solution' not in html and "solution dropdown" not in html
    assert 'class="exercise' in html and "練習" in html and 'lang="zh-Hant-TW"' in html
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (STUDENT_ZH / "_sources").rglob("*")
                        if p.is_file())
    assert "{solution}" not in sources and "{exercise}" in sources
    for doc in ("notebooks/01-collateral", "book/intro"):
        assert (STUDENT / f"{doc}.html").exists() and (STUDENT_ZH / f"{doc}.html").exists()
