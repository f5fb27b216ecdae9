"""The Traditional Chinese edition is complete, in sync with the English sources, and Traditional.

* Catalogs (no build needed): every message of a fresh extraction is translated in
  ``locale/zh_TW/LC_MESSAGES/<doc>.po`` - none missing, fuzzy or empty, so a changed English
  paragraph fails until its translation is updated; the package's ``tr("...")`` strings
  likewise; theme catalogs cover the theme's messages; no Simplified characters and no
  emphasis that CommonMark cannot close next to CJK punctuation.
* The built site (``make book``; ``DEFI_HANDBOOK_SITE`` points elsewhere): every page in both
  editions, every language-switch link resolving to the twin page, ``lang``/``hreflang``, no
  Simplified characters and no stray ``**`` in the Chinese pages, the glossary's Chinese
  terms in the Chinese search index, chart and feedback text in Chinese, the Chinese
  notebook downloads.

Chapter catalogs are translated in phase 2 of issue 15: :data:`PENDING_TRANSLATION` lists the
documents whose completeness is an expected failure (strict: remove a document from the set
when its catalog is complete).
"""

from __future__ import annotations

import html as htmlmod
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from helpers import ROOT, toc_files

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import defi_i18n  # noqa: E402

LANG = "zh_TW"
LOCALE = ROOT / "locale" / LANG / "LC_MESSAGES"
PACKAGE_PO = ROOT / "defi_helpers" / "locale" / LANG / "LC_MESSAGES" / "defi_helpers.po"
SITE = Path(os.environ.get("DEFI_HANDBOOK_SITE", ROOT / "_build" / "html"))
ZH = SITE / defi_i18n.EDITIONS[LANG]["subdir"]
DOCS = toc_files()

#: Documents whose translation is phase 2 of issue 15 (one chapter catalog each). Remove a
#: document from this set when its catalog is complete: the xfail is strict.
PENDING_TRANSLATION: set = set()
#: UI catalogs kept by hand (not extracted from the book): domain -> the messages they must cover.
UI_CATALOGS = ("sphinx", "exercise", "booktheme", defi_i18n.TABLES_CATALOG)


#: Characters that OpenCC writes in another variant but Taiwan's Ministry of Education standard
#: writes this way (占 not 佔, 公布 not 公佈, 台 beside 臺): not Simplified.
TAIWAN_STANDARD = set("占布台")


def _s2t():
    from opencc import OpenCC

    return OpenCC("s2tw")       # Simplified -> Traditional, Taiwan variants (峰, not OpenCC's 峯)


def simplified_spans(text: str, converter=None) -> list[str]:
    """Snippets of ``text`` around Simplified characters: those that OpenCC's s2tw changes both
    in context and on their own (in context alone it also rewrites 說明了 as 說明瞭 and 是只是
    as 是隻是; alone, 里程 as 裡程)."""
    conv = converter or _s2t()
    out = []
    for line in text.splitlines():
        converted = conv.convert(line)
        if converted == line:
            continue
        if len(converted) != len(line):
            out.append(line[:24])
            continue
        bad = [i for i, (a, b) in enumerate(zip(line, converted))
               if a != b and a not in TAIWAN_STANDARD and conv.convert(a) != a]
        if bad:
            out.append(line[max(0, bad[0] - 12): bad[0] + 12])
    return out


def _entries(po: Path) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(po)) if not e.obsolete]


# --------------------------------------------------------------------------------------
# Catalog completeness against a fresh extraction


@pytest.fixture(scope="session")
def fresh_pots(tmp_path_factory) -> Path:
    """The .pot files of the current English sources (Sphinx gettext builder, no execution)."""
    out = tmp_path_factory.mktemp("gettext")
    cfg = out / "_config.yml"
    defi_i18n.main(["config", "en", "--gettext", "-o", str(cfg)])
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", str(ROOT), "--config", str(cfg), "--path-output", str(out),
                           "--builder", "custom", "--custom-builder", "gettext", "-W", "-n", "--keep-going",
                           "-q"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out / "_build" / "gettext"


