"""The handbook's editions: English (the source) and Traditional Chinese (zh_TW, Taiwan usage).

A Sphinx extension (loaded through ``_config.yml``'s ``local_extensions``) and a
small command-line tool used by the Makefile.

One source of configuration: ``_config.yml``. The Chinese edition is the same book
built with the few keys of ``_config.zh.yml`` laid over it (:func:`edition_config`,
``python book/_ext/defi_i18n.py config zh_TW``); the translations come from the
gettext catalogs in ``locale/zh_TW/LC_MESSAGES/`` (one per document,
``gettext_compact: false``), refreshed from the English sources by
``make translations``.

What the extension does in a translated edition (``language`` not English):

* sets ``DEFI_HANDBOOK_LANG`` before any notebook runs, so chart and feedback text
  from :mod:`defi_helpers` comes out in that language (:mod:`defi_helpers.i18n`);
  each edition has its own output folder, hence its own execution cache and
  package-hash stamp (``book/_ext/defi_book.py``);
* registers the project's catalogs for sphinx-exercise (``exercise``) and
  sphinx-book-theme (``booktheme``): the first ships no ``zh_TW``, the second lacks
  "Launch on". Theme strings of pydata-sphinx-theme (whose ``zh`` is Simplified)
  are overridden by ``locale/zh_TW/LC_MESSAGES/sphinx.po``;
* translates the table of contents' captions (:class:`TocCaptions`: sphinx-external-toc
  inserts its toctrees after Sphinx's Locale transform has run, so they stay English);
* gives Chinese search a user dictionary of the glossary's Chinese terms (jieba, absolute
  path, written into the build folder from ``book/glossary.md``);
* writes the Chinese notebooks offered for download: each chapter notebook with its
  markdown cells translated from the catalogs (:func:`translate_notebook`), and says on
  notebook pages that the launch buttons open the English notebook.

In every edition it adds the language switch (``book/_templates/defi-lang-switch.html``),
a link to the same page in the other edition made with ``pathto`` (relative, so it works
from a static server and from ``file://``), ``hreflang`` alternates in the head, and
the page's ``lang`` (``en`` / ``zh-Hant-TW``).
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"

#: Every edition: where it sits in the deployed site, its ``lang`` and its name in the switch.
EDITIONS = {
    "en": {"subdir": "", "lang_attr": "en", "label": "English"},
    "zh_TW": {"subdir": "zh-tw", "lang_attr": "zh-Hant-TW", "label": "繁體中文"},
}
#: The notice on the Chinese pages of chapter notebooks, above the article.
LAUNCH_NOTE = {
    "zh_TW": ("下載按鈕（.ipynb）提供的是本章的中文筆記本，由翻譯目錄自動產生；"
              "啟動按鈕（Binder、JupyterHub、Colab）開啟的則是儲存庫中的英文筆記本，"
              "程式碼相同，說明文字為英文。"),
}


def edition(language: str | None) -> str:
    """The edition key of a Sphinx ``language`` value (``en`` for None/English)."""
    if not language or language.startswith("en"):
        return "en"
    if language not in EDITIONS:
        raise ValueError(f"language {language!r} has no edition; editions: {sorted(EDITIONS)}")
    return language


# --------------------------------------------------------------------------------------
# Configuration: _config.yml with an edition's overlay


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def edition_config(language: str, *, gettext: bool = False, root: Path = ROOT) -> dict:
    """``_config.yml`` with ``_config.<lang>.yml`` laid over it (dicts merged key by key).

    ``gettext=True`` is the configuration for extracting messages: no notebook execution.
    """
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    if edition(language) != "en":
        short = language.split("_")[0]
        config = _merge(config, yaml.safe_load((root / f"_config.{short}.yml").read_text(encoding="utf-8")))
    # jupyter-book puts local extensions on sys.path relative to the config file, which is written
    # elsewhere (into the build folder): make them absolute. Every other path is relative to the book.
    local = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in local.items():
        local[name] = str((root / path).resolve())
    if gettext:
        # No locations: they hold the build's absolute paths, and would churn every catalog.
        config = _merge(config, {"execute": {"execute_notebooks": "off"},
                                 "sphinx": {"config": {"gettext_location": False}}})
    return config


# --------------------------------------------------------------------------------------
# Catalogs


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file: translated entries only (no fuzzy, no header, no obsolete)."""
    import polib

    return {e.msgid: e.msgstr for e in polib.pofile(str(path))
            if e.msgstr and not e.fuzzy and not e.obsolete and e.msgid}


