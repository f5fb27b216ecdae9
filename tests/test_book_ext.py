"""The build extension: static mode, offline scripts, and cache invalidation on package change."""

import importlib.util
import os
from types import SimpleNamespace

from helpers import ROOT


def load_ext():
    spec = importlib.util.spec_from_file_location("defi_book", ROOT / "book" / "_ext" / "defi_book.py")
    mod = importlib.util.module_from_spec(spec)
    before = os.environ.get("DEFI_HANDBOOK_BUILD")
    spec.loader.exec_module(mod)
    assert os.environ.get("DEFI_HANDBOOK_BUILD") == "1"   # set on load, before any kernel starts
    if before is None:
        del os.environ["DEFI_HANDBOOK_BUILD"]
    return mod


def test_package_hash_changes_with_any_file(tmp_path):
    ext = load_ext()
    pkg = tmp_path / "pkg"
    (pkg / "data").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "data" / "d.csv").write_text("a\n1\n")
    h0 = ext.package_hash(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    assert ext.package_hash(pkg) == h0           # bytecode does not count
    (pkg / "a.py").write_text("x = 1\n# one-line change\n")
    h1 = ext.package_hash(pkg)
    assert h1 != h0
    (pkg / "data" / "d.csv").write_text("a\n2\n")
    assert ext.package_hash(pkg) != h1           # data changes count too


def test_stale_package_clears_cache_and_rereads_notebooks(tmp_path):
    ext = load_ext()
    cache = tmp_path / "_build" / ".jupyter_cache"
    cache.mkdir(parents=True)
    (cache / "global.db").write_text("cached")
    app = SimpleNamespace(config=SimpleNamespace(nb_execution_cache_path=str(cache)),
                          outdir=str(tmp_path / "_build" / "html"))
    ext._check_package(app)                      # no stamp yet: stale
    assert app.env_defi_stale and not cache.exists()
    env = SimpleNamespace(found_docs={"notebooks/01-collateral", "book/intro"},
                          doc2path=lambda d, base=False: d + (".ipynb" if d.startswith("notebooks") else ".md"))
    assert set(ext._outdated(app, env, set(), set(), set())) == {"notebooks/01-collateral", "book/intro"}
    ext._save_hash(app, None)                    # after a successful build
    cache.mkdir()
    ext._check_package(app)
    assert not app.env_defi_stale and cache.exists()
    assert ext._outdated(app, env, set(), set(), set()) == []
    ext._save_hash(app, RuntimeError("failed build"))   # a failed build keeps the old stamp
    assert (tmp_path / "_build" / ext._HASH_FILE).read_text().strip() == app.env_defi_hash


# -- glossary and citation links (the chapters' Markdown links, resolved and checked) ----------------------
MINI_CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_nb", "sphinxcontrib.bibtex", "defi_book"]
bibtex_bibfiles = ["book/refs.bib"]
bibtex_reference_style = "author_year"
bibtex_cite_id = "cite-{{key}}"
nb_execution_mode = "off"
exclude_patterns = ["_build"]
"""
MINI_BIB = """@misc{luo2024piercing, author = {Luo, A. and Wu, B. and Chen, C.}, title = {Piercing the veil of TVL},
  year = {2024}}
@misc{aavev3core, author = {{Aave}}, title = {Aave v3 core}, year = {2024}}
"""
MINI_GLOSSARY = "# Glossary\n\n```{glossary}\nCollateral\n  Assets locked.\n\nAMM\nAutomated market maker\n  A pool.\n```\n"


def mini_build(tmp_path, page: str):
    """Build a three-page book (glossary, references, one chapter) with the extension; return (html, warnings)."""
    import io

    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "book").mkdir(parents=True)
    (src / "notebooks").mkdir()
    (src / "conf.py").write_text(MINI_CONF.format(ext=str(ROOT / "book" / "_ext")))
    (src / "index.md").write_text("# Mini\n\n```{toctree}\nbook/glossary\nbook/references\nnotebooks/ch\n```\n")
    (src / "book" / "refs.bib").write_text(MINI_BIB)
    (src / "book" / "glossary.md").write_text(MINI_GLOSSARY)
    (src / "book" / "references.md").write_text("# References\n\n```{bibliography}\n:all:\n```\n")
    (src / "notebooks" / "ch.md").write_text(page)
    warnings = io.StringIO()
    before = os.environ.get("DEFI_HANDBOOK_BUILD")
    try:
        app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
                     status=None, warning=warnings, freshenv=True, confoverrides={
                         "nb_execution_cache_path": str(tmp_path / "cache")})
        app.build()
    finally:
        if before is None:
            os.environ.pop("DEFI_HANDBOOK_BUILD", None)
    return (tmp_path / "out" / "notebooks" / "ch.html").read_text(encoding="utf-8"), warnings.getvalue()


def test_glossary_and_citation_links_resolve_to_anchors(tmp_path):
    html, warnings = mini_build(tmp_path, (
        "# Chapter\n\n**[collateral](../book/glossary.md#term-Collateral)** and an "
        "[AMM](../book/glossary.md#term-Automated-market-maker), as shown by "
        "([Luo et al., 2024](../book/references.md#cite-luo2024piercing)).\n"))
    assert warnings.strip() == "", warnings
    assert 'href="../book/glossary.html#term-Collateral"' in html
    assert 'href="../book/glossary.html#term-Automated-market-maker"' in html
    assert 'href="../book/references.html#cite-luo2024piercing" title="' in html  # the entry as tooltip
    refs = (tmp_path / "out" / "book" / "references.html").read_text(encoding="utf-8")
    assert 'id="cite-luo2024piercing"' in refs and 'id="cite-aavev3core"' in refs  # :all: lists every entry


def test_unknown_glossary_term_or_citation_key_warns(tmp_path):
    _, warnings = mini_build(tmp_path, (
        "# Chapter\n\n[liquidity](../book/glossary.md#term-Liquidity) and "
        "[Nobody, 2099](../book/references.md#cite-nobody2099).\n"))
    assert "glossary link to 'term-Liquidity': no such term" in warnings
    assert "citation link to unknown bibtex key 'nobody2099'" in warnings