_NOT_PROSE = re.compile(r"`[^`]*`|\{[\w:-]+\}`[^`]*`|\$[^$]*\$|https?://\S+|\S*[\d._/]\S*")


def needs_translation(msgid: str) -> bool:
    """Whether a message has words to translate: numbers, dates, code, file names, maths and
    roles alone (table cells such as ``39.0 s`` or ``01-collateral.ipynb``) read the same in Chinese."""
    return bool(re.search(r"[A-Za-z]{2,}", _NOT_PROSE.sub(" ", msgid)))


def catalog_problems(pot: Path, po: Path) -> dict[str, list[str]]:
    """Messages of ``pot`` missing from ``po``, fuzzy there, or untranslated (prose only)."""
    if not po.exists():
        return {"no catalog": [str(po.relative_to(ROOT))]}
    entries = {e.msgid: e for e in _entries(po)}
    problems: dict[str, list[str]] = {"missing": [], "fuzzy": [], "untranslated": []}
    for msg in polib.pofile(str(pot)):
        if not needs_translation(msg.msgid):
            continue
        e = entries.get(msg.msgid)
        if e is None:
            problems["missing"].append(msg.msgid)
        elif e.fuzzy:
            problems["fuzzy"].append(msg.msgid)
        elif not e.msgstr.strip():
            problems["untranslated"].append(msg.msgid)
    return {k: v for k, v in problems.items() if v}


def _short(problems: dict[str, list[str]]) -> str:
    return "; ".join(f"{len(v)} {k} (first: {v[0][:70]!r})" for k, v in problems.items())


@pytest.mark.parametrize("doc", [
    pytest.param(d, marks=pytest.mark.xfail(strict=True, reason="chapter catalog: phase 2 of issue 15"))
    if d in PENDING_TRANSLATION else d for d in DOCS])
def test_catalog_complete_and_current(fresh_pots, doc):
    """Every message of the document's fresh .pot is translated; a changed source paragraph fails."""
    pot = fresh_pots / f"{doc}.pot"
    assert pot.exists(), f"no messages extracted for {doc}"
    problems = catalog_problems(pot, LOCALE / f"{doc}.po")
    assert not problems, f"{doc}: {_short(problems)} - run `make translations`, then translate"


def test_no_catalog_without_a_document(fresh_pots):
    """A catalog whose document left the book is removed, not left to rot."""
    docs = {p.relative_to(fresh_pots).with_suffix("").as_posix() for p in fresh_pots.rglob("*.pot")}
    orphans = [p for p in LOCALE.rglob("*.po")
               if p.relative_to(LOCALE).with_suffix("").as_posix() not in docs | set(UI_CATALOGS)]
    assert orphans == []


def test_package_catalog_complete_and_current(tmp_path):
    """Every ``tr("...")`` string of defi_helpers and every dataset's metadata text (a fresh extraction) is translated."""
    pot = defi_i18n.package_pot(tmp_path / "defi_helpers.pot")
    assert len(polib.pofile(str(pot))) >= 100, "the package marks fewer strings than expected"
    problems = catalog_problems(pot, PACKAGE_PO)
    assert not problems, _short(problems)


def test_package_catalog_keeps_format_fields():
    """A translated template keeps its {fields}, or .format() fails at run time."""
    for e in _entries(PACKAGE_PO):
        if e.msgstr:
            assert set(re.findall(r"\{(\w*)[^}]*\}", e.msgid)) == set(re.findall(r"\{(\w*)[^}]*\}", e.msgstr)), e.msgid


# --------------------------------------------------------------------------------------
# Catalog content


def _all_catalogs() -> list[Path]:
    return sorted(LOCALE.rglob("*.po")) + [PACKAGE_PO]


