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
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from sphinx.util import logging

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


def setup(app):
    for path in VEGA_SCRIPTS:
        # html_js_files are relative to _static; the libraries sit at the site root.
        app.add_js_file(f"../{path}", priority=200)
    app.add_css_file("../defi-handbook.css", priority=200)
    app.add_js_file("../defi-handbook.js", priority=200)
    app.connect("builder-inited", _check_package)
    app.connect("env-get-outdated", _outdated)
    app.connect("build-finished", _save_hash)
    app.connect("build-finished", _refresh_extra_files)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