def catalog_path(docname: str, language: str, locale: Path = LOCALE) -> Path:
    return locale / language / "LC_MESSAGES" / f"{docname}.po"


_PREFIX = r"(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+[.)][ \t]+|>[ \t]*|(?:`{3,}|:{3,})\{[\w-]+\}[ \t]+|\|[ \t]*)*"


def _flexible(msgid: str) -> re.Pattern:
    """``msgid`` as a whole block of the source (a paragraph, list item, heading, table cell,
    directive title) where Sphinx's gettext joined the lines with spaces."""
    body = r"\s+".join(re.escape(w) for w in msgid.split())
    return re.compile(rf"(^[ \t]*{_PREFIX}|(?<=\|)[ \t]*){body}(?=[ \t]*(?:\||$))", re.M)


def translate_markdown(text: str, catalog: dict[str, str]) -> str:
    """``text`` (MyST) with each message of ``catalog`` replaced by its translation.

    Longest messages first, so that a heading or list item inside a longer block is not
    replaced before the block. Line breaks inside a message are not kept (MyST ignores them).
    """
    for msgid in sorted(catalog, key=len, reverse=True):
        if not msgid.split():
            continue
        msgstr = catalog[msgid]
        text = _flexible(msgid).sub(lambda m, s=msgstr: m.group(1) + s, text)
    return text


def translate_notebook(nb: dict, catalog: dict[str, str]) -> dict:
    """A copy of notebook ``nb`` whose markdown cells are translated paragraph by paragraph."""
    out = json.loads(json.dumps(nb))
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = translate_markdown(src, catalog).splitlines(keepends=True)
    return out


#: Words of the survey the book grew from that the glossary writes differently (超額抵押), for search.
SURVEY_TERMS = ("過度抵押",)
_TERMS = re.compile(r"[(（]繁體中文：(.+)[)）]\s*$", re.M)


def glossary_terms(glossary_md: str) -> list[str]:
    """The Chinese terms of the glossary ("(繁體中文：白名單；許可制)"), for jieba's user dictionary.

    Forms are split at ；; a form's alternatives in parentheses count too ("清算閾值（清算門檻）"
    gives both); a note after the terms ("貸款價值比. Not 抵押率, …") is cut off; forms with
    spaces or without Chinese characters are left out (jieba's dictionary is one word a line).
    """
    terms: list[str] = []
    for m in _TERMS.finditer(glossary_md):
        for form in re.split(r"[；;]", m.group(1)):
            form = re.split(r"\. ", form)[0]
            parts = [re.sub(r"（.*?）|\(.*?\)", "", form)] + re.findall(r"[（(](.*?)[）)]", form)
            for part in parts:
                for word in re.split(r"[，、,]", part):
                    word = word.strip()
                    if word and " " not in word and re.search(r"[\u4e00-\u9fff]", word) \
                            and word not in terms:
                        terms.append(word)
    return terms


# --------------------------------------------------------------------------------------
# The Sphinx extension


# --------------------------------------------------------------------------------------
# Tables and printed lines in notebook outputs (DataFrames, Stylers, Series, print()): their
# header and cell texts and their lines are translated in the built page from the ``tables``
# catalog, whose messages come from the English site (``make translations`` after ``make book``).

TABLES_CATALOG = "tables"
# A cell's text has no tags; a bare "<" (as in "P(HF < 1)", which Styler does not escape) is text.
_CELL = re.compile(r"(<t[hd]\b[^>]*>)((?:[^<]|<(?![A-Za-z/!]))*)(</t[hd]>)")


def table_texts(page_html: str) -> list[str]:
    """Texts (entities decoded, stripped) of every table header and cell that holds words."""
    out = []
    for table in re.findall(r"<table\b.*?</table>", page_html, flags=re.S):
        for _, text, _ in _CELL.findall(table):
            t = html.unescape(text).strip()
            if re.search(r"[A-Za-z]{2,}", t):
                out.append(t)
    return out