def test_ui_catalogs_cover_the_themes():
    """pydata-sphinx-theme's zh catalog is Simplified: every one of its messages is overridden."""
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "locale"
    ours = {e.msgid for e in _entries(LOCALE / "sphinx.po") if e.msgstr}
    theirs = {e.msgid for e in polib.pofile(str(theme / "zh" / "LC_MESSAGES" / "sphinx.po"))
              if e.msgid and e.msgstr}
    assert sorted(theirs - ours) == []
    exercise = {e.msgid for e in _entries(LOCALE / "exercise.po") if e.msgstr}
    assert {"Exercise", "Solution", "Solution to"} <= exercise
    assert "Launch on" in {e.msgid for e in _entries(LOCALE / "booktheme.po") if e.msgstr}


@pytest.mark.parametrize("po", _all_catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_is_traditional(po):
    conv = _s2t()
    bad = {e.msgid[:40]: simplified_spans(e.msgstr, conv) for e in _entries(po)
           if e.msgstr and simplified_spans(e.msgstr, conv)}
    assert bad == {}


def test_only_prose_needs_translation():
    assert not any(map(needs_translation, ["39.0 s", "< 5 s", "01-collateral.ipynb", "2026-11-30", "1, 8",
                                           "`collateral.health_factor_explorer`", "{doc}`future`", "—"]))
    assert all(map(needs_translation, ["as above", "42.2 s (11 documents re-executed)", "Benchmarks"]))


def test_simplified_check_catches_simplified():
    assert simplified_spans("回到顶部") and not simplified_spans("回到頁首")


@pytest.mark.parametrize("po", sorted(LOCALE.rglob("*.po")), ids=lambda p: str(p.relative_to(ROOT)))
def test_emphasis_renders_in_translations(po):
    """``**…（LTV）**與`` prints literal ``**`` (CommonMark flanking rules next to CJK punctuation)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    bad = [e.msgstr for e in _entries(po)
           if e.msgstr and "*" in e.msgstr and "*" not in re.sub(r"`[^`]*`|\$[^$]*\$", "", md.render(e.msgid))
           and "*" in re.sub(r"<code>.*?</code>|\$[^$]*\$", "", md.render(e.msgstr))]
    assert bad == []


@pytest.mark.parametrize("po", [p for p in sorted(LOCALE.rglob("*.po")) if p.stem != defi_i18n.TABLES_CATALOG],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_keep_roles_and_maths(po):
    """Every {term}/{cite}/{doc} role and every $…$ of the English survives in the translation.

    (Not the tables catalog: table cells are plain text, where "$" is money.)"""
    role = re.compile(r"\{(term|cite|cite:t|cite:p|doc|ref|numref|eq)\}`")
    bad = []
    for e in _entries(po):
        if not e.msgstr:
            continue
        if sorted(role.findall(e.msgid)) != sorted(role.findall(e.msgstr)):
            bad.append(("roles", e.msgid[:60]))
        dollars = re.compile(r"(?<!\\)\$")     # maths delimiters, not \$ (money)
        if len(dollars.findall(e.msgid)) != len(dollars.findall(e.msgstr)):
            bad.append(("maths", e.msgid[:60]))
    assert bad == []


# --------------------------------------------------------------------------------------
# Machinery


def test_tr_is_english_by_default_and_chinese_in_the_zh_build(monkeypatch):
    from defi_helpers import i18n

    entry = next(e for e in _entries(PACKAGE_PO) if e.msgstr and not e.fuzzy)
    monkeypatch.delenv(i18n.ENV, raising=False)
    assert i18n.tr(entry.msgid) == entry.msgid and i18n.language() == "en"
    monkeypatch.setenv(i18n.ENV, LANG)
    assert i18n.language() == LANG and i18n.tr(entry.msgid) == entry.msgstr
    assert i18n.tr("a string nobody translated") == "a string nobody translated"
    monkeypatch.setenv(i18n.ENV, "xx_YY")
    assert i18n.tr(entry.msgid) == entry.msgid


def test_feedback_speaks_the_readers_language(monkeypatch):
    from defi_helpers.exercises import check

    monkeypatch.setenv("DEFI_HANDBOOK_LANG", LANG)
    assert "尚未作答" in str(check("collateral.1", None))
    monkeypatch.delenv("DEFI_HANDBOOK_LANG")
    assert str(check("collateral.1", None)).startswith("No answer yet")


def test_glossary_terms_feed_the_search_dictionary():
    terms = defi_i18n.glossary_terms((ROOT / "book" / "glossary.md").read_text(encoding="utf-8"))
    assert {"健康因子", "清算門檻", "閃電貸", "抵押品", "超額抵押", "循環借貸", "總鎖倉價值"} <= set(terms)
    assert all(not t.isascii() and "（" not in t for t in terms)


def test_notebook_markdown_is_translated_block_by_block():
    src = ("# Collateral\n\nA loan is *safe* while\nthe {term}`health factor` stays above 1.\n\n"
           "- First item\n- Second item\n\n| Asset | LTV |\n|---|---|\n| WETH | 80 % |\n")
    catalog = {"Collateral": "抵押品", "A loan is *safe* while the {term}`health factor` stays above 1.":
               "只要{term}`健康因子 <health factor>`高於 1，借款就*安全*。", "First item": "第一項",
               "Asset": "資產", "Item": "不該出現"}
    out = defi_i18n.translate_markdown(src, catalog)
    assert out.startswith("# 抵押品\n\n只要{term}`健康因子 <health factor>`高於 1，借款就*安全*。\n")
    assert "- 第一項\n- Second item" in out and "| 資產 | LTV |" in out and "不該出現" not in out


@pytest.mark.parametrize("doc", [d for d in DOCS if d.startswith("notebooks/")])
def test_every_message_of_a_notebook_finds_its_place(fresh_pots, doc):
    """The Chinese download replaces every message (paragraph, item, heading, table cell) of the
    notebook; display maths, extracted with its surrounding spaces, reads the same in Chinese."""
    messages = [e.msgid for e in polib.pofile(str(fresh_pots / f"{doc}.pot")) if not e.msgid.startswith(" ")]
    catalog = {m: f"〔{i}〕" for i, m in enumerate(messages)}
    nb = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))
    out = defi_i18n.translate_notebook(nb, catalog)
    text = "".join("".join(c["source"]) for c in out["cells"] if c["cell_type"] == "markdown")
    assert [m[:60] for m in messages if catalog[m] not in text] == []


def test_edition_config_is_the_english_one_plus_the_overlay():
    en, zh = defi_i18n.edition_config("en"), defi_i18n.edition_config(LANG)
    assert zh["sphinx"]["config"]["language"] == LANG and "language" not in en["sphinx"]["config"]
    for key in ("bibtex_cite_id", "locale_dirs", "html_extra_path", "myst_dmath_allow_digits"):
        assert zh["sphinx"]["config"][key] == en["sphinx"]["config"][key]
    assert zh["bibtex_bibfiles"] == en["bibtex_bibfiles"] and zh["execute"] == en["execute"]


# --------------------------------------------------------------------------------------
# The built site (both editions)

needs_site = pytest.mark.skipif(not (ZH / "index.html").exists(),
                                reason=f"both editions not built ({ZH}; make book)")


def _pages(root: Path) -> list[Path]:
    return [root / f"{d}.html" for d in DOCS]


def _visible_text(page_html: str) -> str:
    """Text a reader sees (no scripts, styles, tags; entities decoded; Vega \\uXXXX decoded)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return htmlmod.unescape(text)


def _decoded(page_html: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page_html)


@needs_site
def test_every_page_in_both_editions():
    missing = [str(p) for p in _pages(SITE) + _pages(ZH) if not p.exists()]
    assert missing == []


@needs_site
@pytest.mark.parametrize("edition", ["en", LANG])
def test_every_switch_link_leads_to_the_twin_page(edition):
    root, other_root = (SITE, ZH) if edition == "en" else (ZH, SITE)
    lang = defi_i18n.EDITIONS[edition]["lang_attr"]
    other_lang = defi_i18n.EDITIONS["zh_TW" if edition == "en" else "en"]["lang_attr"]
    for doc in DOCS:
        page = root / f"{doc}.html"
        text = page.read_text(encoding="utf-8")
        assert re.search(rf'<html[^>]* lang="{re.escape(lang)}"', text), f"{page}: lang"
        links = re.findall(r'<a class="[^"]*defi-lang-switch[^"]*" href="([^"]+)" hreflang="([^"]+)"', text)
        assert len(links) == 1, f"{page}: {len(links)} switch links"
        href, hreflang = links[0]
        assert hreflang == other_lang and not href.startswith(("/", "http"))
        target = (page.parent / href).resolve()
        assert target == (other_root / f"{doc}.html").resolve(), f"{page}: switch -> {target}"
        assert f'rel="alternate" hreflang="{other_lang}"' in text


@needs_site
def test_no_simplified_characters_in_the_chinese_edition():
    conv = _s2t()
    bad = {}
    for page in sorted(ZH.rglob("*.html")):
        if "_static" in page.relative_to(ZH).parts:
            continue
        spans = simplified_spans(_visible_text(_decoded(page.read_text(encoding="utf-8"))), conv)
        if spans:
            bad[str(page.relative_to(ZH))] = spans[:5]
    assert bad == {}


@needs_site
def test_no_stray_markdown_emphasis_in_chinese_pages():
    bad = {}
    for page in _pages(ZH):
        text = re.sub(r"<(pre|code)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
        text = _visible_text(text)
        if "**" in text:
            i = text.index("**")
            bad[page.name] = text[max(0, i - 30): i + 30]
    assert bad == {}


@needs_site
def test_chinese_search_index_holds_the_glossary_terms():
    index = (ZH / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1: index.rindex(")")])
    terms = set(data["terms"]) | set(data.get("titleterms", {}))
    wanted = defi_i18n.glossary_terms((ROOT / "book" / "glossary.md").read_text(encoding="utf-8"))
    missing = [t for t in wanted if t not in terms]
    assert missing == [], f"{len(missing)} of {len(wanted)} glossary terms not in the index"
    assert {"健康因子", "清算門檻", "閃電貸"} <= terms


@needs_site
def test_chart_and_feedback_text_in_chinese():
    from defi_helpers.i18n import _catalog, _catalog_file

    catalog = _catalog(LANG, _catalog_file(LANG).stat().st_mtime_ns)
    page = _decoded((ZH / "notebooks" / "01-collateral.html").read_text(encoding="utf-8"))
    english = _decoded((SITE / "notebooks" / "01-collateral.html").read_text(encoding="utf-8"))
    for msgid in ("Borrowing power and liquidation threshold per asset", "Collateral price (USD per ETH)"):
        assert msgid in english and catalog[msgid] in page and msgid not in page
    feedback = re.split(r"[{`]", catalog["No answer yet: replace None with your number, e.g. `check({call})`."])[0]
    assert feedback in page


@needs_site
@pytest.mark.parametrize("doc", [d for d in DOCS if d.startswith("notebooks/")])
def test_chinese_notebook_download(doc):
    """The zh site serves the notebook translated from the catalogs; code cells unchanged."""
    served = json.loads((ZH / "_sources" / f"{doc}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))
    po = LOCALE / f"{doc}.po"
    expected = defi_i18n.translate_notebook(source, defi_i18n.read_po(po) if po.exists() else {})
    assert [c["source"] for c in served["cells"]] == [c["source"] for c in expected["cells"]]
    assert [c["source"] for c in served["cells"] if c["cell_type"] == "code"] == \
        [c["source"] for c in source["cells"] if c["cell_type"] == "code"]
    page = (ZH / f"{doc}.html").read_text(encoding="utf-8")
    assert "defi-launch-note" in page


@needs_site
def test_ui_labels_in_traditional_chinese():
    page = (ZH / "notebooks" / "01-collateral.html").read_text(encoding="utf-8")
    for label in ("回到頁首", "跳到主要內容", "練習", "啟動於"):
        assert label in page, label
    intro = (ZH / "book" / "intro.html").read_text(encoding="utf-8")
    captions = [e.msgstr for e in _entries(LOCALE / "book" / "intro.po")
                if e.msgid in ("Start here", "Chapters", "Teaching", "Reference")]
    assert len(captions) == 4 and all(c in intro for c in captions)


# Names that stay as they are in a Chinese sentence (protocols, companies, chains, venues).
_PROPER_NAMES = {
    "Aave", "Lido", "Pendle", "Ethena", "Morpho", "Compound", "Spark", "Uniswap", "Curve", "Maker", "Euler",
    "Binance", "Bybit", "Solana", "Ethereum", "Chainlink", "Rocket", "Pool", "Sky", "Ondo", "Maple",
    "Centrifuge", "Harvest", "Cream", "Beanstalk", "Mango", "Fulcrum", "Kyber", "Synthetix", "Tether",
    "Circle", "BlackRock", "Franklin", "Superstate", "Securitize", "Hashnote", "Stream", "Elixir", "Mantle",
    "Coinbase", "Deribit", "Llama", "Risk", "Labs", "Finance", "Protocol", "Markets", "Inverse", "Anchor",
}
_WORD = re.compile(r"(?<![\w/.-])[A-Za-z][a-z]{2,}(?![\w/.-])")
_CJK = re.compile(r"[\u3400-\u9fff]")


#: Data fields that hold citations (works keep their original titles, as in a bibliography) or
#: Aave's on-chain E-Mode category labels ("ETH correlated"): shown as they are.
_CITED_FIELDS = {"source", "source_title", "category"}


def _english_words(text: str) -> list[str]:
    """English words of a string with no Chinese in it (proper names allowed)."""
    if _CJK.search(text):
        return []
    return [w for w in _WORD.findall(text) if w not in _PROPER_NAMES]


def _chart_specs(page_html: str):
    dec = json.JSONDecoder()
    for m in re.finditer(r"var spec=(?=\{)", page_html):
        try:
            yield dec.raw_decode(page_html, m.end())[0]
        except ValueError:
            continue


def _chart_texts(spec) -> list[tuple[str, str]]:
    """(where, text) of every reader-visible text of a Vega-Lite spec: titles, subtitles, alt text,
    slider names, readouts, and the values of its nominal/ordinal fields (legend and axis labels)."""
    texts, labelled, tables = [], set(), []

    def walk(o, key=None):
        if isinstance(o, dict):
            if o.get("type") in ("nominal", "ordinal") and isinstance(o.get("field"), str):
                labelled.add(o["field"])
            if isinstance(o.get("bind"), dict) and isinstance(o["bind"].get("name"), str):
                texts.append(("slider", o["bind"]["name"]))
            for k, v in o.items():
                if k == "readouts" and isinstance(v, dict):
                    texts.extend(("readout", s) for d in v.values() for s in d.values())
                elif k == "values" and isinstance(v, (str, list)):
                    tables.append(v)
                elif k == "datasets" and isinstance(v, dict):
                    tables.extend(d for d in v.values() if isinstance(d, (str, list)))
                else:
                    walk(v, k)
        elif isinstance(o, list):
            for v in o:
                walk(v, key)
        elif isinstance(o, str) and key in ("title", "subtitle", "description", "text"):
            texts.append((key, o))

    walk(spec)
    import csv
    import io
    for t in tables:
        rows = list(csv.DictReader(io.StringIO(t))) if isinstance(t, str) else [r for r in t if isinstance(r, dict)]
        for r in rows:
            texts.extend((f"data {f}", str(r[f])) for f in labelled - _CITED_FIELDS if isinstance(r.get(f), str))
    return texts


def test_english_words_detector():
    assert _english_words("Naive TVL") == ["Naive"]
    assert _english_words("Aave v3 Pool, wstETH") == []
    assert _english_words("樸素 TVL") == [] and _english_words("0.85") == []


@needs_site
def test_chart_text_on_chinese_pages_is_chinese():
    """Every chart on a Chinese page speaks Chinese: titles, subtitles, alt text, slider labels and
    readouts, legend and axis labels drawn from the data, and the source line's frame (the cited works
    keep their original titles, as a bibliography does)."""
    bad = {}
    for page in _pages(ZH):
        text = _decoded(page.read_text(encoding="utf-8"))
        found = {(where, s[:80]) for spec in _chart_specs(text) for where, s in _chart_texts(spec)
                 if _english_words(s)}
        found |= {("source", htmlmod.unescape(s)[:80]) for s in
                  re.findall(r'<figcaption class="defi-chart-source">(.*?)</figcaption>', text, re.S)
                  if not _CJK.search(htmlmod.unescape(s))}
        if found:
            bad[str(page.relative_to(ZH))] = sorted(found)[:12]
    assert bad == {}


def test_output_tables_translated_cell_by_cell():
    html = ('<table><thead><tr><th>loop</th><th class="x">HF at entry</th></tr></thead>'
            '<tbody><tr><td> WETH </td><td>price &amp; fall</td><td><b>kept</b></td><th>P(HF < 1)</th></tr></tbody></table>')
    out = defi_i18n.translate_tables(html, {"HF at entry": "進場時的健康因子", "price & fall": "價格與跌幅",
                                            "kept": "不應出現", "P(HF < 1)": "P(HF 低於 1)"})
    assert '<th class="x">進場時的健康因子</th>' in out and "<td>價格與跌幅</td>" in out
    assert "<td> WETH </td>" in out and "<b>kept</b>" in out
    assert "<th>P(HF 低於 1)</th>" in out
    assert defi_i18n.table_texts(html) == ["loop", "HF at entry", "WETH", "price & fall", "P(HF < 1)"]


@needs_site
def test_output_tables_catalog_complete_and_current(tmp_path):
    """Every header and cell text of the English site's output tables is translated (or made with tr())."""
    package = defi_i18n.read_po(PACKAGE_PO)
    pot = defi_i18n.tables_pot(tmp_path / "tables.pot", SITE, package)
    problems = catalog_problems(pot, LOCALE / f"{defi_i18n.TABLES_CATALOG}.po")
    assert not problems, _short(problems) + " - run `make translations`, then translate"


@needs_site
def test_output_tables_in_chinese():
    def cells(root):
        text = (root / "notebooks" / "02-looping.html").read_text(encoding="utf-8")
        return defi_i18n.table_texts(" ".join(re.findall(r"<table\b.*?</table>", text, flags=re.S)))

    assert "price fall that liquidates" in cells(SITE) and "price fall that liquidates" not in cells(ZH)
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in cells(ZH))


def test_every_slider_unit_is_in_the_catalog():
    """A unit shown beside a slider's label is marked in explore.UNIT_NAMES, so the catalog has it."""
    import importlib
    import pkgutil

    import defi_helpers.explorers as explorers
    from defi_helpers import explore

    shown = set()
    for m in pkgutil.iter_modules(explorers.__path__):
        mod = importlib.import_module(f"defi_helpers.explorers.{m.name}")
        for name in getattr(mod, "__all__", []):
            if name.endswith("_explorer"):
                shown |= {p.unit for p in getattr(mod, name)().params if p.caption != p.label}
    assert shown and shown <= set(explore.UNIT_NAMES), sorted(shown - set(explore.UNIT_NAMES))


def test_chart_titles_wrap_by_display_width():
    from defi_helpers.charts import wrap

    assert wrap("abc def ghi", 7) == ["abc def", "ghi"]
    lines = wrap("所選 LTV 對應 wstETH 抵押品（78.5 %，2023-10-31）與 ETH 相關的 E-Mode（93 %）。", 30)
    assert all(len(line.encode("utf-16-le")) // 2 * 2 <= 64 for line in lines) and len(lines) >= 3
    assert not any(line[0] in "，。）" or line[-1] in "（" for line in lines)
    assert "".join(lines).replace(" ", "") == "所選LTV對應wstETH抵押品（78.5%，2023-10-31）與ETH相關的E-Mode（93%）。"


def test_printed_lines_translated_line_by_line():
    page = ('<div class="output stream highlight-myst-ansi notranslate"><div class="highlight"><pre><span></span>'
            'Liquidation price: $1,927.71\n  42\n</pre></div></div>')
    assert defi_i18n.stream_lines(page) == ["Liquidation price: $1,927.71"]
    out = defi_i18n.translate_lines("  Liquidation price: $1,927.71\n42", {"Liquidation price: $1,927.71": "清算價格：$1,927.71"})
    assert out == "  清算價格：$1,927.71\n42"


@needs_site
def test_printed_lines_in_chinese():
    page = (ZH / "notebooks" / "01-collateral.html").read_text(encoding="utf-8")
    assert any("清算價格：$1,927.71" in block for block in defi_i18n._STREAM.findall(page))
    assert not any("Liquidation price" in line for line in defi_i18n.stream_lines(page))
    assert "Liquidation price: $1,927.71" in defi_i18n.stream_lines(
        (SITE / "notebooks" / "01-collateral.html").read_text(encoding="utf-8"))


def test_measurements_are_translated_as_themselves(tmp_path):
    """A re-measured benchmark cell (``12.11``, ``93.5 s``, ``16.3 / 16.9``) needs no translator: the
    catalog update fills it in, un-fuzzied; anything with words stays for a translator."""
    po = tmp_path / "bench.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  '#: book/benchmarks.md:10\n#, fuzzy\n#| msgid "114.7 s"\nmsgid "80.1 s"\nmsgstr "114.7 s"\n\n'
                  'msgid "16.3 / 16.9"\nmsgstr ""\n\n'
                  'msgid "12.11"\nmsgstr ""\n\n'
                  'msgid "74.4 s (12 documents re-executed)"\nmsgstr ""\n\n'
                  'msgid "s"\nmsgstr ""\n', encoding="utf-8")
    assert defi_i18n.fill_invariant(po) == 3
    entries = {e.msgid: e for e in polib.pofile(str(po))}
    for msgid in ("80.1 s", "16.3 / 16.9", "12.11"):
        assert entries[msgid].msgstr == msgid and "fuzzy" not in entries[msgid].flags
        assert entries[msgid].previous_msgid is None
    assert entries["74.4 s (12 documents re-executed)"].msgstr == ""
    assert entries["s"].msgstr == ""
    assert defi_i18n.fill_invariant(po) == 0


def test_no_tr_call_inside_an_f_string():
    """pybabel (Python 3.11) reads an f-string as one string token: a tr("…") inside it never reaches
    the catalog, and the text stays English in the Chinese edition (the datasets page's labels and a
    USDe chart's annotation did). Translate first, then format."""
    import ast

    found = []
    for path in sorted((ROOT / "defi_helpers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                found += [f"{path.relative_to(ROOT)}:{call.lineno}" for call in ast.walk(node)
                          if isinstance(call, ast.Call) and getattr(call.func, "id", None) in ("tr", "tr_noop")]
    assert found == []
