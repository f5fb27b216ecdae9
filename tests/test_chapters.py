"""Every chapter is teachable: objectives, takeaways, exercises with folded solutions, self-checks, citations, glossary links."""

import json
import re

import pytest

from helpers import ROOT, SITE, toc_files

# The numbered chapters (notebooks/NN-*) and the outlook; the lab page (notebooks/lab) is an appendix in the
# Reference part, without exercises, tested by tests/test_lab_page.py.
CHAPTERS = [f for f in toc_files() if re.match(r"notebooks/\d\d-", f)] + ["book/future"]


def text_of(doc: str) -> tuple[str, str]:
    """(markdown text, code text) of a chapter notebook or MyST page."""
    nb = ROOT / f"{doc}.ipynb"
    if nb.exists():
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        md = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        return md, code
    return (ROOT / f"{doc}.md").read_text(encoding="utf-8"), ""


def test_all_nine_chapters_are_in_the_book():
    assert len([c for c in CHAPTERS if c.startswith("notebooks/")]) == 9


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_has_the_teaching_structure(doc):
    md, code = text_of(doc)
    assert re.search(r"learning objectives", md, re.I), "no learning objectives"
    assert re.search(r"key takeaways", md, re.I), "no key takeaways"
    exercises = re.findall(r"^(`{3,}|:{3,})\{exercise\}", md, re.M)
    solutions = re.findall(r"^(`{3,}|:{3,})\{solution\}[^\n]*\n:class: dropdown", md, re.M)
    assert len(exercises) >= 4, f"{len(exercises)} exercises"
    assert len(solutions) >= len(exercises) - 1, "solutions must be folded (:class: dropdown)"
    # Notebooks link citations and glossary terms as Markdown links (readable in JupyterLab);
    # MyST pages use the roles. Both are resolved and checked by the build (-n).
    assert "{cite}" in md or "references.md#cite-" in md, "no citations"
    assert "{term}" in md or "glossary.md#term-" in md or doc == "book/future", "no glossary links"
    if doc.startswith("notebooks/"):
        chapter = doc.split("-", 1)[1]
        assert len(re.findall(rf'check\("{chapter}\.\d+"', code)) >= 4, "fewer than 4 self-checks"


@pytest.mark.skipif(not (SITE / "index.html").exists(), reason="book not built")
@pytest.mark.parametrize("doc", [c for c in CHAPTERS if c.startswith("notebooks/")])
def test_downloadable_notebook_is_the_tested_one(doc):
    """The site's download button serves the committed notebook, which test_notebooks executes."""
    served = SITE / "_sources" / f"{doc}.ipynb"
    assert served.read_bytes() == (ROOT / f"{doc}.ipynb").read_bytes()


@pytest.mark.parametrize("doc", [c for c in CHAPTERS if c.startswith("notebooks/")])
def test_chapter_states_protocol_versions_and_when_checked(doc):
    """Each chapter says which protocol versions it describes and when it was last checked against them."""
    md, _ = text_of(doc)
    para = re.search(r"^\*\*Protocol versions\.\*\*(.+)$", md, re.M)
    assert para, "no '**Protocol versions.**' paragraph"
    assert re.search(r"Last checked against them on \d{4}-\d{2}-\d{2}\.", para.group(1)), para.group(1)


def test_corrections_page_is_linked_from_the_preface_and_dated():
    preface = (ROOT / "book" / "preface.md").read_text(encoding="utf-8")
    assert "{doc}`corrections`" in preface
    corrections = (ROOT / "book" / "corrections.md").read_text(encoding="utf-8")
    entries = re.findall(r"^\| *(\d{4}-\d{2}-\d{2}) *\|", corrections, re.M)
    assert len(entries) >= 10, f"{len(entries)} dated corrections"