_STREAM = re.compile(r'<div class="output stream[^"]*"><div class="highlight"><pre>(.*?)</pre>', re.S)


def stream_lines(page_html: str) -> list[str]:
    """Lines (stripped) with words of every printed output (a cell's stdout) of a built page."""
    out = []
    for block in _STREAM.findall(page_html):
        for line in html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines():
            if re.search(r"[A-Za-z]{2,}", line):
                out.append(line.strip())
    return out


def translate_lines(text: str, catalog: dict[str, str]) -> str:
    """``text`` with every line found in ``catalog`` (stripped) translated, its indentation kept."""
    lines = []
    for line in text.split("\n"):
        zh = catalog.get(line.strip())
        lines.append(line[:len(line) - len(line.lstrip())] + zh if zh else line)
    return "\n".join(lines)


def translate_tables(page_html: str, catalog: dict[str, str]) -> str:
    """``page_html`` with every table header and cell text found in ``catalog`` translated."""
    def cell(m):
        t = html.unescape(m.group(2))
        zh = catalog.get(t.strip())
        if not zh:
            return m.group(0)
        lead, trail = t[:len(t) - len(t.lstrip())], t[len(t.rstrip()):]
        return m.group(1) + lead + html.escape(zh, quote=False) + trail + m.group(3)

    def table(m):
        return _CELL.sub(cell, m.group(0))

    return re.sub(r"<table\b.*?</table>", table, page_html, flags=re.S)


def _drop_translation_documents(app, doctree):
    """Point every node at its own page's document.

    Sphinx's i18n transform parses each translated message as a small document of its own and
    moves the nodes over; they keep a reference to it (``node._document``), each one a copy of
    the whole parse state, so a Chinese doctree pickled to 9 MB instead of 0.8 MB and reading the
    23 doctrees back (Sphinx does on every build, to number figures) cost seconds.
    """
    if _language(app) == "en":
        return
    for node in doctree.findall():
        if getattr(node, "_document", None) not in (None, doctree):
            node._document = doctree


def _note_tables_catalog(app, doctree):
    """A page with output tables is rebuilt when the tables catalog changes."""
    if _language(app) == "en":
        return
    from docutils import nodes

    path = catalog_path(TABLES_CATALOG, _language(app))
    if path.exists() and (any("<table" in n.astext() for n in doctree.findall(nodes.raw))
                          or any("stream" in n.get("classes", []) for n in doctree.findall(nodes.literal_block))):
        app.env.note_dependency(str(path))


def _translate_output_tables(app, doctree, docname):
    """In the Chinese edition, translate the tables of notebook outputs (raw HTML nodes)."""
    if _language(app) == "en":
        return
    from docutils import nodes

    path = catalog_path(TABLES_CATALOG, _language(app))
    if not path.exists():
        return
    catalog = read_po(path)
    for node in list(doctree.findall(nodes.literal_block)):
        if "stream" in node.get("classes", []):
            new = translate_lines(node.astext(), catalog)
            if new != node.astext():
                node.children = []
                node += nodes.Text(new)
                node.rawsource = new  # still highlighted as a stream (Sphinx checks rawsource == text)
    for node in list(doctree.findall(nodes.raw)):
        if "html" in node.get("format", "") and "<table" in node.astext():
            new = translate_tables(node.astext(), catalog)
            if new != node.astext():
                node.replace_self(nodes.raw(new, new, **{k: v for k, v in node.attributes.items()
                                                          if k in ("format", "classes", "xml:space")}))


def _language(app) -> str:
    return edition(getattr(app.config, "language", None))


