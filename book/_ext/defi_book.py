"""Sphinx extension for the handbook's build (loaded through ``_config.yml``).

* Sets ``DEFI_HANDBOOK_BUILD=1`` before any notebook runs, so charts and
  explorers render in their static, kernel-free form (see
  :mod:`defi_helpers.render` and :mod:`defi_helpers.explore`).
* Loads the vendored Vega libraries (copied to the site root by
  ``html_extra_path``) on every page, ahead of anything that might bring
  RequireJS, so no page fetches a script from a CDN.
* Invalidates the execution cache when ``defi_helpers`` changes: jupyter-cache
  keys only on a notebook's code cells, so without this a chapter would show
  stale results after a change in the package. A hash of every file of the
  package is kept beside the cache; when it differs, the cache is cleared and
  every notebook is re-read. Switching ``DEFI_HANDBOOK_LIVE`` (live data) does the same.
* Resolves the notebooks' glossary and citation links. Chapters link terms and
  citations with plain Markdown links, which JupyterLab (jupyterlab-myst) opens
  without warning markers: ``[collateral](../book/glossary.md#term-Collateral)`` and
  ``[Luo et al., 2024](../book/references.md#cite-luo2024piercing)`` (written by
  ``book/_ext/notebook_tools.py migrate``). :class:`GlossaryCitationLinks` points
  them at the glossary term's and the bibliography entry's anchors (a citation gets
  the entry as its tooltip) and logs a warning, so ``-W -n`` fails, when the term
  or the citation key does not exist.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)
os.environ["DEFI_HANDBOOK_BUILD"] = "1"

VEGA_SCRIPTS = ("vega/vega.min.js", "vega/vega-lite.min.js", "vega/vega-embed.min.js")
_HASH_FILE = "defi_helpers.sha256"


def package_hash(package_dir: Path) -> str:
    """SHA-256 over the relative paths and bytes of every file in the package."""
    h = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(str(path.relative_to(package_dir)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _cache_dir(app) -> Path:
    return Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")


def _check_package(app):
    import defi_helpers

    package_dir = Path(defi_helpers.__file__).parent
    # A live-data build (DEFI_HANDBOOK_LIVE) computes different outputs from the same code.
    current = package_hash(package_dir) + ":live=" + os.environ.get("DEFI_HANDBOOK_LIVE", "")
    cache = _cache_dir(app)
    stamp = cache.parent / _HASH_FILE
    previous = stamp.read_text().strip() if stamp.exists() else None
    app.env_defi_hash = current
    app.env_defi_stale = previous != current
    if app.env_defi_stale and cache.exists():
        shutil.rmtree(cache)
        logger.info("defi_book: defi_helpers changed; execution cache cleared, notebooks re-run")


def _outdated(app, env, added, changed, removed):
    if not getattr(app, "env_defi_stale", False):
        return []
    return [d for d in env.found_docs if env.doc2path(d, False).endswith((".ipynb", ".md"))]


def _save_hash(app, exception):
    if exception is None and getattr(app, "env_defi_hash", None):
        stamp = _cache_dir(app).parent / _HASH_FILE
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(app.env_defi_hash + "\n")


def _refresh_extra_files(app, exception):
    """Copy html_extra_path again: Sphinx skips it when no document is out of date,
    so an edited stylesheet or script would otherwise never reach the site."""
    if exception is None and hasattr(app.builder, "copy_extra_files"):
        app.builder.copy_extra_files()


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated inline scripts (JB1 emits sphinx-thebe's config twice, a console error)."""
    seen, kept = set(), []
    for js in context.get("script_files", []):
        # The same inline script appears with filename None and "" (added twice by JB1).
        key = (getattr(js, "filename", js) or "", tuple(sorted(getattr(js, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


GLOSSARY_DOC = "book/glossary"
REFERENCES_DOC = "book/references"


@functools.lru_cache(maxsize=1)
def _plaintext_backend():
    """pybtex's plain-text backend, looked up once: each ``find_plugin`` scans every installed
    distribution's entry points (28 ms), which was 5.9 s of a 30 s build at 208 citation links."""
    import pybtex.plugin

    return pybtex.plugin.find_plugin("pybtex.backends", "plaintext")()


class GlossaryCitationLinks(SphinxPostTransform):
    """Markdown links to ``book/glossary.md#term-…`` and ``book/references.md#cite-<key>``.

    Runs before myst-parser's resolver (priority 9), which would otherwise accept any
    anchor of the page silently (the glossary's ids are not MyST heading slugs).
    """

    default_priority = 5

    def run(self, **kwargs):
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") != "doc":
                continue
            target, anchor = node.get("reftarget"), node.get("reftargetid") or ""
            if target == GLOSSARY_DOC and anchor.startswith("term-"):
                self._resolve_term(node, anchor)
            elif target == REFERENCES_DOC and anchor.startswith("cite-"):
                self._resolve_cite(node, anchor[len("cite-"):])

    def _replace(self, node, todoc, anchor, classes, title=None):
        inner = nodes.inline("", "", classes=classes)
        inner.extend(child.deepcopy() for child in node.children)
        if not inner.children:
            inner += nodes.Text(anchor)
        ref = make_refnode(self.app.builder, node.get("refdoc", self.env.docname), todoc, anchor, inner)
        if title:
            ref["reftitle"] = title
        node.replace_self(ref)

    def _resolve_term(self, node, anchor):
        std = self.env.get_domain("std")
        ids = {labelid for (objtype, _), (doc, labelid) in std.objects.items()
               if objtype == "term" and doc == GLOSSARY_DOC}
        if anchor not in ids:
            logger.warning("glossary link to %r: no such term in %s (anchors look like %r)", anchor,
                           GLOSSARY_DOC, sorted(ids)[0] if ids else "term-Name",
                           location=node, type="ref", subtype="term")
            node.replace_self(nodes.inline("", "", *[c.deepcopy() for c in node.children]))
            return
        self._replace(node, GLOSSARY_DOC, anchor, ["xref", "std", "std-term"])

    def _resolve_cite(self, node, key):
        domain = self.env.get_domain("cite")
        citations = {c.key: c for c in getattr(domain, "citations", [])}
        citation = citations.get(key)
        if citation is None:
            logger.warning("citation link to unknown bibtex key %r (not in the .bib files of _config.yml "
                           "or not listed by the bibliography)", key, location=node, type="ref",
                           subtype="cite")
            node.replace_self(nodes.inline("", "", *[c.deepcopy() for c in node.children]))
            return
        title = None
        if getattr(citation, "tooltip_entry", None) is not None:
            title = citation.tooltip_entry.text.render(_plaintext_backend()).replace("\\url ", "")
        self._replace(node, citation.bibliography_key.docname, citation.citation_id, ["xref", "cite"], title)


def setup(app):
    for path in VEGA_SCRIPTS:
        # html_js_files are relative to _static; the libraries sit at the site root.
        app.add_js_file(f"../{path}", priority=200)
    app.add_css_file("../defi-handbook.css", priority=200)
    app.add_js_file("../defi-handbook.js", priority=200)
    app.add_post_transform(GlossaryCitationLinks)
    app.connect("builder-inited", _check_package)
    app.connect("env-get-outdated", _outdated)
    app.connect("build-finished", _save_hash)
    app.connect("build-finished", _refresh_extra_files)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
