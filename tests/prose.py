"""Prose numbers that cannot drift: assert that a chapter *says* what the code computes.

A chapter quotes numbers the package computes ("$100 of ETH shows up as $280
of deposits"). Each ``tests/test_prose_*.py`` recomputes them with
``defi_helpers`` and checks, with :func:`says`, that the chapter's text
contains the sentence built from the computed value. Change the model or the
prose and the test fails until both agree again.

The text compared is what a reader reads, not the MyST source: markup that
does not change the words is removed first (``\\$`` escapes, ``**bold**``,
``[text](link)``, ``{role}`text <target>``` roles, line breaks), so a test does
not care how a glossary term is linked or money is escaped.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache

from helpers import ROOT

__all__ = ["reading_text", "says", "chapter", "fmt_usd", "fmt_pct"]


def _plain(md: str) -> str:
    md = re.sub(r"\{[a-z:]+\}`([^`<]*?)\s*<[^`>]*>`", r"\1", md)  # {term}`text <target>`
    md = re.sub(r"\{(?:term|doc|ref|numref|eq)\}`([^`]*)`", r"\1", md)
    md = re.sub(r"\{cite(?::[a-z]+)?\}`[^`]*`", "", md)  # citations carry no words of the claim
    md = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", md)  # [text](link)
    md = md.replace("\\$", "$").replace("**", "").replace("\\*", "*")
    md = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", md)  # *emphasis*
    return re.sub(r"\s+", " ", md)


@lru_cache(maxsize=None)
def reading_text(doc: str) -> str:
    """The markdown of a chapter (``"notebooks/06-tvl"``) or page (``"book/preface"``), as read."""
    nb = ROOT / f"{doc}.ipynb"
    if nb.exists():
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        md = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        md = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    return _plain(md)


def chapter(number: int) -> str:
    """The document name of chapter ``number`` (1-9)."""
    matches = sorted((ROOT / "notebooks").glob(f"{number:02d}-*.ipynb"))
    assert matches, f"no notebook for chapter {number}"
    return f"notebooks/{matches[0].stem}"


def says(doc: str, expected: str) -> None:
    """Fail unless ``doc`` contains ``expected`` (whitespace-normalised), showing the nearest passage."""
    text = reading_text(doc)
    want = re.sub(r"\s+", " ", expected).strip()
    if want in text:
        return
    # Point at the closest passage so the failure says what the prose says instead.
    n = len(want)
    best = max((text[i:i + n] for i in range(0, max(1, len(text) - n + 1), max(1, n // 4))),
               key=lambda s: difflib.SequenceMatcher(None, s, want).ratio(), default="")
    raise AssertionError(f"{doc} does not say:\n  {want!r}\nclosest passage:\n  {best!r}")


def fmt_usd(x: float, decimals: int = 0) -> str:
    """``1234.5`` -> ``"$1,235"``: how the chapters print dollar amounts."""
    return f"${x:,.{decimals}f}"


def fmt_pct(x: float, decimals: int = 1) -> str:
    """``0.0526`` -> ``"5.3 %"``: how the chapters print fractions as percentages (thin space)."""
    return f"{100 * x:.{decimals}f} %"