def _config_inited(app, config):
    lang = edition(config.language)
    config.templates_path = list(config.templates_path or []) + [str(ROOT / "book" / "_templates")]
    opts = dict(config.html_theme_options or {})
    header = opts.get("article_header_end") or ["article-header-buttons.html"]
    if isinstance(header, str):
        header = [header]
    opts["article_header_end"] = list(header) + ["defi-lang-switch.html"]
    # The kernels inherit it: chart and feedback text in this edition's language, whatever the shell set.
    os.environ["DEFI_HANDBOOK_LANG"] = lang
    if lang == "en":
        config.html_theme_options = opts
        return
    opts["search_bar_text"] = "搜尋本書…"
    config.html_theme_options = opts
    # Chinese search (jieba) with the glossary's terms as a user dictionary, by absolute path
    # (a relative or wrong path is silently ignored).
    words = glossary_terms((ROOT / "book" / "glossary.md").read_text(encoding="utf-8")) + list(SURVEY_TERMS)
    dict_path = Path(app.outdir).parent / "jieba-glossary.txt"
    dict_path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{w} 100000 n\n" for w in words)
    if not dict_path.exists() or dict_path.read_text(encoding="utf-8") != text:
        dict_path.write_text(text, encoding="utf-8")
    options = dict(config.html_search_options or {})
    options["dict"] = str(dict_path.resolve())
    config.html_search_options = options


def _register_catalogs(app):
    """Compile the project's catalogs for sphinx-exercise and sphinx-book-theme, then register them."""
    lang = _language(app)
    if lang == "en":
        return
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po as babel_read_po

    out = Path(app.doctreedir).parent / "locale-ext"
    for domain in ("exercise", "booktheme"):
        po = catalog_path(domain, lang)
        mo = out / lang / "LC_MESSAGES" / f"{domain}.mo"
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as f:
                catalog = babel_read_po(f, locale=lang)
            with mo.open("wb") as f:
                write_mo(f, catalog)
        app.add_message_catalog(domain, str(out))


try:
    from sphinx import addnodes
    from sphinx.transforms import SphinxTransform
except ImportError:  # the command-line tool runs without Sphinx too
    SphinxTransform = object


class TocCaptions(SphinxTransform):
    """Translate toctree captions, which sphinx-external-toc (priority 100) adds after Locale (20)."""

    default_priority = 110

    def apply(self, **kwargs):
        if _language(self.app) == "en":
            return
        from sphinx.locale import init as init_locale
        from sphinx.util.i18n import docname_to_domain

        toctrees = [n for n in self.document.findall(addnodes.toctree) if n.get("caption")]
        if not toctrees:
            return
        dirs = [str(Path(self.env.srcdir, d)) for d in self.config.locale_dirs]
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalog, has_catalog = init_locale(dirs, self.config.language, domain)
        if not has_catalog:
            return
        for node in toctrees:
            text = catalog.gettext(node["caption"])
            if text and text != node["caption"]:
                node["caption"] = text
                node["rawcaption"] = text


def _switch_target(app, pagename: str) -> tuple[str, dict]:
    here = EDITIONS[_language(app)]
    other_key = "zh_TW" if _language(app) == "en" else "en"
    other = EDITIONS[other_key]
    suffix = app.builder.link_suffix if hasattr(app.builder, "link_suffix") else ".html"
    if here["subdir"]:                      # zh-tw/ -> the English root
        target = "../" * here["subdir"].count("/") + "../" + pagename + suffix
    else:
        target = other["subdir"] + "/" + pagename + suffix
    return target, other


def _page_context(app, pagename, templatename, context, doctree):
    if not hasattr(app.builder, "link_suffix") or app.builder.format != "html":
        return
    lang = _language(app)
    here = EDITIONS[lang]
    target, other = _switch_target(app, pagename)
    href = context["pathto"](target, 1)
    context["language"] = here["lang_attr"]
    context["defi_switch"] = {"href": href, "hreflang": other["lang_attr"], "label": other["label"]}
    suffix = getattr(app.builder, "link_suffix", ".html")
    alternates = (f'<link rel="alternate" hreflang="{here["lang_attr"]}" href="'
                  f'{html.escape(pagename.rsplit("/", 1)[-1] + suffix)}" />\n'
                  f'<link rel="alternate" hreflang="{other["lang_attr"]}" href="{html.escape(href)}" />\n')
    context["metatags"] = context.get("metatags", "") + alternates
    if lang != "en" and doctree is not None and app.env.doc2path(pagename, False).endswith(".ipynb") \
            and "body" in context:
        note = (f'<div class="admonition note defi-launch-note"><p class="admonition-title">注意</p>'
                f"<p>{html.escape(LAUNCH_NOTE[lang])}</p></div>\n")
        context["body"] = note + context["body"]


