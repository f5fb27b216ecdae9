"""The chapters read the same in the book (myst-parser) and in JupyterLab (jupyterlab-myst).

* no ``{term}``/``{cite}``/``{doc}`` roles in the notebooks (jupyterlab-myst shows them as
  warning markers or 404 links): glossary terms and citations are Markdown links that
  ``book/_ext/defi_book.py`` resolves and checks in the book;
* money cannot become maths: every markdown cell gives the same maths tokens under the
  book's ``myst_dmath_allow_space/allow_digits: false`` and under the permissive settings
  jupyterlab-myst uses, so ``$10,000 … $8,050`` must be written ``\\$10,000 … \\$8,050``;
* every glossary and citation link points at an existing term anchor or bibliography key;
* the migration tool has nothing left to do (it is idempotent and its output is committed).

Until ``.venv/bin/python book/_ext/notebook_tools.py migrate notebooks/*.ipynb`` has been
run on the chapters, these tests fail: that is their point.
"""

import re
import sys

import pytest

from helpers import ROOT, toc_notebooks

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import notebook_tools as nt  # noqa: E402

NOTEBOOKS = toc_notebooks()
IDS = [p.stem for p in NOTEBOOKS]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def markdown_cells(path):
    nb = nt.read_notebook(path)
    return [(i, nt._source(c)) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_sphinx_only_roles(path):
    found = [(i, m.group()) for i, text in markdown_cells(path)
             for m in re.finditer(r"\{(term|cite(:\w+)?|doc|ref|numref|eq)\}`[^`]*`", text)]
    assert found == [], f"{path.name}: roles JupyterLab cannot resolve (run notebook_tools.py migrate): {found[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_money_is_not_maths_in_either_parser(path):
    bad = []
    for i, text in markdown_cells(path):
        book, lab = nt.math_tokens(text), nt.math_tokens(text, permissive=True)
        if book != lab:
            extra = [t for t in lab if t not in book] or [t for t in book if t not in lab]
            bad.append((i, extra[:2]))
    assert bad == [], f"{path.name}: cells whose maths differ between the book and JupyterLab: {bad[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_glossary_citation_and_chapter_links_exist(path):
    anchors = set(nt.glossary_anchors().values())
    keys = set(nt.bib_entries())
    broken, checked = [], 0
    for i, text in markdown_cells(path):
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue          # external URL
            file, _, anchor = target.partition("#")
            resolved = (path.parent / file).resolve() if file else path
            checked += 1
            if not resolved.is_file():
                broken.append((i, target, "no such file"))
            elif resolved == (ROOT / nt.GLOSSARY).resolve() and anchor and anchor not in anchors:
                broken.append((i, target, "not a glossary term"))
            elif resolved == (ROOT / nt.REFERENCES).resolve() and anchor:
                if not anchor.startswith("cite-") or anchor[len("cite-"):] not in keys:
                    broken.append((i, target, "not a key of the .bib files"))
            elif resolved == (ROOT / nt.GLOSSARY).resolve() and not anchor:
                broken.append((i, target, "glossary link without a term anchor"))
    assert broken == [], f"{path.name}: {broken[:5]}"
    assert checked > 0, f"{path.name} links nothing (no glossary term, no citation)?"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_migration_has_nothing_left_to_do(path):
    for i, text in markdown_cells(path):
        assert nt.migrate_markdown(text, path) == text, f"{path.name}, cell {i}: run notebook_tools.py migrate"


# -- the tool itself (independent of the chapters' state) ------------------------------------------------
NB = ROOT / "notebooks" / "01-collateral.ipynb"


def test_money_is_escaped_and_maths_code_and_urls_are_not():
    src = ("With $10,000 of WETH you borrow up to $8,050 ($8,050 / $10,000 = 80.5 %), "
           "where $C_i$ is collateral; `print(\"$5\")` and "
           "[a link](https://example.com/$x) stay.\n\n$$\nx = 1\n$$\n\n```python\ncost = \"$3\"\n```\n")
    out = nt.escape_money(src)
    assert "\\$10,000 of WETH" in out and "up to \\$8,050 (\\$8,050 / \\$10,000" in out
    assert "$C_i$" in out and "\n$$\nx = 1\n$$\n" in out
    assert '`print("$5")`' in out and 'cost = "$3"' in out
    hrefs = [c.attrGet("href") for t in nt.md_parser().parse(out) for c in (t.children or ())
             if c.type == "link_open"]
    assert hrefs == ["https://example.com/$x"]              # (a backslash in a URL is dropped by both parsers)
    assert nt.math_tokens(out) == nt.math_tokens(out, permissive=True) == nt.math_tokens(src)
    assert nt.escape_money(out) == out                      # idempotent


def test_money_inside_directives_is_escaped():
    src = ("````{exercise}\n:label: x\n\nYou owe $12,000 at $r$ per year.\n````\n\n"
           "```{math}\n$5 + 1\n```\n")
    out = nt.escape_money(src)
    assert "You owe \\$12,000 at $r$ per year." in out
    assert "```{math}\n$5 + 1\n```" in out                  # not Markdown: untouched
    assert nt.math_tokens(out, permissive=True) == nt.math_tokens(out)


def test_roles_become_links():
    anchors = nt.glossary_anchors()
    assert anchors["collateral"] == "term-Collateral"
    assert anchors["automated market maker"] == "term-Automated-market-maker"
    src = ("**{term}`Collateral`**, {term}`flash loans <flash loan>`; see {cite}`luo2024piercing` "
           "and {cite:t}`luo2024piercing`; ({cite}`aavev3core`, `File.sol`); {doc}`02-looping`; "
           "{doc}`the looping chapter <02-looping>`.")
    out = nt.rewrite_roles(src, NB)
    who, year = nt.cite_label("luo2024piercing")
    assert "**[Collateral](../book/glossary.md#term-Collateral)**" in out
    assert f"[flash loans](../book/glossary.md#{anchors['flash loan']})" in out
    assert f"see ([{who}, {year}](../book/references.md#cite-luo2024piercing))" in out
    assert f"and [{who} ({year})](../book/references.md#cite-luo2024piercing)" in out
    assert "([Aave, 2024](../book/references.md#cite-aavev3core), `File.sol`)" in out
    assert "](02-looping.ipynb); [the looping chapter](02-looping.ipynb)." in out
    assert not re.search(r"\{\w+(:\w)?\}`", out)


def test_unknown_term_or_key_is_refused():
    with pytest.raises(ValueError, match="not a term"):
        nt.rewrite_roles("{term}`no such thing`", NB)
    with pytest.raises(ValueError, match="unknown citation key"):
        nt.rewrite_roles("{cite}`nosuchkey2099`", NB)


def test_migrate_keeps_notebook_format(tmp_path):
    import json

    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {"tags": ["x"]},
                     "source": ["Pay $5 for {term}`collateral` — ünïcode.\n", "Second line.\n"]},
                    {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": ["x = '$5'"]}],
          "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "notebooks" / "x.ipynb"
    path.parent.mkdir()
    for name in ("book", "_config.yml"):      # a book root around the notebook
        (tmp_path / name).symlink_to(ROOT / name)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert nt.migrate_notebook(path, root=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "ünïcode" in text and '\n "cells": [' in text
    out = json.loads(text)
    assert out["cells"][0]["metadata"] == {"tags": ["x"]} and out["metadata"] == nb["metadata"]
    assert out["cells"][0]["source"][0].startswith("Pay \\$5 for [collateral](../book/glossary.md#term-Collateral)")
    assert out["cells"][1]["source"] == ["x = '$5'"]
    assert not nt.migrate_notebook(path, root=tmp_path)         # idempotent