def _write_translated_notebooks(app, exception):
    """Replace the English notebooks under ``_sources/`` (the download button) with translated ones."""
    lang = _language(app)
    if exception is not None or lang == "en" or getattr(app.builder, "format", None) != "html":
        return
    for docname in sorted(app.env.found_docs):
        src = Path(app.env.doc2path(docname))
        if src.suffix != ".ipynb":
            continue
        po = catalog_path(docname, lang, Path(app.srcdir) / "locale")
        dest = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if (dest.exists() and '"language_info_human"' in dest.read_text(encoding="utf-8")
                and dest.stat().st_mtime >= max(src.stat().st_mtime, po.stat().st_mtime if po.exists() else 0,
                                                Path(__file__).stat().st_mtime)):
            continue  # translated already, and nothing changed since (Sphinx re-copies the English on a rewrite)
        catalog = read_po(po) if po.exists() else {}
        nb = json.loads(src.read_text(encoding="utf-8"))
        nb = translate_notebook(nb, catalog)
        nb.setdefault("metadata", {})["language_info_human"] = EDITIONS[lang]["lang_attr"]
        if dest.parent.exists():
            dest.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _register_catalogs)
    app.add_transform(TocCaptions)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _write_translated_notebooks)
    app.connect("doctree-read", _drop_translation_documents)
    app.connect("doctree-read", _note_tables_catalog)
    app.connect("doctree-resolved", _translate_output_tables)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------------------
# Catalog maintenance (make translations)

_DATE = re.compile(r'^"POT-Creation-Date: [^"]*"$', re.M)


def _merge_catalog(pot: Path, po: Path, language: str) -> str:
    """Bring ``po`` up to date with ``pot``: msgmerge --previous (changed messages become fuzzy,
    with the old English kept as ``#|``), or a new catalog. The .pot's date is not copied in,
    so a catalog changes only when its messages do."""
    import subprocess

    if not po.exists():
        po.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["msginit", "--no-translator", "--no-wrap", f"--locale={language}.UTF-8",
                        "-i", str(pot), "-o", str(po)], check=True, capture_output=True)
        return "new"
    old = po.read_text(encoding="utf-8")
    date = _DATE.search(old)
    text = pot.read_text(encoding="utf-8")
    if date:
        text = _DATE.sub(lambda m: date.group(0), text, count=1)
    tmp = po.with_suffix(".pot.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        subprocess.run(["msgmerge", "--quiet", "--previous", "--no-wrap", "--backup=none", "-U",
                        str(po), str(tmp)], check=True)
    finally:
        tmp.unlink()
    fill_invariant(po)
    return "updated" if po.read_text(encoding="utf-8") != old else "unchanged"


#: A message that reads the same in every language: a measurement such as ``12.11``, ``93.5 s``,
#: ``16.3 / 16.9`` or ``191.0 KB`` (the benchmarks page's table cells, re-measured by ``make bench``).
INVARIANT = re.compile(r"[0-9][0-9.,]*(?: (?:s|ms|KB))?(?: / [0-9][0-9.,]*(?: (?:s|ms|KB))?)?")


def fill_invariant(po: Path) -> int:
    """Translate each :data:`INVARIANT` message of ``po`` as itself (not fuzzy); the number filled."""
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    filled = 0
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        ids = [n for n, line in enumerate(lines) if line.startswith("msgid ")]
        strs = [n for n, line in enumerate(lines) if line.startswith("msgstr ")]
        if len(ids) != 1 or len(strs) != 1 or strs[0] != ids[0] + 1:
            continue  # a multi-line message, or the header: never a bare measurement
        try:
            msgid = json.loads(lines[ids[0]][len("msgid "):])
        except ValueError:  # a C escape JSON lacks: not a measurement anyway
            continue
        if not msgid or not INVARIANT.fullmatch(msgid):
            continue
        wanted = [line for line in lines if not line.startswith("#|") and line != "#, fuzzy"]
        wanted[wanted.index(lines[strs[0]])] = "msgstr " + lines[ids[0]][len("msgid "):]
        if wanted != lines:
            blocks[i] = "\n".join(wanted)
            filled += 1
    if filled:
        po.write_text("\n\n".join(blocks), encoding="utf-8")
    return filled


def update_catalogs(pot_dir: Path, language: str, locale: Path = LOCALE) -> dict[str, str]:
    """Update ``locale/<language>/LC_MESSAGES/<doc>.po`` from every ``<doc>.pot`` of ``pot_dir``."""
    result = {}
    for pot in sorted(pot_dir.rglob("*.pot")):
        if any(part.startswith(".") for part in pot.relative_to(pot_dir).parts):
            continue
        docname = pot.relative_to(pot_dir).with_suffix("").as_posix()
        result[docname] = _merge_catalog(pot, catalog_path(docname, language, locale), language)
    return result


#: Text fields of a dataset's metadata (``defi_helpers/data/snapshots/<name>.json``) that readers
#: see on the datasets page and under charts; source titles stay in their original language.
DATASET_FIELDS = ("title", "description", "unit", "licence", "confidence")


def dataset_messages(package: Path = ROOT / "defi_helpers") -> dict[str, str]:
    """msgid -> where it comes from, for the dataset metadata the package translates at run time
    with ``tr(meta.title)`` etc. (pybabel sees only ``tr("literal")``), and the values of the
    free-text columns a dataset declares in ``translate`` (translated by ``data.load``)."""
    found: dict[str, str] = {}
    for path in sorted((package / "data" / "snapshots").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        texts = [(f, raw.get(f)) for f in DATASET_FIELDS]
        texts += [(f"columns.{c}", d) for c, d in raw.get("columns", {}).items()]
        texts += [("sources.short", s.get("short")) for s in raw.get("sources", [])]
        if raw.get("translate"):
            import pandas as pd

            table = pd.read_csv(path.with_suffix(".csv"), comment="#")
            texts += [(f"rows.{c}", v) for c in raw["translate"] for v in table[c].dropna().unique()]
        for where, text in texts:
            if isinstance(text, str) and text.strip():
                found.setdefault(text, f"dataset {path.stem}: {where}")
    return found


def notebook_code(notebooks: Path, out: Path) -> Path:
    """Each notebook's code cells as ``<out>/<name>.py`` (IPython magics dropped), for pybabel:
    a label a notebook writes itself is marked ``tr("...")`` there, like the package's."""
    out.mkdir(parents=True, exist_ok=True)
    for nb_path in sorted(notebooks.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        code = "\n\n".join("\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))
                           for cell in cells)
        (out / f"{nb_path.stem.replace('-', '_')}.py").write_text(code + "\n", encoding="utf-8")
    return out


def package_pot(pot: Path, package: Path = ROOT / "defi_helpers", notebooks: Path = ROOT / "notebooks") -> Path:
    """The package's template: every ``tr("...")`` literal of the package and of the notebooks' code
    (pybabel) plus the dataset metadata."""
    import subprocess

    import polib

    pybabel = Path(sys.executable).parent / "pybabel"
    code = notebook_code(notebooks, pot.parent / "notebook-code")
    subprocess.run([str(pybabel), "-q", "extract", "--no-default-keywords", "-k", "tr", "-k", "tr_noop",
                    "--no-location", "--no-wrap", "-o", str(pot), str(package), str(code)], check=True)
    cat = polib.pofile(str(pot), wrapwidth=0)
    have = {e.msgid for e in cat}
    for text, where in dataset_messages(package).items():
        if text not in have:
            cat.append(polib.POEntry(msgid=text, msgstr="", comment=where))
    cat.save(str(pot))
    return pot


def tables_pot(pot: Path, site: Path, package_catalog: dict[str, str] | None = None) -> Path:
    """The outputs' template: every table header and cell text, and every printed line, with words in
    the notebook outputs of the English site ``site``, less what the package catalog already
    translates (labels made with tr())."""
    import polib

    skip = package_catalog or {}
    cat = polib.POFile(wrapwidth=0)
    cat.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    seen = set()
    for page in sorted(site.glob("notebooks/*.html")) + sorted(site.glob("book/*.html")):
        text = page.read_text(encoding="utf-8")
        tables = [out[out.find("<table"):] for out in
                  re.findall(r'<div class="cell_output docutils container">.*?</table>', text, flags=re.S)]
        for t in [t for table in tables for t in table_texts(table)] + stream_lines(text):
            if t not in seen and t not in skip:
                seen.add(t)
                cat.append(polib.POEntry(msgid=t, msgstr="", comment=page.relative_to(site).as_posix()))
    cat.save(str(pot))
    return pot


def update_tables_catalog(language: str, site: Path, work: Path | None = None) -> str:
    """Update ``locale/<language>/LC_MESSAGES/tables.po`` from the English site's output tables."""
    import tempfile

    if not (site / "index.html").exists():
        raise SystemExit(f"no English site at {site}: run `make book` first")
    work = work or Path(tempfile.mkdtemp())
    pkg = read_po(ROOT / "defi_helpers" / "locale" / language / "LC_MESSAGES" / "defi_helpers.po")
    pot = tables_pot(work / f"{TABLES_CATALOG}.pot", site, pkg)
    return _merge_catalog(pot, catalog_path(TABLES_CATALOG, language), language)


def update_package_catalog(language: str, package: Path = ROOT / "defi_helpers",
                           work: Path | None = None) -> str:
    """Extract the package's messages (:func:`package_pot`) and update its catalog.

    The .pot is written outside the package (the build hashes every file of the package);
    no locations or dates, so the catalog changes only when a message does."""
    import tempfile

    work = work or Path(tempfile.mkdtemp())
    pot = package_pot(work / "defi_helpers.pot", package)
    po = package / "locale" / language / "LC_MESSAGES" / "defi_helpers.po"
    return _merge_catalog(pot, po, language)


# --------------------------------------------------------------------------------------
# Command line (used by the Makefile)


def main(argv=None) -> int:
    import argparse

    import yaml

    ap = argparse.ArgumentParser(description="The handbook's editions: configuration and catalogs.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("config", help="print _config.yml with an edition's overlay")
    c.add_argument("language")
    c.add_argument("--gettext", action="store_true", help="for message extraction (no execution)")
    c.add_argument("-o", "--output", type=Path)
    n = sub.add_parser("notebook", help="translate one notebook's markdown cells from a catalog")
    n.add_argument("notebook", type=Path)
    n.add_argument("catalog", type=Path)
    n.add_argument("-o", "--output", type=Path, required=True)
    u = sub.add_parser("update", help="update locale/<lang>/ from the .pot files of a gettext build")
    u.add_argument("pot_dir", type=Path)
    u.add_argument("--language", default="zh_TW")
    p = sub.add_parser("package", help="extract and update the package catalog (defi_helpers)")
    p.add_argument("--language", default="zh_TW")
    t = sub.add_parser("tables", help="update the catalog of notebook output tables from the English site")
    t.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    t.add_argument("--language", default="zh_TW")
    args = ap.parse_args(argv)
    if args.cmd == "update":
        for doc, what in update_catalogs(args.pot_dir, args.language).items():
            if what != "unchanged":
                print(f"{what:9} locale/{args.language}/LC_MESSAGES/{doc}.po")
        return 0
    if args.cmd == "package":
        print(f"{update_package_catalog(args.language):9} defi_helpers/locale/{args.language}/LC_MESSAGES/"
              "defi_helpers.po")
        return 0
    if args.cmd == "tables":
        print(f"{update_tables_catalog(args.language, args.site):9} locale/{args.language}/LC_MESSAGES/"
              f"{TABLES_CATALOG}.po")
        return 0
    if args.cmd == "config":
        text = yaml.safe_dump(edition_config(args.language, gettext=args.gettext), allow_unicode=True,
                              sort_keys=False)
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            if not args.output.exists() or args.output.read_text(encoding="utf-8") != text:
                args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    elif args.cmd == "notebook":
        nb = json.loads(args.notebook.read_text(encoding="utf-8"))
        out = translate_notebook(nb, read_po(args.catalog))
        args.output.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
